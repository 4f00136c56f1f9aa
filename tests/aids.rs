//! Aids, commitments and budgets through the real binary, on a hand-made data set: the nine
//! installation aids the Loiret voted in 2023 (press kit "Plan Priorité Santé", autumn 2023), two
//! study grants with partial payments, five commitments (one broken after 2 years of 5, one
//! honoured, two with an attestation late). Every figure below is computed by hand in the
//! comments. "Today" is `common::TODAY` (2026-11-22).

mod common;

use common::Env;
use serde_json::{Value, json};

/// (name, amount, bonus, decision date) — the nine 2023 installation aids of the press kit:
/// 8,000 (GP, St Marceau), 35,000 (physio, Ormes), 35,000 (dentist, Patay), 8,000 (GP,
/// Fleury-les-Aubrais), 35,000 + 2,000 (physio, Saint-Jean-de-la-Ruelle, future maître de stage),
/// 35,000 (physio, Sermaises), 35,000 + 2,000 (dentist, Chécy, future maître de stage), 8,000
/// (GP, Chaingy), 15,000 (podiatrist, Epieds-en-Beauce). Total 218,000 €.
const INSTALLATIONS: [(&str, i64, i64, &str); 9] = [
    ("Marceau", 8_000, 0, "2023-03-20"),
    ("Ormes", 35_000, 0, "2023-03-20"),
    ("Patay", 35_000, 0, "2023-03-20"),
    ("Fleury", 8_000, 0, "2023-06-26"),
    ("Ruelle", 35_000, 2_000, "2023-06-26"),
    ("Sermaises", 35_000, 0, "2023-06-26"),
    ("Checy", 35_000, 2_000, "2023-10-16"),
    ("Chaingy", 8_000, 0, "2023-10-16"),
    ("Epieds", 15_000, 0, "2023-10-16"),
];

struct DataSet {
    installations: Vec<String>,
    grants: Vec<String>,
}

fn add_request(env: &Env, kind: &str, name: &str, on: &str) -> String {
    env.ok(&[
        "request", "add", "--type", kind, "--nom", name, "--prenom", "Camille", "--date", on,
    ])
    .trim()
    .to_string()
}

fn build(env: &Env) -> DataSet {
    env.ok(&["init"]);
    let mut installations = Vec::new();
    for (name, amount, bonus, on) in INSTALLATIONS {
        let r = add_request(env, "installation", name, "2023-01-10");
        let (amount, bonus) = (amount.to_string(), bonus.to_string());
        let mut args = vec![
            "aid",
            "grant",
            &r,
            "--dispositif",
            "aide_installation",
            "--montant",
            &amount,
            "--date",
            on,
        ];
        if bonus != "0" {
            args.extend(["--bonification", &bonus]);
        }
        env.ok(&args);
        installations.push(r);
    }
    let i = &installations;
    // Payments. 2023: 8,000 (Marceau) + 20,000 (Ormes) + 35,000 (Patay) + 35,000 (Ruelle, of
    // 37,000) = 98,000; 2024: 15,000 (Ormes, now fully paid).
    for (r, amount, on) in [
        (&i[0], "8000", "2023-04-10"),
        (&i[1], "20000", "2023-07-01"),
        (&i[1], "15000", "2024-01-15"),
        (&i[2], "35000", "2023-11-02"),
        (&i[4], "35000", "2023-08-01"),
    ] {
        env.ok(&["aid", "pay", r, "--montant", amount, "--date", on]);
    }
    // Two study grants (14,650 €), partly paid in 2023: 5,000 of 10,000 and 4,650 of 4,650.
    let g1 = add_request(env, "bourse", "Lyon", "2023-09-01");
    let g2 = add_request(env, "bourse", "Tours", "2023-09-01");
    env.ok(&[
        "aid",
        "grant",
        &g1,
        "--dispositif",
        "bourse_etudes",
        "--montant",
        "10000",
        "--date",
        "2023-09-25",
        "--versements",
        "2",
    ]);
    env.ok(&[
        "aid",
        "grant",
        &g2,
        "--dispositif",
        "Bourse d'études",
        "--montant",
        "4 650 €",
        "--date",
        "25/09/2023",
    ]);
    env.ok(&[
        "aid",
        "pay",
        &g1,
        "--montant",
        "5000",
        "--date",
        "2023-10-01",
    ]);
    env.ok(&[
        "aid",
        "pay",
        &g2,
        "--montant",
        "4650",
        "--date",
        "2023-10-01",
    ]);
    // Budgets voted: installation 264,000 (2023) and 260,000 (2024); grants 175,000 and 330,000.
    for (scheme, year, amount) in [
        ("aide_installation", "2023", "264000"),
        ("aide_installation", "2024", "260000"),
        ("bourse_etudes", "2023", "175000"),
        ("bourse_etudes", "2024", "330000"),
    ] {
        env.ok(&[
            "budget",
            "set",
            "--dispositif",
            scheme,
            "--annee",
            year,
            "--montant",
            amount,
        ]);
    }
    // Commitments.
    // C1 Marceau: 5 years from 2023-05-01, every attestation so far (3 due by 2026-11-22).
    env.ok(&[
        "commitment",
        "start",
        &i[0],
        "--date",
        "2023-05-01",
        "--commune",
        "Orléans",
    ]);
    for on in ["2024-05-02", "2025-05-05", "2026-05-04"] {
        env.ok(&["commitment", "attest", &i[0], "--date", on]);
    }
    // C2 Ormes: from 2023-09-01, broken 2025-09-01 after 2 years of 5: 35,000 paid × 36/60
    // = 21,000 asked back; 5,000 repaid.
    env.ok(&[
        "commitment",
        "start",
        &i[1],
        "--date",
        "2023-09-01",
        "--commune",
        "Ormes",
    ]);
    env.ok(&["commitment", "attest", &i[1], "--date", "2024-09-03"]);
    let out = env.ok(&["commitment", "break", &i[1], "--date", "2025-09-01"]);
    assert!(out.contains("21\u{a0}000\u{a0}€"), "{out}");
    env.ok(&[
        "commitment",
        "repay",
        &i[1],
        "--montant",
        "5000",
        "--date",
        "2025-10-01",
    ]);
    // C3 Patay: from 2024-01-15, one attestation; the second was due 2026-01-15: late.
    env.ok(&[
        "commitment",
        "start",
        &i[2],
        "--date",
        "2024-01-15",
        "--commune",
        "Patay",
    ]);
    env.ok(&["commitment", "attest", &i[2], "--date", "2025-01-20"]);
    // C4 Fleury: started 13 months ago, no attestation: the first (2026-10-22) is late.
    env.ok(&[
        "commitment",
        "start",
        &i[3],
        "--date",
        "2025-10-22",
        "--commune",
        "Fleury-les-Aubrais",
    ]);
    // C5 Ruelle: 3 years from 2023-03-01, ended 2026-03-01: honoured.
    env.ok(&[
        "commitment",
        "start",
        &i[4],
        "--date",
        "2023-03-01",
        "--annees",
        "3",
        "--commune",
        "Saint-Jean-de-la-Ruelle",
    ]);
    for on in ["2024-03-01", "2025-03-03", "2026-03-02"] {
        env.ok(&["commitment", "attest", &i[4], "--date", on]);
    }
    DataSet {
        installations,
        grants: vec![g1, g2],
    }
}

fn report(env: &Env, from: &str, to: &str) -> Value {
    serde_json::from_str(&env.ok(&[
        "report", "aids", "--from", from, "--to", to, "--format", "json",
    ]))
    .expect("json")
}

#[test]
fn report_aids_equals_the_hand_computed_figures() {
    let env = Env::new();
    build(&env);

    // 2023: grants by decision date, payments by payment date, the 2023 budgets; commitments as
    // of 31/12/2023: C1, C2, C5 running (C3, C4 not started), nothing late yet.
    let r = report(&env, "2023-01-01", "2023-12-31");
    assert_eq!(r["from"], "2023-01-01");
    assert_eq!(r["to"], "2023-12-31");
    let inst = &r["by_scheme"]["aide_installation"];
    assert_eq!(inst["granted_count"], 9);
    assert_eq!(inst["granted_amount"], 218_000);
    assert_eq!(inst["paid_amount"], 98_000);
    assert_eq!(inst["budget"], 264_000);
    assert_eq!(inst["budget_left"], 264_000 - 218_000);
    let grant = &r["by_scheme"]["bourse_etudes"];
    assert_eq!(grant["granted_count"], 2);
    assert_eq!(grant["granted_amount"], 14_650);
    assert_eq!(grant["paid_amount"], 9_650);
    assert_eq!(grant["budget"], 175_000);
    assert_eq!(grant["budget_left"], 160_350);
    let stage = &r["by_scheme"]["indemnite_stage"];
    assert_eq!(stage["granted_count"], 0);
    assert_eq!(stage["budget"], Value::Null);
    assert_eq!(
        r["commitments"],
        json!({"running": 3, "honoured": 0, "broken": 0, "attestations_overdue": 0})
    );
    assert_eq!(r["beneficiaries"], 11);
    assert_eq!(r["beneficiaries_in_practice"], 3);
    // The sentence: beneficiaries whose commitment has started (Marceau 8,000, Ormes 35,000,
    // Ruelle 37,000), not the students nor those not yet installed.
    assert_eq!(r["professionals_aided"], 3);
    assert_eq!(r["professionals_amount"], 80_000);
    assert_eq!(
        r["sentence"],
        "Depuis le 01/01/2023, 3 professionnels aidés pour 80 000 €, dont 3 toujours en activité dans le département."
    );

    // Up to today: budgets of 2023 to 2026 (2023 and 2024 set), Ormes paid in full in 2024;
    // C1, C3, C4 running, C5 honoured, C2 broken; C3 and C4 late.
    let r = report(&env, "2023-01-01", "2026-11-22");
    let inst = &r["by_scheme"]["aide_installation"];
    assert_eq!(inst["paid_amount"], 113_000);
    assert_eq!(inst["budget"], 524_000);
    assert_eq!(inst["budget_left"], 524_000 - 218_000);
    assert_eq!(
        r["by_scheme"]["bourse_etudes"]["budget_left"],
        505_000 - 14_650
    );
    assert_eq!(
        r["commitments"],
        json!({"running": 3, "honoured": 1, "broken": 1, "attestations_overdue": 2})
    );
    assert_eq!(r["beneficiaries"], 11);
    // In practice: C1 running with its attestations in, C5 honoured; C3 and C4, late with their
    // attestation, are not proven in practice.
    assert_eq!(r["beneficiaries_in_practice"], 2);
    assert_eq!(r["professionals_aided"], 5);

    // The range 2024 alone: no decision, so no beneficiary; the 15,000 paid in 2024.
    let r = report(&env, "2024-01-01", "2024-12-31");
    assert_eq!(r["by_scheme"]["aide_installation"]["granted_count"], 0);
    assert_eq!(r["by_scheme"]["aide_installation"]["paid_amount"], 15_000);
    assert_eq!(r["by_scheme"]["aide_installation"]["budget_left"], 260_000);
    assert_eq!(r["beneficiaries"], 0);
}

#[test]
fn the_breach_asks_back_pro_rata_and_is_tracked_until_repaid() {
    let env = Env::new();
    let d = build(&env);
    let ormes = &d.installations[1];
    let a: Value =
        serde_json::from_str(&env.ok(&["aid", "show", ormes, "--format", "json"])).unwrap();
    assert_eq!(a["granted"], 35_000);
    assert_eq!(a["paid"], 35_000);
    assert_eq!(a["commitment"]["state"], "rompu");
    assert_eq!(a["commitment"]["broken_on"], "2025-09-01");
    assert_eq!(a["commitment"]["repayment"], 21_000);
    assert_eq!(a["commitment"]["repaid"], 5_000);
    let text = env.ok(&["aid", "show", ormes]);
    assert!(
        text.contains("remboursement demandé 21\u{a0}000\u{a0}€, reçu 5\u{a0}000\u{a0}€, reste 16\u{a0}000\u{a0}€"),
        "{text}"
    );
    // More than what is left to repay: refused.
    let err = env.fails(
        &[
            "commitment",
            "repay",
            ormes,
            "--montant",
            "16001",
            "--date",
            "2025-11-01",
        ],
        2,
    );
    assert!(err.contains("reste à rembourser"), "{err}");
    env.ok(&[
        "commitment",
        "repay",
        ormes,
        "--montant",
        "16000",
        "--date",
        "2025-11-01",
    ]);
    // The amount asked is editable at the breach: the "total" rule and an explicit amount.
    let r = &d.installations[5];
    env.ok(&[
        "aid",
        "pay",
        r,
        "--montant",
        "35000",
        "--date",
        "2023-07-01",
    ]);
    env.ok(&["commitment", "start", r, "--date", "2023-09-01"]);
    let out = env.ok(&[
        "commitment",
        "break",
        r,
        "--date",
        "2024-03-01",
        "--remboursement",
        "30000",
    ]);
    assert!(out.contains("30\u{a0}000\u{a0}€"), "{out}");
    // The rule is configurable per scheme: "total" asks everything that was paid.
    env.ok(&[
        "dispositif",
        "set",
        "aide_installation",
        "--remboursement",
        "total",
    ]);
    let r = &d.installations[6];
    env.ok(&[
        "aid",
        "pay",
        r,
        "--montant",
        "37000",
        "--date",
        "2023-11-01",
    ]);
    env.ok(&["commitment", "start", r, "--date", "2023-12-01"]);
    let out = env.ok(&["commitment", "break", r, "--date", "2025-12-01"]);
    assert!(out.contains("37\u{a0}000\u{a0}€"), "{out}");
    // Every action is in the request's history.
    let show = env.ok(&["request", "show", ormes]);
    for what in [
        "Aide accordée",
        "Versement",
        "Engagement",
        "Attestation d'exercice",
        "Rupture de l'engagement",
        "Remboursement reçu",
    ] {
        assert!(
            show.contains(what),
            "{what} missing from the history:\n{show}"
        );
    }
}

#[test]
fn a_commitment_started_13_months_ago_without_attestation_is_due_until_attested() {
    let env = Env::new();
    let d = build(&env);
    let fleury = &d.installations[3];
    let due: Value =
        serde_json::from_str(&env.ok(&["commitment", "due", "--format", "json"])).unwrap();
    let refs: Vec<&str> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [d.installations[2].as_str(), fleury.as_str()]);
    assert_eq!(due[1]["due_on"], "2026-10-22");
    assert_eq!(due[1]["overdue"], true);
    let listed = list_refs(&env, &["--attestation-due"]);
    assert_eq!(listed, [d.installations[2].clone(), fleury.clone()]);

    env.ok(&["commitment", "attest", fleury, "--date", "2026-11-22"]);
    let due: Value =
        serde_json::from_str(&env.ok(&["commitment", "due", "--format", "json"])).unwrap();
    assert_eq!(due.as_array().unwrap().len(), 1);
    assert_eq!(due[0]["reference"], d.installations[2].as_str());
    let r = report(&env, "2023-01-01", "2026-11-22");
    assert_eq!(r["commitments"]["attestations_overdue"], 1);
    assert_eq!(
        list_refs(&env, &["--attestation-due"]),
        [d.installations[2].clone()]
    );
}

fn list_refs(env: &Env, args: &[&str]) -> Vec<String> {
    let mut all = vec!["list", "--format", "json"];
    all.extend(args);
    let v: Value = serde_json::from_str(&env.ok(&all)).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_filters_by_scheme_and_commitment_state() {
    let env = Env::new();
    let d = build(&env);
    assert_eq!(
        list_refs(&env, &["--dispositif", "aide_installation"]),
        d.installations
    );
    assert_eq!(
        list_refs(&env, &["--dispositif", "bourse_etudes"]),
        d.grants
    );
    let i = &d.installations;
    assert_eq!(list_refs(&env, &["--engagement", "rompu"]), [i[1].clone()]);
    assert_eq!(list_refs(&env, &["--engagement", "honore"]), [i[4].clone()]);
    assert_eq!(
        list_refs(&env, &["--engagement", "en_cours"]),
        [i[0].clone(), i[2].clone(), i[3].clone()]
    );
    assert_eq!(
        list_refs(&env, &["--engagement", "rompu", "--type", "bourse"]),
        Vec::<String>::new()
    );
    let err = env.fails(&["list", "--engagement", "fini"], 2);
    assert!(err.contains("--engagement"), "{err}");
    let err = env.fails(&["list", "--dispositif", "inconnu"], 2);
    assert!(err.contains("dispositif introuvable"), "{err}");
}

const AID_TABLES: [&str; 7] = [
    "aid",
    "aid_payment",
    "commitment",
    "attestation",
    "repayment",
    "budget",
    "history",
];

/// Runs a refused command: exit 2, the reason on stderr, the file unchanged.
fn refused(env: &Env, args: &[&str], reason: &str) {
    let before = common::dump(&env.db(), &AID_TABLES);
    let err = env.fails(args, 2);
    assert!(err.contains(reason), "{args:?}: {err}");
    assert_eq!(
        common::dump(&env.db(), &AID_TABLES),
        before,
        "{args:?} wrote something"
    );
}

#[test]
fn bad_amounts_and_dates_are_refused_with_the_reason_and_nothing_written() {
    let env = Env::new();
    let d = build(&env);
    let i = &d.installations;
    let fresh = add_request(&env, "installation", "Nouveau", "2024-02-01");
    // Paying more than granted (Ruelle: 37,000 granted, 35,000 paid).
    refused(
        &env,
        &[
            "aid",
            "pay",
            &i[4],
            "--montant",
            "2001",
            "--date",
            "2024-01-05",
        ],
        "dépasse ce qui reste à verser",
    );
    // A grant outside the scheme's range, a bonus above the scheme's, a negative amount.
    refused(
        &env,
        &[
            "aid",
            "grant",
            &fresh,
            "--dispositif",
            "aide_installation",
            "--montant",
            "36000",
            "--date",
            "2024-03-01",
        ],
        "hors des bornes",
    );
    refused(
        &env,
        &[
            "aid",
            "grant",
            &fresh,
            "--dispositif",
            "aide_installation",
            "--montant",
            "5000",
            "--date",
            "2024-03-01",
        ],
        "hors des bornes",
    );
    refused(
        &env,
        &[
            "aid",
            "grant",
            &fresh,
            "--dispositif",
            "aide_installation",
            "--montant",
            "20000",
            "--bonification",
            "3000",
            "--date",
            "2024-03-01",
        ],
        "bonification",
    );
    refused(
        &env,
        &[
            "aid",
            "grant",
            &fresh,
            "--dispositif",
            "aide_installation",
            "--montant",
            "-5",
            "--date",
            "2024-03-01",
        ],
        "négatif",
    );
    refused(
        &env,
        &[
            "aid",
            "pay",
            &i[7],
            "--montant",
            "-100",
            "--date",
            "2024-03-01",
        ],
        "négatif",
    );
    refused(
        &env,
        &[
            "aid",
            "pay",
            &i[7],
            "--montant",
            "100,50",
            "--date",
            "2024-03-01",
        ],
        "euros entiers",
    );
    refused(
        &env,
        &[
            "budget",
            "set",
            "--dispositif",
            "bourse_etudes",
            "--annee",
            "2025",
            "--montant",
            "-1",
        ],
        "négatif",
    );
    // A scheme for another request type, a second aid on a request, a payment before the decision.
    refused(
        &env,
        &[
            "aid",
            "grant",
            &fresh,
            "--dispositif",
            "bourse_etudes",
            "--montant",
            "5000",
            "--date",
            "2024-03-01",
        ],
        "type bourse",
    );
    refused(
        &env,
        &[
            "aid",
            "grant",
            &i[0],
            "--dispositif",
            "aide_installation",
            "--montant",
            "8000",
            "--date",
            "2024-03-01",
        ],
        "déjà une aide",
    );
    refused(
        &env,
        &[
            "aid",
            "pay",
            &i[7],
            "--montant",
            "100",
            "--date",
            "2023-01-01",
        ],
        "précéder la décision",
    );
    // A breach before the start, after the end, twice; an attestation before the start.
    refused(
        &env,
        &["commitment", "break", &i[2], "--date", "2024-01-14"],
        "précéder le début",
    );
    refused(
        &env,
        &["commitment", "break", &i[4], "--date", "2026-06-01"],
        "honoré",
    );
    refused(
        &env,
        &["commitment", "break", &i[1], "--date", "2025-10-01"],
        "déjà rompu",
    );
    refused(
        &env,
        &["commitment", "attest", &i[3], "--date", "2025-10-21"],
        "précéder le début",
    );
    refused(
        &env,
        &["commitment", "break", &i[8], "--date", "2025-10-21"],
        "pas d'engagement",
    );
    refused(
        &env,
        &["commitment", "start", &fresh, "--date", "2025-10-21"],
        "pas d'aide",
    );
    refused(
        &env,
        &[
            "commitment",
            "break",
            &i[0],
            "--date",
            "2025-10-21",
            "--remboursement",
            "9000",
        ],
        "dépasse ce qui a été versé",
    );
    // The indemnity has no commitment unless a length is given.
    let stage = add_request(&env, "stage", "Rural", "2024-02-01");
    env.ok(&[
        "aid",
        "grant",
        &stage,
        "--dispositif",
        "indemnite_stage",
        "--montant",
        "600",
        "--date",
        "2024-03-01",
    ]);
    refused(
        &env,
        &["commitment", "start", &stage, "--date", "2024-04-01"],
        "--annees",
    );
}

#[test]
fn another_departement_configures_its_schemes_without_code() {
    let env = Env::new();
    env.ok(&["init"]);
    // Loir-et-Cher: 500 € a month over the last 2 years of studies (12,000 €), 3-year commitment.
    env.ok(&[
        "dispositif",
        "set",
        "bourse_41",
        "--libelle",
        "Bourse d'études Loir-et-Cher",
        "--type",
        "bourse",
        "--annees",
        "3",
        "--min",
        "6000",
        "--max",
        "12000",
        "--versement",
        "mensuel",
        "--echeance",
        "500",
    ]);
    let schemes: Value =
        serde_json::from_str(&env.ok(&["dispositif", "list", "--format", "json"])).unwrap();
    let s = schemes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "bourse_41")
        .expect("configured");
    assert_eq!(s["commitment_years"], 3);
    assert_eq!(s["payment_pattern"], "mensuel");
    let r = add_request(&env, "bourse", "Blois", "2024-08-20");
    env.ok(&[
        "aid",
        "grant",
        &r,
        "--dispositif",
        "bourse_41",
        "--montant",
        "12000",
        "--date",
        "2024-09-01",
    ]);
    env.ok(&["aid", "pay", &r, "--montant", "500", "--date", "2024-09-05"]);
    env.ok(&[
        "commitment",
        "start",
        &r,
        "--date",
        "2026-07-01",
        "--commune",
        "Vendôme",
    ]);
    let a: Value = serde_json::from_str(&env.ok(&["aid", "show", &r, "--format", "json"])).unwrap();
    assert_eq!(a["installments"], 24);
    let to_come = a["to_come"].as_array().unwrap();
    assert_eq!(to_come.len(), 23);
    assert_eq!(to_come[0], json!({"due_on": "2024-10-01", "amount": 500}));
    assert_eq!(to_come[22], json!({"due_on": "2026-08-01", "amount": 500}));
    assert_eq!(a["commitment"]["years"], 3);
    assert_eq!(a["commitment"]["ends_on"], "2029-07-01");
    // A monthly grant outside the range is refused like any other.
    let r2 = add_request(&env, "bourse", "Romorantin", "2024-08-20");
    let err = env.fails(
        &[
            "aid",
            "grant",
            &r2,
            "--dispositif",
            "bourse_41",
            "--montant",
            "13000",
            "--date",
            "2024-09-01",
        ],
        2,
    );
    assert!(
        err.contains("6\u{a0}000\u{a0}€ à 12\u{a0}000\u{a0}€"),
        "{err}"
    );
    // A new scheme needs its label, type and maximum.
    let err = env.fails(&["dispositif", "set", "x"], 2);
    assert!(err.contains("--libelle"), "{err}");
}

#[test]
fn report_aids_in_csv_and_xlsx() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let env = Env::new();
    build(&env);
    let csv = env.ok(&[
        "report",
        "aids",
        "--from",
        "2023-01-01",
        "--to",
        "2023-12-31",
        "--format",
        "csv",
    ]);
    assert!(csv.starts_with('\u{feff}'), "BOM");
    assert!(
        csv.contains("aide_installation;Aide à l'installation;9;218000;98000;264000;46000"),
        "{csv}"
    );
    assert!(
        csv.contains("Depuis le 01/01/2023, 3 professionnels aidés"),
        "{csv}"
    );
    let table = env.ok(&[
        "report",
        "aids",
        "--from",
        "2023-01-01",
        "--to",
        "2023-12-31",
    ]);
    assert!(
        table.contains("dont 3 toujours en activité dans le département."),
        "{table}"
    );
    let path = env.path("aides.xlsx");
    env.ok(&[
        "report",
        "aids",
        "--from",
        "2023-01-01",
        "--to",
        "2023-12-31",
        "--format",
        "xlsx",
        "--out",
        path.to_str().unwrap(),
    ]);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "Aides par dispositif");
    let range = wb.worksheet_range(&names[0]).unwrap();
    let row = range
        .rows()
        .find(|r| r[0] == Data::String("aide_installation".into()))
        .expect("installation row");
    assert_eq!(row[3], Data::Float(218_000.0));
    assert_eq!(row[6], Data::Float(46_000.0));
}

/// The team's grants spreadsheet, with the aid columns in French, any order.
const GRANTS_SHEET: &str = "\u{feff}Date;Nom;Prénom;Type;Dispositif;Montant;Bonification;Date de décision;Versé;Début engagement;Commune d'exercice\r\n\
10/01/2023;Morel;Lucie;installation;aide_installation;35 000 €;2000;26/06/2023;37000;01/09/2023;Chécy\r\n\
12/01/2023;Petit;Hugo;installation;Aide à l'installation;8000;;20/03/2023;4000;;\r\n\
01/09/2023;Roux;Emma;bourse;bourse_etudes;10000;;25/09/2023;;;\r\n\
02/09/2023;Faure;Théo;logement;;;;;;;\r\n";

#[test]
fn the_grants_spreadsheet_imports_aids_payments_and_commitments_once() {
    let env = Env::new();
    env.ok(&["init"]);
    let file = env.path("aides.csv");
    std::fs::write(&file, GRANTS_SHEET).unwrap();
    env.ok(&["import", "csv", file.to_str().unwrap()]);
    let r = report(&env, "2023-01-01", "2023-12-31");
    let inst = &r["by_scheme"]["aide_installation"];
    assert_eq!(inst["granted_count"], 2);
    assert_eq!(inst["granted_amount"], 37_000 + 8_000);
    // What was paid so far is one payment on the decision date.
    assert_eq!(inst["paid_amount"], 37_000 + 4_000);
    assert_eq!(r["by_scheme"]["bourse_etudes"]["granted_amount"], 10_000);
    assert_eq!(r["commitments"]["running"], 1);
    let refs = list_refs(&env, &["--engagement", "en_cours"]);
    assert_eq!(refs.len(), 1);
    let a: Value =
        serde_json::from_str(&env.ok(&["aid", "show", &refs[0], "--format", "json"])).unwrap();
    assert_eq!(a["commitment"]["commune"], "Chécy");
    assert_eq!(a["commitment"]["started_on"], "2023-09-01");
    // Importing the same file again adds nothing.
    let before = common::dump(&env.db(), &AID_TABLES);
    env.ok(&["import", "csv", file.to_str().unwrap()]);
    assert_eq!(common::dump(&env.db(), &AID_TABLES), before);
}

#[test]
fn a_wrong_aid_cell_rejects_the_whole_file_with_line_and_column() {
    let env = Env::new();
    env.ok(&["init"]);
    let file = env.path("aides.csv");
    let sheet = "Date;Nom;Prénom;Type;Dispositif;Montant;Date_decision;Verse;Debut_engagement;Commune_exercice\n\
10/01/2023;Morel;Lucie;installation;aide_installation;35000;26/06/2023;;;\n\
11/01/2023;Petit;Hugo;installation;aide_installation;-8000;20/03/2023;;;\n\
12/01/2023;Roux;Emma;installation;aide_installation;40000;20/03/2023;;;\n\
13/01/2023;Faure;Théo;installation;aide_installation;8000;20/03/2023;9000;;\n\
14/01/2023;Blanc;Léa;installation;;8000;20/03/2023;;;\n\
15/01/2023;Noir;Max;stage;indemnite_stage;600;20/03/2023;;01/04/2023;\n\
16/01/2023;Vert;Zoé;bourse;aide_installation;8000;;;;\n\
17/01/2023;Gris;Paul;installation;aide_installation;8000;20/12/2022;;;\n\
18/01/2023;Brun;Anna;installation;aide_installation;8000;01/01/2027;;;\n";
    std::fs::write(&file, sheet).unwrap();
    let before = common::dump(&env.db(), &["request", "person", "aid", "aid_payment"]);
    let err = env.fails(&["import", "csv", file.to_str().unwrap()], 2);
    for expected in [
        "ligne 3, colonne « montant » (« -8000 ») : montant invalide",
        "ligne 4, colonne « montant » (« 40000 ») : 40\u{a0}000\u{a0}€ hors des bornes",
        "ligne 5, colonne « verse » (« 9000 ») : 9\u{a0}000\u{a0}€ versés pour 8\u{a0}000\u{a0}€ accordés",
        "ligne 6, colonne « dispositif » : obligatoire",
        "ligne 7, colonne « debut_engagement » (« 01/04/2023 ») : le dispositif indemnite_stage ne prévoit pas d'engagement",
        "ligne 8, colonne « date_decision » : la date de décision est obligatoire",
        "ligne 9, colonne « date_decision » (« 20/12/2022 ») : la décision du 20/12/2022 précède la réception de la demande, le 17/01/2023",
        "ligne 10, colonne « date_decision » (« 01/01/2027 ») : la décision du 01/01/2027 est dans le futur",
    ] {
        assert!(err.contains(expected), "missing «{expected}» in:\n{err}");
    }
    assert!(!err.contains("ligne 2"), "{err}");
    assert_eq!(
        common::dump(&env.db(), &["request", "person", "aid", "aid_payment"]),
        before
    );
}

#[test]
fn the_demo_has_aids_in_every_state_within_its_budgets_and_is_deterministic() {
    let (a, b) = (Env::new(), Env::new());
    a.ok(&["demo", "--requests", "2000", "--seed", "1"]);
    b.ok(&["demo", "--requests", "2000", "--seed", "1"]);
    let tables = [
        "aid",
        "aid_payment",
        "commitment",
        "attestation",
        "repayment",
    ];
    assert_eq!(
        common::dump(&a.db(), &tables),
        common::dump(&b.db(), &tables)
    );
    let r = report(&a, "2017-01-01", common::TODAY);
    let c = &r["commitments"];
    for state in ["running", "honoured", "broken", "attestations_overdue"] {
        assert!(c[state].as_i64().unwrap() > 0, "no {state} commitment: {r}");
    }
    assert!(r["professionals_aided"].as_i64().unwrap() > 0);
    // This year's grants stay within this year's budgets (press-kit orders of magnitude).
    let year = &common::TODAY[..4];
    let r = report(&a, &format!("{year}-01-01"), common::TODAY);
    for scheme in ["bourse_etudes", "aide_installation", "indemnite_stage"] {
        let s = &r["by_scheme"][scheme];
        assert!(s["granted_count"].as_i64().unwrap() > 0, "{scheme}: {r}");
        assert!(s["budget_left"].as_i64().unwrap() >= 0, "{scheme}: {r}");
        assert!(s["paid_amount"].as_i64() <= s["granted_amount"].as_i64());
    }
    // No aid is paid beyond its grant, a repayment beyond what was asked.
    let conn = rusqlite::Connection::open(a.db()).unwrap();
    let over: i64 = conn
        .query_row(
            "SELECT count(*) FROM aid a WHERE (SELECT coalesce(sum(amount), 0) FROM aid_payment p \
             WHERE p.aid_id = a.id) > a.amount + a.bonus",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(over, 0);
    let due: Value =
        serde_json::from_str(&a.ok(&["commitment", "due", "--format", "json"])).unwrap();
    assert!(due.as_array().unwrap().iter().any(|d| d["overdue"] == true));
}

// Aids and commitments tell the truth: a commitment past its end with an attestation missing
// is still running (its attestation overdue), not honoured, and not counted "toujours en
// activité"; decision and payment dates are neither in the future nor before the request was
// received; a grant beyond the year's budget is said; numbers stay numbers in CSV; the demo
// decides no aid before its request was received.

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
    // Ended, not honoured: it cannot be broken any more, and an attestation is not received
    // in the future.
    let e = env.fails(&["commitment", "break", &r, "--date", "2026-11-21"], 2);
    assert!(
        e.contains("--date : l'engagement a pris fin le 20/11/2026 (une attestation est attendue), il ne peut plus être rompu"),
        "{e}"
    );
    let e = env.fails(&["commitment", "attest", &r, "--date", "2026-12-01"], 2);
    assert!(
        e.contains("--date : l'attestation du 01/12/2026 est dans le futur"),
        "{e}"
    );

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

#[test]
fn a_commitments_commune_is_cleaned_and_the_due_sheet_names_every_column() {
    let env = Env::new();
    env.ok(&["init"]);
    let r = add_request(&env, "installation", "Escape", "2025-09-01");
    env.ok(&[
        "aid",
        "grant",
        &r,
        "--dispositif",
        "aide_installation",
        "--montant",
        "10000",
        "--date",
        "2025-09-15",
    ]);
    env.ok(&[
        "commitment",
        "start",
        &r,
        "--date",
        "2025-10-01",
        "--commune",
        "Orl\u{1b}[2Jéans\u{7}",
    ]);
    let due: Value =
        serde_json::from_str(&env.ok(&["commitment", "due", "--format", "json"])).unwrap();
    assert_eq!(due[0]["reference"], r.as_str());
    assert_eq!(
        due[0]["commune"], "Orl[2Jéans",
        "stored without its controls"
    );
    let csv = env.ok(&["commitment", "due", "--format", "csv"]);
    let mut lines = csv.lines();
    let headers: Vec<&str> = lines.next().unwrap().split(';').collect();
    assert!(
        headers
            .iter()
            .all(|h| !h.trim_start_matches('\u{feff}').is_empty()),
        "{csv}"
    );
    assert_eq!(headers.last(), Some(&"En retard"), "{csv}");
    assert!(lines.next().unwrap().ends_with(";oui"), "{csv}");
}
