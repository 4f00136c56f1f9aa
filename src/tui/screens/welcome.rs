//! The welcome screen of an empty file: demo data or an empty start.

use crate::error::Result;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::Action;

impl App {
    pub(crate) fn welcome_action(&mut self, action: Action) -> Result<()> {
        match action {
            Action::LoadDemo => {
                let r = crate::demo::fill(&mut self.store, 2000, 1)?;
                self.after_welcome()?;
                self.info(format!(
                    "Données de démonstration chargées : {} demandes, {} personnes.",
                    r.requests, r.persons
                ));
            }
            Action::Open => self.after_welcome()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn after_welcome(&mut self) -> Result<()> {
        self.screen = if self.me.is_none() {
            self.agent_picker()?
        } else {
            Screen::Queue
        };
        self.refresh()
    }
}
