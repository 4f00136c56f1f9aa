//! Small terminals (a laptop at a salon, a split screen): forms scroll to the focused field,
//! the queue keeps the name readable, the tabs, the review and the conflict window fit.

mod common;

use common::Env;
use common::keys::{ctrl, key, screen_at, typed};
use guichet::store::{NewPerson, NewRequest};
use guichet::tui::app::{App, Display, Overlay, Screen};
use guichet::tui::forms::FieldKind;
use ratatui::crossterm::event::KeyCode;

use common::app::{app_on, store, tab_to, today};

fn demo(env: &Env) {
    let mut s = store(env);
    guichet::demo::fill(&mut s, 300, 1).unwrap();
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// The screen's rows, without the quotes of the test backend's display.
fn rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .map(|l| l.trim_matches('"').to_string())
        .collect()
}

/// The focused field of the open form is on screen: its label, and beside it the sign of the
/// focus (the text cursor, the choice's arrows).
fn assert_focused_field_shown(app: &App, size: (u16, u16)) {
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("a form is open: {}", message(app))
    };
    let field = f.focused();
    let screen = screen_at(app, size);
    let row = rows(&screen)
        .into_iter()
        .find(|r| r.contains(&format!("│{:<20}", field.label)))
        .unwrap_or_else(|| panic!("« {} » is on screen:\n{screen}", field.label));
    match &field.kind {
        FieldKind::Text(_) | FieldKind::Area { .. } if !field.is_lines() => {
            assert!(
                row.contains('▏'),
                "the cursor beside « {} »:\n{screen}",
                field.label
            )
        }
        FieldKind::Choice { .. } => {
            assert!(
                row.contains('◀'),
                "arrows beside « {} »:\n{screen}",
                field.label
            )
        }
        _ => {}
    }
}

#[test]
fn tab_through_the_new_request_form_at_60x20_always_shows_the_focused_field() {
    let env = Env::new();
    demo(&env);
    let mut app = app_on(&env, (60, 20));
    key(&mut app, KeyCode::Char('n'));
    let n = match &app.overlay {
        Some(Overlay::Form(f)) => f.fields.len(),
        other => panic!("the new-request form: {other:?}"),
    };
    for _ in 0..n {
        assert_focused_field_shown(&app, (60, 20));
        key(&mut app, KeyCode::Tab);
    }
    // Back up with Shift-Tab, from the first field to the last and up again.
    for _ in 0..n {
        key(&mut app, KeyCode::BackTab);
        assert_focused_field_shown(&app, (60, 20));
    }
    // The last field, with the sign that fields are hidden above.
    key(&mut app, KeyCode::BackTab);
    let screen = screen_at(&app, (60, 20));
    assert!(screen.contains("▲ plus haut"), "{screen}");
    assert!(!screen.contains("▼ plus bas"), "{screen}");
    insta::assert_snapshot!("new_request_last_field_60x20", screen);
    // At the top, the sign says there is more below.
    key(&mut app, KeyCode::Tab);
    let screen = screen_at(&app, (60, 20));
    assert!(
        screen.contains("▼ plus bas") && !screen.contains("▲ plus haut"),
        "{screen}"
    );
}

#[test]
fn a_wrong_date_in_the_last_field_at_60x20_shows_the_field_and_its_message() {
    let env = Env::new();
    demo(&env);
    let mut app = app_on(&env, (60, 20));
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "Lefèvre");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Inès");
    // To the types: tick the first one.
    tab_to(&mut app, "Demande(s)");
    ctrl(&mut app, 't');
    // To the last field, a date that does not exist.
    tab_to(&mut app, "Relance le");
    typed(&mut app, "31/02/2027");
    key(&mut app, KeyCode::Tab); // away from it, to the top of the form
    ctrl(&mut app, 's');
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays open: {}", message(&app))
    };
    assert_eq!(
        f.focused().label,
        "Relance le",
        "the cursor goes to the wrong field"
    );
    let screen = screen_at(&app, (60, 20));
    assert_focused_field_shown(&app, (60, 20));
    assert!(screen.contains("⚠ date invalide"), "{screen}");
    assert!(
        screen.contains("n'existe pas)"),
        "the whole message, wrapped:\n{screen}"
    );
}

#[test]
fn a_long_note_in_the_follow_up_form_at_60x20_keeps_its_cursor_line_in_view() {
    let env = Env::new();
    demo(&env);
    let mut app = app_on(&env, (60, 20));
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Request(_)));
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(
        &mut app,
        "Appelée ce matin : elle attend la réponse de la CPAM sur son dossier de remboursement.",
    );
    for n in 1..=12 {
        key(&mut app, KeyCode::Enter);
        typed(&mut app, &format!("ligne {n}"));
    }
    let screen = screen_at(&app, (60, 20));
    assert!(screen.contains("ligne 12▏"), "the cursor's line:\n{screen}");
    assert!(screen.contains("▲ plus haut"), "{screen}");
    assert!(!screen.contains("Appelée ce matin"), "{screen}");
    // Up to the first line: it comes back into view, wrapped in the value column.
    for _ in 0..12 {
        key(&mut app, KeyCode::Up);
    }
    let screen = screen_at(&app, (60, 20));
    assert!(
        screen.contains("│Texte               Appelée▏ ce matin"),
        "{screen}"
    );
    assert!(
        screen.contains("│                    de remboursement."),
        "{screen}"
    );
    // The fields after the note.
    key(&mut app, KeyCode::Tab);
    assert_focused_field_shown(&app, (60, 20));
    key(&mut app, KeyCode::Tab);
    assert_focused_field_shown(&app, (60, 20));
    insta::assert_snapshot!(
        "follow_up_long_note_last_field_60x20",
        screen_at(&app, (60, 20))
    );
    // Nothing typed was lost.
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form is open")
    };
    assert_eq!(f.fields[2].value().lines().count(), 13);
}

#[test]
fn the_queue_at_60_columns_keeps_the_names_readable() {
    let env = Env::new();
    demo(&env);
    // An empty queue's hint wraps, whole.
    let mut idle = App::new(
        store(&env),
        Some("Agent Sans File"),
        Display {
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    idle.resize(60, 20);
    let screen = screen_at(&idle, (60, 20));
    assert!(
        screen.contains("n'est due aujourd'hui. Tab : votre")
            && screen.contains("file et les autres"),
        "{screen}"
    );
    let mut app = app_on(&env, (60, 20));
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    let screen = screen_at(&app, (60, 20));
    // The name column: at least 12 columns, the type, the status and the follow-up date kept.
    let header = &rows(&screen)[2];
    assert!(
        header.contains("Personne") && header.contains("Type"),
        "{screen}"
    );
    assert!(
        header.contains("Statut") && header.contains("Relance"),
        "{screen}"
    );
    assert!(
        !header.contains("Reçue le"),
        "the reception date gave way: {header}"
    );
    assert!(screen.contains("MATHIEU Nathan"), "{screen}");
    let person = header.find("Personne").unwrap();
    let status = header.find("Statut").unwrap();
    assert!(
        header[person..status].chars().count() > 12,
        "name column: {header}"
    );
    insta::assert_snapshot!("queue_all_60x20", screen);
    // The search results are the same table.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "mathieu");
    let screen = screen_at(&app, (60, 20));
    assert!(screen.contains("MATHIEU Nathan"), "{screen}");
}

/// The tab line at a width, with the queue `tab` (0 = "Mes relances du jour") or the review.
fn tab_line(env: &Env, width: u16, tab: usize) -> String {
    let mut app = app_on(env, (width, 24));
    for _ in 0..tab {
        key(&mut app, KeyCode::Tab);
    }
    rows(&screen_at(&app, (width, 24)))[1]
        .trim_end()
        .to_string()
}

#[test]
fn every_tab_label_is_whole_at_80_and_60_columns() {
    let env = Env::new();
    demo(&env);
    // More requests: counts of four digits make the line longer.
    let mut s = store(&env);
    guichet::demo::fill(&mut s, 1200, 2).unwrap();
    drop(s);
    let long = tab_line(&env, 160, 0);
    assert!(
        long.contains("Mes relances du jour") && long.ends_with("Bilan"),
        "{long}"
    );
    for width in [80, 60] {
        for tab in 0..8 {
            let line = tab_line(&env, width, tab);
            assert!(
                line.chars().count() <= usize::from(width),
                "{width}: {line}"
            );
            // Every label shown is whole: no "…", and the line ends with a whole label or
            // the sign of more tabs.
            assert!(!line.contains('…'), "{width}: {line}");
            assert!(
                line.ends_with("Bilan") || line.ends_with('›'),
                "{width}: {line}"
            );
        }
        let line = tab_line(&env, width, 0);
        insta::assert_snapshot!(format!("tabs_{width}"), line);
    }
    // At 80 columns, every tab is on the line.
    let line = tab_line(&env, 80, 0);
    assert!(line.ends_with("Bilan") && !line.contains('›'), "{line}");
    // At 60, the current tab is always on it, the review too when it is chosen.
    let line = tab_line(&env, 60, 7);
    assert!(line.ends_with("Bilan"), "{line}");
}

#[test]
fn the_review_at_80x24_wraps_its_sentences_instead_of_cutting_them() {
    let env = Env::new();
    demo(&env);
    let mut app = app_on(&env, (80, 24));
    for _ in 0..7 {
        key(&mut app, KeyCode::Tab);
    }
    assert!(matches!(app.screen, Screen::Review(_)));
    // Down to the delays.
    for _ in 0..14 {
        key(&mut app, KeyCode::Down);
    }
    let screen = screen_at(&app, (80, 24));
    assert!(screen.contains("Premier contact : médiane"), "{screen}");
    assert!(
        screen.contains("Clôture : médiane"),
        "the sentence wraps:\n{screen}"
    );
    assert!(
        screen.contains("Orientation par un"),
        "the list wraps:\n{screen}"
    );
    for row in rows(&screen) {
        assert!(!row.trim_end().ends_with('…'), "cut: {row}");
    }
    insta::assert_snapshot!("review_delays_80x24", screen);
    // At 60 columns too, the headline and the comparison are whole.
    let screen = screen_at(&app, (60, 20));
    assert!(screen.contains("(N-1)"), "{screen}");
}

fn new_request(env: &Env) -> (String, String) {
    let mut r = NewRequest::new(
        NewPerson {
            last_name: "Durand".into(),
            first_name: "Anne".into(),
            ..Default::default()
        },
        "logement",
        today(),
    );
    r.summary = "départ".into();
    let mut s = store(env);
    let id = s.create_request(&r).unwrap().id;
    let reference = s.request_row(&id).unwrap().reference;
    (id, reference)
}

#[test]
fn a_long_summary_in_the_conflict_window_wraps_and_both_sides_are_readable() {
    let env = Env::new();
    env.ok(&["agent", "add", "Julien Moreau"]);
    env.ok(&["agent", "add", "Agent Bravo"]);
    let (id, reference) = new_request(&env);
    let mine = "Interne en médecine générale à Orléans, cherche un logement meublé près du CHR \
                pour six mois à partir de janvier ; a déjà demandé une aide à l'installation, \
                rappeler après la commission du 15 décembre.";
    let theirs = "Logement trouvé par la mairie de Montargis : studio disponible dès le 1er \
                  janvier, loyer pris en charge par la communauté de communes la première \
                  année ; reste à signer le bail avec l'agence, fin mars.";
    assert!(mine.chars().count() >= 180 && theirs.chars().count() >= 180);
    let mut app = app_on(&env, (80, 24));
    app.open_request(&id).unwrap();
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    typed(&mut app, mine);
    // A colleague changes the summary from the command line meanwhile.
    env.ok(&[
        "--agent",
        "Agent Bravo",
        "request",
        "update",
        &reference,
        "--resume",
        theirs,
    ]);
    ctrl(&mut app, 's');
    assert!(
        matches!(app.overlay, Some(Overlay::Conflict(..))),
        "{:?} {}",
        app.overlay,
        message(&app)
    );
    let screen = screen_at(&app, (80, 24));
    // Every word of both values is on screen.
    let shown: String = rows(&screen).join(" ");
    for word in mine.split_whitespace().chain(theirs.split_whitespace()) {
        assert!(shown.contains(word), "« {word} » is shown:\n{screen}");
    }
    assert!(!screen.contains('…'), "{screen}");
    insta::assert_snapshot!("conflict_long_summary_80x24", screen);
    // At 60×20 the chosen field is still there, and nothing panics down to 30×10.
    let screen = screen_at(&app, (60, 20));
    assert!(screen.contains("▶ Résumé"), "{screen}");
    for w in [30, 40, 60, 100, 120] {
        for h in [10, 15, 20, 40] {
            screen_at(&app, (w, h));
        }
    }
}

/// Every screen and pop-up drawn at every size from 30×10 up: nothing panics.
#[test]
fn nothing_panics_at_any_size_down_to_30x10() {
    let env = Env::new();
    demo(&env);
    let sizes: Vec<(u16, u16)> = [30, 34, 40, 47, 55, 60, 65, 72, 80, 99, 100, 120]
        .into_iter()
        .flat_map(|w| [10, 11, 13, 16, 20, 24].map(|h| (w, h)))
        .collect();
    let mut app = app_on(&env, (80, 24));
    let mut states: Vec<&str> = Vec::new();
    let mut check = |app: &App, name: &'static str| {
        states.push(name);
        for &size in &sizes {
            screen_at(app, size);
        }
    };
    check(&app, "queue");
    key(&mut app, KeyCode::Char('?'));
    check(&app, "help");
    key(&mut app, KeyCode::Esc);
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    check(&app, "all");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    check(&app, "review");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('n'));
    check(&app, "new request");
    typed(&mut app, "Martin");
    check(&app, "new request with matches");
    ctrl(&mut app, 's');
    check(&app, "new request with errors");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    check(&app, "request");
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(
        &mut app,
        "une note assez longue pour passer à la ligne plusieurs fois de suite",
    );
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "et une seconde ligne");
    check(&app, "follow-up");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Char('s'));
    check(&app, "status picker");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "mar");
    check(&app, "search");
    assert_eq!(states.len(), 11);
}

#[test]
fn at_60x20_a_request_shows_the_persons_other_requests_and_an_empty_filter_says_so() {
    let env = Env::new();
    demo(&env);
    let mut r = NewRequest::new(
        NewPerson {
            last_name: "Vasseur".into(),
            first_name: "Jeanne".into(),
            phone: "06 11 22 33 44".into(),
            email: "jeanne.vasseur@exemple.fr".into(),
            ..Default::default()
        },
        "logement",
        today(),
    );
    r.summary = "Stage à Montargis, cherche une chambre".into();
    let mut second = r.clone();
    second.type_code = "creche".into();
    let created = store(&env).create_requests(&[r, second]).unwrap();
    let mut app = app_on(&env, (60, 20));
    app.open_request(&created[0].id).unwrap();
    let screen = screen_at(&app, (60, 20));
    assert!(
        screen.contains(&created[1].reference),
        "the other request is listed: {screen}"
    );

    // A filter that matches nothing says which, even when the tab line has no room for it.
    key(&mut app, KeyCode::Esc);
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    app.queue.all_filter_label = "type : Découverte du territoire".into();
    app.queue.all_filter.type_code = Some("inexistant".into());
    app.refresh().unwrap();
    let screen = screen_at(&app, (60, 20));
    assert!(
        screen.contains("Aucune demande ne correspond au filtre"),
        "{screen}"
    );
}

#[test]
fn a_status_message_longer_than_the_screen_goes_on_under_itself() {
    let env = Env::new();
    demo(&env);
    let mut app = app_on(&env, (60, 20));
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "Vasseur");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Jeanne");
    tab_to(&mut app, "Demande(s)");
    key(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let said = message(&app);
    assert!(said.chars().count() > 60, "{said}");
    let screen = screen_at(&app, (60, 20));
    let rows = rows(&screen);
    assert!(
        rows[17].trim_end().starts_with("Enregistrée : A26-") && rows[18].trim_end() == "contact).",
        "{screen}"
    );
}

/// A person with many other requests: the row shows those that fit, whole, and counts the rest
/// (they were dropped without a sign, or one was cut mid-reference).
#[test]
fn a_persons_other_requests_are_counted_when_they_do_not_all_fit() {
    let env = Env::new();
    let types = [
        "logement",
        "bourse",
        "creche",
        "stage",
        "emploi_conjoint",
        "installation",
    ];
    let requests: Vec<NewRequest> = types
        .iter()
        .map(|t| {
            NewRequest::new(
                NewPerson {
                    last_name: "Aubigné".into(),
                    first_name: "Léa".into(),
                    phone: "06 12 34 56 78".into(),
                    ..Default::default()
                },
                t,
                today(),
            )
        })
        .collect();
    let created = store(&env).create_requests(&requests).unwrap();
    for size in [(80, 24), (100, 30), (60, 20)] {
        let mut app = app_on(&env, size);
        app.open_request(&created[0].id).unwrap();
        let shown = screen_at(&app, size);
        assert!(
            shown.contains("Autres demandes de la personne (5)"),
            "{size:?}\n{shown}"
        );
        let line = shown
            .lines()
            .skip_while(|l| !l.contains("Autres demandes de la personne"))
            .nth(1)
            .unwrap()
            .to_string();
        let listed = created[1..]
            .iter()
            .filter(|c| line.contains(&c.reference))
            .count();
        assert!(listed >= 1, "{size:?}: {line}");
        if listed < 5 {
            assert!(
                line.contains(&format!("+{} (voir v)", 5 - listed)),
                "{size:?}: {line}"
            );
        }
        // No reference cut in the middle: every one begun is whole.
        assert_eq!(line.matches("A26-").count(), listed, "{size:?}: {line}");
    }
}

/// The Bilan's tables at any width: a column fits whole or is left out whole (bars, then the
/// comparisons); the 12-week trend and the counts stay, so a row still adds up. At exactly 100
/// columns the trend showed 8 weeks under "12 semai"; at 60 "Ouvertes" was off the screen.
#[test]
fn the_review_tables_leave_columns_out_whole_at_any_width() {
    let env = Env::new();
    demo(&env);
    for (w, h) in [(100, 30), (80, 24), (60, 20), (130, 40)] {
        let mut app = app_on(&env, (w, h));
        tab_to_review(&mut app);
        let screen = screen_at(&app, (w, h));
        let head = screen
            .lines()
            .find(|l| l.contains("Reçues"))
            .unwrap_or_else(|| panic!("{w}: {screen}"));
        assert!(head.contains("12 semaines"), "{w}: {head}");
        assert!(head.contains("Ouvertes"), "{w}: {head}");
        // Each type's row ends with its 12 weekly marks.
        let logement = screen
            .lines()
            .find(|l| l.trim_start_matches('"').starts_with("Logement"))
            .unwrap_or_else(|| panic!("{w}: {screen}"));
        let marks = logement
            .trim_end_matches('"')
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| "▁▂▃▄▅▆▇█ ".contains(*c))
            .filter(|c| *c != ' ')
            .count();
        assert!(marks >= 12, "{w}: {marks} weeks shown: {logement}");
    }
}

fn tab_to_review(app: &mut App) {
    for _ in 0..10 {
        if matches!(app.screen, Screen::Review(_)) {
            return;
        }
        key(app, KeyCode::Tab);
    }
    panic!("no Bilan tab");
}
