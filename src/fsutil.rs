//! File-system operations with the path in every error message.
use std::fs;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::format::hex::lower as hex;

pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a file only its owner can read (credentials, passwords), created with mode 0600 so
/// it never exists with a wider mode, even for a moment; an existing file is set to 0600 too.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    set_private(path)?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Mode 0600: readable and writable by the owner only.
#[cfg(unix)]
pub fn set_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot set mode 0600 on {}", path.display()))
}

#[cfg(not(unix))]
pub fn set_private(_path: &Path) -> Result<()> {
    Ok(())
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).with_context(|| format!("cannot create directory {}", path.display()))
}

/// Copies one file, creating the destination's parent; the kernel does the streaming.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        create_dir_all(parent)?;
    }
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
}

/// Copies one file into an existing directory.
pub fn copy_file(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
}

/// Lower-case hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex sha256 of a file, read in blocks.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file =
        fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex sha256 of a file of any size, showing each window of it to `inspect`
/// (see [`read_windows`]).
pub fn sha256_windows(path: &Path, mut inspect: impl FnMut(&[u8])) -> Result<String> {
    let mut hasher = Sha256::new();
    read_windows(path, |fresh, window| {
        hasher.update(fresh);
        inspect(window);
    })?;
    Ok(hex(&hasher.finalize()))
}

/// A path relative to a root, with `/` separators on every platform: the form used in
/// reports, lock files and messages.
pub fn rel_string(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Removes `.` and `name/..` pairs without touching the file system, so paths in messages
/// and lock files read as the user would write them.
pub fn normalize(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Bytes of a file handed over at once by [`read_windows`]; a file no larger is one window.
pub const WINDOW: usize = 8 << 20;
/// Bytes each window repeats from the end of the previous one, so any byte string up to
/// this long (a PEM header, a credential) appears whole in at least one window.
pub const OVERLAP: usize = 1 << 20;

/// Reads a file in bounded memory, however large: `f(fresh, window)` sees each byte once in
/// `fresh` (for hashing) and again, with up to [`OVERLAP`] bytes before it, in `window` (for
/// searching).
pub fn read_windows(path: &Path, mut f: impl FnMut(&[u8], &[u8])) -> Result<()> {
    let mut file =
        fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    // Sized for the file when it is small: most assets are kilobytes, and zeroing a full
    // window for each of them cost more than reading them.
    let size = file.metadata().map_or(WINDOW as u64, |m| m.len());
    let window = usize::try_from(size).unwrap_or(WINDOW).clamp(1, WINDOW);
    let overlap = OVERLAP.min(window);
    let mut buf = vec![0u8; overlap + window];
    let mut kept = 0;
    loop {
        let filled = fill(&mut file, &mut buf[kept..])
            .with_context(|| format!("cannot read {}", path.display()))?;
        if filled == 0 {
            return Ok(());
        }
        let end = kept + filled;
        f(&buf[kept..end], &buf[..end]);
        let keep = end.min(overlap);
        buf.copy_within(end - keep..end, 0);
        kept = keep;
    }
}

/// Reads until `buf` is full or the file ends.
fn fill(file: &mut fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// `path` made absolute with its parent resolved to the real directory (symbolic links,
/// `..`, a trailing slash), its last component kept as named: one directory then has one
/// name (so one lock), and a symbolic link given as the path itself is still seen as one.
pub fn resolve_parent(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.components().next_back(), abs.parent()) {
        (Some(Component::Normal(name)), Some(parent)) => real_path(parent).join(name),
        // `..`, or the root: the path names an existing directory only by resolving it.
        _ => real_path(&abs),
    }
}

/// The real path of `path`, which may not exist yet: its closest existing ancestor with
/// symbolic links resolved, the rest appended with `..` removed (nothing there to follow).
pub fn real_path(path: &Path) -> std::path::PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    while fs::symlink_metadata(existing).is_err() {
        let (Some(last), Some(parent)) = (existing.components().next_back(), existing.parent())
        else {
            break;
        };
        rest.push(last);
        existing = parent;
    }
    let mut resolved = fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    resolved.extend(rest.iter().rev());
    normalize(&resolved)
}

/// Opens a file without following a symbolic link in its last component: a link planted
/// where mmbrand keeps its own files (lock, journal) must not redirect a write elsewhere.
pub fn open_nofollow(path: &Path, options: &mut fs::OpenOptions) -> io::Result<fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOFOLLOW's bits fit an int on every unix rustix supports.
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options.open(path)
}

/// Whether an error from [`open_nofollow`] means the path is a symbolic link.
pub fn is_symlink_refusal(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// Makes a directory's entries (a file created or removed, a rename) durable before the
/// next step depends on them.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync directory {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn private_files_are_0600_new_or_existing() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("sub/new.p8");
        write_private(&new, b"secret").unwrap();
        assert_eq!(
            (mode(&new), fs::read(&new).unwrap()),
            (0o600, b"secret".to_vec())
        );
        let old = dir.path().join("old.json");
        fs::write(&old, "wide open").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&old, b"s").unwrap();
        assert_eq!(
            (mode(&old), fs::read(&old).unwrap()),
            (0o600, b"s".to_vec())
        );
    }
}
