//! The interface's screens and forms (issue 8): the event edited from the request form, long
//! values scrolling in their field, the keymap of every context.

mod common;

use common::Env;
use common::keys::{ctrl, key, screen_at, typed};
use guichet::tui::app::{App, Overlay, Screen};
use ratatui::crossterm::event::KeyCode;

use common::app::{app_on, store, today};

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn opened_id(app: &App) -> String {
    match &app.screen {
        Screen::Request(v) => v.detail.request.id.clone(),
        other => panic!("no request open: {other:?}"),
    }
}

/// The focused field of the open form: its label and its options.
fn focused(app: &App) -> (String, Vec<String>, usize) {
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("no form open: {}", message(app))
    };
    let field = f.focused();
    let options = match &field.kind {
        guichet::tui::forms::FieldKind::Choice { options, .. } => options.clone(),
        _ => Vec::new(),
    };
    (field.label.to_string(), options, field.selected())
}

#[test]
fn the_event_is_chosen_in_the_edit_form_saved_as_a_patch_with_a_french_history() {
    let env = Env::new();
    {
        let mut s = store(&env);
        guichet::demo::fill(&mut s, 40, 1).unwrap();
        s.add_event(
            "Salon infirmier de Lyon",
            today() - chrono::Duration::days(8),
            "Lyon",
        )
        .unwrap();
    }
    let mut app = app_on(&env, (120, 40));
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab); // to "Toutes"
    }
    key(&mut app, KeyCode::Enter);
    let id = opened_id(&app);
    let before = store(&env).request_row(&id).unwrap();
    key(&mut app, KeyCode::Char('e'));
    // Résumé, Relance le, Type, Canal, Reçue le, Événement.
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    let (label, options, _) = focused(&app);
    assert_eq!(label, "Événement");
    let wanted = options
        .iter()
        .position(|o| o == "Salon infirmier de Lyon (14/11/2026)")
        .expect("the new event is offered");
    while focused(&app).2 != wanted {
        key(&mut app, KeyCode::Right);
    }
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", message(&app));
    assert_eq!(message(&app), "Demande modifiée.");

    let after = store(&env).request_row(&id).unwrap();
    let event = store(&env)
        .events()
        .unwrap()
        .into_iter()
        .find(|e| e.name == "Salon infirmier de Lyon")
        .unwrap();
    assert_eq!(after.event_id.as_deref(), Some(event.id.as_str()));
    assert_eq!(after.version, before.version + 1);
    assert_eq!(
        (after.summary, after.type_code, after.received_on),
        (before.summary, before.type_code, before.received_on),
        "nothing else written"
    );
    let shown = screen_at(&app, app.size);
    let old = before.event.as_deref().map_or_else(
        || "—".to_string(),
        |name| {
            let e = store(&env)
                .events()
                .unwrap()
                .into_iter()
                .find(|e| e.name == name)
                .unwrap();
            guichet::tui::app::event_label(&e)
        },
    );
    assert!(
        shown.contains(&format!(
            "Événement : {old} → Salon infirmier de Lyon (14/11/2026)"
        )),
        "{shown}"
    );

    // Back to no event: the field clears, the history says so.
    key(&mut app, KeyCode::Char('e'));
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    while focused(&app).2 != 0 {
        key(&mut app, KeyCode::Right);
    }
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none(), "{}", message(&app));
    assert_eq!(store(&env).request_row(&id).unwrap().event_id, None);
    assert!(
        screen_at(&app, app.size).contains("Événement : Salon infirmier de Lyon (14/11/2026) → —"),
        "{}",
        screen_at(&app, app.size)
    );
}

/// A 120-character e-mail in the new-request form at 80×24: the field scrolls sideways, the
/// cursor stays visible at the end and at the start; nothing wraps onto the next field.
#[test]
fn a_long_single_line_value_scrolls_in_its_field_at_80x24() {
    let env = Env::new();
    guichet::demo::fill(&mut store(&env), 20, 1).unwrap();
    let mut app = app_on(&env, (80, 24));
    key(&mut app, KeyCode::Char('n'));
    typed(&mut app, "Dupont");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Jean");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let email = format!("{}@{}.fr", "jean.dupont".repeat(8), "exemple".repeat(4));
    assert_eq!(email.chars().count(), 120);
    typed(&mut app, &email);
    let at_end = screen_at(&app, (80, 24));
    assert!(at_end.contains("exempleexemple.fr▏"), "{at_end}");
    insta::assert_snapshot!("long_email_cursor_at_end_80x24", at_end);
    key(&mut app, KeyCode::Home);
    let at_start = screen_at(&app, (80, 24));
    assert!(at_start.contains("▏jean.dupontjean"), "{at_start}");
    insta::assert_snapshot!("long_email_cursor_at_start_80x24", at_start);
    // What was typed is kept whole.
    let Some(Overlay::Form(f)) = &app.overlay else {
        panic!("the form stays open")
    };
    assert_eq!(f.focused().value(), email);
}

/// What the agent sees change after a key: the context, an overlay, the status line, the
/// screen's kind, leaving.
fn seen(app: &App) -> String {
    let screen = format!("{:?}", app.screen);
    let kind = screen
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_string();
    format!(
        "{:?} {} {:?} {} {kind}",
        app.context(),
        app.overlay.is_some(),
        app.message,
        app.quit
    )
}

/// Every global key listed in a context's help and footer does something there: a key that
/// does nothing in a context is not listed in it.
#[test]
fn every_global_key_listed_on_a_screen_does_something_there() {
    use guichet::tui::keymap::{Context, Key, bindings_for};
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    let env = Env::new();
    guichet::demo::fill(&mut store(&env), 40, 1).unwrap();
    let empty = Env::new();
    store(&empty);
    // How to reach each screen from a fresh start.
    let screens: [(Context, &Env, &[KeyCode]); 5] = [
        (Context::Queue, &env, &[]),
        (
            Context::Request,
            &env,
            &[
                KeyCode::Tab,
                KeyCode::Tab,
                KeyCode::Tab,
                KeyCode::Tab,
                KeyCode::Tab,
                KeyCode::Enter,
            ],
        ),
        (Context::Review, &env, &[KeyCode::BackTab]),
        (Context::Housing, &env, &[KeyCode::Char('L')]),
        (Context::Welcome, &empty, &[]),
    ];
    let mut checked = 0;
    for (ctx, env, path) in screens {
        for b in bindings_for(ctx, false).filter(|b| b.context == Context::Global) {
            let mut app = app_on(env, (120, 40));
            for code in path {
                key(&mut app, *code);
            }
            assert_eq!(app.context(), ctx, "{}", message(&app));
            let before = seen(&app);
            let ev = match b.keys[0] {
                Key::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
                Key::Code(code) => KeyEvent::new(code, KeyModifiers::NONE),
            };
            app.handle_key(ev);
            assert_ne!(
                seen(&app),
                before,
                "{} ({}) is listed in {ctx:?} but does nothing there",
                b.keys[0].label(),
                b.desc
            );
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked}");
}
