//! ARCHITECTURE.md's diagram of the crates stays true: its arrows are exactly the normal
//! dependencies between the workspace's crates, as `cargo metadata` reports them. A crate or a
//! dependency added without its arrow (or an arrow left behind) is named.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

type Edges = BTreeSet<(String, String)>;

fn repo() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

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
