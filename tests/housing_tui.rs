//! The *Logements* screen (issue #14), keys into the `App` over a real file: placing a housing
//! request from its file, choosing a commune, moving between semesters, and noting a stand
//! visitor's interest on a salon laptop.

mod common;

use chrono::NaiveDate;
use common::Env;
use common::keys::{ctrl, key, screen_at, typed};
use guichet::store::{NewPlace, Store};
use guichet::tui::app::{App, Display, Overlay, Screen};
use ratatui::crossterm::event::KeyCode;
use rusqlite::Connection;
use std::path::Path;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn open(path: &Path) -> Store {
    let mut s = Store::open(path).unwrap().with_actor("Élodie Martin");
    s.set_today(today());
    s
}

fn app_on(path: &Path, size: (u16, u16)) -> App {
    let mut app = App::new(
        open(path),
        Some("Élodie Martin"),
        Display {
            no_color: false,
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.resize(size.0, size.1);
    app
}

fn count(path: &Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// Three places open in the summer semester 2027: Montargis, Amilly (4 km), Gien (35 km away).
fn register(store: &mut Store) {
    use guichet::domain::HousingKind;
    for (name, commune, beds, rent) in [
        ("Collège Montargis", "Montargis", 2, 0),
        ("Studio Amilly", "Amilly", 1, 180),
        ("Collège Gien", "Gien", 1, 0),
    ] {
        let c = guichet::housing::communes::find(commune).unwrap();
        let mut p = NewPlace::new(name, HousingKind::College, c.name, beds);
        p.coordinates = Some((c.latitude, c.longitude));
        p.rent = rent;
        let code = store.add_place(&p).unwrap();
        store
            .open_place(&code, &guichet::housing::semester("été 2027").unwrap())
            .unwrap();
    }
}

fn pick_commune(app: &mut App, name: &str) {
    key(app, KeyCode::Char('p'));
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    let at = guichet::housing::communes::all()
        .iter()
        .position(|c| c.name == name)
        .unwrap();
    for _ in 0..=at {
        key(app, KeyCode::Down);
    }
    key(app, KeyCode::Enter);
}

#[test]
fn a_housing_request_is_placed_from_its_file_near_the_commune_of_its_placement() {
    let env = Env::new();
    let mut s = open(&env.db());
    register(&mut s);
    let reference = {
        let mut r = guichet::store::NewRequest::new(
            guichet::store::NewPerson {
                last_name: "Dupont".into(),
                first_name: "Jean".into(),
                birth_date: None,
                phone: String::new(),
                email: String::new(),
                profile: None,
                profession: String::new(),
            },
            "logement",
            today(),
        );
        r.summary = "Stage à Amilly au semestre d'été".into();
        s.create_request(&r).unwrap().reference
    };
    drop(s);
    let mut app = app_on(&env.db(), (80, 24));
    app.open_request(&app.store.request_id(&reference).unwrap())
        .unwrap();
    key(&mut app, KeyCode::Char('L'));
    let Screen::Housing(v) = &app.screen else {
        panic!("not on the housing screen: {:?}", app.screen)
    };
    // The upcoming semester, the whole register.
    assert_eq!(v.results.len(), 3);
    pick_commune(&mut app, "Amilly");
    let Screen::Housing(v) = &app.screen else {
        panic!("left the housing screen")
    };
    let codes: Vec<&str> = v.results.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["LOG-0002", "LOG-0001"],
        "nearest first, Gien too far"
    );
    insta::assert_snapshot!("housing_near_amilly_80x24", screen_at(&app, (80, 24)));
    key(&mut app, KeyCode::Char('-'));
    key(&mut app, KeyCode::Char('-'));
    let Screen::Housing(v) = &app.screen else {
        panic!()
    };
    assert_eq!(v.radius_km, 10.0);
    assert_eq!(v.results.len(), 2);
    // The winter before: nothing is open.
    key(&mut app, KeyCode::Left);
    let Screen::Housing(v) = &app.screen else {
        panic!()
    };
    assert!(v.results.is_empty());
    assert!(screen_at(&app, (80, 24)).contains("Aucun logement libre"));
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    // Back on the request, placed in Montargis, said in its journal.
    assert!(
        message(&app).contains(&format!("{reference} logée à LOG-0001")),
        "{}",
        message(&app)
    );
    let Screen::Request(r) = &app.screen else {
        panic!("not back on the request")
    };
    assert!(
        r.detail
            .follow_ups
            .iter()
            .any(|f| f.body.starts_with("Logement : LOG-0001")),
        "the placement is in the case log"
    );
    // Said once on the screen: the journal's note, not again by the history's change.
    let shown = screen_at(&app, (120, 40));
    assert_eq!(
        shown.matches("Logement : LOG-0001").count(),
        1,
        "the placement once in the journal:\n{shown}"
    );
    assert_eq!(
        count(
            &env.db(),
            "SELECT count(*) FROM housing_placement WHERE starts_on = '2027-05-01' AND ends_on = '2027-10-31'"
        ),
        1
    );
    // Placing again over the same semester is refused, with the reason on screen.
    key(&mut app, KeyCode::Char('L'));
    key(&mut app, KeyCode::Enter);
    assert!(message(&app).contains("déjà logée"), "{}", message(&app));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Request(_)));
    // The Bilan of the summer shows the housing figures.
    let summer = guichet::housing::semester("été 2027").unwrap();
    app.review_period = Some(guichet::review::Period::custom(summer.from, summer.to));
    app.open_review().unwrap();
    let bilan = screen_at(&app, (120, 40));
    assert!(
        bilan.contains(
            "Logements : 3 logement(s) proposé(s), 4 lit(s) ; 1 placement(s), 184 nuitée(s)"
        ),
        "{bilan}"
    );
}

#[test]
fn at_the_stand_the_lookup_notes_the_visitors_interest_for_the_office() {
    let env = Env::new();
    let laptop = env.path("portable.sqlite3");
    {
        let mut office = open(&env.db());
        register(&mut office);
        guichet::salon::prepare(
            &mut office,
            "Salon de l'étudiant",
            today(),
            "Orléans",
            &laptop,
            false,
        )
        .unwrap();
    }
    let mut app = app_on(&laptop, (120, 40));
    assert!(matches!(app.screen, Screen::Capture(_)));
    // One visitor interested in housing (the first interest), keyboard only.
    typed(&mut app, "Visiteur");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Paul");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "06 11 22 33 44");
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Stage à Amilly");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('L'));
    pick_commune(&mut app, "Montargis");
    let screen = screen_at(&app, (120, 40));
    assert!(screen.contains("Intérêt du visiteur B26-"), "{screen}");
    assert!(screen.contains("Studio Amilly"), "{screen}");
    key(&mut app, KeyCode::Enter);
    assert!(message(&app).contains("noté"), "{}", message(&app));
    assert!(matches!(app.screen, Screen::Capture(_)));
    drop(app);
    // Back at the office, the merge brings it as a proposal for that visitor's request.
    let mut office = open(&env.db());
    let r = guichet::salon::merge(&mut office, &laptop).unwrap();
    assert_eq!(r.housing_proposals, 1);
    let p = office.proposals().unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].place, "LOG-0001");
    assert!(p[0].reference.as_deref().unwrap().starts_with("B26-"));
}

#[test]
fn the_screen_follows_a_colleague_taking_the_last_bed() {
    let env = Env::new();
    let mut s = open(&env.db());
    register(&mut s);
    drop(s);
    let mut app = app_on(&env.db(), (80, 24));
    key(&mut app, KeyCode::Char('L'));
    let free = |app: &App| match &app.screen {
        Screen::Housing(v) => v.results.iter().map(|p| p.code.clone()).collect::<Vec<_>>(),
        other => panic!("not on the housing screen: {other:?}"),
    };
    assert_eq!(free(&app), vec!["LOG-0001", "LOG-0002", "LOG-0003"]);
    // A colleague, in another process, places someone in the Gien studio's only bed.
    let mut colleague = open(&env.db());
    let r = colleague
        .create_request(&guichet::store::NewRequest::new(
            guichet::store::NewPerson {
                last_name: "Autre".into(),
                first_name: "Agent".into(),
                birth_date: None,
                phone: String::new(),
                email: String::new(),
                profile: None,
                profession: String::new(),
            },
            "logement",
            today(),
        ))
        .unwrap();
    colleague
        .place_request(
            &r.id,
            "LOG-0003",
            &guichet::housing::semester("été 2027").unwrap(),
        )
        .unwrap();
    app.tick();
    assert_eq!(free(&app), vec!["LOG-0001", "LOG-0002"]);
}
