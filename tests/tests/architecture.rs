//! ARCHITECTURE.md's diagram of the crates stays true: its arrows are exactly the normal
//! dependencies between the workspace's crates, as `cargo metadata` reports them. A crate or a
//! dependency added without its arrow (or an arrow left behind) is named. Inside `shared`, the
//! modules of the domain and of call control depend on one another one way: a cycle between
//! them (as `calls` ↔ `handoff` ↔ `routing` once was) is named.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;
use sources::{repo, rust_files};

mod sources;

type Edges = BTreeSet<(String, String)>;

/// A crate's name as the diagram writes it (Mermaid ids take no `-`).
fn node(name: &str) -> String {
    name.replace('-', "_")
}

/// The arrows `a --> b` of the document's first Mermaid block.
fn diagram_edges(markdown: &str) -> Edges {
    let block = markdown
        .split("```mermaid")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_default();
    block
        .lines()
        .filter_map(|line| line.split_once("-->"))
        .map(|(a, b)| (node(a.trim()), node(b.trim())))
        .collect()
}

/// The workspace's dependency edges between its own crates (normal dependencies only).
fn workspace_edges(metadata: &Value) -> Edges {
    let packages = metadata["packages"].as_array().expect("cargo metadata lists packages");
    let ours: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut edges = Edges::new();
    for p in packages {
        let from = p["name"].as_str().unwrap_or_default();
        for d in p["dependencies"].as_array().into_iter().flatten() {
            let to = d["name"].as_str().unwrap_or_default();
            if d["kind"].is_null() && ours.contains(to) && to != from {
                edges.insert((node(from), node(to)));
            }
        }
    }
    edges
}

/// What is missing from and extra in the diagram, one line each; empty when they agree.
fn differences(diagram: &Edges, workspace: &Edges) -> Vec<String> {
    let missing = workspace
        .difference(diagram)
        .map(|(a, b)| format!("missing from the diagram: {a} --> {b}"));
    let extra = diagram
        .difference(workspace)
        .map(|(a, b)| format!("in the diagram but not a dependency: {a} --> {b}"));
    missing.chain(extra).collect()
}

#[test]
fn a_diagram_that_drifted_from_the_crates_names_each_wrong_arrow() {
    let diagram = diagram_edges("text\n```mermaid\ngraph TD\n  local --> shared\n  voice --> shared\n```\n");
    let metadata = serde_json::json!({"packages": [
        {"name": "local", "dependencies": [{"name": "shared", "kind": null}, {"name": "call-lists", "kind": null}]},
        {"name": "call-lists", "dependencies": [{"name": "shared", "kind": null}, {"name": "tempfile", "kind": null}]},
        {"name": "shared", "dependencies": [{"name": "shared", "kind": "dev"}]},
    ]});
    let found = differences(&diagram, &workspace_edges(&metadata));
    assert_eq!(
        found,
        [
            "missing from the diagram: call_lists --> shared",
            "missing from the diagram: local --> call_lists",
            "in the diagram but not a dependency: voice --> shared",
        ]
    );
}

#[test]
fn the_crate_diagram_is_the_workspace_dependency_graph() {
    let markdown = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(repo())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let workspace = workspace_edges(&metadata);
    assert!(workspace.len() >= 10, "the workspace's crates are read: {workspace:?}");
    let found = differences(&diagram_edges(&markdown), &workspace);
    assert!(
        found.is_empty(),
        "update the Mermaid diagram in ARCHITECTURE.md:\n{}",
        found.join("\n")
    );
}

/// The modules of `shared`'s domain and call control (`domain::calls`, `control::offers`), each
/// with the sources it is made of: `domain/calls.rs` and everything under `domain/calls/` are
/// one module. The rooms' own `mod.rs` (the services' composition) is left out: it names every
/// module by design.
fn shared_modules() -> Vec<(String, Vec<(std::path::PathBuf, usize)>)> {
    let mut modules: Vec<(String, Vec<(std::path::PathBuf, usize)>)> = Vec::new();
    for room in ["domain", "control"] {
        let dir = repo().join("shared/src").join(room);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .expect("read a room of shared")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            if stem == "mod" {
                continue;
            }
            let name = format!("{room}::{stem}");
            let files = match modules.iter_mut().find(|(n, _)| *n == name) {
                Some((_, files)) => files,
                None => {
                    modules.push((name, Vec::new()));
                    &mut modules.last_mut().expect("just pushed").1
                }
            };
            if path.is_dir() {
                let mut inner = Vec::new();
                rust_files(&path, &mut inner);
                // A file directly in the folder is one level below the room, deeper ones more.
                files.extend(inner.into_iter().map(|f| {
                    let depth = f.strip_prefix(&dir).map(|r| r.components().count()).unwrap_or(2);
                    (f, depth)
                }));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push((path, 1));
            }
        }
    }
    modules
}

/// The first names of a use tree or a path after its prefix: `calls::field` → `calls`,
/// `{calls::{A, B}, memos::C}` → `calls`, `memos`.
fn first_names(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let rest = rest.trim_start();
    let Some(inner) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    let mut names = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                names.push(ident(inner[start..i].trim_start()));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                names.push(ident(inner[start..i].trim_start()));
                start = i + 1;
            }
            _ => {}
        }
    }
    names
}

/// The modules of its room and of the other room that a source file at `depth` below its room
/// (1: `domain/calls.rs`, 2: `domain/calls/transfer.rs`) names, outside comments and its test
/// module: through `crate::domain::…`, `crate::control::…` or `super::…` reaching the room.
fn named_modules(room: &str, depth: usize, source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let to_room = "super::".repeat(depth);
    let mut prefixes = vec![
        ("crate::domain::".to_owned(), "domain"),
        ("crate::control::".to_owned(), "control"),
    ];
    prefixes.push((to_room.clone(), room));
    let mut named = BTreeSet::new();
    for (prefix, target_room) in &prefixes {
        for (i, _) in code.match_indices(prefix.as_str()) {
            // `super::` of a deeper file only reaches the room when repeated `depth` times.
            let before = &code[..i];
            if prefix.starts_with("super::") && before.ends_with("super::") {
                continue;
            }
            for name in first_names(&code[i + prefix.len()..]) {
                if name.starts_with(|c: char| c.is_ascii_lowercase()) && name != "super" {
                    named.insert(format!("{target_room}::{name}"));
                }
            }
        }
    }
    named
}

type Graph = std::collections::BTreeMap<String, BTreeSet<String>>;

/// Every cycle of the graph, once each, as `a -> b -> … -> a` (found from its least module).
fn cycles(graph: &Graph) -> Vec<String> {
    fn walk(graph: &Graph, start: &str, path: &mut Vec<String>, found: &mut BTreeSet<String>) {
        let here = path.last().cloned().unwrap_or_default();
        for next in graph.get(&here).into_iter().flatten() {
            if next == start {
                found.insert(format!("{} -> {start}", path.join(" -> ")));
            } else if next.as_str() > start && !path.contains(next) && graph.contains_key(next) {
                path.push(next.clone());
                walk(graph, start, path, found);
                path.pop();
            }
        }
    }
    let mut found = BTreeSet::new();
    for start in graph.keys() {
        walk(graph, start, &mut vec![start.clone()], &mut found);
    }
    found.into_iter().collect()
}

/// The graph of the domain's and call control's modules as their sources name one another.
fn module_graph() -> Graph {
    let modules = shared_modules();
    let known: BTreeSet<&str> = modules.iter().map(|(n, _)| n.as_str()).collect();
    let mut graph = Graph::new();
    for (name, files) in &modules {
        let room = name.split("::").next().unwrap_or_default();
        let edges = graph.entry(name.clone()).or_default();
        for (file, depth) in files {
            let source = std::fs::read_to_string(file).expect("read a module");
            for named in named_modules(room, *depth, &source) {
                if named != *name && known.contains(named.as_str()) {
                    edges.insert(named);
                }
            }
        }
    }
    graph
}

#[test]
fn module_names_are_read_from_uses_and_paths_and_a_cycle_is_named() {
    let calls = "use super::handoff::Transfer;
use crate::domain::{memos::{Memo, MEMO_MAX_CHARS}, settings};
// use super::monitor::Board; (a comment)
    let t = super::routing::ended();
#[cfg(test)]
mod tests { use crate::domain::crm::Record; }
";
    let named: Vec<String> = named_modules("domain", 1, calls).into_iter().collect();
    assert_eq!(
        named,
        [
            "domain::handoff",
            "domain::memos",
            "domain::routing",
            "domain::settings"
        ]
    );
    let inner = "use super::ParticipantLabel;\nuse super::super::operators::OperatorRecord;\nuse crate::control::legs;";
    let named: Vec<String> = named_modules("domain", 2, inner).into_iter().collect();
    assert_eq!(named, ["control::legs", "domain::operators"]);

    let graph: Graph = [
        ("domain::calls", vec!["domain::handoff"]),
        ("domain::handoff", vec!["domain::memos", "domain::routing"]),
        ("domain::memos", vec!["domain::calls"]),
        ("domain::routing", vec!["domain::settings"]),
        ("domain::settings", vec![]),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        cycles(&graph),
        ["domain::calls -> domain::handoff -> domain::memos -> domain::calls"]
    );
    let mut acyclic = graph.clone();
    acyclic.insert("domain::memos".into(), BTreeSet::new());
    assert!(cycles(&acyclic).is_empty());
}

#[test]
fn the_domain_and_call_control_modules_depend_on_one_another_one_way() {
    let graph = module_graph();
    for expected in ["domain::calls", "domain::handoff", "domain::routing", "control::offers"] {
        assert!(graph.contains_key(expected), "{expected} is read: {graph:?}");
    }
    assert!(
        graph["domain::handoff"].contains("domain::calls"),
        "the uses are read: {graph:?}"
    );
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "move what these modules share down into the lower one (the call record, its types), so \
         that one depends on the other and not back:\n{}",
        found.join("\n")
    );
}
