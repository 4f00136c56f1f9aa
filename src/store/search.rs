//! The full-text index behind the interface's search: one document per request.

use crate::error::Result;
use crate::text::{fold, phone_key};
use rusqlite::{Transaction, params};

/// The searchable text of a request: reference, names, contacts (phone digits too, so "0612"
/// finds "06 12 …"), summary and every follow-up.
pub(crate) fn document(parts: &[&str], phone: &str) -> String {
    let mut doc = parts.join(" ");
    let digits = phone_key(phone);
    if !digits.is_empty() {
        doc.push(' ');
        doc.push_str(&digits);
    }
    doc
}

/// Rebuilds the document of one request from the file.
pub(crate) fn reindex(tx: &Transaction<'_>, request_id: &str) -> Result<()> {
    let (rowid, doc): (i64, String) = tx.query_row(
        "SELECT r.rowid, r.reference, p.last_name, p.first_name, p.email, p.phone, r.summary, \
         (SELECT group_concat(body, ' ') FROM follow_up f WHERE f.request_id = r.id) \
         FROM request r JOIN person p ON p.id = r.person_id WHERE r.id = ?1",
        [request_id],
        |r| {
            let phone: String = r.get(5)?;
            let parts: Vec<String> = (1..=6)
                .filter(|i| *i != 5)
                .map(|i| r.get::<_, Option<String>>(i).map(Option::unwrap_or_default))
                .collect::<rusqlite::Result<_>>()?;
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            Ok((r.get(0)?, document(&refs, &phone)))
        },
    )?;
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([rowid])?;
    tx.prepare_cached("INSERT INTO search (rowid, body) VALUES (?1, ?2)")?
        .execute(params![rowid, doc])?;
    Ok(())
}

/// Rebuilds the documents of every request of a person (their name or contacts changed).
pub(crate) fn reindex_person(tx: &Transaction<'_>, person_id: &str) -> Result<()> {
    let ids: Vec<String> = tx
        .prepare_cached("SELECT id FROM request WHERE person_id = ?1")?
        .query_map([person_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        reindex(tx, &id)?;
    }
    Ok(())
}

/// An FTS5 query from what the agent typed: every word must match, each as a prefix.
/// "dup jea" -> `"dup"* "jea"*`. `None` when nothing searchable was typed.
pub fn match_query(input: &str) -> Option<String> {
    let words: Vec<String> = fold(input)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_prefixes_of_folded_words() {
        assert_eq!(match_query("Dup jéa").as_deref(), Some("\"dup\"* \"jea\"*"));
        assert_eq!(
            match_query("A26-00042").as_deref(),
            Some("\"a26\"* \"00042\"*")
        );
        assert_eq!(match_query(" \"*( ").as_deref(), None);
    }
}
