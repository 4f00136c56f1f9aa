//! The agents' terminal interface: a synchronous loop — draw, wait for a key (or a quarter of a
//! second), update — with the event source outside the [`App`], so tests drive the `App` with
//! keys and no terminal.

pub mod app;
pub mod forms;
pub mod housing;
pub mod input;
pub mod keymap;
pub mod ui;

use crate::cli::Cli;
use crate::error::Result;
use app::{App, Display};
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::time::Duration;

/// Opens the file and runs the interface until the agent quits.
pub fn run(cli: &Cli) -> Result<()> {
    let store = crate::cli::open_store(cli)?;
    let display = Display {
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        utc: false,
    };
    let mut app = App::new(store, cli.me.as_deref(), display)?;
    // A panic restores the terminal before its report is printed.
    let _ = color_eyre::install();
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> Result<()> {
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    while !app.quit {
        terminal.draw(|f| ui::render(app, f))?;
        if event::poll(Duration::from_millis(250))? {
            // Handle every event already waiting before drawing again.
            loop {
                match event::read()? {
                    Event::Key(k) if k.kind != KeyEventKind::Release => app.handle_key(k),
                    Event::Resize(w, h) => app.resize(w, h),
                    _ => {}
                }
                if app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else {
            app.tick();
        }
    }
    Ok(())
}
