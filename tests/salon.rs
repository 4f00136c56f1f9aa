//! Salon laptops and merging them into the office file.

mod common;

use chrono::NaiveDate;
use common::{Env, bytes, dump};
use guichet::domain::Status;
use guichet::salon::{self, Decision};
use guichet::store::{NewPerson, NewRequest, RequestChange, Store};
use rusqlite::Connection;
use std::path::Path;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn open(path: &Path, actor: &str) -> Store {
    let mut s = Store::open(path).unwrap().with_actor(actor);
    s.set_today(today());
    s
}

/// A laptop prepared from the office for the fair, with `n` visitors captured (one interest
/// each, alternating housing and grants).
fn laptop(office: &mut Store, path: &Path, tag: usize, n: usize) {
    salon::prepare(
        office,
        "Salon de l'étudiant",
        today(),
        "Orléans",
        path,
        false,
    )
    .unwrap();
    let mut l = open(path, "Karim Benali");
    let event = l.meta("event_id").unwrap();
    for i in 0..n {
        let mut r = NewRequest::new(
            NewPerson {
                last_name: format!("Visiteur{tag}"),
                first_name: format!("Numéro{i}"),
                email: format!("v{tag}.{i}@exemple.fr"),
                // 09…: demo phones start with 06 or 07, so no capture looks like an office person.
                phone: format!(
                    "09 {tag:02} {:02} {:02} {:02}",
                    i / 10000,
                    (i / 100) % 100,
                    i % 100
                ),
                ..Default::default()
            },
            if i % 2 == 0 { "logement" } else { "bourse" },
            today(),
        );
        r.status = Status::AQualifier;
        r.channel_code = Some("salon".into());
        r.event_id = event.clone();
        salon::capture(&mut l, &[r], true).unwrap();
    }
}

/// Compares two dumps, naming the first difference (not thousands of lines).
fn assert_same(a: &[String], b: &[String], what: &str) {
    if let Some((x, y)) = a.iter().zip(b).find(|(x, y)| x != y) {
        panic!("{what}: first difference\n  {x}\n  {y}");
    }
    assert_eq!(a.len(), b.len(), "{what}: row counts");
}

const DATA: [&str; 7] = [
    "person",
    "request",
    "follow_up",
    "referral",
    "history",
    "merge_pending",
    "merge_log",
];

fn count(path: &Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_laptop_file_holds_the_lists_and_the_event_but_nobodys_data() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "200", "--seed", "4"]);
    let path = env.path("portable.sqlite3");
    let out = env.ok(&[
        "salon",
        "prepare",
        "--event",
        "Forum des internes",
        "--date",
        "21/11/2026",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(out.contains("aucune donnée personnelle"), "{out}");
    assert_eq!(common::mode(&path), 0o600);
    for t in ["person", "request", "follow_up", "referral"] {
        assert_eq!(count(&path, &format!("SELECT count(*) FROM {t}")), 0, "{t}");
    }
    assert_eq!(count(&path, "SELECT count(*) FROM event"), 1);
    assert_eq!(
        count(&path, "SELECT count(*) FROM partner WHERE kind = 'cpts'"),
        7
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM agent"),
        count(&env.db(), "SELECT count(*) FROM agent")
    );
    // The office created the event; the laptop has the same one.
    let office_event: String = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT id FROM event WHERE name = 'Forum des internes'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let laptop_event: String = Connection::open(&path)
        .unwrap()
        .query_row("SELECT value FROM meta WHERE key = 'event_id'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(office_event, laptop_event);
    // A second laptop gets another reference series; a file is never overwritten.
    let second = env.path("portable2.sqlite3");
    env.ok(&[
        "salon",
        "prepare",
        "--event",
        "Forum des internes",
        "--date",
        "21/11/2026",
        "--out",
        second.to_str().unwrap(),
    ]);
    let series = |p: &Path| -> String {
        Connection::open(p)
            .unwrap()
            .query_row("SELECT value FROM meta WHERE key = 'series'", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_ne!(series(&path), series(&second));
    assert_ne!(series(&path), "A");
    let stderr = env.fails(
        &[
            "salon",
            "prepare",
            "--event",
            "X",
            "--date",
            "21/11/2026",
            "--out",
            path.to_str().unwrap(),
        ],
        2,
    );
    assert!(stderr.contains("existe déjà"), "{stderr}");
}

#[test]
fn three_laptops_of_500_captures_merge_into_10000_requests_once_in_any_order() {
    let env = Env::new();
    let mut office = open(&env.db(), "Élodie Martin");
    guichet::demo::fill(&mut office, 10_000, 1).unwrap();
    let laptops: Vec<_> = (0..3)
        .map(|i| env.path(&format!("portable{i}.sqlite3")))
        .collect();
    for (i, p) in laptops.iter().enumerate() {
        laptop(&mut office, p, i, 500);
    }
    // A copy of the office before any merge, to merge in another order.
    let twin = env.path("jumeau.sqlite3");
    office.backup(&twin).unwrap();

    for i in [1, 0, 2] {
        let r = salon::merge(&mut office, &laptops[i]).unwrap();
        assert_eq!(
            (r.added_persons, r.added_requests, r.pending_duplicates),
            (500, 500, 0),
            "laptop {i}"
        );
    }
    let db = env.db();
    assert_eq!(count(&db, "SELECT count(*) FROM request"), 11_500);
    for p in &laptops {
        let ids: Vec<String> = Connection::open(p)
            .unwrap()
            .prepare("SELECT id FROM request")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for id in ids {
            let n: i64 = Connection::open(&db)
                .unwrap()
                .query_row("SELECT count(*) FROM request WHERE id = ?1", [&id], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(n, 1, "{id} present once");
        }
    }
    assert_eq!(
        count(&db, "SELECT count(DISTINCT reference) FROM request"),
        11_500
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM request r JOIN event e ON e.id = r.event_id WHERE e.name = 'Salon de l''étudiant'"
        ),
        1_500
    );
    drop(office);
    env.ok(&["check"]);

    // Merging again changes nothing at all.
    let before = dump(&db, &DATA);
    let mut office = open(&db, "Élodie Martin");
    for p in &laptops {
        let r = salon::merge(&mut office, p).unwrap();
        assert_eq!((r.added_persons, r.added_requests), (0, 0));
        assert_eq!(r.already_present, 500);
    }
    drop(office);
    assert_same(&dump(&db, &DATA), &before, "second merge");

    // Another order gives the same requests, persons and case logs.
    let mut other = open(&twin, "Élodie Martin");
    for i in [2, 1, 0] {
        salon::merge(&mut other, &laptops[i]).unwrap();
    }
    drop(other);
    let same = ["person", "request", "follow_up", "referral"];
    assert_same(&dump(&twin, &same), &dump(&db, &same), "merge order");
}

#[test]
fn a_merge_killed_half_way_leaves_the_office_file_as_it_was() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "300", "--seed", "8"]);
    let path = env.path("portable.sqlite3");
    {
        let mut office = open(&env.db(), "Élodie Martin");
        laptop(&mut office, &path, 7, 120);
    }
    let before = dump(&env.db(), &DATA);
    // Killed after 1, 13, 57 and 119 writes inside the merge's transaction.
    for n in ["1", "13", "57", "119"] {
        let out = env
            .cmd()
            .env("GUICHET_TEST_ABORT_MERGE_AFTER", n)
            .args(["merge", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the merge was killed after {n} writes"
        );
        assert!(env.ok(&["check"]).contains("Fichier intègre"));
        assert_same(
            &dump(&env.db(), &DATA),
            &before,
            &format!("killed after {n} writes: office file unchanged"),
        );
    }
    let out = env.ok(&["merge", path.to_str().unwrap()]);
    assert!(
        out.contains("120 personne(s) et 120 demande(s) ajoutée(s)"),
        "{out}"
    );
}

#[test]
fn likely_duplicates_are_added_counted_and_held_for_a_decision() {
    let env = Env::new();
    let db = env.db();
    let mut office = open(&db, "Élodie Martin");
    let known = office
        .create_request(&NewRequest::new(
            NewPerson {
                last_name: "Lefèvre".into(),
                first_name: "Anaïs".into(),
                email: "anais.lefevre@exemple.fr".into(),
                ..Default::default()
            },
            "installation",
            today(),
        ))
        .unwrap();
    let path = env.path("portable.sqlite3");
    salon::prepare(&mut office, "Congrès", today(), "", &path, false).unwrap();
    {
        let mut l = open(&path, "Karim Benali");
        let event = l.meta("event_id").unwrap();
        for (last, first, email, phone) in [
            ("LEFEVRE", "Anais", "Anais.Lefevre@exemple.fr", ""), // same e-mail
            ("Roux", "Zoé", "zoe.roux@exemple.fr", ""),           // new
            ("Autre", "Nom", "", "06 00 00 00 01"),               // new
        ] {
            let mut r = NewRequest::new(
                NewPerson {
                    last_name: last.into(),
                    first_name: first.into(),
                    email: email.into(),
                    phone: phone.into(),
                    ..Default::default()
                },
                "creche",
                today(),
            );
            r.status = Status::AQualifier;
            r.event_id = event.clone();
            salon::capture(&mut l, &[r], true).unwrap();
        }
    }
    let persons = count(&db, "SELECT count(*) FROM person");
    let r = salon::merge(&mut office, &path).unwrap();
    assert_eq!(
        (r.added_persons, r.added_requests, r.pending_duplicates),
        (3, 3, 1)
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM person"),
        persons + 3,
        "the likely duplicate is added as its own person until someone decides"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM request WHERE type_code = 'creche'"
        ),
        3,
        "every capture counts while the decision is pending"
    );
    let pending = salon::pending(&office).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, "duplicate");
    assert!(
        pending[0]
            .summary
            .starts_with("LEFEVRE Anais (1 demande(s))"),
        "{:?}",
        pending[0]
    );
    assert!(
        pending[0].office.contains("anais.lefevre@exemple.fr"),
        "{:?}",
        pending[0]
    );
    let capture = pending[0].capture.as_ref().expect("the capture is shown");
    assert_eq!(capture.email, "Anais.Lefevre@exemple.fr");
    assert_eq!(capture.requests.len(), 1);
    assert_eq!(pending[0].candidates.len(), 1);
    assert_eq!(pending[0].candidates[0].id, known.person_id);
    // The same list from the command line.
    drop(office);
    env.ok(&["agent", "add", "Élodie Martin"]);
    let listed = env.ok(&["pending"]);
    assert!(listed.contains("doublon probable"), "{listed}");
    // One candidate: a number other than 1 is refused as a choice of one.
    let err = env.fails(
        &[
            "--agent",
            "Élodie Martin",
            "resolve",
            &pending[0].id,
            "--decision",
            "fusionner",
            "--candidat",
            "2",
        ],
        2,
    );
    assert!(
        err.contains("une seule personne du bureau") && !err.contains("entre 1 et 1"),
        "{err}"
    );
    // The agent decides: it is the same person.
    let msg = env.ok(&[
        "--agent",
        "Élodie Martin",
        "resolve",
        &pending[0].id,
        "--decision",
        "fusionner",
    ]);
    assert!(msg.contains("rattachée"), "{msg}");
    assert!(msg.contains("--annuler"), "{msg}");
    assert_eq!(count(&db, "SELECT count(*) FROM person"), persons + 2);
    let n: i64 = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM request WHERE person_id = ?1 AND type_code = 'creche'",
            [&known.person_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1, "the captured request joined the office person");
    assert!(
        env.ok(&["pending"]).lines().count() == 1,
        "nothing left to decide"
    );
    let again = env.fails(&["resolve", &pending[0].id, "--decision", "separer"], 2);
    assert!(again.contains("n'attend plus de décision"), "{again}");
    // Merging the file again adds nothing and asks nothing.
    let out = env.ok(&["merge", path.to_str().unwrap()]);
    assert!(
        out.contains("0 personne(s) et 0 demande(s) ajoutée(s)"),
        "{out}"
    );
    assert!(out.contains("à décider : 0 doublon(s)"), "{out}");
}

/// One visitor at the stand: last name, first name, phone, e-mail, birth date, needs.
type Visitor<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<NaiveDate>,
    &'a [&'a str],
);

/// A laptop prepared for the office's fair, with `visitors` captured.
fn capture_on_laptop(office: &mut Store, path: &Path, visitors: &[Visitor<'_>]) {
    salon::prepare(office, "Forum santé", today(), "Orléans", path, false).unwrap();
    let mut l = open(path, "Karim Benali");
    let event = l.meta("event_id").unwrap();
    for (last, first, phone, email, birth, types) in visitors {
        let requests: Vec<NewRequest> = types
            .iter()
            .map(|t| {
                let mut r = NewRequest::new(
                    NewPerson {
                        last_name: last.to_string(),
                        first_name: first.to_string(),
                        phone: phone.to_string(),
                        email: email.to_string(),
                        birth_date: *birth,
                        ..Default::default()
                    },
                    t,
                    today(),
                );
                r.status = Status::AQualifier;
                r.channel_code = Some("salon".into());
                r.event_id = event.clone();
                r
            })
            .collect();
        salon::capture(&mut l, &requests, true).unwrap();
    }
}

fn event_count(path: &Path) -> i64 {
    count(
        path,
        "SELECT count(*) FROM request r JOIN event e ON e.id = r.event_id WHERE e.name = 'Forum santé'",
    )
}

#[test]
fn namesakes_with_nothing_else_in_common_are_added_not_held() {
    let env = Env::new();
    let db = env.db();
    let mut office = open(&db, "Élodie Martin");
    let born = NaiveDate::from_ymd_opt(1998, 3, 14);
    let mut known = NewRequest::new(
        NewPerson {
            last_name: "Martin".into(),
            first_name: "Léa".into(),
            phone: "06 11 11 11 11".into(),
            birth_date: born,
            ..Default::default()
        },
        "logement",
        today(),
    );
    known.summary = "bureau".into();
    office.create_request(&known).unwrap();
    let path = env.path("portable.sqlite3");
    capture_on_laptop(
        &mut office,
        &path,
        &[
            // Same name, another phone, no e-mail, no birth date: a namesake.
            ("MARTIN", "Léa", "06 22 22 22 22", "", None, &["bourse"]),
            // Same name, another birth date.
            (
                "Martin",
                "Lea",
                "",
                "",
                NaiveDate::from_ymd_opt(2001, 1, 2),
                &["creche"],
            ),
            // Same name and birth date: held.
            ("Martin", "Léa", "", "", born, &["stage"]),
        ],
    );
    let r = salon::merge(&mut office, &path).unwrap();
    assert_eq!((r.added_persons, r.pending_duplicates), (3, 1));
    let pending = salon::pending(&office).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].capture.as_ref().unwrap().requests.len(), 1);
    assert!(pending[0].capture.as_ref().unwrap().requests[0].contains("Stage"));
    assert_eq!(event_count(&db), 3, "every capture counts under its event");
}

#[test]
fn two_laptops_capturing_one_visitor_leave_one_request_per_need_and_undo_restores() {
    let env = Env::new();
    let db = env.db();
    let mut office = open(&db, "Élodie Martin");
    let (a, b) = (env.path("a.sqlite3"), env.path("b.sqlite3"));
    let needs: &[&str] = &["logement", "bourse", "creche"];
    capture_on_laptop(
        &mut office,
        &a,
        &[
            (
                "Nguyen",
                "Minh",
                "06 98 76 54 32",
                "minh@exemple.fr",
                None,
                needs,
            ),
            ("Roux", "Zoé", "07 00 00 00 01", "", None, &["stage"]),
        ],
    );
    capture_on_laptop(
        &mut office,
        &b,
        &[("NGUYEN", "Minh", "+33 6 98 76 54 32", "", None, needs)],
    );
    salon::merge(&mut office, &a).unwrap();
    let r = salon::merge(&mut office, &b).unwrap();
    assert_eq!(r.pending_duplicates, 1);
    // While the decision is pending, every capture counts under the event, marked as held.
    assert_eq!(event_count(&db), 7);
    drop(office);
    let events = env.ok(&["event", "list"]);
    assert!(
        events.contains("7 (dont 3 en attente de décision)"),
        "{events}"
    );
    let pending: serde_json::Value =
        serde_json::from_str(&env.ok(&["pending", "--format", "json"])).unwrap();
    let item = &pending[0];
    assert_eq!(item["capture"]["phone"], "+33 6 98 76 54 32");
    assert_eq!(item["capture"]["requests"].as_array().unwrap().len(), 3);
    assert_eq!(item["candidates"].as_array().unwrap().len(), 1);
    assert_eq!(item["candidates"][0]["email"], "minh@exemple.fr");
    let table = env.ok(&["pending"]);
    assert!(table.contains("Saisie du salon : NGUYEN Minh"), "{table}");
    assert!(
        table.contains("Candidat 1 au bureau : Nguyen Minh"),
        "{table}"
    );
    let id = item["id"].as_str().unwrap();

    let before = dump(&db, &["person", "request"]);
    let search_before = env.ok(&["search", "nguyen", "--format", "csv"]);
    env.ok(&["resolve", id, "--decision", "fusionner"]);
    assert_eq!(
        event_count(&db),
        4,
        "one request per need: 3 for Minh, 1 for Zoé"
    );
    let per_need = count(
        &db,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM request GROUP BY person_id, type_code)",
    );
    assert_eq!(per_need, 1);
    common::figures::assert_counts_equal(&db, "decided");
    assert_eq!(
        env.ok(&["search", "nguyen", "--format", "json"])
            .matches("reference")
            .count(),
        3
    );

    // Undo: the state before the decision, and the item waits again.
    let out = env.ok(&["resolve", id, "--annuler"]);
    assert!(out.contains("annulée"), "{out}");
    let mut after = dump(&db, &["person", "request"]);
    let mut expected = before.clone();
    after.sort();
    expected.sort();
    // Versions and stamps of moved requests changed; identities, owners and counts did not.
    let strip = |rows: &[String]| -> Vec<String> {
        rows.iter()
            .map(|r| r.split(", ").take(4).collect::<Vec<_>>().join(", "))
            .collect()
    };
    assert_eq!(strip(&after), strip(&expected));
    assert_eq!(event_count(&db), 7);
    common::figures::assert_counts_equal(&db, "undone");
    assert_eq!(
        env.ok(&["search", "nguyen", "--format", "csv"]),
        search_before
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&env.ok(&["pending", "--format", "json"]))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Decided again; after the next merge, it can no longer be undone.
    env.ok(&["resolve", id, "--decision", "fusionner"]);
    let c = env.path("c.sqlite3");
    {
        let mut office = open(&db, "Élodie Martin");
        capture_on_laptop(
            &mut office,
            &c,
            &[("Petit", "Jules", "", "", None, &["stage"])],
        );
        salon::merge(&mut office, &c).unwrap();
    }
    let late = env.fails(&["resolve", id, "--annuler"], 2);
    common::figures::assert_counts_equal(&db, "decided again");
    assert!(late.contains("ne peut plus être annulée"), "{late}");
}

#[test]
fn a_laptop_record_bearing_an_office_id_is_refused_with_the_reason() {
    let env = Env::new();
    let db = env.db();
    let mut office = open(&db, "Élodie Martin");
    let known = office
        .create_request(&NewRequest::new(
            NewPerson {
                last_name: "Bernard".into(),
                first_name: "Paul".into(),
                ..Default::default()
            },
            "logement",
            today(),
        ))
        .unwrap();
    let path = env.path("portable.sqlite3");
    capture_on_laptop(
        &mut office,
        &path,
        &[("Intrus", "Faux", "", "", None, &["bourse"])],
    );
    {
        // The laptop's person is given the id of an office person.
        let c = Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        c.execute("UPDATE request SET person_id = ?1", [&known.person_id])
            .unwrap();
        c.execute("UPDATE person SET id = ?1", [&known.person_id])
            .unwrap();
    }
    drop(office);
    let before = dump(&db, &DATA);
    let err = env.fails(&["merge", path.to_str().unwrap()], 2);
    assert!(err.contains("déjà pris au bureau"), "{err}");
    assert_eq!(dump(&db, &DATA), before, "nothing merged");
}

#[test]
fn hostile_or_damaged_laptop_files_are_refused_and_left_untouched() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "50", "--seed", "9"]);
    let make = |name: &str| {
        let p = env.path(name);
        let mut office = open(&env.db(), "Élodie Martin");
        laptop(&mut office, &p, 3, 20);
        p
    };
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        {
            let p = make("piege.sqlite3");
            Connection::open(&p)
                .unwrap()
                .execute_batch(
                    "PRAGMA journal_mode = DELETE;                      CREATE TRIGGER evil AFTER INSERT ON request BEGIN DELETE FROM person; END;",
                )
                .unwrap();
            (p, "objet inattendu (trigger « evil »)")
        },
        {
            let p = make("vue.sqlite3");
            Connection::open(&p)
                .unwrap()
                .execute_batch(
                    "PRAGMA journal_mode = DELETE; CREATE VIEW spy AS SELECT * FROM person;",
                )
                .unwrap();
            (p, "objet inattendu (view « spy »)")
        },
        {
            let p = make("recente.sqlite3");
            Connection::open(&p)
                .unwrap()
                .execute_batch("PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;")
                .unwrap();
            (p, "version plus récente")
        },
        {
            let p = make("abimee.sqlite3");
            let mut b = bytes(&p);
            let len = b.len();
            for x in &mut b[len / 2..len / 2 + 3000] {
                *x = 0x5a;
            }
            std::fs::write(&p, b).unwrap();
            (p, "n'est pas un fichier guichet")
        },
        {
            let p = env.path("export.csv");
            std::fs::write(
                &p,
                "date;type;nom;prenom
",
            )
            .unwrap();
            (p, "ce n'est pas une base SQLite")
        },
    ];
    // Preparing the laptops wrote to the office (event, series): the reference is taken now.
    let office_before = dump(&env.db(), &DATA);
    for (path, expected) in cases {
        let before = bytes(&path);
        let stderr = env.fails(&["merge", path.to_str().unwrap()], 2);
        assert!(stderr.contains(expected), "{}: {stderr}", path.display());
        assert_eq!(bytes(&path), before, "{} left untouched", path.display());
        assert_same(
            &dump(&env.db(), &DATA),
            &office_before,
            &format!("office unchanged by {}", path.display()),
        );
    }
}

#[test]
fn edits_made_on_the_road_and_at_the_office_are_both_kept_for_review() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "60", "--seed", "10"]);
    let db = env.db();
    let path = env.path("copie.sqlite3");
    // An agent's unsaved form in the office (a draft): it does not travel on a full copy.
    Store::open(&db)
        .unwrap()
        .save_draft("Bruno Lac", r#"{"title":"brouillonconfidentiel"}"#)
        .unwrap();
    let out = env.ok(&[
        "salon",
        "prepare",
        "--event",
        "Tournée",
        "--date",
        "22/11/2026",
        "--full",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(out.contains("copie complète"), "{out}");
    assert_eq!(count(&path, "SELECT count(*) FROM draft"), 0);
    assert!(
        !bytes(&path)
            .windows(b"brouillonconfidentiel".len())
            .any(|w| w == b"brouillonconfidentiel"),
        "no trace of the draft in the copy"
    );
    let ids: Vec<String> = Connection::open(&db)
        .unwrap()
        .prepare("SELECT id FROM request WHERE status <> 'close' ORDER BY reference LIMIT 2")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (both, road_only) = (&ids[0], &ids[1]);
    {
        let mut road = open(&path, "Karim Benali");
        for (id, text) in [(both, "modifié sur la route"), (road_only, "vu au salon")] {
            road.update_request(
                id,
                None,
                &RequestChange {
                    summary: Some(text.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        }
    }
    {
        let mut office = open(&db, "Sophie Lefèvre");
        office
            .update_request(
                both,
                None,
                &RequestChange {
                    summary: Some("modifié au bureau".into()),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let out = env.ok(&["merge", path.to_str().unwrap()]);
    assert!(out.contains("1 mise(s) à jour"), "{out}");
    assert!(out.contains("1 modification(s) des deux côtés"), "{out}");
    let summary = |id: &str| -> String {
        Connection::open(&db)
            .unwrap()
            .query_row("SELECT summary FROM request WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(
        summary(road_only),
        "vu au salon",
        "edited on the road only: applied"
    );
    assert_eq!(
        summary(both),
        "modifié au bureau",
        "edited on both sides: the office's stays…"
    );
    let office = open(&db, "Élodie Martin");
    let pending = salon::pending(&office).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, "conflict");
    assert!(
        pending[0].office.starts_with("demande ") && !pending[0].office.contains(both.as_str()),
        "the record named, not its id: {}",
        pending[0].office
    );
    drop(office);
    let payload: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT payload FROM merge_pending", [], |r| r.get(0))
        .unwrap();
    assert!(
        payload.contains("modifié sur la route"),
        "…and the road's is kept beside it"
    );
    let mut office = open(&db, "Élodie Martin");
    salon::resolve(&mut office, &pending[0].id, Decision::ApplyLaptop).unwrap();
    assert_eq!(summary(both), "modifié sur la route");
    let history: i64 = count(
        &db,
        "SELECT count(*) FROM history WHERE field = 'summary' AND old_value = 'modifié au bureau'",
    );
    assert_eq!(history, 1, "the office's version stays in the history");

    // Undone: the office's summary comes back; undone after a colleague's change of another
    // field, only the summary goes back and the colleague's change stays.
    salon::undo(&mut office, &pending[0].id).unwrap();
    assert_eq!(summary(both), "modifié au bureau");
    salon::resolve(&mut office, &pending[0].id, Decision::ApplyLaptop).unwrap();
    {
        let mut colleague = open(&db, "Karim Benali");
        colleague
            .update_request(
                both,
                None,
                &RequestChange {
                    next_follow_up_on: Some(NaiveDate::from_ymd_opt(2026, 12, 3)),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    salon::undo(&mut office, &pending[0].id).unwrap();
    assert_eq!(summary(both), "modifié au bureau");
    let due: Option<String> = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT next_follow_up_on FROM request WHERE id = ?1",
            [both],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        due.as_deref(),
        Some("2026-12-03"),
        "the colleague's date stays"
    );
}

#[test]
fn merged_captures_appear_in_the_review_under_their_event_and_channel() {
    let env = Env::new();
    let db = env.db();
    let mut office = open(&db, "Élodie Martin");
    guichet::demo::fill(&mut office, 200, 2).unwrap();
    let path = env.path("portable.sqlite3");
    laptop(&mut office, &path, 5, 40);
    salon::merge(&mut office, &path).unwrap();
    let week = guichet::review::Period::containing(guichet::review::PeriodKind::Week, today());
    let r = guichet::review::compute(&office, week).unwrap();
    let event = r
        .events
        .iter()
        .find(|e| e.name == "Salon de l'étudiant")
        .expect("the event is in the review");
    assert_eq!(event.requests, 40);
    let salon_channel = r
        .by_channel
        .iter()
        .find(|c| c.code == "salon")
        .expect("salon channel");
    assert!(salon_channel.count >= 40);
}

mod interface {
    use super::common::keys::{ctrl, key, screen_at, typed};
    use super::*;
    use guichet::tui::app::{App, Display, Overlay, Screen};
    use ratatui::crossterm::event::KeyCode;

    fn screen(app: &App, size: (u16, u16)) -> String {
        screen_at(app, size)
    }
    fn app(path: &Path, agent: &str) -> App {
        let mut a = App::new(
            open(path, agent),
            Some(agent),
            Display {
                no_color: false,
                utc: true,
                ..Default::default()
            },
        )
        .unwrap();
        a.resize(120, 40);
        a
    }

    /// One visitor, keyboard only: name, first name, phone, interests, note, notice, Ctrl-S.
    fn capture_visitor(a: &mut App, last: &str, first: &str, phone: &str, interests: &[usize]) {
        typed(a, last);
        key(a, KeyCode::Tab);
        typed(a, first);
        key(a, KeyCode::Tab);
        typed(a, phone);
        for _ in 0..4 {
            key(a, KeyCode::Tab); // e-mail, profile, studies, interests
        }
        let mut at = 0;
        for i in interests {
            while at < *i {
                key(a, KeyCode::Right);
                at += 1;
            }
            key(a, KeyCode::Char(' '));
        }
        key(a, KeyCode::Tab);
        typed(a, "Rencontré au stand");
        key(a, KeyCode::Tab);
        key(a, KeyCode::Right); // notice given
        ctrl(a, 's');
    }

    #[test]
    fn a_laptop_opens_on_the_quick_capture_and_each_save_clears_the_form() {
        let env = Env::new();
        let path = env.path("portable.sqlite3");
        {
            let mut office = open(&env.db(), "Élodie Martin");
            salon::prepare(
                &mut office,
                "Salon de l'étudiant",
                today(),
                "Orléans",
                &path,
                false,
            )
            .unwrap();
        }
        let mut a = app(&path, "Karim Benali");
        assert!(matches!(a.screen, Screen::Capture(_)), "{:?}", a.screen);
        insta::assert_snapshot!("capture_empty_80x24", screen(&a, (80, 24)));
        // A missing notice is said beside its field, and nothing is written.
        typed(&mut a, "Martin");
        assert!(
            guichet::tui::draft::Draft::of(&a).is_some(),
            "the capture opened at start is kept if the terminal closes"
        );
        key(&mut a, KeyCode::Tab);
        typed(&mut a, "Zoé");
        key(&mut a, KeyCode::Tab);
        typed(&mut a, "06 11 22 33 44");
        for _ in 0..4 {
            key(&mut a, KeyCode::Tab);
        }
        key(&mut a, KeyCode::Char(' '));
        ctrl(&mut a, 's');
        let Some(Overlay::Form(f)) = &a.overlay else {
            panic!("form")
        };
        assert!(
            f.fields[8]
                .error
                .as_deref()
                .unwrap_or("")
                .contains("mention d'information"),
            "{:?}",
            f.fields[8].error
        );
        assert_eq!(count(&path, "SELECT count(*) FROM request"), 0);
        key(&mut a, KeyCode::Esc);
        key(&mut a, KeyCode::Char('o')); // drop it
        key(&mut a, KeyCode::Enter); // a fresh form
        // Saved empty: every missing field is said at once, the cursor on the name.
        ctrl(&mut a, 's');
        let Some(Overlay::Form(f)) = &a.overlay else {
            panic!("form")
        };
        let faults: Vec<(&str, &str)> = f
            .fields
            .iter()
            .filter_map(|f| Some((f.label, f.error.as_deref()?)))
            .collect();
        assert_eq!(
            faults,
            [
                ("Nom", "le nom est vide"),
                ("Prénom", "le prénom est vide"),
                ("Intéressé(e) par", "cochez au moins un intérêt (Espace)"),
            ]
        );
        assert_eq!(f.focus, 0);

        capture_visitor(&mut a, "Dupont", "Jean", "06 12 34 56 78", &[0, 4]);
        assert!(
            a.message
                .as_ref()
                .unwrap()
                .text
                .starts_with("Enregistré : DUPONT Jean"),
            "{:?}",
            a.message
        );
        let Some(Overlay::Form(f)) = &a.overlay else {
            panic!("the form is back, empty")
        };
        assert_eq!(f.fields[0].value(), "");
        capture_visitor(&mut a, "N'Diaye", "Maël", "07 98 76 54 32", &[1]);
        assert_eq!(
            count(
                &path,
                "SELECT count(*) FROM request WHERE status = 'a_qualifier' AND channel_code = 'salon'"
            ),
            3
        );
        assert_eq!(count(&path, "SELECT count(*) FROM person"), 2);
        assert_eq!(
            count(
                &path,
                "SELECT count(*) FROM history WHERE field = 'information_notice'"
            ),
            2
        );
        let Screen::Capture(v) = &a.screen else {
            panic!("capture")
        };
        assert_eq!(v.visitors_today, 2);
        insta::assert_snapshot!("capture_after_two_120x40", screen(&a, (120, 40)));
        insta::assert_snapshot!("capture_after_two_80x24", screen(&a, (80, 24)));
    }

    #[test]
    fn what_the_departement_offers_is_one_key_away_at_the_stand() {
        let env = Env::new();
        let path = env.path("portable.sqlite3");
        {
            let mut office = open(&env.db(), "Élodie Martin");
            salon::prepare(&mut office, "Salon", today(), "", &path, false).unwrap();
        }
        assert_eq!(
            count(&path, "SELECT count(*) FROM offer"),
            6,
            "the offers travel with the laptop"
        );
        let mut a = app(&path, "Karim Benali");
        typed(&mut a, "Martin");
        ctrl(&mut a, 'o');
        let shown = screen(&a, (80, 24));
        assert!(shown.contains("Bourse d'études"), "{shown}");
        assert!(shown.contains("5 ans dans le Loiret"), "{shown}");
        insta::assert_snapshot!("offers_80x24", shown);
        key(&mut a, KeyCode::Esc);
        let Some(Overlay::Form(f)) = &a.overlay else {
            panic!("back to the form")
        };
        assert_eq!(f.fields[0].value(), "Martin", "what was typed is kept");
    }

    #[test]
    fn the_office_merges_a_laptop_and_decides_the_duplicates_from_the_interface() {
        let env = Env::new();
        let db = env.db();
        let path = env.path("portable.sqlite3");
        let known_person;
        {
            let mut office = open(&db, "Élodie Martin");
            known_person = office
                .create_request(&NewRequest::new(
                    NewPerson {
                        last_name: "Dupont".into(),
                        first_name: "Jean".into(),
                        phone: "06 12 34 56 78".into(),
                        ..Default::default()
                    },
                    "logement",
                    today(),
                ))
                .unwrap()
                .person_id;
            salon::prepare(
                &mut office,
                "Salon de l'étudiant",
                today(),
                "",
                &path,
                false,
            )
            .unwrap();
        }
        {
            let mut l = app(&path, "Karim Benali");
            capture_visitor(&mut l, "DUPONT", "Jean", "+33 6 12 34 56 78", &[4]);
            capture_visitor(&mut l, "Roux", "Léa", "06 55 44 33 22", &[0]);
        }
        let mut a = app(&db, "Élodie Martin");
        key(&mut a, KeyCode::Char('M'));
        typed(&mut a, path.to_str().unwrap());
        ctrl(&mut a, 's');
        let msg = a.message.as_ref().unwrap().text.clone();
        assert_eq!(
            msg,
            "Fusion : 2 personne(s), 2 demande(s) ajoutée(s), 0 déjà présente(s) ; 1 à décider (touche R)."
        );
        key(&mut a, KeyCode::Char('R'));
        let Screen::Pending(v) = &a.screen else {
            panic!("pending")
        };
        assert_eq!(v.items.len(), 1);
        let shown = screen(&a, (120, 40)).replace(env.dir.path().to_str().unwrap(), "[dossier]");
        insta::assert_snapshot!("pending_120x40", shown);
        // On a laptop's small screen: the keys and both cards' titles whole.
        let small = screen(&a, (60, 20)).replace(env.dir.path().to_str().unwrap(), "[dossier]");
        insta::assert_snapshot!("pending_60x20", small);
        assert!(small.contains("f même personne"), "{small}");
        assert!(small.contains("Bureau 1/1"), "{small}");
        // Smaller still: what a card cannot show is counted, not silently cut.
        let tiny = screen(&a, (60, 14));
        assert!(tiny.contains("ligne(s) de plus"), "{tiny}");
        // A decision asks first; "non" changes nothing.
        key(&mut a, KeyCode::Char('f'));
        assert!(a.overlay.is_some(), "a confirmation is asked");
        key(&mut a, KeyCode::Char('n'));
        let Screen::Pending(v) = &a.screen else {
            panic!("pending")
        };
        assert_eq!(v.items.len(), 1);
        key(&mut a, KeyCode::Char('f'));
        key(&mut a, KeyCode::Char('o'));
        assert_eq!(
            a.message.as_ref().unwrap().text,
            "Saisie rattachée à la personne existante (demandes identiques réunies). Annulable jusqu'à la prochaine fusion : touche u"
        );
        let Screen::Pending(v) = &a.screen else {
            panic!("pending")
        };
        assert!(v.items.is_empty());
        // Undone, then decided again.
        key(&mut a, KeyCode::Char('u'));
        let Screen::Pending(v) = &a.screen else {
            panic!("pending")
        };
        assert_eq!(v.items.len(), 1, "{:?}", a.message);
        key(&mut a, KeyCode::Char('f'));
        key(&mut a, KeyCode::Char('o'));
        let n: i64 = Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM request WHERE person_id = ?1",
                [&known_person],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 2, "the crèche request joined Jean Dupont");

        // The next day, in a new session: `u` undoes the latest decision, whoever took it.
        drop(a);
        let mut a = app(&db, "Karim Benali");
        key(&mut a, KeyCode::Char('R'));
        key(&mut a, KeyCode::Char('u'));
        let Screen::Pending(v) = &a.screen else {
            panic!("pending")
        };
        assert_eq!(v.items.len(), 1, "{:?}", a.message);
        key(&mut a, KeyCode::Char('u'));
        assert!(
            a.message
                .as_ref()
                .is_some_and(|m| m.text.contains("aucune décision à annuler")),
            "{:?}",
            a.message
        );
    }
}

/// One visitor captured at the stand with every detail the form has (`capture_on_laptop`
/// leaves the profession empty).
fn capture_detailed(office: &mut Store, path: &Path, person: NewPerson, needs: &[&str]) {
    salon::prepare(office, "Forum santé", today(), "Orléans", path, false).unwrap();
    let mut l = open(path, "Karim Benali");
    let event = l.meta("event_id").unwrap();
    let requests: Vec<NewRequest> = needs
        .iter()
        .map(|t| {
            let mut r = NewRequest::new(person.clone(), t, today());
            r.status = Status::AQualifier;
            r.channel_code = Some("salon".into());
            r.event_id = event.clone();
            r
        })
        .collect();
    salon::capture(&mut l, &requests, true).unwrap();
}

/// The tour's case: an office person, the same visitor captured on two laptops. Deciding the
/// first capture "same person" leaves the second with the office person as its one candidate
/// (the first capture is that person now), decidable without `--candidat`; what the visitor
/// said at the stand (a new profession, an e-mail) reaches the office person, in the history;
/// the folded request's reference says where it went; undo gives the office person back their
/// own values.
#[test]
fn a_visitor_captured_twice_is_decided_twice_and_keeps_what_they_said_at_the_stand() {
    let env = Env::new();
    let db = env.db();
    let mut office = open(&db, "Élodie Martin");
    let lise = |email: &str, profession: &str| NewPerson {
        last_name: "Martin".into(),
        first_name: "Lise".into(),
        phone: "06 55 44 33 22".into(),
        email: email.into(),
        profession: profession.into(),
        ..Default::default()
    };
    let known = NewRequest::new(lise("", "étudiante en médecine"), "logement", today());
    let office_ref = office.create_request(&known).unwrap().reference;
    let (a, b) = (env.path("a.sqlite3"), env.path("b.sqlite3"));
    capture_detailed(
        &mut office,
        &a,
        lise("lise.martin@exemple.fr", "interne MG"),
        &["bourse"],
    );
    capture_detailed(&mut office, &b, lise("", ""), &["bourse", "creche"]);
    salon::merge(&mut office, &a).unwrap();
    salon::merge(&mut office, &b).unwrap();
    drop(office);

    let pending = || -> serde_json::Value {
        serde_json::from_str(&env.ok(&["pending", "--format", "json"])).unwrap()
    };
    let items = pending();
    assert_eq!(items.as_array().unwrap().len(), 2);
    let (first, second) = (
        items[0]["id"].as_str().unwrap().to_string(),
        items[1]["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(items[1]["candidates"].as_array().unwrap().len(), 2);

    let out = env.ok(&["resolve", &first, "--decision", "fusionner"]);
    // What the office lacked is taken; what it has otherwise is kept, and said.
    assert!(
        out.contains("Repris de la saisie : e-mail lise.martin@exemple.fr."),
        "{out}"
    );
    assert!(
        out.contains("la fiche garde le sien (à vérifier avec la personne) : profession interne MG (fiche : étudiante en médecine)"),
        "{out}"
    );
    let items = pending();
    let candidates = items[0]["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 1, "{items}");
    assert_eq!(candidates[0]["profession"], "étudiante en médecine");
    assert_eq!(candidates[0]["email"], "lise.martin@exemple.fr");
    // One candidate: decided without naming it.
    env.ok(&["resolve", &second, "--decision", "fusionner"]);
    assert_eq!(
        count(
            &db,
            "SELECT max(n) FROM (SELECT count(*) AS n FROM request GROUP BY person_id, type_code)"
        ),
        1,
        "one request per need"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM person"), 1);
    assert_eq!(event_count(&db), 2, "bourse and crèche, once each");
    common::figures::assert_counts_equal(&db, "decided twice");

    let shown = env.ok(&["request", "show", &office_ref]);
    assert!(shown.contains("lise.martin@exemple.fr"), "{shown}");
    assert!(shown.contains("étudiante en médecine"), "{shown}");
    // The capture's request says what the visitor gave at the stand, in its journal.
    let salon_ref: String = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT reference FROM request WHERE type_code = 'bourse'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let salon = env.ok(&["request", "show", &salon_ref]);
    assert!(
        salon.contains("Salon : repris de la saisie du stand : e-mail lise.martin@exemple.fr ; donné au stand, différent de la fiche (qui garde le sien) : profession interne MG (fiche : étudiante en médecine)"),
        "{salon}"
    );
    // The history names what happened, never a column or an id.
    let all_history = env.ok(&["search", "martin", "--format", "csv"]);
    for r in all_history.lines().skip(1) {
        let reference = r.split(';').next().unwrap();
        let shown = env.ok(&["request", "show", reference]);
        for internal in [
            "folded_into",
            "person_id",
            "merged_into",
            "_key",
            "updated_",
        ] {
            assert!(!shown.contains(internal), "{reference}: {shown}");
        }
    }
    // The second capture's grant request was folded into the first's: its reference says so.
    let folded: String = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT old_value FROM history WHERE field = 'folded_into' AND old_value IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let gone = env.fails(&["request", "show", &folded], 2);
    assert!(gone.contains("a été réunie à"), "{gone}");
    let kept = env.ok(&["request", "show", &salon_ref]);
    assert!(
        kept.contains(&format!(
            "Salon : la demande {folded} saisie au stand (même besoin le même jour) y est réunie"
        )),
        "{kept}"
    );

    // A colleague corrects the phone meanwhile; undoing gives back only what the decisions
    // wrote (the e-mail), never over the colleague's change.
    let person: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM person", [], |r| r.get(0))
        .unwrap();
    {
        let mut colleague = open(&db, "Karim Benali");
        let mut corrected = lise("lise.martin@exemple.fr", "étudiante en médecine");
        corrected.phone = "06 98 76 54 32".into();
        colleague.update_person(&person, None, &corrected).unwrap();
    }
    env.ok(&["resolve", &second, "--annuler"]);
    let out = env.ok(&["resolve", &first, "--annuler"]);
    assert!(out.contains("Décision annulée"), "{out}");
    let shown = env.ok(&["request", "show", &office_ref]);
    assert!(!shown.contains("lise.martin@exemple.fr"), "{shown}");
    assert!(shown.contains("étudiante en médecine"), "{shown}");
    assert!(
        shown.contains("06 98 76 54 32"),
        "the colleague's phone stays: {shown}"
    );
    let salon = env.ok(&["request", "show", &salon_ref]);
    assert!(
        salon.contains("décision « même personne » annulée"),
        "{salon}"
    );
    assert!(
        salon.contains(&format!(
            "la demande {folded} saisie au stand est rétablie à part"
        )),
        "the request it had been folded into says so: {salon}"
    );

    // The right-of-access export names the program's own columns as such (it called every
    // line it had no sentence for "Close le").
    let sheet = env.path("lise.csv");
    env.ok(&[
        "person",
        "export",
        &office_ref,
        "--format",
        "csv",
        "--out",
        sheet.to_str().unwrap(),
    ]);
    let sheet = std::fs::read_to_string(&sheet).unwrap();
    assert!(
        sheet.contains("Donnée technique « email_key » : — → lise.martin@exemple.fr"),
        "{sheet}"
    );
    assert!(!sheet.contains("Z →") && !sheet.contains(":  →"), "{sheet}");
    let closing: Vec<&str> = sheet.lines().filter(|l| l.contains("Close le :")).collect();
    assert!(
        closing.is_empty(),
        "only a closing date is a « Close le » line: {closing:?}"
    );

    // A colleague's change to a field the decision wrote is kept, and the undo says so.
    env.ok(&["resolve", &first, "--decision", "fusionner"]);
    {
        let mut colleague = open(&db, "Karim Benali");
        let mut corrected = lise("lise@chu-orleans.fr", "étudiante en médecine");
        corrected.phone = "06 98 76 54 32".into();
        colleague.update_person(&person, None, &corrected).unwrap();
    }
    let out = env.ok(&["resolve", &first, "--annuler"]);
    assert!(
        out.contains("Modifié depuis par un collègue, gardé tel quel : e-mail."),
        "{out}"
    );
    let shown = env.ok(&["request", "show", &office_ref]);
    assert!(shown.contains("lise@chu-orleans.fr"), "{shown}");
    assert_eq!(count(&db, "SELECT count(*) FROM person"), 3);
    assert_eq!(pending().as_array().unwrap().len(), 2);
    common::figures::assert_counts_equal(&db, "undone");
    env.ok(&["resolve", &first, "--decision", "separer"]);
    env.ok(&["resolve", &second, "--decision", "separer"]);
    assert_eq!(
        env.ok(&["pending"]),
        "Rien à décider : aucun doublon ni modification des deux côtés en attente.\n"
    );
}

/// `M` in the interface on an encrypted laptop file: the form asks for its passphrase (drawn
/// as dots), a wrong one is refused with the form kept, the right one merges.
#[test]
fn the_interface_merges_an_encrypted_laptop_file_with_its_passphrase_typed_in_the_form() {
    use common::app::{app_on, focused_label};
    use common::keys::{ctrl, key, screen_at, typed};
    use ratatui::crossterm::event::KeyCode;

    let env = Env::new();
    let db = env.db();
    let path = env.path("portable chiffré.sqlite3");
    let pass = "tournesol du salon";
    {
        let mut office = open(&db, "Élodie Martin");
        salon::prepare_keyed(
            &mut office,
            "Forum santé",
            today(),
            "Orléans",
            &path,
            false,
            Some(pass),
        )
        .unwrap();
        // An office with one request: the queue, not the welcome screen of an empty file.
        let known = NewRequest::new(
            NewPerson {
                last_name: "Roux".into(),
                first_name: "Zoé".into(),
                phone: "07 00 00 00 01".into(),
                ..Default::default()
            },
            "stage",
            today(),
        );
        office.create_request(&known).unwrap();
        guichet::store::give_passphrase(&path, pass);
        let mut l = open(&path, "Karim Benali");
        let event = l.meta("event_id").unwrap();
        let mut r = NewRequest::new(
            NewPerson {
                last_name: "Chevalier".into(),
                first_name: "Yasmine".into(),
                phone: "06 12 12 12 12".into(),
                ..Default::default()
            },
            "logement",
            today(),
        );
        r.status = Status::AQualifier;
        r.event_id = event;
        salon::capture(&mut l, &[r], true).unwrap();
    }
    // The interface has the terminal: nothing was given for this file in this run.
    guichet::store::forget_passphrase(&path);
    guichet::store::no_prompt_from_now();

    let mut app = app_on(&env, (100, 30));
    key(&mut app, KeyCode::Char('M'));
    typed(&mut app, path.to_str().unwrap());
    ctrl(&mut app, 's');
    assert_eq!(focused_label(&app), "Phrase de passe");
    let shown = screen_at(&app, (100, 30));
    assert!(
        shown.contains("ce fichier est chiffré : tapez sa phrase de passe"),
        "{shown}"
    );

    typed(&mut app, "pas la bonne");
    let shown = screen_at(&app, (100, 30));
    assert!(shown.contains("••••••••••••"), "{shown}");
    assert!(!shown.contains("pas la bonne"), "{shown}");
    ctrl(&mut app, 's');
    let refused = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(refused.contains("phrase de passe"), "{refused}");
    assert!(
        app.overlay.is_some(),
        "the form stays open with what was typed"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM person"), 1);

    // The refused passphrase is not kept in the form: typed again.
    let Some(guichet::tui::app::Overlay::Form(f)) = &app.overlay else {
        panic!("the form")
    };
    assert_eq!(f.fields[1].value(), "");
    typed(&mut app, pass);
    ctrl(&mut app, 's');
    let message = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(
        message.contains("Fusion : 1 personne(s), 1 demande(s) ajoutée(s)"),
        "{message}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM person"), 2);
}

/// A laptop prepared before the office's program was updated (the fair was weeks ago): its
/// captures merge, the laptop's file brought up to date in memory and left untouched (it was
/// refused with "ouvrez d'abord le fichier avec la même version").
#[test]
fn a_laptop_prepared_before_the_office_was_updated_still_merges_and_is_left_untouched() {
    let env = Env::new();
    let db = env.db();
    let path = env.path("portable.sqlite3");
    let mut office = open(&db, "Élodie Martin");
    capture_on_laptop(
        &mut office,
        &path,
        &[("Vidal", "Nina", "06 44 55 66 77", "", None, &["logement"])],
    );
    // The laptop of the previous version: without what the last migration (016, the drafts
    // table) added. Update this step when a migration is added after 016.
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("DROP TABLE draft; PRAGMA journal_mode = DELETE;")
            .unwrap();
        c.pragma_update(None, "user_version", guichet::store::SCHEMA_VERSION - 1)
            .unwrap();
    }
    let before = bytes(&path);
    let r = salon::merge(&mut office, &path).unwrap();
    assert_eq!((r.added_persons, r.added_requests), (1, 1));
    assert_eq!(event_count(&db), 1);
    assert_eq!(bytes(&path), before, "the laptop's file is left as it was");
    assert!(!env.path("portable.sqlite3-wal").exists());
}

/// Decisions are undone from the latest back: undoing an earlier one while a later one moved
/// what it did put a visitor's request on another person (found by a review). `u` takes them
/// in the order they were taken, even within the same second.
#[test]
fn decisions_are_undone_from_the_latest_back() {
    let env = Env::new();
    let db = env.db();
    let mut office = open(&db, "Élodie Martin");
    let lea = |phone: &str| NewPerson {
        last_name: "Martin".into(),
        first_name: "Léa".into(),
        email: "lea.martin@exemple.fr".into(),
        phone: phone.into(),
        ..Default::default()
    };
    office
        .create_request(&NewRequest::new(lea(""), "logement", today()))
        .unwrap();
    let (a, b) = (env.path("p4.sqlite3"), env.path("p5.sqlite3"));
    capture_detailed(&mut office, &a, lea("06 40 40 40 40"), &["bourse"]);
    capture_detailed(&mut office, &b, lea("06 50 50 50 50"), &["creche"]);
    salon::merge(&mut office, &a).unwrap();
    salon::merge(&mut office, &b).unwrap();
    drop(office);
    let items: serde_json::Value =
        serde_json::from_str(&env.ok(&["pending", "--format", "json"])).unwrap();
    let (x4, x5) = (
        items[0]["id"].as_str().unwrap().to_string(),
        items[1]["id"].as_str().unwrap().to_string(),
    );
    // The second capture into the first, then the first into the office person.
    env.ok(&["resolve", &x5, "--decision", "fusionner", "--candidat", "2"]);
    env.ok(&["resolve", &x4, "--decision", "fusionner"]);
    let refused = env.fails(&["resolve", &x5, "--annuler"], 2);
    assert!(refused.contains("plus récente"), "{refused}");
    env.ok(&["resolve", &x4, "--annuler"]);
    env.ok(&["resolve", &x5, "--annuler"]);
    // Each capture has its own request again.
    let owner_phone = |type_code: &str| -> String {
        Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT p.phone FROM request r JOIN person p ON p.id = r.person_id \
                 WHERE r.type_code = ?1",
                [type_code],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(owner_phone("bourse"), "06 40 40 40 40");
    assert_eq!(owner_phone("creche"), "06 50 50 50 50");
    common::figures::assert_counts_equal(&db, "undone in order");
}
