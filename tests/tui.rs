//! The interface without a terminal: keys into the `App` over a real file, assertions on its
//! state, on the file, and on the screen (insta snapshots at 80×24 and 120×40).

mod common;

use chrono::NaiveDate;
use common::Env;
use common::keys::{ctrl, key, screen_at, typed};
use guichet::domain::Status;
use guichet::store::{NewPerson, NewRequest, RequestChange, RequestFilter, Store};
use guichet::tui::app::{App, Display, Overlay, Screen, Tab};
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
        },
    )
    .unwrap();
    app.resize(size.0, size.1);
    app
}

/// From "Ma file" to "Toutes" (the last queue; the review comes after it).
fn to_all(app: &mut App) {
    for _ in 0..4 {
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
    assert_eq!(app.queue.tab, Tab::Mine);
    let s = store(&env);
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let (filter, _) = app.filter_of(*tab);
        assert_eq!(app.queue.counts[i], s.count(&filter).unwrap(), "{tab:?}");
    }
    // My queue: overdue first, then by next follow-up date.
    let dates: Vec<_> = app.queue.rows.iter().map(|r| r.next_follow_up_on).collect();
    let mut sorted = dates.clone();
    sorted.sort_by_key(|d| d.unwrap_or(NaiveDate::MAX));
    assert_eq!(dates, sorted);
    assert!(app.queue.rows[0].is_overdue(today()));
    insta::assert_snapshot!("queue_120x40", screen(&app));

    // All requests, down past the first loaded window: rows come from the file as needed.
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
    assert!(screen(&app).contains("Appel passé : Rappelée : pièces reçues.⏎Dossier complet."));
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
fn closing_asks_for_the_outcome_and_a_colleagues_change_is_reported_not_overwritten() {
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
    key(&mut app, KeyCode::Right); // Refusée
    ctrl(&mut app, 's');
    assert!(
        message(&app).contains("modifiée par Sophie Lefèvre"),
        "{}",
        message(&app)
    );
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "the input stays to be re-applied"
    );
    assert_eq!(
        store(&env).request_row(&id).unwrap().summary,
        "Vu par Sophie"
    );
    assert!(store(&env).request_row(&id).unwrap().status.is_open());
    // Saving again applies the agent's choice on top of the colleague's change.
    ctrl(&mut app, 's');
    let row = store(&env).request_row(&id).unwrap();
    assert_eq!(row.status, Status::Close);
    assert_eq!(row.outcome, Some(guichet::domain::Outcome::Refusee));
    assert_eq!(row.summary, "Vu par Sophie");
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
fn a_new_request_without_a_type_or_a_name_says_so_beside_the_field() {
    let env = Env::new();
    let mut app = demo_app(&env, (80, 24));
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Zoé");
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("form stays")
    };
    assert_eq!(f.fields[0].error.as_deref(), Some("le nom est vide"));
    assert_eq!(f.fields[1].value(), "Zoé");
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
    let text = screen(&app);
    for b in guichet::tui::keymap::bindings_for(guichet::tui::keymap::Context::Request) {
        assert!(text.contains(b.desc), "help lacks «{}»", b.desc);
    }
    insta::assert_snapshot!("help_request_80x24", text);
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
    let all_before = app.queue.counts[4];
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
    assert_eq!(app.queue.counts[4], all_before + 1);
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
        assert!(
            queue.contains("^[[2J"),
            "the escape shows as text:\n{queue}"
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
    assert_eq!(app.queue.counts[4] as i64, expected);
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
    assert_eq!(app.queue.tab, Tab::Mine);
    key(&mut app, KeyCode::BackTab);
    let Screen::Review(v) = &app.screen else {
        panic!("review")
    };
    assert_eq!(v.review.period.label(), "du 01/06/2026 au 22/11/2026");
}
