//! The full-text index behind the interface's search and `guichet search`: one document per
//! request, kept by one code path.
//!
//! Every write goes through [`super::Store::write`]. An SQLite update hook notes which rows of
//! `request`, `person`, `follow_up`, `referral` and `event` the transaction touched; just before
//! the commit, [`flush`] maps them to their requests and rebuilds those documents from the
//! tables ([`reindex`]), in the same transaction. No write path has to remember to reindex, and
//! nothing depends on triggers in a file that may come from elsewhere.
//!
//! What a document holds, and how a query matches it (the brute-force test in `tests/search.rs`
//! checks the same rules against the tables):
//! - every text an agent types: reference, names, e-mail, profession, summary, follow-ups,
//!   referral notes and answer notes, the event's name — folded (lower case, no accents,
//!   invisible characters removed) into words; a query word matches a word it begins;
//! - names also without their apostrophes, hyphens and spaces, from each word on:
//!   "D'Aubigné" is found by "daubigne" and "aubigne", "Le Goff" by "legoff";
//! - phones by any grouping and any run of at least 3 digits: every digit suffix of the number
//!   (as typed, and with +33 folded to 0) of 3 digits or more is a word, so "34 56 78" and
//!   "3456" find "06 12 34 56 78".

use crate::error::Result;
use crate::text::{fold, is_invisible_format, phone_key};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::sync::{Arc, Mutex};

/// Text as the search sees it: invisible characters (zero-width, bidi, soft hyphen) dropped,
/// then folded into space-separated words.
pub fn search_words(s: &str) -> String {
    if s.chars().any(is_invisible_format) {
        let visible: String = s.chars().filter(|c| !is_invisible_format(*c)).collect();
        fold(&visible)
    } else {
        fold(s)
    }
}

/// Digits of a phone as the search indexes them: as typed, and with +33 folded to 0.
fn phone_digits(phone: &str) -> Vec<String> {
    let raw: String = phone.chars().filter(char::is_ascii_digit).collect();
    let key = phone_key(phone);
    let mut out = vec![key];
    if raw != out[0] {
        out.push(raw);
    }
    out.retain(|d| !d.is_empty());
    out
}

/// Shortest run of digits a phone is found by.
pub const MIN_PHONE_RUN: usize = 3;

/// The texts of one request, as read from the tables.
#[derive(Debug, Default, Clone)]
pub(crate) struct Source {
    pub reference: String,
    pub last_name: String,
    pub first_name: String,
    pub phone: String,
    pub email: String,
    pub profession: String,
    pub summary: String,
    pub event: String,
    /// Follow-up bodies, referral notes and answer notes.
    pub texts: Vec<String>,
}

fn push_words(doc: &mut String, text: &str) {
    let w = search_words(text);
    if !w.is_empty() {
        if !doc.is_empty() {
            doc.push(' ');
        }
        doc.push_str(&w);
    }
}

/// The indexed document of a request.
pub(crate) fn document(s: &Source) -> String {
    let mut doc = String::with_capacity(256);
    push_words(&mut doc, &s.reference);
    for name in [&s.last_name, &s.first_name] {
        let words = search_words(name);
        push_words(&mut doc, &words);
        let parts: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
        for i in 0..parts.len().saturating_sub(1) {
            doc.push(' ');
            doc.push_str(&parts[i..].concat());
        }
    }
    for digits in phone_digits(&s.phone) {
        let last = digits.len().saturating_sub(MIN_PHONE_RUN);
        for i in 0..=last {
            doc.push(' ');
            doc.push_str(&digits[i..]);
        }
    }
    for text in [&s.email, &s.profession, &s.summary, &s.event] {
        push_words(&mut doc, text);
    }
    for text in &s.texts {
        push_words(&mut doc, text);
    }
    doc
}

/// Where the texts of a request live. `?1` is the request's rowid.
const SOURCE_SQL: &str = "SELECT r.reference, p.last_name, p.first_name, p.phone, p.email, \
     p.profession, r.summary, coalesce(e.name, ''), \
     (SELECT group_concat(f.body, char(10)) FROM follow_up f WHERE f.request_id = r.id), \
     (SELECT group_concat(x.note || char(10) || x.answer_note, char(10)) \
        FROM referral x WHERE x.request_id = r.id) \
     FROM request r JOIN person p ON p.id = r.person_id LEFT JOIN event e ON e.id = r.event_id \
     WHERE r.rowid = ?1";

fn source(conn: &Connection, rowid: i64) -> Result<Option<Source>> {
    Ok(conn
        .prepare_cached(SOURCE_SQL)?
        .query_row([rowid], |r| {
            let mut texts = Vec::new();
            for i in [8, 9] {
                if let Some(t) = r.get::<_, Option<String>>(i)? {
                    texts.push(t);
                }
            }
            Ok(Source {
                reference: r.get(0)?,
                last_name: r.get(1)?,
                first_name: r.get(2)?,
                phone: r.get(3)?,
                email: r.get(4)?,
                profession: r.get(5)?,
                summary: r.get(6)?,
                event: r.get(7)?,
                texts,
            })
        })
        .optional()?)
}

/// Rebuilds the document of the request at `rowid` from the tables (removes it if the request
/// is gone).
fn reindex_rowid(tx: &Transaction<'_>, rowid: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([rowid])?;
    if let Some(s) = source(tx, rowid)? {
        tx.prepare_cached("INSERT INTO search (rowid, body) VALUES (?1, ?2)")?
            .execute(params![rowid, document(&s)])?;
    }
    Ok(())
}

/// Removes for good the documents of the requests at `rowids` (anonymisation): the index is
/// contentless, so a deleted document's words stay in its old segments behind a tombstone
/// until they are merged; `optimize` merges every segment now, and `secure_delete` zeroes the
/// pages they leave. The write's tracker then indexes the anonymised documents again.
pub(crate) fn erase_documents(tx: &Transaction<'_>, rowids: &[i64]) -> Result<()> {
    let mut st = tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?;
    for rowid in rowids {
        st.execute([rowid])?;
    }
    tx.execute("INSERT INTO search (search) VALUES ('optimize')", [])?;
    Ok(())
}

/// Rebuilds every document (after the migration that introduced this index).
pub(crate) fn rebuild_all(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("DELETE FROM search", [])?;
    let rowids: Vec<i64> = tx
        .prepare("SELECT rowid FROM request ORDER BY rowid")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for rowid in rowids {
        reindex_rowid(tx, rowid)?;
    }
    Ok(())
}

/// Rows a transaction touched, by table, as the update hook saw them.
#[derive(Debug, Default)]
struct Touched {
    requests: Vec<i64>,
    persons: Vec<i64>,
    follow_ups: Vec<i64>,
    referrals: Vec<i64>,
    events: Vec<i64>,
}

impl Touched {
    fn is_empty(&self) -> bool {
        self.requests.is_empty()
            && self.persons.is_empty()
            && self.follow_ups.is_empty()
            && self.referrals.is_empty()
            && self.events.is_empty()
    }
}

/// Notes the rows a connection's transactions touch (see the module's documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tracker(Arc<Mutex<Touched>>);

impl Tracker {
    /// Installs the update hook on `conn`.
    pub(crate) fn install(conn: &Connection) -> Result<Tracker> {
        let tracker = Tracker::default();
        let shared = Arc::clone(&tracker.0);
        conn.update_hook(Some(
            move |_: rusqlite::hooks::Action, db: &str, table: &str, rowid: i64| {
                if db != "main" {
                    return;
                }
                let Ok(mut t) = shared.lock() else { return };
                match table {
                    "request" => t.requests.push(rowid),
                    "person" => t.persons.push(rowid),
                    "follow_up" => t.follow_ups.push(rowid),
                    "referral" => t.referrals.push(rowid),
                    "event" => t.events.push(rowid),
                    _ => {}
                }
            },
        ))?;
        Ok(tracker)
    }

    /// Forgets what was noted (a transaction starts or was rolled back).
    pub(crate) fn clear(&self) {
        if let Ok(mut t) = self.0.lock() {
            *t = Touched::default();
        }
    }

    fn take(&self) -> Touched {
        self.0
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default()
    }

    /// Rebuilds, inside `tx`, the document of every request whose text the transaction
    /// changed. Called by `Store::write` just before the commit.
    pub(crate) fn flush(&self, tx: &Transaction<'_>) -> Result<()> {
        let touched = self.take();
        if touched.is_empty() {
            return Ok(());
        }
        let mut rowids = touched.requests;
        let mut via = |sql: &str, keys: &[i64]| -> Result<()> {
            let mut st = tx.prepare_cached(sql)?;
            for k in keys {
                for r in st.query_map([k], |r| r.get::<_, i64>(0))? {
                    rowids.push(r?);
                }
            }
            Ok(())
        };
        via(
            "SELECT r.rowid FROM person p JOIN request r ON r.person_id = p.id WHERE p.rowid = ?1",
            &touched.persons,
        )?;
        via(
            "SELECT r.rowid FROM follow_up f JOIN request r ON r.id = f.request_id WHERE f.rowid = ?1",
            &touched.follow_ups,
        )?;
        via(
            "SELECT r.rowid FROM referral x JOIN request r ON r.id = x.request_id WHERE x.rowid = ?1",
            &touched.referrals,
        )?;
        via(
            "SELECT r.rowid FROM event e JOIN request r ON r.event_id = e.id WHERE e.rowid = ?1",
            &touched.events,
        )?;
        rowids.sort_unstable();
        rowids.dedup();
        for rowid in rowids {
            reindex_rowid(tx, rowid)?;
        }
        // The index's own writes touch none of the tables above; nothing is left to note.
        self.clear();
        Ok(())
    }
}

/// An FTS5 query from what the agent typed: every word must match, each as a prefix.
/// "dup jea" -> `"dup"* "jea"*`. Consecutive groups of digits are one number as dictated: a
/// phone typed "06 12 34" finds "0612345678" by `"061234"*` — and "34 56" is the run "3456",
/// never a "34" and a "56" found apart in the number.
/// `None` when nothing searchable was typed.
pub fn match_query(input: &str) -> Option<String> {
    let folded = search_words(input);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let is_digits = |w: &str| w.bytes().all(|b| b.is_ascii_digit());
        let mut j = i + 1;
        if is_digits(words[i]) {
            while j < words.len() && is_digits(words[j]) {
                j += 1;
            }
        }
        parts.push(format!("\"{}\"*", words[i..j].concat()));
        i = j;
    }
    (!parts.is_empty()).then(|| parts.join(" "))
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
        assert_eq!(match_query("06 12 34").as_deref(), Some("\"061234\"*"));
        assert_eq!(
            match_query("Du\u{200b}pont").as_deref(),
            Some("\"dupont\"*")
        );
    }

    #[test]
    fn documents_hold_joined_names_and_phone_runs() {
        let doc = document(&Source {
            reference: "A26-00001".into(),
            last_name: "D'Aubigné".into(),
            first_name: "Jean-Pierre".into(),
            phone: "+33 6 12 34 56 78".into(),
            ..Default::default()
        });
        let words: Vec<&str> = doc.split(' ').collect();
        for w in [
            "daubigne",
            "aubigne",
            "jeanpierre",
            "0612345678",
            "345678",
            "678",
            "33612345678",
        ] {
            assert!(words.contains(&w), "{w} missing from {doc}");
        }
        assert!(!words.contains(&"78"));
    }
}
