//! The bad-input corpus harness: one `Case` is a brand (the example, mutated), an upstream
//! and a command line, run through the binary, expecting exit status 1, the whole stderr
//! exactly as in `tests/it/corpus/<name>.stderr` (temporary paths replaced by placeholders,
//! as just's and ripgrep's harnesses do), and the output directory untouched.
//!
//! `MMBRAND_BLESS=1` writes the actual stderr into the snapshot instead of comparing; review
//! the diff before committing it.
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::*;

pub struct Case {
    name: &'static str,
    pub brand: TempBrand,
    args: Vec<String>,
    env: Vec<(String, OsString)>,
    /// Digest of an output written before the bad run, which must survive it unchanged.
    before: Option<BTreeMap<String, String>>,
}

impl Case {
    /// The example brand, applied with `apply [BRAND]/brand.toml --out [OUT]` unless
    /// [`Case::args`] says otherwise.
    pub fn new(name: &'static str) -> Case {
        Case {
            name,
            brand: TempBrand::acme(),
            args: ["apply", "[BRAND]/brand.toml", "--out", "[OUT]"]
                .map(String::from)
                .to_vec(),
            env: Vec::new(),
            before: None,
        }
    }

    /// Applies the pristine brand first, so the bad run meets an existing output (which it
    /// must leave byte-identical).
    pub fn existing_output(mut self) -> Self {
        self.brand.apply(&[]).expect(0);
        self.before = Some(tree_digest(&self.brand.out));
        self
    }

    /// Changes the existing output (see [`Case::existing_output`]) before the bad run, which
    /// must then leave it as `f` made it.
    pub fn in_output(mut self, f: impl FnOnce(&Path)) -> Self {
        f(&self.brand.out);
        self.before = Some(tree_digest(&self.brand.out));
        self
    }

    /// Replaces `from` by `to` in brand.toml.
    pub fn edit(self, from: &str, to: &str) -> Self {
        self.brand.edit(from, to);
        self
    }

    pub fn append(self, toml: &str) -> Self {
        self.brand.append(toml);
        self
    }

    /// Writes a file of the brand folder (relative to it).
    pub fn write(self, rel: &str, contents: impl AsRef<[u8]>) -> Self {
        write(&self.brand.dir.join(rel), contents);
        self
    }

    /// Makes `rel` in the brand folder a symlink to `target` (placeholders expanded).
    pub fn symlink(self, rel: &str, target: &str) -> Self {
        let link = self.brand.dir.join(rel);
        let _ = fs::remove_file(&link);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(self.expand(target), &link).unwrap();
        self
    }

    /// Runs `f` on the brand folder.
    pub fn brand_dir(self, f: impl FnOnce(&Path)) -> Self {
        f(&self.brand.dir);
        self
    }

    /// A copy of the fixture upstream at `[UPSTREAM]`, changed by `f`, given as `--source`.
    pub fn upstream(mut self, f: impl FnOnce(&Path)) -> Self {
        let dir = self.brand.tmp.path().join("upstream");
        copy_tree(&fixture("mattermost-mobile"), &dir);
        f(&dir);
        self.args.extend(["--source".into(), "[UPSTREAM]".into()]);
        self
    }

    /// Replaces the command line (placeholders: [BRAND], [OUT], [TMP], [UPSTREAM],
    /// [FIXTURES]).
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    /// Adds arguments to the command line.
    pub fn arg(mut self, more: &[&str]) -> Self {
        self.args.extend(more.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.push((key.to_string(), value.into()));
        self
    }

    fn placeholders(&self) -> Vec<(String, &'static str)> {
        let tmp = self.brand.tmp.path();
        let mut pairs = Vec::new();
        for base in [tmp.to_path_buf(), tmp.canonicalize().unwrap()] {
            pairs.push((base.join("brand"), "[BRAND]"));
            pairs.push((base.join("out"), "[OUT]"));
            pairs.push((base.join("upstream"), "[UPSTREAM]"));
            pairs.push((base.clone(), "[TMP]"));
        }
        let fixtures = repo_root().join("fixtures");
        pairs.push((fixtures.canonicalize().unwrap(), "[FIXTURES]"));
        pairs.push((fixtures, "[FIXTURES]"));
        pairs
            .into_iter()
            .map(|(p, name)| (p.display().to_string(), name))
            .collect()
    }

    fn expand(&self, arg: &str) -> String {
        let mut out = arg.to_string();
        for (path, name) in self.placeholders() {
            out = out.replace(name, &path);
        }
        out
    }

    /// Temporary paths replaced by their placeholders, random name parts by `[ID]`.
    fn normalise(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (path, name) in self.placeholders() {
            out = out.replace(&path, name);
        }
        commits(&random_names(&out))
    }

    /// Runs the command and checks everything; returns the run for further checks.
    pub fn fails(self) -> Run {
        let args: Vec<String> = self.args.iter().map(|a| self.expand(a)).collect();
        let env: Vec<(&str, &std::ffi::OsStr)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_os_str()))
            .collect();
        let run = mmbrand_env(&args, &env);
        assert!(
            run.code == 1,
            "{}: exit status {} (expected 1)\n--- stderr\n{}",
            self.name,
            run.code,
            run.stderr
        );
        self.compare_snapshot(&self.normalise(&run.stderr));
        match &self.before {
            Some(before) => assert_eq!(before, &tree_digest(&self.brand.out), "output changed"),
            None => assert!(!self.brand.out.exists(), "{}: output created", self.name),
        }
        let leftovers: Vec<_> = fs::read_dir(self.brand.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".mmbrand"))
            .collect();
        assert!(leftovers.is_empty(), "{}: {leftovers:?}", self.name);
        run
    }

    fn compare_snapshot(&self, actual: &str) {
        let path = snapshot_dir().join(format!("{}.stderr", self.name));
        if std::env::var_os("MMBRAND_BLESS").is_some() {
            fs::create_dir_all(snapshot_dir()).unwrap();
            fs::write(&path, actual).unwrap();
            return;
        }
        let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{}: no snapshot {}; run with MMBRAND_BLESS=1 and review it\n--- actual\n{actual}",
                self.name,
                path.display()
            )
        });
        assert!(
            expected == actual,
            "{}: stderr differs from {}\n--- expected\n{expected}\n--- actual\n{actual}",
            self.name,
            path.display()
        );
    }
}

fn snapshot_dir() -> PathBuf {
    repo_root().join("tests/it/corpus")
}

/// Upstream commits named in messages (`upstream 1a2b3c4d5e:path`) as `upstream [COMMIT]:`:
/// a test upstream's commit id changes with any fixture file.
fn commits(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("upstream ") {
        let (head, tail) = rest.split_at(i + "upstream ".len());
        out.push_str(head);
        let hex = tail.chars().take_while(char::is_ascii_hexdigit).count();
        if hex == 10 && tail[hex..].starts_with(':') {
            out.push_str("[COMMIT]");
            rest = &tail[hex..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Random parts of temporary names (`.mmbrand-stage.out.Ab3xY9`, `/tmp/.tmpQw12Er`) as `[ID]`,
/// and the port of a test server (`127.0.0.1:43121`) as `127.0.0.1:[ID]`.
pub(super) fn random_names(text: &str) -> String {
    let mut out = text.to_string();
    for prefix in [".mmbrand-stage.out.", ".tmp", "127.0.0.1:"] {
        let mut result = String::new();
        let mut rest = out.as_str();
        while let Some(i) = rest.find(prefix) {
            let (head, tail) = rest.split_at(i + prefix.len());
            result.push_str(head);
            let len = tail
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(tail.len());
            if len > 0 {
                result.push_str("[ID]");
            }
            rest = &tail[len..];
        }
        result.push_str(rest);
        out = result;
    }
    out
}
