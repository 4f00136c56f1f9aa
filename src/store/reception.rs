//! Correcting a request's reception date, in the same transaction as its other changes.

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
        self.write(|tx, ctx| {
            let version = update(tx, ctx, id, expected_version, change)?;
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
