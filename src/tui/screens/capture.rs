//! The quick capture of a salon laptop: today's count and the latest captures; its form is
//! the overlay.

use crate::error::Result;
use crate::store::RequestRow;
use crate::tui::app::Tab;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::forms::Form;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;

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
        let form = Form::capture(&self.store)?;
        // A capture typed when the terminal closes is kept like any form (`draft.rs`).
        self.form_opened_by = Some(crate::tui::draft::Origin {
            request_id: None,
            action: crate::tui::keymap::Action::Open,
            initial: crate::tui::draft::values(&form),
            carried: Vec::new(),
            taken_on: self.today(),
        });
        self.overlay = Some(Overlay::Form(Box::new(form)));
        Ok(())
    }

    pub(crate) fn capture_action(&mut self, action: Action) -> Result<()> {
        let t = match action {
            Action::Open => return self.open_capture(),
            // The laptop's captures, all of them.
            Action::NextTab | Action::PrevTab => Transition::Tab(Tab::All),
            Action::Quit => Transition::Quit,
            _ => Transition::Stay,
        };
        self.go(t)
    }
}
