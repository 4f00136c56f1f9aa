//! The queues (tabs *Mes relances du jour* … *Engagements*): their filters, the window of rows
//! kept in memory around the selection, and the keys that move in them.

use crate::domain::Status;
use crate::error::Result;
use crate::store::{Agent, QueueOrder, RequestFilter, RequestRow};
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::forms::Form;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;
use chrono::NaiveDate;

/// The queues, as tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// My follow-ups due today or overdue: where a desk agent's day starts.
    Today,
    Mine,
    Unassigned,
    Due,
    Partner,
    All,
    /// *Engagements à vérifier*: a yearly attestation due within 30 days or late (`tui::aids`).
    Commitments,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Today,
        Tab::Mine,
        Tab::Unassigned,
        Tab::Due,
        Tab::Partner,
        Tab::All,
        Tab::Commitments,
    ];

    pub fn label(self, narrow: bool) -> &'static str {
        match (self, narrow) {
            (Tab::Today, false) => "Mes relances du jour",
            (Tab::Today, true) => "Jour",
            (Tab::Mine, _) => "Ma file",
            (Tab::Unassigned, false) => "Non attribuées",
            (Tab::Unassigned, true) => "Non attr.",
            (Tab::Due, false) => "À relancer",
            (Tab::Due, true) => "Relancer",
            (Tab::Partner, false) => "Attente partenaire",
            (Tab::Partner, true) => "Part.",
            (Tab::All, _) => "Toutes",
            (Tab::Commitments, false) => "Engagements",
            (Tab::Commitments, true) => "Eng.",
        }
    }

    /// The filter and order of a queue. "Ma file" without a known agent is empty.
    pub fn filter(self, me: Option<&Agent>, today: NaiveDate) -> (RequestFilter, QueueOrder) {
        let open = RequestFilter {
            open_only: true,
            ..Default::default()
        };
        let mine = me.map_or_else(|| "-".to_string(), |a| a.id.clone());
        match self {
            Tab::Today => (
                RequestFilter {
                    agent_id: Some(mine),
                    due_by: Some(today),
                    ..open
                },
                QueueOrder::Overdue,
            ),
            Tab::Mine => (
                RequestFilter {
                    agent_id: Some(mine),
                    ..open
                },
                QueueOrder::Overdue,
            ),
            Tab::Unassigned => (
                RequestFilter {
                    unassigned: true,
                    ..open
                },
                QueueOrder::Due,
            ),
            Tab::Due => (
                RequestFilter {
                    due_by: Some(today),
                    ..open
                },
                QueueOrder::Due,
            ),
            Tab::Partner => (
                RequestFilter {
                    status: Some(Status::AttentePartenaire),
                    ..open
                },
                QueueOrder::Due,
            ),
            Tab::All => (RequestFilter::default(), QueueOrder::Recent),
            // The ids come from the store (see `App::filter_of`).
            Tab::Commitments => (
                RequestFilter {
                    request_ids: Some(Vec::new()),
                    ..Default::default()
                },
                QueueOrder::Due,
            ),
        }
    }
}

/// Rows kept in memory around the visible part of a queue: the list pages through the file.
const WINDOW: usize = 120;

#[derive(Debug, Clone)]
pub struct QueueState {
    pub tab: Tab,
    pub counts: [usize; Tab::ALL.len()],
    /// Loaded rows, starting at `window_start` in the queue.
    pub rows: Vec<RequestRow>,
    pub window_start: usize,
    pub selected: usize,
    /// First visible row.
    pub scroll: usize,
    /// Filters of the "Toutes" queue, and their description ("" when none).
    pub all_filter: RequestFilter,
    pub all_filter_label: String,
    /// On the *Engagements* tab: the next yearly attestation due, by request id.
    pub attestations: std::collections::HashMap<String, chrono::NaiveDate>,
}

impl QueueState {
    /// A key on the queues; `page` is how many rows fit on screen.
    pub fn update(&mut self, action: Action, page: usize) -> Transition {
        let total = self.total();
        let last = total.saturating_sub(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            // The review comes after the last queue, and before the first.
            Action::NextTab if self.tab == Tab::ALL[Tab::ALL.len() - 1] => {
                return Transition::Review;
            }
            Action::PrevTab if self.tab == Tab::ALL[0] => return Transition::Review,
            Action::NextTab | Action::PrevTab => {
                let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                let n = Tab::ALL.len();
                self.tab = Tab::ALL[if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                self.selected = 0;
                self.scroll = 0;
                self.rows.clear();
                return Transition::Reload;
            }
            Action::Open => {
                return self
                    .selected_row()
                    .map_or(Transition::Stay, |r| Transition::OpenRequest(r.id.clone()));
            }
            Action::Pending => {
                return Transition::Show(Screen::Pending(crate::tui::app::PendingView::default()));
            }
            _ => return Transition::Stay,
        }
        Transition::Moved
    }

    pub fn total(&self) -> usize {
        self.counts[Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0)]
    }

    pub fn row(&self, index: usize) -> Option<&RequestRow> {
        index
            .checked_sub(self.window_start)
            .and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&RequestRow> {
        self.row(self.selected)
    }
}

impl App {
    /// The filter and order of a queue, with the agent's filters on "Toutes".
    pub fn filter_of(&self, tab: Tab) -> (RequestFilter, QueueOrder) {
        match tab {
            Tab::All => (self.queue.all_filter.clone(), QueueOrder::Recent),
            Tab::Commitments => crate::tui::aids::commitments_filter(&self.store, self.today()),
            _ => tab.filter(self.me.as_ref(), self.today()),
        }
    }

    /// Rows of the queue table that fit on screen.
    pub fn viewport(&self) -> usize {
        usize::from(self.size.1).saturating_sub(6).max(1)
    }

    pub(crate) fn queue_action(&mut self, action: Action) -> Result<()> {
        let page = self.viewport();
        let t = match action {
            Action::MergeFile => Transition::Overlay(Overlay::Form(Box::new(Form::merge_file()))),
            Action::Filter => Transition::Overlay(Overlay::Form(Box::new(Form::filter(
                &self.store,
                &self.queue.all_filter,
            )?))),
            _ => self.queue.update(action, page),
        };
        self.go(t)
    }

    pub(crate) fn refresh_counts(&mut self) -> Result<()> {
        for (i, tab) in Tab::ALL.iter().enumerate() {
            let (filter, _) = self.filter_of(*tab);
            self.queue.counts[i] = self.store.count(&filter)?;
        }
        let total = self.queue.total();
        if self.queue.selected >= total {
            self.queue.selected = total.saturating_sub(1);
        }
        Ok(())
    }

    /// Keeps the selection visible and the rows around it loaded (one page from the file).
    pub(crate) fn load_window(&mut self) -> Result<()> {
        let page = self.viewport();
        let total = self.queue.total();
        let q = &mut self.queue;
        if q.selected < q.scroll {
            q.scroll = q.selected;
        } else if q.selected >= q.scroll + page {
            q.scroll = q.selected + 1 - page;
        }
        q.scroll = q.scroll.min(total.saturating_sub(page));
        let wanted = q.scroll..(q.scroll + page).min(total);
        if total == 0 {
            // The queue emptied (the last request left it): no stale rows on screen.
            q.rows.clear();
            return Ok(());
        }
        let loaded = q.window_start..q.window_start + q.rows.len();
        if wanted.start >= loaded.start && wanted.end <= loaded.end && !q.rows.is_empty() {
            return Ok(());
        }
        let start = q.scroll.saturating_sub(WINDOW / 4);
        let tab = q.tab;
        let (filter, order) = self.filter_of(tab);
        let rows = self
            .store
            .queue(&filter, order, start, WINDOW.max(page * 2))?;
        self.queue.attestations = if tab == Tab::Commitments {
            self.store
                .commitments_to_check(self.today(), crate::tui::aids::DUE_WITHIN_DAYS)?
                .into_iter()
                .map(|d| (d.request_id, d.due_on))
                .collect()
        } else {
            Default::default()
        };
        self.queue.rows = rows;
        self.queue.window_start = start;
        Ok(())
    }
}
