//! The agents' terminal interface: a synchronous loop — draw, wait for a key (or a quarter of a
//! second), update — with the event source outside the [`App`], so tests drive the `App` with
//! keys and no terminal.

pub mod aids;
pub mod app;
pub mod check;
pub mod command;
pub mod draft;
pub mod forms;
pub mod input;
pub mod keymap;
pub mod review_cache;
pub mod screens;
pub mod settings;
pub mod ui;

use crate::error::{Error, Result};
use crate::store::Store;
use app::{App, Display};
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind,
};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Runs the interface on an open file until the agent quits. `agent` is the `--agent` /
/// `GUICHET_AGENT` name; without it, the chooser offers the last agent of the settings.
pub fn run(mut store: Store, agent: Option<&str>) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Error::NoTerminal);
    }
    let settings_path = crate::paths::settings_path().ok();
    let settings = settings_path
        .as_deref()
        .map(settings::Settings::load)
        .unwrap_or_default();
    // A damaged file, or the daily verified copy (guichet backup DIR --chaque-jour).
    let notice = store.startup_notice();
    // The full check of the day, in the background: progress and verdict in the status line.
    let check = store.start_daily_check();
    let display = Display {
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        utc: false,
        light: settings.light(std::env::var("GUICHET_THEME").ok().as_deref()),
    };
    let mut app = App::new(store, agent, display)?;
    app.settings_path = settings_path;
    app.offer_last_agent(settings.agent.as_deref());
    // SIGTERM and SIGHUP end the loop like Ctrl-C, so the terminal is restored; a form being
    // typed is kept as a draft (`draft.rs`), also when the terminal itself is gone.
    let stop = Arc::new(AtomicBool::new(false));
    let typing: Typing = Arc::new(std::sync::Mutex::new(None));
    watch_signals(
        Arc::clone(&stop),
        Arc::clone(&typing),
        app.store.path().map(std::path::Path::to_path_buf),
    )?;
    if let Some((text, error)) = notice {
        app.message = Some(app::Message { text, error });
    }
    // A panic restores the terminal before its report is printed.
    let _ = color_eyre::install();
    crate::store::no_prompt_from_now();
    let mut terminal = ratatui::init();
    let _ = ratatui::crossterm::execute!(std::io::stdout(), EnableBracketedPaste);
    let result = event_loop(&mut terminal, &mut app, &stop, &typing, check);
    if stop.load(Ordering::Relaxed)
        && let Some((agent, draft)) = typing.lock().ok().and_then(|mut t| t.take())
        && let Err(e) = app.store.save_draft(&agent, &draft)
    {
        tracing::warn!(kind = e.kind(), "brouillon non gardé");
    }
    let _ = ratatui::crossterm::execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

/// SIGTERM and SIGHUP set `stop`, and the event loop ends like `Ctrl-C` and restores the
/// terminal. When the terminal itself is gone (a closed window, a dropped `ssh`), crossterm's
/// reader spins on the dead tty and never returns to the loop (crossterm issue #793): then the
/// process ends here. Everything saved is in the file already; an unfinished transaction is
/// rolled back by SQLite, as after a power cut.
fn watch_signals(
    stop: Arc<AtomicBool>,
    typing: Typing,
    path: Option<std::path::PathBuf>,
) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signaux".into())
        .spawn(move || {
            for signal in signals.forever() {
                stop.store(true, Ordering::Relaxed);
                let terminal_alive = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/tty")
                    .is_ok();
                if !terminal_alive {
                    tracing::warn!("terminal fermé : fin de l'interface");
                    // The loop is stuck in the dead terminal's reader: the draft is written
                    // here, through a connection of its own, before the process ends.
                    if let (Some(path), Some((agent, draft))) =
                        (&path, typing.lock().ok().and_then(|mut t| t.take()))
                        && let Err(e) =
                            Store::open(path).and_then(|mut s| s.save_draft(&agent, &draft))
                    {
                        tracing::warn!(kind = e.kind(), "brouillon non gardé");
                    }
                    std::process::exit(128 + signal);
                }
            }
        })?;
    Ok(())
}

/// The form being typed, as a draft ready to keep: (agent, JSON), or none.
type Typing = Arc<std::sync::Mutex<Option<(String, String)>>>;

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    stop: &AtomicBool,
    typing: &Typing,
    mut check: Option<crate::store::DailyCheck>,
) -> Result<()> {
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    let mut check_shown = None;
    let mut draft_taken = false;
    while !app.quit && !stop.load(Ordering::Relaxed) {
        // Once the agent is known: the form a closed terminal left, opened again.
        if !draft_taken && let Some(agent) = app.me.as_ref().map(|a| a.name.clone()) {
            draft_taken = true;
            draft::take_back(app, &agent);
        }
        if let Ok(mut t) = typing.lock() {
            *t = app.me.as_ref().and_then(|a| {
                let d = draft::Draft::of(app)?;
                Some((a.name.clone(), serde_json::to_string(&d).ok()?))
            });
        }
        if let Some(c) = &mut check
            && !check::follow(c, app, &mut check_shown)
        {
            check = None;
        }
        terminal.draw(|f| ui::render(app, f))?;
        if event::poll(Duration::from_millis(250))? {
            // Handle every event already waiting before drawing again.
            loop {
                match event::read()? {
                    Event::Key(k) if k.kind != KeyEventKind::Release => app.handle_key(k),
                    Event::Paste(text) => app.paste(&text),
                    Event::Resize(w, h) => app.resize(w, h),
                    _ => {}
                }
                if app.quit || stop.load(Ordering::Relaxed) || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else {
            app.tick();
        }
    }
    Ok(())
}
