//! `mmbrand plan`: the apply pipeline, reported as a list of changes and a unified diff
//! against upstream instead of written. Only the upstream files the pipeline reads from disk
//! are checked out, into a scratch directory (`apply::upstream_reads`: about 230 of
//! mattermost-mobile's 3,936); the steps look up the others in git's tree through the
//! recorder. Everything the build makes is held in memory: the recorder holds the edited,
//! moved and created app files and the merged assets (bytes, or the path of the file a copy
//! is of, so a large asset is never loaded), `emit::MemSink` the generated files; the lock and
//! the diff read them from there, and the changes are compared with git's objects. The
//! scratch directory is removed when the command ends, whatever the outcome.
//!
//! Not yet in memory: that partial checkout (the merge reads assets/base, the edits and the
//! Java package move read upstream files, and the drift and the diff open its repository,
//! all from disk).
use std::borrow::Cow;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::Repository;
use serde::Serialize;
use serde_json::json;
use similar::TextDiff;

use crate::apply;
use crate::brand::{Brand, LoadOptions};
use crate::drift::{self, Drift};
use crate::fsutil;
use crate::inputs;
use crate::layout;
use crate::reapply::Previous;
use crate::recorder::Held;
use crate::report;

/// Files larger than this are listed but not diffed (nor read into memory).
const MAX_DIFFED_BYTES: u64 = 8 << 20;

#[derive(Debug, Serialize)]
pub struct Change {
    pub path: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// What `plan` is asked to do (the command layer fills it from `mmbrand plan`'s arguments).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The brand file (TOML).
    pub brand_file: PathBuf,
    /// The upstream: `--source` and `--ref` over the brand's `[source]`.
    pub source: crate::source::Spec,
    /// `--app-version` and `--build-number`, over the brand file's.
    pub app_version: Option<String>,
    pub build_number: Option<u64>,
    /// An earlier `apply` output to report the drift from (`--from`).
    pub from: Option<PathBuf>,
    pub allow_outside_brand_dir: bool,
    /// One JSON document on stdout instead of text.
    pub json: bool,
}

/// Plans the brand of `args.brand_file` and prints the changes (text or JSON).
pub fn plan(args: &Options) -> Result<()> {
    let (mut brand, inputs) = inputs::load(
        &args.brand_file,
        LoadOptions {
            allow_outside_brand_dir: args.allow_outside_brand_dir,
        },
    )?;
    brand.override_version(args.app_version.as_deref(), args.build_number)?;
    let scratch = tempfile::tempdir().context("cannot create a scratch directory")?;
    // It holds the push credentials while plan runs.
    crate::stage::interrupts::register(scratch.path());
    let previous = match &args.from {
        Some(dir) => Some(Previous::find(dir, false)?.with_context(|| {
            format!(
                "--from {}: not an mmbrand apply output (no {})",
                dir.display(),
                crate::lock::LOCK_FILE
            )
        })?),
        None => None,
    };
    let mut drift = None;
    let mut label = None;
    let reads = apply::upstream_reads();
    let built = apply::build_with(
        &brand,
        &inputs,
        &args.source,
        crate::push::DEFAULT_PROXY_ROOT,
        scratch.path(),
        crate::source::Paths::Only(&reads),
        &mut |upstream, app| {
            label = Some(apply::upstream_label(upstream));
            drift = early_drift(&brand, args, previous.as_ref(), upstream, app)?;
            // Shown before building, which the drift may make fail (a resized base icon).
            if let (Some(d), false) = (&drift, args.json) {
                println!(
                    "upstream drift from {} to {}:",
                    apply::short(&d.from),
                    apply::short(&d.to)
                );
                d.lines().iter().for_each(|l| println!("  {l}"));
            }
            Ok(())
        },
    )
    .map_err(|e| apply::unstaged_names(e, scratch.path(), Path::new("<plan>"), label.as_deref()))?;
    let app = scratch.path().join("app");
    if let (Some(d), None) = (drift.as_mut(), &previous) {
        // Without an earlier output, the edited lines are the ones this build edits.
        // Derived files (merged assets) have no upstream version to drift from.
        let edited: Vec<drift::Edited> = built
            .app_files
            .iter()
            .filter(|rel| !layout::is_derived(rel))
            .map(|rel| -> Result<drift::Edited> {
                Ok(drift::Edited {
                    path: format!("app/{}", fsutil::rel_string(rel)),
                    branded: Some((Written::of(&built, &app, rel).bytes()?.into_owned(), false)),
                })
            })
            .collect::<Result<_>>()?;
        let repo = Repository::open(&app)?;
        d.files = drift::files(&repo, &d.from, &d.to, &edited)?;
        if !args.json {
            d.file_lines().iter().for_each(|l| println!("  {l}"));
        }
    }
    let changes = app_changes(&app, &built)?;
    let outputs: Vec<&String> = built
        .lock
        .files
        .keys()
        .filter(|k| !k.starts_with("app/"))
        .collect();
    if args.json {
        report::print_json(&json!({
            "ok": true,
            "command": "plan",
            "brand": brand.name,
            "upstream": built.upstream,
            "branch": brand.branch,
            "changes": changes,
            "outputs": outputs,
            "release_assets": built.placements,
            "drift": drift,
            "warnings": built.warnings,
        }));
        return Ok(());
    }
    report::print_warnings(&built.warnings);
    println!(
        "plan for {} on {} @ {} (branch {}): {} app file(s) change",
        brand.name,
        built.upstream.repo,
        &built.upstream.commit[..built.upstream.commit.len().min(10)],
        brand.branch,
        changes.len()
    );
    for c in &changes {
        println!("  {:<9} app/{}", c.status, c.path);
    }
    for o in &outputs {
        println!("  {:<9} {o}", "generated");
    }
    print_placements(&built.placements);
    for c in changes.iter().filter_map(|c| c.diff.as_deref()) {
        print!("{c}");
    }
    Ok(())
}

/// The drift from the earlier output's commit (--from) or the brand file's [source] ref, to
/// the commit just checked out; None when there is nothing to compare with.
fn early_drift(
    brand: &Brand,
    args: &Options,
    previous: Option<&Previous>,
    upstream: &crate::source::Upstream,
    app: &Path,
) -> Result<Option<Drift>> {
    let repo = Repository::open(app)?;
    let from = match previous {
        Some(prev) => {
            prev.lend_objects(&repo)?;
            Some(prev.lock.upstream.commit.clone())
        }
        None => match (&args.source.git_ref, &brand.source.git_ref) {
            (Some(_), Some(old)) => crate::source::resolve_commit(&upstream.url, Some(old)),
            _ => None,
        },
    };
    let Some(from) = from.filter(|f| *f != upstream.commit) else {
        if let (Some(prev), false) = (previous, args.json) {
            println!(
                "no upstream change since {} ({})",
                prev.dir.display(),
                apply::short(&upstream.commit)
            );
        }
        return Ok(None);
    };
    let edited: Vec<drift::Edited> = previous
        .map(|prev| apply::previous_edits(&repo, prev))
        .unwrap_or_default();
    drift::report(&repo, &from, &upstream.commit, brand, &edited).map(Some)
}

/// Where each release icon and splash file lands in the native projects, the brand's first.
fn print_placements(placements: &[crate::native::release_assets::Placement]) {
    println!("release icons and splash screens (dist/assets/… -> app/…):");
    let mut sorted: Vec<_> = placements.iter().collect();
    sorted.sort_by_key(|p| !p.from_brand);
    for p in sorted {
        let origin = if p.from_brand { "brand" } else { "base" };
        match &p.to {
            Some(to) => println!("  {origin:<5} {} -> app/{to}", p.asset),
            None => println!("  {origin:<5} {}: not copied, {}", p.asset, p.note),
        }
    }
}

/// Where a file the build wrote under app/ is: held in memory by the recorder (its bytes,
/// or the file it is a copy of), or on disk in the scratch directory (the merged assets).
enum Written<'a> {
    Bytes(&'a [u8]),
    File(PathBuf),
}

impl<'a> Written<'a> {
    fn of(built: &'a apply::Built, app: &Path, rel: &Path) -> Written<'a> {
        match built.held.get(rel) {
            Some(Held::Bytes(b)) => Written::Bytes(b),
            Some(Held::Copy(from)) => Written::File(from.clone()),
            None => Written::File(app.join(rel)),
        }
    }

    /// Its git object id, which libgit2 hashes in blocks: a 2 GB asset is never held in
    /// memory.
    fn blob_id(&self) -> Result<git2::Oid> {
        match self {
            Written::Bytes(b) => Ok(git2::Oid::hash_object(git2::ObjectType::Blob, b)?),
            Written::File(path) => git2::Oid::hash_file(git2::ObjectType::Blob, path)
                .with_context(|| format!("cannot read {}", path.display())),
        }
    }

    fn size(&self) -> Result<u64> {
        match self {
            Written::Bytes(b) => Ok(b.len() as u64),
            Written::File(path) => Ok(std::fs::metadata(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .len()),
        }
    }

    fn bytes(&self) -> Result<Cow<'a, [u8]>> {
        match self {
            Written::Bytes(b) => Ok(Cow::Borrowed(b)),
            Written::File(path) => Ok(Cow::Owned(fsutil::read(path)?)),
        }
    }
}

/// Every changed file of the branded app against its upstream commit: written files that
/// differ, and files moved away (the Android package's old folder). Only the files the
/// pipeline read are checked out, so the removed ones come from the recorder, not from
/// git's status of the working tree.
fn app_changes(app: &Path, built: &apply::Built) -> Result<Vec<Change>> {
    let repo = Repository::open(app).with_context(|| format!("cannot open {}", app.display()))?;
    let tree = repo.head()?.peel_to_tree()?;
    let mut changes = Vec::new();
    for rel in &built.app_files {
        let shown = fsutil::rel_string(rel);
        let written = Written::of(built, app, rel);
        let old_id = tree.get_path(rel).ok().map(|e| e.id());
        // Compared by git object id: an unchanged file is never read back from git. A file
        // upstream lacks (all of the merged dist/) is added whatever its content: not hashed.
        let status = match old_id {
            Some(id) if id == written.blob_id()? => continue,
            Some(_) => "modified",
            None => "added",
        };
        // Merged assets are listed but not diffed, to keep the diff readable.
        let diff = (!layout::is_merged(rel))
            .then(|| diff_of(&repo, &shown, old_id, &written))
            .transpose()?
            .flatten();
        changes.push(Change {
            path: shown,
            status,
            diff,
        });
    }
    for rel in built
        .removed
        .iter()
        .filter(|rel| tree.get_path(rel).is_ok())
    {
        changes.push(Change {
            path: fsutil::rel_string(rel),
            status: "removed",
            diff: None,
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(changes)
}

/// The diff of a changed file against its upstream blob; a note for files too large to diff.
fn diff_of(
    repo: &Repository,
    shown: &str,
    old: Option<git2::Oid>,
    written: &Written,
) -> Result<Option<String>> {
    let size = written.size()?;
    let old_size = match old {
        Some(id) => repo.odb()?.read_header(id)?.0 as u64,
        None => 0,
    };
    if size.max(old_size) > MAX_DIFFED_BYTES {
        return Ok(Some(format!(
            "Large file app/{shown} changes ({size} bytes)\n"
        )));
    }
    let new = written.bytes()?;
    let old = match old {
        Some(id) => repo.find_blob(id)?.content().to_vec(),
        None => Vec::new(),
    };
    Ok(unified(shown, &old, &new))
}

/// A unified diff of two text files, or a one-line note for binary content.
fn unified(path: &str, old: &[u8], new: &[u8]) -> Option<String> {
    match (std::str::from_utf8(old), std::str::from_utf8(new)) {
        (Ok(o), Ok(n)) => Some(
            TextDiff::from_lines(o, n)
                .unified_diff()
                .context_radius(2)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        ),
        _ => Some(format!("Binary file app/{path} changes\n")),
    }
}
