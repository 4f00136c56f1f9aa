//! Correcting a request's reception date and event (salon), in the same transaction as its
//! other changes.

use super::Store;
use super::history::record;
use super::requests::{RequestChange, update};
use crate::domain::fr_date;
use crate::error::{Error, Field, Result};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

impl Store {
    /// Applies `change` (as [`Store::update_request`]) and, when given, a new reception date,
    /// all or nothing. The reception date cannot be in the future, after the closing date or
    /// after the first follow-up.
    pub fn update_request_received(
        &mut self,
        id: &str,
        expected_version: Option<i64>,
        change: &RequestChange,
        received_on: Option<NaiveDate>,
    ) -> Result<i64> {
        self.update_request_reception(id, expected_version, change, received_on, None)
    }

    /// As [`Store::update_request_received`], and when `event` is given, the event (salon) the
    /// request came from: `Some(None)` clears it. The history names the events.
    pub fn update_request_reception(
        &mut self,
        id: &str,
        expected_version: Option<i64>,
        change: &RequestChange,
        received_on: Option<NaiveDate>,
        event: Option<Option<&str>>,
    ) -> Result<i64> {
        self.write(|tx, ctx| {
            let mut version = update(tx, ctx, id, expected_version, change)?;
            if let Some(new) = event {
                version = set_event(tx, ctx, id, new, version)?;
            }
            let Some(new) = received_on else {
                return Ok(version);
            };
            let (old, closed_on): (NaiveDate, Option<NaiveDate>) = tx.query_row(
                "SELECT received_on, closed_on FROM request WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if new == old {
                return Ok(version);
            }
            let first_contact: Option<NaiveDate> = tx
                .query_row(
                    "SELECT min(occurred_on) FROM follow_up WHERE request_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let refuse = |why: String| Err(Error::invalid(Field::ReceivedOn, why));
            if new > ctx.today {
                return refuse(format!(
                    "la date de réception {} est dans le futur",
                    fr_date(new)
                ));
            }
            if let Some(c) = closed_on.filter(|c| new > *c) {
                return refuse(format!("la demande a été close le {}", fr_date(c)));
            }
            if let Some(f) = first_contact.filter(|f| new > *f) {
                return refuse(format!(
                    "un suivi est daté du {}, avant cette date",
                    fr_date(f)
                ));
            }
            record(
                tx,
                ctx,
                "request",
                id,
                "received_on",
                Some(&old.to_string()),
                Some(&new.to_string()),
            )?;
            tx.execute(
                "UPDATE request SET received_on = ?2, updated_at = ?3, updated_by = ?4, \
                 version = version + 1 WHERE id = ?1",
                params![id, new, ctx.now(), ctx.actor],
            )?;
            Ok(version + 1)
        })
    }
}

/// Sets the request's event; returns the new version (unchanged when the event is the same).
fn set_event(
    tx: &rusqlite::Transaction<'_>,
    ctx: &super::Ctx,
    id: &str,
    new: Option<&str>,
    version: i64,
) -> Result<i64> {
    let old: Option<String> =
        tx.query_row("SELECT event_id FROM request WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    if old.as_deref() == new {
        return Ok(version);
    }
    let name = |event: Option<&str>| -> Result<Option<String>> {
        let Some(e) = event else { return Ok(None) };
        tx.query_row("SELECT name, held_on FROM event WHERE id = ?1", [e], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, NaiveDate>(1)?))
        })
        .optional()?
        .map(|(n, d)| Some(format!("{n} ({})", fr_date(d))))
        .ok_or_else(|| Error::NotFound {
            what: "événement",
            value: e.to_string(),
            hint: String::new(),
        })
    };
    // An event removed since keeps its id in the history.
    let old_name = name(old.as_deref()).unwrap_or_else(|_| old.clone());
    let new_name = name(new)?;
    record(
        tx,
        ctx,
        "request",
        id,
        "event",
        old_name.as_deref(),
        new_name.as_deref(),
    )?;
    tx.execute(
        "UPDATE request SET event_id = ?2, updated_at = ?3, updated_by = ?4, \
         version = version + 1 WHERE id = ?1",
        params![id, new, ctx.now(), ctx.actor],
    )?;
    Ok(version + 1)
}
