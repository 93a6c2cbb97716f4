//! Every command and flag of mmbrand, defined once, with its help text next to it.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "mmbrand",
    version,
    about = "Brand the Mattermost mobile app and emit the matching push-proxy configuration",
    long_about = "mmbrand turns one upstream mattermost-mobile checkout and one declarative brand \
file into a branded, buildable app tree and the matching push-proxy and server configuration, \
so that the app and the push proxy always share the same credentials.\n\n\
Exit status: 0 success; 1 the inputs are wrong or an operation failed (nothing under the \
output directory changed); 2 command-line usage error; 130 or 143 interrupted by SIGINT or \
SIGTERM (the staging directory is removed; the message says whether the output is unchanged, \
restored or already replaced by the new one)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether the command may clone or fetch: only those pay libgit2's start-up (about
    /// 30 ms and 10 MiB, OpenSSL's initialisation), which `merge` does not need.
    pub fn uses_git(&self) -> bool {
        matches!(
            self.command,
            Command::Plan(_) | Command::Apply(_) | Command::Batch(_)
        )
    }

    /// Whether the command asked for machine-readable output.
    pub fn json(&self) -> bool {
        match &self.command {
            Command::Merge(a) => a.json,
            Command::Plan(a) => a.json,
            Command::Apply(a) => a.json,
            Command::Verify(a) => a.json,
            Command::Doctor(a) => a.json,
            Command::Batch(a) => a.json,
            Command::Init(_) => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Merge an assets/override tree over assets/base into OUT_DIR, as the app's asset step
    /// would, but strictly.
    ///
    /// JSON files present in both trees are deep-merged (RFC 7396 JSON Merge Patch: objects
    /// merge key by key, arrays and scalars are replaced, null deletes a key; base key order is
    /// kept). Any other file in both is replaced byte for byte. Files only in base are copied.
    /// A file only in the override is an error (upstream ignores it silently) unless
    /// --allow-extra. config.json keys must exist in base with the same JSON type; PNG images
    /// must keep the base file's width and height. OUT_DIR is replaced only when everything
    /// succeeded.
    Merge(MergeArgs),
    /// Print what `apply` would change (files, keys, a diff) without writing anything.
    ///
    /// With --ref (or --from), first the upgrade's drift: config.json keys upstream added,
    /// removed or retyped (marking those the brand sets), override files whose base file
    /// disappeared or changed pixel size, and upstream changes to the files apply edits.
    Plan(PlanArgs),
    /// Produce the branded app tree, push-proxy config, server settings and lock file in --out.
    Apply(ApplyArgs),
    /// Check that an `apply` output directory is consistent: app and push proxy share
    /// credentials, and no file changed since the lock file was written.
    Verify(VerifyArgs),
    /// Ask a running mattermost-push-proxy whether it can deliver to this brand's app.
    ///
    /// Checks that GET <URL>/version answers and reports the proxy's version. With
    /// --device-id, sends one test push through <URL>/api/v1/send_push (the same silent
    /// "test" push the Mattermost server sends) and explains the answer against DIR: which
    /// entry of DIR/push-proxy/mattermost-push-proxy.json the token's prefix selects, and on a
    /// rejected token (REMOVE) or a missing entry what to compare (ApplePushTopic and the
    /// bundle id, ApplePushUseDevelopment and aps-environment, the service account's project
    /// and google-services.json). Exit status 1 when the proxy is unreachable or a check
    /// fails.
    Doctor(DoctorArgs),
    /// Create a new brand: brand.toml with every key documented and commented out, an
    /// override/ tree (config.json stub, a README of the icons and splash screens a brand
    /// replaces and their sizes), and secrets/ ignored by git. Then `mmbrand plan
    /// DIR/brand.toml` lists what is still missing.
    Init(InitArgs),
    /// Apply several brands on one upstream, in parallel, each into OUT/<name>/; or, with
    /// --matrix, write a CI pipeline that applies and builds each brand on each platform.
    ///
    /// Brands of the same source share one object store: a local git repository is borrowed
    /// by every brand's shared clone; a URL is cloned once, bare, into
    /// OUT/.mmbrand-upstream/<sha256 of the URL>.git (fetched again on the next run), and
    /// every brand's app/ is a shared clone of it, so keep that directory while you use the
    /// outputs' git history. The lock files record the URL itself. A failing brand does not
    /// stop the others; a summary lists each brand's result, and the exit status is 1 when
    /// any brand failed. The apply flags below are passed to every brand.
    Batch(BatchArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Upstream assets/base directory.
    pub base_dir: PathBuf,
    /// The brand's assets/override directory.
    pub override_dir: PathBuf,
    /// Output directory (upstream's dist/assets). Replaced as a whole on success (edits made
    /// in it since are not kept: it is derived output); an existing directory must be empty
    /// or an earlier mmbrand merge output.
    pub out_dir: PathBuf,
    /// Copy files that exist only in the override instead of rejecting them.
    #[arg(long)]
    pub allow_extra: bool,
    /// Print one JSON document on stdout describing what was done.
    #[arg(long)]
    pub json: bool,
}

/// Where the upstream app comes from; both override the brand file's [source] table.
#[derive(Debug, Args, Clone, Default)]
pub struct SourceArgs {
    /// Upstream mattermost-mobile: a git URL, a local git repository, or a plain directory.
    #[arg(long, value_name = "PATH|URL")]
    pub source: Option<String>,
    /// Tag, branch or commit to check out.
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,
    /// A bare repository already holding the objects of a URL source (set by `batch`, which
    /// clones each URL once): the checkout is a shared clone of it, recorded as the URL.
    #[arg(skip)]
    pub object_store: Option<PathBuf>,
}

/// The app's version and build number, written where upstream's `set_app_version` and
/// `set_app_build_number` lanes write them; both win over the brand file's keys.
#[derive(Debug, Args, Clone, Default)]
pub struct VersionArgs {
    /// Marketing version X.Y.Z: package.json (+ package-lock.json), build.gradle versionName,
    /// CFBundleShortVersionString of the three iOS targets and MARKETING_VERSION.
    #[arg(long, value_name = "X.Y.Z")]
    pub app_version: Option<String>,
    /// Build number 1..2100000000 (pipelines pass their run number): build.gradle versionCode,
    /// CFBundleVersion of the three iOS targets and CURRENT_PROJECT_VERSION.
    #[arg(long, value_name = "N")]
    pub build_number: Option<u64>,
}

/// What a brand may read besides its own folder.
#[derive(Debug, Args, Clone, Default)]
pub struct BrandAccessArgs {
    /// Allow `file:` references and [assets] override to name files outside the brand file's
    /// folder (`..`, absolute paths, symlinks leading out of it). Off by default, so a brand
    /// folder holds everything that goes into the outputs.
    #[arg(long)]
    pub allow_outside_brand_dir: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The brand file (TOML).
    pub brand_file: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub version: VersionArgs,
    /// An earlier `apply` output: also report the drift between the upstream commit it was
    /// made from and the one planned (by default, with --ref, the drift is reported from the
    /// brand file's [source] ref when it names another commit).
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub access: BrandAccessArgs,
    /// Print one JSON document on stdout instead of a diff.
    #[arg(long)]
    pub json: bool,
}

/// What `apply` does with each brand beyond where it writes: `batch` passes the same to
/// every brand.
#[derive(Debug, Args, Clone)]
pub struct ApplyFlags {
    /// Commit the branded tree on the brand branch (in the output's app/).
    #[arg(long)]
    pub commit: bool,
    /// Push the brand branch to [source] fork (implies --commit).
    #[arg(long)]
    pub push: bool,
    /// Directory the push proxy will read its credential files from, as written into
    /// mattermost-push-proxy.json: relative to the proxy's working directory, or absolute.
    /// The default fits deploying the output's push-proxy/ as the proxy's config/ folder.
    #[arg(long, value_name = "DIR", default_value = crate::layout::DEFAULT_PROXY_ROOT)]
    pub proxy_root: String,
    /// Re-apply over an output whose files were edited since the last apply (the edits are
    /// lost); without it such a re-apply is refused and the edited files are listed.
    #[arg(long)]
    pub force: bool,
    /// Exit 1 before writing anything when the upstream commit differs from the previous
    /// output's and upstream changed something under the brand (see the drift report).
    #[arg(long)]
    pub fail_on_drift: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The brand file (TOML).
    pub brand_file: PathBuf,
    /// Output directory; replaced as a whole on success, untouched on failure. Over an earlier
    /// output: refused if files were edited since (see --force), "up to date" when nothing
    /// changed, and git-ignored build caches (node_modules, Pods…) are carried over.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub version: VersionArgs,
    #[command(flatten)]
    pub access: BrandAccessArgs,
    #[command(flatten)]
    pub flags: ApplyFlags,
    /// Print one JSON document on stdout describing what was done.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The brand files (TOML); their `name` keys must differ.
    #[arg(required = true, value_name = "BRAND_FILE")]
    pub brand_files: Vec<PathBuf>,
    /// Output directory: each brand goes into DIR/<name> (replaced as a whole on success,
    /// untouched on failure). With --matrix, the directory the CI jobs write to.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
    /// How many brands to apply at once [default: the number of CPU cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..), conflicts_with = "matrix")]
    pub jobs: Option<u16>,
    #[command(flatten)]
    pub version: VersionArgs,
    #[command(flatten)]
    pub access: BrandAccessArgs,
    #[command(flatten)]
    pub flags: ApplyFlags,
    /// Write a CI pipeline instead of applying: `github` (an Actions workflow whose matrix
    /// has one job per brand and platform) or `gitlab` (a child pipeline with an ios and an
    /// android job, each with one parallel:matrix entry per brand). Each job runs `mmbrand
    /// apply`, upstream's build lane and `mmbrand verify`; credentials appear only as
    /// references (CI secret names, file paths), never their content. The brand files are
    /// validated but nothing is cloned or read from their credentials. --source, --ref,
    /// --app-version, --build-number, --proxy-root, --commit, --push, --force,
    /// --fail-on-drift and --allow-outside-brand-dir are passed on to every job's `mmbrand
    /// apply`. Paths are written as given: run it from the repository root with relative
    /// paths, and give a git URL as the upstream.
    #[arg(long, value_name = "CI", value_enum)]
    pub matrix: Option<MatrixKind>,
    /// With --matrix: write the pipeline to FILE instead of stdout.
    #[arg(long, value_name = "FILE", requires = "matrix")]
    pub matrix_out: Option<PathBuf>,
    /// Print one JSON document on stdout describing every brand's result.
    #[arg(long, conflicts_with = "matrix")]
    pub json: bool,
}

/// The CI systems `batch --matrix` writes pipelines for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixKind {
    Github,
    Gitlab,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A directory written by `mmbrand apply`.
    pub dir: PathBuf,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// A directory written by `mmbrand apply`.
    pub dir: PathBuf,
    /// The running push proxy's base URL, as in the Mattermost server's
    /// EmailSettings.PushNotificationServer (e.g. http://localhost:8066).
    #[arg(long, value_name = "URL", value_parser = crate::proxy_target::parse_proxy_url)]
    pub proxy: String,
    /// A device id as the Mattermost server stores it in its Sessions table
    /// (apple_rn-v2:<token>, apple_rnbeta-v2:<token>, android_rn-v2:<token>); sends one
    /// test push to that device.
    #[arg(long, value_name = "ID", value_parser = crate::proxy_target::parse_device_id)]
    pub device_id: Option<crate::proxy_target::DeviceId>,
    /// Seconds to wait for a connection and for each answer [default: 10; the test push
    /// waits at least the config's SendTimeoutSec + 5, the time the proxy may spend retrying
    /// APNs or FCM].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout_secs: Option<u64>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory of the new brand (created; an existing brand there is never overwritten).
    pub dir: PathBuf,
    /// A local mattermost-mobile checkout whose assets/base gives the icon and splash files,
    /// with their pixel sizes, listed in override/README.md.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
}
