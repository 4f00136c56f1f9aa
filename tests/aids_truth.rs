//! Aids and commitments tell the truth: a commitment past its end with an attestation missing is
//! still running (its attestation overdue), not honoured, and not counted "toujours en
//! activité"; decision and payment dates are neither in the future nor before the request was
//! received; a grant beyond the year's budget is said; numbers stay numbers in CSV; the demo
//! decides no aid before its request was received. "Today" is 22/11/2026.

mod common;

use common::Env;
use serde_json::{Value, json};

fn add_request(env: &Env, kind: &str, name: &str, on: &str) -> String {
    env.ok(&[
        "request", "add", "--type", kind, "--nom", name, "--prenom", "Camille", "--date", on,
    ])
    .trim()
    .to_string()
}

fn report(env: &Env, from: &str, to: &str) -> Value {
    serde_json::from_str(&env.ok(&[
        "report", "aids", "--from", from, "--to", to, "--format", "json",
    ]))
    .expect("json")
}

/// An installation aid decided 2021-10-21, its 5-year commitment from 2021-11-20 (ended
/// 2026-11-20), with the attestations of `attested` (the 4 first anniversaries).
fn ended_commitment(env: &Env, attested: &[&str]) -> String {
    env.ok(&["init"]);
    let r = add_request(env, "installation", "Sully", "2021-10-01");
    env.ok(&[
        "aid",
        "grant",
        &r,
        "--dispositif",
        "aide_installation",
        "--montant",
        "8000",
        "--date",
        "2021-10-21",
    ]);
    env.ok(&[
        "commitment",
        "start",
        &r,
        "--date",
        "2021-11-20",
        "--commune",
        "Sully-sur-Loire",
    ]);
    for on in attested {
        env.ok(&["commitment", "attest", &r, "--date", on]);
    }
    r
}

#[test]
fn a_commitment_past_its_end_with_an_attestation_missing_is_running_not_honoured() {
    let env = Env::new();
    let r = ended_commitment(
        &env,
        &["2022-11-30", "2023-12-17", "2024-12-19", "2025-11-27"],
    );
    let show = env.ok(&["aid", "show", &r]);
    assert!(
        show.contains(
            "au 20/11/2026 à Sully-sur-Loire — En cours (terme atteint, attestation attendue)"
        ),
        "{show}"
    );
    assert!(!show.contains("Honoré"), "{show}");
    assert!(
        show.contains("Prochaine attestation : 20/11/2026 — EN RETARD"),
        "{show}"
    );
    let json: Value =
        serde_json::from_str(&env.ok(&["aid", "show", &r, "--format", "json"])).expect("json");
    assert_eq!(json["commitment"]["state"], "en_cours");
    assert_eq!(json["commitment"]["attestation_overdue"], true);
    let rep = report(&env, "2021-01-01", common::TODAY);
    assert_eq!(
        rep["commitments"],
        json!({"running": 1, "honoured": 0, "broken": 0, "attestations_overdue": 1})
    );
    // Not proven in practice: the sentence does not count them "toujours en activité".
    assert_eq!(rep["beneficiaries_in_practice"], 0);
    assert_eq!(
        rep["sentence"],
        "Depuis le 01/01/2021, 1 professionnel aidé pour 8 000 €, dont 0 toujours en activité dans le département."
    );
    let honoured = env.ok(&["list", "--engagement", "honore", "--format", "csv"]);
    assert!(!honoured.contains(&r), "{honoured}");
    let due = env.ok(&["commitment", "due", "--format", "json"]);
    assert!(due.contains(&r), "{due}");

    // The last attestation comes: honoured, in practice, out of the attestations to check.
    env.ok(&["commitment", "attest", &r, "--date", "2026-11-21"]);
    let show = env.ok(&["aid", "show", &r]);
    assert!(show.contains("— Honoré"), "{show}");
    assert!(!show.contains("EN RETARD"), "{show}");
    let rep = report(&env, "2021-01-01", common::TODAY);
    assert_eq!(
        rep["commitments"],
        json!({"running": 0, "honoured": 1, "broken": 0, "attestations_overdue": 0})
    );
    assert_eq!(rep["beneficiaries_in_practice"], 1);
    let honoured = env.ok(&["list", "--engagement", "honore", "--format", "csv"]);
    assert!(honoured.contains(&r), "{honoured}");
}

#[test]
fn aid_dates_are_neither_in_the_future_nor_before_the_reception() {
    let env = Env::new();
    env.ok(&["init"]);
    let r = add_request(&env, "bourse", "Orleans", "2026-11-20");
    let grant = |on: &str| {
        let args = [
            "aid",
            "grant",
            &r,
            "--dispositif",
            "bourse_etudes",
            "--montant",
            "1200",
            "--date",
            on,
        ];
        env.run(&args)
    };
    let refused = |on: &str| {
        let out = grant(on);
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let e = refused("01/10/2030");
    assert!(
        e.contains("--date : la décision du 01/10/2030 est dans le futur"),
        "{e}"
    );
    let e = refused("01/01/2020");
    assert!(
        e.contains(
            "--date : la décision du 01/01/2020 précède la réception de la demande, le 20/11/2026"
        ),
        "{e}"
    );
    assert_eq!(common::table_rows(&env.db(), "aid"), 0);
    common::assert_succeeded(&grant("21/11/2026"));
    let e = env.fails(
        &[
            "aid",
            "pay",
            &r,
            "--montant",
            "1200",
            "--date",
            "24/12/2026",
        ],
        2,
    );
    assert!(
        e.contains("--date : le versement du 24/12/2026 est dans le futur"),
        "{e}"
    );
    let e = env.fails(
        &["aid", "pay", &r, "--montant", "0", "--date", "22/11/2026"],
        2,
    );
    assert!(
        e.contains("--montant : un versement est un montant positif"),
        "{e}"
    );
    assert_eq!(common::table_rows(&env.db(), "aid_payment"), 0);
    // Nothing paid in the future: the report to the end of the year shows nothing paid.
    let rep = report(&env, "2026-01-01", "2026-12-31");
    assert_eq!(rep["paid_amount"], 0);
}

#[test]
fn a_grant_beyond_the_years_budget_is_granted_with_a_warning_and_csv_keeps_numbers() {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&[
        "budget",
        "set",
        "--dispositif",
        "bourse_etudes",
        "--annee",
        "2026",
        "--montant",
        "10000",
    ]);
    let a = add_request(&env, "bourse", "Gien", "2026-10-01");
    let out = env.ok(&[
        "aid",
        "grant",
        &a,
        "--dispositif",
        "bourse_etudes",
        "--montant",
        "10000",
        "--date",
        "2026-10-15",
    ]);
    assert!(!out.contains("Attention"), "{out}");
    let b = add_request(&env, "bourse", "Briare", "2026-10-01");
    let out = env
        .ok(&[
            "aid",
            "grant",
            &b,
            "--dispositif",
            "bourse_etudes",
            "--montant",
            "12000",
            "--date",
            "2026-10-16",
        ])
        .replace('\u{a0}', " ");
    assert!(
        out.contains("Attention : le budget 2026 du dispositif bourse_etudes est dépassé (22 000 € accordés pour 10 000 € votés, 12 000 € de plus)"),
        "{out}"
    );
    assert_eq!(common::table_rows(&env.db(), "aid"), 2);

    // The remainder is a negative number, written as a number; text stays neutralised.
    let csv = env.ok(&[
        "report",
        "aids",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "csv",
    ]);
    assert!(
        csv.contains("bourse_etudes;Bourse d'études;2;22000;0;10000;-12000\r\n"),
        "{csv}"
    );
    assert!(!csv.contains("'-12000"), "{csv}");
}

#[test]
fn a_formula_in_text_stays_neutralised_in_csv() {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&[
        "dispositif",
        "set",
        "essai",
        "--libelle=-2+3",
        "--type",
        "bourse",
        "--annees",
        "0",
        "--min",
        "0",
        "--max",
        "100",
    ]);
    let csv = env.ok(&[
        "report",
        "aids",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "csv",
    ]);
    assert!(csv.contains("essai;'-2+3;0;0;0;;\r\n"), "{csv}");
}

#[test]
fn the_demo_decides_no_aid_before_its_request_was_received() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "300"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let (aids, early, future): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), \
                    coalesce(sum(a.decided_on < r.received_on), 0), \
                    coalesce(sum(a.decided_on > ?1), 0) \
             FROM aid a JOIN request r ON r.id = a.request_id",
            [common::TODAY],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(aids > 20, "{aids}");
    assert_eq!((early, future), (0, 0));
    let paid_later: i64 = conn
        .query_row(
            "SELECT count(*) FROM aid_payment WHERE paid_on > ?1",
            [common::TODAY],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(paid_later, 0);
}
