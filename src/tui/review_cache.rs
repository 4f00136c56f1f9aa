//! The Bilan tab's figures, kept until the file changes: the review reads a year of requests,
//! and `Tab` lands on it every eighth press. Kept per period and "today", and forgotten when
//! `Store::figures_mark` moves (another connection committed, or this one changed a row).

use crate::error::Result;
use crate::review::{Period, Review};
use crate::store::Store;
use chrono::NaiveDate;

#[derive(Debug, Default)]
pub struct ReviewCache {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    mark: (i64, u64),
    today: NaiveDate,
    period: Period,
    review: Review,
    /// The *Aides* part (`tui::aids::review_part`).
    aids: Vec<String>,
}

/// The periods kept (a lead goes back and forth between a few).
const KEPT: usize = 8;

impl ReviewCache {
    /// The review of `period` and its *Aides* part, computed only when the file changed since.
    pub fn get(&mut self, store: &Store, period: Period) -> Result<(Review, Vec<String>)> {
        let mark = store.figures_mark()?;
        let today = store.today();
        self.entries.retain(|e| e.mark == mark && e.today == today);
        if let Some(e) = self.entries.iter().find(|e| e.period == period) {
            return Ok((e.review.clone(), e.aids.clone()));
        }
        let review = crate::review::compute(store, period)?;
        let aids = crate::tui::aids::review_part(store, period.from, period.to)?;
        if self.entries.len() >= KEPT {
            self.entries.remove(0);
        }
        self.entries.push(Entry {
            mark,
            today,
            period,
            review: review.clone(),
            aids: aids.clone(),
        });
        Ok((review, aids))
    }
}
