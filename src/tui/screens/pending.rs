//! What merges of salon laptop files left to decide: duplicates and conflicting edits.

use crate::error::{Error, Result};
use crate::tui::app::{App, Confirm, Overlay, Screen};
use crate::tui::command::Command;
use crate::tui::keymap::Action;

/// What merges left to decide.
#[derive(Debug, Clone, Default)]
pub struct PendingView {
    pub items: Vec<crate::salon::Pending>,
    pub selected: usize,
    /// Which office candidate of the selected duplicate is shown (and merged into).
    pub candidate: usize,
    /// The last item decided here, for `u` (undo).
    pub last_decided: Option<String>,
}

impl PendingView {
    /// Moving between the items, and between the office candidates of a duplicate.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                self.candidate = 0;
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1));
                self.candidate = 0;
            }
            Action::Right | Action::Left => {
                let n = self
                    .items
                    .get(self.selected)
                    .map_or(0, |p| p.candidates.len());
                self.candidate = if n == 0 { 0 } else { (self.candidate + 1) % n };
            }
            _ => {}
        }
    }
}

impl App {
    pub(crate) fn pending_action(&mut self, action: Action) -> Result<()> {
        use crate::salon::Decision;
        let Screen::Pending(v) = &mut self.screen else {
            return Ok(());
        };
        let decision = match action {
            Action::Up | Action::Down | Action::Left | Action::Right => {
                v.update(action);
                return Ok(());
            }
            Action::UndoDecision => {
                let Some(id) = v.last_decided.take() else {
                    return Err(Error::input("aucune décision à annuler ici"));
                };
                let message = crate::salon::undo(&mut self.store, &id)?;
                self.reload_current()?;
                self.refresh_counts()?;
                self.info(message);
                return Ok(());
            }
            Action::Back => {
                self.screen = Screen::Queue;
                return self.refresh();
            }
            Action::DecideMerge => Decision::Merge,
            Action::DecideApart => Decision::KeepApart,
            Action::DecideOffice => Decision::KeepOffice,
            Action::DecideLaptop => Decision::ApplyLaptop,
            _ => return Ok(()),
        };
        if v.items.get(v.selected).is_none() {
            return Err(Error::input("rien à décider"));
        }
        // A decision is asked for confirmation first.
        self.overlay = Some(Overlay::Confirm(Confirm::Decide(decision), None));
        Ok(())
    }

    /// Applies a confirmed decision to the selected pending item.
    pub(crate) fn decide(&mut self, decision: crate::salon::Decision) -> Result<()> {
        let Screen::Pending(v) = &mut self.screen else {
            return Ok(());
        };
        let Some(item) = v.items.get(v.selected).cloned() else {
            return Err(Error::input("rien à décider"));
        };
        let candidate = (item.candidates.len() > 1).then_some(v.candidate + 1);
        self.apply(
            Command::Resolve {
                id: item.id,
                decision,
                candidate,
            },
            None,
        );
        Ok(())
    }
}
