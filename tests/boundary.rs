//! The storage boundary, read from the source: SQL lives under `src/store/` only, and the
//! store's modules import one another in one direction.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// What marks SQL or a raw connection in Rust source.
const SQL_MARKS: [&str; 12] = [
    "SELECT ",
    "INSERT INTO",
    "INSERT OR",
    "DELETE FROM",
    "UPDATE ",
    "CREATE TABLE",
    "PRAGMA ",
    ".conn()",
    ".prepare(",
    ".prepare_cached(",
    ".execute(",
    ".query_row(",
];

fn sql_lines(text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.trim_start();
            !code.starts_with("//") && SQL_MARKS.iter().any(|m| l.contains(m))
        })
        .map(|(i, l)| format!("{}: {}", i + 1, l.trim()))
        .collect()
}

#[test]
fn no_sql_outside_the_store() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("src/store/") {
            continue;
        }
        for line in sql_lines(&std::fs::read_to_string(f).unwrap()) {
            found.push(format!("{rel}:{line}"));
        }
    }
    assert!(
        found.is_empty(),
        "SQL outside src/store/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checker_sees_sql() {
    // A checker that cannot fail proves nothing.
    assert_eq!(
        sql_lines("let n = conn.query_row(\"SELECT 1\", [], f)?;").len(),
        1
    );
    assert_eq!(sql_lines("let rows = store.conn().prepare(q)?;").len(), 1);
    assert!(sql_lines("// SELECT in a comment").is_empty());
    assert!(sql_lines("let label = \"Sélectionner\";").is_empty());
}

/// Store modules each one imports (`super::x`), mod.rs excluded (it is the parent).
fn store_imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let names: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|n| n != "mod")
        .collect();
    let mut graph = BTreeMap::new();
    for f in &files {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests (`mod tests { use super::*; }`) look at their own module only.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let deps: BTreeSet<String> = names
            .iter()
            .filter(|other| **other != name)
            .filter(|other| {
                text.contains(&format!("super::{other}::"))
                    || text.contains(&format!("super::{other}}}"))
                    || text.contains(&format!("super::{other};"))
                    || text.contains(&format!("super::{{{other}"))
                    || text.contains(&format!("super::{other},"))
            })
            .cloned()
            .collect();
        graph.insert(name, deps);
    }
    graph
}

fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn store_modules_import_one_way() {
    let graph = store_imports();
    assert!(graph.contains_key("history"), "{graph:?}");
    assert!(
        graph["history"].is_empty(),
        "history is the bottom: {graph:?}"
    );
    assert!(
        graph["log"].contains("requests"),
        "the reader of imports sees them: {graph:?}"
    );
    if let Some(c) = cycle(&graph) {
        panic!("import cycle in src/store/: {}", c.join(" -> "));
    }
    let mut looped = graph.clone();
    looped.get_mut("history").unwrap().insert("log".into());
    assert!(cycle(&looped).is_some(), "the cycle finder finds cycles");
}
