//! Salon mode: a laptop file for a fair, and merging it back into the office file.
//!
//! - `prepare` writes a laptop file with the office's reference lists, the event and a reference
//!   series of its own — but nobody's personal data (data minimisation). `full` takes a complete
//!   copy instead, remembering each record's version so that a merge can tell road edits from
//!   office edits.
//! - `merge` treats the laptop file as untrusted: identity, schema version, integrity, and every
//!   schema object compared with this binary's own, so no foreign trigger or view can exist (and
//!   the file is only ever read). The merge is all or nothing in short transactions (`job`):
//!   killed while staging, the office file is as before; killed while publishing, it is finished
//!   by the next opening. New records are added; a likely duplicate of an office person is held for
//!   review with everything captured for them; a record edited on both sides keeps both versions
//!   for review. Merging the same file again adds nothing.

use crate::error::{Error, Result};
use crate::store::{self, Ctx, Store};
use crate::text::{email_key, name_key, phone_key};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value as Json};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use uuid::Uuid;

mod job;

/// How a laptop file came to be (`meta.role`).
pub const ROLE_SALON: &str = "salon";
pub const ROLE_FULL: &str = "full_copy";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub series: String,
    pub event: String,
    pub held_on: NaiveDate,
    pub persons: i64,
}

/// The next reference series letter for a laptop: B, C, … Z, BA, BB…
fn series_letters(mut n: i64) -> String {
    let mut out = Vec::new();
    loop {
        out.push((b'B' + (n % 25) as u8) as char);
        n /= 25;
        if n == 0 {
            break;
        }
    }
    out.iter().rev().collect()
}

/// Writes the laptop file for a fair at `out` (which must not exist).
pub fn prepare(
    office: &mut Store,
    event: &str,
    held_on: NaiveDate,
    place: &str,
    out: &Path,
    full: bool,
) -> Result<Prepared> {
    prepare_keyed(office, event, held_on, place, out, full, None)
}

/// [`prepare`], the laptop file encrypted with `key` when given (written encrypted from the
/// start: no clear copy ever touches the disk).
pub fn prepare_keyed(
    office: &mut Store,
    event: &str,
    held_on: NaiveDate,
    place: &str,
    out: &Path,
    full: bool,
    key: Option<&str>,
) -> Result<Prepared> {
    if out.exists() {
        return Err(Error::File {
            path: out.to_path_buf(),
            why: "le fichier existe déjà : choisissez un autre nom".into(),
        });
    }
    // The office file is written last, once the laptop file is whole: a prepare that fails
    // (destination not writable, disk full) changes nothing in it. The event and the series
    // letter are decided first by reading.
    let name = crate::text::clean_field(event);
    let place = crate::text::clean_field(place);
    if name.is_empty() {
        return Err(Error::input("le nom de l'événement est vide"));
    }
    let known = store::refdata::find_event(office.conn(), &name, held_on)?;
    let ev = match &known {
        Some(id) => office
            .events()?
            .into_iter()
            .find(|e| e.id == *id)
            .ok_or_else(|| Error::input("événement introuvable"))?,
        None => store::Event {
            id: Uuid::now_v7().to_string(),
            name: name.trim().to_string(),
            held_on,
            place: place.clone(),
        },
    };
    let last_series: Option<i64> = office
        .conn()
        .query_row(
            "SELECT value FROM counter WHERE name = 'salon_series'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let series_n = last_series.map_or(0, |v| v + 1);
    let series = series_letters(series_n);
    let office_id = office.meta("file_id")?.unwrap_or_default();
    let remove_laptop = || {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = out.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    };
    let made = if full {
        let copied = match key {
            Some(k) => office.export_encrypted(out, k).map(|_| ()),
            None => office.backup(out).map(|_| ()),
        };
        copied.and_then(|()| Store::open_keyed(out, key))
    } else {
        Store::open_keyed(out, key)
    };
    let mut laptop = match made {
        Ok(l) => l,
        Err(e) => {
            // `out` did not exist: whatever is there now is this prepare's, half-made.
            remove_laptop();
            return Err(e);
        }
    };
    let result = (|| {
        let lists = ReferenceLists::read(office)?;
        let housing = crate::housing::stand::register_for_laptop(office)?;
        laptop.write(|tx, ctx| {
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'file_id'",
                [Uuid::now_v7().to_string()],
            )?;
            for (k, v) in [
                ("series", series.as_str()),
                ("role", if full { ROLE_FULL } else { ROLE_SALON }),
                ("origin", office_id.as_str()),
                ("event_id", ev.id.as_str()),
            ] {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![k, v],
                )?;
            }
            if full {
                // The office's unsaved forms (drafts of its agents) do not travel.
                tx.execute("DELETE FROM draft", [])?;
                for (entity, table) in [("person", "person"), ("request", "request"), ("referral", "referral")] {
                    // Table names come from this list, never from input.
                    tx.execute(
                        &format!("INSERT INTO merge_base (entity, id, version) SELECT '{entity}', id, version FROM {table}"),
                        [],
                    )?;
                }
            } else {
                lists.write(tx)?;
                crate::housing::stand::write_on_laptop(tx, &housing)?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO event (id, name, held_on, place, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![ev.id, ev.name, ev.held_on, ev.place, ctx.now()],
            )?;
            Ok(())
        })?;
        let persons: i64 = laptop
            .conn()
            .query_row("SELECT count(*) FROM person", [], |r| r.get(0))?;
        fail_prepare_for_tests()?;
        // Now the office: the event (if new) and the series letter, as decided above — unless
        // another post took them meanwhile, and then nothing is written.
        office.write(|tx, ctx| {
            match store::refdata::find_event(tx, &ev.name, held_on)? {
                Some(id) if id == ev.id => {}
                Some(_) => return Err(taken()),
                None if known.is_some() => return Err(taken()),
                None => store::refdata::insert_event(tx, ctx, &ev.id, &ev.name, held_on)?,
            }
            tx.execute(
                "UPDATE event SET place = ?2 WHERE id = ?1 AND place = ''",
                params![ev.id, place],
            )?;
            let n: i64 = tx.query_row(
                "INSERT INTO counter (name, value) VALUES ('salon_series', 0) \
                 ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                [],
                |r| r.get(0),
            )?;
            if n != series_n {
                return Err(taken());
            }
            Ok(())
        })?;
        Ok(persons)
    })();
    match result {
        Ok(persons) => Ok(Prepared {
            series,
            event: ev.name,
            held_on: ev.held_on,
            persons,
        }),
        Err(e) => {
            drop(laptop);
            remove_laptop();
            Err(e)
        }
    }
}

fn taken() -> Error {
    Error::input(
        "un autre poste a préparé un portable en même temps : rien n'a été écrit, recommencez",
    )
}

/// Test hook (debug builds only): `GUICHET_TEST_SALON_FAIL=1` makes a prepare fail once the
/// laptop file is written, before the office file is touched (as a full disk would).
fn fail_prepare_for_tests() -> Result<()> {
    #[cfg(debug_assertions)]
    if std::env::var("GUICHET_TEST_SALON_FAIL").is_ok() {
        return Err(Error::Fault {
            path: std::path::PathBuf::from("salon"),
            why: "échec simulé de la préparation : rien n'a été écrit".into(),
        });
    }
    Ok(())
}

/// The office's configurable lists, copied onto a laptop (replacing the seeded ones).
struct ReferenceLists {
    tables: Vec<TableRows>,
}

/// A table's name, its column names and its rows.
type TableRows = (&'static str, Vec<String>, Vec<Vec<Value>>);

impl ReferenceLists {
    fn read(store: &Store) -> Result<ReferenceLists> {
        let mut tables = Vec::new();
        // Schemes refer to types too (aids, migration 2).
        for t in [
            "request_type",
            "channel",
            "partner",
            "agent",
            "offer",
            "scheme",
        ] {
            let (cols, rows) = read_table(store.conn(), t)?;
            tables.push((t, cols, rows));
        }
        Ok(ReferenceLists { tables })
    }

    fn write(&self, tx: &Transaction<'_>) -> Result<()> {
        // Offers refer to types: emptied first, filled last.
        for (t, _, _) in self.tables.iter().rev() {
            tx.execute(&format!("DELETE FROM {t}"), [])?;
        }
        for (t, cols, rows) in &self.tables {
            for row in rows {
                insert_row(tx, t, cols, row)?;
            }
        }
        Ok(())
    }
}

/// Column names and rows of one table (names from this module's lists, never from input).
fn read_table(conn: &Connection, table: &str) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
    let mut st = conn.prepare(&format!("SELECT * FROM {table}"))?;
    let cols: Vec<String> = st.column_names().iter().map(|c| c.to_string()).collect();
    let n = cols.len();
    let rows = st
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((cols, rows))
}

fn insert_row(tx: &Transaction<'_>, table: &str, cols: &[String], row: &[Value]) -> Result<()> {
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        cols.join(", "),
        placeholders.join(", ")
    );
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(row.iter()))?;
    Ok(())
}

/// One row read from the laptop, by column name.
#[derive(Debug, Clone)]
struct Rec {
    cols: std::rc::Rc<Vec<String>>,
    vals: Vec<Value>,
}

impl Rec {
    fn get(&self, col: &str) -> &Value {
        self.cols
            .iter()
            .position(|c| c == col)
            .and_then(|i| self.vals.get(i))
            .unwrap_or(&Value::Null)
    }

    fn text(&self, col: &str) -> String {
        match self.get(col) {
            Value::Text(s) => s.clone(),
            Value::Integer(n) => n.to_string(),
            _ => String::new(),
        }
    }

    fn int(&self, col: &str) -> i64 {
        match self.get(col) {
            Value::Integer(n) => *n,
            _ => 0,
        }
    }

    fn set(&mut self, col: &str, v: Value) {
        if let Some(i) = self.cols.iter().position(|c| c == col) {
            self.vals[i] = v;
        }
    }

    fn to_json(&self) -> Json {
        let mut m = Map::new();
        for (c, v) in self.cols.iter().zip(&self.vals) {
            m.insert(
                c.clone(),
                match v {
                    Value::Null => Json::Null,
                    Value::Integer(n) => Json::from(*n),
                    Value::Real(x) => Json::from(*x),
                    Value::Text(s) => Json::from(s.clone()),
                    Value::Blob(_) => Json::Null,
                },
            );
        }
        Json::Object(m)
    }

    fn from_json(j: &Json) -> Option<Rec> {
        let m = j.as_object()?;
        let cols: Vec<String> = m.keys().cloned().collect();
        let vals = m
            .values()
            .map(|v| match v {
                Json::Null => Value::Null,
                Json::Number(n) if n.is_i64() => Value::Integer(n.as_i64().unwrap_or(0)),
                Json::Number(n) => Value::Real(n.as_f64().unwrap_or(0.0)),
                Json::String(s) => Value::Text(s.clone()),
                other => Value::Text(other.to_string()),
            })
            .collect();
        Some(Rec {
            cols: std::rc::Rc::new(cols),
            vals,
        })
    }

    fn insert(&self, tx: &Transaction<'_>, table: &str) -> Result<()> {
        insert_row(tx, table, &self.cols, &self.vals)
    }
}

fn read_recs(conn: &Connection, table: &str) -> Result<Vec<Rec>> {
    let (cols, rows) = read_table(conn, table)?;
    let cols = std::rc::Rc::new(cols);
    Ok(rows
        .into_iter()
        .map(|vals| Rec {
            cols: cols.clone(),
            vals,
        })
        .collect())
}

/// A copy in memory of an older laptop file, migrated to this program's schema. An encrypted
/// file cannot be copied this way (SQLCipher refuses a backup to a plain database): the caller
/// says how to update it.
fn upgraded_copy(conn: &Connection) -> Result<Connection> {
    let mut mem = Connection::open_in_memory()?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut mem)?;
        backup.run_to_completion(256, std::time::Duration::ZERO, None)?;
    }
    store::migrate_to(&mem, store::SCHEMA_VERSION)?;
    Ok(mem)
}

/// Opens a laptop file read-only after checking it is a guichet file of this version, intact,
/// and with exactly this binary's schema (no trigger or view of its own).
pub fn open_untrusted(path: &Path) -> Result<Connection> {
    let refuse = |why: String| Error::NotGuichet {
        path: path.to_path_buf(),
        why,
    };
    if !path.exists() {
        return Err(Error::File {
            path: path.to_path_buf(),
            why: "fichier introuvable".into(),
        });
    }
    let (conn, _key) = crate::store::open_foreign(path)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let conn = if version > store::SCHEMA_VERSION {
        return Err(refuse(format!(
            "fichier d'une version plus récente de guichet (schéma {version}, ce programme lit le schéma {}) : fusionnez-le avec cette version-là",
            store::SCHEMA_VERSION
        )));
    } else if version < store::SCHEMA_VERSION {
        // Prepared before the office's program was updated: brought up to date in memory,
        // the laptop's file itself left as it is (nothing written beside it either).
        upgraded_copy(&conn).map_err(|_| {
            refuse(format!(
                "fichier d'une version antérieure (schéma {version}, ce programme lit le schéma {}) qui n'a pas pu être mis à jour en mémoire : ouvrez-le d'abord une fois avec ce programme (guichet --db {} check), puis fusionnez-le",
                store::SCHEMA_VERSION,
                crate::store::shell_quoted(path)
            ))
        })?
    } else {
        conn
    };
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| refuse(format!("fichier endommagé : {e}")))?;
    if check != "ok" {
        return Err(refuse(format!("fichier endommagé : {check}")));
    }
    let reference = Store::open_in_memory()?;
    let objects = |c: &Connection| -> rusqlite::Result<HashSet<(String, String, Option<String>)>> {
        let mut st = c.prepare("SELECT type, name, sql FROM sqlite_schema")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    };
    let expected = objects(reference.conn())?;
    let found = objects(&conn).map_err(|e| refuse(format!("schéma illisible : {e}")))?;
    if let Some((kind, name, _)) = found.difference(&expected).next() {
        return Err(refuse(format!(
            "le fichier contient un objet inattendu ({kind} « {name} ») : il n'a pas été fusionné"
        )));
    }
    if let Some((kind, name, _)) = expected.difference(&found).next() {
        return Err(refuse(format!(
            "il manque au fichier l'objet {kind} « {name} »"
        )));
    }
    Ok(conn)
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MergeReport {
    pub file_id: String,
    pub added_persons: usize,
    pub added_requests: usize,
    pub added_follow_ups: usize,
    pub added_referrals: usize,
    pub added_events: usize,
    pub updated: usize,
    pub already_present: usize,
    pub pending_duplicates: usize,
    pub conflicts: usize,
    pub renumbered: Vec<(String, String)>,
    /// Stand interests in a housing place, brought back as proposals.
    pub housing_proposals: usize,
}

/// Everything read from the laptop.
struct Laptop {
    file_id: String,
    events: Vec<Rec>,
    agents: Vec<Rec>,
    types: Vec<Rec>,
    channels: Vec<Rec>,
    partners: Vec<Rec>,
    persons: Vec<Rec>,
    requests: Vec<Rec>,
    follow_ups: Vec<Rec>,
    referrals: Vec<Rec>,
    history: Vec<Rec>,
    base: HashMap<(String, String), i64>,
}

fn read_laptop(conn: &Connection) -> Result<Laptop> {
    let file_id: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'file_id'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_default();
    let base = read_recs(conn, "merge_base")?
        .into_iter()
        .map(|r| ((r.text("entity"), r.text("id")), r.int("version")))
        .collect();
    Ok(Laptop {
        file_id,
        events: read_recs(conn, "event")?,
        agents: read_recs(conn, "agent")?,
        types: read_recs(conn, "request_type")?,
        channels: read_recs(conn, "channel")?,
        partners: read_recs(conn, "partner")?,
        persons: read_recs(conn, "person")?,
        requests: read_recs(conn, "request")?,
        follow_ups: read_recs(conn, "follow_up")?,
        referrals: read_recs(conn, "referral")?,
        history: read_recs(conn, "history")?,
        base,
    })
}

fn exists(tx: &Transaction<'_>, table: &str, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"
        ))?
        .query_row([id], |r| r.get(0))?)
}

fn version_of(tx: &Transaction<'_>, table: &str, id: &str) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached(&format!("SELECT version FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// A laptop record whose id the office already has must come from the office (a full copy:
/// its id is in `merge_base`) or from an earlier merge of a laptop (same creation stamp).
/// Anything else — an id set to an office record's — is refused: the file is untrusted.
fn check_origin(tx: &Transaction<'_>, l: &Laptop, table: &str, r: &Rec) -> Result<()> {
    let id = r.text("id");
    if l.base.contains_key(&(table.to_string(), id.clone())) {
        return Ok(());
    }
    let (at, by, what_it_is) = store::merge::creation_stamp(tx, table, &id)?;
    let same_thing = match table {
        "person" => name_key(&r.text("last_name"), &r.text("first_name")) == what_it_is,
        "request" => r.text("type_code") == what_it_is,
        "follow_up" => r.text("kind") == what_it_is,
        _ => r.text("sent_on") == what_it_is,
    };
    if at == r.text("created_at") && by == r.text("created_by") && same_thing {
        return Ok(());
    }
    let what = match table {
        "person" => "une personne",
        "request" => "une demande",
        "follow_up" => "un suivi",
        _ => "une orientation",
    };
    Err(Error::input(format!(
        "fichier refusé : {what} du portable porte l'identifiant {id}, déjà pris au bureau par \
         un autre enregistrement (créé le {} par {}) ; rien n'a été fusionné",
        store::fr_timestamp(&at),
        crate::text::display_safe(&by)
    )))
}

/// Merges the laptop file at `path` into the office file: all of it or nothing, in short
/// transactions that let colleagues save meanwhile (see [`job`]).
pub fn merge(office: &mut Store, path: &Path) -> Result<MergeReport> {
    let conn = open_untrusted(path)?;
    let laptop = read_laptop(&conn)?;
    let interests = crate::housing::stand::interests_of_laptop(&conn)?;
    drop(conn);
    if office.meta("file_id")?.as_deref() == Some(laptop.file_id.as_str()) {
        return Err(Error::input(
            "c'est le fichier du bureau lui-même : rien à fusionner",
        ));
    }
    job::merge(office, &laptop, &interests)
}

/// Laptop ids of partners, agents and events → the office's, where the office already had them.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Maps {
    partners: HashMap<String, String>,
    agents: HashMap<String, String>,
    events: HashMap<String, String>,
}

/// Laptop records grouped the way the merge walks them: a person's requests, a request's
/// follow-ups and referrals, an entity's history lines.
struct Groups<'a> {
    requests_of: HashMap<String, Vec<&'a Rec>>,
    follow_ups_of: HashMap<String, Vec<&'a Rec>>,
    referrals_of: HashMap<String, Vec<&'a Rec>>,
    history_of: HashMap<String, Vec<&'a Rec>>,
}

impl<'a> Groups<'a> {
    fn of(l: &'a Laptop) -> Groups<'a> {
        let group = |recs: &'a [Rec], col: &str| {
            let mut m: HashMap<String, Vec<&'a Rec>> = HashMap::new();
            for r in recs {
                m.entry(r.text(col)).or_default().push(r);
            }
            m
        };
        Groups {
            requests_of: group(&l.requests, "person_id"),
            follow_ups_of: group(&l.follow_ups, "request_id"),
            referrals_of: group(&l.referrals, "request_id"),
            history_of: group(&l.history, "entity_id"),
        }
    }

    fn requests(&self, person: &str) -> Vec<&'a Rec> {
        self.requests_of.get(person).cloned().unwrap_or_default()
    }

    fn follow_ups(&self, request: &str) -> &[&'a Rec] {
        self.follow_ups_of
            .get(request)
            .map_or(&[], |v| v.as_slice())
    }

    fn referrals(&self, request: &str) -> &[&'a Rec] {
        self.referrals_of.get(request).map_or(&[], |v| v.as_slice())
    }

    fn history(&self, entity: &str) -> &[&'a Rec] {
        self.history_of.get(entity).map_or(&[], |v| v.as_slice())
    }
}

/// Refuses the file when one of its records carries the id of an office record it does not come
/// from ([`check_origin`]), walking the records as the merge does. Run before anything is written.
fn check_origins(tx: &Transaction<'_>, l: &Laptop) -> Result<()> {
    let g = Groups::of(l);
    for p in &l.persons {
        let pid = p.text("id");
        if exists(tx, "person", &pid)? {
            check_origin(tx, l, "person", p)?;
        } else if is_held(tx, &l.file_id, &pid, "duplicate")? {
            continue;
        }
        for r in g.requests(&pid) {
            let rid = r.text("id");
            if exists(tx, "request", &rid)? {
                check_origin(tx, l, "request", r)?;
            }
            for f in g.follow_ups(&rid) {
                if exists(tx, "follow_up", &f.text("id"))? {
                    check_origin(tx, l, "follow_up", f)?;
                }
            }
            for f in g.referrals(&rid) {
                if exists(tx, "referral", &f.text("id"))? {
                    check_origin(tx, l, "referral", f)?;
                }
            }
        }
    }
    Ok(())
}

/// Reference lists: anything unknown to the office is added; agents and events are matched by
/// id, then by name (and date).
fn merge_lists(tx: &Transaction<'_>, l: &Laptop, report: &mut MergeReport) -> Result<Maps> {
    for (table, recs) in [("request_type", &l.types), ("channel", &l.channels)] {
        for r in recs.iter() {
            let code = r.text("code");
            let known: bool = tx
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM {table} WHERE code = ?1)"
                ))?
                .query_row([&code], |row| row.get(0))?;
            if !known {
                r.insert(tx, table)?;
            }
        }
    }
    let mut partner_map: HashMap<String, String> = HashMap::new();
    for p in &l.partners {
        let office_id: Option<String> = tx
            .prepare_cached(
                "SELECT id FROM partner WHERE id = ?1 OR code = ?2 ORDER BY id = ?1 DESC LIMIT 1",
            )?
            .query_row(params![p.text("id"), p.text("code")], |r| r.get(0))
            .optional()?;
        match office_id {
            Some(id) => {
                partner_map.insert(p.text("id"), id);
            }
            None => p.insert(tx, "partner")?,
        }
    }
    let mut agent_map: HashMap<String, String> = HashMap::new();
    for a in &l.agents {
        let office_id: Option<String> = tx
            .prepare_cached(
                "SELECT id FROM agent WHERE id = ?1 OR name_key = ?2 ORDER BY id = ?1 DESC LIMIT 1",
            )?
            .query_row(params![a.text("id"), a.text("name_key")], |r| r.get(0))
            .optional()?;
        match office_id {
            Some(id) => {
                agent_map.insert(a.text("id"), id);
            }
            None => a.insert(tx, "agent")?,
        }
    }
    let mut event_map: HashMap<String, String> = HashMap::new();
    for e in &l.events {
        let office_id: Option<String> = tx
            .prepare_cached("SELECT id FROM event WHERE id = ?1 OR (name = ?2 AND held_on = ?3) ORDER BY id = ?1 DESC LIMIT 1")?
            .query_row(params![e.text("id"), e.text("name"), e.text("held_on")], |r| r.get(0))
            .optional()?;
        match office_id {
            Some(id) => {
                event_map.insert(e.text("id"), id);
            }
            None => {
                e.insert(tx, "event")?;
                report.added_events += 1;
            }
        }
    }
    Ok(Maps {
        partners: partner_map,
        agents: agent_map,
        events: event_map,
    })
}

/// Merges the laptop's persons, each with everything captured for them. The records carrying an
/// office id were checked by [`check_origins`] before the merge was decided: a merge being
/// published is not refused half-way. `step` is called after each new person and each request
/// (a test hook kills the process there).
fn merge_people(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    l: &Laptop,
    maps: &Maps,
    report: &mut MergeReport,
    step: &mut dyn FnMut(),
) -> Result<()> {
    let (agent_map, event_map, partner_map) = (&maps.agents, &maps.events, &maps.partners);
    let remap = |m: &HashMap<String, String>, r: &mut Rec, col: &str| {
        let v = r.text(col);
        if let Some(to) = m.get(&v) {
            r.set(col, Value::Text(to.clone()));
        }
    };

    let g = Groups::of(l);
    let history_of = &g.history_of;
    for p in &l.persons {
        let pid = p.text("id");
        let requests = g.requests(&pid);
        if exists(tx, "person", &pid)? {
            // Known to the office (a full copy, or merged before; its origin was checked before
            // the merge was decided, by `check_origins`): its own edits are merged, its
            // requests one by one below.
            update_or_conflict(tx, ctx, l, "person", p, report)?;
        } else if is_held(tx, &l.file_id, &pid, "duplicate")? {
            // Decided "same person" after an earlier merge of this file: nothing new.
            report.already_present += requests.len();
            continue;
        } else {
            let candidates = store::merge::candidates(
                tx,
                &name_key(&p.text("last_name"), &p.text("first_name")),
                &p.text("birth_date"),
                &email_key(&p.text("email")),
                &phone_key(&p.text("phone")),
            )?;
            // Added in any case, so its requests count under their event at once; a likely
            // duplicate (the documented rule) is also held for an agent to decide.
            p.insert(tx, "person")?;
            copy_history(tx, history_of, &pid)?;
            report.added_persons += 1;
            if !candidates.is_empty() {
                let bundle = bundle(p, &requests, &g);
                let summary = format!(
                    "{} {} ({} demande(s))",
                    p.text("last_name"),
                    p.text("first_name"),
                    requests.len()
                );
                store::merge::hold_duplicate(
                    tx,
                    ctx,
                    &l.file_id,
                    &pid,
                    &candidates,
                    &summary,
                    &bundle.to_string(),
                )?;
                report.pending_duplicates += 1;
            }
            step();
        }
        for r in requests {
            let rid = r.text("id");
            if exists(tx, "request", &rid)? {
                if !update_or_conflict(tx, ctx, l, "request", r, report)? {
                    report.already_present += 1;
                }
            } else {
                let mut r = r.clone();
                remap(agent_map, &mut r, "agent_id");
                remap(event_map, &mut r, "event_id");
                insert_request(tx, ctx, &mut r, report)?;
                copy_history(tx, history_of, &rid)?;
                report.added_requests += 1;
            }
            for f in g.follow_ups(&rid) {
                if !exists(tx, "follow_up", &f.text("id"))? {
                    f.insert(tx, "follow_up")?;
                    report.added_follow_ups += 1;
                }
            }
            for f in g.referrals(&rid) {
                let fid = f.text("id");
                if exists(tx, "referral", &fid)? {
                    update_or_conflict(tx, ctx, l, "referral", f, report)?;
                } else {
                    let mut f = (*f).clone();
                    remap(partner_map, &mut f, "partner_id");
                    f.insert(tx, "referral")?;
                    copy_history(tx, history_of, &fid)?;
                    report.added_referrals += 1;
                }
            }
            step();
        }
    }
    Ok(())
}

/// Records the merge in `merge_log`, unless it changed nothing (merged before: the office file
/// is left exactly as it was).
fn log_merge(tx: &Transaction<'_>, ctx: &Ctx, report: &MergeReport) -> Result<()> {
    let changed = report.added_persons
        + report.added_requests
        + report.added_follow_ups
        + report.added_referrals
        + report.added_events
        + report.updated
        + report.pending_duplicates
        + report.conflicts;
    if changed == 0 {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO merge_log (file_id, merged_at, actor, added_persons, added_requests, pending, skipped) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            report.file_id,
            ctx.now(),
            ctx.actor,
            report.added_persons as i64,
            report.added_requests as i64,
            (report.pending_duplicates + report.conflicts) as i64,
            report.already_present as i64
        ],
    )?;
    Ok(())
}

/// A laptop request keeps its reference unless the office already uses it (a laptop not
/// prepared from this office): then it gets the office's next one, said in its history.
fn insert_request(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    r: &mut Rec,
    report: &mut MergeReport,
) -> Result<()> {
    let reference = r.text("reference");
    let taken: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM request WHERE reference = ?1)")?
        .query_row([&reference], |row| row.get(0))?;
    if taken {
        let received =
            NaiveDate::parse_from_str(&r.text("received_on"), "%Y-%m-%d").unwrap_or(ctx.today);
        let new = crate::store::next_reference(tx, received)?;
        r.set("reference", Value::Text(new.clone()));
        r.insert(tx, "request")?;
        crate::store::record(
            tx,
            ctx,
            "request",
            &r.text("id"),
            "reference",
            Some(&reference),
            Some(&new),
        )?;
        report.renumbered.push((reference, new));
    } else {
        r.insert(tx, "request")?;
    }
    Ok(())
}

fn copy_history(
    tx: &Transaction<'_>,
    history_of: &HashMap<String, Vec<&Rec>>,
    id: &str,
) -> Result<()> {
    for h in history_of.get(id).into_iter().flatten() {
        insert_history(tx, h)?;
    }
    Ok(())
}

/// A laptop history line, kept as it was (who and when on the road). The history's own sequence
/// number is the office's.
fn insert_history(tx: &Transaction<'_>, h: &Rec) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO history (at, actor, entity, entity_id, field, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        h.get("at"),
        h.get("actor"),
        h.get("entity"),
        h.get("entity_id"),
        h.get("field"),
        h.get("old_value"),
        h.get("new_value")
    ])?;
    Ok(())
}

/// Whether this laptop record is already held for a decision of that kind.
fn is_held(tx: &Transaction<'_>, file_id: &str, laptop_id: &str, kind: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM merge_pending WHERE source_file = ?1 AND laptop_id = ?2 AND kind = ?3)",
        )?
        .query_row(params![file_id, laptop_id, kind], |r| r.get(0))?)
}

/// For a record the office already has: the laptop's edit is applied when the office did not
/// change it since the copy; when both changed it, the laptop's version is kept for review.
/// Returns whether the office record was updated.
fn update_or_conflict(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    l: &Laptop,
    entity: &str,
    r: &Rec,
    report: &mut MergeReport,
) -> Result<bool> {
    let id = r.text("id");
    let Some(base) = l.base.get(&(entity.to_string(), id.clone())).copied() else {
        return Ok(false); // not copied from the office: merged before, nothing to compare
    };
    let laptop_version = r.int("version");
    let office_version = version_of(tx, entity, &id)?.unwrap_or(base);
    if laptop_version == base {
        return Ok(false); // not edited on the road
    }
    if office_version == base {
        apply_version(tx, ctx, entity, r, office_version)?;
        report.updated += 1;
        return Ok(true);
    }
    if !is_held(tx, &l.file_id, &id, "conflict")? {
        let summary = match entity {
            "request" => format!("demande {}", r.text("reference")),
            "person" => format!("{} {}", r.text("last_name"), r.text("first_name")),
            _ => format!("orientation {id}"),
        };
        tx.execute(
            "INSERT INTO merge_pending (id, kind, source_file, entity, laptop_id, office_id, summary, payload, created_at) \
             VALUES (?1, 'conflict', ?2, ?3, ?4, ?4, ?5, ?6, ?7)",
            params![Uuid::now_v7().to_string(), l.file_id, entity, id, summary, r.to_json().to_string(), ctx.now()],
        )?;
        report.conflicts += 1;
    }
    Ok(false)
}

/// Writes the laptop's values of a record over the office's (version `office_version` + 1),
/// each changed field in the history.
fn apply_version(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    entity: &str,
    r: &Rec,
    office_version: i64,
) -> Result<()> {
    let id = r.text("id");
    let office = read_row(tx, entity, &id)?;
    let (cols, rows) = (office.cols.as_slice(), office.vals);
    let skip = ["id", "version", "created_at", "created_by"];
    let mut sets = Vec::new();
    let mut vals: Vec<Value> = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        if skip.contains(&c.as_str()) {
            continue;
        }
        let new = r.get(c).clone();
        if new != rows[i] {
            let show = |v: &Value| match v {
                Value::Text(s) => Some(s.clone()),
                Value::Integer(n) => Some(n.to_string()),
                _ => None,
            };
            crate::store::record(
                tx,
                ctx,
                entity,
                &id,
                c,
                show(&rows[i]).as_deref(),
                show(&new).as_deref(),
            )?;
            vals.push(new);
            sets.push(format!("{c} = ?{}", vals.len()));
        }
    }
    if sets.is_empty() {
        return Ok(());
    }
    vals.push(Value::Integer(office_version + 1));
    sets.push(format!("version = ?{}", vals.len()));
    vals.push(Value::Text(id));
    let sql = format!(
        "UPDATE {entity} SET {} WHERE id = ?{}",
        sets.join(", "),
        vals.len()
    );
    tx.execute(&sql, rusqlite::params_from_iter(vals.iter()))?;
    Ok(())
}

/// A laptop person with everything captured for them, as JSON (held for review).
fn bundle(p: &Rec, requests: &[&Rec], g: &Groups<'_>) -> Json {
    let list = |recs: Vec<&Rec>| Json::Array(recs.iter().map(|r| r.to_json()).collect());
    let ids: Vec<String> = requests.iter().map(|r| r.text("id")).collect();
    let mut hist: Vec<&Rec> = g.history(&p.text("id")).to_vec();
    let mut fus = Vec::new();
    let mut refs = Vec::new();
    for id in &ids {
        fus.extend_from_slice(g.follow_ups(id));
        refs.extend_from_slice(g.referrals(id));
        hist.extend_from_slice(g.history(id));
    }
    serde_json::json!({
        "person": p.to_json(),
        "requests": list(requests.to_vec()),
        "follow_ups": list(fus),
        "referrals": list(refs),
        "history": list(hist),
    })
}

/// An item awaiting an agent's decision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pending {
    pub id: String,
    pub kind: String,
    pub entity: String,
    pub summary: String,
    /// The office record it is about (the likely duplicate, or the record edited on both sides).
    pub office: String,
    pub created_at: String,
    /// A held capture: the person as captured at the stand, with their requests.
    pub capture: Option<store::PersonCard>,
    /// Every office person the capture may be (same name and birth date, same e-mail or same
    /// phone), oldest first; `resolve --candidat N` names one.
    pub candidates: Vec<store::PersonCard>,
}

pub fn pending(store: &Store) -> Result<Vec<Pending>> {
    let conn = store.conn();
    let mut out = Vec::new();
    for (id, kind, entity, summary, office_id, created_at, laptop_id, candidates) in
        store::merge::pending_rows(conn)?
    {
        let (capture, candidates) = if kind == "duplicate" {
            let ids = store::merge::live_candidates(
                conn,
                &found_candidates(&candidates, Some(&office_id)),
                &laptop_id,
            )?;
            let mut cards = Vec::new();
            for c in &ids {
                cards.extend(store::merge::person_card(conn, c)?);
            }
            (store::merge::person_card(conn, &laptop_id)?, cards)
        } else {
            (None, Vec::new())
        };
        let office = match candidates.first() {
            Some(c) => {
                let contacts: Vec<&str> = [c.email.as_str(), c.phone.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                format!("{} {} {}", c.last_name, c.first_name, contacts.join(" · "))
                    .trim()
                    .to_string()
            }
            // An edit on both sides: the record is the one the summary names, never its id.
            None if kind == "conflict" => format!("{summary} (version du bureau)"),
            None => office_id,
        };
        out.push(Pending {
            id,
            kind,
            entity,
            summary,
            office,
            created_at,
            capture,
            candidates,
        });
    }
    Ok(out)
}

/// An agent's decision on a pending item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Duplicate: the captured person is the office person; their requests join the office
    /// person, a request identical to one the office person has (same type, event and day) is
    /// folded into it.
    Merge,
    /// Duplicate: two different persons; the capture stays a person of its own.
    KeepApart,
    /// Conflict: the office version stays.
    KeepOffice,
    /// Conflict: the laptop version replaces the office's (the office's stays in the history).
    ApplyLaptop,
}

/// What "same person" did with the capture's own details.
struct Taken {
    /// "e-mail lea@exemple.fr": a contact or detail the office person lacked, now theirs.
    filled: Vec<String>,
    /// "e-mail lea.d@gmail.com (fiche : lea@exemple.fr)": given at the stand, different from
    /// the office person's, who keeps theirs (an agent checks with the person).
    differing: Vec<String>,
    /// The office person's fields the decision wrote: their values before, and after (undo
    /// restores a field only while it still holds the value written).
    before: Rec,
    after: Rec,
}

/// What "same person" takes from the capture: a contact or detail the visitor gave at the
/// stand that the office person lacks (names, and values the office already has, stay the
/// office's), each change in the history like any edit.
fn take_capture_details(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    office: &Rec,
    capture: &Rec,
) -> Result<Taken> {
    const FIELDS: [(&str, &str); 5] = [
        ("birth_date", "date de naissance"),
        ("phone", "téléphone"),
        ("email", "e-mail"),
        ("profile", "profil"),
        ("profession", "profession"),
    ];
    let mut merged = office.clone();
    let (mut filled, mut differing) = (Vec::new(), Vec::new());
    for (col, label) in FIELDS {
        let given = match capture.get(col) {
            Value::Text(t) if !t.trim().is_empty() => t.clone(),
            _ => continue,
        };
        let kept = office.text(col);
        let same = match col {
            "phone" => phone_key(&given) == phone_key(&kept),
            "email" => email_key(&given) == email_key(&kept),
            _ => given == kept,
        };
        if same {
            continue;
        }
        let shown = |v: &str| match col {
            "birth_date" => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(crate::domain::fr_date)
                .unwrap_or_else(|_| v.to_string()),
            "profile" => crate::domain::Profile::from_code(v)
                .map_or_else(|| v.to_string(), |p| p.label().to_string()),
            _ => v.to_string(),
        };
        if !kept.trim().is_empty() {
            differing.push(format!(
                "{label} {} (fiche : {})",
                shown(&given),
                shown(&kept)
            ));
            continue;
        }
        match col {
            "phone" => merged.set("phone_key", Value::Text(phone_key(&given))),
            "email" => merged.set("email_key", Value::Text(email_key(&given))),
            _ => {}
        }
        filled.push(format!("{label} {}", shown(&given)));
        merged.set(col, Value::Text(given));
    }
    let (before, after) = changed_columns(office, &merged);
    if !filled.is_empty() {
        merged.set("updated_at", Value::Text(ctx.now()));
        merged.set("updated_by", Value::Text(ctx.actor.clone()));
        apply_version(tx, ctx, "person", &merged, office.int("version"))?;
    }
    Ok(Taken {
        filled,
        differing,
        before,
        after,
    })
}

/// Undoes what a decision wrote to a record: each field goes back to its value `before` while it
/// still holds the value the decision wrote (`after`); a field changed since (a colleague's
/// edit) is left as it is. Returns the columns left.
fn restore_fields(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    entity: &str,
    id: &str,
    before: &Rec,
    after: &Rec,
) -> Result<Vec<String>> {
    if !exists(tx, entity, id)? {
        return Ok(before.cols.to_vec());
    }
    let current = read_row(tx, entity, id)?;
    let mut restored = current.clone();
    let (mut any, mut left) = (false, Vec::new());
    for c in before.cols.iter() {
        if current.get(c) == after.get(c) {
            restored.set(c, before.get(c).clone());
            any = true;
        } else {
            left.push(c.clone());
        }
    }
    if any {
        restored.set("updated_at", Value::Text(ctx.now()));
        restored.set("updated_by", Value::Text(ctx.actor.clone()));
        apply_version(tx, ctx, entity, &restored, current.int("version"))?;
    }
    Ok(left)
}

/// The columns two versions of a record differ in (the program's own columns left out), as the
/// values before and after.
fn changed_columns(before: &Rec, after: &Rec) -> (Rec, Rec) {
    let skip = [
        "id",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ];
    let cols: Vec<String> = before
        .cols
        .iter()
        .filter(|c| !skip.contains(&c.as_str()) && before.get(c) != after.get(c))
        .cloned()
        .collect();
    let pick = |r: &Rec| Rec {
        cols: std::rc::Rc::new(cols.clone()),
        vals: cols.iter().map(|c| r.get(c).clone()).collect(),
    };
    (pick(before), pick(after))
}

/// The candidates a held capture was found with (older files kept only the first, as its
/// office id).
fn found_candidates(json: &str, office_id: Option<&str>) -> Vec<String> {
    let ids: Vec<String> = serde_json::from_str(json).unwrap_or_default();
    match office_id.filter(|o| ids.is_empty() && !o.is_empty()) {
        Some(o) => vec![o.to_string()],
        None => ids,
    }
}

/// Decides a pending item; a duplicate is merged into its first candidate.
pub fn resolve(store: &mut Store, pending_id: &str, decision: Decision) -> Result<String> {
    resolve_with(store, pending_id, decision, None)
}

/// A row of the office file, whole (kept so that a decision can be undone).
fn read_row(tx: &Transaction<'_>, table: &str, id: &str) -> Result<Rec> {
    let mut st = tx.prepare(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let cols: Vec<String> = st.column_names().iter().map(|c| c.to_string()).collect();
    let n = cols.len();
    let vals: Vec<Value> =
        st.query_row([id], |row| (0..n).map(|i| row.get::<_, Value>(i)).collect())?;
    Ok(Rec {
        cols: std::rc::Rc::new(cols),
        vals,
    })
}

/// Decides a pending item. `candidate` (1 = the first listed by `pending`) says which office
/// person a duplicate is; it is required when there are several.
pub fn resolve_with(
    store: &mut Store,
    pending_id: &str,
    decision: Decision,
    candidate: Option<usize>,
) -> Result<String> {
    store.write(|tx, ctx| {
        let row: Option<(String, String, String, Option<String>, String, String)> = tx
            .query_row(
                "SELECT kind, entity, payload, office_id, laptop_id, candidates FROM merge_pending WHERE id = ?1 AND resolved_at IS NULL",
                [pending_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((kind, entity, payload, office_id, laptop_id, candidates)) = row else {
            return Err(Error::input("cet élément n'attend plus de décision (déjà traité, ou introuvable)"));
        };
        let payload: Json = serde_json::from_str(&payload)?;
        let since = store::merge::last_merge(tx)?;
        let order = store::merge::next_decision_order(tx)?;
        let mut undo = serde_json::json!({ "merge_seq": since, "order": order });
        let (resolution, message) = match (kind.as_str(), decision) {
            ("duplicate", Decision::Merge) => {
                let ids = store::merge::live_candidates(
                    tx,
                    &found_candidates(&candidates, office_id.as_deref()),
                    &laptop_id,
                )?;
                if ids.is_empty() {
                    return Err(Error::input(
                        "aucune personne du bureau ne correspond plus à cette saisie : gardez-la à part (--decision separer)",
                    ));
                }
                let into = match candidate {
                    None if ids.len() > 1 => {
                        return Err(Error::input(format!(
                            "--candidat : {} personnes du bureau peuvent être ce visiteur ; dites laquelle (1 à {})",
                            ids.len(),
                            ids.len()
                        )));
                    }
                    None => ids.first().cloned(),
                    Some(n) => n.checked_sub(1).and_then(|i| ids.get(i)).cloned(),
                }
                .ok_or_else(|| Error::input(match ids.len() {
                    1 => "--candidat : une seule personne du bureau peut être ce visiteur : donnez --candidat 1, ou rien".to_string(),
                    n => format!("--candidat : choisir entre 1 et {n}"),
                }))?;
                if !exists(tx, "person", &into)? || !exists(tx, "person", &laptop_id)? {
                    return Err(Error::input("la personne n'existe plus : rien n'a été fait"));
                }
                let office_requests = store::merge::requests_of(tx, &into)?;
                let mut moved = Vec::new();
                let mut folded = Vec::new();
                let mut fold_targets = Vec::new();
                let mut folds = Vec::new();
                for r in store::merge::requests_of(tx, &laptop_id)? {
                    let same = office_requests.iter().find(|o| {
                        o.type_code == r.type_code && o.event_id == r.event_id && o.received_on == r.received_on
                    });
                    match same {
                        Some(same) if r.log == 0 => {
                            folded.push(read_row(tx, "request", &r.id)?.to_json());
                            crate::store::record(tx, ctx, "request", &r.id, "folded_into", Some(&r.reference), Some(&same.reference))?;
                            store::merge::delete_row(tx, "request", &r.id)?;
                            let text = format!(
                                "la demande {} saisie au stand (même besoin le même jour) y est réunie",
                                r.reference
                            );
                            crate::store::record(tx, ctx, "request", &same.id, "merge", None, Some(&text))?;
                            fold_targets.push(same.id.clone());
                            folds.push(serde_json::json!([same.id, r.reference]));
                        }
                        _ => {
                            store::merge::move_request(tx, ctx, &r.id, &laptop_id, &into)?;
                            moved.push(r.id);
                        }
                    }
                }
                let capture = read_row(tx, "person", &laptop_id)?;
                let office = read_row(tx, "person", &into)?;
                let taken = take_capture_details(tx, ctx, &office, &capture)?;
                undo["office_before"] = taken.before.to_json();
                undo["office_after"] = taken.after.to_json();
                // The requests that were the capture's say, in their journal, what the visitor
                // gave at the stand: taken into the person's file, or different from it.
                let mut said = Vec::new();
                if !taken.filled.is_empty() {
                    said.push(format!("repris de la saisie du stand : {}", taken.filled.join(", ")));
                }
                if !taken.differing.is_empty() {
                    said.push(format!(
                        "donné au stand, différent de la fiche (qui garde le sien) : {}",
                        taken.differing.join(", ")
                    ));
                }
                if !said.is_empty() {
                    let text = said.join(" ; ");
                    let mut seen = HashSet::new();
                    for id in moved.iter().chain(&fold_targets) {
                        if seen.insert(id.clone()) {
                            crate::store::record(tx, ctx, "request", id, "merge", None, Some(&text))?;
                        }
                    }
                }
                undo["person"] = capture.to_json();
                undo["into"] = Json::from(into.clone());
                undo["moved"] = Json::from(moved);
                undo["folded"] = Json::Array(folded);
                undo["folds"] = Json::Array(folds);
                crate::store::record(tx, ctx, "person", &laptop_id, "merged_into", None, Some(&into))?;
                store::merge::delete_row(tx, "person", &laptop_id)?;
                crate::store::record(tx, ctx, "person", &into, "merge", None, Some("fusion avec une saisie de salon"))?;
                let mut message = "Saisie rattachée à la personne existante (demandes identiques réunies).".to_string();
                if !taken.filled.is_empty() {
                    message.push_str(&format!(" Repris de la saisie : {}.", taken.filled.join(", ")));
                }
                if !taken.differing.is_empty() {
                    message.push_str(&format!(
                        " Différent au stand, la fiche garde le sien (à vérifier avec la personne) : {}.",
                        taken.differing.join(", ")
                    ));
                }
                ("merged", message)
            }
            ("duplicate", Decision::KeepApart) => {
                crate::store::record(tx, ctx, "person", &laptop_id, "merge", None, Some("saisie de salon gardée à part"))?;
                ("kept_apart", "Saisie gardée comme une autre personne.".to_string())
            }
            ("conflict", Decision::KeepOffice) => ("office_kept", "Version du bureau gardée.".to_string()),
            ("conflict", Decision::ApplyLaptop) => {
                let r = Rec::from_json(&payload).ok_or_else(|| Error::input("données illisibles"))?;
                let office = read_row(tx, &entity, &r.text("id"))?;
                let v = version_of(tx, &entity, &r.text("id"))?.unwrap_or(0);
                apply_version(tx, ctx, &entity, &r, v)?;
                let (before, after) = changed_columns(&office, &read_row(tx, &entity, &r.text("id"))?);
                undo["id"] = Json::from(r.text("id"));
                undo["before"] = before.to_json();
                undo["after"] = after.to_json();
                ("laptop_applied", "Version du poste salon appliquée.".to_string())
            }
            _ => return Err(Error::input("cette décision ne s'applique pas à cet élément")),
        };
        store::merge::set_resolution(tx, ctx, pending_id, Some(resolution), Some(&undo.to_string()))?;
        Ok(format!("{message} Annulable jusqu'à la prochaine fusion : guichet resolve {pending_id} --annuler"))
    })
}

/// The latest decision that may still be undone (`u` in the interface, whoever decided it).
pub fn latest_decision(store: &Store) -> Result<Option<String>> {
    Ok(store::merge::latest_decision(store.conn())?.map(|(id, _)| id))
}

/// Undoes a decision, as long as no merge happened since: the item waits for a decision again.
pub fn undo(store: &mut Store, pending_id: &str) -> Result<String> {
    store.write(|tx, ctx| {
        let Some((kind, entity, laptop_id, resolution, Some(undo))) =
            store::merge::decided(tx, pending_id)?
        else {
            return Err(Error::input("aucune décision à annuler pour cet élément"));
        };
        let Some(resolution) = resolution else {
            return Err(Error::input("aucune décision à annuler pour cet élément"));
        };
        let undo: Json = serde_json::from_str(&undo)?;
        if undo["merge_seq"].as_i64() != Some(store::merge::last_merge(tx)?) {
            return Err(Error::input(
                "une fusion a eu lieu depuis cette décision : elle ne peut plus être annulée",
            ));
        }
        // Undone from the latest back: a later decision may have moved what this one did.
        if let Some((latest, summary)) = store::merge::latest_decision(tx)?
            && latest != pending_id
        {
            return Err(Error::input(format!(
                "une décision plus récente ({}) est à annuler d'abord : guichet resolve {latest} --annuler (touche u)",
                crate::text::display_safe(&summary)
            )));
        }
        let mut left: Vec<String> = Vec::new();
        match (kind.as_str(), resolution.as_str()) {
            ("duplicate", "merged") => {
                let into = undo["into"].as_str().unwrap_or_default().to_string();
                let person = Rec::from_json(&undo["person"])
                    .ok_or_else(|| Error::input("données illisibles"))?;
                person.insert(tx, "person")?;
                if let (Some(before), Some(after)) = (
                    Rec::from_json(&undo["office_before"]),
                    Rec::from_json(&undo["office_after"]),
                ) {
                    // What the decision took from the capture goes back, unless changed since.
                    left = restore_fields(tx, ctx, "person", &into, &before, &after)?;
                }
                // The requests the capture's were folded into say they stand apart again.
                for fold in undo["folds"].as_array().into_iter().flatten() {
                    if let (Some(target), Some(reference)) = (fold[0].as_str(), fold[1].as_str())
                        && exists(tx, "request", target)?
                    {
                        let text = format!(
                            "décision « même personne » annulée : la demande {reference} saisie au stand est rétablie à part"
                        );
                        crate::store::record(tx, ctx, "request", target, "merge", None, Some(&text))?;
                    }
                }
                for r in undo["folded"].as_array().into_iter().flatten() {
                    let r = Rec::from_json(r).ok_or_else(|| Error::input("données illisibles"))?;
                    r.insert(tx, "request")?;
                    crate::store::record(
                        tx,
                        ctx,
                        "request",
                        &r.text("id"),
                        "folded_into",
                        None,
                        None,
                    )?;
                }
                for id in undo["moved"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                {
                    if store::merge::request_owner(tx, id)?.as_deref() != Some(into.as_str()) {
                        return Err(Error::input(
                            "une demande de cette décision a changé de personne depuis : rien n'a été annulé",
                        ));
                    }
                    store::merge::move_request(tx, ctx, id, &into, &laptop_id)?;
                    crate::store::record(
                        tx,
                        ctx,
                        "request",
                        id,
                        "merge",
                        None,
                        Some("décision « même personne » annulée : la demande revient à la saisie du stand"),
                    )?;
                }
            }
            ("conflict", "laptop_applied") => {
                if let (Some(id), Some(before), Some(after)) = (
                    undo["id"].as_str(),
                    Rec::from_json(&undo["before"]),
                    Rec::from_json(&undo["after"]),
                ) {
                    left = restore_fields(tx, ctx, &entity, id, &before, &after)?;
                } else {
                    // Decided by an earlier version of the program: the whole row was kept.
                    let r = Rec::from_json(&undo["row"])
                        .ok_or_else(|| Error::input("données illisibles"))?;
                    let v = version_of(tx, &entity, &r.text("id"))?.unwrap_or(0);
                    apply_version(tx, ctx, &entity, &r, v)?;
                }
            }
            _ => {}
        }
        crate::store::record(
            tx,
            ctx,
            "merge_pending",
            pending_id,
            "undo",
            Some(&resolution),
            None,
        )?;
        store::merge::set_resolution(tx, ctx, pending_id, None, None)?;
        let left: Vec<&str> = left
            .iter()
            .filter_map(|c| crate::history_text::field_name(c))
            .collect();
        Ok(if left.is_empty() {
            "Décision annulée : l'élément attend de nouveau une décision.".to_string()
        } else {
            format!(
                "Décision annulée : l'élément attend de nouveau une décision. Modifié depuis par \
                 un collègue, gardé tel quel : {}.",
                left.join(", ")
            )
        })
    })
}

/// One visitor captured at the stand: one request per interest (status "à qualifier", channel
/// "salon", the laptop's event), and the information notice recorded in the person's history —
/// all in one transaction.
pub fn capture(
    store: &mut Store,
    requests: &[crate::store::NewRequest],
    notice_given: bool,
) -> Result<Vec<crate::store::Created>> {
    store.write(|tx, ctx| {
        let out = crate::store::create_all(tx, ctx, requests)?;
        if notice_given && let Some(first) = out.first() {
            crate::store::record(
                tx,
                ctx,
                "person",
                &first.person_id,
                "information_notice",
                None,
                Some(&ctx.today.to_string()),
            )?;
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_letters_never_repeat() {
        assert_eq!(series_letters(0), "B");
        assert_eq!(series_letters(24), "Z");
        assert_eq!(series_letters(25), "CB");
        let all: HashSet<String> = (0..2000).map(series_letters).collect();
        assert_eq!(all.len(), 2000);
        assert!(!all.contains("A"), "A is the office's series");
    }
}
