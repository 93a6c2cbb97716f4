//! `mmbrand batch`: several brands on one upstream. Every brand file is loaded first (so
//! clashing names stop the run before anything is written), each URL source is cloned once
//! into a bare store under the output directory, and the brands are applied in parallel,
//! each into `OUT/<name>/`. A failing brand does not stop the others.
mod matrix;
mod names;
mod progress;
mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Result};

use crate::apply::{self, Applied};
use crate::brand::{identifiers, Brand, LoadOptions};
use crate::cli::BatchArgs;
use crate::fsutil;
use crate::inputs::{self, Inputs};
use crate::problems;
use crate::source;

use names::{check_unique_names, name_file, shared_identifiers};
use progress::Progress;

/// Where `batch` keeps the bare clones of URL sources, inside `--out`.
pub const STORE_DIR: &str = ".mmbrand-upstream";

/// One brand file of the batch, loaded or not.
struct Entry {
    file: PathBuf,
    /// The brand's `name`: from the loaded brand, or from a broken file when it has a valid
    /// one (so its output directory can still be named).
    name: Option<String>,
    loaded: Result<(Brand, Inputs), anyhow::Error>,
}

/// What became of one brand.
pub struct Outcome {
    pub name: Option<String>,
    pub file: PathBuf,
    pub out: Option<PathBuf>,
    pub seconds: f64,
    /// The apply's result, or every message of its failure, each naming the brand file.
    pub result: Result<Applied, Vec<String>>,
}

/// `mmbrand batch`.
pub fn run(args: &BatchArgs) -> Result<()> {
    if let Some(kind) = args.matrix {
        return matrix::run(args, kind);
    }
    let entries: Vec<Entry> = args
        .brand_files
        .iter()
        .map(|f| {
            load(
                f,
                LoadOptions {
                    allow_outside_brand_dir: args.access.allow_outside_brand_dir,
                },
            )
        })
        .collect();
    check_unique_names(
        entries
            .iter()
            .filter_map(|e| Some((e.name.as_deref()?, e.file.as_path()))),
    )?;
    let loaded: Vec<&Brand> = entries
        .iter()
        .filter_map(|e| e.loaded.as_ref().ok())
        .map(|(brand, _)| brand)
        .collect();
    crate::report::print_warnings(&shared_identifiers(&loaded));
    // One batch per output folder; each brand's apply also locks its own DIR/<name>.
    let _lock = crate::stage::TargetLock::acquire(&args.out)?;
    fsutil::create_dir_all(&args.out)?;
    let names: Vec<String> = entries.iter().map(display_name).collect();
    let progress = Progress::new(&names);
    let stores = update_stores(&entries, args, &progress);
    let outcomes = apply_all(entries, &stores, args, &progress);
    summary::print(&outcomes, args)
}

fn load(file: &Path, options: LoadOptions) -> Entry {
    let loaded = inputs::load(file, options);
    let name = match &loaded {
        Ok((b, _)) => Some(b.name.clone()),
        Err(_) => declared_name(file),
    };
    Entry {
        file: file.to_path_buf(),
        name,
        loaded,
    }
}

/// The `name` key of a brand file that failed to load, when it is a valid slug.
fn declared_name(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let name = table.get("name")?.as_str()?;
    identifiers::slug(name).ok().map(|()| name.to_string())
}

fn display_name(entry: &Entry) -> String {
    entry
        .name
        .clone()
        .unwrap_or_else(|| entry.file.display().to_string())
}

/// Clones (or fetches) every URL source once, into `OUT/.mmbrand-upstream/<sha256>.git`.
/// Returns each URL's store, or why it could not be had (every brand of it then fails).
fn update_stores(
    entries: &[Entry],
    args: &BatchArgs,
    progress: &Progress,
) -> BTreeMap<String, Result<PathBuf, String>> {
    let urls: BTreeSet<String> = entries
        .iter()
        .filter_map(|e| e.loaded.as_ref().ok())
        .filter_map(|(b, _)| apply::source_of(b, &crate::source::Spec::from(&args.source)).ok())
        .map(|(repo, _)| repo)
        .filter(|repo| source::looks_like_url(repo))
        .collect();
    urls.into_iter()
        .map(|url| {
            let store = store_path(&args.out, &url);
            progress.note(&format!(
                "fetching {} once into {}",
                source::shown(&url),
                store.display()
            ));
            let result = source::update_store(&url, &store)
                .map(|()| store)
                .map_err(|e| format!("{e:#}"));
            (url, result)
        })
        .collect()
}

fn store_path(out: &Path, url: &str) -> PathBuf {
    out.join(STORE_DIR)
        .join(format!("{}.git", fsutil::sha256_hex(url.as_bytes())))
}

/// Applies the brands on `--jobs` threads, each taking the next brand not yet started.
fn apply_all(
    entries: Vec<Entry>,
    stores: &BTreeMap<String, Result<PathBuf, String>>,
    args: &BatchArgs,
    progress: &Progress,
) -> Vec<Outcome> {
    let jobs = args.jobs.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let slots: Vec<Mutex<Option<Entry>>> =
        entries.into_iter().map(|e| Mutex::new(Some(e))).collect();
    let outcomes: Vec<Mutex<Option<Outcome>>> = slots.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(slots.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = slots.get(i) else { break };
                let entry = lock(slot).take();
                if let Some(entry) = entry {
                    let outcome = apply_entry(entry, stores, args, progress, i);
                    *lock(&outcomes[i]) = Some(outcome);
                }
            });
        }
    });
    outcomes
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// A poisoned lock only means another brand's thread panicked; the data is still whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn apply_entry(
    entry: Entry,
    stores: &BTreeMap<String, Result<PathBuf, String>>,
    args: &BatchArgs,
    progress: &Progress,
    index: usize,
) -> Outcome {
    let out = entry.name.as_ref().map(|n| args.out.join(n));
    progress.start(index);
    let started = Instant::now();
    let result = match entry.loaded {
        Ok((mut brand, inputs)) => {
            apply_brand(&mut brand, &inputs, stores, args).map_err(|e| problems::messages(&e))
        }
        Err(e) => Err(problems::messages(&e)),
    };
    let result = result.map_err(|m| name_file(m, &entry.file));
    let seconds = started.elapsed().as_secs_f64();
    progress.finish(index, result.is_ok(), seconds);
    Outcome {
        name: entry.name,
        file: entry.file,
        out,
        seconds,
        result,
    }
}

/// One brand's `apply`, with the batch's flags and its source's store.
fn apply_brand(
    brand: &mut Brand,
    inputs: &Inputs,
    stores: &BTreeMap<String, Result<PathBuf, String>>,
    args: &BatchArgs,
) -> Result<Applied> {
    brand.override_version(
        args.version.app_version.as_deref(),
        args.version.build_number,
    )?;
    let (repo, _) = apply::source_of(brand, &crate::source::Spec::from(&args.source))?;
    let object_store = match stores.get(&repo) {
        Some(Ok(store)) => Some(store.clone()),
        Some(Err(why)) => bail!("{why}"),
        None => None,
    };
    let options = apply::Options {
        out: args.out.join(&brand.name),
        source: crate::source::Spec {
            object_store,
            ..crate::source::Spec::from(&args.source)
        },
        flags: super::apply::flags(&args.flags),
    };
    // Brands run side by side: their drift goes into the summary, not line by line.
    apply::apply(brand, inputs, &options, &|_| {})
}
