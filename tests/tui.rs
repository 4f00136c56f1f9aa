//! The interface without a terminal: keys into the `App` over a real file, assertions on its
//! state, on the file, and on the screen (insta snapshots at 80×24 and 120×40).

mod common;

use chrono::NaiveDate;
use common::Env;
use common::app::{focused_label, tab_to};
use common::keys::{ctrl, key, screen_at, typed};
use guichet::domain::Status;
use guichet::store::{NewPerson, NewRequest, RequestChange, RequestFilter, Store};
use guichet::tui::app::{App, Confirm, Display, Overlay, Screen, Tab};
use guichet::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use rusqlite::Connection;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn store(env: &Env) -> Store {
    let mut s = Store::open(&env.db()).unwrap();
    s.set_today(today());
    s
}

/// A file with 300 demo requests (seed 1), and the interface on it as Julien Moreau.
fn demo_app(env: &Env, size: (u16, u16)) -> App {
    let mut s = store(env);
    guichet::demo::fill(&mut s, 300, 1).unwrap();
    app_on(env, Some("Julien Moreau"), size)
}

fn app_on(env: &Env, agent: Option<&str>, size: (u16, u16)) -> App {
    let mut app = App::new(
        store(env),
        agent,
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

/// From "Ma file" to "Toutes" (the last queue; the review comes after it).
fn to_all(app: &mut App) {
    for _ in 0..5 {
        key(app, KeyCode::Tab);
    }
    assert_eq!(app.queue.tab, Tab::All);
}

fn screen(app: &App) -> String {
    screen_at(app, app.size)
}

fn count(env: &Env, sql: &str) -> i64 {
    Connection::open(env.db())
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

fn opened_reference(app: &App) -> String {
    match &app.screen {
        Screen::Request(v) => v.detail.request.reference.clone(),
        other => panic!("no request open: {other:?}"),
    }
}

#[test]
fn an_empty_file_welcomes_and_offers_demo_data_then_asks_who_works() {
    let env = Env::new();
    let mut app = app_on(&env, None, (80, 24));
    assert!(matches!(app.screen, Screen::Welcome));
    // The welcome names the file; its temporary folder changes at every run.
    let shown = screen(&app).replace(env.dir.path().to_str().unwrap(), "[dossier]");
    insta::assert_snapshot!("welcome_80x24", shown);
    key(&mut app, KeyCode::Char('d'));
    assert_eq!(count(&env, "SELECT count(*) FROM request"), 2000);
    assert!(
        matches!(app.screen, Screen::PickAgent(_)),
        "no agent given: choose one"
    );
    insta::assert_snapshot!("pick_agent_80x24", screen(&app));
    typed(&mut app, "Nouvelle Recrue");
    key(&mut app, KeyCode::Enter);
    // A name nobody has is created only once confirmed.
    assert!(screen(&app).contains("Créer l'agent « Nouvelle Recrue » ?"));
    insta::assert_snapshot!("pick_agent_confirm_new_80x24", screen(&app));
    key(&mut app, KeyCode::Char('o'));
    assert!(matches!(app.screen, Screen::Queue));
    assert_eq!(app.me.as_ref().unwrap().name, "Nouvelle Recrue");
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM agent WHERE name = 'Nouvelle Recrue'"
        ),
        1
    );
}

#[test]
fn the_queues_page_through_the_file_with_their_counts() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    assert!(matches!(app.screen, Screen::Queue));
    assert_eq!(
        app.queue.tab,
        Tab::Today,
        "the day starts on my follow-ups due"
    );
    assert!(
        app.queue
            .rows
            .iter()
            .all(|r| r.next_follow_up_on <= Some(today()))
    );
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.queue.tab, Tab::Mine);
    let s = store(&env);
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let (filter, _) = app.filter_of(*tab);
        assert_eq!(app.queue.counts[i], s.count(&filter).unwrap(), "{tab:?}");
    }
    // My queue: overdue first, then by next follow-up date.
    let dates: Vec<_> = app
        .queue
        .rows
        .iter()
        .map(|r| {
            (
                !r.is_overdue(today()),
                r.next_follow_up_on.unwrap_or(NaiveDate::MAX),
            )
        })
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    assert!(app.queue.rows[0].is_overdue(today()));
    insta::assert_snapshot!("queue_120x40", screen(&app));

    // All requests, down past the first loaded window: rows come from the file as needed.
    key(&mut app, KeyCode::BackTab);
    to_all(&mut app);
    assert_eq!(app.queue.tab, Tab::All);
    for _ in 0..250 {
        key(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(app.queue.selected, 250);
    let expected = s
        .queue(
            &RequestFilter::default(),
            guichet::store::QueueOrder::Recent,
            250,
            1,
        )
        .unwrap();
    assert_eq!(
        app.queue.selected_row().unwrap().reference,
        expected[0].reference
    );
    key(&mut app, KeyCode::End);
    assert_eq!(app.queue.selected, 299);
    key(&mut app, KeyCode::Home);
    assert_eq!(app.queue.selected, 0);

    let narrow_env = Env::new();
    let mut narrow = demo_app(&narrow_env, (80, 24));
    insta::assert_snapshot!("queue_today_80x24", screen(&narrow));
    key(&mut narrow, KeyCode::Tab);
    key(&mut narrow, KeyCode::Tab);
    assert_eq!(narrow.queue.tab, Tab::Unassigned);
    insta::assert_snapshot!("queue_unassigned_80x24", screen(&narrow));
}

#[test]
fn opening_a_request_shows_its_file_and_a_follow_up_logged_there_is_in_the_file() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Enter);
    let reference = opened_reference(&app);
    insta::assert_snapshot!("request_120x40", screen(&app));
    let before = count(&env, "SELECT count(*) FROM follow_up");

    key(&mut app, KeyCode::Char('f'));
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    key(&mut app, KeyCode::Tab); // date
    key(&mut app, KeyCode::Tab); // text
    typed(&mut app, "Rappelée : pièces reçues.");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "Dossier complet.");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "+7");
    insta::assert_snapshot!("follow_up_form_80x24", render_at(&app, (80, 24)));
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "saved: {:?}", app.message);
    assert_eq!(message(&app), "Suivi enregistré.");
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), before + 1);
    let c = Connection::open(env.db()).unwrap();
    let (body, kind, next): (String, String, String) = c
        .query_row(
            "SELECT f.body, f.kind, r.next_follow_up_on FROM follow_up f JOIN request r ON r.id = f.request_id \
             WHERE r.reference = ?1 ORDER BY f.created_at DESC, f.rowid DESC LIMIT 1",
            [&reference],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(body, "Rappelée : pièces reçues.\nDossier complet.");
    assert_eq!(kind, "appel_sortant");
    assert_eq!(next, "2026-11-29");
    assert!(
        screen(&app).contains(
            "Appel passé : Rappelée : pièces reçues.⏎Dossier complet. — relance le 29/11/2026"
        ),
        "the journal says the date the follow-up set: {}",
        screen(&app)
    );
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Queue));
}

fn render_at(app: &App, size: (u16, u16)) -> String {
    screen_at(app, size)
}

#[test]
fn a_wrong_date_is_explained_beside_the_field_and_nothing_typed_is_lost() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Enter);
    let before = count(&env, "SELECT count(*) FROM follow_up");
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    typed(&mut app, "31/02/2026");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Texte important");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays open")
    };
    assert_eq!(
        f.fields[1].error.as_deref(),
        Some("date invalide : « 31/02/2026 » (le 31 février 2026 n'existe pas)")
    );
    assert_eq!(f.fields[2].value(), "Texte important");
    assert_eq!(f.focus, 1, "the cursor goes to the wrong field");
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), before);
    insta::assert_snapshot!("follow_up_error_80x24", screen(&app));
    // Esc on a changed form asks first; "non" keeps it, "oui" drops it.
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.overlay, Some(Overlay::Confirm(..))));
    key(&mut app, KeyCode::Char('n'));
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('o'));
    assert!(app.overlay.is_none());
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), before);
}

#[test]
fn closing_asks_for_an_outcome_never_chosen_in_advance_and_keeps_a_colleagues_other_change() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Enter);
    let reference = opened_reference(&app);
    let id = store(&env).request_id(&reference).unwrap();

    // A colleague reassigns the request meanwhile, in another connection.
    let mut colleague = store(&env).with_actor("Sophie Lefèvre");
    let v = colleague.request_row(&id).unwrap().version;
    colleague
        .update_request(
            &id,
            Some(v),
            &RequestChange {
                summary: Some("Vu par Sophie".into()),
                ..Default::default()
            },
        )
        .unwrap();

    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::End);
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter); // Close -> asks for the outcome
    let Some(Overlay::Form(_)) = &app.overlay else {
        panic!("closing asks for the outcome")
    };
    // Nothing is chosen in advance: a hurried save records no outcome.
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays")
    };
    assert!(
        f.fields[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("choisissez l'issue")),
        "{:?}",
        f.fields[0].error
    );
    assert!(store(&env).request_row(&id).unwrap().status.is_open());
    key(&mut app, KeyCode::Right); // Aboutie
    key(&mut app, KeyCode::Right); // Refusée
    ctrl(&mut app, 's');
    // The colleague changed another field: the close applies on top of it, at once.
    assert!(app.overlay.is_none(), "{}", message(&app));
    assert!(message(&app).contains("Demande close"), "{}", message(&app));
    let row = store(&env).request_row(&id).unwrap();
    assert_eq!(row.status, Status::Close);
    assert_eq!(row.outcome, Some(guichet::domain::Outcome::Refusee));
    assert_eq!(row.summary, "Vu par Sophie");
    assert_eq!(
        row.next_follow_up_on, None,
        "closing cleared the follow-up date"
    );
    assert!(screen(&app).contains("│Relance : —"), "{}", screen(&app));
    let tall = render_at(&app, (120, 40));
    assert!(
        tall.contains("JM Relance du 08/11/2026 retirée"),
        "the journal says the date was removed: {tall}"
    );

    // A call after closing is logged, but a follow-up date is refused beside its field.
    let before = count(&env, "SELECT count(*) FROM follow_up");
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Tab); // date
    key(&mut app, KeyCode::Tab); // text
    typed(&mut app, "Remerciements.");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "+7");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays: {}", message(&app))
    };
    assert_eq!(
        f.fields[3].error.as_deref(),
        Some(
            "une demande close n'a pas de relance (le 29/11/2026) : seule une demande ouverte se relance"
        )
    );
    assert_eq!(f.fields[2].value(), "Remerciements.");
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), before);
    // The same follow-up reopening the request takes its date.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('e')); // En cours
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", message(&app));
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), before + 1);
    let row = store(&env).request_row(&id).unwrap();
    assert_eq!(row.status, Status::EnCours);
    assert_eq!(row.next_follow_up_on, Some(today() + chrono::Days::new(7)));
}

#[test]
fn assigning_and_referring_from_the_request_file() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Tab); // unassigned
    key(&mut app, KeyCode::Enter);
    let reference = opened_reference(&app);
    key(&mut app, KeyCode::Char('a'));
    typed(&mut app, "K"); // jumps to Karim Benali
    key(&mut app, KeyCode::Enter);
    assert_eq!(message(&app), "Attribuée : Karim Benali.");
    let s = store(&env);
    let row = s.request_row(&s.request_id(&reference).unwrap()).unwrap();
    assert_eq!(row.agent.as_deref(), Some("Karim Benali"));

    key(&mut app, KeyCode::Char('o'));
    typed(&mut app, "C"); // first partner starting with C
    ctrl(&mut app, 's');
    assert!(
        message(&app).starts_with("Orientée vers C"),
        "{}",
        message(&app)
    );
    let row = s.request_row(&row.id).unwrap();
    if row.status.is_open() {
        assert_eq!(row.status, Status::AttentePartenaire);
    }
    insta::assert_snapshot!("request_after_referral_80x24", screen(&app));
}

#[test]
fn a_new_request_finds_the_person_first_and_files_several_needs_at_once() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    let existing = store(&env)
        .queue(
            &RequestFilter::default(),
            guichet::store::QueueOrder::Reference,
            0,
            1,
        )
        .unwrap()
        .remove(0);
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, &existing.last_name);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, &existing.first_name);
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form")
    };
    let guichet::tui::forms::FormKind::NewRequest(lists) = &f.kind else {
        panic!("new request")
    };
    assert!(
        lists.matches.iter().any(|p| p.id == existing.person_id),
        "the person is proposed"
    );
    let position = lists
        .matches
        .iter()
        .position(|p| p.id == existing.person_id)
        .unwrap();
    for _ in 0..=position {
        ctrl(&mut app, 'p');
    }
    // Two needs: housing and childcare (from the first name, six fields down).
    for _ in 0..6 {
        key(&mut app, KeyCode::Tab);
    }
    ctrl(&mut app, 't'); // Logement
    for _ in 0..4 {
        key(&mut app, KeyCode::Right);
    }
    key(&mut app, KeyCode::Char(' ')); // Crèche
    insta::assert_snapshot!("new_request_120x40", screen(&app));
    let before = count(&env, "SELECT count(*) FROM person");
    ctrl(&mut app, 's');
    assert!(
        message(&app).starts_with("Enregistrée : A26-"),
        "{}",
        message(&app)
    );
    assert_eq!(
        count(&env, "SELECT count(*) FROM person"),
        before,
        "the person was reused"
    );
    let n: i64 = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM request WHERE person_id = ?1 AND type_code IN ('logement', 'creche') AND received_on = '2026-11-22'",
            [&existing.person_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn a_letter_ticks_the_first_type_with_it_and_an_incomplete_phone_is_refused_beside_its_field() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    let before = count(&env, "SELECT count(*) FROM request");
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "Lenoir");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Inès");
    tab_to(&mut app, "Téléphone");
    typed(&mut app, "06 12 34");
    tab_to(&mut app, "Demande(s)");
    // The cursor starts on Logement: `l` stays there, `l` again goes to Lieu d'exercice.
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char(' '));
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form")
    };
    assert_eq!(f.focused().checked(), [0], "Logement alone is ticked");
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays: {}", message(&app))
    };
    let phone = f.fields.iter().find(|f| f.label == "Téléphone").unwrap();
    assert_eq!(phone.value(), "06 12 34", "the typed number is kept");
    assert_eq!(
        phone.error.as_deref(),
        Some("numéro de téléphone incomplet : « 06 12 34 » (10 chiffres en France)")
    );
    assert_eq!(count(&env, "SELECT count(*) FROM request"), before);
    tab_to(&mut app, "Téléphone");
    typed(&mut app, " 56 78");
    ctrl(&mut app, 's');
    assert!(
        message(&app).starts_with("Enregistrée"),
        "{}",
        message(&app)
    );
    let types: String = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT group_concat(type_code, ' ') FROM (SELECT r.type_code FROM request r \
             JOIN person p ON p.id = r.person_id WHERE p.last_name = 'Lenoir' ORDER BY 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(types, "lieu_exercice logement");
    // Taken on the phone (the form's default channel): the call is each request's first
    // contact, said once.
    let calls = count(
        &env,
        "SELECT count(*) FROM follow_up f JOIN request r ON r.id = f.request_id \
         JOIN person p ON p.id = r.person_id WHERE p.last_name = 'Lenoir' \
         AND f.kind = 'appel_entrant' AND f.body = 'demande enregistrée'",
    );
    assert_eq!(calls, 2);
    let shown = screen(&app);
    assert!(
        shown.contains("Appel reçu : demande enregistrée") && !shown.contains("Appel reçu : Appel"),
        "{shown}"
    );
    let at = |text: &str| {
        shown
            .find(text)
            .unwrap_or_else(|| panic!("{text}: {shown}"))
    };
    assert!(
        at("Demande enregistrée") < at("Appel reçu"),
        "the request is recorded, then its call: {shown}"
    );
}

#[test]
fn a_new_request_without_a_type_or_a_name_says_so_beside_the_field() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Zoé");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "06 12");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form stays")
    };
    // Every mistake at once, beside its field; the focus on the first.
    let errors: Vec<(&str, &str)> = f
        .fields
        .iter()
        .filter_map(|f| Some((f.label, f.error.as_deref()?)))
        .collect();
    assert_eq!(
        errors,
        [
            ("Nom", "le nom est vide"),
            (
                "Téléphone",
                "numéro de téléphone incomplet : « 06 12 » (10 chiffres en France)"
            ),
            (
                "Demande(s)",
                "cochez au moins un type de demande (Ctrl-T ou Espace)"
            ),
        ]
    );
    assert_eq!(f.focus, 0);
    assert_eq!(f.fields[1].value(), "Zoé");
    assert_eq!(message(&app), "3 champs à corriger — le nom est vide");
    insta::assert_snapshot!("new_request_error_80x24", screen(&app));
}

#[test]
fn search_narrows_as_the_agent_types_and_opens_the_result() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    let target = store(&env)
        .queue(
            &RequestFilter::default(),
            guichet::store::QueueOrder::Reference,
            0,
            1,
        )
        .unwrap()
        .remove(0);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, &target.last_name[..3.min(target.last_name.len())]);
    let Screen::Search(s) = &app.screen else {
        panic!("search")
    };
    let broad = s.results.len();
    typed(&mut app, &target.last_name[3.min(target.last_name.len())..]);
    key(&mut app, KeyCode::Char(' '));
    typed(&mut app, &target.first_name);
    let Screen::Search(s) = &app.screen else {
        panic!("search")
    };
    assert!(s.results.len() <= broad);
    assert!(
        s.results
            .iter()
            .all(|r| r.last_name == target.last_name && r.first_name == target.first_name)
    );
    assert!(s.results.iter().any(|r| r.reference == target.reference));
    insta::assert_snapshot!("search_80x24", screen(&app));
    let pos = s
        .results
        .iter()
        .position(|r| r.reference == target.reference)
        .unwrap();
    for _ in 0..pos {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(opened_reference(&app), target.reference);
    // By reference and by phone digits too.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, &target.reference.to_lowercase());
    let Screen::Search(s) = &app.screen else {
        panic!("search")
    };
    assert_eq!(s.results[0].reference, target.reference);
}

#[test]
fn help_lists_every_key_of_the_screen_from_the_keymap() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("help_request_80x24", screen(&app));
    // At 80×24 the help scrolls: every key is reached.
    let mut text = String::new();
    for _ in 0..30 {
        text.push_str(&screen(&app));
        key(&mut app, KeyCode::Down);
    }
    assert!(!screen(&app).contains("↓ suite"), "the end is reached");
    for b in guichet::tui::keymap::bindings_for(guichet::tui::keymap::Context::Request, false) {
        assert!(text.contains(b.desc), "help lacks «{}»", b.desc);
    }
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    // In a form, the help comes back to the form.
    key(&mut app, KeyCode::Char('f'));
    typed(&mut app, "x");
    key(&mut app, KeyCode::F(1));
    assert!(matches!(app.overlay, Some(Overlay::Help(..))));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
}

#[test]
fn changes_made_by_another_process_show_without_a_key() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    let all_before = app.queue.counts[5];
    let mut other = store(&env).with_actor("Karim Benali");
    other
        .create_request(&NewRequest::new(
            NewPerson {
                last_name: "Nouveau".into(),
                first_name: "Venu".into(),
                ..Default::default()
            },
            "logement",
            today(),
        ))
        .unwrap();
    app.tick();
    assert_eq!(app.queue.counts[5], all_before + 1);
}

#[test]
fn q_quits_from_a_list_and_ctrl_c_asks_when_a_form_is_unsaved() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "Brouillon");
    ctrl(&mut app, 'c');
    assert!(!app.quit);
    assert!(matches!(app.overlay, Some(Overlay::Confirm(..))));
    key(&mut app, KeyCode::Char('n'));
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form back")
    };
    assert_eq!(f.fields[0].value(), "Brouillon");
    ctrl(&mut app, 's'); // refused (no first name): still there
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn hostile_text_renders_harmlessly_inside_its_cell() {
    let env = Env::new();
    let mut s = store(&env).with_actor("Julien Moreau");
    let hostile = "Dupont\x1b[2J\x1b]52;c;ZXZpbA==\x07\0\u{202e}evil";
    let mut r = NewRequest::new(
        NewPerson {
            last_name: hostile.into(),
            first_name: "Jean\tPierre".into(),
            ..Default::default()
        },
        "bourse",
        today(),
    );
    r.summary = format!("Résumé {}", "très long ".repeat(1000));
    r.first_note = format!("{hostile} {}", "x".repeat(10_000));
    s.create_request(&r).unwrap();
    s.create_request(&NewRequest::new(
        NewPerson {
            last_name: "Témoin".into(),
            first_name: "Ligne".into(),
            ..Default::default()
        },
        "logement",
        today(),
    ))
    .unwrap();
    drop(s);
    let mut app = app_on(&env, Some("Julien Moreau"), (80, 24));
    to_all(&mut app); // all requests
    for size in [(80, 24), (120, 40)] {
        app.resize(size.0, size.1);
        let queue = render_at(&app, size);
        assert_clean(&queue);
        assert!(
            queue.contains("TÉMOIN Ligne"),
            "the neighbour row is intact:\n{queue}"
        );
        // Names are cleaned at the door: the escape character itself is gone.
        assert!(
            queue.contains("DUPONT[2J"),
            "the name without its escape:\n{queue}"
        );
    }
    let target = app
        .queue
        .rows
        .iter()
        .position(|r| r.last_name.starts_with("Dupont"))
        .unwrap();
    for _ in 0..target {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    for size in [(80, 24), (120, 40)] {
        app.resize(size.0, size.1);
        let text = render_at(&app, size);
        assert_clean(&text);
        // The hostile note stays inside the journal box: every line of the box still ends with its
        // right border, and the box is still closed at the bottom.
        let lines: Vec<&str> = text.lines().map(|l| l.trim_matches('"')).collect();
        let top = lines
            .iter()
            .position(|l| l.starts_with("┌ Journal"))
            .expect("journal box");
        let bottom = top
            + lines[top..]
                .iter()
                .position(|l| l.starts_with('└'))
                .expect("box closed");
        assert!(bottom > top + 1, "the journal shows lines");
        for line in &lines[top + 1..bottom] {
            assert!(
                line.starts_with('│') && line.ends_with('│'),
                "border moved: {line}"
            );
        }
        assert!(
            lines[bottom].ends_with('┘'),
            "bottom border intact: {}",
            lines[bottom]
        );
        assert!(
            lines[0].ends_with("dimanche 22/11/2026"),
            "header intact: {}",
            lines[0]
        );
    }
}

fn assert_clean(screen: &str) {
    for c in screen.chars() {
        assert!(
            c == '\n'
                || !(c.is_control()
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)),
            "raw control or bidi character {c:?} reached the screen"
        );
    }
}

#[test]
fn the_all_requests_queue_filters_by_type_status_agent_channel_event_and_period() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Char('F'));
    let Some(Overlay::Form(_)) = &app.overlay else {
        panic!("filter form")
    };
    typed(&mut app, "L"); // Type: Logement
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "O"); // Statut: Ouvertes
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "01/06/2026");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "30/09/2026");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{:?}", app.message);
    assert_eq!(app.queue.tab, Tab::All);
    assert_eq!(
        message(&app),
        "Filtres : Logement · Ouvertes · du 01/06/2026 · au 30/09/2026."
    );
    let expected = count(
        &env,
        "SELECT count(*) FROM request WHERE type_code = 'logement' AND status <> 'close' \
         AND received_on BETWEEN '2026-06-01' AND '2026-09-30'",
    );
    assert!(expected > 0);
    assert_eq!(app.queue.counts[5] as i64, expected);
    assert!(
        app.queue
            .rows
            .iter()
            .all(|r| r.type_code == "logement" && r.status.is_open())
    );
    insta::assert_snapshot!("queue_filtered_120x40", screen(&app));
    // A wrong period is refused beside the field.
    key(&mut app, KeyCode::Char('F'));
    for _ in 0..6 {
        key(&mut app, KeyCode::Tab);
    }
    ctrl(&mut app, 'u');
    typed(&mut app, "01/01/2026");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form stays")
    };
    assert_eq!(
        f.fields[6].error.as_deref(),
        Some("la fin de la période est avant son début")
    );
}

#[test]
fn no_color_draws_without_colours() {
    let env = Env::new();
    let mut s = store(&env);
    guichet::demo::fill(&mut s, 50, 1).unwrap();
    let mut app = App::new(
        store(&env),
        Some("Julien Moreau"),
        Display {
            no_color: true,
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.resize(80, 24);
    to_all(&mut app); // all requests: some are overdue
    assert!(
        app.queue
            .rows
            .iter()
            .take(18)
            .any(|r| r.is_overdue(today()))
    );
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| ui::render(&app, f)).unwrap();
    let buffer = t.backend().buffer();
    for cell in buffer.content() {
        assert_eq!(
            cell.fg,
            ratatui::style::Color::Reset,
            "coloured cell {cell:?}"
        );
        assert_eq!(
            cell.bg,
            ratatui::style::Color::Reset,
            "coloured cell {cell:?}"
        );
    }
    // Overdue rows still stand out, by their marker.
    assert!(format!("{}", t.backend()).contains("\"! A2"));
}

#[test]
fn every_screen_at_80x24_and_120x40() {
    let env = Env::new();
    let mut s = store(&env);
    guichet::demo::fill(&mut s, 300, 1).unwrap();
    drop(s);
    for size in [(80, 24), (120, 40)] {
        let name = |screen: &str| format!("{screen}_{}x{}", size.0, size.1);
        let mut app = app_on(&env, Some("Julien Moreau"), size);
        insta::assert_snapshot!(name("all_queue"), screen(&app));
        key(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(name("all_help_queue"), screen(&app));
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Enter);
        insta::assert_snapshot!(name("all_request"), screen(&app));
        key(&mut app, KeyCode::Char('f'));
        insta::assert_snapshot!(name("all_follow_up"), screen(&app));
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('s'));
        insta::assert_snapshot!(name("all_status_picker"), screen(&app));
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('o'));
        insta::assert_snapshot!(name("all_referral"), screen(&app));
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('n'));
        insta::assert_snapshot!(name("all_new_request"), screen(&app));
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "mar");
        insta::assert_snapshot!(name("all_search"), screen(&app));
    }
}

#[test]
fn the_review_is_a_tab_with_periods_and_an_export() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    app.export_dir = Some(env.path("exports"));
    key(&mut app, KeyCode::BackTab); // before "Ma file": the review
    let Screen::Review(v) = &app.screen else {
        panic!("review: {:?}", app.screen)
    };
    // The last complete ISO week by default.
    assert_eq!(
        v.review.period.label(),
        "semaine 2026-W46, du 09/11/2026 au 15/11/2026"
    );
    let expected = guichet::review::compute(&store(&env), v.review.period).unwrap();
    assert_eq!(
        v.review, expected,
        "the screen shows the shared computation"
    );
    insta::assert_snapshot!("review_120x40", screen(&app));
    app.resize(80, 24);
    insta::assert_snapshot!("review_80x24", screen(&app));

    key(&mut app, KeyCode::Left);
    let Screen::Review(v) = &app.screen else {
        panic!("review")
    };
    assert_eq!(
        v.review.period.from,
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
    );
    key(&mut app, KeyCode::Char('p'));
    let Screen::Review(v) = &app.screen else {
        panic!("review")
    };
    assert_eq!(v.review.period.label(), "novembre 2026");
    key(&mut app, KeyCode::Char('c'));
    ctrl(&mut app, 'u');
    typed(&mut app, "01/06/2026");
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    typed(&mut app, "22/11/2026");
    ctrl(&mut app, 's');
    let Screen::Review(v) = &app.screen else {
        panic!("review")
    };
    assert_eq!(v.review.period.label(), "du 01/06/2026 au 22/11/2026");
    assert!(
        v.review.headline.starts_with("Depuis le 01/06/2026, "),
        "{}",
        v.review.headline
    );

    key(&mut app, KeyCode::Char('x'));
    let path = env.path("exports").join("bilan-2026-06-01-2026-11-22.xlsx");
    assert_eq!(message(&app), format!("Bilan exporté : {}", path.display()));
    assert!(path.exists());
    assert_eq!(common::mode(&path), 0o600);

    // Tab goes back to the queues, and the period is kept for the next visit.
    key(&mut app, KeyCode::Tab);
    assert!(matches!(app.screen, Screen::Queue));
    assert_eq!(app.queue.tab, Tab::Today);
    key(&mut app, KeyCode::BackTab);
    let Screen::Review(v) = &app.screen else {
        panic!("review")
    };
    assert_eq!(v.review.period.label(), "du 01/06/2026 au 22/11/2026");
}

#[test]
fn the_agent_chooser_picks_by_typing_confirms_a_new_name_and_remembers_the_last_agent() {
    let env = Env::new();
    let mut s = store(&env);
    guichet::demo::fill(&mut s, 50, 1).unwrap();
    let karim = s
        .agents()
        .unwrap()
        .into_iter()
        .find(|a| a.name.starts_with("Karim"))
        .unwrap();
    let agents_before = count(&env, "SELECT count(*) FROM agent");
    let settings = env.path("config/reglages.txt");
    let mut app = app_on(&env, None, (80, 24));
    app.settings_path = Some(settings.clone());
    typed(&mut app, "Karim");
    insta::assert_snapshot!("pick_agent_typed_80x24", screen(&app));
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.me.as_ref().unwrap().name,
        karim.name,
        "the match is picked"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM agent"), agents_before);
    // Remembered: offered first next time.
    let text = std::fs::read_to_string(&settings).unwrap();
    assert!(text.contains(&format!("agent = {}", karim.name)), "{text}");
    let mut next = app_on(&env, None, (80, 24));
    next.settings_path = Some(settings.clone());
    next.offer_last_agent(
        guichet::tui::settings::Settings::load(&settings)
            .agent
            .as_deref(),
    );
    key(&mut next, KeyCode::Enter);
    assert_eq!(next.me.as_ref().unwrap().name, karim.name);

    // A new name asks first; "n" goes back without creating anything.
    let mut third = app_on(&env, None, (80, 24));
    typed(&mut third, "Zoé Nouvelle");
    key(&mut third, KeyCode::Enter);
    assert!(matches!(third.screen, Screen::PickAgent(_)));
    key(&mut third, KeyCode::Char('n'));
    assert!(matches!(third.screen, Screen::PickAgent(_)));
    assert_eq!(count(&env, "SELECT count(*) FROM agent"), agents_before);

    // A deactivated agent is no longer offered.
    let out = env.ok(&["agent", "disable", &karim.name]);
    assert!(out.contains("désactivé"), "{out}");
    let mut fourth = app_on(&env, None, (80, 24));
    typed(&mut fourth, "Karim");
    key(&mut fourth, KeyCode::Enter);
    assert!(
        matches!(&fourth.overlay, Some(Overlay::Confirm(Confirm::NewAgent(n), _)) if n == "Karim"),
        "Karim is no longer in the list"
    );
}

#[test]
fn a_queue_row_shows_what_was_done_on_the_request_when_coming_back() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    let Some(row) = app.queue.selected_row().cloned() else {
        panic!("a row")
    };
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('s'));
    for _ in 0..6 {
        key(&mut app, KeyCode::Up);
    }
    for _ in 0..3 {
        key(&mut app, KeyCode::Down); // En attente du demandeur
    }
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none(), "{}", message(&app));
    key(&mut app, KeyCode::Esc);
    let fresh = app
        .queue
        .rows
        .iter()
        .find(|r| r.id == row.id)
        .expect("still in my queue");
    assert_eq!(fresh.status, Status::AttenteDemandeur);
}

#[test]
fn esc_from_a_request_opened_by_search_comes_back_to_the_results() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "a");
    let Screen::Search(s) = &app.screen else {
        panic!("search")
    };
    let results = s.results.len();
    assert!(results > 1);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Request(_)));
    key(&mut app, KeyCode::Esc);
    let Screen::Search(s) = &app.screen else {
        panic!("back to the search: {:?}", app.screen)
    };
    assert_eq!(s.input.text(), "a");
    assert_eq!(s.results.len(), results);
}

#[test]
fn altgr_characters_and_pasted_lines_reach_the_fields() {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Char('n'));
    // "Nom": three pasted lines do not run together.
    app.paste("Dupont\nJean\n06 12 34 56 78");
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form")
    };
    assert_eq!(f.fields[0].value(), "Dupont Jean 06 12 34 56 78");
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    // AltGr on Windows: Ctrl+Alt+char.
    let altgr = KeyModifiers::CONTROL | KeyModifiers::ALT;
    typed(&mut app, "jean");
    app.handle_key(KeyEvent::new(KeyCode::Char('@'), altgr));
    typed(&mut app, "exemple.fr");
    app.handle_key(KeyEvent::new(KeyCode::Char('#'), altgr));
    app.handle_key(KeyEvent::new(KeyCode::Char('{'), altgr));
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form")
    };
    assert_eq!(f.fields[3].value(), "jean@exemple.fr#{");
}

#[test]
fn a_birth_date_or_a_closing_date_in_the_future_is_refused_beside_its_field() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "Martin");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Lucie");
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    typed(&mut app, "01/01/2030");
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form stays: {}", message(&app))
    };
    assert!(
        f.fields[4]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("futur")),
        "{:?}",
        f.fields.iter().map(|f| &f.error).collect::<Vec<_>>()
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('o'));
    // Closing tomorrow.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Enter);
    let id = match &app.screen {
        Screen::Request(v) => v.detail.request.id.clone(),
        other => panic!("{other:?}"),
    };
    key(&mut app, KeyCode::Char('s'));
    for _ in 0..6 {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "the close form"
    );
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    typed(&mut app, "demain");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form stays: {}", message(&app))
    };
    assert!(
        f.fields[1]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("futur"))
    );
    assert!(store(&env).request_row(&id).unwrap().status.is_open());
}

#[test]
fn the_offers_scroll_at_80x24_down_to_the_last_one() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    let offers = store(&env).offers().unwrap();
    let last = offers.iter().rfind(|o| o.active).unwrap().title.clone();
    key(&mut app, KeyCode::Char('i'));
    assert!(screen(&app).contains("↓ suite"));
    assert!(!screen(&app).contains(&last));
    for _ in 0..80 {
        key(&mut app, KeyCode::Down);
    }
    assert!(screen(&app).contains(&last), "{}", screen(&app));
    insta::assert_snapshot!("offers_end_80x24", screen(&app));
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[test]
fn a_partner_overdue_request_comes_first_and_late_is_said_only_of_a_past_date() {
    let env = Env::new();
    let mut s = store(&env);
    let me = s.ensure_agent("Julien Moreau").unwrap();
    let day = |n: i64| today() + chrono::Duration::days(n);
    let mut ids = Vec::new();
    for (name, next) in [("Avenir", 1), ("Partenaire", 10), ("Passé", -1)] {
        let mut r = NewRequest::new(
            NewPerson {
                last_name: name.into(),
                first_name: "Test".into(),
                ..Default::default()
            },
            "logement",
            day(-30),
        );
        r.agent_id = Some(me.id.clone());
        r.next_follow_up_on = Some(day(next));
        ids.push(s.create_request(&r).unwrap().id);
    }
    let partner = s.partners().unwrap()[0].id.clone();
    s.refer(
        &ids[1],
        &guichet::store::NewReferral {
            partner_id: partner,
            sent_on: day(-20),
            expected_by: Some(day(-2)),
            note: String::new(),
        },
    )
    .unwrap();
    // The referral put it in "attente partenaire": back to "en cours" with the follow-up date.
    s.update_request(
        &ids[1],
        None,
        &RequestChange {
            status: Some(Status::EnCours),
            next_follow_up_on: Some(Some(day(10))),
            ..Default::default()
        },
    )
    .unwrap();
    let mut app = app_on(&env, Some("Julien Moreau"), (120, 40));
    key(&mut app, KeyCode::Tab); // Ma file
    let names: Vec<String> = app.queue.rows.iter().map(|r| r.last_name.clone()).collect();
    assert_eq!(names, ["Passé", "Partenaire", "Avenir"]);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let text = screen(&app);
    assert!(text.contains("Relance : 02/12/2026"), "{text}");
    assert!(
        !text.contains("(en retard)"),
        "a future date is not late:\n{text}"
    );
    assert!(text.contains("réponse de partenaire en retard"), "{text}");
    // The history reads in French, dates as JJ/MM/AAAA.
    assert!(text.contains("Relance : 02/12/2026"));
    assert!(
        !text.contains("next_follow_up_on") && !text.contains("2026-12-02"),
        "{text}"
    );
    insta::assert_snapshot!("request_partner_late_120x40", text);
}

#[test]
fn from_a_request_a_note_changes_the_status_a_partner_is_reminded_and_another_request_opens() {
    let env = Env::new();
    let mut s = store(&env);
    let mut ids = Vec::new();
    for t in ["logement", "creche"] {
        let mut r = NewRequest::new(
            NewPerson {
                last_name: "Garnier".into(),
                first_name: "Inès".into(),
                phone: "06 11 22 33 44".into(),
                ..Default::default()
            },
            t,
            today(),
        );
        r.person_id = ids.first().map(|(_, p): &(String, String)| p.clone());
        let c = s.create_request(&r).unwrap();
        ids.push((c.id, c.person_id));
    }
    let partner = s.partners().unwrap()[0].clone();
    s.refer(
        &ids[0].0,
        &guichet::store::NewReferral {
            partner_id: partner.id.clone(),
            sent_on: today(),
            expected_by: None,
            note: String::new(),
        },
    )
    .unwrap();
    let mut app = app_on(&env, Some("Julien Moreau"), (120, 40));
    app.open_request(&ids[0].0).unwrap();

    // A note that says "waiting for the papers", with the status that goes with it and a
    // follow-up date shown as the day it means while typed.
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Pièces demandées par courrier");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "+7");
    assert!(
        screen(&app).contains("→ dimanche 29/11/2026"),
        "{}",
        screen(&app)
    );
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right); // En cours
    key(&mut app, KeyCode::Right); // En attente du demandeur
    insta::assert_snapshot!("follow_up_with_status_120x40", screen(&app));
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", message(&app));
    let row = store(&env).request_row(&ids[0].0).unwrap();
    assert_eq!(row.status, Status::AttenteDemandeur);
    assert_eq!(row.next_follow_up_on, NaiveDate::from_ymd_opt(2026, 11, 29));

    // The partner is reminded: the file counts it.
    key(&mut app, KeyCode::Char('l'));
    ctrl(&mut app, 's');
    assert!(message(&app).contains("Relance de"), "{}", message(&app));
    assert_eq!(
        count(&env, "SELECT reminders FROM referral"),
        1,
        "the reminder is recorded"
    );

    // The partner's answer: none is chosen beforehand, so a hasty save records nothing.
    key(&mut app, KeyCode::Char('r'));
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the answer form stays: {}", message(&app))
    };
    let answer = f.fields.iter().find(|f| f.label == "Réponse").unwrap();
    assert_eq!(
        answer.error.as_deref(),
        Some("choisissez la réponse du partenaire (← →)")
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM referral WHERE answer IS NOT NULL"
        ),
        0
    );
    while focused_label(&app) != "Réponse" {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Right); // Favorable
    key(&mut app, KeyCode::Right); // Défavorable
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", message(&app));
    let saved: String = Connection::open(env.db())
        .unwrap()
        .query_row("SELECT answer FROM referral", [], |r| r.get(0))
        .unwrap();
    assert_eq!(saved, "defavorable");

    // The person's other request, and a new one for the same person.
    key(&mut app, KeyCode::Char('v'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(opened_reference(&app), "A26-00002");
    key(&mut app, KeyCode::Char('n'));
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("new request form")
    };
    assert_eq!(f.fields[0].value(), "Garnier");
    assert!(f.title.contains("Garnier"));
}

#[test]
fn a_multi_line_note_moves_between_its_lines_undoes_and_takes_a_pasted_block() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "ligne 1");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "ligne 2");
    let focus = |app: &App| match &app.overlay {
        Some(Overlay::Form(f)) => (f.focus, f.fields[2].value().to_string()),
        other => panic!("{other:?}"),
    };
    assert_eq!(focus(&app), (2, "ligne 1\nligne 2".to_string()));
    // The field names its own keys, as the keymap binds them; the footer stays the form's.
    let shown = screen(&app);
    assert!(
        shown.contains("(Entrée nouvelle ligne · ↑ ↓ lignes · Ctrl-Z annuler)"),
        "{shown}"
    );
    assert!(shown.contains("Ctrl-S enregistrer"), "{shown}");
    key(&mut app, KeyCode::F(1));
    let help = screen(&app);
    assert!(help.contains("Texte sur plusieurs lignes"), "{help}");
    key(&mut app, KeyCode::Esc);
    assert_eq!(focus(&app), (2, "ligne 1\nligne 2".to_string()));
    key(&mut app, KeyCode::Up); // to the first line, still in the field
    assert_eq!(focus(&app).0, 2);
    key(&mut app, KeyCode::End);
    typed(&mut app, " bis");
    assert_eq!(focus(&app).1, "ligne 1 bis\nligne 2");
    for _ in 0..4 {
        ctrl(&mut app, 'z'); // undo, one character at a time
    }
    assert_eq!(focus(&app).1, "ligne 1\nligne 2");
    ctrl(&mut app, 'y'); // redo one
    assert_eq!(focus(&app).1, "ligne 1 \nligne 2");
    ctrl(&mut app, 'z');
    key(&mut app, KeyCode::Up); // from the first line: the previous field
    assert_eq!(focus(&app).0, 1);
    key(&mut app, KeyCode::Tab);
    app.paste("a\r\nb\nc");
    assert!(focus(&app).1.ends_with("a\nb\nc") || focus(&app).1.contains("a\nb\nc"));
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", message(&app));
}

#[test]
fn review_periods_never_run_past_today_p_keeps_the_end_and_w_returns_to_the_last_week() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::BackTab);
    let period = |app: &App| match &app.screen {
        Screen::Review(v) => v.review.period,
        other => panic!("{other:?}"),
    };
    let week = period(&app);
    // Forward: the week in progress, then no further.
    key(&mut app, KeyCode::Right);
    assert!(period(&app).from <= today());
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    assert!(period(&app).from <= today(), "{:?}", period(&app));
    assert!(message(&app).contains("Pas de période après"));
    // p four times from the last week: week -> month -> quarter -> year -> a week not in the
    // future.
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(period(&app), week);
    for _ in 0..4 {
        key(&mut app, KeyCode::Char('p'));
        assert!(period(&app).from <= today(), "{:?}", period(&app));
    }
    assert_eq!(period(&app).kind, guichet::review::PeriodKind::Week);
    assert!(period(&app).from <= today());
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(period(&app), week);
}

#[test]
fn the_reception_date_is_corrected_in_the_edit_form_never_into_the_future() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Enter);
    let id = match &app.screen {
        Screen::Request(v) => v.detail.request.id.clone(),
        other => panic!("{other:?}"),
    };
    let before = store(&env).request_row(&id).unwrap();
    key(&mut app, KeyCode::Char('e'));
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    ctrl(&mut app, 'u');
    typed(&mut app, "demain");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays: {}", message(&app))
    };
    assert!(
        f.fields[4]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("futur"))
    );
    ctrl(&mut app, 'u');
    let earlier = before.received_on - chrono::Duration::days(3);
    typed(&mut app, &guichet::domain::fr_date(earlier));
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", message(&app));
    let after = store(&env).request_row(&id).unwrap();
    assert_eq!(after.received_on, earlier);
    assert_eq!(after.summary, before.summary, "nothing else written");
    assert!(screen(&app).contains("Reçue le : "), "{}", screen(&app));
}

#[test]
fn a_phone_saved_under_the_older_rule_does_not_block_an_edit_and_every_mistake_shows_at_once() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Enter);
    let reference = opened_reference(&app);
    // A number an older version accepted.
    Connection::open(env.db())
        .unwrap()
        .execute(
            "UPDATE person SET phone = '06 12 34' WHERE id = \
             (SELECT person_id FROM request WHERE reference = ?1)",
            [&reference],
        )
        .unwrap();
    ctrl(&mut app, 'l'); // read the file again
    key(&mut app, KeyCode::Char('p'));
    tab_to(&mut app, "E-mail");
    ctrl(&mut app, 'u');
    typed(&mut app, "nouvelle@exemple.fr");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "saved: {}", message(&app));
    let (phone, email): (String, String) = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT p.phone, p.email FROM person p JOIN request r ON r.person_id = p.id \
             WHERE r.reference = ?1",
            [&reference],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (phone.as_str(), email.as_str()),
        ("06 12 34", "nouvelle@exemple.fr")
    );

    // A phone typed now follows the rule; every mistake shows at once.
    key(&mut app, KeyCode::Char('p'));
    tab_to(&mut app, "Téléphone");
    typed(&mut app, "5");
    tab_to(&mut app, "E-mail");
    typed(&mut app, "@");
    tab_to(&mut app, "Né(e) le");
    typed(&mut app, "31/13/1999");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays: {}", message(&app))
    };
    let faulty: Vec<&str> = f
        .fields
        .iter()
        .filter(|f| f.error.is_some())
        .map(|f| f.label)
        .collect();
    assert_eq!(faulty, ["Téléphone", "E-mail", "Né(e) le"]);
    assert_eq!(focused_label(&app), "Téléphone");
}

#[test]
fn a_long_journal_opens_on_its_newest_entries_and_scrolls_back_with_the_arrows() {
    let env = Env::new();
    let mut s = store(&env);
    let r = NewRequest::new(
        NewPerson {
            last_name: "Garnier".into(),
            first_name: "Élise".into(),
            ..Default::default()
        },
        "logement",
        today() - chrono::Days::new(30),
    );
    let id = s.create_request(&r).unwrap().id;
    for i in 1..=15 {
        s.log_follow_up(
            &id,
            &guichet::store::NewFollowUp {
                kind: guichet::domain::FollowUpKind::Note,
                occurred_on: today() - chrono::Days::new(30 - i),
                body: format!("Échange numéro {i}"),
                next_follow_up_on: None,
            },
        )
        .unwrap();
    }
    let mut app = app_on(&env, Some("Julien Moreau"), (80, 24));
    app.open_request(&id).unwrap();
    let shown = screen(&app);
    assert!(
        shown.contains("Échange numéro 15"),
        "the newest first: {shown}"
    );
    assert!(!shown.contains("Demande enregistrée"), "{shown}");
    // ↑ goes back to the oldest, one row at a time, and stops there; ↓ comes back at once.
    for _ in 0..30 {
        key(&mut app, KeyCode::Up);
    }
    let shown = screen(&app);
    assert!(shown.contains("Demande enregistrée"), "{shown}");
    assert!(!shown.contains("Échange numéro 15"), "{shown}");
    key(&mut app, KeyCode::Down);
    assert!(
        screen(&app).contains("Échange numéro 1 "),
        "{}",
        screen(&app)
    );
    for _ in 0..30 {
        key(&mut app, KeyCode::Down);
    }
    assert!(
        screen(&app).contains("Échange numéro 15"),
        "{}",
        screen(&app)
    );
}

#[test]
fn the_journal_names_a_changed_type_by_its_label() {
    let env = Env::new();
    let mut s = store(&env);
    let r = NewRequest::new(
        NewPerson {
            last_name: "Perrin".into(),
            first_name: "Hugo".into(),
            ..Default::default()
        },
        "installation",
        today(),
    );
    let id = s.create_request(&r).unwrap().id;
    s.update_request(
        &id,
        None,
        &RequestChange {
            type_code: Some("logement".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let mut app = app_on(&env, Some("Julien Moreau"), (100, 30));
    app.open_request(&id).unwrap();
    let shown = screen(&app);
    assert!(
        shown.contains("Type : Aide à l'installation → Logement"),
        "{shown}"
    );
}

/// A draft keeps every field of the form (text, several lines, choices) and opens the same form
/// again on the same request, filled (the terminal path is in `tests/e2e.rs`).
#[test]
fn a_draft_reopens_the_same_form_with_every_value() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    key(&mut app, KeyCode::Enter);
    let reference = opened_reference(&app);
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Right); // another kind
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "ligne un");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "ligne deux");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "+3");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    let draft = guichet::tui::draft::Draft::of(&app).expect("a form with typed text");
    let values = |app: &App| -> Vec<String> {
        let Some(Overlay::Form(f)) = &app.overlay else {
            panic!("a form: {:?}", app.overlay)
        };
        f.fields.iter().map(|f| f.value().to_string()).collect()
    };
    let before = values(&app);
    let json = serde_json::to_string(&draft).unwrap();

    let mut again = app_on(&env, Some("Julien Moreau"), (120, 40));
    let draft: guichet::tui::draft::Draft = serde_json::from_str(&json).unwrap();
    assert!(draft.reopen(&mut again).unwrap().is_empty());
    assert_eq!(opened_reference(&again), reference);
    // The dates come back as the days they meant ("aujourd'hui", "+3").
    let mut expected = before.clone();
    expected[1] = "22/11/2026".to_string();
    expected[3] = "25/11/2026".to_string();
    assert_eq!(values(&again), expected);
    // Closed again before saving: still kept (it was lost the second time).
    let twice = guichet::tui::draft::Draft::of(&again).expect("still a draft");
    assert_eq!(twice.fields, draft.fields);
    // While a question covers the form (Esc asks first), and back to it: still kept, compared
    // with what the form showed when it first opened.
    key(&mut again, KeyCode::Esc);
    assert!(matches!(again.overlay, Some(Overlay::Confirm(..))));
    assert!(guichet::tui::draft::Draft::of(&again).is_some());
    key(&mut again, KeyCode::Char('n'));
    assert_eq!(
        guichet::tui::draft::Draft::of(&again).map(|d| d.touched),
        Some(twice.touched.clone())
    );
    // Nothing typed: nothing to keep.
    key(&mut again, KeyCode::Esc);
    key(&mut again, KeyCode::Char('o'));
    key(&mut again, KeyCode::Char('f'));
    assert!(guichet::tui::draft::Draft::of(&again).is_none());
    key(&mut again, KeyCode::Esc);

    // An edit left as a draft while a colleague moves the follow-up date: the form opens again
    // with the colleague's date (the agent had not touched it) and the summary typed; a field
    // both changed is not filled over the colleague's, and the message says so.
    let id = match &again.screen {
        Screen::Request(v) => v.detail.request.id.clone(),
        other => panic!("{other:?}"),
    };
    key(&mut again, KeyCode::Char('e'));
    typed(&mut again, " (brouillon)");
    let draft = guichet::tui::draft::Draft::of(&again).expect("an edit");
    assert_eq!(
        draft.touched,
        ["Résumé"],
        "only what was typed: {:?}",
        draft.fields
    );
    let colleague_date = NaiveDate::from_ymd_opt(2026, 12, 15);
    store(&env)
        .update_request(
            &id,
            None,
            &RequestChange {
                next_follow_up_on: Some(colleague_date),
                ..Default::default()
            },
        )
        .unwrap();
    let mut third = app_on(&env, Some("Julien Moreau"), (120, 40));
    assert!(draft.reopen(&mut third).unwrap().is_empty());
    ctrl(&mut third, 's');
    assert!(third.overlay.is_none(), "{}", message(&third));
    let row = store(&env).request_row(&id).unwrap();
    assert_eq!(
        row.next_follow_up_on, colleague_date,
        "the colleague's date stays"
    );
    assert!(row.summary.ends_with(" (brouillon)"), "{}", row.summary);

    let mut fourth = app_on(&env, Some("Julien Moreau"), (120, 40));
    fourth.open_request(&id).unwrap();
    key(&mut fourth, KeyCode::Char('e'));
    typed(&mut fourth, " bis");
    let draft = guichet::tui::draft::Draft::of(&fourth).unwrap();
    store(&env)
        .update_request(
            &id,
            None,
            &RequestChange {
                summary: Some("résumé d'un collègue".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let mut fifth = app_on(&env, Some("Julien Moreau"), (120, 40));
    let said = draft.reopen(&mut fifth).unwrap();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("bis") && said[0].contains("résumé d'un collègue"),
        "{said:?}"
    );
    let Some(Overlay::Form(f)) = &fifth.overlay else {
        panic!("the form")
    };
    assert_eq!(f.fields[0].value(), "résumé d'un collègue");
    // Closed once more: what was not filled is still kept.
    let kept = guichet::tui::draft::Draft::of(&fifth).expect("still a draft");
    assert!(
        kept.fields
            .iter()
            .any(|(l, v)| l == "Résumé" && format!("{v:?}").contains(" bis")),
        "{kept:?}"
    );
}

/// A draft taken back the next day: a date left at "aujourd'hui" is the day it was typed, a
/// date typed "+15" the day it meant then, and no colleague is blamed for the day changing.
#[test]
fn a_draft_taken_back_the_next_day_keeps_its_days() {
    let env = Env::new();
    guichet::demo::fill(&mut store(&env), 300, 1).unwrap();
    let yesterday = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let mut s = store(&env);
    s.set_today(yesterday);
    let mut app = App::new(
        s,
        Some("Julien Moreau"),
        Display {
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.resize(120, 40);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('f'));
    tab_to(&mut app, "Texte");
    typed(&mut app, "appel de la veille");
    tab_to(&mut app, "Relance le");
    typed(&mut app, "+15");
    let draft = guichet::tui::draft::Draft::of(&app).unwrap();

    let mut next_day = app_on(&env, Some("Julien Moreau"), (120, 40));
    let said = draft.reopen(&mut next_day).unwrap();
    assert!(said.is_empty(), "nobody changed anything: {said:?}");
    let Some(Overlay::Form(f)) = &next_day.overlay else {
        panic!("the form")
    };
    let value = |label: &str| {
        f.fields
            .iter()
            .find(|x| x.label == label)
            .unwrap()
            .value()
            .to_string()
    };
    assert_eq!(value("Date"), "21/11/2026");
    assert_eq!(value("Relance le"), "06/12/2026");
    assert_eq!(value("Texte"), "appel de la veille");
}

/// A draft nobody takes back (an agent who left) is dropped after 30 days, at any agent's start.
#[test]
fn a_draft_left_more_than_30_days_is_dropped_at_anyones_start() {
    let env = Env::new();
    let mut s = store(&env);
    s.set_today(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    s.save_draft("Agent parti", r#"{"title":"x"}"#).unwrap();
    s.set_today(NaiveDate::from_ymd_opt(2026, 10, 20).unwrap());
    assert_eq!(s.take_draft("Julien Moreau").unwrap(), None);
    assert_eq!(
        count(&env, "SELECT count(*) FROM draft"),
        1,
        "19 days: kept"
    );
    s.set_today(today());
    assert_eq!(s.take_draft("Julien Moreau").unwrap(), None);
    assert_eq!(
        count(&env, "SELECT count(*) FROM draft"),
        0,
        "52 days: dropped"
    );
}

/// Saved empty, then a known phone typed and its person taken with Ctrl-P: the person's fields
/// are that person's, and the errors said of them before no longer show.
#[test]
fn taking_a_proposed_person_clears_the_errors_of_the_persons_fields() {
    let env = Env::new();
    let mut app = demo_app(&env, (120, 40));
    let phone: String = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT phone FROM person WHERE phone <> '' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    key(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 's');
    let errors = |app: &App| -> Vec<String> {
        let Some(Overlay::Form(f)) = &app.overlay else {
            panic!("form")
        };
        f.fields.iter().filter_map(|f| f.error.clone()).collect()
    };
    assert!(errors(&app).iter().any(|e| e.contains("le nom est vide")));
    tab_to(&mut app, "Téléphone");
    typed(&mut app, &phone);
    ctrl(&mut app, 'p');
    assert_eq!(
        errors(&app),
        ["cochez au moins un type de demande (Ctrl-T ou Espace)"],
        "what is still missing stays said"
    );
}

/// A draft whose chosen option is no longer offered (the partner's referral answered meanwhile)
/// does not open on another one: it stays kept, and what was typed is said.
#[test]
fn a_draft_whose_choice_is_gone_is_not_opened_on_another() {
    let env = Env::new();
    guichet::demo::fill(&mut store(&env), 300, 1).unwrap();
    let id: String = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT request_id FROM referral WHERE answered_on IS NULL ORDER BY rowid LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let draft: guichet::tui::draft::Draft = serde_json::from_value(serde_json::json!({
        "request_id": id,
        "opened_by": "reponse",
        "title": "Réponse d'un partenaire",
        "fields": [["Orientation", {"Choice": "Partenaire disparu (envoyée le 01/11/2026)"}],
                   ["Note", {"Text": "accord oral"}]],
        "initial": [["Orientation", {"Choice": "Partenaire disparu (envoyée le 01/11/2026)"}],
                    ["Note", {"Text": ""}]],
        "touched": ["Orientation", "Note"],
    }))
    .unwrap();
    let mut s = store(&env);
    s.save_draft("Julien Moreau", &serde_json::to_string(&draft).unwrap())
        .unwrap();
    let mut app = app_on(&env, Some("Julien Moreau"), (120, 40));
    guichet::tui::draft::take_back(&mut app, "Julien Moreau");
    assert!(app.overlay.is_none(), "no form on another referral");
    let said = message(&app);
    assert!(
        said.contains("n'est plus proposé") && said.contains("accord oral"),
        "{said}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM draft"), 1, "still kept");
}

/// A new request drafted one day and taken back the next is received the day it was typed (it
/// was received the day it was taken back, its relance possibly before it).
#[test]
fn a_new_request_drafted_yesterday_is_received_yesterday() {
    let env = Env::new();
    guichet::demo::fill(&mut store(&env), 50, 1).unwrap();
    let mut s = store(&env);
    s.set_today(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
    let mut app = App::new(
        s,
        Some("Julien Moreau"),
        Display {
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.resize(120, 40);
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "Zorglub");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Zoé");
    tab_to(&mut app, "Téléphone");
    typed(&mut app, "06 13 13 13 13");
    tab_to(&mut app, "Demande(s)");
    ctrl(&mut app, 't');
    tab_to(&mut app, "Relance le");
    typed(&mut app, "demain");
    let draft = guichet::tui::draft::Draft::of(&app).unwrap();

    let mut next_day = app_on(&env, Some("Julien Moreau"), (120, 40));
    assert!(draft.reopen(&mut next_day).unwrap().is_empty());
    ctrl(&mut next_day, 's');
    assert!(
        message(&next_day).starts_with("Enregistrée"),
        "{}",
        message(&next_day)
    );
    let (received, due): (String, String) = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT r.received_on, r.next_follow_up_on FROM request r \
             JOIN person p ON p.id = r.person_id WHERE p.last_name = 'Zorglub'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (received.as_str(), due.as_str()),
        ("2026-11-21", "2026-11-22")
    );
}

/// A draft about a person anonymised since (the form was still open when it happened) is
/// dropped without being shown: what was typed may name them.
#[test]
fn a_draft_about_a_person_anonymised_since_is_dropped_unread() {
    let env = Env::new();
    let mut s = store(&env);
    let mut r = NewRequest::new(
        NewPerson {
            last_name: "Effacé".into(),
            first_name: "Jules".into(),
            phone: "06 14 14 14 14".into(),
            ..Default::default()
        },
        "logement",
        today(),
    );
    r.status = Status::Close;
    r.outcome = Some(guichet::domain::Outcome::SansSuite);
    r.closed_on = Some(today());
    let id = s.create_request(&r).unwrap().id;
    let draft = serde_json::json!({
        "request_id": id,
        "opened_by": "personne",
        "title": "Modifier Effacé Jules",
        "fields": [["Téléphone", {"Text": "07 99 99 99 99"}]],
        "initial": [["Téléphone", {"Text": "06 14 14 14 14"}]],
        "touched": ["Téléphone"],
    });
    s.save_draft("Julien Moreau", &draft.to_string()).unwrap();
    s.anonymise_person(&id, "demande de la personne").unwrap();
    // The form was open meanwhile: its draft is written after the anonymisation.
    s.save_draft("Julien Moreau", &draft.to_string()).unwrap();
    let mut app = app_on(&env, Some("Julien Moreau"), (120, 40));
    guichet::tui::draft::take_back(&mut app, "Julien Moreau");
    assert!(app.overlay.is_none());
    let said = message(&app);
    assert!(
        said.contains("anonymisée") && !said.contains("07 99"),
        "{said}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM draft"), 0);
}
