//! The aid forms tell the truth: a decision or payment date in the future or before the
//! request's reception is refused beside its field, in the field's words (no command-line
//! option name); a grant beyond the year's budget says so in the status line. "Today" is
//! 22/11/2026.

mod common;

use common::Env;
use common::app::{app_on, focused_label, tab_to};
use common::keys::{ctrl, key, screen_at, typed};
use guichet::tui::app::{App, Overlay};
use ratatui::crossterm::event::KeyCode;

fn open(app: &mut App, env: &Env, reference: &str) {
    let id = common::app::store(env).request_id(reference).unwrap();
    app.open_request(&id).unwrap();
}

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

fn text(app: &App) -> String {
    screen_at(app, (100, 40)).replace('\u{a0}', " ")
}

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
    let mut app = app_on(&env, (100, 40));
    open(&mut app, &env, &r);
    choose(&mut app, 0);
    typed(&mut app, "1200");
    tab_to(&mut app, "Décision du");
    clear(&mut app);
    typed(&mut app, "01/10/2030");
    ctrl(&mut app, 's');
    assert_eq!(focused_label(&app), "Décision du");
    let e = field_error(&app, "Décision du").expect("an error beside the date");
    assert_eq!(
        e,
        "la décision du 01/10/2030 est dans le futur (aujourd'hui : 22/11/2026)"
    );
    let s = text(&app);
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
    tab_to(&mut app, "Montant (€)");
    clear(&mut app);
    typed(&mut app, "100");
    tab_to(&mut app, "Décision du");
    clear(&mut app);
    typed(&mut app, "21/11/2026");
    ctrl(&mut app, 's');
    let e = field_error(&app, "Montant (€)").expect("an error beside the amount");
    assert!(e.starts_with("100 € hors des bornes"), "{e}");
    assert!(!text(&app).contains("--montant"));

    // Within bounds but over the 2026 budget: granted, with the warning in the status line.
    tab_to(&mut app, "Montant (€)");
    clear(&mut app);
    typed(&mut app, "1200");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", text(&app));
    let status = app.message.as_ref().unwrap().text.replace('\u{a0}', " ");
    assert!(
        status.contains("Aide accordée : 1 200 €. Attention : le budget 2026 du dispositif bourse_etudes est dépassé"),
        "{status}"
    );

    // A payment in the future: refused beside "Versé le".
    choose(&mut app, 1);
    tab_to(&mut app, "Versé le");
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
    let mut app = app_on(&env, (100, 40));
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
