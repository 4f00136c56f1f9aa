//! The quick capture of a salon laptop: today's count and the latest captures; its form is
//! the overlay.

use crate::error::Result;
use crate::store::RequestRow;
use crate::tui::app::Tab;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::forms::Form;
use crate::tui::keymap::Action;

/// The quick-capture screen of a salon laptop: today's count and the latest captures (its form
/// is the overlay).
#[derive(Debug, Clone, Default)]
pub struct CaptureView {
    pub visitors_today: usize,
    pub recent: Vec<RequestRow>,
    /// The event this laptop records for: "Salon de l'étudiant — 22/11/2026".
    pub event: String,
}

impl App {
    /// The quick capture of a salon laptop, with an empty form.
    pub fn open_capture(&mut self) -> Result<()> {
        self.screen = Screen::Capture(Box::default());
        self.reload_current()?;
        self.overlay = Some(Overlay::Form(Box::new(Form::capture(&self.store)?)));
        Ok(())
    }

    pub(crate) fn capture_action(&mut self, action: Action) -> Result<()> {
        match action {
            Action::Open => self.open_capture(),
            Action::NextTab | Action::PrevTab => {
                self.screen = Screen::Queue;
                self.queue.tab = Tab::All;
                self.queue.rows.clear();
                self.refresh()
            }
            Action::Quit => {
                self.request_quit();
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
