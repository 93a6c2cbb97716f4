//! Staging: every command writes its whole output into a temporary directory beside the
//! target and swaps it into place only when everything succeeded, so a failure, an
//! interrupt or a kill leaves the target exactly as it was.
//!
//! - One writer per target: an OS file lock beside the target (released by the kernel when
//!   the process dies, even by SIGKILL) makes a second writer fail fast.
//! - SIGINT/SIGTERM remove the staging directories before exiting (130/143).
//! - Staging directories are named for their target, so the next writer of that target
//!   removes what an interrupted run left (they may hold push credentials).
//! - The swap is one atomic exchange where the system has one (Linux `renameat2`, macOS
//!   `renameatx_np` with `RENAME_SWAP`). Elsewhere the old output is renamed aside first; a
//!   journal beside the target names the aside copy until the new output is in place, so an
//!   interrupt, or the next writer after a kill, puts the old output back.
//! - The target is named by its real parent directory, so every spelling of one output
//!   (symbolic links, `..`, a trailing slash) takes the same lock.
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

const STAGE_PREFIX: &str = ".mmbrand-stage.";
const OLD_PREFIX: &str = ".mmbrand-old.";
const LOCK_PREFIX: &str = ".mmbrand-lock.";
const JOURNAL_PREFIX: &str = ".mmbrand-journal.";
/// The aside copy's name inside its `.mmbrand-old.*` holder directory.
const ASIDE: &str = "old";

/// Exclusive right to write one target, for as long as it is held. The lock file is
/// removed on release; a killed process leaves it unlocked, to be reused.
pub struct TargetLock {
    /// The target under its real parent directory; what every operation uses.
    target: PathBuf,
    /// The target as the user named it; what messages show.
    shown: PathBuf,
    path: PathBuf,
    _file: File,
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        // Removed while still locked: a process that opened it meanwhile finds, once it
        // holds the lock, that the path no longer names its file, and starts over.
        let _ = fs::remove_file(&self.path);
        interrupts::unregister(&self.path);
    }
}

impl TargetLock {
    /// Takes the target's lock, or fails at once naming the process that holds it. Then
    /// removes what interrupted runs left beside the target.
    /// Takes the target's lock, or fails at once naming the process that holds it. Then
    /// puts back an output a killed run left aside, and removes what interrupted runs left
    /// beside the target.
    pub fn acquire(shown: &Path) -> Result<TargetLock> {
        let target = crate::fsutil::resolve_parent(shown);
        let parent = parent_of(&target);
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create directory {}", parent.display()))?;
        let path = parent.join(format!("{LOCK_PREFIX}{}", target_name(&target)));
        let mut file = loop {
            let file = lock_file(shown, &path)?;
            if same_file(&file, &path) {
                break file;
            }
        };
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{}", std::process::id())?;
        interrupts::register(&path);
        // Built first, so that a refusal below still releases and removes the lock file.
        let lock = TargetLock {
            target,
            shown: shown.to_path_buf(),
            path,
            _file: file,
        };
        journal::recover(&lock.target, shown)?;
        remove_stale(&lock.target, &parent)?;
        Ok(lock)
    }

    /// The lock file's path (tests check that every spelling of a target shares it).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Opens and locks the lock file, or fails naming the process that holds it. A symbolic
/// link there is refused: the pid would be written into whatever it points to.
fn lock_file(target: &Path, path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    let mut file = match crate::fsutil::open_nofollow(path, &mut options) {
        Ok(file) => file,
        Err(e) if crate::fsutil::is_symlink_refusal(&e) => bail!(
            "the lock file {} is a symbolic link; mmbrand does not write through it: remove it (nothing else uses that name)",
            path.display()
        ),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot open the lock file {}", path.display()))
        }
    };
    if let Err(e) = file.try_lock() {
        let mut pid = String::new();
        let _ = file.read_to_string(&mut pid);
        return match e {
                fs::TryLockError::WouldBlock => bail!(
                    "{} is being written by another mmbrand process (pid {}); wait for it to finish, or stop it",
                    target.display(),
                    pid.trim()
                ),
                fs::TryLockError::Error(e) => {
                    Err(e).with_context(|| format!("cannot lock {}", path.display()))
                }
            };
    }
    Ok(file)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    true
}

/// The target's last path component, which names its staging directories and lock.
fn target_name(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            std::path::absolute(target)
                .ok()
                .and_then(|a| a.file_name().map(|n| n.to_string_lossy().into_owned()))
        });
    name.unwrap_or_else(|| "output".to_string())
}

/// Staging and old-output directories of `target` left by runs that were killed. Only
/// called with the target's lock held, so no live process owns them.
fn remove_stale(target: &Path, parent: &Path) -> Result<()> {
    let name = target_name(target);
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let ours = [STAGE_PREFIX, OLD_PREFIX].iter().any(|prefix| {
            file_name
                .strip_prefix(prefix)
                .and_then(|rest| rest.rsplit_once('.'))
                .is_some_and(|(t, _)| t == name)
        });
        if !ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        fs::remove_dir_all(entry.path()).with_context(|| {
            format!(
                "cannot remove {}, left by an interrupted mmbrand run",
                entry.path().display()
            )
        })?;
        eprintln!(
            "note: removed {}, left by an interrupted mmbrand run",
            entry.path().display()
        );
    }
    Ok(())
}

pub struct Stage {
    lock: TargetLock,
    // Declared after `dir`, so dropped after the directory is removed.
    dir: TempDir,
    _registered: Registered,
}

impl Stage {
    /// Locks `target` and creates a staging directory next to it. `marker` is the file name
    /// that proves an existing non-empty target was written by mmbrand and may be replaced.
    pub fn beside(target: &Path, marker: &str) -> Result<Stage> {
        Stage::with_lock(TargetLock::acquire(target)?, marker)
    }

    /// A staging directory for the target `lock` holds.
    pub fn with_lock(lock: TargetLock, marker: &str) -> Result<Stage> {
        let target = &lock.target;
        ensure_replaceable(target, &lock.shown, marker)?;
        let parent = parent_of(target);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{STAGE_PREFIX}{}.", target_name(target)))
            .tempdir_in(&parent)
            .with_context(|| {
                format!("cannot create a staging directory in {}", parent.display())
            })?;
        interrupts::register(dir.path());
        let registered = Registered(dir.path().to_path_buf());
        pause_point("staged");
        Ok(Stage {
            lock,
            dir,
            _registered: registered,
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Swaps the staged tree into place, replacing a previous output.
    pub fn commit(self) -> Result<()> {
        self.commit_then(|_, _| ())
    }

    /// `commit`, then `after(old, new)` with the previous output (about to be removed) and
    /// the new one, e.g. to carry build caches over. The swap itself is one atomic rename
    /// exchange where the system has it, so the target is at every moment either the old
    /// output or the new one; elsewhere it is journaled (see [`journal`]).
    pub fn commit_then(self, after: impl FnOnce(&Path, &Path)) -> Result<()> {
        set_dir_mode(self.dir.path())?;
        pause_point("commit");
        let staged = self.dir.keep();
        let target = &self.lock.target;
        // Whatever happens next, the interrupt handler's view of the swap ends with it.
        let _done = swap::Reset(target.clone());
        let result = if target.exists() {
            replace(&staged, target, &self.lock.shown)
        } else {
            let mut state = swap::state();
            fs::rename(&staged, target)
                .with_context(|| {
                    format!("cannot move the output into {}", self.lock.shown.display())
                })
                .map(|()| {
                    state.set(target, swap::Swap::Replaced(self.lock.shown.clone()));
                    None
                })
        };
        match result {
            Ok(old) => {
                pause_point("swapped");
                if let Some(Old { tree, holder }) = old {
                    interrupts::register(&holder);
                    after(&tree, target);
                    let _ = fs::remove_dir_all(&holder);
                    interrupts::unregister(&holder);
                }
                Ok(())
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&staged);
                Err(e)
            }
        }
    }
}

/// Keeps a directory on the interrupt list while alive.
struct Registered(PathBuf);

impl Drop for Registered {
    fn drop(&mut self) {
        interrupts::unregister(&self.0);
    }
}

/// The previous output after a swap: where its tree is, and the directory to remove to
/// delete it.
struct Old {
    tree: PathBuf,
    holder: PathBuf,
}

/// Swaps `staged` and the existing `target`; returns where the old output now is.
fn replace(staged: &Path, target: &Path, shown: &Path) -> Result<Option<Old>> {
    {
        let mut state = swap::state();
        if exchange(staged, target, shown)? {
            state.set(target, swap::Swap::Replaced(shown.to_path_buf()));
            return Ok(Some(Old {
                tree: staged.to_path_buf(),
                holder: staged.to_path_buf(),
            }));
        }
    }
    replace_by_renames(staged, target, shown)
}

/// The swap without an exchange: two renames, journaled.
fn replace_by_renames(staged: &Path, target: &Path, shown: &Path) -> Result<Option<Old>> {
    // No atomic exchange on this system or file system: move the old tree aside first, so
    // the target never holds a mix of old and new files. The journal names the aside copy
    // while the target is missing, so an interrupt or the next run puts it back.
    let parent = parent_of(target);
    let holder = tempfile::Builder::new()
        .prefix(&format!("{OLD_PREFIX}{}.", target_name(target)))
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?
        .keep();
    let aside = holder.join(ASIDE);
    let journal = journal::path(target);
    {
        let mut state = swap::state();
        let moved = journal::write(&journal, &holder, staged).and_then(|()| {
            fs::rename(target, &aside)
                .with_context(|| format!("cannot move the previous {} aside", shown.display()))
        });
        if let Err(e) = moved {
            let _ = fs::remove_file(&journal);
            let _ = fs::remove_dir_all(&holder);
            return Err(e);
        }
        state.set(
            target,
            swap::Swap::Aside {
                aside: aside.clone(),
                target: target.to_path_buf(),
                shown: shown.to_path_buf(),
                journal: journal.clone(),
                holder: holder.clone(),
            },
        );
    }
    pause_point("between-renames");
    let mut state = swap::state();
    if let Err(e) = fs::rename(staged, target) {
        let back = fs::rename(&aside, target);
        state.clear(target);
        if back.is_ok() {
            let _ = fs::remove_file(&journal);
            let _ = fs::remove_dir_all(&holder);
            return Err(e).with_context(|| {
                format!(
                    "cannot move the output into {}; the previous output is back in place",
                    shown.display()
                )
            });
        }
        // The journal stays: the next run puts the previous output back.
        return Err(e).with_context(|| {
            format!(
                "cannot move the output into {}, nor the previous output back from {}; the next mmbrand run on it puts it back",
                shown.display(),
                aside.display()
            )
        });
    }
    // Registered before the state says so: an interrupt from now on removes it.
    interrupts::register(&holder);
    state.set(target, swap::Swap::Replaced(shown.to_path_buf()));
    // The new output is in place: the aside copy is no longer the output's only copy.
    let _ = fs::remove_file(&journal);
    Ok(Some(Old {
        tree: aside,
        holder,
    }))
}

/// For tests only: `MMBRAND_TEST_NO_EXCHANGE=1` makes the swap take the journaled
/// two-rename path, as on a system or file system without an atomic exchange.
fn exchange_disabled_for_tests() -> bool {
    std::env::var_os("MMBRAND_TEST_NO_EXCHANGE").is_some_and(|v| v == "1")
}

/// Atomically exchanges two paths: Linux `renameat2(RENAME_EXCHANGE)`, macOS
/// `renameatx_np(RENAME_SWAP)` (rustix maps one flag to both). False when the system or
/// file system cannot.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path, shown: &Path) -> Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    if exchange_disabled_for_tests() {
        return Ok(false);
    }
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // Older kernels and some file systems (overlayfs on old kernels, NFS, FUSE; on
        // macOS, file systems other than APFS and HFS+) have no exchange: the caller falls
        // back to two renames. (NOTSUP and OPNOTSUPP are one value on Linux, two on macOS.)
        Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP, Errno::NOTSUP].contains(&e) => {
            Ok(false)
        }
        Err(e) => Err(std::io::Error::from(e))
            .with_context(|| format!("cannot move the output into {}", shown.display())),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_a: &Path, _b: &Path, _shown: &Path) -> Result<bool> {
    let _ = exchange_disabled_for_tests();
    Ok(false)
}

/// The journal of the two-rename swap: while the previous output is aside, a file beside
/// the target names the directory holding it, so a run killed between the renames loses
/// nothing: the next writer of the target (any command that takes its lock) puts it back.
mod journal {
    use super::*;

    pub(super) fn path(target: &Path) -> PathBuf {
        parent_of(target).join(format!("{JOURNAL_PREFIX}{}", target_name(target)))
    }

    /// Records the aside copy's holder and the staging directory (its first and second
    /// line), durably, before the first rename makes the journal the only record of where
    /// the output is.
    pub(super) fn write(journal: &Path, holder: &Path, staged: &Path) -> Result<()> {
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let text = format!("{}\n{}\n", name(holder), name(staged));
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        let mut file = crate::fsutil::open_nofollow(journal, &mut options)
            .and_then(|mut f| f.write_all(text.as_bytes()).map(|()| f))
            .with_context(|| format!("cannot write the swap journal {}", journal.display()))?;
        file.flush()
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write the swap journal {}", journal.display()))?;
        crate::fsutil::sync_dir(&parent_of(journal))
    }

    /// With the target's lock held: if a killed run left the previous output aside and no
    /// output in its place, puts it back; then drops the journal. When the new output made
    /// it into place (its staging directory is gone), the aside copy is only stale, for
    /// `remove_stale`. A target that appeared otherwise is someone else's: both stay.
    pub(super) fn recover(target: &Path, shown: &Path) -> Result<()> {
        let journal = path(target);
        let meta = match fs::symlink_metadata(&journal) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", journal.display())),
        };
        if !meta.is_file() {
            bail!(
                "{} is not mmbrand's swap journal (it is a link or a directory); remove it",
                journal.display()
            );
        }
        let text = fs::read_to_string(&journal)
            .with_context(|| format!("cannot read the swap journal {}", journal.display()))?;
        let mut lines = text.lines();
        let holder = entry(&journal, target, shown, lines.next(), OLD_PREFIX)?;
        // A journal written before it named the staging directory has one line.
        let staged = match lines.next() {
            Some(line) => Some(entry(&journal, target, shown, Some(line), STAGE_PREFIX)?),
            None => None,
        };
        let aside = holder.join(ASIDE);
        let exists = |p: &Path| fs::symlink_metadata(p).is_ok();
        let aside_kept = fs::symlink_metadata(&aside).is_ok_and(|m| m.is_dir());
        if aside_kept && !exists(target) {
            fs::rename(&aside, target).with_context(|| {
                format!(
                    "cannot put the previous output back: move {} to {} by hand",
                    aside.display(),
                    shown.display()
                )
            })?;
            let _ = fs::remove_dir(&holder);
            eprintln!(
                "note: restored the previous output {} from {}, where an interrupted mmbrand run had set it aside",
                shown.display(),
                aside.display()
            );
        } else if aside_kept && staged.as_deref().is_some_and(exists) {
            bail!(
                "an interrupted mmbrand run set the previous output of {} aside in {}, and {} was created since; move one of them elsewhere, then remove {}",
                shown.display(),
                aside.display(),
                shown.display(),
                journal.display()
            );
        }
        fs::remove_file(&journal)
            .with_context(|| format!("cannot remove the swap journal {}", journal.display()))
    }

    /// One directory the journal names, which must be one of the target's own.
    fn entry(
        journal: &Path,
        target: &Path,
        shown: &Path,
        line: Option<&str>,
        prefix: &str,
    ) -> Result<PathBuf> {
        let name = line.unwrap_or_default().trim();
        let ours = format!("{prefix}{}.", target_name(target));
        if !name.starts_with(&ours) || Path::new(name).components().count() != 1 {
            bail!(
                "the swap journal {} names {name:?}, which is not a directory of {}'s; remove the journal",
                journal.display(),
                shown.display()
            );
        }
        Ok(parent_of(target).join(name))
    }
}

/// Where each swap stands, for the interrupt handler: it waits for a rename in progress
/// (the swapping thread holds the state across each), then acts on known states. `batch`
/// swaps several outputs from parallel threads, so there is one state per target.
mod swap {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, MutexGuard, PoisonError};

    pub(super) enum Swap {
        /// Between the two renames: the previous output is at `aside`, none at `target`.
        Aside {
            aside: PathBuf,
            target: PathBuf,
            shown: PathBuf,
            journal: PathBuf,
            holder: PathBuf,
        },
        /// The new output is in place (named as the user named it).
        Replaced(PathBuf),
    }

    pub(super) struct States {
        /// Swaps under way, by target; a target absent here is as it was.
        current: Vec<(PathBuf, Swap)>,
        /// Outputs this process already replaced (a batch's earlier brands).
        done: Vec<PathBuf>,
    }

    impl States {
        #[cfg(test)]
        pub(super) fn empty() -> States {
            States {
                current: Vec::new(),
                done: Vec::new(),
            }
        }

        pub(super) fn set(&mut self, target: &Path, swap: Swap) {
            self.clear(target);
            self.current.push((target.to_path_buf(), swap));
        }

        pub(super) fn clear(&mut self, target: &Path) {
            self.current.retain(|(t, _)| t != target);
        }
    }

    static STATE: Mutex<States> = Mutex::new(States {
        current: Vec::new(),
        done: Vec::new(),
    });

    pub(super) fn state() -> MutexGuard<'static, States> {
        STATE.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends a target's swap when its commit ends, however it ends, remembering an output
    /// it replaced.
    pub(super) struct Reset(pub(super) PathBuf);

    impl Drop for Reset {
        fn drop(&mut self) {
            let mut states = state();
            let ended = states.current.iter().position(|(t, _)| *t == self.0);
            if let Some((_, Swap::Replaced(shown))) = ended.map(|i| states.current.remove(i)) {
                states.done.push(shown);
            }
        }
    }

    /// Called by the interrupt handler, holding the states: puts every aside output back
    /// and says what each output now is.
    pub(super) fn settle(states: &States) -> String {
        let mut said: Vec<String> = states.current.iter().map(|(_, s)| settle_one(s)).collect();
        said.extend(states.done.iter().map(|shown| replaced(shown)));
        if said.is_empty() {
            return "the output is unchanged".to_string();
        }
        said.join("; ")
    }

    fn replaced(shown: &Path) -> String {
        format!(
            "the output is replaced: the new one is in place in {}",
            shown.display()
        )
    }

    fn settle_one(swap: &Swap) -> String {
        match swap {
            Swap::Replaced(shown) => replaced(shown),
            Swap::Aside {
                aside,
                target,
                shown,
                journal,
                holder,
            } => match std::fs::rename(aside, target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(journal);
                    let _ = std::fs::remove_dir(holder);
                    format!(
                        "the previous output is restored in {} (it was set aside for the swap): the output is unchanged",
                        shown.display()
                    )
                }
                // The journal stays, for the next run.
                Err(e) => format!(
                    "the previous output is in {}, not in {} ({e}): the next mmbrand run on it puts it back",
                    aside.display(),
                    shown.display()
                ),
            },
        }
    }
}

/// Refuses to replace a directory that mmbrand did not write: a typo in `--out` must not
/// delete someone's work.
fn ensure_replaceable(target: &Path, shown: &Path, marker: &str) -> Result<()> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if meta.file_type().is_symlink() {
        bail!(
            "{} is a symbolic link; give the real directory (the output is swapped in by renaming, which would replace the link, not what it points to)",
            shown.display()
        );
    }
    if !meta.is_dir() {
        bail!(
            "{} exists and is not a directory; choose another output path",
            shown.display()
        );
    }
    let empty = fs::read_dir(target)
        .with_context(|| format!("cannot read directory {}", shown.display()))?
        .next()
        .is_none();
    if empty || target.join(marker).is_file() {
        return Ok(());
    }
    bail!(
        "{} exists and was not written by mmbrand (no {marker} in it); remove it or choose another output directory",
        shown.display()
    )
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn set_dir_mode(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // Temporary directories are created 0700; outputs are ordinary directories.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot set permissions on {}", dir.display()))
}

#[cfg(not(unix))]
fn set_dir_mode(_dir: &Path) -> Result<()> {
    Ok(())
}

/// For tests of interrupts and locking only: with `MMBRAND_TEST_PAUSE=<step>` (`staged`,
/// `commit`, `between-renames`, `swapped`), the process says `paused at <step>` on stderr
/// and sleeps up to a minute at that step.
pub fn pause_point(step: &str) {
    if std::env::var("MMBRAND_TEST_PAUSE").is_ok_and(|s| s == step) {
        eprintln!("paused at {step}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// Directories to remove if the process is interrupted.
pub mod interrupts {
    use super::*;

    static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static PENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

    /// True once SIGINT or SIGTERM arrived: the process is about to exit 130/143, and an
    /// error the main thread meets meanwhile (its files removed under it) is not the news.
    pub fn pending() -> bool {
        PENDING.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn register(dir: &Path) {
        if let Ok(mut dirs) = DIRS.lock() {
            dirs.push(dir.to_path_buf());
        }
    }

    pub fn unregister(dir: &Path) {
        if let Ok(mut dirs) = DIRS.lock() {
            dirs.retain(|d| d != dir);
        }
    }

    /// On SIGINT or SIGTERM: removes every registered directory and exits 130 or 143, as a
    /// shell reports a process killed by that signal.
    pub fn install() -> Result<()> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
            .context("cannot install the interrupt handler")?;
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                PENDING.store(true, std::sync::atomic::Ordering::SeqCst);
                // Held until exit: no rename is half-seen, and the main thread starts none.
                let state = super::swap::state();
                let output = super::swap::settle(&state);
                let dirs = DIRS.lock().map(|d| d.clone()).unwrap_or_default();
                let mut left = Vec::new();
                for dir in &dirs {
                    // The main thread may still be writing into it: retry until it is gone.
                    for _ in 0..10 {
                        let _ = fs::remove_dir_all(dir).or_else(|_| fs::remove_file(dir));
                        if !dir.exists() {
                            break;
                        }
                    }
                    if dir.exists() {
                        left.push(dir.display().to_string());
                    }
                }
                let name = if signal == SIGINT {
                    "interrupted"
                } else {
                    "terminated"
                };
                let removed = match left.is_empty() {
                    true => "removed the staging directory".to_string(),
                    false => format!(
                        "could not remove {} yet (the next mmbrand run on this output removes it)",
                        left.join(", ")
                    ),
                };
                eprintln!("mmbrand: {name}; {removed}; {output}");
                // _exit: no destructor of the main thread may run (or write) any more.
                signal_hook::low_level::exit(128 + signal);
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exchange swaps two folders in one step, or says it cannot (then the caller falls
    /// back), and leaves both in place when a path is missing.
    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_folders_or_declines() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("which"), "a").unwrap();
        fs::write(b.join("which"), "b").unwrap();
        if exchange(&a, &b, &b).unwrap() {
            assert_eq!(fs::read_to_string(a.join("which")).unwrap(), "b");
            assert_eq!(fs::read_to_string(b.join("which")).unwrap(), "a");
        } else {
            assert_eq!(fs::read_to_string(a.join("which")).unwrap(), "a");
        }
        let err = exchange(&root.path().join("missing"), &b, &b).unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot move the output into"),
            "{err:#}"
        );
        assert!(b.join("which").exists());
    }

    #[test]
    fn commit_replaces_previous_output_and_abandon_leaves_it() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");

        let stage = Stage::beside(&target, ".marker").unwrap();
        fs::write(stage.path().join(".marker"), "1").unwrap();
        fs::write(stage.path().join("a"), "first").unwrap();
        stage.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "first");

        let stage = Stage::beside(&target, ".marker").unwrap();
        fs::write(stage.path().join("b"), "second").unwrap();
        drop(stage); // failure path: nothing committed
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "first");
        assert!(!target.join("b").exists());

        let stage = Stage::beside(&target, ".marker").unwrap();
        fs::write(stage.path().join(".marker"), "2").unwrap();
        stage.commit().unwrap();
        assert!(!target.join("a").exists());
        let leftovers: Vec<String> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with(LOCK_PREFIX))
            .collect();
        assert_eq!(leftovers, ["out"], "only the output remains");
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let first = TargetLock::acquire(&target).unwrap();
        let err = TargetLock::acquire(&target).err().unwrap().to_string();
        assert_eq!(
            err,
            format!(
                "{} is being written by another mmbrand process (pid {}); wait for it to finish, or stop it",
                target.display(),
                std::process::id()
            )
        );
        drop(first);
        TargetLock::acquire(&target).unwrap();
    }

    #[test]
    fn stale_staging_of_this_target_only_is_removed() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        for stale in [".mmbrand-stage.out.abc", ".mmbrand-old.out.x1"] {
            fs::create_dir_all(root.path().join(stale).join("push-proxy")).unwrap();
        }
        let other = root.path().join(".mmbrand-stage.out2.abc");
        fs::create_dir_all(&other).unwrap();
        let _lock = TargetLock::acquire(&target).unwrap();
        assert!(!root.path().join(".mmbrand-stage.out.abc").exists());
        assert!(!root.path().join(".mmbrand-old.out.x1").exists());
        assert!(other.exists(), "another target's staging is not ours");
    }

    #[test]
    fn refuses_to_replace_foreign_directory() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("precious"), "x").unwrap();
        let err = Stage::beside(root.path(), ".marker").err().unwrap();
        assert!(err.to_string().contains("was not written by mmbrand"));
    }

    /// The journaled two-rename swap (forced on Linux by the test switch in the binary):
    /// the new output ends in place, the old one in its holder, and no journal remains.
    #[test]
    fn the_fallback_swap_replaces_the_output_and_drops_its_journal() {
        let root = tempfile::tempdir().unwrap();
        let (staged, target) = (root.path().join("staged"), root.path().join("out"));
        fs::create_dir(&staged).unwrap();
        fs::create_dir(&target).unwrap();
        fs::write(staged.join("which"), "new").unwrap();
        fs::write(target.join("which"), "old").unwrap();
        let _done = swap::Reset(target.clone());
        let old = replace_by_renames(&staged, &target, &target)
            .unwrap()
            .unwrap();
        assert_eq!(fs::read_to_string(target.join("which")).unwrap(), "new");
        assert_eq!(fs::read_to_string(old.tree.join("which")).unwrap(), "old");
        assert!(!journal::path(&target).exists());
        assert!(!staged.exists());
        interrupts::unregister(&old.holder);
    }

    /// A run killed between the two renames left the journal, the aside copy and no
    /// output: the next lock holder puts the copy back and says so.
    #[test]
    fn the_next_lock_holder_restores_an_output_left_aside() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let holder = root.path().join(".mmbrand-old.out.k1ll3d");
        fs::create_dir_all(holder.join(ASIDE).join("app/.git")).unwrap();
        fs::write(holder.join(ASIDE).join("app/.git/HEAD"), "ref").unwrap();
        fs::write(journal::path(&target), ".mmbrand-old.out.k1ll3d").unwrap();
        let _lock = TargetLock::acquire(&target).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("app/.git/HEAD")).unwrap(),
            "ref"
        );
        assert!(!holder.exists());
        assert!(!journal::path(&target).exists());
    }

    /// Killed after the second rename: the new output is in place, and the aside copy is
    /// only stale.
    #[test]
    fn a_journal_whose_swap_completed_leaves_the_new_output() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("which"), "new").unwrap();
        let holder = root.path().join(".mmbrand-old.out.d0ne");
        fs::create_dir_all(holder.join(ASIDE)).unwrap();
        fs::write(journal::path(&target), ".mmbrand-old.out.d0ne").unwrap();
        let _lock = TargetLock::acquire(&target).unwrap();
        assert_eq!(fs::read_to_string(target.join("which")).unwrap(), "new");
        assert!(!holder.exists());
        assert!(!journal::path(&target).exists());
    }

    /// A journal naming anything but one of this target's holders is refused, not followed.
    #[test]
    fn a_journal_pointing_elsewhere_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        fs::write(journal::path(&target), "../../etc").unwrap();
        let err = TargetLock::acquire(&target).err().unwrap().to_string();
        assert!(err.contains("which is not a directory of"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_lock_file_is_refused_and_its_target_untouched() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let victim = root.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let lock = root.path().join(".mmbrand-lock.out");
        std::os::unix::fs::symlink(&victim, &lock).unwrap();
        let err = TargetLock::acquire(&target).err().unwrap().to_string();
        assert_eq!(
            err,
            format!(
                "the lock file {} is a symbolic link; mmbrand does not write through it: remove it (nothing else uses that name)",
                lock.display()
            )
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    }

    /// A symlinked parent, `..` and a trailing slash name the same output: one lock.
    #[cfg(unix)]
    #[test]
    fn every_spelling_of_a_target_takes_one_lock() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().canonicalize().unwrap().join("real");
        fs::create_dir_all(real.join("sub")).unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let first = TargetLock::acquire(&real.join("out")).unwrap();
        assert_eq!(first.path(), real.join(".mmbrand-lock.out"));
        for spelling in [
            link.join("out/"),
            PathBuf::from(format!("{}/out/", link.display())),
            link.join("sub/../out"),
            real.join("sub/../out"),
        ] {
            let err = TargetLock::acquire(&spelling).err().unwrap().to_string();
            assert!(
                err.contains("is being written by another mmbrand process"),
                "{}: {err}",
                spelling.display()
            );
        }
    }

    /// `batch` swaps from parallel threads: an interrupt restores each output left aside
    /// and names each one replaced, whatever the others' states.
    #[test]
    fn an_interrupt_settles_every_swap_under_way() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        let holder = root.path().join(".mmbrand-old.a.x");
        fs::create_dir_all(holder.join(ASIDE)).unwrap();
        fs::write(journal::path(&a), ".mmbrand-old.a.x").unwrap();
        fs::create_dir(&b).unwrap();
        let mut states = swap::States::empty();
        states.set(
            &a,
            swap::Swap::Aside {
                aside: holder.join(ASIDE),
                target: a.clone(),
                shown: a.clone(),
                journal: journal::path(&a),
                holder: holder.clone(),
            },
        );
        states.set(&b, swap::Swap::Replaced(b.clone()));
        let said = swap::settle(&states);
        assert_eq!(
            said,
            format!(
                "the previous output is restored in {} (it was set aside for the swap): the output is unchanged; the output is replaced: the new one is in place in {}",
                a.display(),
                b.display()
            )
        );
        assert!(a.is_dir());
        assert!(!holder.exists());
        assert!(!journal::path(&a).exists());
        assert_eq!(
            swap::settle(&swap::States::empty()),
            "the output is unchanged"
        );
    }

    /// A killed run left the old output aside, and someone created the target since (its
    /// staging directory was never moved in): neither is deleted, the run stops.
    #[test]
    fn a_target_created_after_a_kill_keeps_the_aside_copy() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        fs::create_dir(&target).unwrap();
        let holder = root.path().join(".mmbrand-old.out.k1ll3d");
        fs::create_dir_all(holder.join(ASIDE)).unwrap();
        fs::write(holder.join(ASIDE).join("precious"), "x").unwrap();
        fs::create_dir(root.path().join(".mmbrand-stage.out.n3w")).unwrap();
        fs::write(
            journal::path(&target),
            ".mmbrand-old.out.k1ll3d\n.mmbrand-stage.out.n3w\n",
        )
        .unwrap();
        let err = TargetLock::acquire(&target).err().unwrap().to_string();
        assert!(err.contains("was created since"), "{err}");
        assert!(!root.path().join(".mmbrand-lock.out").exists());
        assert!(holder.join(ASIDE).join("precious").is_file());
        assert!(journal::path(&target).exists());
    }
}
