//! The swap where no atomic exchange exists (forced on Linux by the test-only
//! `MMBRAND_TEST_NO_EXCHANGE=1`): two journaled renames, after which an interrupt or the
//! next run puts the old output back instead of losing it; what an interrupt says about the
//! output; and the output lock under symbolic links and other spellings of `--out`.
use std::fs;
use std::path::Path;

use crate::common::*;
use crate::interrupts::{apply_args, leftovers, os, paused, paused_with, signal};

const NO_EXCHANGE: (&str, &str) = ("MMBRAND_TEST_NO_EXCHANGE", "1");

/// An applied example with what a developer adds to the output: installed packages (git
/// ignores node_modules); its `app/.git` is there too.
fn lived_in_output() -> TempBrand {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    write(
        &brand.app("node_modules/left-pad/index.js"),
        "module.exports = 1;\n",
    );
    assert!(brand.app(".git/HEAD").is_file());
    brand
}

fn journal(brand: &TempBrand) -> std::path::PathBuf {
    brand.tmp.path().join(".mmbrand-journal.out")
}

fn mmbrand_no_exchange(args: &[std::ffi::OsString]) -> Run {
    let value = std::ffi::OsStr::new(NO_EXCHANGE.1);
    mmbrand_env(args, &[(NO_EXCHANGE.0, value)])
}

fn server_url(out: &Path) -> String {
    fs::read_to_string(out.join("app/dist/assets/config.json")).unwrap_or_default()
}

#[test]
fn the_fallback_swap_replaces_the_output_and_keeps_the_caches() {
    let brand = lived_in_output();
    brand.edit("https://chat.acme.example", "https://chat2.acme.example");
    mmbrand_no_exchange(&apply_args(&brand)).expect(0);
    assert!(server_url(&brand.out).contains("chat2.acme.example"));
    assert!(brand.app("node_modules/left-pad/index.js").is_file());
    assert_eq!(leftovers(brand.tmp.path()), Vec::<String>::new());
    mmbrand(["verify".into(), brand.out.clone().into_os_string()]).expect(0);
}

/// SIGKILL between the two renames leaves no output, only the aside copy and the journal
/// naming it; the next run puts it back whole (its git, its ignored node_modules).
#[test]
fn killed_between_the_renames_the_next_run_restores_the_old_output() {
    let brand = lived_in_output();
    let before = tree_digest(&brand.out);
    brand.edit("https://chat.acme.example", "https://chat2.acme.example");
    let args = apply_args(&brand);
    let (mut child, _) = paused_with(&os(&args), "between-renames", &[NO_EXCHANGE]);
    assert!(!brand.out.exists(), "the output is aside");
    assert!(journal(&brand).is_file(), "written before the first rename");
    signal(&child, "KILL");
    child.wait().unwrap();
    assert!(!brand.out.exists());

    brand.edit("https://chat2.acme.example", "https://chat.acme.example");
    let run = brand.apply(&[]).expect(0);
    run.stderr_has("note: restored the previous output");
    assert_eq!(before, tree_digest(&brand.out), "the old output, whole");
    assert_eq!(leftovers(brand.tmp.path()), Vec::<String>::new());
    mmbrand(["verify".into(), brand.out.clone().into_os_string()]).expect(0);
}

/// Interrupted between the renames, the handler itself puts the old output back.
#[test]
fn interrupted_between_the_renames_the_old_output_is_restored() {
    let brand = lived_in_output();
    let before = tree_digest(&brand.out);
    brand.edit("https://chat.acme.example", "https://chat2.acme.example");
    let args = apply_args(&brand);
    let (mut child, stderr) = paused_with(&os(&args), "between-renames", &[NO_EXCHANGE]);
    signal(&child, "INT");
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let stderr = stderr.join().unwrap();
    assert!(
        stderr.contains("the previous output is restored in") && stderr.contains("unchanged"),
        "{stderr}"
    );
    assert_eq!(before, tree_digest(&brand.out));
    assert_eq!(leftovers(brand.tmp.path()), Vec::<String>::new());
}

/// A signal just after the swap: the new output is in place, and the message says so.
#[test]
fn a_signal_just_after_the_swap_says_replaced() {
    for env in [&[][..], &[NO_EXCHANGE][..]] {
        let brand = lived_in_output();
        brand.edit("https://chat.acme.example", "https://chat2.acme.example");
        let args = apply_args(&brand);
        let (mut child, stderr) = paused_with(&os(&args), "swapped", env);
        signal(&child, "TERM");
        assert_eq!(child.wait().unwrap().code(), Some(143));
        let stderr = stderr.join().unwrap();
        assert!(
            stderr.contains("the output is replaced: the new one is in place in")
                && !stderr.contains("unchanged"),
            "{env:?}: {stderr}"
        );
        assert!(server_url(&brand.out).contains("chat2.acme.example"));
        assert_eq!(leftovers(brand.tmp.path()), Vec::<String>::new());
    }
}

/// A symbolic link planted where the lock goes is refused, named; its target is untouched.
#[test]
fn a_symlinked_lock_file_is_refused() {
    let brand = TempBrand::acme();
    let victim = brand.tmp.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    let lock = brand.tmp.path().join(".mmbrand-lock.out");
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let run = brand.apply(&[]).expect(1);
    assert_eq!(
        run.stderr,
        format!(
            "error: the lock file {} is a symbolic link; mmbrand does not write through it: remove it (nothing else uses that name)\n",
            lock.display()
        )
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!brand.out.exists());
}

/// `--out <symlink to the parent>/out/` and the real path are one output: one lock.
#[test]
fn every_spelling_of_the_output_takes_the_same_lock() {
    let brand = TempBrand::acme();
    let link = brand.tmp.path().join("link");
    std::os::unix::fs::symlink(brand.tmp.path(), &link).unwrap();
    let args = apply_args(&brand);
    let mut first = paused(&os(&args), "commit");
    for out in [
        format!("{}/out/", link.display()),
        format!("{}/brand/../out", brand.tmp.path().display()),
    ] {
        let run = mmbrand([
            "apply".into(),
            brand.file().into_os_string(),
            "--out".into(),
            out.clone().into(),
        ])
        .expect(1);
        assert_eq!(
            run.stderr,
            format!(
                "error: {out} is being written by another mmbrand process (pid {}); wait for it to finish, or stop it\n",
                first.id()
            )
        );
    }
    signal(&first, "KILL");
    first.wait().unwrap();
    let linked = format!("{}/out/", link.display());
    mmbrand([
        "apply".into(),
        brand.file().into_os_string(),
        "--out".into(),
        linked.into(),
    ])
    .expect(0);
    mmbrand(["verify".into(), brand.out.clone().into_os_string()]).expect(0);
    let locks: Vec<String> = fs::read_dir(brand.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mmbrand"))
        .collect();
    assert_eq!(
        locks,
        Vec::<String>::new(),
        "the lock was released beside the real output"
    );
}
