//! The storage rules: schema and guards, versions, append-only logs, permissions, backups.

mod common;

use chrono::NaiveDate;
use common::{Env, bytes, mode};
use guichet::Error;
use guichet::domain::{FollowUpKind, Outcome, Status};
use guichet::store::{
    APPLICATION_ID, NewFollowUp, NewPerson, NewRequest, RequestChange, SCHEMA_VERSION, Store,
};
use rusqlite::Connection;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn person(last: &str, first: &str) -> NewPerson {
    NewPerson {
        last_name: last.into(),
        first_name: first.into(),
        email: format!("{}@exemple.fr", first.to_lowercase()),
        ..Default::default()
    }
}

fn open(env: &Env, actor: &str) -> Store {
    let mut s = Store::open(&env.db()).unwrap().with_actor(actor);
    s.set_today(d("2026-11-22"));
    s
}

#[test]
fn a_new_file_gets_the_schema_identity_and_loiret_lists() {
    let env = Env::new();
    let store = open(&env, "test");
    drop(store);
    let c = Connection::open(env.db()).unwrap();
    let app: i32 = c
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, APPLICATION_ID);
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(mode, "wal");
    let types: Vec<String> = c
        .prepare("SELECT code FROM request_type ORDER BY position")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        types,
        [
            "logement",
            "bourse",
            "installation",
            "emploi_conjoint",
            "creche",
            "stage",
            "lieu_exercice",
            "decouverte",
            "autre"
        ]
    );
    let cpts: i64 = c
        .query_row(
            "SELECT count(*) FROM partner WHERE kind = 'cpts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cpts, 7);
    let phone: String = c
        .query_row(
            "SELECT phone FROM partner WHERE code = 'cpts_sologne'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(phone, "06 47 27 64 58");
    // Opening again migrates nothing and keeps the data.
    drop(c);
    let again = open(&env, "test");
    assert_eq!(again.types().unwrap().len(), 9);
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_left_untouched() {
    let env = Env::new();
    drop(open(&env, "test"));
    {
        let c = Connection::open(env.db()).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = bytes(&env.db());
    let err = Store::open(&env.db()).err().expect("refused");
    assert!(matches!(err, Error::NewerSchema { .. }), "{err}");
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("version plus récente"), "{err}");
    assert_eq!(
        bytes(&env.db()),
        before,
        "the file must be byte-for-byte unchanged"
    );
    // The command line says the same, with exit status 2.
    let stderr = env.fails(&["list"], 2);
    assert!(stderr.contains("version plus récente"), "{stderr}");
    assert_eq!(bytes(&env.db()), before);
}

#[test]
fn files_that_are_not_guichet_files_are_refused_and_left_untouched() {
    let env = Env::new();
    let random: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let csv = "date;type;nom;prenom\n01/02/2024;bourse;Dupont;Jean\n"
        .as_bytes()
        .to_vec();
    let other_sqlite = env.path("other.sqlite3");
    {
        let c = Connection::open(&other_sqlite).unwrap();
        c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x');")
            .unwrap();
    }
    let cases = [
        ("random.bin", Some(random)),
        ("export.csv", Some(csv)),
        ("other.sqlite3", None),
    ];
    for (name, content) in cases {
        let path = env.path(name);
        if let Some(content) = content {
            std::fs::write(&path, content).unwrap();
        }
        let before = bytes(&path);
        let err = Store::open(&path).err().expect("refused");
        assert!(matches!(err, Error::NotGuichet { .. }), "{name}: {err}");
        assert!(
            err.to_string().contains("n'est pas un fichier guichet"),
            "{err}"
        );
        assert_eq!(bytes(&path), before, "{name} must be unchanged");
        let stderr = env.fails(&["--db", path.to_str().unwrap(), "list"], 2);
        assert!(stderr.contains("n'est pas un fichier guichet"), "{stderr}");
        assert_eq!(
            bytes(&path),
            before,
            "{name} must be unchanged by the command line"
        );
        assert!(!env.path(&format!("{name}-wal")).exists() || name == "other.sqlite3");
    }
}

#[test]
fn a_stale_update_is_refused_with_who_changed_the_request() {
    let env = Env::new();
    let mut marie = open(&env, "Marie Curie");
    let created = marie
        .create_request(&NewRequest::new(
            person("Dupont", "Jean"),
            "bourse",
            d("2026-11-02"),
        ))
        .unwrap();
    let read_by_marie = marie.request_row(&created.id).unwrap();

    // A colleague, in another process-like connection, changes it meanwhile.
    let mut paul = open(&env, "Paul Martin");
    let seen_by_paul = paul.request_row(&created.id).unwrap();
    paul.update_request(
        &created.id,
        Some(seen_by_paul.version),
        &RequestChange {
            status: Some(Status::EnCours),
            ..Default::default()
        },
    )
    .unwrap();

    let err = marie
        .update_request(
            &created.id,
            Some(read_by_marie.version),
            &RequestChange {
                summary: Some("Bourse de 2e année".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    match &err {
        Error::Conflict { by, .. } => assert_eq!(by, "Paul Martin"),
        other => panic!("expected a conflict, got {other}"),
    }
    assert!(
        err.to_string().contains("modifiée par Paul Martin"),
        "{err}"
    );
    let now = marie.request_row(&created.id).unwrap();
    assert_eq!(now.summary, "", "Marie's change was not written");
    assert_eq!(now.status, Status::EnCours, "Paul's change was kept");
}

#[test]
fn closing_needs_an_outcome_and_a_date_after_reception_and_reopening_clears_them() {
    let env = Env::new();
    let mut s = open(&env, "test");
    let c = s
        .create_request(&NewRequest::new(
            person("Lefèvre", "Anaïs"),
            "logement",
            d("2026-10-01"),
        ))
        .unwrap();
    let close = |outcome, on| RequestChange {
        status: Some(Status::Close),
        outcome,
        closed_on: on,
        ..Default::default()
    };
    let e = s
        .update_request(&c.id, None, &close(None, None))
        .unwrap_err();
    assert!(e.to_string().contains("doit avoir une issue"), "{e}");
    let e = s
        .update_request(
            &c.id,
            None,
            &close(Some(Outcome::Aboutie), Some(d("2026-09-30"))),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("antérieure à la date de réception"),
        "{e}"
    );
    s.update_request(
        &c.id,
        None,
        &close(Some(Outcome::Aboutie), Some(d("2026-10-15"))),
    )
    .unwrap();
    let row = s.request_row(&c.id).unwrap();
    assert_eq!(
        (row.status, row.outcome, row.closed_on),
        (Status::Close, Some(Outcome::Aboutie), Some(d("2026-10-15")))
    );
    s.update_request(
        &c.id,
        None,
        &RequestChange {
            status: Some(Status::EnCours),
            ..Default::default()
        },
    )
    .unwrap();
    let row = s.request_row(&c.id).unwrap();
    assert_eq!(
        (row.status, row.outcome, row.closed_on),
        (Status::EnCours, None, None)
    );
    // Every change is in the history, with who.
    let h = s.request_detail(&c.id).unwrap().history;
    let fields: Vec<(&str, Option<&str>)> = h
        .iter()
        .map(|h| (h.field.as_str(), h.new_value.as_deref()))
        .collect();
    assert!(fields.contains(&("outcome", Some("aboutie"))), "{fields:?}");
    assert!(fields.contains(&("status", Some("en_cours"))), "{fields:?}");
    assert!(h.iter().all(|h| h.actor == "test"));
}

#[test]
fn follow_ups_and_history_are_append_only() {
    let env = Env::new();
    let mut s = open(&env, "test");
    let c = s
        .create_request(&NewRequest::new(
            person("Petit", "Loïc"),
            "stage",
            d("2026-11-20"),
        ))
        .unwrap();
    s.log_follow_up(
        &c.id,
        &NewFollowUp {
            kind: FollowUpKind::AppelSortant,
            occurred_on: d("2026-11-21"),
            body: "Rappelé".into(),
            next_follow_up_on: Some(d("2026-11-28")),
        },
    )
    .unwrap();
    let row = s.request_row(&c.id).unwrap();
    assert_eq!(
        row.status,
        Status::EnCours,
        "the first contact starts the case"
    );
    assert_eq!(row.next_follow_up_on, Some(d("2026-11-28")));
    drop(s);
    let conn = Connection::open(env.db()).unwrap();
    for sql in [
        "UPDATE follow_up SET body = 'effacé'",
        "DELETE FROM follow_up",
        "UPDATE history SET actor = 'quelqu''un'",
        "DELETE FROM history",
    ] {
        let e = conn.execute(sql, []).unwrap_err().to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
}

#[test]
fn the_file_and_its_companions_are_readable_by_their_owner_only() {
    let env = Env::new();
    let mut s = open(&env, "test");
    s.create_request(&NewRequest::new(
        person("Roux", "Zoé"),
        "creche",
        d("2026-11-20"),
    ))
    .unwrap();
    let wal = env.path("guichet.sqlite3-wal");
    let shm = env.path("guichet.sqlite3-shm");
    assert!(
        wal.exists() && shm.exists(),
        "WAL companions exist while open"
    );
    assert_eq!(mode(&env.db()), 0o600);
    assert_eq!(mode(&wal), 0o600);
    assert_eq!(mode(&shm), 0o600);
    // Exports and backups made by the command line too.
    env.ok(&[
        "list",
        "--format",
        "csv",
        "--out",
        env.path("export.csv").to_str().unwrap(),
    ]);
    assert_eq!(mode(&env.path("export.csv")), 0o600);
    env.ok(&["backup", env.path("copie.sqlite3").to_str().unwrap()]);
    assert_eq!(mode(&env.path("copie.sqlite3")), 0o600);
}

fn dump(path: &std::path::Path) -> Vec<String> {
    common::dump(
        path,
        &[
            "person",
            "request",
            "follow_up",
            "referral",
            "history",
            "agent",
            "event",
            "partner",
            "request_type",
            "channel",
            "meta",
            "counter",
        ],
    )
}

#[test]
fn a_restored_backup_equals_the_original() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "300", "--seed", "7"]);
    let copy = env.path("sauvegarde.sqlite3");
    let out = env.ok(&["backup", copy.to_str().unwrap()]);
    assert!(out.contains("Copie vérifiée"), "{out}");
    // The backup is one self-contained file, opened as a guichet file.
    assert!(!env.path("sauvegarde.sqlite3-wal").exists());
    // The original remembers its newest verified copy (named if it is ever found damaged).
    let original: Vec<String> = dump(&env.db())
        .into_iter()
        .filter(|l| !l.starts_with("meta|Text(\"backup.last\")"))
        .collect();
    assert!(
        original
            .iter()
            .filter(|l| l.starts_with("request|"))
            .count()
            == 300
    );
    // Restore: the copy is a working guichet file with the same content.
    let restored = env.path("restauree.sqlite3");
    std::fs::copy(&copy, &restored).unwrap();
    env.ok(&["--db", restored.to_str().unwrap(), "check"]);
    assert_eq!(dump(&restored), original);
    // A backup never silently replaces a file.
    let stderr = env.fails(&["backup", copy.to_str().unwrap()], 2);
    assert!(stderr.contains("existe déjà"), "{stderr}");
}

#[test]
fn persons_are_reused_on_same_name_and_same_email_or_phone() {
    let env = Env::new();
    let mut s = open(&env, "test");
    let mut p = person("DUPONT", "Jean-Pierre");
    p.phone = "06 12 34 56 78".into();
    let a = s
        .create_request(&NewRequest::new(p, "logement", d("2026-11-01")))
        .unwrap();
    let mut same = person("Dupont", "jean pierre");
    same.email = String::new();
    same.phone = "+33 6 12 34 56 78".into();
    let b = s
        .create_request(&NewRequest::new(same, "creche", d("2026-11-02")))
        .unwrap();
    assert!(b.person_reused);
    assert_eq!(a.person_id, b.person_id);
    let homonym = person("Dupont", "Jean-Pierre");
    let mut homonym = homonym;
    homonym.email = "autre@exemple.fr".into();
    let c = s
        .create_request(&NewRequest::new(homonym, "bourse", d("2026-11-03")))
        .unwrap();
    assert_ne!(
        c.person_id, a.person_id,
        "a homonym with other contacts is another person"
    );
    // References are readable and distinct.
    assert_eq!(a.reference, "A26-00001");
    assert_eq!(b.reference, "A26-00002");
}
