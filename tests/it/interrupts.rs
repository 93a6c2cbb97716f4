//! Interrupted, killed and concurrent runs: the target is never half-written, staging
//! directories (which hold credentials) never pile up, and a second writer is refused.
//! `MMBRAND_TEST_PAUSE=<step>` makes the binary stop at a named step so a test can act.
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::common::*;

/// `mmbrand <args>` paused at `step`, returned once it says so.
pub(crate) fn paused(args: &[&std::ffi::OsStr], step: &str) -> Child {
    paused_with(args, step, &[]).0
}

/// `paused` with extra environment variables; also returns the rest of its stderr, read
/// until it exits.
pub(crate) fn paused_with(
    args: &[&std::ffi::OsStr],
    step: &str,
    env: &[(&str, &str)],
) -> (Child, std::thread::JoinHandle<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mmbrand"))
        .args(args)
        .env("MMBRAND_TEST_PAUSE", step)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "exited before pausing"
        );
        if line.trim() == format!("paused at {step}") {
            break;
        }
    }
    // Keep draining so the child never blocks on a full pipe.
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
        rest
    });
    (child, rest)
}

pub(crate) fn signal(child: &Child, name: &str) {
    let signal = match name {
        "INT" => libc::SIGINT,
        "TERM" => libc::SIGTERM,
        "KILL" => libc::SIGKILL,
        other => panic!("no signal {other}"),
    };
    // SAFETY: kill has no memory effects; the pid is our own child's.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill -{name}");
}

/// mmbrand's own entries beside the output (staging, old outputs), lock files aside.
pub(crate) fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mmbrand") && !n.starts_with(".mmbrand-lock."))
        .collect()
}

pub(crate) fn apply_args(brand: &TempBrand) -> Vec<std::ffi::OsString> {
    vec![
        "apply".into(),
        brand.file().into(),
        "--out".into(),
        brand.out.clone().into(),
        "--force".into(),
    ]
}

pub(crate) fn os(args: &[std::ffi::OsString]) -> Vec<&std::ffi::OsStr> {
    args.iter().map(|a| a.as_os_str()).collect()
}

#[test]
fn sigint_and_sigterm_remove_the_staging_directory_and_leave_the_output() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let before = tree_digest(&brand.out);
    // A changed brand, so the run has something to write.
    brand.edit("https://chat.acme.example", "https://chat2.acme.example");
    let args = apply_args(&brand);
    for (sig, code) in [("INT", 130), ("TERM", 143)] {
        let (mut child, stderr) = paused_with(&os(&args), "commit", &[]);
        assert_eq!(
            leftovers(brand.tmp.path()).len(),
            1,
            "staged, with credentials"
        );
        signal(&child, sig);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{sig}");
        let stderr = stderr.join().unwrap();
        assert!(
            stderr.ends_with("; removed the staging directory; the output is unchanged\n"),
            "{stderr}"
        );
        assert_eq!(leftovers(brand.tmp.path()), Vec::<String>::new());
        assert_eq!(before, tree_digest(&brand.out), "output unchanged");
    }
}

#[test]
fn sigkill_leaves_the_output_and_the_next_run_removes_the_stale_staging() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let before = tree_digest(&brand.out);
    brand.edit("https://chat.acme.example", "https://chat2.acme.example");
    let args = apply_args(&brand);
    for step in ["staged", "commit"] {
        let mut child = paused(&os(&args), step);
        signal(&child, "KILL");
        child.wait().unwrap();
        assert_eq!(before, tree_digest(&brand.out), "killed at {step}");
        assert_eq!(leftovers(brand.tmp.path()).len(), 1);
    }
    // Both runs' staging directories are the next run's to remove; it says so.
    brand.edit("https://chat2.acme.example", "https://chat.acme.example");
    let run = brand.apply(&[]).expect(0);
    assert!(
        run.stderr.contains("left by an interrupted mmbrand run"),
        "{}",
        run.stderr
    );
    assert_eq!(leftovers(brand.tmp.path()), Vec::<String>::new());
}

#[test]
fn a_second_writer_fails_fast_and_a_killed_one_releases_the_lock() {
    let brand = TempBrand::acme();
    let args = apply_args(&brand);
    let mut first = paused(&os(&args), "commit");
    let run = brand.apply(&[]).expect(1);
    assert_eq!(
        run.stderr,
        format!(
            "error: {} is being written by another mmbrand process (pid {}); wait for it to finish, or stop it\n",
            brand.out.display(),
            first.id()
        )
    );
    // merge to the same directory is refused the same way.
    let merge = mmbrand([
        "merge".into(),
        fixture("mattermost-mobile/assets/base").into_os_string(),
        brand.dir.join("override").into_os_string(),
        brand.out.clone().into_os_string(),
    ])
    .expect(1);
    assert!(merge
        .stderr
        .contains("is being written by another mmbrand process"));
    assert!(
        !brand.out.exists(),
        "the first run's output is not disturbed"
    );
    signal(&first, "KILL");
    first.wait().unwrap();
    brand.apply(&[]).expect(0);
    mmbrand(["verify".into(), brand.out.clone().into_os_string()]).expect(0);
}

#[test]
fn a_second_batch_to_the_same_folder_fails_fast() {
    let brand = TempBrand::acme();
    let batch = |extra: &[&str]| -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec![
            "batch".into(),
            brand.file().into(),
            "--out".into(),
            brand.out.clone().into(),
        ];
        args.extend(extra.iter().map(|a| a.into()));
        args
    };
    let first_args = batch(&[]);
    let mut first = paused(&os(&first_args), "commit");
    let run = mmbrand(batch(&[])).expect(1);
    assert_eq!(
        run.stderr,
        format!(
            "error: {} is being written by another mmbrand process (pid {}); wait for it to finish, or stop it\n",
            brand.out.display(),
            first.id()
        )
    );
    signal(&first, "INT");
    assert_eq!(first.wait().unwrap().code(), Some(130));
    assert_eq!(
        leftovers(&brand.out),
        Vec::<String>::new(),
        "brand staging removed"
    );
    mmbrand(batch(&[])).expect(0);
    mmbrand(["verify".into(), brand.out.join("acme").into_os_string()]).expect(0);
}
