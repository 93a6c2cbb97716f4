//! `batch --matrix github|gitlab`: a CI pipeline that applies and builds every brand on every
//! platform, one job each. Rendered from templates/matrix-*.yml.tera. The brand files are
//! validated, but their credentials are never read: the pipeline names them only by
//! reference (a CI secret or variable name, a file path), so no secret can reach the YAML.

use anyhow::Result;
use serde::Serialize;
use serde_json::{json, Value};

use crate::brand::secret::SecretRef;
use crate::brand::{Brand, LoadOptions};
use crate::cli::{BatchArgs, MatrixKind};
use crate::emit::fastlane;
use crate::fsutil;
use crate::problems::Problems;

use super::names;

const GITHUB: &str = include_str!("../../../templates/matrix-github.yml.tera");
const GITLAB: &str = include_str!("../../../templates/matrix-gitlab.yml.tera");

/// The platforms a brand is built for, with the runner each needs.
const PLATFORMS: [(&str, &str, &str); 2] = [
    (
        "ios",
        "macos-latest",
        "a macOS runner with Xcode: add its tags: here",
    ),
    (
        "android",
        "ubuntu-latest",
        "a runner with Node, Ruby and the Android SDK: add its image: or tags: here",
    ),
];

/// One credential reference of a brand: the brand-file key and the variable or path. A
/// `file:` credential is written by the job from a CI secret (`secret`: its content in
/// base64, which also makes it maskable on GitLab).
#[derive(Serialize)]
struct Reference {
    key: &'static str,
    var: Option<String>,
    path: Option<String>,
    secret: Option<String>,
}

/// The CI secret that holds a `file:` credential of a brand, e.g.
/// `MMBRAND_ACME_PUSH_APPLE_AUTH_KEY`.
fn file_secret(brand: &str, key: &str) -> String {
    format!("MMBRAND_{brand}_{key}")
        .chars()
        .map(|c| match c {
            'a'..='z' => c.to_ascii_uppercase(),
            'A'..='Z' | '0'..='9' => c,
            _ => '_',
        })
        .collect()
}

pub fn run(args: &BatchArgs, kind: MatrixKind) -> Result<()> {
    let brands = load(
        &args.brand_files,
        LoadOptions {
            allow_outside_brand_dir: args.access.allow_outside_brand_dir,
        },
    )?;
    names::check_unique_names(brands.iter().map(|b| (b.name.as_str(), b.file.as_path())))?;
    let yaml = render(kind, &brands, args)?;
    crate::report::print_warnings(&portability_warnings(&brands, args));
    let all: Vec<&Brand> = brands.iter().collect();
    crate::report::print_warnings(&names::shared_identifiers(&all));
    match &args.matrix_out {
        Some(file) => fsutil::write(file, yaml),
        None => {
            print!("{yaml}");
            Ok(())
        }
    }
}

/// What in the pipeline points at this machine instead of the repository checkout or the
/// network, where the CI jobs run.
fn portability_warnings(brands: &[Brand], args: &BatchArgs) -> Vec<String> {
    let mut warnings = Vec::new();
    let local = "the CI jobs run in the repository checkout: run `mmbrand batch --matrix` from its root with relative paths";
    if args.out.is_absolute() {
        warnings.push(format!(
            "--out {} is an absolute path; {local}",
            args.out.display()
        ));
    }
    for brand in brands {
        if brand.file.is_absolute() {
            warnings.push(format!(
                "{} is an absolute path; {local}",
                brand.file.display()
            ));
        }
        if let Ok((repo, _)) =
            crate::apply::source_of(brand, &crate::source::Spec::from(&args.source))
        {
            if !crate::source::looks_like_url(&repo) {
                warnings.push(format!(
                    "{}: upstream {repo} is a local path, which the CI jobs will not have; set [source] repo (or --source) to a git URL the runners can reach",
                    brand.file.display()
                ));
            }
        }
    }
    warnings
}

/// Every brand file, validated without reading credentials; all broken files at once.
fn load(files: &[std::path::PathBuf], options: LoadOptions) -> Result<Vec<Brand>> {
    let mut problems = Problems::new();
    let mut brands = Vec::new();
    for file in files {
        match Brand::load_with(file, options) {
            Ok(brand) => brands.push(brand),
            Err(e) => names::name_file(crate::problems::messages(&e), file)
                .into_iter()
                .for_each(|m| problems.push(m)),
        }
    }
    problems.into_result()?;
    Ok(brands)
}

fn render(kind: MatrixKind, brands: &[Brand], args: &BatchArgs) -> Result<String> {
    let mut entries = Vec::new();
    let mut env_names = std::collections::BTreeSet::new();
    for brand in brands {
        let refs = references(brand);
        env_names.extend(refs.iter().filter_map(|r| r.var.clone()));
        env_names.extend(refs.iter().filter_map(|r| r.secret.clone()));
        entries.push(brand_context(brand, refs, args));
    }
    let platforms: Vec<Value> = PLATFORMS
        .iter()
        .map(|(name, runner, note)| json!({ "name": name, "runner": runner, "note": note }))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("brands", &entries);
    ctx.insert("platforms", &platforms);
    let env_names: Vec<Value> = env_names
        .iter()
        .map(|v| json!({ "name": v, "yaml": quoted(v) }))
        .collect();
    ctx.insert("env_names", &env_names);
    ctx.insert("apply_run", &quoted(&apply_command(args)));
    let (name, template) = match kind {
        MatrixKind::Github => ("matrix-github.yml", GITHUB),
        MatrixKind::Gitlab => ("matrix-gitlab.yml", GITLAB),
    };
    crate::emit::render(name, template, &ctx)
}

/// What the templates need of one brand; every free-form string is quoted for YAML.
fn brand_context(brand: &Brand, refs: Vec<Reference>, args: &BatchArgs) -> Value {
    let build: serde_json::Map<String, Value> = PLATFORMS
        .iter()
        .map(|(p, _, _)| {
            (
                p.to_string(),
                quoted(&fastlane::build_command(brand, p)).into(),
            )
        })
        .collect();
    let (env, files): (Vec<Reference>, Vec<Reference>) =
        refs.into_iter().partition(|r| r.var.is_some());
    json!({
        "name": brand.name,
        "name_yaml": quoted(&brand.name),
        "file_yaml": quoted(&brand.file.display().to_string()),
        "out_yaml": quoted(&args.out.join(&brand.name).display().to_string()),
        "build_yaml": build,
        "env_names": env
            .iter()
            .filter_map(|r| r.var.as_deref())
            .chain(files.iter().filter_map(|f| f.secret.as_deref()))
            .map(quoted)
            .collect::<Vec<_>>(),
        "env": env,
        "files": files.iter().map(|f| json!({
            "key": f.key,
            "path": f.path.as_deref().map(quoted),
            "secret": f.secret,
        })).collect::<Vec<_>>(),
        // `path=SECRET` pairs for the step that writes the files.
        "files_yaml": quoted(&files
            .iter()
            .filter_map(|f| Some(format!("{}={}", f.path.as_deref()?, f.secret.as_deref()?)))
            .collect::<Vec<_>>()
            .join(" ")),
    })
}

/// The brand's credential references (parsed when it was loaded, so a literal secret was
/// refused, unechoed), not read.
fn references(brand: &Brand) -> Vec<Reference> {
    brand
        .secrets
        .iter()
        .map(|(key, r)| reference(key.name(), r, brand))
        .collect()
}

fn reference(key: &'static str, r: &SecretRef, brand: &Brand) -> Reference {
    match r {
        SecretRef::Env(var) => Reference {
            key,
            var: Some(var.clone()),
            path: None,
            secret: None,
        },
        SecretRef::File(_) => Reference {
            key,
            var: None,
            path: Some(r.describe(&brand.dir)),
            secret: Some(file_secret(&brand.name, key)),
        },
    }
}

/// `mmbrand apply` as each job runs it: the job's brand file and output from its
/// environment, and the batch's apply flags.
fn apply_command(args: &BatchArgs) -> String {
    let mut cmd = String::from(r#"mmbrand apply "$BRAND_FILE" --out "$OUT""#);
    let flags = [
        ("--source", args.source.source.clone()),
        ("--ref", args.source.git_ref.clone()),
        ("--app-version", args.version.app_version.clone()),
        (
            "--build-number",
            args.version.build_number.map(|n| n.to_string()),
        ),
        (
            "--proxy-root",
            (args.flags.proxy_root != crate::push::DEFAULT_PROXY_ROOT)
                .then(|| args.flags.proxy_root.clone()),
        ),
    ];
    for (flag, value) in flags {
        if let Some(v) = value {
            cmd.push_str(&format!(" {flag} {}", shell_quoted(&v)));
        }
    }
    let switches = [
        ("--commit", args.flags.commit),
        ("--push", args.flags.push),
        ("--force", args.flags.force),
        ("--fail-on-drift", args.flags.fail_on_drift),
        (
            "--allow-outside-brand-dir",
            args.access.allow_outside_brand_dir,
        ),
    ];
    for (flag, _) in switches.iter().filter(|(_, on)| *on) {
        cmd.push_str(&format!(" {flag}"));
    }
    cmd
}

/// A single-quoted POSIX shell word.
fn shell_quoted(s: &str) -> String {
    // Command-line arguments are C strings: they cannot hold the NUL that quoting refuses.
    crate::format::shell::quote(s)
        .expect("a command-line argument holds no NUL")
        .into_owned()
}

/// A double-quoted YAML scalar (JSON's string syntax is valid YAML).
fn quoted(s: &str) -> String {
    crate::format::yaml::scalar(s)
}
