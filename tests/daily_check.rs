//! The interface's daily full check (issue #9, item 3): it runs in the background when the
//! interface opens, shows its progress in the status line, then its verdict; once a day. The
//! check is held part-way by a test hook of debug builds (`GUICHET_TEST_CHECK_PAUSE`): the test
//! waits for files, never for time.

mod common;

use common::Env;
use guichet::store::{CheckStatus, Store};
use guichet::tui::app::{App, Display};
use guichet::tui::check;

#[test]
fn the_daily_check_shows_its_progress_then_its_verdict_once_a_day() {
    let env = Env::new();
    let pause = env.path("pause");
    std::fs::create_dir(&pause).unwrap();
    // The only test of this binary: no other thread reads the environment.
    unsafe { std::env::set_var("GUICHET_TEST_CHECK_PAUSE", &pause) };
    let mut store = Store::open(&env.db()).unwrap();
    guichet::demo::fill(&mut store, 300, 1).unwrap();

    let mut running = store.start_daily_check().expect("not made today yet");
    let mut app = App::new(store, Some("Julien Moreau"), Display::default()).unwrap();
    app.message = None;
    while !pause.join("paused").exists() {
        std::thread::yield_now();
    }
    let mut shown = None;
    assert!(
        check::follow(&mut running, &mut app, &mut shown),
        "still running"
    );
    let m = app.message.clone().expect("progress in the status line");
    assert!(
        m.text.starts_with("Vérification du fichier… ") && m.text.ends_with(" %"),
        "{}",
        m.text
    );
    assert!(!m.error);

    std::fs::write(pause.join("continue"), b"").unwrap();
    while check::follow(&mut running, &mut app, &mut shown) {
        std::thread::yield_now();
    }
    let m = app.message.clone().expect("the verdict in the status line");
    assert_eq!(m.text, "Vérification du fichier terminée : aucun problème");
    assert!(!m.error);

    // Once a day: the next opening today does not check again.
    let again = Store::open(&env.db()).unwrap();
    assert!(again.start_daily_check().is_none());
}

#[test]
fn damage_found_by_the_check_is_said_as_an_error() {
    let (text, error) = check::words(&CheckStatus::Damaged(
        "le contrôle d'intégrité a trouvé 2 problèmes".into(),
    ))
    .unwrap();
    assert!(error);
    assert!(
        text.contains("2 problèmes") && text.contains("guichet restore"),
        "{text}"
    );
    assert_eq!(check::words(&CheckStatus::NotDone), None);
}
