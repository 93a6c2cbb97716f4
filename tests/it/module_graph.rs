//! The layering rule of ARCHITECTURE.md, checked on the source: arrows only point down.
//! Reads every `use crate::…` / `use super::…` tree and inline `crate::…` path of `src/`
//! (test modules excluded), resolves each to the module file that defines it, and fails on
//! any import cycle, and on any import from `src/brand/` into a module below the pipeline.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules the brand model may use: the leaves every layer shares.
const BRAND_MAY_USE: [&str; 6] = [
    "problems",
    "fsutil",
    "error",
    "format",
    "did_you_mean",
    "testing",
];

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = Graph::read(&src_dir());
    let cycles = graph.cycles();
    assert!(
        cycles.is_empty(),
        "import cycles among modules (each line: the modules of one cycle; `use` lines show which file imports which):\n{}",
        cycles
            .iter()
            .map(|c| format!("  {}", c.join(" -> ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_brand_model_imports_nothing_downstream() {
    let graph = Graph::read(&src_dir());
    let mut wrong = Vec::new();
    for (from, tos) in &graph.edges {
        if !is_brand(from) {
            continue;
        }
        for to in tos {
            let top = to.split("::").next().unwrap_or("");
            if !is_brand(to) && !BRAND_MAY_USE.contains(&top) {
                wrong.push(format!("  {from} imports {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "src/brand/ must depend on nothing downstream (allowed: {BRAND_MAY_USE:?}):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_the_command_layer_imports_the_command_line() {
    let graph = Graph::read(&src_dir());
    let wrong: Vec<String> = graph
        .edges
        .iter()
        .filter(|(from, _)| {
            *from != "cli" && *from != "commands" && !from.starts_with("commands::")
        })
        .filter(|(_, tos)| tos.contains("cli"))
        .map(|(from, _)| format!("  {from} imports cli"))
        .collect();
    assert!(
        wrong.is_empty(),
        "the clap structs stay in the command layer (src/commands/ turns them into plain options):\n{}",
        wrong.join("\n")
    );
}

/// The checker itself: a planted two-module cycle is found, a chain is not.
#[test]
fn the_cycle_check_finds_a_planted_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("b")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\npub mod c;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::{x::Y, Z};\n").unwrap();
    std::fs::write(src.join("b/mod.rs"), "pub mod x;\npub struct Z;\n").unwrap();
    std::fs::write(
        src.join("b/x.rs"),
        "pub struct Y;\nfn f() { crate::c::g(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("c.rs"), "pub fn g() {}\n").unwrap();
    assert!(Graph::read(src).cycles().is_empty());
    std::fs::write(
        src.join("c.rs"),
        "pub fn g() { crate::a::h() }\n#[cfg(test)]\nmod tests { use crate::b::Z; }\n",
    )
    .unwrap();
    let cycles = Graph::read(src).cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert_eq!(cycles[0], ["a", "b::x", "c"]);
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn is_brand(module: &str) -> bool {
    module == "brand" || module.starts_with("brand::")
}

/// Module name (`push::credentials`) -> the modules it imports.
struct Graph {
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn read(src: &Path) -> Graph {
        let files: BTreeMap<String, PathBuf> = walkdir::WalkDir::new(src)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
            .filter_map(|e| Some((module_of(src, e.path())?, e.path().to_path_buf())))
            .collect();
        let modules: BTreeSet<String> = files.keys().cloned().collect();
        let mut edges = BTreeMap::new();
        for (module, path) in &files {
            let text = std::fs::read_to_string(path).unwrap();
            let mut targets = BTreeSet::new();
            for p in paths(&without_tests(&text)) {
                let absolute = absolute(module, &p, path.ends_with("mod.rs"));
                if let Some(target) = resolve(&modules, &absolute) {
                    if &target != module && !module.starts_with(&format!("{target}::")) {
                        targets.insert(target);
                    }
                }
            }
            edges.insert(module.clone(), targets);
        }
        Graph { edges }
    }

    /// Every strongly connected component of more than one module, sorted.
    fn cycles(&self) -> Vec<Vec<String>> {
        let nodes: Vec<&String> = self.edges.keys().collect();
        let reach = |start: &String| -> BTreeSet<String> {
            let mut seen = BTreeSet::new();
            let mut todo = vec![start.clone()];
            while let Some(n) = todo.pop() {
                for m in self.edges.get(&n).into_iter().flatten() {
                    if seen.insert(m.clone()) {
                        todo.push(m.clone());
                    }
                }
            }
            seen
        };
        let reachable: BTreeMap<&String, BTreeSet<String>> =
            nodes.iter().map(|n| (*n, reach(n))).collect();
        let mut done = BTreeSet::new();
        let mut out = Vec::new();
        for n in &nodes {
            if done.contains(*n) {
                continue;
            }
            let component: Vec<String> = nodes
                .iter()
                .filter(|m| reachable[*n].contains(**m) && reachable[**m].contains(*n))
                .map(|m| m.to_string())
                .collect();
            done.extend(component.iter().cloned());
            if component.len() > 1 {
                out.push(component);
            }
        }
        out
    }
}

/// `src/push/mod.rs` -> `push`, `src/push/credentials.rs` -> `push::credentials`; the crate
/// roots are not modules of the graph.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    match parts.as_slice() {
        [] => None,
        [only] if only == "lib" || only == "main" => None,
        _ => Some(parts.join("::")),
    }
}

/// The source without its inline test modules (`#[cfg(test)] mod x { … }`); a
/// `#[cfg(test)] mod x;` declaration stays, its file is read as a module of its own.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("#[cfg(test)]") {
        let after = &rest[i + "#[cfg(test)]".len()..];
        let item = after.trim_start();
        let header_end = item.find(['{', ';']).unwrap_or(item.len());
        let is_inline_mod = item[..header_end].split_whitespace().any(|w| w == "mod")
            && item[header_end..].starts_with('{');
        if !is_inline_mod {
            out.push_str(&rest[..i + "#[cfg(test)]".len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..i]);
        let body = &item[header_end..];
        let mut depth = 0usize;
        let mut end = body.len();
        for (j, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// Every `crate::…` and `super::…` path of the text, with `use` trees expanded.
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(i) = rest.find("use ") {
        let boundary = i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric();
        let after = &rest[i + 4..];
        let end = after.find(';').unwrap_or(after.len());
        if boundary {
            let tree: String = after[..end]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if tree.starts_with("crate::") || tree.starts_with("super::") {
                expand(&tree, &mut Vec::new(), &mut out);
            }
        }
        rest = &after[end.min(after.len())..];
    }
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            let prev = code[..at].chars().next_back();
            let tail: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            if !prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                out.push(tail.split("::").map(str::to_string).collect());
            }
            from = at + start.len();
        }
    }
    out
}

/// `a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree.find('{') {
        None => {
            let mut p = prefix.clone();
            p.extend(
                tree.split(" as ")
                    .next()
                    .unwrap_or("")
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(|s| s.split("as").next().unwrap_or(s).to_string()),
            );
            out.push(p);
        }
        Some(open) => {
            let head: Vec<String> = tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let depth = prefix.len();
            prefix.extend(head.iter().cloned());
            for part in split_top(inner) {
                expand(part, prefix, out);
            }
            prefix.truncate(depth);
        }
    }
}

/// Splits at commas outside braces.
fn split_top(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// The path from the crate root: `super::` taken relative to the importing module.
fn absolute(module: &str, path: &[String], _is_mod_rs: bool) -> Vec<String> {
    let mut base: Vec<String> = module.split("::").map(str::to_string).collect();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => base.clear(),
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    base
}

/// The longest prefix of the path that is a module of the crate.
fn resolve(modules: &BTreeSet<String>, path: &[String]) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains(m))
}
