//! The inputs stage: reads and checks every file a validated brand names (`file:`/`env:`
//! credentials, google-services.json, the deep-link certificate, the override tree) the way
//! their consumers will load them. It runs right after the brand file is validated, and its
//! problems join the brand file's, so one run reports every mistake before anything is cloned.
use std::path::Path;

use anyhow::Result;

use crate::brand::{owned_config, Brand, Checked, CredentialKey, LoadOptions};
use crate::emit::well_known::{self, DeepLinks};
use crate::google_services::{self, GoogleServices};
use crate::problems::Problems;
use crate::push::{self, PreparedPush};

/// What the brand's `file:`/`env:` references hold, checked. Its Debug output never shows
/// content.
#[derive(Default)]
pub struct Inputs {
    /// android.google_services: bytes and the Firebase project id.
    pub google_services: Vec<u8>,
    pub firebase_project: String,
    pub push: Option<PreparedPush>,
    /// `[deep_links]`: domains and normalised certificate fingerprints.
    pub deep_links: Option<DeepLinks>,
}

impl std::fmt::Debug for Inputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("firebase_project", &self.firebase_project)
            .field("push", &self.push.is_some())
            .field("deep_links", &self.deep_links)
            .finish_non_exhaustive()
    }
}

/// Loads a brand file and reads everything it names; the brand file's problems and the
/// inputs' are reported together. Nothing is read when a path leaves the brand's folder.
pub fn load(path: &Path, options: LoadOptions) -> Result<(Brand, Inputs)> {
    let Checked {
        brand,
        mut problems,
        contained,
    } = Brand::check(path, options)?;
    let inputs = if contained {
        read(&brand, &mut problems)
    } else {
        Inputs::default()
    };
    problems.into_result()?;
    Ok((brand, inputs))
}

/// Reads and checks every input of `brand`, each failure joining `problems` so that one run
/// reports them all. A reference that is invalid was reported by validation and is skipped.
pub fn read(brand: &Brand, problems: &mut Problems) -> Inputs {
    let mut inputs = Inputs::default();
    let gs_shown = brand
        .secrets
        .get(CredentialKey::GoogleServices)
        .map(|r| r.describe(&brand.dir))
        .unwrap_or_default();
    let gs = match read_google_services(brand, &gs_shown) {
        Ok(Some((gs, bytes))) => {
            inputs.firebase_project = gs.project_id.clone();
            inputs.google_services = bytes;
            Some(gs)
        }
        Ok(None) => None,
        Err(e) => {
            problems.push(format!("{e:#}"));
            None
        }
    };
    let firebase = gs
        .as_ref()
        .map(|g| (g.project_id.as_str(), gs_shown.as_str()));
    match push::prepare(brand, firebase) {
        Ok(push) => inputs.push = push,
        Err(e) => match e.downcast_ref::<Problems>() {
            Some(many) => many.items().iter().for_each(|p| problems.push(p.clone())),
            None => problems.push(format!("{e:#}")),
        },
    }
    if let Some(links) = &brand.deep_links {
        match well_known::prepare(
            links,
            brand.secrets.get(CredentialKey::DeepLinksCert),
            &brand.dir,
        ) {
            Ok(prepared) => inputs.deep_links = Some(prepared),
            Err(e) => problems.push(format!("{}: {e:#}", brand.file.display())),
        }
    }
    if let Some(dir) = &brand.override_dir {
        match crate::overlay::walk::files(dir, "override directory (assets.override)") {
            Ok(_) => owned_config_keys(brand, dir, problems),
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    inputs
}

/// The override's config.json may not change keys that `[server]` and `[schemes]` own
/// (`brand::owned_config`); the same value is allowed. A config.json that does not parse is
/// left to the overlay stage, which reports it.
fn owned_config_keys(brand: &Brand, dir: &Path, problems: &mut Problems) {
    let path = dir.join(crate::overlay::CONFIG_JSON);
    let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
    let Some(serde_json::Value::Object(patch)) = regular
        .then(|| crate::overlay::json_merge::parse_file(&path).ok())
        .flatten()
    else {
        return;
    };
    for conflict in owned_config::conflicts(&patch, &brand.owned_config()) {
        problems.push(format!("{}: {conflict}", path.display()));
    }
}

/// google-services.json, read and checked against the app's package, with its bytes; none
/// when the reference is invalid (validation reported it).
fn read_google_services(brand: &Brand, shown: &str) -> Result<Option<(GoogleServices, Vec<u8>)>> {
    let key = CredentialKey::GoogleServices;
    let Some(reference) = brand.secrets.get(key) else {
        return Ok(None);
    };
    let bytes = reference.read(&brand.dir, key.name())?;
    let gs = google_services::parse(&bytes, shown)?;
    google_services::check(&gs, &brand.android.package, shown)?;
    Ok(Some((gs, bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example brand in a scratch folder, its brand file edited by `(from, to)` pairs.
    fn example_with(edits: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/brands/acme");
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&example, dir.path());
        let file = dir.path().join("brand.toml");
        let mut text = std::fs::read_to_string(&file).unwrap();
        for (from, to) in edits {
            assert!(text.contains(from), "the example has {from:?}");
            text = text.replace(from, to);
        }
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    fn copy_tree(from: &Path, to: &Path) {
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                copy_tree(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn the_example_loads_with_its_inputs() {
        let (_dir, file) = example_with(&[]);
        let (brand, inputs) = load(&file, LoadOptions::default()).unwrap();
        assert_eq!(brand.name, "acme");
        assert!(!inputs.google_services.is_empty());
        assert!(!inputs.firebase_project.is_empty());
        assert!(inputs.push.is_some());
    }

    /// A mistake in the brand file, an invalid reference and a missing file are reported by
    /// one run, brand-file problems first.
    #[test]
    fn brand_and_input_problems_are_reported_together() {
        let (_dir, file) = example_with(&[
            ("app = \"acmechat\"", "app = \"-acmechat\""),
            (
                "\"file:secrets/AuthKey_KEY1234567.p8\"",
                "\"-----BEGIN PRIVATE KEY-----\"",
            ),
            (
                "\"file:secrets/google-services.json\"",
                "\"file:secrets/missing.json\"",
            ),
        ]);
        let err = load(&file, LoadOptions::default()).unwrap_err();
        let messages = crate::problems::messages(&err);
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(messages[0].contains("schemes.app"), "{messages:#?}");
        assert!(messages[1].contains("push.apple.auth_key") && messages[1].contains("not inline"));
        assert!(!messages[1].contains("BEGIN"), "the literal is not echoed");
        assert!(
            messages[2].contains("android.google_services") && messages[2].contains("missing.json")
        );
    }

    /// Nothing is read when a path leaves the brand's folder.
    #[test]
    fn nothing_is_read_outside_the_brand_folder() {
        let (_dir, file) = example_with(&[(
            "\"file:secrets/google-services.json\"",
            "\"file:../elsewhere/google-services.json\"",
        )]);
        let messages = crate::problems::messages(&load(&file, LoadOptions::default()).unwrap_err());
        assert_eq!(messages.len(), 1, "{messages:#?}");
        assert!(
            messages[0].contains("outside the brand's folder"),
            "{messages:#?}"
        );
    }
}
