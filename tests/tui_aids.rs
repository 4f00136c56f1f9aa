//! The aid in the interface: from the request screen, `g` and the keyboard alone grant an aid,
//! record a payment, start the commitment, receive an attestation and record a breach; refused
//! values keep the form open with the reason; the *Aide* block shows it all, with the person's
//! other aids. "Today" is 22/11/2026.

mod common;

use chrono::NaiveDate;
use common::Env;
use common::keys::{ctrl, key, screen_at, typed};
use guichet::tui::app::{App, Display, Overlay, Screen};
use ratatui::crossterm::event::KeyCode;

fn app_on(env: &Env) -> App {
    let mut s = guichet::store::Store::open(&env.db()).unwrap();
    s.set_today(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    let mut app = App::new(
        s,
        Some("Julien Moreau"),
        Display {
            no_color: false,
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.resize(100, 40);
    app
}

fn open(app: &mut App, env: &Env, reference: &str) {
    let s = guichet::store::Store::open(&env.db()).unwrap();
    let id = s.request_id(reference).unwrap();
    app.open_request(&id).unwrap();
}

/// `g`, then the `n`-th choice of the aid chooser.
fn choose(app: &mut App, n: usize) {
    key(app, KeyCode::Char('g'));
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    for _ in 0..n {
        key(app, KeyCode::Down);
    }
    key(app, KeyCode::Enter);
}

fn clear(app: &mut App) {
    for _ in 0..20 {
        key(app, KeyCode::Backspace);
    }
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.replace('\u{a0}', " "))
        .unwrap_or_default()
}

/// The screen, non-breaking spaces (in amounts) read as spaces.
fn form_text(app: &App) -> String {
    screen_at(app, (100, 40)).replace('\u{a0}', " ")
}

#[test]
fn grant_pay_start_attest_and_break_from_the_request_screen() {
    let env = Env::new();
    env.ok(&["init"]);
    let old = env
        .ok(&[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "Lemaire",
            "--prenom",
            "Inès",
            "--date",
            "2019-09-02",
            "--telephone",
            "06 11 22 33 44",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "aid",
        "grant",
        &old,
        "--dispositif",
        "bourse_etudes",
        "--montant",
        "3000",
        "--date",
        "2019-09-20",
    ]);
    let r = env
        .ok(&[
            "request",
            "add",
            "--type",
            "installation",
            "--nom",
            "Lemaire",
            "--prenom",
            "Inès",
            "--date",
            "2025-09-01",
            "--telephone",
            "06 11 22 33 44",
        ])
        .trim()
        .to_string();
    let mut app = app_on(&env);
    open(&mut app, &env, &r);
    // The person's earlier grant shows in the block before this request has an aid.
    let s = form_text(&app);
    assert!(s.contains("Aucune aide sur cette demande"), "{s}");
    assert!(
        s.contains(&format!("{old} — Bourse d'études : 3 000 € le 20/09/2019")),
        "{s}"
    );

    // Grant: the amount field has the focus; 36,000 is outside the scheme: refused, form kept.
    choose(&mut app, 0);
    typed(&mut app, "36000");
    ctrl(&mut app, 's');
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    let s = form_text(&app);
    assert!(s.contains("hors des bornes"), "{s}");
    clear(&mut app);
    typed(&mut app, "35000");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "2000");
    key(&mut app, KeyCode::Tab);
    clear(&mut app);
    typed(&mut app, "06/10/2025");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", form_text(&app));
    assert!(message(&app).contains("37 000"), "{}", message(&app));

    // Pay: more than granted is refused; 20,000 goes through.
    choose(&mut app, 1);
    clear(&mut app);
    typed(&mut app, "40000");
    ctrl(&mut app, 's');
    assert!(form_text(&app).contains("dépasse ce qui reste à verser"));
    clear(&mut app);
    typed(&mut app, "20000");
    key(&mut app, KeyCode::Tab);
    clear(&mut app);
    typed(&mut app, "15/10/2025");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", form_text(&app));

    // Start 13 months ago: the first attestation is late.
    choose(&mut app, 2);
    typed(&mut app, "22/10/2025");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Pithiviers");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", form_text(&app));
    let s = form_text(&app);
    assert!(s.contains("Versé : 20 000 € sur 37 000 €"), "{s}");
    assert!(s.contains("à Pithiviers — En cours"), "{s}");
    assert!(
        s.contains("Prochaine attestation : 22/10/2026 — EN RETARD"),
        "{s}"
    );

    // Attest today: no longer late.
    choose(&mut app, 3);
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", form_text(&app));
    let s = form_text(&app);
    assert!(
        s.contains("Attestations : 1 reçue(s) sur 5 (22/11/2026)"),
        "{s}"
    );
    assert!(s.contains("Prochaine attestation : 22/10/2027"), "{s}");
    assert!(!s.contains("EN RETARD"), "{s}");

    // Breach before the start: refused; today, 13 months served of 60: 20,000 × 47/60 asked back.
    choose(&mut app, 4);
    clear(&mut app);
    typed(&mut app, "01/01/2025");
    ctrl(&mut app, 's');
    assert!(form_text(&app).contains("précéder le début"));
    // Beside the field, in its words: no command-line option name.
    assert!(!form_text(&app).contains("--date"), "{}", form_text(&app));
    clear(&mut app);
    typed(&mut app, "aujourd'hui");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", form_text(&app));
    let asked = 20_000 * 47 / 60;
    assert!(
        message(&app).contains(&guichet::aids::fr_euros(asked).replace('\u{a0}', " ")),
        "{}",
        message(&app)
    );
    let Screen::Request(v) = &app.screen else {
        panic!("request screen")
    };
    let aid = v.aids.iter().find(|a| a.reference == r).unwrap();
    assert_eq!(aid.commitment.as_ref().unwrap().repayment, Some(asked));
    insta::assert_snapshot!("request_with_aid_100x40", form_text(&app));

    // Attesting a broken commitment is refused in the chooser, with the reason.
    choose(&mut app, 3);
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    ctrl(&mut app, 's');
    assert!(form_text(&app).contains("rompu"), "{}", form_text(&app));
}

#[test]
fn paying_before_any_grant_is_refused_in_the_chooser() {
    let env = Env::new();
    env.ok(&["init"]);
    let r = env
        .ok(&[
            "request", "add", "--type", "logement", "--nom", "Roy", "--prenom", "Léo",
        ])
        .trim()
        .to_string();
    let mut app = app_on(&env);
    open(&mut app, &env, &r);
    choose(&mut app, 1);
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    assert!(
        message(&app).contains("n'a pas d'aide accordée"),
        "{}",
        message(&app)
    );
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    assert!(
        message(&app).contains("aucun dispositif d'aide pour les demandes de type"),
        "{}",
        message(&app)
    );
}

#[test]
fn a_late_attestation_is_in_the_commitments_tab_until_attested() {
    use guichet::tui::app::Tab;
    let env = Env::new();
    env.ok(&["init"]);
    let r = env
        .ok(&[
            "request",
            "add",
            "--type",
            "installation",
            "--nom",
            "Girard",
            "--prenom",
            "Noé",
            "--date",
            "2025-09-01",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "aid",
        "grant",
        &r,
        "--dispositif",
        "aide_installation",
        "--montant",
        "8000",
        "--date",
        "2025-09-20",
    ]);
    env.ok(&["commitment", "start", &r, "--date", "2025-10-22"]);
    let mut app = app_on(&env);
    while app.queue.tab != Tab::Commitments {
        key(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.queue.total(), 1);
    assert_eq!(app.queue.rows[0].reference, r);
    let s = form_text(&app);
    assert!(s.contains("Eng. 1"), "{s}");
    key(&mut app, KeyCode::Enter);
    assert!(form_text(&app).contains("22/10/2026 — EN RETARD"));
    choose(&mut app, 3);
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", form_text(&app));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.queue.tab, Tab::Commitments);
    assert_eq!(app.queue.total(), 0);
    let s = form_text(&app);
    assert!(s.contains("Aucune attestation d'exercice attendue"), "{s}");
}

#[test]
fn the_review_has_an_aides_part_with_the_publishable_sentence() {
    let env = Env::new();
    env.ok(&["init"]);
    let r = env
        .ok(&[
            "request",
            "add",
            "--type",
            "installation",
            "--nom",
            "Perrin",
            "--prenom",
            "Jade",
            "--date",
            "2026-10-01",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "aid",
        "grant",
        &r,
        "--dispositif",
        "aide_installation",
        "--montant",
        "35000",
        "--bonification",
        "2000",
        "--date",
        "2026-11-10",
    ]);
    env.ok(&[
        "aid",
        "pay",
        &r,
        "--montant",
        "37000",
        "--date",
        "2026-11-11",
    ]);
    env.ok(&[
        "commitment",
        "start",
        &r,
        "--date",
        "2026-11-12",
        "--commune",
        "Gien",
    ]);
    env.ok(&[
        "budget",
        "set",
        "--dispositif",
        "aide_installation",
        "--annee",
        "2026",
        "--montant",
        "260000",
    ]);
    let mut app = app_on(&env);
    key(&mut app, KeyCode::BackTab);
    let Screen::Review(v) = &app.screen else {
        panic!("review")
    };
    let text = v.aids.join("\n").replace('\u{a0}', " ");
    assert!(
        text.contains("Aide à l'installation : 1 aide(s), 37 000 € accordés, 37 000 € versés, budget 260 000 € (reste 223 000 €)"),
        "{text}"
    );
    assert!(
        text.contains("Engagements : 1 en cours, 0 honorés, 0 rompus"),
        "{text}"
    );
    assert!(
        text.contains(
            "1 professionnel aidé pour 37 000 €, dont 1 toujours en activité dans le département."
        ),
        "{text}"
    );
    for _ in 0..80 {
        key(&mut app, KeyCode::Down);
    }
    let s = form_text(&app);
    assert!(s.contains("dont 1 toujours en activité"), "{s}");
}

// The forms and screens tell the truth: a decision or payment date in the future or before the
// request's reception is refused beside its field, in the field's words (no command-line option
// name); a grant beyond the year's budget says so in the status line; the Bilan agrees with
// `report aids`; the Aide block keeps the commitment and a late attestation in sight at 80×24;
// the Engagements tab shows the attestation due.

fn field_error(app: &App, label: &str) -> Option<String> {
    match &app.overlay {
        Some(Overlay::Form(f)) => f
            .fields
            .iter()
            .find(|x| x.label == label)
            .and_then(|x| x.error.as_ref().map(|e| e.replace('\u{a0}', " "))),
        other => panic!("a form is open: {other:?}"),
    }
}

#[test]
fn the_grant_form_refuses_a_future_or_early_decision_beside_the_field() {
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
        "1000",
    ]);
    let r = env
        .ok(&[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "Roy",
            "--prenom",
            "Léa",
            "--date",
            "2026-11-20",
        ])
        .trim()
        .to_string();
    let mut app = common::app::app_on(&env, (100, 40));
    open(&mut app, &env, &r);
    choose(&mut app, 0);
    typed(&mut app, "1200");
    common::app::tab_to(&mut app, "Décision du");
    clear(&mut app);
    typed(&mut app, "01/10/2030");
    ctrl(&mut app, 's');
    assert_eq!(common::app::focused_label(&app), "Décision du");
    let e = field_error(&app, "Décision du").expect("an error beside the date");
    assert_eq!(
        e,
        "la décision du 01/10/2030 est dans le futur (aujourd'hui : 22/11/2026)"
    );
    let s = form_text(&app);
    assert!(s.contains("est dans le futur"), "{s}");
    assert!(!s.contains("--date"), "{s}");

    clear(&mut app);
    typed(&mut app, "01/01/2020");
    ctrl(&mut app, 's');
    let e = field_error(&app, "Décision du").expect("an error beside the date");
    assert!(
        e.starts_with("la décision du 01/01/2020 précède la réception"),
        "{e}"
    );

    // An amount out of the scheme's bounds: beside the amount, not "--montant :".
    common::app::tab_to(&mut app, "Montant (€)");
    clear(&mut app);
    typed(&mut app, "100");
    common::app::tab_to(&mut app, "Décision du");
    clear(&mut app);
    typed(&mut app, "21/11/2026");
    ctrl(&mut app, 's');
    let e = field_error(&app, "Montant (€)").expect("an error beside the amount");
    assert!(e.starts_with("100 € hors des bornes"), "{e}");
    assert!(!form_text(&app).contains("--montant"));

    // Within bounds but over the 2026 budget: granted, with the warning in the status line.
    common::app::tab_to(&mut app, "Montant (€)");
    clear(&mut app);
    typed(&mut app, "1200");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", form_text(&app));
    let status = message(&app);
    assert!(
        status.contains("Aide accordée : 1 200 €. Attention : le budget 2026 du dispositif bourse_etudes est dépassé"),
        "{status}"
    );

    // A payment in the future: refused beside "Versé le".
    choose(&mut app, 1);
    common::app::tab_to(&mut app, "Versé le");
    clear(&mut app);
    typed(&mut app, "24/12/2026");
    ctrl(&mut app, 's');
    let e = field_error(&app, "Versé le").expect("an error beside the payment date");
    assert!(
        e.starts_with("le versement du 24/12/2026 est dans le futur"),
        "{e}"
    );
    assert_eq!(common::table_rows(&env.db(), "aid_payment"), 0);
}

#[test]
fn the_bilan_and_report_aids_agree_for_the_same_days() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "300"]);
    let mut app = common::app::app_on(&env, (100, 40));
    key(&mut app, KeyCode::BackTab);
    // A year, so that grants, payments and commitments are all in it.
    for _ in 0..3 {
        let guichet::tui::app::Screen::Review(v) = &app.screen else {
            panic!("review")
        };
        if v.review.period.to - v.review.period.from > chrono::Duration::days(300) {
            break;
        }
        key(&mut app, KeyCode::Char('p'));
    }
    let guichet::tui::app::Screen::Review(v) = &app.screen else {
        panic!("review")
    };
    let (from, to) = (v.review.period.from, v.review.period.to);
    let lines: Vec<String> = v.aids.iter().map(|l| l.replace('\u{a0}', " ")).collect();
    let r: serde_json::Value = serde_json::from_str(&env.ok(&[
        "report",
        "aids",
        "--from",
        &from.to_string(),
        "--to",
        &to.to_string(),
        "--format",
        "json",
    ]))
    .unwrap();
    let euros =
        |v: &serde_json::Value| guichet::aids::fr_euros(v.as_i64().unwrap()).replace('\u{a0}', " ");
    let s = &r["by_scheme"]["aide_installation"];
    assert!(s["granted_count"].as_i64().unwrap() > 0, "{r}");
    let line = format!(
        "Aide à l'installation : {} aide(s), {} accordés, {} versés",
        s["granted_count"],
        euros(&s["granted_amount"]),
        euros(&s["paid_amount"])
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&line)),
        "{line}\n{lines:#?}"
    );
    let c = &r["commitments"];
    let line = format!(
        "Engagements : {} en cours, {} honorés, {} rompus ; attestations en retard : {}",
        c["running"], c["honoured"], c["broken"], c["attestations_overdue"]
    );
    assert!(lines.contains(&line), "{line}\n{lines:#?}");
    assert_eq!(lines.last().unwrap(), r["sentence"].as_str().unwrap());
}

/// An installation aid paid in three times, a commitment whose second attestation is late, and
/// an earlier study grant of the same person, all through the command line.
fn aid_with_a_late_attestation(env: &Env) -> String {
    env.ok(&["init"]);
    let add = |kind: &str, on: &str| {
        env.ok(&[
            "request",
            "add",
            "--type",
            kind,
            "--nom",
            "Renard",
            "--prenom",
            "Maëlle",
            "--telephone",
            "06 12 12 12 12",
            "--date",
            on,
        ])
        .trim()
        .to_string()
    };
    let old = add("bourse", "2020-09-01");
    env.ok(&[
        "aid",
        "grant",
        &old,
        "--dispositif",
        "bourse_etudes",
        "--montant",
        "4650",
        "--date",
        "2020-09-20",
    ]);
    let r = add("installation", "2024-06-01");
    env.ok(&[
        "aid",
        "grant",
        &r,
        "--dispositif",
        "aide_installation",
        "--montant",
        "35000",
        "--bonification",
        "2000",
        "--date",
        "2024-06-20",
        "--versements",
        "1",
    ]);
    for (amount, on) in [
        ("10000", "2024-07-01"),
        ("10000", "2024-09-01"),
        ("5000", "2025-01-10"),
    ] {
        env.ok(&["aid", "pay", &r, "--montant", amount, "--date", on]);
    }
    env.ok(&[
        "commitment",
        "start",
        &r,
        "--date",
        "2024-10-01",
        "--commune",
        "Montargis",
    ]);
    env.ok(&["commitment", "attest", &r, "--date", "2025-10-03"]);
    // The second is due on 01/10/2026: late today (22/11/2026).
    r
}

#[test]
fn the_aid_block_at_80x24_keeps_the_commitment_and_the_late_attestation_in_sight() {
    let env = Env::new();
    let r = aid_with_a_late_attestation(&env);
    let mut app = common::app::app_on(&env, (80, 24));
    open(&mut app, &env, &r);
    let s = screen_at(&app, (80, 24)).replace('\u{a0}', " ");
    assert!(s.contains("Engagement : 5 ans du 01/10/2024"), "{s}");
    assert!(
        s.contains("Prochaine attestation : 01/10/2026 — EN RETARD"),
        "{s}"
    );
    assert!(s.contains("ligne(s) de plus : guichet aid show"), "{s}");
    insta::assert_snapshot!("aid_block_80x24", s);
    // Taller, everything is there, the person's other aid too, and nothing said hidden.
    app.resize(100, 40);
    let s = screen_at(&app, (100, 40)).replace('\u{a0}', " ");
    assert!(s.contains("Autres aides de la personne :"), "{s}");
    assert!(s.contains("versement du 01/07/2024 : 10 000 €"), "{s}");
    assert!(!s.contains("de plus : guichet aid show"), "{s}");
}

#[test]
fn the_commitments_tab_shows_the_next_attestation_due_and_flags_a_late_one() {
    let env = Env::new();
    let r = aid_with_a_late_attestation(&env);
    let mut app = common::app::app_on(&env, (100, 30));
    while app.queue.tab != guichet::tui::app::Tab::Commitments {
        key(&mut app, KeyCode::Tab);
    }
    let s = screen_at(&app, (100, 30));
    let row = s
        .lines()
        .find(|l| l.contains(&r))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(row.starts_with("\"!"), "{row}");
    assert!(row.contains("01/10/2026"), "{row}");
    assert!(s.contains("Attest."), "{s}");
    insta::assert_snapshot!("commitments_tab_100x30", s);
    app.resize(80, 24);
    let s = screen_at(&app, (80, 24));
    assert!(s.contains("01/10/2026"), "{s}");
}
