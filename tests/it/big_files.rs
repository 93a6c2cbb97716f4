//! Large assets go through in bounded memory: copied by the kernel, hashed and searched for
//! key material in windows, images measured from their header. Each test runs the binary
//! under an address-space limit smaller than the file, so reading the file whole anywhere
//! makes the allocation fail and the run abort. Sparse files keep the inputs cheap.
use std::fs;
use std::path::Path;

use crate::common::*;

/// The limit on the binary's virtual memory, in KiB (`ulimit -v`).
pub(crate) const MEMORY_LIMIT_KIB: u64 = 400 * 1024;

/// `path` becomes a copy of the PNG `like` (same header, so the same size in pixels), grown
/// to `len` bytes with a hole.
pub(crate) fn sparse_png(path: &Path, like: &Path, len: u64) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::copy(like, path).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Runs the binary with its address space limited to [`MEMORY_LIMIT_KIB`].
pub(crate) fn mmbrand_limited(args: &[&std::ffi::OsStr]) -> Run {
    let mut full: Vec<&std::ffi::OsStr> =
        vec!["-c".as_ref(), "ulimit -v \"$0\" && exec \"$@\"".as_ref()];
    let limit = MEMORY_LIMIT_KIB.to_string();
    let bin = assert_cmd::cargo::cargo_bin("mmbrand");
    full.push(limit.as_ref());
    full.push(bin.as_os_str());
    full.extend_from_slice(args);
    let out = std::process::Command::new("sh")
        .args(&full)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_2_gb_override_is_merged_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fixture("mattermost-mobile/assets/base");
    let over = tmp.path().join("override");
    let len = (2u64 << 30) + 4096;
    sparse_png(
        &over.join("images/logo.png"),
        &base.join("images/logo.png"),
        len,
    );
    let out = tmp.path().join("out");
    mmbrand_limited(&[
        "merge".as_ref(),
        base.as_os_str(),
        over.as_os_str(),
        out.as_os_str(),
    ])
    .expect(0);
    assert_eq!(
        fs::metadata(out.join("images/logo.png")).unwrap().len(),
        len
    );
}

#[test]
fn a_large_override_is_applied_in_bounded_memory() {
    let brand = TempBrand::acme();
    let len = (MEMORY_LIMIT_KIB + 64 * 1024) * 1024;
    sparse_png(
        &brand.dir.join("override/images/logo.png"),
        &fixture("mattermost-mobile/assets/base/images/logo.png"),
        len,
    );
    mmbrand_limited(&[
        "apply".as_ref(),
        brand.file().as_os_str(),
        "--out".as_ref(),
        brand.out.as_os_str(),
    ])
    .expect(0);
    assert_eq!(
        fs::metadata(brand.app("dist/assets/images/logo.png"))
            .unwrap()
            .len(),
        len
    );
    let lock = read_json(&brand.out.join("mmbrand.lock.json"));
    assert!(lock["files"]["app/assets/override/images/logo.png"].is_string());
}

/// Key material at the end of a large file is still found: the search window moves
/// through the whole file.
#[test]
fn a_key_at_the_end_of_a_large_override_is_found() {
    let brand = TempBrand::acme();
    let path = brand.dir.join("override/images/logo.png");
    sparse_png(
        &path,
        &fixture("mattermost-mobile/assets/base/images/logo.png"),
        20 << 20,
    );
    let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut file, p8_pem().as_bytes()).unwrap();
    fails(&brand, &[]).stderr_has("override/images/logo.png holds a PEM private key");
}
