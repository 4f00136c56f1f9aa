//! Migrations from the files in the field: the committed schema-1 fixture opens, migrates to
//! [`SCHEMA_VERSION`] and keeps every row; a migration killed part-way leaves a whole version
//! (never a mix) and the next open resumes it. No test names a version number: other changes add
//! migrations too.

mod common;

use common::Env;
use guichet::store::{SCHEMA_VERSION, migrate_to};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/schema1.sqlite3"
);

/// A private copy of the fixture (the committed file is never opened read-write).
/// Every schema object (type, name, SQL).
type Schema = Vec<(String, String, Option<String>)>;

fn copy_fixture(env: &Env, name: &str) -> PathBuf {
    let path = env.path(name);
    std::fs::copy(FIXTURE, &path).expect("copy fixture");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn version(path: &Path) -> i64 {
    // A read-write connection: it rolls back a hot journal or WAL left by a killed process.
    let c = Connection::open(path).expect("open");
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version")
}

/// Every schema object (type, name, SQL), sorted: two files with the same list have the same
/// schema.
fn schema(path: &Path) -> Schema {
    let c = Connection::open(path).expect("open");
    let mut st = c
        .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
        .expect("schema");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

/// The schema of version `v`, built in-process from the fixture with the same migrations.
fn reference_schemas(env: &Env) -> BTreeMap<i64, Schema> {
    let first = version(Path::new(FIXTURE));
    (first..=SCHEMA_VERSION)
        .map(|v| {
            let path = copy_fixture(env, &format!("reference-{v}.sqlite3"));
            let c = Connection::open(&path).expect("open");
            migrate_to(&c, v).expect("migrate");
            drop(c);
            (v, schema(&path))
        })
        .collect()
}

/// The plain tables of the fixture (no SQLite internals, no full-text index shadows), with their
/// columns.
fn fixture_tables() -> Vec<(String, Vec<String>)> {
    let c = Connection::open_with_flags(FIXTURE, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open fixture");
    let mut st = c
        .prepare(
            "SELECT name FROM sqlite_schema t WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND NOT EXISTS (SELECT 1 FROM sqlite_schema v WHERE v.sql LIKE 'CREATE VIRTUAL%'
                             AND (t.name = v.name OR t.name LIKE v.name || '\\_%' ESCAPE '\\'))
             ORDER BY name",
        )
        .unwrap();
    let names: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    names
        .into_iter()
        .map(|t| {
            let mut st = c
                .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
                .unwrap();
            let cols = st
                .query_map([&t], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            (t, cols)
        })
        .collect()
}

/// Every row of the fixture's tables, read through the fixture's own columns (a later migration
/// may add columns; it must not lose or change a value).
fn rows(path: &Path, tables: &[(String, Vec<String>)]) -> Vec<String> {
    let c = Connection::open(path).expect("open");
    let mut out = Vec::new();
    for (t, cols) in tables {
        // Names come from the fixture's own schema, never from input.
        let list = cols
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let mut st = c
            .prepare(&format!("SELECT {list} FROM \"{t}\" ORDER BY rowid"))
            .expect("select");
        let n = st.column_count();
        let all = st
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("rows");
        out.extend(all.map(|r| format!("{t}|{}", r.expect("row").join("|"))));
    }
    out
}

fn guichet(env: &Env, db: &Path) -> std::process::Command {
    let mut c = env.cmd();
    c.env("GUICHET_DB", db)
        .env_remove("GUICHET_TEST_ABORT_MIGRATION");
    c
}

#[test]
fn the_fixture_is_a_populated_schema_1_file() {
    assert_eq!(version(Path::new(FIXTURE)), 1);
    let tables = fixture_tables();
    let names: Vec<&str> = tables.iter().map(|(t, _)| t.as_str()).collect();
    for t in [
        "person",
        "request",
        "follow_up",
        "referral",
        "history",
        "event",
    ] {
        assert!(names.contains(&t), "{t} missing from {names:?}");
    }
    let rows = rows(Path::new(FIXTURE), &tables);
    assert!(rows.iter().filter(|r| r.starts_with("request|")).count() >= 200);
    assert!(rows.iter().filter(|r| r.starts_with("follow_up|")).count() >= 200);
    let size = std::fs::metadata(FIXTURE).unwrap().len();
    assert!(size < 1_000_000, "fixture is {size} bytes");
}

#[test]
fn a_schema_1_file_opens_migrates_and_keeps_every_row() {
    let env = Env::new();
    let db = copy_fixture(&env, "field.sqlite3");
    let tables = fixture_tables();
    let before = rows(&db, &tables);

    let out = guichet(&env, &db)
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    common::assert_succeeded(&out);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 200);

    assert_eq!(version(&db), SCHEMA_VERSION);
    assert_eq!(
        rows(&db, &tables),
        before,
        "a migration changed or lost a row"
    );
    let refs = reference_schemas(&env);
    assert_eq!(schema(&db), refs[&SCHEMA_VERSION]);
    let out = guichet(&env, &db).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "check after migration: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The migrated file remembers a spreadsheet spelling (`import --retenir`) and reads it back.
    let sheet = env.path("salon.csv");
    std::fs::write(
        &sheet,
        "date;type;nom;prenom;partenaire\n03/10/2025;installation;Zqpetit;Jules;CPTS'O\n",
    )
    .unwrap();
    let import = |args: &[&str]| {
        let out = guichet(&env, &db)
            .arg("import")
            .arg(&sheet)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "import {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    import(&[
        "--correspondance",
        "partenaire:CPTS'O=cpts_orleans",
        "--retenir",
    ]);
    std::fs::write(
        &sheet,
        "date;type;nom;prenom;partenaire\n04/10/2025;logement;Zqblanc;Inès;CPTS'O\n",
    )
    .unwrap();
    import(&[]);
    let c = Connection::open(&db).unwrap();
    let referred: i64 = c
        .query_row(
            "SELECT count(*) FROM referral f JOIN request r ON r.id = f.request_id
               JOIN person p ON p.id = r.person_id JOIN partner pa ON pa.id = f.partner_id
              WHERE p.last_name LIKE 'Zq%' AND pa.code = 'cpts_orleans'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(referred, 2);
}

/// The state a killed migration leaves: a whole version with its exact schema and every row;
/// then the next open resumes to the current version.
fn assert_whole_then_resumes(
    env: &Env,
    db: &Path,
    refs: &BTreeMap<i64, Schema>,
    tables: &[(String, Vec<String>)],
    before: &[String],
    what: &str,
) -> i64 {
    let v = version(db);
    let expected = refs
        .get(&v)
        .unwrap_or_else(|| panic!("{what}: unexpected version {v}"));
    assert_eq!(
        &schema(db),
        expected,
        "{what}: version {v} with a mixed schema"
    );
    assert_eq!(rows(db, tables), before, "{what}: rows lost at version {v}");
    let out = guichet(env, db).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "{what}: reopening failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(version(db), SCHEMA_VERSION, "{what}: not resumed");
    assert_eq!(&schema(db), &refs[&SCHEMA_VERSION], "{what}");
    assert_eq!(rows(db, tables), before, "{what}: rows lost after resuming");
    common::figures::assert_counts_equal(db, &format!("{what}: after resuming"));
    v
}

#[test]
fn a_migration_aborted_before_its_commit_leaves_the_previous_version_and_resumes() {
    let env = Env::new();
    let refs = reference_schemas(&env);
    let tables = fixture_tables();
    let before = rows(Path::new(FIXTURE), &tables);
    let first = version(Path::new(FIXTURE));
    for target in first + 1..=SCHEMA_VERSION {
        let db = copy_fixture(&env, &format!("abort-{target}.sqlite3"));
        let out = guichet(&env, &db)
            .env("GUICHET_TEST_ABORT_MIGRATION", target.to_string())
            .arg("check")
            .output()
            .unwrap();
        assert!(!out.status.success(), "the abort hook did not fire");
        let left = assert_whole_then_resumes(
            &env,
            &db,
            &refs,
            &tables,
            &before,
            &format!("abort at {target}"),
        );
        assert_eq!(left, target - 1);
    }
}

#[test]
fn a_migration_killed_at_random_moments_leaves_a_whole_version_and_resumes() {
    let env = Env::new();
    let refs = reference_schemas(&env);
    let tables = fixture_tables();
    let before = rows(Path::new(FIXTURE), &tables);
    // A small deterministic generator: the kill moments spread over the process's life (start,
    // opening, migrations, the command itself); the assertions hold for any of them.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut seen = BTreeMap::new();
    for round in 0..24 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = std::time::Duration::from_micros(seed % 60_000);
        let db = copy_fixture(&env, &format!("kill-{round}.sqlite3"));
        let mut child = guichet(&env, &db)
            .args(["list", "--format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; it may have finished already
        let _ = child.wait();
        let v = assert_whole_then_resumes(
            &env,
            &db,
            &refs,
            &tables,
            &before,
            &format!("round {round}"),
        );
        *seen.entry(v).or_insert(0) += 1;
    }
    // Reported, not asserted: which versions the kills happened to leave depends on the machine.
    eprintln!("versions left by the kills: {seen:?}");
}

/// A file of the first version, migrated, takes a salon merge in parts (the staging tables of
/// the latest migrations): every capture merged, nothing left staged.
#[test]
fn a_migrated_file_merges_a_laptop_in_parts() {
    let env = Env::new();
    let db = copy_fixture(&env, "terrain.sqlite3");
    let laptop = env.path("portable.sqlite3");
    let out = guichet(&env, &db)
        .args([
            "salon",
            "prepare",
            "--event",
            "Forum",
            "--date",
            "22/11/2026",
            "--out",
        ])
        .arg(&laptop)
        .output()
        .unwrap();
    common::assert_succeeded(&out);
    for i in 0..5 {
        let out = guichet(&env, &laptop)
            .args(["request", "add", "--type", "bourse", "--prenom", "Zoé"])
            .args(["--nom", &format!("Visiteuse{i}")])
            .output()
            .unwrap();
        common::assert_succeeded(&out);
    }
    let out = guichet(&env, &db)
        .env("GUICHET_TEST_MERGE_PART_RECORDS", "2")
        .arg("merge")
        .arg(&laptop)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("5 personne(s) et 5 demande(s) ajoutée(s)"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(version(&db), SCHEMA_VERSION);
    let c = Connection::open(&db).unwrap();
    let staged: i64 = c
        .query_row(
            "SELECT (SELECT count(*) FROM merge_job) + (SELECT count(*) FROM merge_part)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(staged, 0);
}

#[test]
fn a_closed_request_of_an_older_file_loses_its_follow_up_date_with_a_history_line() {
    let env = Env::new();
    let db = copy_fixture(&env, "closed.sqlite3");
    let c = Connection::open(&db).unwrap();
    // Two closed requests kept a date, as closing used to leave it; an open one keeps its own.
    let closed: Vec<(String, String)> = c
        .prepare(
            "SELECT id, reference FROM request WHERE status = 'close' ORDER BY reference LIMIT 2",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, _) in &closed {
        c.execute(
            "UPDATE request SET next_follow_up_on = '2024-05-02' WHERE id = ?1",
            [id],
        )
        .unwrap();
    }
    let (open_ref, open_date): (String, String) = c
        .query_row(
            "SELECT reference, next_follow_up_on FROM request \
             WHERE status <> 'close' AND next_follow_up_on IS NOT NULL LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(c);

    let show = |reference: &str| -> serde_json::Value {
        let out = guichet(&env, &db)
            .args(["request", "show", reference, "--format", "json"])
            .output()
            .unwrap();
        common::assert_succeeded(&out);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    for (_, reference) in &closed {
        let r = show(reference);
        assert_eq!(r["next_follow_up_on"], serde_json::Value::Null, "{r}");
        let cleared = r["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| {
                h["field"] == "next_follow_up_on"
                    && h["old_value"] == "2024-05-02"
                    && h["actor"] == "guichet"
            })
            .count();
        assert_eq!(
            cleared, 1,
            "one history line says the date was cleared: {r}"
        );
    }
    assert_eq!(show(&open_ref)["next_follow_up_on"], open_date.as_str());
    let out = guichet(&env, &db).arg("check").output().unwrap();
    common::assert_succeeded(&out);
    common::figures::assert_counts_equal(&db, "after clearing the closed requests' dates");
}
