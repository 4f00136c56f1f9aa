//! The access log (journal des accès): every consultation, export and change of a request —
//! who, when, what, which request. For security and for answering a person, never for rating
//! agents: it is listed, never counted per agent.
//!
//! Changes are logged in the transaction that makes them ([`after_write`], called by
//! `Store::write`): one row per request touched, derived from the history and case-log rows the
//! transaction added, so no writer can forget it. A consultation is one small transaction of its
//! own ([`Store::log_access`]). Rows older than the kept period (`access_log.months` in `meta`,
//! 12 by default) are purged from the start of the log, keeping the chain verifiable.

use super::{Ctx, Store, chain};
use crate::error::{Error, Result};
use chrono::{Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessAction {
    Consultation,
    Creation,
    Modification,
    /// Everything about a person, exported (right of access).
    PersonExport,
    /// A list naming persons, exported or printed (list, search).
    ListExport,
    Anonymisation,
}

impl AccessAction {
    pub fn code(self) -> &'static str {
        match self {
            AccessAction::Consultation => "consultation",
            AccessAction::Creation => "creation",
            AccessAction::Modification => "modification",
            AccessAction::PersonExport => "export_personne",
            AccessAction::ListExport => "export_liste",
            AccessAction::Anonymisation => "anonymisation",
        }
    }

    pub fn label(code: &str) -> &str {
        match code {
            "consultation" => "consultation",
            "creation" => "création",
            "modification" => "modification",
            "export_personne" => "export des données de la personne",
            "export_liste" => "liste ou export nominatif",
            "anonymisation" => "anonymisation",
            other => other,
        }
    }
}

/// One row of the access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub reference: Option<String>,
}

/// Default kept period of the access log, in months.
pub const DEFAULT_MONTHS: u32 = 12;
const MONTHS_KEY: &str = "access_log.months";

/// Where the log stood when a write transaction began.
pub(crate) struct Mark {
    history: i64,
    follow_up: i64,
    access: i64,
}

impl Mark {
    pub(crate) fn take(conn: &Connection) -> Result<Mark> {
        let max = |sql: &str| -> Result<i64> {
            Ok(conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?)
        };
        Ok(Mark {
            history: max("SELECT coalesce(max(seq), 0) FROM history")?,
            follow_up: max("SELECT coalesce(max(rowid), 0) FROM follow_up")?,
            access: max("SELECT coalesce(max(seq), 0) FROM access_log")?,
        })
    }
}

pub(crate) fn insert(
    conn: &Connection,
    ctx: &Ctx,
    action: AccessAction,
    request_id: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO access_log (at, actor, action, request_id, reference) \
         VALUES (?1, ?2, ?3, ?4, (SELECT reference FROM request WHERE id = ?4))",
    )?
    .execute(params![ctx.now(), ctx.actor, action.code(), request_id])?;
    Ok(())
}

/// End of a write transaction: one access row per request the transaction created or changed
/// (unless it already logged one for it), the purge of expired rows, then the seal of both
/// chains.
pub(crate) fn after_write(conn: &Connection, ctx: &Ctx, mark: &Mark) -> Result<()> {
    // In the order first touched; the index keeps a long import linear.
    let mut touched: Vec<(String, bool)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut push = |id: String, created: bool| match index.get(&id) {
        Some(&i) => touched[i].1 |= created,
        None => {
            index.insert(id.clone(), touched.len());
            touched.push((id, created));
        }
    };
    {
        let mut st = conn.prepare_cached(
            "SELECT entity, entity_id, field FROM history WHERE seq > ?1 ORDER BY seq",
        )?;
        let rows: Vec<(String, String, String)> = st
            .query_map([mark.history], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (entity, id, field) in rows {
            match entity.as_str() {
                "request" => push(id, field == "*"),
                "referral" => {
                    let request: Option<String> = conn
                        .prepare_cached("SELECT request_id FROM referral WHERE id = ?1")?
                        .query_row([&id], |r| r.get(0))
                        .optional()?;
                    if let Some(r) = request {
                        push(r, false);
                    }
                }
                // A person's creation comes with their request's; a later change concerns all
                // their requests.
                "person" if field != "*" => {
                    let ids: Vec<String> = conn
                        .prepare_cached("SELECT id FROM request WHERE person_id = ?1")?
                        .query_map([&id], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    for r in ids {
                        push(r, false);
                    }
                }
                _ => {}
            }
        }
        let follow_ups: Vec<String> = conn
            .prepare_cached("SELECT request_id FROM follow_up WHERE rowid > ?1")?
            .query_map([mark.follow_up], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for r in follow_ups {
            push(r, false);
        }
    }
    if !touched.is_empty() {
        let logged: std::collections::HashSet<String> = conn
            .prepare_cached(
                "SELECT request_id FROM access_log WHERE seq > ?1 AND request_id IS NOT NULL",
            )?
            .query_map([mark.access], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, created) in touched {
            if logged.contains(&id) {
                continue;
            }
            let action = if created {
                AccessAction::Creation
            } else {
                AccessAction::Modification
            };
            insert(conn, ctx, action, Some(&id))?;
        }
    }
    purge(conn, ctx.today)?;
    chain::seal(conn)
}

/// The kept period of the access log, in months.
pub(crate) fn months(conn: &Connection) -> Result<u32> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([MONTHS_KEY], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MONTHS))
}

/// Deletes the rows older than the kept period, from the start of the log only (the chain then
/// starts at the anchor: the last deleted row's hash). One indexed look at the first row when
/// there is nothing to purge.
pub(crate) fn purge(conn: &Connection, today: NaiveDate) -> Result<usize> {
    let cutoff = today
        .checked_sub_months(Months::new(months(conn)?))
        .unwrap_or(today);
    let cutoff = format!("{cutoff}T00:00:00Z");
    let first: Option<String> = conn
        .prepare_cached("SELECT at FROM access_log ORDER BY seq LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    if first.is_none_or(|at| at >= cutoff) {
        return Ok(0);
    }
    // The first kept row: the first one recent enough (earlier rows are purged even if the
    // clock went back in between, so that what is kept stays one unbroken chain).
    let keep_from: Option<i64> = conn
        .prepare_cached("SELECT min(seq) FROM access_log WHERE at >= ?1")?
        .query_row([&cutoff], |r| r.get(0))?;
    let last_purged: i64 = match keep_from {
        Some(k) => k - 1,
        None => conn.query_row("SELECT max(seq) FROM access_log", [], |r| r.get(0))?,
    };
    // Rows are sealed before they can expire; an unsealed one (written outside the program)
    // anchors nothing and will be reported by `check`.
    chain::seal_access(conn)?;
    let hash: Vec<u8> = conn.query_row(
        "SELECT hash FROM access_log WHERE seq = ?1",
        [last_purged],
        |r| r.get(0),
    )?;
    let n = chain::triggers_lifted(conn, &["access_log_append_only_delete"], || {
        Ok(conn.execute("DELETE FROM access_log WHERE seq <= ?1", [last_purged])?)
    })?;
    chain::set_access_anchor(conn, last_purged, &hash)?;
    Ok(n)
}

/// An access row from `SELECT at, actor, action, reference`.
fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccessEntry> {
    Ok(AccessEntry {
        at: r.get(0)?,
        actor: r.get(1)?,
        action: r.get(2)?,
        reference: r.get(3)?,
    })
}

/// What `guichet access-log` shows.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub request_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Store {
    /// Records a consultation or an export, in a transaction of its own (a few tens of
    /// microseconds). A file opened read-only cannot keep a trace: nothing is recorded.
    pub fn log_access(&self, action: AccessAction, request_id: Option<&str>) -> Result<()> {
        if self.conn.is_readonly(rusqlite::MAIN_DB)? {
            return Ok(());
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result: Result<()> = (|| {
                let tx = rusqlite::Transaction::new_unchecked(
                    &self.conn,
                    TransactionBehavior::Immediate,
                )?;
                insert(&tx, &self.ctx, action, request_id)?;
                purge(&tx, self.ctx.today)?;
                chain::seal_access(&tx)?;
                tx.commit()?;
                Ok(())
            })();
            match result {
                Err(e) if e.is_busy() && attempt < super::WRITE_ATTEMPTS => {
                    std::thread::sleep(Duration::from_millis(20 * u64::from(attempt)));
                }
                Err(e) if e.is_busy() => return Err(Error::Busy),
                other => return other,
            }
        }
    }

    /// A request opened for reading (interface, `request show`): its whole case, the
    /// consultation logged first.
    pub fn consult_request(&self, id: &str) -> Result<super::RequestDetail> {
        self.log_access(AccessAction::Consultation, Some(id))?;
        self.request_detail(id)
    }

    /// The access log, oldest first.
    pub fn access_log(&self, f: &AccessFilter) -> Result<Vec<AccessEntry>> {
        let mut st = self.conn.prepare_cached(
            "SELECT at, actor, action, reference FROM access_log \
             WHERE (?1 IS NULL OR request_id = ?1) \
             AND (?2 IS NULL OR substr(at, 1, 10) >= ?2) \
             AND (?3 IS NULL OR substr(at, 1, 10) <= ?3) ORDER BY seq",
        )?;
        let rows = st.query_map(params![f.request_id, f.from, f.to], entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Who consulted or changed one request, most recent first (the request screen's
    /// "qui a consulté ce dossier").
    pub fn request_accesses(&self, request_id: &str, limit: usize) -> Result<Vec<AccessEntry>> {
        let mut st = self.conn.prepare_cached(
            "SELECT at, actor, action, reference FROM access_log WHERE request_id = ?1 \
             ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![request_id, limit as i64], entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets how many months the access log is kept (at least 1).
    pub fn set_access_log_months(&mut self, months: u32) -> Result<()> {
        if months == 0 {
            return Err(Error::input(
                "--journal-mois : au moins 1 mois (le journal sert à répondre aux personnes)",
            ));
        }
        self.write(|tx, _| super::set_meta(tx, MONTHS_KEY, &months.to_string()))
    }

    pub fn access_log_months(&self) -> Result<u32> {
        months(&self.conn)
    }
}
