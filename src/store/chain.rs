//! Tamper evidence: the history and the access log are hash chains, sealed by the program at the
//! end of the transaction that wrote their rows and recomputed by `guichet check`.
//!
//! A history row's hash covers the previous row's hash, its own fields and a digest of its
//! values salted with random bytes of its own. Anonymisation erases the values and the salt and
//! keeps the digest: the chain still verifies, and nothing is left from which the erased values
//! could be guessed (a digest without its salt cannot be tried against a list of names).
//!
//! Limit (said in the README): the chain has no secret. Someone who rewrites a row *and*
//! recomputes every later hash is not detected by the chain alone; `check` prints the last hash
//! so that a responsible person can note it and compare it later.

use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// What an erased value reads after anonymisation.
pub const ERASED: &str = "[anonymisé]";

/// Hash length kept (bytes): 128 bits are plenty to detect a change.
const LEN: usize = 16;

fn hash(parts: &[&[u8]]) -> Vec<u8> {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()[..LEN].to_vec()
}

fn opt(v: Option<&str>) -> Vec<u8> {
    match v {
        None => vec![0],
        Some(s) => {
            let mut b = Vec::with_capacity(s.len() + 1);
            b.push(1);
            b.extend_from_slice(s.as_bytes());
            b
        }
    }
}

pub(crate) fn value_digest(salt: &[u8], old: Option<&str>, new: Option<&str>) -> Vec<u8> {
    hash(&[salt, &opt(old), &opt(new)])
}

struct HistoryRow {
    seq: i64,
    at: String,
    actor: String,
    entity: String,
    entity_id: String,
    field: String,
    old: Option<String>,
    new: Option<String>,
}

fn history_hash(prev: &[u8], r: &HistoryRow, digest: &[u8]) -> Vec<u8> {
    hash(&[
        prev,
        &r.seq.to_le_bytes(),
        r.at.as_bytes(),
        r.actor.as_bytes(),
        r.entity.as_bytes(),
        r.entity_id.as_bytes(),
        r.field.as_bytes(),
        digest,
    ])
}

struct AccessRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    request_id: Option<String>,
    reference: Option<String>,
}

fn access_hash(prev: &[u8], r: &AccessRow) -> Vec<u8> {
    hash(&[
        prev,
        &r.seq.to_le_bytes(),
        r.at.as_bytes(),
        r.actor.as_bytes(),
        r.action.as_bytes(),
        &opt(r.request_id.as_deref()),
        &opt(r.reference.as_deref()),
    ])
}

const HISTORY_COLUMNS: &str =
    "seq, at, actor, entity, entity_id, field, old_value, new_value, salt, digest, hash";

fn history_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(HistoryRow, [Option<Vec<u8>>; 3])> {
    Ok((
        HistoryRow {
            seq: r.get(0)?,
            at: text(r, 1)?,
            actor: text(r, 2)?,
            entity: text(r, 3)?,
            entity_id: text(r, 4)?,
            field: text(r, 5)?,
            old: opt_text(r, 6)?,
            new: opt_text(r, 7)?,
        },
        [r.get(8)?, r.get(9)?, r.get(10)?],
    ))
}

/// A text column read as it is stored, even when damage made its bytes invalid UTF-8: the
/// replaced bytes no longer match the seal, and the check says which line was altered instead
/// of stopping on the value.
fn opt_text(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
    })
}

fn text(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(opt_text(r, i)?.unwrap_or_default())
}

const ACCESS_COLUMNS: &str = "seq, at, actor, action, request_id, reference, hash";

fn access_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AccessRow, Option<Vec<u8>>)> {
    Ok((
        AccessRow {
            seq: r.get(0)?,
            at: text(r, 1)?,
            actor: text(r, 2)?,
            action: text(r, 3)?,
            request_id: opt_text(r, 4)?,
            reference: opt_text(r, 5)?,
        },
        r.get(6)?,
    ))
}

/// Seals every new row of the history and of the access log (inside the writing transaction).
pub(crate) fn seal(conn: &Connection) -> Result<()> {
    seal_history(conn)?;
    seal_access(conn)
}

fn seal_history(conn: &Connection) -> Result<()> {
    let rows: Vec<HistoryRow> = conn
        .prepare_cached(&format!(
            "SELECT {HISTORY_COLUMNS} FROM history WHERE hash IS NULL ORDER BY seq"
        ))?
        .query_map([], |r| history_row(r).map(|(h, _)| h))?
        .collect::<rusqlite::Result<_>>()?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let mut prev: Vec<u8> = conn
        .prepare_cached(
            "SELECT hash FROM history WHERE seq < ?1 AND hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([first.seq], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let mut update =
        conn.prepare_cached("UPDATE history SET salt = ?2, digest = ?3, hash = ?4 WHERE seq = ?1")?;
    for r in &rows {
        let salt = uuid::Uuid::new_v4().into_bytes();
        let digest = value_digest(&salt, r.old.as_deref(), r.new.as_deref());
        let h = history_hash(&prev, r, &digest);
        update.execute(params![r.seq, &salt[..], digest, h])?;
        prev = h;
    }
    Ok(())
}

pub(crate) fn seal_access(conn: &Connection) -> Result<()> {
    let rows: Vec<AccessRow> = conn
        .prepare_cached(&format!(
            "SELECT {ACCESS_COLUMNS} FROM access_log WHERE hash IS NULL ORDER BY seq"
        ))?
        .query_map([], |r| access_row(r).map(|(a, _)| a))?
        .collect::<rusqlite::Result<_>>()?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let mut prev: Vec<u8> = match conn
        .prepare_cached(
            "SELECT hash FROM access_log WHERE seq < ?1 AND hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([first.seq], |r| r.get(0))
        .optional()?
    {
        Some(h) => h,
        None => access_anchor(conn)?.map(|(_, h)| h).unwrap_or_default(),
    };
    let mut update = conn.prepare_cached("UPDATE access_log SET hash = ?2 WHERE seq = ?1")?;
    for r in &rows {
        let h = access_hash(&prev, r);
        update.execute(params![r.seq, h])?;
        prev = h;
    }
    Ok(())
}

/// Runs `f` with the append-only triggers `names` dropped, then puts them back exactly as they
/// were (same SQL), all inside the caller's transaction: the one sanctioned way around them
/// (access-log purge, anonymisation).
pub(crate) fn triggers_lifted<T>(
    conn: &Connection,
    names: &[&str],
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let mut saved = Vec::new();
    for name in names {
        let sql: String = conn.query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        // Trigger names come from the caller's constants, never from input.
        conn.execute_batch(&format!("DROP TRIGGER {name}"))?;
        saved.push(sql);
    }
    let value = f()?;
    for sql in saved {
        conn.execute_batch(&sql)?;
    }
    Ok(value)
}

/// The last purged access-log row (sequence number and hash): where the kept chain starts.
pub(crate) fn access_anchor(conn: &Connection) -> Result<Option<(i64, Vec<u8>)>> {
    let get = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    };
    let (Some(seq), Some(h)) = (
        get("access_log.anchor_seq")?,
        get("access_log.anchor_hash")?,
    ) else {
        return Ok(None);
    };
    Ok(seq.parse().ok().zip(from_hex(&h)))
}

pub(crate) fn set_access_anchor(conn: &Connection, seq: i64, h: &[u8]) -> Result<()> {
    super::set_meta(conn, "access_log.anchor_seq", &seq.to_string())?;
    super::set_meta(conn, "access_log.anchor_hash", &to_hex(h))
}

pub(crate) fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    s.len()
        .is_multiple_of(2)
        .then(|| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}

/// What `check` says about the chains: problems (one line each, naming the row) and the last
/// hash of each chain, to be noted by a responsible person.
pub(crate) struct Verdict {
    pub problems: Vec<String>,
    pub history_head: Option<String>,
    pub access_head: Option<String>,
}

/// Recomputes both chains.
pub(crate) fn verify(conn: &Connection) -> Result<Verdict> {
    let mut problems = Vec::new();

    let mut prev: Vec<u8> = Vec::new();
    let mut last_seq = 0i64;
    let mut st = conn.prepare(&format!(
        "SELECT {HISTORY_COLUMNS} FROM history ORDER BY seq"
    ))?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let (r, [salt, digest, stored]) = history_row(row)?;
        last_seq = r.seq;
        let Some(stored) = stored else {
            problems.push(format!(
                "historique : ligne {} non scellée (écrite hors du programme ?)",
                r.seq
            ));
            continue;
        };
        let digest_ok = match (&salt, &digest) {
            (Some(salt), Some(d)) => value_digest(salt, r.old.as_deref(), r.new.as_deref()) == *d,
            // Anonymised: the values are erased, the digest stays.
            (None, Some(_)) => [&r.old, &r.new]
                .iter()
                .all(|v| v.as_deref().is_none_or(|v| v == ERASED)),
            _ => false,
        };
        let link_ok = history_hash(&prev, &r, digest.as_deref().unwrap_or_default()) == stored;
        if !digest_ok || !link_ok {
            problems.push(format!(
                "historique : ligne {} ({} {} {}, {}) modifiée hors du programme ou chaîne rompue",
                r.seq, r.entity, r.entity_id, r.field, r.at
            ));
        }
        prev = stored;
    }
    let history_head = (!prev.is_empty()).then(|| to_hex(&prev));
    let allocated: i64 = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'history'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if allocated > last_seq {
        problems.push(format!(
            "historique : les lignes {} à {allocated} ont disparu",
            last_seq + 1
        ));
    }

    let anchor = access_anchor(conn)?;
    let mut prev: Vec<u8> = anchor.clone().map(|(_, h)| h).unwrap_or_default();
    let mut expected_seq = anchor.map_or(1, |(s, _)| s + 1);
    let mut st = conn.prepare(&format!(
        "SELECT {ACCESS_COLUMNS} FROM access_log ORDER BY seq"
    ))?;
    let mut rows = st.query([])?;
    let mut last_seq = expected_seq - 1;
    while let Some(row) = rows.next()? {
        let (r, stored) = access_row(row)?;
        if r.seq != expected_seq {
            problems.push(format!(
                "journal des accès : lignes {expected_seq} à {} manquantes",
                r.seq - 1
            ));
        }
        expected_seq = r.seq + 1;
        last_seq = r.seq;
        let Some(stored) = stored else {
            problems.push(format!(
                "journal des accès : ligne {} non scellée (écrite hors du programme ?)",
                r.seq
            ));
            continue;
        };
        if access_hash(&prev, &r) != stored {
            problems.push(format!(
                "journal des accès : ligne {} ({}, {}) modifiée hors du programme ou chaîne rompue",
                r.seq, r.at, r.action
            ));
        }
        prev = stored;
    }
    let access_head = (!prev.is_empty()).then(|| to_hex(&prev));
    let allocated: i64 = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'access_log'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if allocated > last_seq {
        problems.push(format!(
            "journal des accès : les lignes {} à {allocated} ont disparu",
            last_seq + 1
        ));
    }
    Ok(Verdict {
        problems,
        history_head,
        access_head,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let b = vec![0u8, 1, 0xab, 0xff];
        assert_eq!(from_hex(&to_hex(&b)), Some(b));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn digests_depend_on_salt_and_values() {
        let a = value_digest(b"salt", Some("Dupont"), None);
        assert_ne!(a, value_digest(b"salt", Some("Dupond"), None));
        assert_ne!(a, value_digest(b"sel", Some("Dupont"), None));
        assert_ne!(a, value_digest(b"salt", None, Some("Dupont")));
        assert_ne!(
            value_digest(b"s", Some(""), None),
            value_digest(b"s", None, None)
        );
    }
}
