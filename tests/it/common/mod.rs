//! The test harness: runs the built binary the way a user would and reads its outputs.
#![allow(dead_code)]

pub mod case;
pub mod golden;
pub mod lanes;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use walkdir::WalkDir;

/// The six property lists of upstream's three iOS targets that apply brands: Info.plist and
/// entitlements of the app, the share extension and the notification service.
pub const IOS_PLISTS: [&str; 6] = [
    "ios/Mattermost/Info.plist",
    "ios/MattermostShare/Info.plist",
    "ios/NotificationService/Info.plist",
    "ios/Mattermost/Mattermost.entitlements",
    "ios/MattermostShare/MattermostShare.entitlements",
    "ios/NotificationService/NotificationService.entitlements",
];

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing both streams when it is wrong.
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert_has("stdout", &self.stdout, needle);
        self
    }

    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert_has("stderr", &self.stderr, needle);
        self
    }
}

fn assert_has(stream: &str, text: &str, needle: &str) {
    assert!(text.contains(needle), "{stream} lacks {needle:?}:\n{text}");
}

pub fn mmbrand<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    mmbrand_env(args, &[])
}

/// Runs the binary with extra environment variables.
pub fn mmbrand_env<I, S>(args: I, env: &[(&str, &std::ffi::OsStr)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = assert_cmd::Command::cargo_bin("mmbrand").expect("binary built");
    cmd.args(args).env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real upstream data files beside the clone, or None (with the reason printed) so the
/// test can skip on machines that do not have them.
pub fn upstream_mobile() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/upstream/mattermost-mobile");
    if dir.join("assets/base/config.json").is_file() {
        Some(dir)
    } else if std::env::var_os("CI").is_some() {
        // In CI a missing ../shared would turn these tests green without running them.
        panic!(
            "{} is absent and CI is set: these tests must run in CI",
            dir.display()
        );
    } else {
        eprintln!(
            "SKIPPED: {} is absent; clone the project beside ../shared to run this test",
            dir.display()
        );
        None
    }
}

pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("fixtures").join(rel)
}

/// Writes a valid solid-colour RGBA PNG of the given size.
pub fn write_png(path: &Path, width: u32, height: u32, rgba: [u8; 4]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let data: Vec<u8> = rgba
        .iter()
        .copied()
        .cycle()
        .take((width * height * 4) as usize)
        .collect();
    writer.write_image_data(&data).unwrap();
}

pub fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    let reader = decoder.read_info().unwrap();
    (reader.info().width, reader.info().height)
}

pub fn write(path: &Path, contents: impl AsRef<[u8]>) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn sha256(path: &Path) -> String {
    Sha256::digest(fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Relative path -> sha256 of every file under `dir`: compares whole trees.
pub fn tree_digest(dir: &Path) -> BTreeMap<String, String> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, sha256(e.path()))
        })
        .collect()
}

/// A copy of the example brand in a temp directory, pointing at the fixture upstream, that a
/// test can edit before running the binary.
pub struct TempBrand {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub out: PathBuf,
}

impl TempBrand {
    pub fn acme() -> TempBrand {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("brand");
        copy_tree(&fixture("brands/acme"), &dir);
        let upstream = fixture("mattermost-mobile");
        let toml = fs::read_to_string(dir.join("brand.toml")).unwrap();
        let toml = toml.replace(
            "repo = \"../../mattermost-mobile\"",
            &format!("repo = {:?}", upstream.display().to_string()),
        );
        fs::write(dir.join("brand.toml"), toml).unwrap();
        let out = tmp.path().join("out");
        TempBrand { tmp, dir, out }
    }

    pub fn file(&self) -> PathBuf {
        self.dir.join("brand.toml")
    }

    /// Replaces `from` by `to` in brand.toml; `from` must be there.
    pub fn edit(&self, from: &str, to: &str) -> &Self {
        let text = fs::read_to_string(self.file()).unwrap();
        assert!(text.contains(from), "brand.toml lacks {from:?}");
        fs::write(self.file(), text.replacen(from, to, 1)).unwrap();
        self
    }

    /// Appends TOML to brand.toml.
    pub fn append(&self, toml: &str) -> &Self {
        let mut text = fs::read_to_string(self.file()).unwrap();
        text.push('\n');
        text.push_str(toml);
        fs::write(self.file(), text).unwrap();
        self
    }

    /// `mmbrand apply <brand> --out <out> [extra...]`.
    pub fn apply(&self, extra: &[&str]) -> Run {
        let mut args: Vec<std::ffi::OsString> = vec![
            "apply".into(),
            self.file().into(),
            "--out".into(),
            self.out.clone().into(),
        ];
        args.extend(extra.iter().map(|s| s.into()));
        mmbrand(args)
    }

    pub fn app(&self, rel: &str) -> PathBuf {
        self.out.join("app").join(rel)
    }

    /// An upstream tree in the temp dir: the miniature fixture with the real upstream data
    /// files from `real` (../shared) laid over it: all of assets/base, the iOS plists and
    /// entitlements, the Android manifest and resources, google-services.json. The brand's
    /// override icons are resized to the real base icons and its i18n override uses a real
    /// key. Returns the tree's path, for `--source`.
    pub fn real_upstream(&self, real: &Path) -> String {
        let upstream = self.tmp.path().join("upstream");
        copy_tree(&fixture("mattermost-mobile"), &upstream);
        fs::remove_dir_all(upstream.join("assets/base")).unwrap();
        for dir in [
            "assets/base",
            "ios",
            "android/app/src/main",
            "android/app/google-services.json",
        ] {
            let from = real.join(dir);
            if from.is_dir() {
                copy_tree(&from, &upstream.join(dir));
            } else {
                fs::copy(&from, upstream.join(dir)).unwrap();
            }
        }
        for icon in [
            "release/icons/ios/40@2x.png",
            "release/icons/android/mipmap-mdpi/ic_launcher.png",
        ] {
            let (w, h) = png_size(&real.join("assets/base").join(icon));
            write_png(
                &self.dir.join("override").join(icon),
                w,
                h,
                [200, 30, 30, 255],
            );
        }
        fs::write(
            self.dir.join("override/i18n/en.json"),
            r#"{"about.date": "Built on:"}"#,
        )
        .unwrap();
        upstream.display().to_string()
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in WalkDir::new(from).into_iter().map(Result::unwrap) {
        let rel = entry.path().strip_prefix(from).unwrap();
        let dst = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dst).unwrap();
        } else {
            fs::copy(entry.path(), &dst).unwrap();
        }
    }
}

/// Commits every file of the work tree on HEAD, at a fixed time.
pub fn commit_all(repo: &git2::Repository, message: &str) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new(
        "upstream",
        "u@example.invalid",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
}

/// Makes a git repository of the fixture upstream with one commit tagged `tag`, the way a
/// release engineer's local mirror looks. Returns its path.
pub fn git_upstream(dir: &Path, tag: &str) -> PathBuf {
    let repo_dir = dir.join("mattermost-mobile.git-src");
    copy_tree(&fixture("mattermost-mobile"), &repo_dir);
    let repo = git2::Repository::init(&repo_dir).unwrap();
    let commit = commit_all(&repo, "release");
    let obj = repo.find_object(commit, None).unwrap();
    repo.tag_lightweight(tag, &obj, false).unwrap();
    // A later commit on the default branch, so checking out the tag is observable.
    fs::write(
        repo_dir.join("package.json"),
        "{\"name\": \"mattermost-mobile\", \"version\": \"99.0.0\"}\n",
    )
    .unwrap();
    commit_all(&repo, "next");
    repo_dir
}

/// Parses an XML plist into its top-level dictionary.
pub fn plist_dict(path: &Path) -> plist::Dictionary {
    plist::Value::from_file(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_dictionary()
        .unwrap()
}

/// A fresh P-256 private key in PKCS#8 PEM, like an APNs `.p8`.
pub fn p8_pem() -> String {
    use p256::pkcs8::EncodePrivateKey;
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
        .unwrap()
        .to_string()
}

/// An RSA-2048 private key, generated once per test process (RSA generation is slow).
pub fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: std::sync::OnceLock<rsa::RsaPrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap())
}

/// [`rsa_key`] in PKCS#8 PEM, the form of a Google service-account key.
pub fn rsa_pem() -> String {
    use rsa::pkcs8::EncodePrivateKey;
    rsa_key()
        .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap()
        .to_string()
}

/// An APNs certificate file as `openssl pkcs12 -nodes` exports it: a certificate for topic
/// `bundle_id` valid for `days` more days, and its RSA key ([`rsa_key`]). Signed by a
/// throwaway key: neither mmbrand nor the proxy checks the signature.
pub fn apns_cert_pem(bundle_id: &str, days: u64) -> String {
    apns_cert_pem_valid_for(bundle_id, std::time::Duration::from_secs(days * 86_400))
}

/// Like [`apns_cert_pem`], valid for `validity` from now (to test expiry within a test run).
pub fn apns_cert_pem_valid_for(bundle_id: &str, validity: std::time::Duration) -> String {
    use std::str::FromStr;
    use std::time::{Duration, SystemTime};
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::der::EncodePem;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    use x509_cert::time::{Time, Validity};

    let day = Duration::from_secs(86_400);
    let now = SystemTime::now();
    let validity = Validity {
        not_before: Time::try_from(now - day).unwrap(),
        not_after: Time::try_from(now + validity).unwrap(),
    };
    let subject = x509_cert::name::Name::from_str(&format!(
        "UID={bundle_id},CN=Apple Push Services: {bundle_id},OU=AB12CD34EF,C=US"
    ))
    .unwrap();
    let spki = SubjectPublicKeyInfoOwned::from_key(rsa_key().to_public_key()).unwrap();
    let signer = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let cert = CertificateBuilder::new(
        Profile::Root,
        x509_cert::serial_number::SerialNumber::from(7u32),
        validity,
        subject,
        spki,
        &signer,
    )
    .unwrap()
    .build::<p256::ecdsa::DerSignature>()
    .unwrap()
    .to_pem(p256::pkcs8::LineEnding::LF)
    .unwrap();
    format!("Bag Attributes\n    localKeyID: 01\n{cert}{}", rsa_pem())
}

/// A Firebase service-account key for `project_id`, with an RSA private key as Google issues
/// them ([`rsa_key`]: one per test process).
pub fn service_account(project_id: &str) -> String {
    let doc = serde_json::json!({
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": rsa_pem(),
        "client_email": format!("push@{project_id}.iam.gserviceaccount.com"),
        "client_id": "123456789012345678901",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token"
    });
    serde_json::to_string_pretty(&doc).unwrap()
}

impl TempBrand {
    /// Replaces the example credentials with keys generated for this test; returns their
    /// contents (APNs key, service account).
    pub fn fresh_credentials(&self) -> (String, String) {
        let p8 = p8_pem();
        let sa = service_account("acme-chat-example");
        fs::write(self.dir.join("secrets/AuthKey_KEY1234567.p8"), &p8).unwrap();
        fs::write(self.dir.join("secrets/fcm-service-account.json"), &sa).unwrap();
        (p8, sa)
    }
}

/// An XML element read back with quick-xml: name, attributes (unescaped), children, and its
/// text (entity and character references resolved).
#[derive(Debug, Clone, Default)]
pub struct XmlNode {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub children: Vec<XmlNode>,
    pub text: String,
}

impl XmlNode {
    /// Direct children named `name`.
    pub fn all(&self, name: &str) -> Vec<&XmlNode> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    /// The one direct child named `name`.
    pub fn one(&self, name: &str) -> &XmlNode {
        match self.all(name)[..] {
            [one] => one,
            ref many => panic!("<{}> has {} <{name}>", self.name, many.len()),
        }
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    /// Every element named `name` in the subtree, depth first.
    pub fn descendants(&self, name: &str) -> Vec<&XmlNode> {
        let mut out = Vec::new();
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            out.extend(c.descendants(name));
        }
        out
    }
}

/// Parses an XML file into its root element.
pub fn xml_tree(path: &Path) -> XmlNode {
    use quick_xml::events::{BytesStart, Event};
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = quick_xml::Reader::from_str(&text);
    let element = |e: &BytesStart| XmlNode {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        ..XmlNode::default()
    };
    let mut stack: Vec<XmlNode> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("{}: not well-formed XML: {e}", path.display()));
        match event {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let node = element(&e);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return node,
                }
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return node,
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content().into_owned();
                let resolved = match name.as_str() {
                    "amp" => "&".to_string(),
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "apos" => "'".to_string(),
                    "quot" => "\"".to_string(),
                    n => {
                        let code = n
                            .strip_prefix("#x")
                            .map(|h| u32::from_str_radix(h, 16).unwrap())
                            .or_else(|| n.strip_prefix('#').map(|d| d.parse().unwrap()))
                            .unwrap_or_else(|| panic!("unknown entity &{n};"));
                        char::from_u32(code).unwrap().to_string()
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => panic!("{}: no root element", path.display()),
            _ => {}
        }
    }
}

impl TempBrand {
    /// Removes a `[section]` (its header and lines up to the next header) from brand.toml.
    pub fn remove_section(&self, section: &str) -> &Self {
        let text = fs::read_to_string(self.file()).unwrap();
        let header = format!("[{section}]");
        let mut inside = false;
        let kept: Vec<&str> = text
            .lines()
            .filter(|line| {
                let t = line.trim_start();
                if t.starts_with('[') {
                    inside = t.starts_with(&header);
                }
                !inside
            })
            .collect();
        assert!(
            kept.len() < text.lines().count(),
            "brand.toml lacks {header}"
        );
        fs::write(self.file(), kept.join("\n") + "\n").unwrap();
        self
    }
}

/// Applies a brand that must fail: no output created, and an existing output untouched.
pub fn fails(brand: &TempBrand, extra: &[&str]) -> Run {
    let run = brand.apply(extra).expect(1);
    assert!(!brand.out.exists(), "output directory created on failure");
    let leftovers: Vec<_> = fs::read_dir(brand.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mmbrand"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    run
}
