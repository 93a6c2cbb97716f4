//! The branding pipeline shared by `apply` and `plan`: upstream checkout, asset merge and
//! config injection, native edits, generated files and the lock file.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use serde_json::json;

use crate::brand::{Brand, CredentialKey};
use crate::drift::{self, Drift};
use crate::edits;
use crate::emit;
use crate::fsutil;
use crate::inputs::Inputs;
use crate::layout;
use crate::lock::{Lock, LOCK_FILE};
use crate::native::{android, ios, ios_strings, release_assets};
use crate::overlay::{
    self, config_check, json_merge, resolved, MergeOptions, MergePlan, CONFIG_JSON,
};
use crate::problems::Problems;
use crate::push;
use crate::reapply::{self, Previous};
use crate::secret_scan;
use crate::source::{self, Upstream};
use crate::stage::{Stage, TargetLock};

/// What a pipeline run produced inside its root directory.
pub struct Built {
    pub upstream: Upstream,
    /// Files written or changed under `app/`, relative to it.
    pub app_files: BTreeSet<PathBuf>,
    /// Upstream files under `app/` moved away (the Java package's old folder).
    pub removed: BTreeSet<PathBuf>,
    /// What `plan` holds in memory instead of in its checkout: the content of app files
    /// the steps wrote (app-relative). Empty for apply, whose files are all on disk.
    pub held: BTreeMap<PathBuf, crate::recorder::Held>,
    pub lock: Lock,
    pub warnings: Vec<String>,
    /// Where each release icon and splash file went in the native projects.
    pub placements: Vec<release_assets::Placement>,
}

/// The upstream repository and ref: the command line wins over `[source]`. A relative path
/// in the brand file is relative to the brand file.
pub fn source_of(brand: &Brand, args: &source::Spec) -> Result<(String, Option<String>)> {
    let git_ref = args
        .git_ref
        .clone()
        .or_else(|| brand.source.git_ref.clone());
    if let Some(s) = &args.source {
        return Ok((s.clone(), git_ref));
    }
    let Some(repo) = &brand.source.repo else {
        bail!(
            "{}: no upstream given: set [source] repo or pass --source <PATH|URL>",
            brand.file.display()
        );
    };
    let is_url = repo.contains("://") || (repo.contains('@') && repo.contains(':'));
    let repo = if is_url || Path::new(repo).is_absolute() {
        repo.clone()
    } else {
        fsutil::normalize(&brand.dir.join(repo))
            .display()
            .to_string()
    };
    Ok((repo, git_ref))
}

/// Runs the whole pipeline into `root` (an empty staging or scratch directory).
pub fn build(
    brand: &Brand,
    inputs: &Inputs,
    args: &source::Spec,
    proxy_root: &str,
    root: &Path,
) -> Result<Built> {
    build_with(
        brand,
        inputs,
        args,
        proxy_root,
        root,
        source::Paths::All,
        &mut |_, _| Ok(()),
    )
}

/// The upstream files the pipeline must have on disk, as git pathspecs: the registry's
/// files, the one file an edit reads beside its own, the base assets the merge reads and
/// the Java package the sources move out of. `plan` checks out only these; what the steps
/// merely list or look at (Android resources, asset catalogs, the launch storyboard) they
/// look up through the recorder, in git's tree. A step that reads another upstream path
/// from disk must add it here (tests/it/plan_sparse.rs compares plan with a full copy).
pub fn upstream_reads() -> Vec<String> {
    let java = |root: &str| format!("{root}/com/mattermost");
    let mut reads: Vec<String> = edits::edited_paths()
        .into_iter()
        .map(str::to_string)
        .collect();
    reads.extend([
        android::APP_RESTRICTIONS.to_string(),
        layout::BASE.to_string(),
        java(android::JAVA_ROOT),
        java(android::TEST_JAVA_ROOT),
    ]);
    reads
}

/// Called with upstream and the checked-out app tree before anything is merged or edited.
pub type OnCheckout<'a> = dyn FnMut(&Upstream, &Path) -> Result<()> + 'a;

/// `build`, calling `on_checkout` as soon as upstream is checked out (the drift report of
/// an upgrade comes before the merge, whose errors it may explain).
pub fn build_with(
    brand: &Brand,
    inputs: &Inputs,
    args: &source::Spec,
    proxy_root: &str,
    root: &Path,
    paths: source::Paths,
    on_checkout: &mut OnCheckout,
) -> Result<Built> {
    let (repo, git_ref) = source_of(brand, args)?;
    // Credentials and the override tree were checked when the brand was loaded.
    let gs_bytes = &inputs.google_services;
    let push = inputs.push.as_ref();

    let app = root.join("app");
    let store = args.object_store.as_deref();
    let upstream = source::checkout(&repo, store, git_ref.as_deref(), &app, &brand.branch, paths)?;
    on_checkout(&upstream, &app)?;
    // A plain directory is copied whole (with the files its .gitignore leaves out of the
    // commit): the steps read it from disk, as apply does.
    let paths = match upstream.method {
        "directory" => source::Paths::All,
        _ => paths,
    };
    let mut warnings = brand.warnings();
    if let Some(push) = push {
        warnings.extend(push.notes.iter().cloned());
        if let Some(info) = push.cert_expiry() {
            warnings.extend(push::credentials::expiry_warning(
                info,
                CredentialKey::AppleCert.name(),
            ));
        }
    }
    if push.is_none() {
        warnings.push(format!(
            "{}: no [push] section, so no push-proxy config is generated; the branded app cannot receive pushes through Mattermost's public proxy",
            brand.file.display()
        ));
    }
    let mut app_files = BTreeSet::new();

    let plan = merge_assets(brand, &app)?;
    let dist = app.join(layout::DIST_ASSETS);
    let mut merged = Vec::new();
    match paths {
        // plan: the merged assets are held in memory with the steps' other writes.
        source::Paths::Only(_) => {
            let (entries, report) = plan.entries();
            warnings.extend(report.warnings);
            let under =
                |dir: &str, (rel, held): (PathBuf, overlay::Held)| (Path::new(dir).join(rel), held);
            merged.extend(entries.into_iter().map(|e| under(layout::DIST_ASSETS, e)));
            let resolved = resolved::entries(&plan, brand.override_dir.as_deref())?;
            merged.extend(resolved.into_iter().map(|e| under(layout::OVERRIDE, e)));
        }
        source::Paths::All => {
            remove_dir_if_exists(&app.join(layout::DIST))?;
            warnings.extend(plan.write(&dist)?.warnings);
            let override_dir = app.join(layout::OVERRIDE);
            remove_dir_if_exists(&override_dir)?;
            resolved::write(&plan, brand.override_dir.as_deref(), &override_dir)?;
            for dir in [&dist, &override_dir] {
                for rel in overlay::walk::files(dir, "output")? {
                    app_files.insert(dir.strip_prefix(&app).unwrap_or(dir).join(rel));
                }
            }
        }
    }

    let (recorded, placements) = edit_app(brand, inputs, &app, merged, paths)?;
    let crate::recorder::Recorded {
        files: edited,
        removed,
        held,
    } = recorded;
    app_files.extend(edited);

    let mut credentials = BTreeMap::from([(
        CredentialKey::GoogleServices.name().to_string(),
        fsutil::sha256_hex(gs_bytes),
    )]);
    // plan holds the generated files in memory; apply writes them into its staging folder.
    let mut fs_sink = emit::FsSink { root };
    let mut mem_sink = emit::MemSink::default();
    let sink: &mut dyn emit::Sink = match paths {
        source::Paths::Only(_) => &mut mem_sink,
        source::Paths::All => &mut fs_sink,
    };
    if let Some(push) = push {
        credentials.extend(push.write(sink, brand, proxy_root)?);
    }
    push::server_settings::write(sink, brand)?;
    emit::well_known::write(sink, brand, inputs.deep_links.as_ref())?;
    emit::emm::write(sink, brand)?;
    let secrets = push.map(push::PreparedPush::secrets).unwrap_or_default();
    let mut scanner = secret_scan::Scanner::new(&secrets);
    let mut lock = Lock::new(
        root,
        brand,
        &upstream,
        crate::lock::Written {
            app_files: &app_files,
            held: &held,
            generated: &mem_sink.files,
        },
        credentials,
        |rel, bytes| scanner.check(rel, bytes),
    )?;
    scanner.finish()?;
    if let source::Paths::Only(_) = paths {
        // Git's status of a partial checkout shows every file left out as deleted: the
        // files this build deleted are the ones the recorder moved away.
        lock.deleted = removed
            .iter()
            .map(|rel| format!("app/{}", fsutil::rel_string(rel)))
            .collect();
    }
    lock.apns_certificate =
        push.and_then(push::PreparedPush::cert_expiry)
            .map(|c| crate::lock::LockCertificate {
                topic: c.topic.clone(),
                not_after: c.not_after.clone(),
            });
    Ok(Built {
        upstream,
        app_files,
        removed,
        held,
        lock,
        warnings,
        placements,
    })
}

/// The edits stage: the registry's edits of upstream files, then the steps that move or
/// create files (Java package, release assets, iOS .strings, fastlane env files). Everything
/// is written through one recorder, which lists the files for the lock (and those moved away)
/// and, for plan, holds their content.
fn edit_app(
    brand: &Brand,
    inputs: &Inputs,
    app: &Path,
    merged: Vec<(PathBuf, overlay::Held)>,
    paths: source::Paths,
) -> Result<(crate::recorder::Recorded, Vec<release_assets::Placement>)> {
    let upstream_text = edits::reader(app);
    let ctx = edits::EditCtx {
        brand,
        google_services: &inputs.google_services,
        deep_links: inputs.deep_links.as_ref(),
        upstream: &upstream_text,
    };
    let mut rec = match paths {
        source::Paths::All => crate::recorder::Recorder::new(app),
        source::Paths::Only(_) => crate::recorder::Recorder::over_tree(app)?,
    };
    for (rel, held) in merged {
        rec.hold(&rel, held)?;
    }
    edits::run(&mut rec, &ctx)?;
    android::move_sources(&mut rec, &brand.android.package)?;
    let dist = Path::new(layout::DIST_ASSETS);
    let placements = release_assets::place(dist, &mut rec, &brand_overrides(brand)?)?;
    let pbxproj = rec.read_to_string(Path::new(ios::PBXPROJ))?;
    ios_strings::write(&mut rec, &dist.join("i18n"), &brand.display_name, &pbxproj)?;
    emit::fastlane::write(&mut rec, brand)?;
    Ok((rec.finish(), placements))
}

/// The brand's override files, relative to its override tree.
fn brand_overrides(brand: &Brand) -> Result<BTreeSet<PathBuf>> {
    let files = overlay::walk::override_files(brand.override_dir.as_deref())?;
    Ok(files.into_iter().collect())
}

/// The brand's override merged over upstream's assets/base, with the server settings, auth
/// scheme and `[config]` injected into config.json (type-checked against base).
fn merge_assets(brand: &Brand, app: &Path) -> Result<MergePlan> {
    let base = app.join(layout::BASE);
    let empty = tempfile::tempdir()?;
    let overrides = brand.override_dir.as_deref().unwrap_or(empty.path());
    let mut plan = MergePlan::new(&base, overrides, MergeOptions::default())?;
    let base_config =
        json_merge::parse_file(&base.join(CONFIG_JSON)).map_err(anyhow::Error::msg)?;
    let patch = brand.config_patch();
    let shown = format!(
        "{} ([server], [schemes] and [config])",
        brand.file.display()
    );
    let found = config_check::check(&base_config, &patch, &shown);
    if !found.is_empty() {
        let mut problems = crate::problems::Problems::new();
        found.into_iter().for_each(|p| problems.push(p));
        problems.into_result()?;
    }
    let current = plan
        .merged_json()
        .find(|(rel, _)| *rel == Path::new(CONFIG_JSON))
        .map(|(_, v)| v.clone())
        .unwrap_or(base_config);
    plan.set_json(Path::new(CONFIG_JSON), json_merge::merge(&current, &patch));
    resolved::check_reproducible(&plan)?;
    Ok(plan)
}

fn remove_dir_if_exists(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// What one `apply` did.
pub struct Applied {
    /// None when the output was already up to date and nothing was written.
    pub built: Option<Built>,
    /// The upstream commit the output is made from.
    pub commit: String,
    /// The drift report, when the upstream commit differs from the previous output's.
    pub drift: Option<Drift>,
    /// Git-ignored build caches carried over from the previous output (app-relative).
    pub carried: Vec<PathBuf>,
}

impl Applied {
    fn up_to_date(previous: &Previous) -> Applied {
        Applied {
            built: None,
            commit: previous.lock.upstream.commit.clone(),
            drift: None,
            carried: Vec::new(),
        }
    }
}

/// What `apply` is asked to do besides the brand: where to, from where, and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub out: PathBuf,
    pub source: source::Spec,
    pub flags: Flags,
}

/// apply's switches (`--commit`, `--push`, `--proxy-root`, `--force`, `--fail-on-drift`).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub commit: bool,
    pub push: bool,
    /// Where credential paths in the proxy config point (`--proxy-root`).
    pub proxy_root: String,
    pub force: bool,
    pub fail_on_drift: bool,
}

/// Applies a loaded brand into `args.out`: `batch` calls this once per brand. Over an
/// earlier output it refuses to lose edits (unless --force), does nothing when nothing
/// changed, reports upstream drift (through `say`, line by line, before anything is
/// written; it is also in the result), and carries build caches over.
pub fn apply(
    brand: &Brand,
    inputs: &Inputs,
    args: &Options,
    say: &dyn Fn(&str),
) -> Result<Applied> {
    if args.flags.push && brand.source.fork.is_none() {
        bail!(
            "{}: --push needs [source] fork, the repository to push the brand branch to",
            brand.file.display()
        );
    }
    let location_warnings = check_out_location(brand, &args.out, &args.source)?;
    // Held from the first look at the previous output to the swap.
    let lock = TargetLock::acquire(&args.out)?;
    let previous = Previous::find(&args.out, args.flags.force)?;
    let digest = reapply::inputs_digest(brand, inputs, &args.flags.proxy_root)?;
    let mut intact = false;
    let mut lost = Vec::new();
    if let Some(prev) = &previous {
        lost = prev.unsaved_changes()?;
        intact = lost.is_empty();
        if !args.flags.force {
            reapply::refuse_lost_edits(&args.out, &lost)?;
        }
        let (repo, git_ref) = source_of(brand, &args.source)?;
        if intact
            && !args.flags.push
            && prev.is_up_to_date(&repo, git_ref.as_deref(), &digest, args.flags.commit)?
        {
            return Ok(Applied::up_to_date(prev));
        }
    }
    let stage = Stage::with_lock(lock, LOCK_FILE)?;
    let mut drift = None;
    let mut label = None;
    let mut built = build_with(
        brand,
        inputs,
        &args.source,
        &args.flags.proxy_root,
        stage.path(),
        source::Paths::All,
        &mut |upstream, app| {
            label = Some(upstream_label(upstream));
            drift = upgrade_drift(previous.as_ref(), upstream, app, brand)?;
            match &drift {
                Some(d) => check_drift(d, brand, args, say),
                None => Ok(()),
            }
        },
    )
    .map_err(|e| {
        let e = unstaged_names(e, stage.path(), &args.out, label.as_deref());
        // The drift may be why the build failed (a resized base icon): keep it for --json.
        match drift.as_ref().map(serde_json::to_value) {
            Some(Ok(d)) => crate::problems::with_detail(e, "drift", d),
            _ => e,
        }
    })?;
    built.lock.inputs = Some(digest);
    built.warnings.extend(location_warnings);
    if let (Some(d), Some(prev)) = (drift.as_mut(), &previous) {
        d.newly_edited = newly_edited(&stage.path().join("app"), &built, prev);
        d.newly_edited
            .iter()
            .for_each(|p| say(&format!("  {p}: edited now, not at the old commit")));
    }
    let app = stage.path().join("app");
    if args.flags.commit || args.flags.push {
        built.lock.brand_commit = Some(source::commit_brand(&app, &brand.name)?);
    }
    let unchanged = previous
        .as_ref()
        .filter(|p| intact && same_output(&p.lock, &built.lock));
    if let Some(prev) = unchanged {
        // A plain-directory upstream has no commit to compare before building.
        return Ok(Applied::up_to_date(prev));
    }
    if let Some(prev) = &previous {
        let backup = prev.keep_git(&app, &brand.branch)?;
        if args.flags.force {
            built
                .warnings
                .extend(reapply::discarded(&lost, backup.as_deref()));
        }
    }
    built.lock.write(stage.path())?;
    if let (true, Some(fork)) = (args.flags.push, &brand.source.fork) {
        source::push(&app, fork, &brand.branch)?;
    }
    let caches = match &previous {
        Some(prev) => prev.caches()?,
        None => Vec::new(),
    };
    let mut carried = Vec::new();
    stage.commit_then(|old, new| {
        // After the swap, so a kill never leaves the old output without its caches.
        match reapply::carry(&old.join("app"), &new.join("app"), &caches) {
            Ok(moved) => carried = moved,
            Err(e) => built.warnings.push(format!(
                "{e:#}; the new output is complete, but npm ci and the native builds start from scratch"
            )),
        }
    })?;
    Ok(Applied {
        commit: built.upstream.commit.clone(),
        built: Some(built),
        drift,
        carried,
    })
}

/// How upstream files are named in messages: git's `<ref>:<path>` (`v2.42.3:` or a short
/// commit), so `git show` finds them.
pub fn upstream_label(upstream: &Upstream) -> String {
    let rev = upstream
        .git_ref
        .clone()
        .unwrap_or_else(|| short(&upstream.commit).to_string());
    format!("upstream {rev}:")
}

/// A failed build's messages with the staging directory (removed by the time they are
/// read) renamed: app files of upstream as `upstream <ref>:<path>`, generated files as
/// their path in the output.
pub fn unstaged_names(
    err: anyhow::Error,
    staged: &Path,
    out: &Path,
    label: Option<&str>,
) -> anyhow::Error {
    let staged = staged.display().to_string();
    let out = out.display().to_string();
    let mut renames = vec![(format!("{staged}/app/dist/"), format!("{out}/app/dist/"))];
    if let Some(label) = label {
        renames.push((format!("{staged}/app/"), label.to_string()));
    }
    renames.push((staged, out));
    crate::problems::rename_paths(err, &renames)
}

/// Refuses an output inside the trees apply reads (it would copy itself into itself), and
/// warns when it lands in the brand's folder (the proxy's credential copies would sit
/// beside the brand, outside its git-ignored secrets/).
fn check_out_location(brand: &Brand, out: &Path, args: &source::Spec) -> Result<Vec<String>> {
    // The output may not exist yet: its closest existing ancestor is resolved.
    let real = |p: &Path| {
        std::path::absolute(p)
            .ok()
            .map(|a| crate::fsutil::real_path(&a))
    };
    let Some(out_real) = real(out) else {
        return Ok(Vec::new());
    };
    let (repo, _) = source_of(brand, args)?;
    // A git source is checked out from its objects; a plain directory is copied, files
    // and all, including an output inside it.
    let copied = !source::looks_like_url(&repo) && git2::Repository::open(&repo).is_err();
    let mut inside = Vec::new();
    if copied {
        inside.push(("the upstream directory (--source / [source] repo)", repo));
    }
    if let Some(dir) = &brand.override_dir {
        inside.push((
            "the override tree ([assets] override)",
            dir.display().to_string(),
        ));
    }
    for (what, dir) in inside {
        let is_local = !source::looks_like_url(&dir);
        if let Some(dir_real) = real(Path::new(&dir)).filter(|_| is_local) {
            if out_real.starts_with(&dir_real) {
                bail!(
                    "--out {} is inside {what} {}, which apply reads: the output would copy itself into itself; choose a directory outside it",
                    out.display(),
                    dir
                );
            }
        }
    }
    let in_brand = real(&brand.dir).is_some_and(|b| out_real.starts_with(b));
    Ok(in_brand
        .then(|| {
            format!(
                "--out {} is inside the brand's folder: its push-proxy/ holds copies of the credentials outside secrets/; make sure git ignores it",
                out.display()
            )
        })
        .into_iter()
        .collect())
}

/// Whether a new build would write exactly what the previous output holds.
fn same_output(old: &Lock, new: &Lock) -> bool {
    old.upstream.commit == new.upstream.commit
        && old.upstream.repo == new.upstream.repo
        && old.inputs == new.inputs
        && old.files == new.files
        && old.brand_commit == new.brand_commit
}

/// The drift between the previous output's upstream commit and the one just checked out.
fn upgrade_drift(
    previous: Option<&Previous>,
    upstream: &Upstream,
    app: &Path,
    brand: &Brand,
) -> Result<Option<Drift>> {
    let Some(prev) = previous.filter(|p| p.lock.upstream.commit != upstream.commit) else {
        return Ok(None);
    };
    let repo = git2::Repository::open(app)?;
    prev.lend_objects(&repo)?;
    let edited = previous_edits(&repo, prev);
    drift::report(
        &repo,
        &prev.lock.upstream.commit,
        &upstream.commit,
        brand,
        &edited,
    )
    .map(Some)
}

/// Upstream files this build edits that the previous output did not.
fn newly_edited(app: &Path, built: &Built, prev: &Previous) -> Vec<String> {
    // HEAD is still the upstream commit: the brand commit, if any, comes later.
    let Ok(repo) = git2::Repository::open(app) else {
        return Vec::new();
    };
    let Ok(tree) = repo.head().and_then(|h| h.peel_to_tree()) else {
        return Vec::new();
    };
    built
        .app_files
        .iter()
        .filter(|rel| !layout::is_derived(rel))
        .filter(|rel| tree.get_path(rel).is_ok())
        .map(|rel| format!("app/{}", fsutil::rel_string(rel)))
        .filter(|key| !prev.lock.files.contains_key(key))
        .collect()
}

/// The upstream files an earlier output edited, with what apply wrote to them.
pub fn previous_edits(repo: &git2::Repository, prev: &Previous) -> Vec<drift::Edited> {
    prev.lock
        .files
        .keys()
        .filter(|k| layout::key_is_upstream_file(k))
        .map(|k| drift::Edited {
            path: k.clone(),
            branded: branded_bytes(repo, prev, k).map(|b| (b, true)),
        })
        .collect()
}

/// What apply wrote to `key` last time: the blob it stored, or the file itself.
fn branded_bytes(repo: &git2::Repository, prev: &Previous, key: &str) -> Option<Vec<u8>> {
    let stored = prev
        .lock
        .expected
        .get(key)
        .and_then(|oid| git2::Oid::from_str(oid).ok())
        .and_then(|oid| repo.find_blob(oid).ok())
        .map(|b| b.content().to_vec());
    stored.or_else(|| std::fs::read(prev.dir.join(key)).ok())
}

/// Prints the drift report before anything is written, and stops on it with --fail-on-drift.
fn check_drift(drift: &Drift, brand: &Brand, args: &Options, say: &dyn Fn(&str)) -> Result<()> {
    let lines = drift.lines();
    say(&format!(
        "upstream moved from {} to {}{}",
        short(&drift.from),
        short(&drift.to),
        if lines.is_empty() {
            "; nothing under the brand changed"
        } else {
            "; drift under the brand:"
        }
    ));
    lines.iter().for_each(|l| say(&format!("  {l}")));
    if !(args.flags.fail_on_drift && drift.affects_brand()) {
        return Ok(());
    }
    let mut problems = Problems::new();
    problems.push(format!(
        "{}: upstream changed under the brand between {} and {}, and --fail-on-drift is set; nothing was written. Review the drift report, update the brand if needed, and re-run without --fail-on-drift",
        brand.file.display(),
        short(&drift.from),
        short(&drift.to)
    ));
    Err(problems
        .detail("drift", serde_json::to_value(drift)?)
        .detail("command", json!("apply"))
        .into())
}

/// A commit id as people read it.
pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}
