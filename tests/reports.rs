//! Weekly and summary figures on a hand-made data set, against figures computed by hand.
//!
//! ISO weeks of June 2023: W22 = 29/05–04/06, W23 = 05/06–11/06, W24 = 12/06–18/06,
//! W25 = 19/06–25/06.
//!
//! | # | type         | received          | closed            | channel   | referral         |
//! |---|--------------|-------------------|-------------------|-----------|------------------|
//! | 1 | bourse       | 01/06 (W22)       | 06/06 (W23) aboutie | telephone |                  |
//! | 2 | bourse       | 05/06 (W23, Mon)  | open              | email     | cpam, 06/06      |
//! | 3 | bourse       | 11/06 (W23, Sun)  | 12/06 (W24) refusee | telephone |                  |
//! | 4 | logement     | 12/06 (W24)       | 18/06 (W24, Sun) aboutie | salon (Forum 12/06) |    |
//! | 5 | logement     | 20/06 (W25)       | open              | —         | caf, 21/06       |
//! | 6 | installation | 01/05             | 10/05 sans_suite  | courrier  | ars, 02/05       |
//! | 7 | creche       | 03/07 (after)     | open              | telephone |                  |

mod common;

use chrono::NaiveDate;
use common::Env;
use guichet::domain::{Answer, FollowUpKind, Outcome, Status};
use guichet::store::{NewFollowUp, NewPerson, NewReferral, NewRequest, ReferralAnswer, Store};
use serde_json::{Value, json};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// (type, received, closing date and outcome, channel, partner referred to)
type Row<'a> = (
    &'a str,
    &'a str,
    Option<(&'a str, Outcome)>,
    Option<&'a str>,
    Option<&'a str>,
);

fn build(env: &Env) {
    let mut s = Store::open(&env.db()).unwrap().with_actor("test");
    s.set_today(d("2026-11-22"));
    let forum = s
        .add_event("Forum des internes", d("2023-06-12"), "Tours")
        .unwrap();
    s.add_event("Salon de juillet", d("2023-07-15"), "")
        .unwrap();
    let rows: [Row; 7] = [
        (
            "bourse",
            "2023-06-01",
            Some(("2023-06-06", Outcome::Aboutie)),
            Some("telephone"),
            None,
        ),
        ("bourse", "2023-06-05", None, Some("email"), Some("cpam")),
        (
            "bourse",
            "2023-06-11",
            Some(("2023-06-12", Outcome::Refusee)),
            Some("telephone"),
            None,
        ),
        (
            "logement",
            "2023-06-12",
            Some(("2023-06-18", Outcome::Aboutie)),
            Some("salon"),
            None,
        ),
        ("logement", "2023-06-20", None, None, Some("caf")),
        (
            "installation",
            "2023-05-01",
            Some(("2023-05-10", Outcome::SansSuite)),
            Some("courrier"),
            Some("ars"),
        ),
        ("creche", "2023-07-03", None, Some("telephone"), None),
    ];
    let referral_dates = ["", "2023-06-06", "", "", "2023-06-21", "2023-05-02", ""];
    for (i, (type_code, received, closed, channel, partner)) in rows.into_iter().enumerate() {
        let mut r = NewRequest::new(
            NewPerson {
                last_name: format!("Personne{i}"),
                first_name: "Test".into(),
                ..Default::default()
            },
            type_code,
            d(received),
        );
        r.channel_code = channel.map(str::to_string);
        if channel == Some("salon") {
            r.event_id = Some(forum.id.clone());
        }
        if let Some((on, outcome)) = closed {
            r.status = Status::Close;
            r.outcome = Some(outcome);
            r.closed_on = Some(d(on));
        }
        let created = s.create_request(&r).unwrap();
        if let Some(code) = partner {
            let p = s.resolve_partner(code).unwrap();
            let referral = s
                .refer(
                    &created.id,
                    &NewReferral {
                        partner_id: p.id,
                        sent_on: d(referral_dates[i]),
                        expected_by: None,
                        note: String::new(),
                    },
                )
                .unwrap();
            // CPAM answers #2 ten days later.
            if code == "cpam" {
                let answer = ReferralAnswer {
                    answered_on: d("2023-06-16"),
                    answer: Answer::Favorable,
                    note: String::new(),
                };
                s.answer_referral(&referral, None, &answer).unwrap();
            }
        }
        // First contacts: #2 three days after reception, #5 the same day; #4 only a note.
        let contact = |kind, on: &str| NewFollowUp {
            kind,
            occurred_on: d(on),
            body: "contact".into(),
            next_follow_up_on: None,
        };
        match i {
            1 => drop(
                s.log_follow_up(
                    &created.id,
                    &contact(FollowUpKind::AppelSortant, "2023-06-08"),
                )
                .unwrap(),
            ),
            3 => drop(
                s.log_follow_up(&created.id, &contact(FollowUpKind::Note, "2023-06-13"))
                    .unwrap(),
            ),
            4 => drop(
                s.log_follow_up(
                    &created.id,
                    &contact(FollowUpKind::EmailEnvoye, "2023-06-20"),
                )
                .unwrap(),
            ),
            _ => {}
        }
    }
}

#[test]
fn weekly_figures_equal_the_hand_computed_ones() {
    let env = Env::new();
    build(&env);
    let out = env.ok(&[
        "report",
        "weekly",
        "--from",
        "2023-06-07",
        "--to",
        "20/06/2023",
        "--format",
        "json",
    ]);
    let got: Value = serde_json::from_str(&out).unwrap();
    let row = |week: &str, start: &str, t: &str, received: i64, closed: i64, open: i64| json!({"week": week, "week_start": start, "type": t, "received": received, "closed": closed, "open_at_end": open});
    // Types in use by the last Sunday (25/06), in list order; creche (03/07) is not yet.
    let expected = json!([
        row("2023-W23", "2023-06-05", "logement", 0, 0, 0),
        row("2023-W23", "2023-06-05", "bourse", 2, 1, 2),
        row("2023-W23", "2023-06-05", "installation", 0, 0, 0),
        row("2023-W24", "2023-06-12", "logement", 1, 1, 0),
        row("2023-W24", "2023-06-12", "bourse", 0, 1, 1),
        row("2023-W24", "2023-06-12", "installation", 0, 0, 0),
        row("2023-W25", "2023-06-19", "logement", 1, 0, 1),
        row("2023-W25", "2023-06-19", "bourse", 0, 0, 1),
        row("2023-W25", "2023-06-19", "installation", 0, 0, 0),
    ]);
    assert_eq!(got, expected);
}

#[test]
fn summary_figures_equal_the_hand_computed_ones() {
    let env = Env::new();
    build(&env);
    let out = env.ok(&[
        "report",
        "summary",
        "--from",
        "01/06/2023",
        "--to",
        "30/06/2023",
        "--format",
        "json",
    ]);
    let got: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(got["from"], "2023-06-01");
    assert_eq!(got["to"], "2023-06-30");
    assert_eq!(got["received"], 5);
    assert_eq!(got["closed"], 3);
    assert_eq!(got["open_at_end"], 2);
    assert_eq!(got["by_type"], json!({"bourse": 3, "logement": 2}));
    assert_eq!(
        got["by_channel"],
        json!({"telephone": 2, "email": 1, "salon": 1, "non_renseigne": 1})
    );
    assert_eq!(got["by_outcome"], json!({"aboutie": 2, "refusee": 1}));
    assert_eq!(got["events"], 1);
    assert_eq!(got["referrals_by_partner"], json!({"cpam": 1, "caf": 1}));
}

#[test]
fn weekly_csv_is_for_french_spreadsheets() {
    let env = Env::new();
    build(&env);
    let out = env
        .cmd()
        .args([
            "report",
            "weekly",
            "--from",
            "2023-06-05",
            "--to",
            "2023-06-11",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // logement's first request (12/06) comes after this range's last Sunday: not in use yet.
    assert_eq!(
        text,
        "\u{feff}Semaine;Début;Type;Reçues;Closes;Ouvertes en fin de semaine\r\n\
         2023-W23;05/06/2023;Bourse d'études;2;1;2\r\n\
         2023-W23;05/06/2023;Aide à l'installation;0;0;0\r\n"
    );
    let table = env.ok(&[
        "report",
        "weekly",
        "--from",
        "2023-06-05",
        "--to",
        "2023-06-11",
    ]);
    assert!(
        table.starts_with(
            "Semaine   Début       Type                   Reçues  Closes  Ouvertes en fin de semaine\n"
        ),
        "{table}"
    );
}

/// June 2023 by hand (today is 22/11/2026):
/// - received 5 (#1–#5), closed 3 (#1 on 06/06, #3 on 12/06, #4 on 18/06); open at the end:
///   bourse 3 received − 2 closed = 1, logement 2 − 1 = 1, installation 1 − 1 = 0;
/// - previous period: a whole month is compared with the whole previous month, 01/05–31/05:
///   installation received 1 (#6 on 01/05) and closed 1 (#6, 10/05);
/// - treated (a contact or a closing in June): #1, #3, #4 closed, #2 and #5 contacted → 5
///   (#4's note is not a contact);
/// - referrals at 30/06: ARS sent 02/05, expected 01/06, unanswered: awaited and overdue;
///   CAF sent 21/06, expected 21/07: awaited; CPAM sent 06/06, answered 16/06: 10 days;
/// - first contact: #2 after 3 days, #5 after 0 → median 1.5, 90th percentile 3; 3 without;
/// - time to close: 5, 1 and 6 days → median 5, 90th percentile 6;
/// - workload today: #2, #5 and #7 open, none assigned, none with a past follow-up date.
#[test]
fn review_figures_equal_the_hand_computed_ones() {
    let env = Env::new();
    build(&env);
    let out = env.ok(&[
        "report",
        "review",
        "--from",
        "01/06/2023",
        "--to",
        "30/06/2023",
        "--format",
        "json",
    ]);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            r["received"].as_i64(),
            r["closed"].as_i64(),
            r["open_at_end"].as_i64()
        ),
        (Some(5), Some(3), Some(2))
    );
    let by_type: Vec<(String, i64, i64, i64, i64, i64)> = r["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap().to_string(),
                t["received"].as_i64().unwrap(),
                t["closed"].as_i64().unwrap(),
                t["open_at_end"].as_i64().unwrap(),
                t["previous_received"].as_i64().unwrap(),
                t["previous_closed"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_type,
        [
            ("logement".to_string(), 2, 1, 1, 0, 0),
            ("bourse".to_string(), 3, 2, 1, 0, 0),
            ("installation".to_string(), 0, 0, 0, 1, 1),
        ]
    );
    // A whole month is compared with the whole previous month (#6 came on 01/05, closed 10/05).
    assert_eq!(r["period"]["kind"], "month");
    assert_eq!(
        (&r["previous"]["from"], &r["previous"]["to"]),
        (&json!("2023-05-01"), &json!("2023-05-31"))
    );
    assert_eq!(
        r["partners"],
        json!([
            {"code": "ars", "name": "ARS Centre-Val de Loire", "sent": 0, "answered": 0, "awaited": 1, "overdue": 1, "median_days_to_answer": null},
            {"code": "caf", "name": "CAF du Loiret", "sent": 1, "answered": 0, "awaited": 1, "overdue": 0, "median_days_to_answer": null},
            {"code": "cpam", "name": "CPAM du Loiret", "sent": 1, "answered": 1, "awaited": 0, "overdue": 0, "median_days_to_answer": 10.0},
        ])
    );
    assert_eq!(
        r["first_contact"],
        json!({"count": 2, "median_days": 1.5, "p90_days": 3.0})
    );
    assert_eq!(r["without_contact"], 3);
    assert_eq!(
        r["time_to_close"],
        json!({"count": 3, "median_days": 5.0, "p90_days": 6.0})
    );
    assert_eq!(
        r["events"],
        json!([{"name": "Forum des internes", "held_on": "2023-06-12", "requests": 1}])
    );
    assert_eq!(
        r["by_outcome"][0],
        json!({"code": "aboutie", "label": "Aboutie", "count": 2})
    );
    assert_eq!(r["by_outcome"][1]["count"], 1);
    assert_eq!(
        r["workload"],
        json!([{"agent": null, "open": 3, "overdue": 0}])
    );
    assert_eq!(
        r["headline"],
        "Du 01/06/2023 au 30/06/2023, 5 demandes reçues, dont 3 bourses d'études et 0 aide à l'installation ; 5 traitées (contact ou clôture) ; 1 événement."
    );
    // The 12-week trend ends with the period's last week (2023-W26): bourse's receptions.
    assert_eq!(
        r["by_type"][1]["trend"],
        json!([0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0])
    );

    // The same computation in the other shapes.
    let partners = env.ok(&[
        "report",
        "partners",
        "--from",
        "01/06/2023",
        "--to",
        "30/06/2023",
        "--format",
        "csv",
    ]);
    assert!(partners.starts_with("\u{feff}Partenaire;Envoyées;Réponses;En attente;Dont en retard;Délai médian de réponse (jours)\r\n"));
    assert!(
        partners.contains("CPAM du Loiret;1;1;0;0;10\r\n"),
        "{partners}"
    );
    let backlog = env.ok(&[
        "report",
        "backlog",
        "--from",
        "01/06/2023",
        "--to",
        "30/06/2023",
    ]);
    assert!(
        backlog
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Non attribuées"),
        "{backlog}"
    );
    let md = env.ok(&[
        "report",
        "review",
        "--from",
        "01/06/2023",
        "--to",
        "30/06/2023",
        "--format",
        "md",
    ]);
    assert!(
        md.starts_with("# Bilan — juin 2023\n\nDu 01/06/2023 au 30/06/2023, 5 demandes reçues"),
        "{md}"
    );
    assert!(
        md.contains(
            "- Premier contact : médiane 1,5 j, 90 % sous 3 j ; clôture : médiane 5 j, 90 % sous 6 j."
        ),
        "{md}"
    );
}

#[test]
fn the_workbook_has_one_sheet_per_table_with_typed_cells() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let env = Env::new();
    build(&env);
    let path = env.path("bilan.xlsx");
    let stderr = env.fails(
        &[
            "report",
            "review",
            "--from",
            "01/06/2023",
            "--to",
            "30/06/2023",
            "--format",
            "xlsx",
        ],
        2,
    );
    assert!(stderr.contains("ajoutez --out"), "{stderr}");
    let out = env.ok(&[
        "report",
        "review",
        "--from",
        "01/06/2023",
        "--to",
        "30/06/2023",
        "--format",
        "xlsx",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(out.contains("Classeur écrit"), "{out}");
    assert_eq!(common::mode(&path), 0o600);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Synthèse",
            "Par type",
            "Par canal",
            "Événements",
            "Issues",
            "Issues par type",
            "Par semaine",
            "Partenaires",
            "Charge"
        ]
    );
    let types = wb.worksheet_range("Par type").unwrap();
    assert_eq!(types.get((0, 1)), Some(&Data::String("Reçues".into())));
    assert_eq!(
        types.get((2, 0)),
        Some(&Data::String("Bourse d'études".into()))
    );
    assert_eq!(
        types.get((2, 1)),
        Some(&Data::Float(3.0)),
        "numbers are numbers"
    );
    let events = wb.worksheet_range("Événements").unwrap();
    match events.get((1, 0)) {
        // An Excel date: days since 30/12/1899.
        Some(Data::DateTime(dt)) => {
            assert_eq!(
                dt.as_f64(),
                (d("2023-06-12") - d("1899-12-30")).num_days() as f64
            )
        }
        other => panic!("a date cell, got {other:?}"),
    }
    let partners = wb.worksheet_range("Partenaires").unwrap();
    assert_eq!(partners.get((3, 5)), Some(&Data::Float(10.0)));
    let synthese = wb.worksheet_range("Synthèse").unwrap();
    assert_eq!(
        synthese.get((9, 0)),
        Some(&Data::String("Demandes reçues".into()))
    );
    assert_eq!(synthese.get((9, 1)), Some(&Data::Float(5.0)));
    // Weekly and summary reports are workbooks too.
    let weekly = env.path("semaines.xlsx");
    env.ok(&[
        "report",
        "weekly",
        "--from",
        "2023-06-05",
        "--to",
        "2023-06-18",
        "--format",
        "xlsx",
        "--out",
        weekly.to_str().unwrap(),
    ]);
    let mut wb: Xlsx<_> = open_workbook(&weekly).unwrap();
    let sheet = wb.worksheet_range("Par semaine").unwrap();
    assert_eq!(sheet.get((1, 0)), Some(&Data::String("2023-W23".into())));
}
