//! Staging: every command writes its whole output into a temporary directory beside the
//! target and swaps it into place only when everything succeeded, so a failure, an
//! interrupt or a kill leaves the target exactly as it was.
//!
//! - One writer per target: an OS file lock beside the target (released by the kernel when
//!   the process dies, even by SIGKILL) makes a second writer fail fast.
//! - SIGINT/SIGTERM remove the staging directories before exiting (130/143).
//! - Staging directories are named for their target, so the next writer of that target
//!   removes what an interrupted run left (they may hold push credentials).
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

const STAGE_PREFIX: &str = ".mmbrand-stage.";
const OLD_PREFIX: &str = ".mmbrand-old.";
const LOCK_PREFIX: &str = ".mmbrand-lock.";

/// Exclusive right to write one target, for as long as it is held. The lock file is
/// removed on release; a killed process leaves it unlocked, to be reused.
pub struct TargetLock {
    target: PathBuf,
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
    pub fn acquire(target: &Path) -> Result<TargetLock> {
        let parent = parent_of(target);
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create directory {}", parent.display()))?;
        let path = parent.join(format!("{LOCK_PREFIX}{}", target_name(target)));
        let mut file = loop {
            let file = lock_file(target, &path)?;
            if same_file(&file, &path) {
                break file;
            }
        };
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{}", std::process::id())?;
        interrupts::register(&path);
        remove_stale(target, &parent)?;
        Ok(TargetLock {
            target: target.to_path_buf(),
            path,
            _file: file,
        })
    }
}

/// Opens and locks the lock file, or fails naming the process that holds it.
fn lock_file(target: &Path, path: &Path) -> Result<File> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
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
    match (file.metadata(), fs::metadata(path)) {
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
        ensure_replaceable(target, marker)?;
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
    /// output or the new one.
    pub fn commit_then(self, after: impl FnOnce(&Path, &Path)) -> Result<()> {
        set_dir_mode(self.dir.path())?;
        pause_point("commit");
        let staged = self.dir.keep();
        let target = &self.lock.target;
        let result = if target.exists() {
            replace(&staged, target)
        } else {
            fs::rename(&staged, target)
                .with_context(|| format!("cannot move the output into {}", target.display()))
                .map(|()| None)
        };
        match result {
            Ok(old) => {
                if let Some((tree, holder)) = old {
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

/// Swaps `staged` and `target`; returns where the old output now is, and the directory to
/// remove to delete it.
fn replace(staged: &Path, target: &Path) -> Result<Option<(PathBuf, PathBuf)>> {
    if exchange(staged, target)? {
        return Ok(Some((staged.to_path_buf(), staged.to_path_buf())));
    }
    // No atomic exchange on this system or file system: move the old tree aside first, so
    // the target never holds a mix of old and new files; put it back if the second rename
    // fails.
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
    let old = holder.join("old");
    fs::rename(target, &old)
        .with_context(|| format!("cannot move the previous {} aside", target.display()))?;
    if let Err(e) = fs::rename(staged, target) {
        let _ = fs::rename(&old, target);
        let _ = fs::remove_dir_all(&holder);
        return Err(e).with_context(|| format!("cannot move the output into {}", target.display()));
    }
    Ok(Some((old, holder)))
}

/// Atomically exchanges two paths (Linux renameat2 RENAME_EXCHANGE). False when the system
/// or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // Older kernels and some file systems (overlayfs on old kernels, NFS, FUSE) have no
        // exchange: the caller falls back to two renames.
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(e) => Err(std::io::Error::from(e))
            .with_context(|| format!("cannot move the output into {}", b.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> Result<bool> {
    Ok(false)
}

/// Refuses to replace a directory that mmbrand did not write: a typo in `--out` must not
/// delete someone's work.
fn ensure_replaceable(target: &Path, marker: &str) -> Result<()> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if meta.file_type().is_symlink() {
        bail!(
            "{} is a symbolic link; give the real directory (the output is swapped in by renaming, which would replace the link, not what it points to)",
            target.display()
        );
    }
    if !meta.is_dir() {
        bail!(
            "{} exists and is not a directory; choose another output path",
            target.display()
        );
    }
    let empty = fs::read_dir(target)
        .with_context(|| format!("cannot read directory {}", target.display()))?
        .next()
        .is_none();
    if empty || target.join(marker).is_file() {
        return Ok(());
    }
    bail!(
        "{} exists and was not written by mmbrand (no {marker} in it); remove it or choose another output directory",
        target.display()
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

/// For tests of interrupts and locking only: with `MMBRAND_TEST_PAUSE=<step>`, the process
/// says `paused at <step>` on stderr and sleeps up to a minute at that step.
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
                let dirs = DIRS.lock().map(|d| d.clone()).unwrap_or_default();
                for dir in &dirs {
                    // The main thread may still be writing into it: retry until it is gone.
                    for _ in 0..10 {
                        let _ = fs::remove_dir_all(dir).or_else(|_| fs::remove_file(dir));
                        if !dir.exists() {
                            break;
                        }
                    }
                }
                let name = if signal == SIGINT {
                    "interrupted"
                } else {
                    "terminated"
                };
                eprintln!(
                    "mmbrand: {name}; removed the staging directory, the output is unchanged"
                );
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
        if exchange(&a, &b).unwrap() {
            assert_eq!(fs::read_to_string(a.join("which")).unwrap(), "b");
            assert_eq!(fs::read_to_string(b.join("which")).unwrap(), "a");
        } else {
            assert_eq!(fs::read_to_string(a.join("which")).unwrap(), "a");
        }
        let err = exchange(&root.path().join("missing"), &b).unwrap_err();
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
}
