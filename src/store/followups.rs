//! The case log's writer: follow-ups are append-only (triggers in `schema.sql`). Below
//! `requests` (a request's first note) and `log` (logging a follow-up with its effects).

use super::Ctx;
use crate::domain::FollowUpKind;
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{Transaction, params};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    pub kind: FollowUpKind,
    pub occurred_on: NaiveDate,
    pub body: String,
    /// Sets the request's next follow-up date (relance).
    pub next_follow_up_on: Option<NaiveDate>,
}

/// Appends one entry to the case log of `request_id`.
pub(crate) fn insert_follow_up(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    f: &NewFollowUp,
) -> Result<String> {
    let id = Uuid::now_v7().to_string();
    tx.prepare_cached(
        "INSERT INTO follow_up (id, request_id, kind, occurred_on, body, next_follow_up_on, created_at, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        request_id,
        f.kind,
        f.occurred_on,
        crate::text::clean_text(f.body.trim_end()),
        f.next_follow_up_on,
        ctx.now(),
        ctx.actor
    ])?;
    Ok(id)
}
