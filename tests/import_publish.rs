//! Long imports yield to colleagues (issue #9, item 7), through the real binary in separate
//! processes: an import is staged, then published in short transactions; a colleague's save
//! goes through between two of them; an import killed part-way is whole once the file is
//! reopened, and one that fails before it is decided leaves nothing. The import is paused and
//! made to fail by test hooks of debug builds (`GUICHET_TEST_IMPORT_*`); the tests wait for
//! files, never for time.

mod common;

use common::{Env, table_rows as count};
use std::process::Child;

const ROWS: usize = 45;
/// Rows per part: 45 rows make 5 parts.
const PART: &str = "10";

/// A colleague's request, then a spreadsheet of `ROWS` new requests.
fn setup(env: &Env) -> String {
    let reference = env
        .ok(&[
            "request", "add", "--type", "bourse", "--nom", "Roux", "--prenom", "Léa",
        ])
        .trim()
        .to_string();
    let mut csv = String::from("date;type;nom;prenom;email;commentaire\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "{:02}/03/2026;bourse;Nom{i};Prénom{i};p{i}@exemple.fr;Premier appel {i}\n",
            1 + i % 28
        ));
    }
    std::fs::write(env.path("in.csv"), csv).unwrap();
    std::fs::create_dir(env.path("pause")).unwrap();
    reference
}

fn start_import(env: &Env, pause_at: &str) -> Child {
    let csv = env.path("in.csv");
    env.start_paused(
        "IMPORT",
        ("PART_ROWS", PART),
        pause_at,
        &["import", "csv", csv.to_str().unwrap()],
    )
}

#[test]
fn a_save_goes_through_while_an_import_is_between_two_parts() {
    let env = Env::new();
    let reference = setup(&env);
    let mut import = start_import(&env, "publishing");
    env.wait_paused(&mut import);
    // One part is out, the rest still staged; a colleague saves meanwhile.
    assert_eq!(count(&env.db(), "request"), 1 + 10);
    assert_eq!(
        env.lock_files("import").len(),
        1,
        "the running import holds its lock"
    );
    env.ok(&[
        "follow-up",
        "add",
        &reference,
        "--kind",
        "note",
        "--text",
        "pendant l'import",
    ]);
    // Another opening of the file leaves a running import alone.
    let listed = env.ok(&["list", "--format", "csv"]);
    assert_eq!(listed.lines().count(), 1 + 1 + 10, "{listed}");

    std::fs::write(env.path("pause").join("continue"), b"").unwrap();
    let out = import.wait_with_output().unwrap();
    common::assert_succeeded(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("45"));
    assert_eq!(count(&env.db(), "request"), 1 + ROWS as i64);
    let detail = env.ok(&["request", "show", &reference]);
    assert!(detail.contains("pendant l'import"), "{detail}");
    assert_eq!(count(&env.db(), "import_part"), 0);
    assert_eq!(count(&env.db(), "import_job"), 0);
    assert!(
        env.lock_files("import").is_empty(),
        "{:?}",
        env.lock_files("import")
    );
    // Imported again: nothing added.
    let again = env.ok(&["import", "csv", env.path("in.csv").to_str().unwrap()]);
    assert_eq!(count(&env.db(), "request"), 1 + ROWS as i64, "{again}");
}

#[test]
fn an_import_killed_while_publishing_is_whole_once_the_file_is_reopened() {
    let env = Env::new();
    setup(&env);
    let mut import = start_import(&env, "publishing");
    env.wait_paused(&mut import);
    import.kill().unwrap(); // SIGKILL
    import.wait().unwrap();
    assert_eq!(count(&env.db(), "request"), 1 + 10);

    // The next opening, whatever the command, finishes it.
    env.ok(&["list", "--format", "csv"]);
    assert_eq!(count(&env.db(), "request"), 1 + ROWS as i64);
    assert_eq!(count(&env.db(), "person"), 1 + ROWS as i64);
    assert_eq!(count(&env.db(), "follow_up"), ROWS as i64);
    assert_eq!(count(&env.db(), "import_part"), 0);
    assert_eq!(count(&env.db(), "import_job"), 0);
    assert!(
        env.lock_files("import").is_empty(),
        "{:?}",
        env.lock_files("import")
    );
    env.ok(&["check"]);
    let found = env.ok(&["search", "Nom44"]);
    assert!(found.contains("Nom44"), "{found}");
}

#[test]
fn an_import_killed_while_staging_leaves_nothing_once_the_file_is_reopened() {
    let env = Env::new();
    setup(&env);
    let before = (count(&env.db(), "request"), count(&env.db(), "history"));
    let mut import = start_import(&env, "staging");
    env.wait_paused(&mut import);
    import.kill().unwrap(); // SIGKILL
    import.wait().unwrap();
    assert_eq!(count(&env.db(), "import_job"), 1, "staged, not decided");

    env.ok(&["list", "--format", "csv"]);
    assert_eq!(
        (count(&env.db(), "request"), count(&env.db(), "history")),
        before
    );
    assert_eq!(count(&env.db(), "import_part"), 0);
    assert_eq!(count(&env.db(), "import_job"), 0);
    assert!(
        env.lock_files("import").is_empty(),
        "{:?}",
        env.lock_files("import")
    );
}

#[test]
fn an_import_that_fails_at_its_last_staging_step_leaves_nothing() {
    let env = Env::new();
    setup(&env);
    let before = (
        count(&env.db(), "request"),
        count(&env.db(), "person"),
        count(&env.db(), "history"),
    );
    let out = env
        .cmd()
        .env("GUICHET_TEST_IMPORT_PART_ROWS", PART)
        .env("GUICHET_TEST_IMPORT_FAIL", "staging")
        .args(["import", "csv", env.path("in.csv").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("échec simulé"));
    assert_eq!(
        (
            count(&env.db(), "request"),
            count(&env.db(), "person"),
            count(&env.db(), "history"),
        ),
        before
    );
    assert_eq!(count(&env.db(), "import_part"), 0);
    assert_eq!(count(&env.db(), "import_job"), 0);
    assert!(
        env.lock_files("import").is_empty(),
        "{:?}",
        env.lock_files("import")
    );
}
