//! Retention and anonymisation: the one sanctioned rewrite of the file.
//!
//! Anonymising a person erases every identifying value they left — person fields, summaries,
//! follow-up and referral texts, the old/new values of those fields in the history, the search
//! index, merge leftovers — while everything the figures read (type, dates, status, outcome,
//! channel, event, partner, agent, profile) stays. It is recorded in the history and the access
//! log (who, when, why, visa) without the erased values. `secure_delete` zeroes the freed
//! space and a checkpoint empties the `-wal`.
//!
//! Retention (PRODUCT.md): a person's file is due for elimination when every one of their
//! requests is closed and was closed more than N years ago (3 by default, configurable per
//! type), counting from the last activity (closing, a later follow-up or a partner's answer).

use super::chain::{self, ERASED};
use super::{Ctx, Store, access};
use crate::error::{Error, Result};
use chrono::{Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use std::path::Path;

/// Default retention after the last activity of a closed request, in years.
pub const DEFAULT_YEARS: u32 = 3;
const YEARS_KEY: &str = "retention.years";

/// One request whose person is due for elimination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueForElimination {
    pub reference: String,
    pub last_activity_on: NaiveDate,
    pub rule: String,
    #[serde(skip)]
    pub type_code: String,
    #[serde(skip)]
    pub type_label: String,
    #[serde(skip)]
    pub received_on: NaiveDate,
    #[serde(skip)]
    pub closed_on: Option<NaiveDate>,
    #[serde(skip)]
    pub person_id: String,
}

/// What `retention apply` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elimination {
    pub persons: usize,
    pub requests: Vec<DueForElimination>,
    /// False when another program kept the `-wal` open: it could not be emptied.
    pub wal_emptied: bool,
}

fn years_for(conn: &Connection, type_code: &str) -> Result<u32> {
    let get = |key: &str| -> Result<Option<u32>> {
        Ok(conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok()))
    };
    Ok(match get(&format!("{YEARS_KEY}.{type_code}"))? {
        Some(y) => y,
        None => get(YEARS_KEY)?.unwrap_or(DEFAULT_YEARS),
    })
}

/// How long a commitment keeps its person's file after it ended (or was broken), in years.
const COMMITMENT_HOLD_YEARS: u32 = 2;

/// A request whose aid carries a commitment that runs, or ended (honoured or broken) less than
/// 2 years before `today`, keeps its person's file: the attestations and any repayment may
/// still be asked for.
fn held_by_commitment(conn: &Connection, request_id: &str, today: NaiveDate) -> Result<bool> {
    let ended: Option<NaiveDate> = conn
        .prepare_cached(
            "SELECT max(coalesce(c.broken_on, c.ends_on)) FROM commitment c \
             JOIN aid a ON a.id = c.aid_id WHERE a.request_id = ?1",
        )?
        .query_row([request_id], |r| r.get(0))?;
    Ok(ended.is_some_and(|end| {
        end.checked_add_months(Months::new(12 * COMMITMENT_HOLD_YEARS))
            .is_none_or(|until| until >= today)
    }))
}

/// Requests whose person is due for elimination on `today`, by reference.
pub(crate) fn due(conn: &Connection, today: NaiveDate) -> Result<Vec<DueForElimination>> {
    // Persons not yet anonymised with no open request.
    let mut st = conn.prepare(
        "SELECT r.id, r.reference, r.type_code, r.received_on, r.closed_on, r.person_id, \
         max(r.closed_on, \
             coalesce((SELECT max(occurred_on) FROM follow_up f WHERE f.request_id = r.id), ''), \
             coalesce((SELECT max(answered_on) FROM referral x WHERE x.request_id = r.id), '')), \
         coalesce(t.label, r.type_code) \
         FROM request r JOIN person p ON p.id = r.person_id \
         LEFT JOIN request_type t ON t.code = r.type_code \
         WHERE p.anonymised_at IS NULL AND r.status = 'close' \
         AND NOT EXISTS (SELECT 1 FROM request o WHERE o.person_id = r.person_id AND o.status <> 'close') \
         ORDER BY r.person_id, r.received_on, r.reference",
    )?;
    let rows: Vec<(String, DueForElimination)> = st
        .query_map([], |r| {
            let last: String = r.get(6)?;
            Ok((
                r.get::<_, String>(0)?,
                DueForElimination {
                    reference: r.get(1)?,
                    type_code: r.get(2)?,
                    received_on: r.get(3)?,
                    closed_on: r.get(4)?,
                    person_id: r.get(5)?,
                    last_activity_on: NaiveDate::parse_from_str(&last, "%Y-%m-%d")
                        .unwrap_or(NaiveDate::MIN),
                    rule: String::new(),
                    type_label: r.get(7)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    let mut years_of: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut i = 0;
    while i < rows.len() {
        // One person's requests are contiguous: all of them are due, or none.
        let person = rows[i].1.person_id.clone();
        let mut group = Vec::new();
        let mut all_due = true;
        while i < rows.len() && rows[i].1.person_id == person {
            let (id, mut d) = rows[i].clone();
            let years = match years_of.get(&d.type_code) {
                Some(y) => *y,
                None => {
                    let y = years_for(conn, &d.type_code)?;
                    years_of.insert(d.type_code.clone(), y);
                    y
                }
            };
            let until = d
                .last_activity_on
                .checked_add_months(Months::new(12 * years))
                .unwrap_or(NaiveDate::MAX);
            all_due &= until < today && !held_by_commitment(conn, &id, today)?;
            d.rule = format!(
                "{} : {years} an(s) après la dernière activité",
                d.type_label
            );
            group.push(d);
            i += 1;
        }
        if all_due {
            out.extend(group);
        }
    }
    out.sort_by(|a, b| a.reference.cmp(&b.reference));
    Ok(out)
}

/// Erases every identifying value of one person, inside the caller's transaction.
pub(crate) fn anonymise_person(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    person_id: &str,
    why: &str,
) -> Result<()> {
    let requests: Vec<String> = tx
        .prepare_cached("SELECT id FROM request WHERE person_id = ?1")?
        .query_map([person_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let now = ctx.now();
    chain::triggers_lifted(
        tx,
        &["history_append_only_update", "follow_up_append_only_update"],
        || {
            let n = tx.execute(
                "UPDATE person SET last_name = ?2, first_name = ?2, birth_date = NULL, phone = '', \
                 email = '', profession = '', name_key = '', phone_key = '', email_key = '', \
                 anonymised_at = ?3, updated_at = ?3, updated_by = ?4, version = version + 1 \
                 WHERE id = ?1 AND anonymised_at IS NULL",
                params![person_id, ERASED, now, ctx.actor],
            )?;
            if n == 0 {
                return Err(Error::input("cette personne est déjà anonymisée"));
            }
            let erase_history = |entity: &str, id: &str, fields: Option<&[&str]>| -> Result<()> {
                let mut sql = String::from(
                    "UPDATE history SET salt = NULL, \
                     old_value = CASE WHEN old_value IS NULL THEN NULL ELSE ?3 END, \
                     new_value = CASE WHEN new_value IS NULL THEN NULL ELSE ?3 END \
                     WHERE entity = ?1 AND entity_id = ?2",
                );
                if let Some(fields) = fields {
                    // Field names come from the constants below, never from input.
                    let list: Vec<String> = fields.iter().map(|f| format!("'{f}'")).collect();
                    sql.push_str(&format!(" AND field IN ({})", list.join(", ")));
                }
                tx.execute(&sql, params![entity, id, ERASED])?;
                Ok(())
            };
            erase_history("person", person_id, None)?;
            for id in &requests {
                tx.execute(
                    "UPDATE request SET summary = '', import_key = NULL, updated_at = ?2, \
                     updated_by = ?3, version = version + 1 WHERE id = ?1",
                    params![id, now, ctx.actor],
                )?;
                tx.execute("UPDATE follow_up SET body = '' WHERE request_id = ?1", [id])?;
                // A form left unsaved on this request when a terminal closed (`tui/draft.rs`).
                tx.execute(
                    "DELETE FROM draft WHERE instr(payload, ?1) > 0",
                    [format!("\"request_id\":\"{id}\"")],
                )?;
                erase_history("request", id, Some(&["summary", "merge", "note"]))?;
                let referrals: Vec<String> = tx
                    .prepare_cached("SELECT id FROM referral WHERE request_id = ?1")?
                    .query_map([id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for r in referrals {
                    tx.execute(
                        "UPDATE referral SET note = '', answer_note = '', updated_at = ?2, \
                         updated_by = ?3, version = version + 1 WHERE id = ?1",
                        params![r, now, ctx.actor],
                    )?;
                    erase_history("referral", &r, Some(&["note", "answer_note"]))?;
                }
                // A note taken with a visitor's interest in a housing place.
                tx.execute(
                    "UPDATE housing_proposal SET note = '' WHERE request_id = ?1",
                    [id],
                )?;
            }
            Ok(())
        },
    )?;
    // Merge leftovers: what a salon laptop captured about them, held or decided, and what a
    // decision kept to be undone (whole rows).
    let mut ids: Vec<&str> = vec![person_id];
    ids.extend(requests.iter().map(String::as_str));
    for id in &ids {
        let pending: Vec<String> = tx
            .prepare_cached("SELECT id FROM merge_pending WHERE office_id = ?1 OR laptop_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute(
            "UPDATE merge_pending SET summary = ?2, payload = '{}', undo = NULL, \
             resolved_at = coalesce(resolved_at, ?3), resolved_by = coalesce(resolved_by, ?4) \
             WHERE office_id = ?1 OR laptop_id = ?1",
            params![id, ERASED, now, ctx.actor],
        )?;
        if pending.is_empty() {
            continue;
        }
        chain::triggers_lifted(tx, &["history_append_only_update"], || {
            for p in &pending {
                tx.execute(
                    "UPDATE history SET salt = NULL, \
                     old_value = CASE WHEN old_value IS NULL THEN NULL ELSE ?2 END, \
                     new_value = CASE WHEN new_value IS NULL THEN NULL ELSE ?2 END \
                     WHERE entity = 'merge_pending' AND entity_id = ?1",
                    params![p, ERASED],
                )?;
            }
            Ok(())
        })?;
    }
    // The old documents leave the search index for good; the write's tracker indexes the
    // anonymised ones.
    let rowids: Vec<i64> = requests
        .iter()
        .map(|id| {
            tx.query_row("SELECT rowid FROM request WHERE id = ?1", [id], |r| {
                r.get(0)
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    super::search::erase_documents(tx, &rowids)?;
    for id in &requests {
        super::record(tx, ctx, "request", id, "anonymisation", None, Some(why))?;
        access::insert(tx, ctx, access::AccessAction::Anonymisation, Some(id))?;
    }
    super::record(
        tx,
        ctx,
        "person",
        person_id,
        "anonymisation",
        None,
        Some(why),
    )?;
    Ok(())
}

fn checkpoint(conn: &Connection) -> Result<bool> {
    // (busy, frames in the log, frames checkpointed); busy = 1 when a reader kept it open.
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
}

fn slip_csv(due: &[DueForElimination], visa: &str, today: NaiveDate) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    {
        let mut w = crate::output::csv_writer(&mut buf)?;
        w.write_record([
            "Référence",
            "Type",
            "Reçue le",
            "Close le",
            "Dernière activité",
            "Règle",
            "Visa des archives",
            "Éliminée le",
        ])?;
        for d in due {
            w.write_record(
                [
                    d.reference.clone(),
                    d.type_label.clone(),
                    crate::domain::fr_date(d.received_on),
                    d.closed_on.map(crate::domain::fr_date).unwrap_or_default(),
                    crate::domain::fr_date(d.last_activity_on),
                    d.rule.clone(),
                    visa.to_string(),
                    crate::domain::fr_date(today),
                ]
                .iter()
                .map(|c| crate::text::csv_cell(c).into_owned()),
            )?;
        }
        w.flush()?;
    }
    Ok(buf)
}

impl Store {
    /// Requests whose person is due for elimination today.
    pub fn retention_due(&self) -> Result<Vec<DueForElimination>> {
        due(&self.conn, self.ctx.today)
    }

    /// Sets the retention (years after the last activity) for one type, or the default.
    pub fn set_retention_years(&mut self, type_code: Option<&str>, years: u32) -> Result<()> {
        let key = match type_code {
            Some(t) => format!("{YEARS_KEY}.{}", self.resolve_type(t)?),
            None => YEARS_KEY.to_string(),
        };
        self.write(|tx, _| super::set_meta(tx, &key, &years.to_string()))
    }

    /// Anonymises the person of one request at once (their own request): every request of
    /// theirs must be closed.
    pub fn anonymise_person(&mut self, request_id: &str, why: &str) -> Result<bool> {
        let why = why.trim();
        if why.is_empty() {
            return Err(Error::input(
                "--motif : dites pourquoi (demande de la personne…)",
            ));
        }
        let why = format!("motif : {why}");
        self.write(|tx, ctx| {
            let person_id: String = tx
                .query_row(
                    "SELECT person_id FROM request WHERE id = ?1",
                    [request_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    what: "demande",
                    value: request_id.into(),
                    hint: String::new(),
                })?;
            let open: Vec<String> = tx
                .prepare(
                    "SELECT reference FROM request WHERE person_id = ?1 AND status <> 'close' \
                     ORDER BY reference",
                )?
                .query_map([&person_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if !open.is_empty() {
                return Err(Error::input(format!(
                    "la personne a encore des demandes ouvertes ({}) : clôturez-les d'abord",
                    open.join(", ")
                )));
            }
            anonymise_person(tx, ctx, &person_id, &why)
        })?;
        checkpoint(&self.conn)
    }

    /// Writes the elimination slip to `out` and anonymises exactly the persons it lists, in
    /// one transaction: if anything fails, nothing is anonymised and no slip is left.
    pub fn apply_retention(&mut self, visa: &str, out: &Path) -> Result<Elimination> {
        let visa = visa.trim();
        if visa.is_empty() {
            return Err(Error::input(
                "--visa : la référence du visa des archives est obligatoire",
            ));
        }
        if out.exists() {
            return Err(Error::File {
                path: out.to_path_buf(),
                why: "le fichier existe déjà : choisissez un autre nom pour le bordereau".into(),
            });
        }
        let result = self.write(|tx, ctx| {
            let due = due(tx, ctx.today)?;
            let mut persons: Vec<&str> = due.iter().map(|d| d.person_id.as_str()).collect();
            persons.sort_unstable();
            persons.dedup();
            let why = format!("durée de conservation échue ; visa des archives : {visa}");
            for p in &persons {
                anonymise_person(tx, ctx, p, &why)?;
            }
            super::write_private(out, &slip_csv(&due, visa, ctx.today)?)?;
            Ok((persons.len(), due.clone()))
        });
        match result {
            Ok((persons, requests)) => Ok(Elimination {
                persons,
                requests,
                wal_emptied: checkpoint(&self.conn)?,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(out);
                Err(e)
            }
        }
    }
}
