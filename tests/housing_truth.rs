//! Housing tells the truth: closing a housing request cancels its placements not started yet
//! (the bed is free again, a history line says so) and keeps the one that started; a place
//! reserved to some profiles refuses a person of another profile; the *Logements* screen opened
//! from a request lists only the places open to its person's profile. "Today" is 22/11/2026.

mod common;

use common::Env;
use common::keys::{ctrl, key, screen_at, typed};
use guichet::tui::app::{Overlay, Screen};
use ratatui::crossterm::event::KeyCode;
use serde_json::Value;

fn request(env: &Env, nom: &str, profil: &str) -> String {
    env.ok(&[
        "request",
        "add",
        "--type",
        "logement",
        "--nom",
        nom,
        "--prenom",
        "Alex",
        "--profil",
        profil,
        "--date",
        "2026-10-01",
    ])
    .trim()
    .to_string()
}

fn place(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["housing", "add"];
    all.extend_from_slice(args);
    let code = env.ok(&all).trim().to_string();
    env.ok(&[
        "housing",
        "open",
        &code,
        "--du",
        "01/11/2026",
        "--au",
        "31/10/2027",
    ]);
    code
}

fn free_beds(env: &Env, from: &str, to: &str) -> Vec<(String, i64)> {
    let v: Value = serde_json::from_str(&env.ok(&[
        "housing", "free", "--du", from, "--au", to, "--format", "json",
    ]))
    .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["free_beds"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn closing_a_housing_request_frees_the_bed_of_a_placement_not_started() {
    let env = Env::new();
    env.ok(&["init"]);
    let log = place(&env, &["--nom", "Gîte", "--commune", "Gien", "--lits", "1"]);
    let r = request(&env, "Martin", "etudiant");
    // One placement that started (it happened), one to come.
    env.ok(&[
        "housing",
        "place",
        &r,
        &log,
        "--du",
        "15/11/2026",
        "--au",
        "30/11/2026",
    ]);
    env.ok(&[
        "housing",
        "place",
        &r,
        &log,
        "--du",
        "01/05/2027",
        "--au",
        "31/10/2027",
    ]);
    assert!(free_beds(&env, "01/05/2027", "31/10/2027").is_empty());
    let out = env.ok(&[
        "request",
        "update",
        &r,
        "--statut",
        "close",
        "--issue",
        "sans_suite",
    ]);
    assert!(
        out.contains(&format!(
            "Logement à venir annulé à la clôture (lit libéré) : {log} du 01/05/2027 au 31/10/2027."
        )),
        "{out}"
    );
    assert_eq!(
        free_beds(&env, "01/05/2027", "31/10/2027"),
        vec![(log.clone(), 1)]
    );
    // The placement that started stays.
    assert!(free_beds(&env, "20/11/2026", "25/11/2026").is_empty());
    let show = env.ok(&["housing", "show", &log]);
    assert!(
        show.contains(&format!("{r} du 15/11/2026 au 30/11/2026")),
        "{show}"
    );
    let history = env.ok(&["request", "show", &r]);
    assert!(
        history.contains(&format!(
            "{log} du 01/05/2027 au 31/10/2027 (demande close)"
        )),
        "{history}"
    );
}

#[test]
fn a_place_reserved_to_interns_refuses_a_professional() {
    let env = Env::new();
    env.ok(&["init"]);
    let log = place(
        &env,
        &[
            "--nom",
            "Chambres d'internes",
            "--commune",
            "Gien",
            "--lits",
            "2",
            "--profils",
            "interne",
        ],
    );
    let pro = request(&env, "Lefebvre", "professionnel");
    let e = env.fails(
        &[
            "housing",
            "place",
            &pro,
            &log,
            "--du",
            "01/05/2027",
            "--au",
            "31/10/2027",
        ],
        2,
    );
    assert!(
        e.contains(&format!(
            "{log} est réservé aux profils Interne : le demandeur de {pro} est Professionnel de santé"
        )),
        "{e}"
    );
    assert_eq!(common::table_rows(&env.db(), "housing_placement"), 0);
    let intern = request(&env, "Petit", "interne");
    env.ok(&[
        "housing",
        "place",
        &intern,
        &log,
        "--du",
        "01/05/2027",
        "--au",
        "31/10/2027",
    ]);
    assert_eq!(common::table_rows(&env.db(), "housing_placement"), 1);
}

#[test]
fn the_housing_screen_from_a_family_request_leaves_out_places_reserved_to_others() {
    let env = Env::new();
    env.ok(&["init"]);
    place(
        &env,
        &[
            "--nom",
            "Chambres d'internes",
            "--commune",
            "Gien",
            "--lits",
            "2",
            "--profils",
            "interne",
        ],
    );
    let family = place(
        &env,
        &[
            "--nom",
            "Maison",
            "--commune",
            "Briare",
            "--lits",
            "3",
            "--profils",
            "famille,professionnel",
        ],
    );
    let open_to_all = place(&env, &["--nom", "Gîte", "--commune", "Gien", "--lits", "1"]);
    let r = request(&env, "Bernard", "famille");
    let mut app = common::app::app_on(&env, (80, 24));
    app.open_request(&app.store.request_id(&r).unwrap())
        .unwrap();
    key(&mut app, KeyCode::Char('L'));
    let Screen::Housing(v) = &app.screen else {
        panic!("not on the housing screen: {:?}", app.screen)
    };
    let codes: Vec<&str> = v.results.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, vec![family.as_str(), open_to_all.as_str()]);
    insta::assert_snapshot!("housing_for_a_family_80x24", screen_at(&app, (80, 24)));
}

#[test]
fn closing_from_the_interface_says_the_placement_to_come_is_cancelled() {
    let env = Env::new();
    env.ok(&["init"]);
    let log = place(&env, &["--nom", "Gîte", "--commune", "Gien", "--lits", "1"]);
    let r = request(&env, "Martin", "etudiant");
    env.ok(&[
        "housing",
        "place",
        &r,
        &log,
        "--du",
        "01/05/2027",
        "--au",
        "31/10/2027",
    ]);
    let mut app = common::app::app_on(&env, (100, 30));
    app.open_request(&app.store.request_id(&r).unwrap())
        .unwrap();
    key(&mut app, KeyCode::Char('s'));
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    for _ in 0..10 {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    // The closing form: the outcome, then save.
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "{}",
        screen_at(&app, (100, 30))
    );
    for _ in 0..3 {
        key(&mut app, KeyCode::Right);
    }
    assert!(screen_at(&app, (100, 30)).contains("Sans suite"));
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", screen_at(&app, (100, 30)));
    let status = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(
        status.contains(&format!(
            "Logement à venir annulé à la clôture (lit libéré) : {log} du 01/05/2027 au 31/10/2027."
        )),
        "{status}"
    );
    assert_eq!(common::table_rows(&env.db(), "housing_placement"), 0);
    let _ = typed;
}
