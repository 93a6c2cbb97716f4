//! Getting the upstream app: clone a git repository (URL or local path) at a ref, or copy a
//! plain directory into a fresh repository; then the brand branch, commit and push.
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use git2::{build::CheckoutBuilder, FetchOptions, Oid, RemoteCallbacks, Repository, Signature};
use walkdir::WalkDir;

use crate::fsutil;

/// Where the branded tree came from, recorded in the lock file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Upstream {
    /// The repository as given (URL or path), as messages and the lock show it: a URL's
    /// user name and password (an access token) hidden, see [`shown`].
    pub repo: String,
    /// The repository as given, token and all: only for talking to it again, never shown.
    #[serde(skip)]
    pub url: String,
    /// The ref as given, if any.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// The resolved commit.
    pub commit: String,
    /// How it was obtained: "shared-clone", "clone" or "directory".
    pub method: &'static str,
}

/// Name and e-mail of commits mmbrand makes; the time is taken from the upstream commit so
/// that the same inputs give the same commit ids.
const AUTHOR: (&str, &str) = ("mmbrand", "mmbrand@localhost");

/// Ignored upstream but part of the brand.
const FORCED_PATH: &str = "assets/override";

/// The upstream a command asked for, as plain options (the command layer fills it from
/// `--source`, `--ref` and batch's object store; `[source]` fills the gaps).
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// A git URL, a local git repository, or a plain directory.
    pub source: Option<String>,
    /// Tag, branch or commit.
    pub git_ref: Option<String>,
    /// A bare repository already holding the objects of a URL source.
    pub object_store: Option<PathBuf>,
}

/// Which files of upstream a checkout writes.
#[derive(Debug, Clone, Copy)]
pub enum Paths<'a> {
    /// The whole tree (apply).
    All,
    /// Only files matching these git pathspecs (plan: what the pipeline reads). A plain
    /// directory is still copied whole, so that its commit id is the same as apply's.
    Only(&'a [String]),
}

/// Puts upstream `source` at `git_ref` into `dest` (which must not exist), on a new branch
/// `branch`. `store`, when given, is a bare repository already holding `source`'s objects
/// (see [`update_store`]): the checkout is a shared clone of it instead of a new clone.
pub fn checkout(
    source: &str,
    store: Option<&Path>,
    git_ref: Option<&str>,
    dest: &Path,
    branch: &str,
    paths: Paths,
) -> Result<Upstream> {
    let upstream = match store {
        Some(store) => shared_clone(source, store, git_ref, dest, paths)?,
        None => obtain(source, git_ref, dest, paths)?,
    };
    let repo = open(dest)?;
    create_branch(&repo, branch, &upstream.commit)?;
    Ok(upstream)
}

/// Clones (shared for a local repository), or copies a plain directory, into `dest`.
fn obtain(source: &str, git_ref: Option<&str>, dest: &Path, paths: Paths) -> Result<Upstream> {
    let local = local_path(source);
    Ok(match &local {
        Some(path) if Repository::open(path).is_ok() => {
            shared_clone(source, path, git_ref, dest, paths)?
        }
        Some(path) if path.is_dir() => {
            if let Some(r) = git_ref {
                bail!(
                    "--ref {r} given, but {} is a plain directory, not a git repository",
                    path.display()
                );
            }
            from_directory(source, path, dest)?
        }
        Some(path) if !looks_like_url(source) => {
            bail!(
                "source {} does not exist or is not a directory; give a local checkout of mattermost-mobile or a git URL",
                path.display()
            )
        }
        _ => clone_url(source, git_ref, dest, paths)?,
    })
}

/// The commit `git_ref` names in `source`, found without cloning or checking out anything
/// (the up-to-date check of a re-apply): resolved in a local repository, or listed from a
/// remote like `git ls-remote`. None when that cannot be known cheaply (a plain directory,
/// an abbreviated sha on a remote, an unreachable remote); the caller then does the work.
pub fn resolve_commit(source: &str, git_ref: Option<&str>) -> Option<String> {
    match local_path(source) {
        Some(path) => {
            let repo = Repository::open(path).ok()?;
            resolve(&repo, git_ref, source).ok().map(|c| c.to_string())
        }
        None => remote_commit(source, git_ref),
    }
}

fn remote_commit(url: &str, git_ref: Option<&str>) -> Option<String> {
    if let Some(sha) = git_ref.filter(|r| r.len() == 40 && Oid::from_str(r).is_ok()) {
        return Some(sha.to_string());
    }
    let mut remote = git2::Remote::create_detached(url).ok()?;
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(credentials);
    let connection = remote
        .connect_auth(git2::Direction::Fetch, Some(callbacks), None)
        .ok()?;
    let heads = connection.list().ok()?;
    let wanted: Vec<String> = match git_ref {
        // An annotated tag is listed twice; the peeled entry (`^{}`) names the commit.
        Some(name) => vec![
            format!("refs/tags/{name}^{{}}"),
            format!("refs/tags/{name}"),
            format!("refs/heads/{name}"),
        ],
        None => vec!["HEAD".to_string()],
    };
    wanted.iter().find_map(|w| {
        heads
            .iter()
            .find(|h| h.name() == w)
            .map(|h| h.oid().to_string())
    })
}

/// `source` as it may be printed or recorded: an http(s) URL's user name and password hidden
/// (`https://***@host/…`), since `https://user:TOKEN@host/…` is how CI passes a token. An
/// SSH source (`ssh://git@host/…`, `git@host:org/repo`) names a user, not a secret (the key
/// authenticates), and a remote written with it must still work: it is shown as given, like a
/// local path (even with an `@` in it).
pub fn shown(source: &str) -> String {
    let scheme = source
        .split("://")
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if source.contains("://") && matches!(scheme.as_str(), "http" | "https") {
        crate::brand::identifiers::redacted(source)
    } else {
        source.to_string()
    }
}

/// libgit2's `message` about `source` with the URL, or any part of its user name and
/// password, hidden: some transport errors quote the URL they were given.
pub fn scrubbed(message: &str, source: &str) -> String {
    let mut text = message.replace(source, &shown(source));
    if let Some(userinfo) = userinfo(source) {
        text = text.replace(userinfo, "***");
        for part in userinfo.split(':').filter(|p| p.len() >= 4) {
            text = text.replace(part, "***");
        }
    }
    text
}

/// The `user:password` part of a URL with a scheme, if any.
fn userinfo(source: &str) -> Option<&str> {
    let start = source.find("://")? + 3;
    let at = source[start..].rfind('@')?;
    Some(&source[start..start + at]).filter(|u| !u.is_empty())
}

/// A git URL (scheme or scp-like `user@host:path`) rather than a local path.
pub fn looks_like_url(s: &str) -> bool {
    s.contains("://") || (s.contains('@') && s.contains(':'))
}

/// A source given as a path. As with git, `file://` URLs go through the regular clone
/// transport instead (a full, independent copy).
fn local_path(source: &str) -> Option<PathBuf> {
    (!looks_like_url(source)).then(|| PathBuf::from(source))
}

/// Like `git clone --shared`: the new repository borrows the source's objects through
/// `objects/info/alternates`, so nothing is copied but the checked-out files.
fn shared_clone(
    source: &str,
    path: &Path,
    git_ref: Option<&str>,
    dest: &Path,
    paths: Paths,
) -> Result<Upstream> {
    let src = Repository::open(path)
        .with_context(|| format!("cannot open git repository {}", path.display()))?;
    let commit = resolve(&src, git_ref, source)?;
    let objects = src.path().join("objects");
    let objects = objects
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", objects.display()))?;
    let repo = Repository::init(dest)
        .with_context(|| format!("cannot create a repository in {}", dest.display()))?;
    fsutil::write(
        &repo.path().join("objects/info/alternates"),
        format!("{}\n", objects.display()),
    )?;
    // Reopen so libgit2 reads the alternates file.
    let repo = open(dest)?;
    // Recorded as shown: app/.git/config is part of the output and must not hold a token
    // (batch's shared clone of a URL source); nothing fetches from this remote.
    repo.remote("upstream", &shown(source))
        .with_context(|| format!("cannot add remote upstream {}", shown(source)))?;
    checkout_commit(&repo, commit, paths)?;
    Ok(Upstream {
        repo: shown(source),
        url: source.to_string(),
        git_ref: git_ref.map(str::to_string),
        commit: commit.to_string(),
        method: "shared-clone",
    })
}

/// A network clone (https, ssh), with progress on a terminal.
fn clone_url(source: &str, git_ref: Option<&str>, dest: &Path, paths: Paths) -> Result<Upstream> {
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("cloning {msg} {bar:30} {pos}/{len} objects")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(shown(source));
        bar
    });
    let mut callbacks = RemoteCallbacks::new();
    if let Some(bar) = progress.clone() {
        callbacks.transfer_progress(move |p| {
            bar.set_length(p.total_objects() as u64);
            bar.set_position(p.received_objects() as u64);
            true
        });
    }
    callbacks.credentials(credentials);
    let mut fetch = FetchOptions::new();
    fetch.remote_callbacks(callbacks);
    let repo = git2::build::RepoBuilder::new()
        .fetch_options(fetch)
        .with_checkout({
            // The default branch is not wanted; the ref is checked out below.
            let mut co = CheckoutBuilder::new();
            co.dry_run();
            co
        })
        .clone(source, dest)
        .map_err(|e| {
            let message = scrubbed(e.message(), source);
            crate::git_net::clone_error(&shown(source), &message, e.code())
        })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    repo.remote_rename("origin", "upstream")
        .map_err(|e| anyhow!("cannot rename remote origin: {e}"))?;
    // The clone recorded the URL in app/.git/config; a token must not stay in the output.
    if shown(source) != source {
        repo.remote_set_url("upstream", &shown(source))
            .map_err(|e| anyhow!("cannot set the URL of remote upstream: {e}"))?;
    }
    let commit = resolve(&repo, git_ref, source)?;
    checkout_commit(&repo, commit, paths)?;
    Ok(Upstream {
        repo: shown(source),
        url: source.to_string(),
        git_ref: git_ref.map(str::to_string),
        commit: commit.to_string(),
        method: "clone",
    })
}

/// A plain directory (such as the embedded fixture): copied and committed once as
/// "upstream", so the brand's changes are a reviewable diff on top of it.
fn from_directory(source: &str, path: &Path, dest: &Path) -> Result<Upstream> {
    for entry in WalkDir::new(path).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", path.display()))?;
        let rel = entry.path().strip_prefix(path).unwrap_or(entry.path());
        if rel
            .components()
            .any(|c| c.as_os_str() == ".git" || c.as_os_str() == "node_modules")
        {
            continue;
        }
        if entry.file_type().is_dir() {
            fsutil::create_dir_all(&dest.join(rel))?;
        } else if entry.file_type().is_file() {
            fsutil::copy(entry.path(), &dest.join(rel))?;
        }
    }
    let repo = Repository::init(dest)
        .with_context(|| format!("cannot create a repository in {}", dest.display()))?;
    let time = git2::Time::new(0, 0);
    let commit = commit_all(&repo, "upstream: copy of mattermost-mobile", time, None)?;
    Ok(Upstream {
        repo: shown(source),
        url: source.to_string(),
        git_ref: None,
        commit: commit.to_string(),
        method: "directory",
    })
}

/// The commit `git_ref` names (tag, branch, remote branch or sha), or HEAD.
fn resolve(repo: &Repository, git_ref: Option<&str>, source: &str) -> Result<Oid> {
    let Some(name) = git_ref else {
        let head = repo
            .head()
            .with_context(|| format!("{} has no HEAD; pass --ref", shown(source)))?;
        return Ok(head.peel_to_commit()?.id());
    };
    let candidates = [
        format!("refs/tags/{name}"),
        format!("refs/remotes/origin/{name}"),
        format!("refs/heads/{name}"),
        name.to_string(),
    ];
    for c in &candidates {
        if let Ok(obj) = repo.revparse_single(c) {
            if let Ok(commit) = obj.peel_to_commit() {
                return Ok(commit.id());
            }
        }
    }
    let source = shown(source);
    bail!("ref {name:?} not found in {source}: give a tag, branch or commit that exists there (git ls-remote {source})")
}

fn open(dest: &Path) -> Result<Repository> {
    Repository::open(dest).with_context(|| format!("cannot open git repository {}", dest.display()))
}

/// Checks out `commit` like `git checkout`, but fast: libgit2 resolves the real path of
/// every file to look up its attributes (about 70,000 readlink calls on mattermost-mobile,
/// three times the cost of git itself), so the tree is first written without filters and
/// then only the paths named in `.gitattributes` files are written again with them (e.g.
/// upstream's `*.bat text eol=crlf`). With `Paths::Only`, both passes write only the
/// matching files.
fn checkout_commit(repo: &Repository, commit: Oid, paths: Paths) -> Result<()> {
    let obj = repo.find_object(commit, None)?;
    let mut co = CheckoutBuilder::new();
    co.force().disable_filters(true);
    if let Paths::Only(specs) = paths {
        // The attribute files too: the filtered pass reads them from the working tree.
        co.path("*.gitattributes");
        specs.iter().for_each(|spec| {
            co.path(spec);
        });
    }
    repo.checkout_tree(&obj, Some(&mut co))
        .with_context(|| format!("cannot check out {commit}"))?;
    let filtered = filtered_paths(repo, &obj.peel_to_tree()?, paths)?;
    if !filtered.is_empty() {
        let mut co = CheckoutBuilder::new();
        co.force();
        if let Paths::Only(_) = paths {
            // Exact file names, which a pattern character in a name must not widen.
            co.disable_pathspec_match(true);
        }
        for spec in &filtered {
            co.path(spec);
        }
        repo.checkout_tree(&obj, Some(&mut co))
            .with_context(|| format!("cannot check out {commit}"))?;
    }
    repo.set_head_detached(commit)?;
    Ok(())
}

/// What the second, filtered pass of a checkout writes: the patterns of the
/// `.gitattributes` files, or with `Paths::Only` the files both they and the paths match.
fn filtered_paths(repo: &Repository, tree: &git2::Tree, paths: Paths) -> Result<Vec<String>> {
    let specs = attribute_pathspecs(repo, tree)?;
    let Paths::Only(wanted) = paths else {
        return Ok(specs);
    };
    if specs.is_empty() {
        return Ok(specs);
    }
    let flags = git2::PathspecFlags::DEFAULT;
    let wanted = git2::Pathspec::new(wanted)?;
    let attributes = git2::Pathspec::new(&specs)?;
    let matched = attributes.match_tree(tree, flags)?;
    Ok(matched
        .entries()
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter(|p| wanted.matches_path(Path::new(p), flags))
        .map(str::to_string)
        .collect())
}

/// The path patterns of every `.gitattributes` in `tree`, prefixed with its folder.
fn attribute_pathspecs(repo: &Repository, tree: &git2::Tree) -> Result<Vec<String>> {
    let mut specs = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.name() != Some(".gitattributes") {
            return git2::TreeWalkResult::Ok;
        }
        let text = entry
            .to_object(repo)
            .ok()
            .and_then(|o| {
                o.as_blob()
                    .map(|b| String::from_utf8_lossy(b.content()).into_owned())
            })
            .unwrap_or_default();
        for line in text.lines().map(str::trim) {
            if let Some(pattern) = line
                .split_whitespace()
                .next()
                .filter(|p| !p.starts_with('#'))
            {
                specs.push(format!("{dir}{}", pattern.trim_start_matches('/')));
            }
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(specs)
}

fn create_branch(repo: &Repository, branch: &str, commit: &str) -> Result<()> {
    let oid = Oid::from_str(commit)?;
    let target = repo.find_commit(oid)?;
    repo.branch(branch, &target, true)
        .with_context(|| format!("cannot create branch {branch:?}"))?;
    repo.set_head(&format!("refs/heads/{branch}"))
        .with_context(|| format!("cannot switch to branch {branch:?}"))?;
    Ok(())
}

/// Stages every file (new, changed, deleted) and commits on HEAD. `parent` None makes a
/// root commit.
fn commit_all(
    repo: &Repository,
    message: &str,
    time: git2::Time,
    parent: Option<Oid>,
) -> Result<Oid> {
    let mut index = repo.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    // Upstream git-ignores assets/override; the brand branch must carry it, or a build
    // from the branch would lose the brand's assets.
    if repo.workdir().is_some_and(|w| w.join(FORCED_PATH).is_dir()) {
        index.add_all([FORCED_PATH], git2::IndexAddOption::FORCE, None)?;
    }
    index.update_all(["*"], None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = Signature::new(AUTHOR.0, AUTHOR.1, &time)?;
    let parents: Vec<git2::Commit> = parent
        .map(|p| repo.find_commit(p))
        .transpose()?
        .into_iter()
        .collect();
    let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)
        .context("cannot commit the branded tree")
}

/// Commits the branded tree on the brand branch. The commit time is the upstream commit's,
/// so the same inputs give the same commit id.
pub fn commit_brand(app: &Path, brand_name: &str) -> Result<String> {
    let repo = open(app)?;
    let head = repo.head()?.peel_to_commit()?;
    let message = format!("Brand {brand_name} (mmbrand)\n\nGenerated by mmbrand apply; do not edit by hand, change the brand file instead.\n");
    let oid = commit_all(&repo, &message, head.time(), Some(head.id()))?;
    Ok(oid.to_string())
}

/// Pushes the brand branch to `fork` (added as remote "fork").
pub fn push(app: &Path, fork: &str, branch: &str) -> Result<()> {
    let repo = open(app)?;
    let mut remote = match repo.find_remote("fork") {
        Ok(r) => r,
        Err(_) => repo
            .remote("fork", fork)
            .with_context(|| format!("cannot add remote {}", shown(fork)))?,
    };
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(credentials);
    let mut options = git2::PushOptions::new();
    options.remote_callbacks(callbacks);
    let spec = format!("+refs/heads/{branch}:refs/heads/{branch}");
    remote
        .push(&[spec.as_str()], Some(&mut options))
        .with_context(|| format!("cannot push {branch} to {}", shown(fork)))
}

/// ssh-agent for ssh URLs, the git credential helpers for https.
fn credentials(
    url: &str,
    username: Option<&str>,
    allowed: git2::CredentialType,
) -> std::result::Result<git2::Cred, git2::Error> {
    if allowed.contains(git2::CredentialType::SSH_KEY) {
        return git2::Cred::ssh_key_from_agent(username.unwrap_or("git"));
    }
    if allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) {
        let config = git2::Config::open_default()?;
        return git2::Cred::credential_helper(&config, url, username);
    }
    git2::Cred::default()
}

/// Makes the bare repository `store` a current copy of `url` (every branch and tag, HEAD on
/// the remote's default branch): cloned the first time, fetched on later runs. `batch`
/// clones each URL source once this way and gives every brand a shared clone of it.
pub fn update_store(url: &str, store: &Path) -> Result<()> {
    let repo = match Repository::open_bare(store) {
        Ok(repo) => repo,
        Err(_) => Repository::init_bare(store)
            .with_context(|| format!("cannot create a repository in {}", store.display()))?,
    };
    let mut remote = repo
        .remote_anonymous(url)
        .with_context(|| format!("cannot use {} as a git remote", shown(url)))?;
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(credentials);
    let mut fetch = FetchOptions::new();
    fetch.remote_callbacks(callbacks);
    // Mirror refs (heads as heads), so refs resolve in the store as in the remote; pruned,
    // so a deleted branch does not linger.
    fetch.prune(git2::FetchPrune::On);
    remote
        .fetch(
            &["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
            Some(&mut fetch),
            None,
        )
        .map_err(|e| {
            anyhow!(
                "cannot fetch {} into {}: {}",
                shown(url),
                store.display(),
                scrubbed(e.message(), url)
            )
        })?;
    // Without --ref the checkout takes HEAD, which must be the remote's default branch.
    if let Ok(head) = remote.default_branch() {
        if let Some(head) = head.as_str() {
            repo.set_head(head)
                .with_context(|| format!("cannot set HEAD of {}", store.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with a few files committed, for checkouts.
    fn repo_with(files: &[&str]) -> (tempfile::TempDir, String) {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        for f in files {
            let text = match *f {
                ".gitattributes" => "*.bat text eol=crlf\n",
                _ => "one\ntwo\n",
            };
            fsutil::write(&src.join(f), text).unwrap();
        }
        let repo = Repository::init(&src).unwrap();
        commit_all(&repo, "c", git2::Time::new(0, 0), None).unwrap();
        let s = src.display().to_string();
        (tmp, s)
    }

    #[test]
    fn a_token_in_a_url_is_shown_hidden_and_a_path_as_given() {
        let url = "https://ci-bot:tok3n@git.example/mobile.git";
        assert_eq!(shown(url), "https://***@git.example/mobile.git");
        assert_eq!(
            shown(&shown(url)),
            shown(url),
            "showing twice changes nothing"
        );
        assert_eq!(
            shown("https://git.example/m.git"),
            "https://git.example/m.git"
        );
        assert_eq!(shown("/src/me@work/mobile"), "/src/me@work/mobile");
        for ssh in [
            "git@github.com:org/mobile.git",
            "ssh://git@git.example/mobile.git",
        ] {
            assert_eq!(shown(ssh), ssh, "an SSH user is not a secret");
        }
        assert_eq!(
            shown("HTTPS://tok3n@git.example/m.git"),
            "HTTPS://***@git.example/m.git"
        );
        let message = format!("failed to reach {url}; user ci-bot, password tok3n");
        let text = scrubbed(&message, url);
        assert!(
            !text.contains("tok3n") && !text.contains("ci-bot"),
            "{text}"
        );
        assert!(
            text.contains("https://***@git.example/mobile.git"),
            "{text}"
        );
    }

    /// batch checks a URL source out of its object store: the output's git config and the
    /// upstream it reports hold the URL without its token.
    #[test]
    fn a_shared_clone_of_a_tokened_url_keeps_no_token() {
        let (tmp, store) = repo_with(&["app.json"]);
        let url = "https://ci-bot:tok3n@git.example/mobile.git";
        let dest = tmp.path().join("dest");
        let upstream =
            checkout(url, Some(Path::new(&store)), None, &dest, "b", Paths::All).unwrap();
        assert_eq!(upstream.repo, "https://***@git.example/mobile.git");
        assert_eq!(upstream.url, url);
        let config = std::fs::read_to_string(dest.join(".git/config")).unwrap();
        assert!(
            config.contains("https://***@git.example/mobile.git"),
            "{config}"
        );
        assert!(
            !config.contains("tok3n") && !config.contains("ci-bot"),
            "{config}"
        );
    }

    #[test]
    fn a_checkout_of_some_paths_writes_only_those() {
        let files = [
            ".gitattributes",
            "app.json",
            "app/run.bat",
            "app/screens/a.ts",
            "assets/base/config.json",
            "assets/base/run.bat",
            "assets/based.txt",
            "ios/Mattermost/LaunchScreen.storyboard",
            "ios/Mattermost/Info.plist",
        ];
        let (tmp, src) = repo_with(&files);
        let dest = tmp.path().join("dest");
        let specs = ["app.json", "assets/base", "ios/*.storyboard"].map(String::from);
        checkout(&src, None, None, &dest, "b", Paths::Only(&specs)).unwrap();
        let present: Vec<&str> = files
            .into_iter()
            .filter(|f| dest.join(f).exists())
            .collect();
        assert_eq!(
            present,
            [
                ".gitattributes",
                "app.json",
                "assets/base/config.json",
                "assets/base/run.bat",
                "ios/Mattermost/LaunchScreen.storyboard"
            ]
        );
        // The attributes still apply to the files written.
        let bat = std::fs::read_to_string(dest.join("assets/base/run.bat")).unwrap();
        assert_eq!(bat, "one\r\ntwo\r\n");
        let json = std::fs::read_to_string(dest.join("app.json")).unwrap();
        assert_eq!(json, "one\ntwo\n");
    }
}
