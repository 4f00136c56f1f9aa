//! The history: one append-only line per change (who, when, which field, before and after),
//! its writer and its reader. The bottom of the store: it imports no other store module.

use super::Ctx;
use crate::error::Result;
use chrono::{DateTime, Local, Utc};
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Appends one line to the history.
pub(crate) fn record(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    entity: &str,
    entity_id: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO history (at, actor, entity, entity_id, field, old_value, new_value) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        ctx.now(),
        ctx.actor,
        entity,
        entity_id,
        field,
        old,
        new
    ])?;
    Ok(())
}

/// "22/11/2026 à 14:05" in local time, from a stored UTC timestamp.
pub fn fr_timestamp(ts: &str) -> String {
    DateTime::parse_from_rfc3339(ts)
        .map(|t| {
            t.with_timezone(&Utc)
                .with_timezone(&Local)
                .format("%d/%m/%Y à %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| ts.to_string())
}

pub(crate) fn history(conn: &Connection, ids: &[&str]) -> Result<Vec<HistoryRow>> {
    let mut out = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT at, actor, entity, field, old_value, new_value, seq FROM history \
         WHERE entity_id = ?1 ORDER BY seq",
    )?;
    let mut with_seq = Vec::new();
    for id in ids {
        let rows = st.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(6)?,
                HistoryRow {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    entity: r.get(2)?,
                    field: r.get(3)?,
                    old_value: r.get(4)?,
                    new_value: r.get(5)?,
                },
            ))
        })?;
        for row in rows {
            with_seq.push(row?);
        }
    }
    with_seq.sort_by_key(|(seq, _)| *seq);
    out.extend(with_seq.into_iter().map(|(_, h)| h));
    Ok(out)
}
