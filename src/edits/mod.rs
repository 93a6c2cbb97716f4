//! The registry of edits to upstream files: every edit apply makes to a file upstream ships
//! is declared here as (upstream path, pure function of the file's text). The pipeline
//! (`run`) reads each file once, runs its edits in order, parses the result back, writes it
//! and records its path, so the lock's list of edited files comes from this registry and
//! cannot lose a path. Lock, verify, re-apply, drift and plan read the same list
//! (`edited_paths`).
//!
//! Edits never touch the filesystem: a later step can run them over git blobs in memory.
//!
//! Where a new edit goes: a pure `fn(&str, &Doc, &EditCtx) -> Result<String>` in the file
//! of its upstream family below, its anchors as named constants beside it, and one line in
//! that family's `EDITS`.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use anyhow::{Context, Result};

use crate::brand::Brand;
use crate::content;
use crate::emit::well_known::DeepLinks;
use crate::fsutil;

pub mod android;
pub mod app_json;
pub mod fastfile;
pub mod ios;
pub mod version;

/// What an edit may read besides the file's text: the brand and the inputs loaded for it.
pub struct EditCtx<'a> {
    pub brand: &'a Brand,
    /// google-services.json as the brand supplies it.
    pub google_services: &'a [u8],
    /// `[deep_links]`, when the brand has them.
    pub deep_links: Option<&'a DeepLinks>,
    /// Another upstream file's text as checked out (before any edit), by app-relative
    /// path; None when upstream has no such file. Lets an edit depend on a second file
    /// without touching the filesystem (strings.xml reads app_restrictions.xml).
    pub upstream: &'a dyn Fn(&str) -> Option<String>,
}

/// The file an edit works on, as the messages name it.
pub struct Doc<'a> {
    /// App-relative path (the registry's).
    pub path: &'a str,
    /// How errors name it (the staging path, renamed to `upstream <ref>:<path>` later).
    pub shown: &'a str,
}

/// A pure edit: the file's text in, the edited text or an error (an `AnchorError` when
/// upstream moved what it anchors on) out.
pub type EditFn = fn(&str, &Doc, &EditCtx) -> Result<String>;

/// Whether the upstream file must be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Upstream ships it; its absence is an error (upstream moved it).
    Required,
    /// Edited when upstream has it (older or newer versions lack it); recorded only when
    /// the edit changed it.
    IfPresent,
    /// Written whole from the brand's inputs, whatever upstream has (the edit gets "" when
    /// the file is absent).
    Replaced,
}

pub struct Edit {
    /// App-relative path of the upstream file.
    pub path: &'static str,
    /// What the edit sets, for tests and reports.
    pub name: &'static str,
    pub presence: Presence,
    /// Whether the brand asks for this edit at all (a version only when one is given).
    pub when: When,
    pub edit: EditFn,
}

impl Edit {
    /// An edit of a file upstream must ship, made for every brand.
    pub const fn required(path: &'static str, name: &'static str, edit: EditFn) -> Edit {
        Edit {
            path,
            name,
            presence: Presence::Required,
            when: When::Always,
            edit,
        }
    }

    /// The same edit, made only when `when` holds.
    pub const fn when(self, when: When) -> Edit {
        Edit { when, ..self }
    }

    /// The same edit, with upstream's file optional (or written whole).
    pub const fn presence(self, presence: Presence) -> Edit {
        Edit { presence, ..self }
    }
}

/// When an edit applies: declared as data, so verify can tell the edits every output has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// The brand has `[deep_links]`.
    DeepLinks,
    /// An app version is given (brand file or --app-version).
    AppVersion,
    /// A build number is given.
    BuildNumber,
    /// Some managed-configuration key has an Android default.
    EmmDefaults,
    /// The Android package differs from upstream's, so the sources move.
    PackageMoved,
}

impl When {
    pub fn holds(self, ctx: &EditCtx) -> bool {
        match self {
            When::Always => true,
            When::DeepLinks => ctx.deep_links.is_some(),
            When::AppVersion => ctx.brand.version.version.is_some(),
            When::BuildNumber => ctx.brand.version.build_number.is_some(),
            When::EmmDefaults => !android::restriction_defaults_of(ctx).is_empty(),
            When::PackageMoved => {
                ctx.brand.android.package != crate::native::android::UPSTREAM_PACKAGE
            }
        }
    }
}

static REGISTRY: LazyLock<Vec<Edit>> = LazyLock::new(|| {
    [
        ios::edits(),
        android::edits(),
        version::edits(),
        app_json::edits(),
        fastfile::edits(),
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// Every edit of an upstream file, in the order the pipeline runs them.
pub fn registry() -> &'static [Edit] {
    &REGISTRY
}

/// Every upstream file the registry may edit (app-relative).
pub fn edited_paths() -> BTreeSet<&'static str> {
    registry().iter().map(|e| e.path).collect()
}

/// The upstream files every output's lock must list: those with an edit that always
/// applies to a file that must be there (or is written whole).
pub fn always_edited_paths() -> BTreeSet<&'static str> {
    registry()
        .iter()
        .filter(|e| e.when == When::Always && e.presence != Presence::IfPresent)
        .map(|e| e.path)
        .collect()
}

/// One file's text through the pipeline.
struct Working {
    before: Option<String>,
    after: String,
    presence: Presence,
}

/// Runs every applicable edit over `read`'s texts (by app-relative path; None when absent)
/// and returns each touched file's new text, without writing anything. Each result is
/// parsed back with the parser of its format (plist, pbxproj, XML, JSON).
pub fn run_in_memory(
    read: &dyn Fn(&str) -> Result<Option<String>>,
    shown: &dyn Fn(&str) -> String,
    ctx: &EditCtx,
) -> Result<BTreeMap<&'static str, Output>> {
    let mut files: BTreeMap<&'static str, Working> = BTreeMap::new();
    for edit in registry().iter().filter(|e| e.when.holds(ctx)) {
        if !files.contains_key(edit.path) {
            let before = read(edit.path)?;
            if before.is_none() && edit.presence == Presence::IfPresent {
                continue;
            }
            if before.is_none() && edit.presence == Presence::Required {
                return Err(crate::error::AnchorError::new(
                    &shown(edit.path),
                    "the file",
                    "no such file",
                )
                .into());
            }
            // An upstream file no parser reads is reported as it is, before any edit
            // could be blamed for it.
            if let (Some(text), Some(kind)) = (&before, content::kind_of(Path::new(edit.path))) {
                content::parse(kind, text.as_bytes(), &shown(edit.path))?;
            }
            let after = before.clone().unwrap_or_default();
            files.insert(
                edit.path,
                Working {
                    before,
                    after,
                    presence: edit.presence,
                },
            );
        }
        let Some(file) = files.get_mut(edit.path) else {
            continue;
        };
        let name = shown(edit.path);
        let doc = Doc {
            path: edit.path,
            shown: &name,
        };
        file.after = (edit.edit)(&file.after, &doc, ctx)?;
    }
    let mut out = BTreeMap::new();
    for (path, file) in files {
        let changed = file.before.as_deref() != Some(file.after.as_str());
        if !changed && file.presence == Presence::IfPresent {
            continue;
        }
        if let Some(kind) = content::kind_of(Path::new(path)) {
            content::parse(kind, file.after.as_bytes(), &shown(path))
                .with_context(|| "after mmbrand's edits".to_string())?;
        }
        out.insert(
            path,
            Output {
                text: file.after,
                changed,
            },
        );
    }
    Ok(out)
}

/// A file the edits produced.
pub struct Output {
    pub text: String,
    /// Whether it differs from upstream's.
    pub changed: bool,
}

/// Runs the registry over the checkout: reads, edits, parses back, writes changed files, and
/// records every file it edited (app-relative), for the lock.
pub fn run(rec: &mut crate::recorder::Recorder, ctx: &EditCtx) -> Result<()> {
    let app = rec.app();
    let read = |rel: &str| -> Result<Option<String>> {
        let path = app.join(rel);
        if !path.is_file() {
            return Ok(None);
        }
        fsutil::read_to_string(&path).map(Some)
    };
    let shown = |rel: &str| app.join(rel).display().to_string();
    let outputs = run_in_memory(&read, &shown, ctx)?;
    for (rel, output) in outputs {
        if output.changed {
            rec.write(Path::new(rel), &output.text)?;
        } else {
            rec.wrote(PathBuf::from(rel));
        }
    }
    Ok(())
}

/// Reads an upstream file of the checkout at `app` as it is before the edits (for
/// `EditCtx::upstream`).
pub fn reader(app: &Path) -> impl Fn(&str) -> Option<String> + '_ {
    move |rel| std::fs::read_to_string(app.join(rel)).ok()
}

#[cfg(test)]
mod tests;
