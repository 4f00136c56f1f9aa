//! Figures for team leads, with the definitions of PRODUCT.md. Every screen and export takes its
//! numbers from these functions.
//!
//! - Weeks are ISO 8601 weeks, Monday to Sunday, labelled `2024-W07`.
//! - received in a week: reception date in it; closed: closing date in it;
//! - open at end: received on or before its Sunday and not closed by then.

use crate::domain::{iso_week_label, week_start};
use crate::error::{Error, Result};
use crate::store::Store;
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
            "période vide : --to ({to}) est avant --from ({from})"
        )));
    }
    if (to - from).num_days() > 366 * 30 {
        return Err(Error::input("période trop longue (30 ans au plus)"));
    }
    Ok(())
}

/// Counts per (type, day) of a date column within [first, last].
fn per_day(
    store: &Store,
    column: DateColumn,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(String, NaiveDate, i64)>> {
    let sql = match column {
        DateColumn::Received => {
            "SELECT type_code, received_on, count(*) FROM request \
             WHERE received_on BETWEEN ?1 AND ?2 GROUP BY received_on, type_code"
        }
        DateColumn::Closed => {
            "SELECT type_code, closed_on, count(*) FROM request \
             WHERE closed_on BETWEEN ?1 AND ?2 GROUP BY closed_on, type_code"
        }
    };
    let mut st = store.conn().prepare_cached(sql)?;
    let rows = st.query_map([first, last], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Clone, Copy)]
enum DateColumn {
    Received,
    Closed,
}

/// Counts per type of a date column strictly before `day`. The covering indexes are named:
/// left alone, the planner walks the type index to skip a sort and reads every row.
fn before(store: &Store, column: DateColumn, day: NaiveDate) -> Result<HashMap<String, i64>> {
    let sql = match column {
        DateColumn::Received => {
            "SELECT type_code, count(*) FROM request INDEXED BY request_received \
             WHERE received_on < ?1 GROUP BY type_code"
        }
        DateColumn::Closed => {
            "SELECT type_code, count(*) FROM request INDEXED BY request_closed \
             WHERE closed_on < ?1 GROUP BY type_code"
        }
    };
    let mut st = store.conn().prepare_cached(sql)?;
    let rows = st.query_map([day], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Request types that have at least one request received on or before `last`, in list order.
fn types_in_use(store: &Store, last: NaiveDate) -> Result<Vec<String>> {
    let mut st = store.conn().prepare_cached(
        "SELECT t.code FROM request_type t WHERE EXISTS \
         (SELECT 1 FROM request r WHERE r.type_code = t.code AND r.received_on <= ?1) \
         ORDER BY t.position, t.code",
    )?;
    let rows = st.query_map([last], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One row per ISO week overlapping [from, to] and per request type in use.
pub fn weekly(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<WeeklyRow>> {
    check_range(from, to)?;
    let first = week_start(from);
    let last = week_start(to) + Days::new(6);
    let types = types_in_use(store, last)?;
    let weeks = ((last - first).num_days() + 1) / 7;
    let index = |d: NaiveDate| ((d - first).num_days() / 7) as usize;
    let mut received: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut closed: HashMap<&str, Vec<i64>> = HashMap::new();
    for t in &types {
        received.insert(t, vec![0; weeks as usize]);
        closed.insert(t, vec![0; weeks as usize]);
    }
    for (t, day, n) in per_day(store, DateColumn::Received, first, last)? {
        if let Some(v) = received.get_mut(t.as_str()) {
            v[index(day)] += n;
        }
    }
    for (t, day, n) in per_day(store, DateColumn::Closed, first, last)? {
        if let Some(v) = closed.get_mut(t.as_str()) {
            v[index(day)] += n;
        }
    }
    let received_before = before(store, DateColumn::Received, first)?;
    let closed_before = before(store, DateColumn::Closed, first)?;
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

fn grouped(
    store: &Store,
    sql: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<String, i64>> {
    let mut st = store.conn().prepare_cached(sql)?;
    let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Key used where a request has no channel.
pub const NO_CHANNEL: &str = "non_renseigne";

pub fn summary(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Summary> {
    check_range(from, to)?;
    let by_type = grouped(
        store,
        "SELECT type_code, count(*) FROM request WHERE received_on BETWEEN ?1 AND ?2 GROUP BY type_code",
        from,
        to,
    )?;
    let by_channel = grouped(
        store,
        "SELECT coalesce(channel_code, 'non_renseigne'), count(*) FROM request \
         WHERE received_on BETWEEN ?1 AND ?2 GROUP BY 1",
        from,
        to,
    )?;
    let by_status = grouped(
        store,
        "SELECT status, count(*) FROM request WHERE received_on BETWEEN ?1 AND ?2 GROUP BY status",
        from,
        to,
    )?;
    let by_outcome = grouped(
        store,
        "SELECT outcome, count(*) FROM request WHERE closed_on BETWEEN ?1 AND ?2 GROUP BY outcome",
        from,
        to,
    )?;
    let referrals_by_partner = grouped(
        store,
        "SELECT p.code, count(*) FROM referral f JOIN partner p ON p.id = f.partner_id \
         WHERE f.sent_on BETWEEN ?1 AND ?2 GROUP BY p.code",
        from,
        to,
    )?;
    let conn = store.conn();
    let events: i64 = conn.query_row(
        "SELECT count(*) FROM event WHERE held_on BETWEEN ?1 AND ?2",
        [from, to],
        |r| r.get(0),
    )?;
    // Closing never precedes reception, so open at the end = received by then - closed by then
    // (two counts on covering indexes instead of a scan of the table).
    let open_at_end: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM request WHERE received_on <= ?1) \
              - (SELECT count(*) FROM request WHERE closed_on <= ?1)",
        [to],
        |r| r.get(0),
    )?;
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
