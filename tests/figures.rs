//! The counts kept per day (`figure_count`, issue #10 item 4) equal a recount of the tables
//! after every kind of write a user makes through the command line: requests added open and
//! closed, type, channel and status changed, closed, reopened and closed again, follow-ups of
//! every kind (same day twice, backdated, notes), referrals sent and answered, a person
//! anonymised — and on a schema-1 file migrated, then written to. The figures read from those
//! counts are checked against hand-computed values in `tests/review.rs` and `tests/reports.rs`;
//! here the summary and the review are also compared with a recount of the tables.

mod common;

use common::Env;
use common::figures::assert_counts_equal;
use rusqlite::Connection;
use serde_json::Value;

fn add(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["request", "add", "--prenom", "Test"];
    all.extend_from_slice(args);
    env.ok(&all).trim().to_string()
}

fn json(env: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&env.ok(args)).unwrap()
}

/// Writes of every kind through the command line; the counts are compared after each group.
fn write_everything(env: &Env) {
    let db = env.db();
    let a = add(
        env,
        &[
            "--type",
            "bourse",
            "--nom",
            "Alpha",
            "--date",
            "03/11/2026",
            "--canal",
            "email",
        ],
    );
    let b = add(
        env,
        &[
            "--type",
            "logement",
            "--nom",
            "Bravo",
            "--date",
            "25/10/2026",
            "--statut",
            "close",
            "--issue",
            "aboutie",
            "--date-cloture",
            "02/11/2026",
        ],
    );
    let c = add(
        env,
        &[
            "--type",
            "installation",
            "--nom",
            "D'Aubigné",
            "--date",
            "28/10/2026",
            "--telephone",
            "06 12 34 56 78",
        ],
    );
    assert_counts_equal(&db, "added");

    // The case log: contacts, a note, the same day twice, a backdated contact.
    env.log(&a, "appel_entrant", "05/11/2026");
    env.log(&a, "note", "06/11/2026");
    env.log(&a, "email_envoye", "05/11/2026");
    env.log(&a, "rendez_vous", "12/11/2026");
    env.log(&a, "appel_sortant", "04/11/2026");
    env.log(&c, "note", "29/10/2026");
    env.log(&b, "courrier", "02/11/2026");
    env.log(&b, "appel_sortant", "30/10/2026");
    assert_counts_equal(&db, "case log");

    // The queues' counts: assigned, reassigned, unassigned; follow-up dates set by an update
    // and by a follow-up, then removed.
    env.ok(&["agent", "add", "Essai Figures"]);
    env.ok(&["agent", "add", "Essai Comptes"]);
    env.ok(&[
        "request",
        "update",
        &a,
        "--agent",
        "Essai Figures",
        "--relance",
        "20/11/2026",
    ]);
    env.ok(&["request", "update", &c, "--agent", "Essai Figures"]);
    assert_counts_equal(&db, "assigned");
    env.ok(&["request", "update", &a, "--agent", "Essai Comptes"]);
    env.ok(&["request", "update", &c, "--relance", "30/11/2026"]);
    env.ok(&[
        "follow-up",
        "add",
        &a,
        "--kind",
        "appel_sortant",
        "--relance",
        "25/11/2026",
    ]);
    assert_counts_equal(&db, "reassigned, follow-ups moved");
    env.ok(&[
        "request",
        "update",
        &a,
        "--agent",
        "aucun",
        "--relance",
        "aucune",
    ]);
    assert_counts_equal(&db, "unassigned, no follow-up");
    env.ok(&["request", "update", &a, "--agent", "Essai Figures"]);

    // Changes of type, channel and status; a closing, a reopening, a closing on another day.
    env.ok(&["request", "update", &a, "--type", "installation"]);
    env.ok(&["request", "update", &a, "--canal", "telephone"]);
    env.ok(&["request", "update", &c, "--statut", "en_cours"]);
    env.ok(&[
        "request",
        "update",
        &c,
        "--statut",
        "close",
        "--issue",
        "refusee",
        "--date-cloture",
        "10/11/2026",
    ]);
    assert_counts_equal(&db, "closed");
    env.ok(&["request", "update", &c, "--statut", "en_cours"]);
    assert_counts_equal(&db, "reopened");
    env.log(&c, "appel_entrant", "10/11/2026");
    env.ok(&[
        "request",
        "update",
        &c,
        "--statut",
        "close",
        "--issue",
        "sans_suite",
        "--date-cloture",
        "10/11/2026",
    ]);
    env.ok(&["request", "update", &b, "--statut", "en_cours"]);
    env.ok(&[
        "request",
        "update",
        &b,
        "--statut",
        "close",
        "--issue",
        "reorientee",
        "--date-cloture",
        "14/11/2026",
    ]);
    assert_counts_equal(&db, "closed again");

    // Referrals, sent and answered.
    env.ok(&[
        "referral",
        "add",
        &a,
        "--partenaire",
        "cpam",
        "--date",
        "06/11/2026",
        "--attendue",
        "10/11/2026",
    ]);
    env.ok(&[
        "referral",
        "add",
        &c,
        "--partenaire",
        "ars",
        "--date",
        "29/10/2026",
    ]);
    env.ok(&[
        "referral",
        "add",
        &b,
        "--partenaire",
        "cpam",
        "--date",
        "01/11/2026",
        "--attendue",
        "08/11/2026",
    ]);
    env.ok(&[
        "referral",
        "answer",
        &c,
        "--partenaire",
        "ars",
        "--reponse",
        "favorable",
        "--date",
        "09/11/2026",
    ]);
    env.ok(&[
        "referral",
        "answer",
        &b,
        "--partenaire",
        "cpam",
        "--reponse",
        "defavorable",
        "--date",
        "20/11/2026",
    ]);
    assert_counts_equal(&db, "referrals");

    // Anonymisation keeps the figures.
    env.ok(&[
        "person",
        "anonymise",
        &c,
        "--motif",
        "demande de la personne",
    ]);
    assert_counts_equal(&db, "anonymised");
}

#[test]
fn counts_kept_per_day_equal_a_recount_after_every_write() {
    let env = Env::new();
    env.ok(&["init"]);
    write_everything(&env);
    assert_figures_equal_a_recount(&env);
}

#[test]
fn a_migrated_file_keeps_its_counts_through_later_writes() {
    let env = Env::new();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/schema1.sqlite3"
    );
    std::fs::copy(fixture, env.db()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    env.ok(&["check"]);
    assert_counts_equal(&env.db(), "migrated");
    write_everything(&env);
    assert_figures_equal_a_recount(&env);
}

/// The summary and the review of periods around the data, against the tables.
fn assert_figures_equal_a_recount(env: &Env) {
    let c = Connection::open(env.db()).unwrap();
    let count = |sql: &str, from: &str, to: &str| -> i64 {
        c.query_row(sql, [from, to], |r| r.get(0)).unwrap()
    };
    for (from, to) in [
        ("2026-10-01", "2026-11-22"),
        ("2026-11-01", "2026-11-10"),
        ("2026-11-05", "2026-11-05"),
        ("2025-01-01", "2026-11-22"),
    ] {
        let s = json(
            env,
            &[
                "report", "summary", "--from", from, "--to", to, "--format", "json",
            ],
        );
        let received = count(
            "SELECT count(*) FROM request WHERE received_on BETWEEN ?1 AND ?2",
            from,
            to,
        );
        let closed = count(
            "SELECT count(*) FROM request WHERE closed_on BETWEEN ?1 AND ?2",
            from,
            to,
        );
        let open = count(
            "SELECT count(*) FROM request WHERE received_on <= ?2 \
              AND (closed_on IS NULL OR closed_on > ?2) AND ?1 = ?1",
            from,
            to,
        );
        assert_eq!(s["received"], received, "{from}..{to}: {s}");
        assert_eq!(s["closed"], closed, "{from}..{to}: {s}");
        assert_eq!(s["open_at_end"], open, "{from}..{to}: {s}");

        let r = json(
            env,
            &[
                "report", "review", "--from", from, "--to", to, "--format", "json",
            ],
        );
        let treated = count(
            "SELECT count(*) FROM request r WHERE r.closed_on BETWEEN ?1 AND ?2 OR EXISTS \
             (SELECT 1 FROM follow_up f WHERE f.request_id = r.id AND f.kind <> 'note' \
               AND f.occurred_on BETWEEN ?1 AND ?2)",
            from,
            to,
        );
        let with_contact = count(
            "SELECT count(*) FROM request WHERE received_on BETWEEN ?1 AND ?2 \
              AND first_contact_on IS NOT NULL",
            from,
            to,
        );
        assert_eq!(r["treated"], treated, "{from}..{to}: {r}");
        assert_eq!(r["received"], received, "{from}..{to}");
        assert_eq!(r["closed"], closed, "{from}..{to}");
        assert_eq!(
            r["first_contact"]["count"], with_contact,
            "{from}..{to}: {r}"
        );

        // Referrals awaited at the end of the period (sent by then, not answered by then), and
        // those of them whose expected answer day was before it.
        let mut st = c
            .prepare(
                "SELECT p.code, count(*), sum(coalesce(f.expected_by < ?1, 0)) \
                   FROM referral f JOIN partner p ON p.id = f.partner_id \
                  WHERE f.sent_on <= ?1 AND (f.answered_on IS NULL OR f.answered_on > ?1) \
                  GROUP BY 1 ORDER BY 1",
            )
            .unwrap();
        let recount: Vec<(String, i64, i64)> = st
            .query_map([to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut shown: Vec<(String, i64, i64)> = r["partners"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["awaited"] != 0)
            .map(|p| {
                let n = |k: &str| p[k].as_i64().unwrap();
                (
                    p["code"].as_str().unwrap().to_string(),
                    n("awaited"),
                    n("overdue"),
                )
            })
            .collect();
        shown.sort();
        assert_eq!(shown, recount, "{from}..{to}: partners awaited");
    }
}

/// The demo generator counts its rows in bulk (its triggers dropped for each batch): the counts
/// equal a recount after a first load, a second one on top, and writes to its requests after.
#[test]
fn demo_data_counted_in_bulk_equals_a_recount_and_later_writes_keep_it() {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&["demo", "--requests", "1500", "--seed", "3"]);
    assert_counts_equal(&env.db(), "demo");
    env.ok(&["demo", "--requests", "700", "--seed", "4"]);
    assert_counts_equal(&env.db(), "demo on top of demo");
    let c = Connection::open(env.db()).unwrap();
    let open: String = c
        .query_row(
            "SELECT reference FROM request WHERE status = 'en_cours' ORDER BY reference LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    env.log(&open, "appel_sortant", "21/11/2026");
    env.ok(&[
        "request",
        "update",
        &open,
        "--statut",
        "close",
        "--issue",
        "aboutie",
        "--date-cloture",
        "22/11/2026",
    ]);
    assert_counts_equal(&env.db(), "demo request closed");
    write_everything(&env);
    assert_figures_equal_a_recount(&env);
}
