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
    // Stopped by a signal, or the terminal failed under the loop (a closed window can end the
    // read with an error before the signal arrives): the form being typed is kept.
    // The lock is held while writing, here and in the signal thread: whichever writes, the
    // other waits for it, so the process never ends in the middle of that write.
    if let Ok(mut slot) = typing.lock()
        && (stop.load(Ordering::Relaxed) || result.is_err())
        && let Some((agent, draft)) = slot.take()
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
/// Whether this process still has its terminal (a closed window: it is gone).
fn terminal_alive() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

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
                if !terminal_alive() {
                    tracing::warn!("terminal fermé : fin de l'interface");
                    // The loop is stuck in the dead terminal's reader: the draft is written
                    // here, through a connection of its own, before the process ends.
                    let mut slot = typing.lock().ok();
                    if let (Some(path), Some((agent, draft))) =
                        (&path, slot.as_mut().and_then(|t| t.take()))
                        && let Err(e) =
                            Store::open(path).and_then(|mut s| s.save_draft(&agent, &draft))
                    {
                        tracing::warn!(kind = e.kind(), "brouillon non gardé");
                    }
                    // Still holding the lock: the loop's thread cannot end the process first.
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
    // Where `/dev/tty` cannot be opened at all (some containers), it tells nothing.
    let has_tty = terminal_alive();
    // The form being typed changes only with keys: its draft is taken again after them only.
    let mut keys_handled = true;
    while !app.quit && !stop.load(Ordering::Relaxed) {
        // Once the agent is known: the form a closed terminal left, opened again.
        if !draft_taken && let Some(agent) = app.me.as_ref().map(|a| a.name.clone()) {
            draft_taken = true;
            draft::take_back(app, &agent);
        }
        if keys_handled && let Ok(mut t) = typing.lock() {
            keys_handled = false;
            let now = app.me.as_ref().and_then(|a| {
                let d = draft::Draft::of(app)?;
                Some((a.name.clone(), serde_json::to_string(&d).ok()?))
            });
            // A form still open with nothing left to keep keeps the last draft: the bytes a
            // closing terminal sends as it goes (^J, ^D) can reach the form before the signal
            // and erase its line. A form saved or left clears it.
            if now.is_some() || draft::form_under(app.overlay.as_ref()).is_none() {
                *t = now;
            }
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
                let ev = event::read()?;
                // A closed window's terminal sends a few last bytes as it goes (^J, ^D): read
                // as keys they would edit the form being typed before it is kept as a draft.
                // Nothing read after the terminal is gone is applied.
                if has_tty && !terminal_alive() {
                    return Err(Error::NoTerminal);
                }
                match ev {
                    Event::Key(k) if k.kind != KeyEventKind::Release => app.handle_key(k),
                    Event::Paste(text) => app.paste(&text),
                    Event::Resize(w, h) => app.resize(w, h),
                    _ => {}
                }
                if app.quit || stop.load(Ordering::Relaxed) || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
            keys_handled = true;
        } else {
            app.tick();
        }
    }
    Ok(())
}
