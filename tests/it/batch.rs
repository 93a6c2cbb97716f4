//! `mmbrand batch`: several brands applied in parallel from one upstream, a failing brand
//! not stopping the others, URL sources cloned once; and `--matrix` CI pipelines.
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// Copies of the example brand named `names` under `dir`, with `[source] repo = repo`.
fn brands(dir: &Path, names: &[&str], repo: &str) -> Vec<PathBuf> {
    names
        .iter()
        .map(|name| {
            let brand = dir.join(name);
            copy_tree(&fixture("brands/acme"), &brand);
            let file = brand.join("brand.toml");
            let text = fs::read_to_string(&file)
                .unwrap()
                .replacen("name = \"acme\"", &format!("name = \"{name}\""), 1)
                .replacen(
                    "repo = \"../../mattermost-mobile\"",
                    &format!("repo = {repo:?}"),
                    1,
                );
            fs::write(&file, text).unwrap();
            file
        })
        .collect()
}

fn batch(files: &[PathBuf], out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<OsString> = vec!["batch".into()];
    args.extend(files.iter().map(|f| f.into()));
    args.extend(["--out".into(), out.into()]);
    args.extend(extra.iter().map(|s| s.into()));
    mmbrand(args)
}

fn fixture_upstream() -> String {
    fixture("mattermost-mobile").display().to_string()
}

#[test]
fn a_broken_brand_fails_alone_and_the_others_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let files = brands(tmp.path(), &["north", "south", "west"], &fixture_upstream());
    // A broken credential: the service account is not JSON.
    fs::write(
        tmp.path().join("south/secrets/fcm-service-account.json"),
        "not json",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = batch(&files, &out, &["--jobs", "2"]).expect(1);
    let south = files[1].display().to_string();
    run.stderr_has(&format!("error: {south}"))
        .stderr_has("1 of 3 brands failed")
        // The copies keep acme's identifiers: north and west would be one app.
        .stderr_has(&format!(
            "warning: {} and {} both have [ios] bundle_id = \"com.acme.chat\"",
            files[0].display(),
            files[2].display()
        ));
    for (name, result) in [("north", "ok"), ("south", "failed: "), ("west", "ok")] {
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no summary line for {name}:\n{}", run.stdout));
        assert!(line.contains(result), "{line}");
        assert!(
            line.contains(&out.join(name).display().to_string()),
            "{line}"
        );
    }
    for name in ["north", "west"] {
        mmbrand(["verify".as_ref(), out.join(name).as_os_str()]).expect(0);
    }
    assert!(!out.join("south").exists());

    let run = batch(&files, &out, &["--json"]).expect(1);
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["command"], "batch");
    let brands = doc["brands"].as_array().unwrap();
    let names: Vec<&str> = brands
        .iter()
        .map(|b| b["brand"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["north", "south", "west"]);
    assert_eq!(brands[0]["ok"], true);
    assert_eq!(brands[0]["out"], out.join("north").display().to_string());
    // The second run over the same outputs finds the written brands up to date.
    assert_eq!(brands[0]["up_to_date"], true);
    assert!(brands[0]["warnings"].is_array());
    assert_eq!(brands[1]["ok"], false);
    assert_eq!(brands[1]["file"], south);
    let error = brands[1]["error"].as_str().unwrap();
    assert!(error.starts_with(&south), "{error}");
    assert!(
        error.contains("fcm-service-account.json: not valid JSON"),
        "{error}"
    );
    assert!(brands[2]["seconds"].as_f64().unwrap() > 0.0);
}

#[test]
fn two_brand_files_of_one_name_are_refused_before_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = brands(tmp.path(), &["acme"], &fixture_upstream());
    let copy = tmp.path().join("copy");
    copy_tree(&tmp.path().join("acme"), &copy);
    files.push(copy.join("brand.toml"));
    let out = tmp.path().join("out");
    let run = batch(&files, &out, &[]).expect(1);
    run.stderr_has(&files[0].display().to_string())
        .stderr_has(&files[1].display().to_string())
        .stderr_has("both have name = \"acme\"");
    assert!(!out.exists());
}

#[test]
fn a_url_source_is_cloned_once_and_shared_by_every_brand() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = git_upstream(tmp.path(), "v1.0.0");
    let url = format!("file://{}", repo.display());
    let files = brands(tmp.path(), &["north", "south"], &url);
    let out = tmp.path().join("out");
    let tagged = git2::Repository::open(&repo)
        .unwrap()
        .revparse_single("v1.0.0^{commit}")
        .unwrap()
        .id()
        .to_string();
    for _ in 0..2 {
        // The second run fetches into the existing store.
        batch(&files, &out, &["--ref", "v1.0.0"]).expect(0);
        let stores: Vec<PathBuf> = fs::read_dir(out.join(".mmbrand-upstream"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        let [store] = &stores[..] else {
            panic!("one store expected: {stores:?}")
        };
        let objects = store.join("objects").canonicalize().unwrap();
        for name in ["north", "south"] {
            let app = out.join(name).join("app");
            let alternates = fs::read_to_string(app.join(".git/objects/info/alternates")).unwrap();
            assert_eq!(Path::new(alternates.trim()), objects);
            let lock = read_json(&out.join(name).join("mmbrand.lock.json"));
            assert_eq!(lock["upstream"]["repo"], url.as_str());
            assert_eq!(lock["upstream"]["commit"], tagged.as_str());
            let package = read_json(&app.join("package.json"));
            assert_ne!(package["version"], "99.0.0", "the tag, not the branch head");
        }
    }
}

/// Two brands for the matrix tests: `north` reads its APNs key from `env:NORTH_APNS_KEY`,
/// `south` from a file. Returns the files and the secret contents that must never appear.
fn matrix_brands(tmp: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let files = brands(tmp, &["north", "south"], &fixture_upstream());
    let north = fs::read_to_string(&files[0]).unwrap().replacen(
        "auth_key = \"file:secrets/AuthKey_KEY1234567.p8\"",
        "auth_key = \"env:NORTH_APNS_KEY\"",
        1,
    );
    fs::write(&files[0], north).unwrap();
    let file_secret = p8_pem();
    fs::write(
        tmp.join("south/secrets/AuthKey_KEY1234567.p8"),
        &file_secret,
    )
    .unwrap();
    let key_body = |pem: &str| pem.lines().nth(1).unwrap().to_string();
    let secrets = vec![
        key_body(&file_secret),
        key_body(&fs::read_to_string(tmp.join("south/secrets/fcm-service-account.json")).unwrap()),
        "planted-env-secret".to_string(),
    ];
    (files, secrets)
}

/// `batch --matrix kind --out build` of the two [`matrix_brands`], with the env secret set:
/// the YAML must parse and hold none of the secrets.
fn matrix_of_two(kind: &str) -> (tempfile::TempDir, Run, yaml_rust2::Yaml) {
    let tmp = tempfile::tempdir().unwrap();
    let (files, secrets) = matrix_brands(tmp.path());
    let mut args: Vec<OsString> = vec!["batch".into()];
    args.extend(files.iter().map(|f| f.into()));
    args.extend(["--out", "build", "--matrix", kind].map(OsString::from));
    let env = [("NORTH_APNS_KEY", std::ffi::OsStr::new("planted-env-secret"))];
    let run = mmbrand_env(args, &env).expect(0);
    for s in &secrets {
        assert!(
            !run.stdout.contains(s.as_str()),
            "secret {s:?} in:\n{}",
            run.stdout
        );
    }
    let mut docs = yaml_rust2::YamlLoader::load_from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not YAML ({e}):\n{}", run.stdout));
    let doc = docs.remove(0);
    (tmp, run, doc)
}

#[test]
fn github_matrix_has_one_job_per_brand_and_platform_and_secrets_by_reference() {
    let (tmp, run, doc) = matrix_of_two("github");
    // What the runners will not have is pointed out: local upstream, absolute brand paths.
    assert!(
        run.stderr.contains(&format!(
            "upstream {} is a local path, which the CI jobs will not have",
            fixture_upstream()
        )),
        "{}",
        run.stderr
    );
    assert!(run
        .stderr
        .contains("brand.toml is an absolute path; the CI jobs run in the repository checkout"));
    let job = &doc["jobs"]["brand"];
    let include = job["strategy"]["matrix"]["include"].as_vec().unwrap();
    let mut pairs: Vec<(&str, &str)> = include
        .iter()
        .map(|e| {
            (
                e["brand"].as_str().unwrap(),
                e["platform"].as_str().unwrap(),
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("north", "android"),
            ("north", "ios"),
            ("south", "android"),
            ("south", "ios")
        ]
    );
    for e in include {
        let (brand, platform) = (
            e["brand"].as_str().unwrap(),
            e["platform"].as_str().unwrap(),
        );
        let runner = if platform == "ios" {
            "macos-latest"
        } else {
            "ubuntu-latest"
        };
        assert_eq!(e["runs_on"].as_str(), Some(runner));
        assert_eq!(e["out"].as_str(), Some(format!("build/{brand}").as_str()));
        assert_eq!(
            e["build"].as_str().unwrap(),
            format!("bundle exec fastlane {platform} build --env {brand},{brand}.{platform}")
        );
        let refs: Vec<&str> = e["secrets"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        // env: references by their own name; file: credentials by a per-brand secret.
        let upper = brand.to_uppercase();
        let mut expected = vec![
            format!("MMBRAND_{upper}_ANDROID_GOOGLE_SERVICES"),
            format!("MMBRAND_{upper}_PUSH_ANDROID_SERVICE_ACCOUNT"),
        ];
        if brand == "north" {
            expected.insert(0, "NORTH_APNS_KEY".to_string());
        } else {
            expected.insert(1, format!("MMBRAND_{upper}_PUSH_APPLE_AUTH_KEY"));
        }
        assert_eq!(refs, expected);
    }
    assert_eq!(
        job["env"]["NORTH_APNS_KEY"].as_str(),
        Some("${{ contains(matrix.secrets, 'NORTH_APNS_KEY') && secrets.NORTH_APNS_KEY || '' }}")
    );
    let steps: Vec<&str> = job["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert_eq!(steps[1], r#"mmbrand apply "$BRAND_FILE" --out "$OUT""#);
    assert_eq!(steps.last(), Some(&r#"mmbrand verify "$OUT""#));
    // The file reference is named with the secret that provides it.
    let south_key = tmp.path().join("south/secrets/AuthKey_KEY1234567.p8");
    assert!(run.stdout.contains(&format!(
        "MMBRAND_SOUTH_PUSH_APPLE_AUTH_KEY -> {:?} (push.apple.auth_key)",
        south_key.display().to_string()
    )));
    // The step that writes the files, run by sh as the runner would: each file appears with
    // the secret's decoded content, private to the job's user.
    let south = include
        .iter()
        .find(|e| e["brand"].as_str() == Some("south"))
        .unwrap();
    run_write_step(steps[0], south["files"].as_str().unwrap(), tmp.path());
}

/// Runs a pipeline's credential-writing script through sh as a runner would, with south's
/// file secrets set, in a fresh checkout: each file appears with the secret's decoded
/// content, private to the job's user.
fn run_write_step(script: &str, files: &str, brands_dir: &Path) {
    let runner = tempfile::tempdir().unwrap();
    let moved = files.replace(
        &brands_dir.display().to_string(),
        &runner.path().display().to_string(),
    );
    let output = std::process::Command::new("sh")
        .args(["-c", script])
        .env("FILES", &moved)
        .env("MMBRAND_SOUTH_PUSH_APPLE_AUTH_KEY", "a2V5IGJ5dGVzCg==")
        .env("MMBRAND_SOUTH_ANDROID_GOOGLE_SERVICES", "e30K")
        .env("MMBRAND_SOUTH_PUSH_ANDROID_SERVICE_ACCOUNT", "e30K")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let written = runner.path().join("south/secrets/AuthKey_KEY1234567.p8");
    assert_eq!(fs::read_to_string(&written).unwrap(), "key bytes\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&written).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn gitlab_matrix_has_a_job_per_platform_with_an_entry_per_brand() {
    let (tmp, run, doc) = matrix_of_two("gitlab");
    let script = doc[".mmbrand"]["script"][0].as_str().unwrap();
    let south = &doc["ios"]["parallel"]["matrix"][1];
    run_write_step(script, south["FILES"].as_str().unwrap(), tmp.path());
    for platform in ["ios", "android"] {
        let job = &doc[platform];
        assert_eq!(job["extends"].as_str(), Some(".mmbrand"));
        let entries = job["parallel"]["matrix"].as_vec().unwrap();
        let names: Vec<&str> = entries
            .iter()
            .map(|e| e["BRAND"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["north", "south"]);
        assert_eq!(
            entries[0]["BUILD"].as_str().unwrap(),
            format!("bundle exec fastlane {platform} build --env north,north.{platform}")
        );
    }
    run.stdout_has("#   NORTH_APNS_KEY (push.apple.auth_key)")
        .stdout_has("masked");
}

#[test]
fn matrix_refuses_a_broken_brand_file_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let files = brands(tmp.path(), &["north", "south"], &fixture_upstream());
    let text = fs::read_to_string(&files[1]).unwrap().replacen(
        "team_id = \"AB12CD34EF\"",
        "team_id = \"nope\"",
        1,
    );
    fs::write(&files[1], text).unwrap();
    let out = tmp.path().join("out");
    let run = batch(&files, &out, &["--matrix", "github"]).expect(1);
    run.stderr_has(&format!("{}: ios.team_id", files[1].display()));
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!out.exists());
}

#[test]
fn batch_is_advertised() {
    let help = mmbrand(["--help"]).expect(0);
    assert!(help.stdout.contains("batch"), "{}", help.stdout);
}

#[test]
fn matrix_out_writes_the_pipeline_to_a_file_and_nothing_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let files = brands(tmp.path(), &["north"], &fixture_upstream());
    let file = tmp.path().join("ci/brands.yml");
    let file_arg = file.display().to_string();
    let run = batch(
        &files,
        Path::new("build"),
        &["--matrix", "gitlab", "--matrix-out", &file_arg],
    )
    .expect(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let text = fs::read_to_string(&file).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    assert_eq!(
        docs[0]["ios"]["parallel"]["matrix"].as_vec().unwrap().len(),
        1
    );
}
