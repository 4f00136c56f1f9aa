//! Storage side of salon merges: who a capture may be, holding it for a decision, and what a
//! decision changed (so that it can be undone until the next merge).

use super::people::{Person, get_person};
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use uuid::Uuid;

/// Office persons a capture may be, by the documented rule only: same name **and** same birth
/// date (both known), or same e-mail, or same phone. A namesake with nothing else in common is
/// not one. Oldest first.
const CANDIDATES: &str = "SELECT id FROM person WHERE id IN ( \
       SELECT id FROM person WHERE name_key = ?1 AND ?2 <> '' AND birth_date = ?2 \
       UNION SELECT id FROM person WHERE email_key = ?3 AND email_key <> '' \
       UNION SELECT id FROM person WHERE phone_key = ?4 AND phone_key <> '') \
     ORDER BY created_at, id";

pub(crate) fn candidates(
    tx: &Transaction<'_>,
    name_key: &str,
    birth_date: &str,
    email_key: &str,
    phone_key: &str,
) -> Result<Vec<String>> {
    Ok(tx
        .prepare_cached(CANDIDATES)?
        .query_map(params![name_key, birth_date, email_key, phone_key], |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// The office persons a held capture may still be, from the candidates found at its merge: a
/// candidate decided "same person" as another since (a capture of the same visitor on another
/// laptop) is that other person now; one gone (anonymised) is dropped; none is listed twice,
/// nor the capture itself. `pending` numbers these, and `resolve --candidat N` reads the same.
pub(crate) fn live_candidates(
    conn: &Connection,
    found: &[String],
    capture: &str,
) -> Result<Vec<String>> {
    let mut exists = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM person WHERE id = ?1)")?;
    let mut merged_into = conn.prepare_cached(
        "SELECT new_value FROM history WHERE entity_id = ?1 AND entity = 'person' \
          AND field = 'merged_into' ORDER BY seq DESC LIMIT 1",
    )?;
    let mut out: Vec<String> = Vec::new();
    for id in found {
        let mut id = id.clone();
        // A chain of decisions is short; the bound only guards against a loop.
        for _ in 0..16 {
            if exists.query_row([&id], |r| r.get::<_, bool>(0))? {
                if id != capture && !out.contains(&id) {
                    out.push(id);
                }
                break;
            }
            match merged_into
                .query_row([&id], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten()
            {
                Some(next) => id = next,
                None => break,
            }
        }
    }
    Ok(out)
}

/// Holds a capture (already added as its own person) for an agent: is it one of `candidates`?
pub(crate) fn hold_duplicate(
    tx: &Transaction<'_>,
    ctx: &super::Ctx,
    file_id: &str,
    laptop_person: &str,
    candidates: &[String],
    summary: &str,
    payload: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO merge_pending (id, kind, source_file, entity, laptop_id, office_id, summary, \
         payload, created_at, candidates) VALUES (?1, 'duplicate', ?2, 'person', ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        Uuid::now_v7().to_string(),
        file_id,
        laptop_person,
        candidates.first(),
        summary,
        payload,
        ctx.now(),
        serde_json::to_string(candidates)?,
    ])?;
    Ok(())
}

/// When and by whom an office record was created, and what it is (a person's name key, a
/// request's type, a follow-up's kind, a referral's sending day): a laptop record bearing the
/// same id must say the same.
pub(crate) fn creation_stamp(
    tx: &Transaction<'_>,
    table: &str,
    id: &str,
) -> Result<(String, String, String)> {
    let sql = match table {
        "person" => "SELECT created_at, created_by, name_key FROM person WHERE id = ?1",
        "request" => "SELECT created_at, created_by, type_code FROM request WHERE id = ?1",
        "follow_up" => "SELECT created_at, created_by, kind FROM follow_up WHERE id = ?1",
        "referral" => "SELECT created_at, created_by, sent_on FROM referral WHERE id = ?1",
        _ => return Err(Error::input("enregistrement inconnu")),
    };
    Ok(tx
        .prepare_cached(sql)?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}

/// One side of a decision, as an agent compares them: identity, contacts and requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonCard {
    pub id: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Option<chrono::NaiveDate>,
    pub phone: String,
    pub email: String,
    pub profession: String,
    /// "A26-00012 Logement 12/10/2026 (Forum des internes)", most recent first.
    pub requests: Vec<String>,
}

pub(crate) fn person_card(conn: &Connection, id: &str) -> Result<Option<PersonCard>> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM person WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?;
    if !exists {
        return Ok(None);
    }
    let p: Person = get_person(conn, id)?;
    let requests = conn
        .prepare_cached(
            "SELECT r.reference, coalesce(t.label, r.type_code), r.received_on, e.name \
             FROM request r LEFT JOIN request_type t ON t.code = r.type_code \
             LEFT JOIN event e ON e.id = r.event_id WHERE r.person_id = ?1 \
             ORDER BY r.received_on DESC, r.reference DESC",
        )?
        .query_map([id], |r| {
            let on: chrono::NaiveDate = r.get(2)?;
            let event: Option<String> = r.get(3)?;
            Ok(format!(
                "{} {} {}{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                crate::domain::fr_date(on),
                event.map(|e| format!(" ({e})")).unwrap_or_default()
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(PersonCard {
        id: p.id,
        last_name: p.last_name,
        first_name: p.first_name,
        birth_date: p.birth_date,
        phone: p.phone,
        email: p.email,
        profession: p.profession,
        requests,
    }))
}

/// The unresolved items, oldest first: (id, kind, entity, summary, office id, created at,
/// laptop id, candidates JSON).
pub(crate) type PendingRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

pub(crate) fn pending_rows(conn: &Connection) -> Result<Vec<PendingRow>> {
    Ok(conn
        .prepare(
            "SELECT id, kind, entity, summary, coalesce(office_id, ''), created_at, laptop_id, \
             candidates FROM merge_pending WHERE resolved_at IS NULL ORDER BY created_at, id",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// The last merge so far (0 when none): a decision can be undone while this has not moved.
pub(crate) fn last_merge(tx: &Connection) -> Result<i64> {
    Ok(
        tx.query_row("SELECT coalesce(max(seq), 0) FROM merge_log", [], |r| {
            r.get(0)
        })?,
    )
}

/// A request of the person, as the fold of "same person" sees it.
pub(crate) struct OwnRequest {
    pub id: String,
    pub reference: String,
    pub type_code: String,
    pub event_id: Option<String>,
    pub received_on: String,
    /// Follow-ups and referrals: a request with any is moved, never folded.
    pub log: i64,
}

pub(crate) fn requests_of(tx: &Transaction<'_>, person_id: &str) -> Result<Vec<OwnRequest>> {
    Ok(tx
        .prepare_cached(
            "SELECT r.id, r.reference, r.type_code, r.event_id, r.received_on, \
             (SELECT count(*) FROM follow_up f WHERE f.request_id = r.id) \
             + (SELECT count(*) FROM referral x WHERE x.request_id = r.id) \
             FROM request r WHERE r.person_id = ?1 ORDER BY r.received_on, r.reference",
        )?
        .query_map([person_id], |r| {
            Ok(OwnRequest {
                id: r.get(0)?,
                reference: r.get(1)?,
                type_code: r.get(2)?,
                event_id: r.get(3)?,
                received_on: r.get(4)?,
                log: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Moves a request to another person (a decision "same person", or its undo).
pub(crate) fn move_request(
    tx: &Transaction<'_>,
    ctx: &super::Ctx,
    request_id: &str,
    from: &str,
    to: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE request SET person_id = ?2, version = version + 1, updated_at = ?3, updated_by = ?4 \
         WHERE id = ?1",
    )?
    .execute(params![request_id, to, ctx.now(), ctx.actor])?;
    super::record(
        tx,
        ctx,
        "request",
        request_id,
        "person_id",
        Some(from),
        Some(to),
    )
}

/// Removes a row that a decision folds away (kept whole in the decision's undo record).
pub(crate) fn delete_row(tx: &Transaction<'_>, table: &str, id: &str) -> Result<()> {
    let sql = match table {
        "request" => "DELETE FROM request WHERE id = ?1",
        "person" => "DELETE FROM person WHERE id = ?1",
        _ => return Err(Error::input("enregistrement inconnu")),
    };
    tx.prepare_cached(sql)?.execute([id])?;
    Ok(())
}

/// Marks an item decided, with what the decision changed.
pub(crate) fn set_resolution(
    tx: &Transaction<'_>,
    ctx: &super::Ctx,
    pending_id: &str,
    resolution: Option<&str>,
    undo: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE merge_pending SET resolved_at = CASE WHEN ?3 IS NULL THEN NULL ELSE ?2 END, \
         resolved_by = CASE WHEN ?3 IS NULL THEN NULL ELSE ?4 END, resolution = ?3, undo = ?5 \
         WHERE id = ?1",
    )?
    .execute(params![pending_id, ctx.now(), resolution, ctx.actor, undo])?;
    Ok(())
}

/// The latest decision that may still be undone (none once a merge happened since; `undo`
/// checks it again). Decisions are numbered in the order they were taken (`order` in their
/// undo record; the clock's seconds cannot tell two apart).
pub(crate) fn latest_decision(conn: &Connection) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, summary FROM merge_pending WHERE resolved_at IS NOT NULL \
               AND undo IS NOT NULL \
             ORDER BY coalesce(json_extract(undo, '$.order'), 0) DESC, resolved_at DESC, \
                      rowid DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The number of the next decision (see [`latest_decision`]).
pub(crate) fn next_decision_order(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT coalesce(max(json_extract(undo, '$.order')), 0) + 1 FROM merge_pending \
          WHERE undo IS NOT NULL",
        [],
        |r| r.get(0),
    )?)
}

/// Whose request this is now (`None`: gone).
pub(crate) fn request_owner(tx: &Transaction<'_>, request_id: &str) -> Result<Option<String>> {
    Ok(tx
        .prepare_cached("SELECT person_id FROM request WHERE id = ?1")?
        .query_row([request_id], |r| r.get(0))
        .optional()?)
}

/// A decided item: (kind, entity, laptop id, resolution, undo JSON).
pub(crate) type Decided = (String, String, String, Option<String>, Option<String>);

pub(crate) fn decided(tx: &Transaction<'_>, pending_id: &str) -> Result<Option<Decided>> {
    Ok(tx
        .prepare_cached(
            "SELECT kind, entity, laptop_id, resolution, undo FROM merge_pending WHERE id = ?1",
        )?
        .query_row([pending_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?)
}

/// Requests of an event, and how many of them belong to a capture still held for a decision.
pub(crate) fn event_counts(conn: &Connection, event_id: &str) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(r.person_id IN (SELECT laptop_id FROM merge_pending \
             WHERE kind = 'duplicate' AND resolved_at IS NULL)), 0) \
             FROM request r WHERE r.event_id = ?1",
        )?
        .query_row([event_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

impl super::Store {
    /// Requests recorded under an event, and how many of them are captures still held for a
    /// decision (counted already, marked as such).
    pub fn event_request_counts(&self, event_id: &str) -> Result<(i64, i64)> {
        event_counts(&self.conn, event_id)
    }
}
