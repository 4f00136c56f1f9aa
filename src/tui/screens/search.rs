//! The search screen: results as typed, kept behind a request opened from them.

use crate::error::Result;
use crate::store::{QueueOrder, RequestFilter, RequestRow};
use crate::tui::app::{App, Screen};
use crate::tui::input::TextField;
use crate::tui::keymap::Action;

#[derive(Debug, Clone, Default)]
pub struct SearchView {
    pub input: TextField,
    pub results: Vec<RequestRow>,
    pub selected: usize,
}

impl App {
    pub(crate) fn search_action(&mut self, action: Action) -> Result<()> {
        let Screen::Search(s) = &mut self.screen else {
            return Ok(());
        };
        match action {
            Action::Up => s.selected = s.selected.saturating_sub(1),
            Action::Down => s.selected = (s.selected + 1).min(s.results.len().saturating_sub(1)),
            Action::Open => {
                if let Some(id) = s.results.get(s.selected).map(|r| r.id.clone()) {
                    let search = std::mem::take(s);
                    self.open_request(&id)?;
                    if let Screen::Request(v) = &mut self.screen {
                        v.from_search = Some(Box::new(search));
                    }
                }
            }
            Action::Back => {
                self.screen = Screen::Queue;
                self.refresh()?;
            }
            _ => {}
        }
        Ok(())
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
