//! Salon merges of any size yield to colleagues (issue #9, item 7), through the real binary in
//! separate processes: a merge is staged, then published in short transactions; a colleague's
//! save goes through between two of them; a merge killed part-way leaves nothing (killed while
//! staging) or is whole once the file is reopened (killed while publishing), never half; merging
//! the same laptop file again adds nothing. The merge is paused and killed by test hooks of debug
//! builds (`GUICHET_TEST_MERGE_*`, `GUICHET_TEST_ABORT_MERGE_*`); the tests wait for files, never
//! for time.

mod common;

use common::{Env, dump, table_rows as count};
use std::path::{Path, PathBuf};
use std::process::Child;

/// Visitors captured on the laptop.
const VISITORS: usize = 24;
/// Records per staged part: a visitor is a person, a request and a follow-up (3 records), so a
/// part holds 3 visitors and the merge has 8 parts.
const PART: &str = "8";
/// Persons and requests written by the whole merge (the kill hooks count these).
const STEPS: usize = 2 * VISITORS;

const DATA: [&str; 9] = [
    "person",
    "request",
    "follow_up",
    "referral",
    "history",
    "merge_pending",
    "merge_log",
    "event",
    "agent",
];

/// An office file with a colleague's request, and a laptop prepared from it for a fair where
/// `VISITORS` visitors were captured (the last one with the e-mail of a person the office
/// knows: a likely duplicate, held for a decision). Returns the colleague's reference and the
/// laptop file.
fn setup(env: &Env) -> (String, PathBuf) {
    env.ok(&["demo", "--requests", "60", "--seed", "4"]);
    let reference = env
        .ok(&[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "Roux",
            "--prenom",
            "Léa",
            "--email",
            "lea.roux@exemple.fr",
        ])
        .trim()
        .to_string();
    let laptop = env.path("portable.sqlite3");
    env.ok(&[
        "salon",
        "prepare",
        "--event",
        "Forum des internes",
        "--date",
        "22/11/2026",
        "--out",
        laptop.to_str().unwrap(),
    ]);
    let mut csv = String::from("date;type;nom;prenom;email;canal;evenement;commentaire\n");
    for i in 0..VISITORS - 1 {
        csv.push_str(&format!(
            "22/11/2026;logement;Visiteur{i};Prénom{i};v{i}@exemple.fr;salon;Forum des internes;Vu au stand {i}\n"
        ));
    }
    csv.push_str(
        "22/11/2026;bourse;Roux;Léa;lea.roux@exemple.fr;salon;Forum des internes;Revenue au stand\n",
    );
    std::fs::write(env.path("saisies.csv"), csv).unwrap();
    let out = env.ok(&[
        "--db",
        laptop.to_str().unwrap(),
        "import",
        env.path("saisies.csv").to_str().unwrap(),
    ]);
    assert!(
        out.contains(&format!("{VISITORS} demande(s) ajoutée(s)")),
        "{out}"
    );
    std::fs::create_dir(env.path("pause")).unwrap();
    (reference, laptop)
}

fn start_merge(env: &Env, laptop: &Path, pause_at: &str) -> Child {
    env.start_paused(
        "MERGE",
        ("PART_RECORDS", PART),
        pause_at,
        &["merge", laptop.to_str().unwrap()],
    )
}

/// The office file merged whole without interruption, in a copy made now: what every
/// interrupted merge must end as.
fn merged_whole(env: &Env, laptop: &Path) -> Vec<String> {
    let twin = env.path("jumeau.sqlite3");
    std::fs::copy(env.db(), &twin).unwrap();
    let out = env.ok(&[
        "--db",
        twin.to_str().unwrap(),
        "merge",
        laptop.to_str().unwrap(),
    ]);
    assert!(
        out.contains(&format!(
            "{VISITORS} personne(s) et {VISITORS} demande(s) ajoutée(s)"
        )),
        "{out}"
    );
    let whole = whole_dump(&twin);
    std::fs::remove_file(&twin).unwrap();
    whole
}

/// What a merge writes, without the ids and timestamps a run draws afresh (history lines, held
/// decisions, the merge log): the records themselves whole, the rest counted.
fn whole_dump(path: &Path) -> Vec<String> {
    let mut d = dump(
        path,
        &["person", "request", "follow_up", "referral", "event"],
    );
    for t in [
        "history",
        "merge_pending",
        "merge_log",
        "merge_job",
        "merge_part",
    ] {
        d.push(format!("{t}: {}", count(path, t)));
    }
    d
}

fn assert_same(a: &[String], b: &[String], what: &str) {
    if let Some((x, y)) = a.iter().zip(b).find(|(x, y)| x != y) {
        panic!("{what}: first difference\n  {x}\n  {y}");
    }
    assert_eq!(a.len(), b.len(), "{what}: row counts");
}

#[test]
fn a_save_goes_through_while_a_merge_is_between_two_parts() {
    let env = Env::new();
    let (reference, laptop) = setup(&env);
    let (requests, persons, follow_ups) = (
        count(&env.db(), "request"),
        count(&env.db(), "person"),
        count(&env.db(), "follow_up"),
    );
    let mut merge = start_merge(&env, &laptop, "publishing");
    env.wait_paused(&mut merge);
    // One part is out (3 visitors), the rest still staged; a colleague saves meanwhile.
    assert_eq!(count(&env.db(), "request"), requests + 3);
    assert_eq!(
        env.lock_files("merge").len(),
        1,
        "the running merge holds its lock"
    );
    env.ok(&[
        "follow-up",
        "add",
        &reference,
        "--kind",
        "note",
        "--text",
        "pendant la fusion",
    ]);
    // Another opening of the file leaves a running merge alone, and the same laptop file is
    // not merged twice at once.
    env.ok(&["list", "--format", "csv"]);
    assert_eq!(count(&env.db(), "request"), requests + 3);
    let err = env.fails(&["merge", laptop.to_str().unwrap()], 2);
    assert!(err.contains("déjà en cours de fusion"), "{err}");

    std::fs::write(env.path("pause").join("continue"), b"").unwrap();
    let out = merge.wait_with_output().unwrap();
    common::assert_succeeded(&out);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "{VISITORS} personne(s) et {VISITORS} demande(s) ajoutée(s), {VISITORS} suivi(s)"
        )),
        "{said}"
    );
    assert!(said.contains("1 doublon(s) probable(s)"), "{said}");
    // Every capture is there, and the colleague's note.
    let v = VISITORS as i64;
    assert_eq!(
        (
            count(&env.db(), "request"),
            count(&env.db(), "person"),
            count(&env.db(), "follow_up")
        ),
        (requests + v, persons + v, follow_ups + v + 1)
    );
    for i in [0, 11, VISITORS - 2] {
        let found = env.ok(&["search", &format!("Visiteur{i}")]);
        assert!(found.contains(&format!("Prénom{i}")), "{found}");
    }
    assert_eq!(count(&env.db(), "merge_pending"), 1);
    assert_eq!(count(&env.db(), "merge_job"), 0);
    assert_eq!(count(&env.db(), "merge_part"), 0);
    assert!(
        env.lock_files("merge").is_empty(),
        "{:?}",
        env.lock_files("merge")
    );
    let detail = env.ok(&["request", "show", &reference]);
    assert!(detail.contains("pendant la fusion"), "{detail}");
    let events = env.ok(&["event", "list"]);
    assert!(
        events.contains(&format!("{VISITORS} (dont 1 en attente de décision)")),
        "{events}"
    );

    // Merged again: nothing added, nothing changed.
    let before = dump(&env.db(), &DATA);
    let again = env.ok(&["merge", laptop.to_str().unwrap()]);
    assert!(
        again.contains("0 personne(s) et 0 demande(s) ajoutée(s), 0 suivi(s)")
            && again.contains(&format!("{VISITORS} déjà présente(s)")),
        "{again}"
    );
    assert_same(&dump(&env.db(), &DATA), &before, "merged again");
}

#[test]
fn a_merge_killed_while_staging_leaves_nothing() {
    let env = Env::new();
    let (_, laptop) = setup(&env);
    let before = dump(&env.db(), &DATA);
    // Killed (abort, as kill -9) in the first, third and last staging transactions: the last
    // one would have decided the merge.
    for n in [1, 13, STEPS] {
        let out = env
            .cmd()
            .env("GUICHET_TEST_MERGE_PART_RECORDS", PART)
            .env("GUICHET_TEST_ABORT_MERGE_AFTER", n.to_string())
            .args(["merge", laptop.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!out.status.success(), "killed after staging {n} writes");
        // Reopened: nothing merged, nothing staged left.
        env.ok(&["list", "--format", "csv"]);
        assert_same(&dump(&env.db(), &DATA), &before, &format!("killed at {n}"));
        assert_eq!(count(&env.db(), "merge_job"), 0);
        assert_eq!(count(&env.db(), "merge_part"), 0);
        assert!(
            env.lock_files("merge").is_empty(),
            "{:?}",
            env.lock_files("merge")
        );
    }
    // Killed (SIGKILL) between two staging transactions.
    let mut merge = start_merge(&env, &laptop, "staging");
    env.wait_paused(&mut merge);
    merge.kill().unwrap();
    merge.wait().unwrap();
    assert_eq!(count(&env.db(), "merge_job"), 1, "staged, not decided");
    env.ok(&["check"]);
    assert_same(&dump(&env.db(), &DATA), &before, "killed between two parts");
    assert_eq!(count(&env.db(), "merge_job"), 0);
    assert_eq!(count(&env.db(), "merge_part"), 0);
    assert!(
        env.lock_files("merge").is_empty(),
        "{:?}",
        env.lock_files("merge")
    );
}

#[test]
fn a_merge_killed_while_publishing_is_whole_once_the_file_is_reopened() {
    let env = Env::new();
    let (_, laptop) = setup(&env);
    let twin = env.path("avant.sqlite3");
    std::fs::copy(env.db(), &twin).unwrap();
    let whole = merged_whole(&env, &laptop);
    // Killed (abort, as kill -9) in the first transaction, in the middle of the third, at the
    // last capture, and once the merge is logged, just before its job is removed.
    for n in [1, 15, STEPS, STEPS + 1] {
        std::fs::copy(&twin, env.db()).unwrap();
        let out = env
            .cmd()
            .env("GUICHET_TEST_MERGE_PART_RECORDS", PART)
            .env("GUICHET_TEST_ABORT_MERGE_PUBLISHING", n.to_string())
            .args(["merge", laptop.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!out.status.success(), "killed after publishing {n} writes");
        assert_eq!(count(&env.db(), "merge_job"), 1, "decided, not finished");
        // The next opening, whatever the command, finishes it.
        env.ok(&["list", "--format", "csv"]);
        assert_same(&whole_dump(&env.db()), &whole, &format!("killed at {n}"));
        assert_eq!(count(&env.db(), "merge_log"), 1);
        assert!(
            env.lock_files("merge").is_empty(),
            "{:?}",
            env.lock_files("merge")
        );
    }
    // Killed (SIGKILL) between two publishing transactions; reopened by the same command.
    std::fs::copy(&twin, env.db()).unwrap();
    let mut merge = start_merge(&env, &laptop, "publishing");
    env.wait_paused(&mut merge);
    merge.kill().unwrap();
    merge.wait().unwrap();
    let again = env.ok(&["merge", laptop.to_str().unwrap()]);
    assert!(
        again.contains("0 personne(s) et 0 demande(s) ajoutée(s)"),
        "{again}"
    );
    assert_same(&whole_dump(&env.db()), &whole, "killed between two parts");
    env.ok(&["check"]);
    let found = env.ok(&["search", "Visiteur17"]);
    assert!(found.contains("Visiteur17"), "{found}");
}
