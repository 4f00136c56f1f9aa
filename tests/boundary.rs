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

/// Every Rust file under `dir` (relative to the crate), as its path from the crate root
/// (with `/`) and its text.
fn sources(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(dir), &mut files);
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(root).unwrap().to_string_lossy();
            (rel.replace('\\', "/"), std::fs::read_to_string(f).unwrap())
        })
        .collect()
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
    let mut found = Vec::new();
    for (rel, text) in sources("src") {
        if rel.starts_with("src/store/") {
            continue;
        }
        for line in sql_lines(&text) {
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

/// The names of the store's methods that take `&mut self` (they write, or log a reading).
fn store_writers() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (_, text) in sources("src/store") {
        // Only the methods of `impl Store` blocks: `Person::validate` or a health check's
        // `status` take `&mut self` too, but write nothing to the file.
        let mut in_store = false;
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            if line.starts_with("impl") {
                in_store = line.starts_with("impl Store ");
            }
            let Some(at) = line.find("pub fn ") else {
                continue;
            };
            if !in_store {
                continue;
            }
            let rest = &line[at + "pub fn ".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // The signature, up to its body (it may span lines).
            let mut signature = rest.to_string();
            while !signature.contains('{') {
                match lines.peek() {
                    Some(next) if !next.trim_start().starts_with("pub fn ") => {
                        signature.push_str(lines.next().unwrap());
                    }
                    _ => break,
                }
            }
            if signature.contains("&mut self") {
                names.insert(name);
            }
        }
    }
    names
}

/// The interface writes through one function: `App::apply` runs a command (`run_command`,
/// `write_patch`, and the aid forms' `tui::aids::run` it calls). Anywhere else in `src/tui/`
/// a call to a writing store method, or to the salon and demo writers, is a defect.
#[test]
fn the_interface_writes_only_through_apply() {
    let writers = store_writers();
    assert!(
        writers.contains("create_requests") && writers.contains("place_request"),
        "the store's writers are found: {writers:?}"
    );
    // `Store::write` takes any closure; a bare `.write(` is also `OpenOptions::write`.
    let mut marks: Vec<String> = writers
        .iter()
        .map(|w| match w.as_str() {
            "write" => "store.write(".to_string(),
            _ => format!(".{w}("),
        })
        .collect();
    for f in [
        "salon::merge(",
        "salon::capture(",
        "salon::resolve_with(",
        "salon::undo(",
        "demo::fill(",
    ] {
        marks.push(f.to_string());
    }
    // Where writing is the point: the one writer, and two readings that are logged
    // (consulting a request, exporting a person: the access log records them).
    let allowed = |file: &str, func: &str, mark: &str| {
        matches!(
            (file, func),
            ("src/tui/app.rs", "run_command" | "write_patch") | ("src/tui/aids.rs", "run")
        ) || mark == ".consult_request("
            || mark == ".person_export("
            // The agent named on the command line (`--agent`) exists before the first key.
            || (file == "src/tui/app.rs" && func == "new" && mark == ".ensure_agent(")
            // The daily backup copy, made once as the interface opens.
            || (file == "src/tui/mod.rs" && func == "run" && mark == ".startup_notice(")
            // An unsaved form kept as the terminal goes away and taken back at the next start
            // (`tui/draft.rs`): no change to requests or persons.
            || (file == "src/tui/mod.rs" && mark == ".save_draft(")
            || (file == "src/tui/draft.rs"
                && func == "take_back"
                && (mark == ".find_draft(" || mark == ".drop_draft("))
    };
    let mut found = Vec::new();
    for (rel, text) in sources("src/tui") {
        let mut func = String::new();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if let Some(at) = code.find("fn ") {
                let name: String = code[at + 3..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    func = name;
                }
            }
            for mark in &marks {
                if code.contains(mark.as_str()) && !allowed(&rel, &func, mark) {
                    found.push(format!("{rel}:{} in {func}: {}", i + 1, code));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "writes outside App::apply:\n{}",
        found.join("\n")
    );
}

/// The interface opens its file and shows its data without the command line's modules
/// (`cli`, `cli_*`): those are a front end beside it, not under it.
#[test]
fn the_interface_does_not_use_the_command_line() {
    let mut found = Vec::new();
    for (rel, text) in sources("src/tui") {
        for (i, line) in text.lines().enumerate() {
            if line.contains("crate::cli") || line.contains("super::cli") {
                found.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the interface uses the command line:\n{}",
        found.join("\n")
    );
}
