//! What merges of salon laptop files left to decide: duplicates and conflicting edits.

use crate::error::{Error, Result};
use crate::tui::app::{App, Confirm, Overlay, Screen};
use crate::tui::command::Command;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;

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
    /// A key on the decisions: moving between the items and between the office candidates of
    /// a duplicate, a decision (asked for confirmation first), or undoing the last one.
    pub fn update(&mut self, action: Action) -> Result<Transition> {
        use crate::salon::Decision;
        let decision = match action {
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                self.candidate = 0;
                return Ok(Transition::Stay);
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1));
                self.candidate = 0;
                return Ok(Transition::Stay);
            }
            Action::Right | Action::Left => {
                let n = self
                    .items
                    .get(self.selected)
                    .map_or(0, |p| p.candidates.len());
                self.candidate = if n == 0 { 0 } else { (self.candidate + 1) % n };
                return Ok(Transition::Stay);
            }
            Action::UndoDecision => {
                // The decision taken here, else the latest one still undoable (taken earlier,
                // or by a colleague, or from the command line).
                return Ok(Transition::Command(Command::UndoDecision(
                    self.last_decided.take(),
                )));
            }
            Action::Back => return Ok(Transition::Back(Screen::Queue)),
            Action::DecideMerge => Decision::Merge,
            Action::DecideApart => Decision::KeepApart,
            Action::DecideOffice => Decision::KeepOffice,
            Action::DecideLaptop => Decision::ApplyLaptop,
            _ => return Ok(Transition::Stay),
        };
        if self.items.get(self.selected).is_none() {
            return Err(Error::input("rien à décider"));
        }
        Ok(Transition::Overlay(Overlay::Confirm(
            Confirm::Decide(decision),
            None,
        )))
    }

    /// The command for a confirmed decision on the selected item.
    pub fn decision(&self, decision: crate::salon::Decision) -> Result<Command> {
        let Some(item) = self.items.get(self.selected) else {
            return Err(Error::input("rien à décider"));
        };
        Ok(Command::Resolve {
            id: item.id.clone(),
            decision,
            candidate: (item.candidates.len() > 1).then_some(self.candidate + 1),
        })
    }
}

impl App {
    pub(crate) fn pending_action(&mut self, action: Action) -> Result<()> {
        let Screen::Pending(v) = &mut self.screen else {
            return Ok(());
        };
        let t = v.update(action)?;
        self.go(t)
    }

    /// Applies a confirmed decision to the selected pending item.
    pub(crate) fn decide(&mut self, decision: crate::salon::Decision) -> Result<()> {
        let Screen::Pending(v) = &self.screen else {
            return Ok(());
        };
        let cmd = v.decision(decision)?;
        self.go(Transition::Command(cmd))
    }
}
