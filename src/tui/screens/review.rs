//! The review (*Bilan*) of a team lead: a period's figures, browsed by period, never past
//! today.

use crate::error::Result;
use crate::review::Period;
use crate::tui::app::{App, Overlay, Screen, Tab};
use crate::tui::forms::Form;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct ReviewView {
    pub review: crate::review::Review,
    pub scroll: usize,
    /// The *Aides* part (`tui::aids::review_lines`).
    pub aids: Vec<String>,
}

impl ReviewView {
    /// A key on the review: another period, a custom one, the export, scrolling, or the queues.
    pub fn update(&mut self, action: Action, today: NaiveDate) -> Transition {
        let period = self.review.period;
        match action {
            Action::Left => Transition::Period(period.shift(-1)),
            Action::Right => {
                // Never past today: the period in progress is the last one.
                let next = period.shift(1);
                if next.from > today {
                    Transition::Info("Pas de période après celle en cours.".into())
                } else {
                    Transition::Period(next)
                }
            }
            // The new period holds the end of the one shown (or today, if sooner): `p` does not
            // drift into the future.
            Action::PeriodKind => {
                Transition::Period(Period::containing(period.kind.next(), period.to.min(today)))
            }
            Action::LastWeek => Transition::Period(Period::last_complete_week(today)),
            Action::CustomPeriod => Transition::Overlay(Overlay::Form(Box::new(Form::period(
                period.from,
                period.to,
            )))),
            Action::Export => Transition::ExportReview,
            Action::Up => {
                self.scroll = self.scroll.saturating_sub(1);
                Transition::Stay
            }
            Action::Down => {
                self.scroll += 1;
                Transition::Stay
            }
            Action::NextTab => Transition::Tab(Tab::Today),
            Action::PrevTab => Transition::Tab(Tab::All),
            Action::Quit => Transition::Quit,
            _ => Transition::Stay,
        }
    }
}

impl App {
    pub(crate) fn review_action(&mut self, action: Action) -> Result<()> {
        let today = self.today();
        let Screen::Review(v) = &mut self.screen else {
            return Ok(());
        };
        let t = v.update(action, today);
        self.go(t)
    }
}
