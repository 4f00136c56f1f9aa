//! Figures for team leads, with the definitions of PRODUCT.md. Every screen and export takes its
//! numbers from these functions.
//!
//! - Weeks are ISO 8601 weeks, Monday to Sunday, labelled `2024-W07`.
//! - received in a week: reception date in it; closed: closing date in it;
//! - open at end: received on or before its Sunday and not closed by then.

use crate::domain::{iso_week_label, week_start};
use crate::error::{Error, Result};
use crate::store::{DateColumn, Grouping, Store};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeeklyRow {
    pub week: String,
    pub week_start: NaiveDate,
    #[serde(rename = "type")]
    pub type_code: String,
    pub received: i64,
    pub closed: i64,
    pub open_at_end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub received: i64,
    pub closed: i64,
    /// Open at the end of `to`.
    pub open_at_end: i64,
    pub by_type: BTreeMap<String, i64>,
    pub by_channel: BTreeMap<String, i64>,
    pub by_status: BTreeMap<String, i64>,
    pub by_outcome: BTreeMap<String, i64>,
    pub events: i64,
    pub referrals_by_partner: BTreeMap<String, i64>,
}

pub fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(Error::input(format!(
            "période vide : --to ({}) est avant --from ({})",
            crate::domain::fr_date(to),
            crate::domain::fr_date(from)
        )));
    }
    if (to - from).num_days() > 366 * 30 {
        return Err(Error::input("période trop longue (30 ans au plus)"));
    }
    Ok(())
}

/// One row per ISO week overlapping [from, to] and per request type in use.
pub fn weekly(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<WeeklyRow>> {
    check_range(from, to)?;
    let first = week_start(from);
    let last = week_start(to) + Days::new(6);
    let types = store.types_in_use(last)?;
    let weeks = ((last - first).num_days() + 1) / 7;
    let index = |d: NaiveDate| ((d - first).num_days() / 7) as usize;
    let mut received: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut closed: HashMap<&str, Vec<i64>> = HashMap::new();
    for t in &types {
        received.insert(t, vec![0; weeks as usize]);
        closed.insert(t, vec![0; weeks as usize]);
    }
    for (t, day, n) in store.counts_per_day(DateColumn::Received, first, last)? {
        if let Some(v) = received.get_mut(t.as_str()) {
            v[index(day)] += n;
        }
    }
    for (t, day, n) in store.counts_per_day(DateColumn::Closed, first, last)? {
        if let Some(v) = closed.get_mut(t.as_str()) {
            v[index(day)] += n;
        }
    }
    let received_before = store.counts_before(DateColumn::Received, first)?;
    let closed_before = store.counts_before(DateColumn::Closed, first)?;
    let mut open: HashMap<&str, i64> = types
        .iter()
        .map(|t| {
            let r = received_before.get(t).copied().unwrap_or(0);
            let c = closed_before.get(t).copied().unwrap_or(0);
            (t.as_str(), r - c)
        })
        .collect();
    let mut out = Vec::with_capacity(weeks as usize * types.len());
    for w in 0..weeks as usize {
        let start = first + Days::new(7 * w as u64);
        for t in &types {
            let r = received[t.as_str()][w];
            let c = closed[t.as_str()][w];
            let o = open
                .get_mut(t.as_str())
                .expect("every type has a running count");
            *o += r - c;
            out.push(WeeklyRow {
                week: iso_week_label(start),
                week_start: start,
                type_code: t.clone(),
                received: r,
                closed: c,
                open_at_end: *o,
            });
        }
    }
    Ok(out)
}

/// Key used where a request has no channel.
pub const NO_CHANNEL: &str = "non_renseigne";

pub fn summary(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Summary> {
    check_range(from, to)?;
    let by_type = store.grouped_counts(Grouping::ReceivedByType, from, to)?;
    let by_channel = store.grouped_counts(Grouping::ReceivedByChannel, from, to)?;
    let by_status = store.grouped_counts(Grouping::ReceivedByStatus, from, to)?;
    let by_outcome = store.grouped_counts(Grouping::ClosedByOutcome, from, to)?;
    let referrals_by_partner = store.grouped_counts(Grouping::ReferralsByPartner, from, to)?;
    let events = store.events_held(from, to)?;
    let open_at_end = store.open_at_end_of(to)?;
    Ok(Summary {
        from,
        to,
        received: by_type.values().sum(),
        closed: by_outcome.values().sum(),
        open_at_end,
        by_type,
        by_channel,
        by_status,
        by_outcome,
        events,
        referrals_by_partner,
    })
}
