//! The search screen: results as typed, kept behind a request opened from them.

use crate::error::Result;
use crate::store::{QueueOrder, RequestFilter, RequestRow};
use crate::tui::app::{App, Screen};
use crate::tui::input::TextField;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;

#[derive(Debug, Clone, Default)]
pub struct SearchView {
    pub input: TextField,
    pub results: Vec<RequestRow>,
    pub selected: usize,
}

impl SearchView {
    /// A key on the search results (typed text goes to `input`).
    pub fn update(&mut self, action: Action) -> Transition {
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.results.len().saturating_sub(1))
            }
            Action::Back => return Transition::Back(Screen::Queue),
            _ => {}
        }
        Transition::Stay
    }
}

impl App {
    pub(crate) fn search_action(&mut self, action: Action) -> Result<()> {
        let Screen::Search(s) = &mut self.screen else {
            return Ok(());
        };
        if action == Action::Open
            && let Some(id) = s.results.get(s.selected).map(|r| r.id.clone())
        {
            // The search waits behind the request, with its results, for `Esc`.
            let search = std::mem::take(s);
            self.open_request(&id)?;
            if let Screen::Request(v) = &mut self.screen {
                v.from_search = Some(Box::new(search));
            }
            return Ok(());
        }
        let t = s.update(action);
        self.go(t)
    }

    /// Runs the search as typed: the first 50 matches, most recent first.
    pub(crate) fn search_now(&mut self) -> Result<()> {
        let Screen::Search(s) = &mut self.screen else {
            return Ok(());
        };
        let text = s.input.text().trim().to_string();
        s.results = if crate::store::match_query(&text).is_some() {
            let filter = RequestFilter {
                search: Some(text),
                ..Default::default()
            };
            self.store.queue(&filter, QueueOrder::Recent, 0, 50)?
        } else {
            Vec::new()
        };
        s.selected = 0;
        Ok(())
    }
}
