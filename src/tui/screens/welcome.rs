//! The welcome screen of an empty file: demo data or an empty start.

use crate::error::Result;
use crate::tui::app::{App, Screen};
use crate::tui::command::Command;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;

/// A key on the welcome screen: demo data (a write, for `App::apply`) or an empty start.
pub fn update(action: Action) -> Transition {
    match action {
        Action::LoadDemo => Transition::Command(Command::LoadDemo),
        Action::Open => Transition::Start,
        _ => Transition::Stay,
    }
}

impl App {
    pub(crate) fn welcome_action(&mut self, action: Action) -> Result<()> {
        self.go(update(action))
    }

    /// Leaves the welcome: who works first (unless known), then the queues.
    pub(crate) fn after_welcome(&mut self) -> Result<()> {
        self.screen = if self.me.is_none() {
            self.agent_picker()?
        } else {
            Screen::Queue
        };
        self.refresh()
    }
}
