//! A `salon prepare` that fails writes nothing into the office file (issue #9, item 5): the
//! laptop file is made first, the office's event and series letter are written last.

mod common;

use common::{Env, dump};

/// What a prepare may write into the office file.
const TABLES: [&str; 5] = ["event", "history", "counter", "access_log", "meta"];

fn prepare(env: &Env, out: &str) -> std::process::Command {
    let mut c = env.cmd();
    c.args([
        "salon",
        "prepare",
        "--event",
        "Forum santé",
        "--date",
        "21/11/2026",
        "--out",
        out,
    ]);
    c
}

fn office(env: &Env) -> Vec<String> {
    dump(&env.db(), &TABLES)
}

#[test]
fn a_prepare_that_fails_leaves_the_office_file_as_it_was() {
    let env = Env::new();
    env.ok(&[
        "request", "add", "--type", "bourse", "--nom", "Roux", "--prenom", "Léa",
    ]);
    let before = office(&env);

    // A folder that does not exist.
    let missing = env.path("absent").join("portable.sqlite3");
    let out = prepare(&env, missing.to_str().unwrap()).output().unwrap();
    assert!(!out.status.success());
    assert_eq!(office(&env), before, "destination not writable");

    // A file that already exists is never overwritten.
    let existing = env.path("deja.sqlite3");
    std::fs::write(&existing, b"autre chose").unwrap();
    let out = prepare(&env, existing.to_str().unwrap()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&existing).unwrap(), b"autre chose");
    assert_eq!(office(&env), before, "destination exists");

    // A failure once the laptop file is written (as a full disk would): no laptop file left.
    let laptop = env.path("portable.sqlite3");
    let out = prepare(&env, laptop.to_str().unwrap())
        .env("GUICHET_TEST_SALON_FAIL", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("échec simulé"));
    assert_eq!(office(&env), before, "failure after the laptop file");
    for suffix in ["", "-wal", "-shm"] {
        let mut p = laptop.as_os_str().to_owned();
        p.push(suffix);
        assert!(!std::path::Path::new(&p).exists(), "{p:?} left behind");
    }

    // Then a prepare that succeeds writes the event and takes the first series letter.
    let ok = prepare(&env, laptop.to_str().unwrap()).output().unwrap();
    common::assert_succeeded(&ok);
    let after = office(&env);
    assert_eq!(
        after
            .iter()
            .filter(|l| l.starts_with("event|") && l.contains("Forum santé"))
            .count(),
        1
    );
    assert!(
        after
            .iter()
            .any(|l| l.starts_with("counter|") && l.contains("salon_series"))
    );
    let c = rusqlite::Connection::open(&laptop).unwrap();
    let series: String = c
        .query_row("SELECT value FROM meta WHERE key = 'series'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(series, "B");
}
