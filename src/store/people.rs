//! Persons (demandeurs): finding the same person again, creating them.

use super::{Ctx, Store};
use crate::domain::Profile;
use crate::error::{Error, Result};
use crate::text::{clean_field, email_key, name_key, phone_key};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NewPerson {
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Option<NaiveDate>,
    pub phone: String,
    pub email: String,
    pub profile: Option<Profile>,
    pub profession: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Option<NaiveDate>,
    pub phone: String,
    pub email: String,
    pub profile: Option<Profile>,
    pub profession: String,
    pub version: i64,
}

impl NewPerson {
    /// Cleans the fields and refuses an empty name or a malformed e-mail or phone.
    pub fn validate(&mut self) -> Result<()> {
        self.validate_keeping("")
    }

    /// [`NewPerson::validate`], except that a phone equal to `kept` (the one on file) is not
    /// checked again: a number saved under an older rule does not block an edit of another
    /// field (the agent may not know the right one).
    pub fn validate_keeping(&mut self, kept: &str) -> Result<()> {
        // Normalised once, at the door: NFC, no invisible or control characters.
        self.last_name = clean_field(&self.last_name);
        self.first_name = clean_field(&self.first_name);
        self.phone = clean_field(&self.phone);
        self.email = clean_field(&self.email);
        self.profession = clean_field(&self.profession);
        let phone = if self.phone == kept { "" } else { &self.phone };
        super::validate::person(&self.last_name, &self.first_name, &self.email, phone)
    }
}

pub use super::validate::{check_email, check_phone};

pub(crate) fn person_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: r.get("id")?,
        last_name: r.get("last_name")?,
        first_name: r.get("first_name")?,
        birth_date: r.get("birth_date")?,
        phone: r.get("phone")?,
        email: r.get("email")?,
        profile: r.get("profile")?,
        profession: r.get("profession")?,
        version: r.get("version")?,
    })
}

const PERSON_COLUMNS: &str =
    "id, last_name, first_name, birth_date, phone, email, profile, profession, version";

/// The person already in the file with the same name and the same e-mail or phone (the import
/// rule of PRODUCT.md), if any.
pub(crate) fn find_same(conn: &Connection, p: &NewPerson) -> Result<Option<String>> {
    let (nk, ek, pk) = (
        name_key(&p.last_name, &p.first_name),
        email_key(&p.email),
        phone_key(&p.phone),
    );
    if ek.is_empty() && pk.is_empty() {
        return Ok(None);
    }
    let mut st = conn.prepare_cached(
        "SELECT id FROM person WHERE name_key = ?1 \
         AND ((?2 <> '' AND email_key = ?2) OR (?3 <> '' AND phone_key = ?3)) \
         ORDER BY created_at LIMIT 1",
    )?;
    Ok(st.query_row(params![nk, ek, pk], |r| r.get(0)).optional()?)
}

/// Persons who may be the same: same name (and birth date when both are known), or same e-mail,
/// or same phone; the oldest first. Three index lookups joined by UNION — with an OR, SQLite
/// would read every person for each question. Parameters: name key, birth date ('' if none),
/// e-mail key, phone key, limit.
pub(crate) const LIKELY_SAME_PERSON: &str = "SELECT id FROM person WHERE id IN ( \
       SELECT id FROM person WHERE name_key = ?1 AND (?2 = '' OR birth_date IS NULL OR birth_date = ?2) \
       UNION SELECT id FROM person WHERE email_key = ?3 AND email_key <> '' \
       UNION SELECT id FROM person WHERE phone_key = ?4 AND phone_key <> '') \
     ORDER BY created_at LIMIT ?5";

/// Persons who may be this one: same name and birth date, or same e-mail, or same phone.
pub(crate) fn likely_matches(
    conn: &Connection,
    p: &NewPerson,
    limit: usize,
) -> Result<Vec<Person>> {
    let (nk, ek, pk) = (
        name_key(&p.last_name, &p.first_name),
        email_key(&p.email),
        phone_key(&p.phone),
    );
    let birth = p.birth_date.map(|d| d.to_string()).unwrap_or_default();
    let ids: Vec<String> = conn
        .prepare_cached(LIKELY_SAME_PERSON)?
        .query_map(params![nk, birth, ek, pk, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.iter().map(|id| get_person(conn, id)).collect()
}

pub(crate) fn insert_person(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    p: &NewPerson,
    id: Option<String>,
) -> Result<String> {
    let id = id.unwrap_or_else(|| Uuid::now_v7().to_string());
    let now = ctx.now();
    tx.prepare_cached(
        "INSERT INTO person (id, last_name, first_name, birth_date, phone, email, profile, profession, \
         name_key, phone_key, email_key, created_at, created_by, updated_at, updated_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?13)",
    )?
    .execute(params![
        id,
        p.last_name,
        p.first_name,
        p.birth_date,
        p.phone,
        p.email,
        p.profile,
        p.profession,
        name_key(&p.last_name, &p.first_name),
        phone_key(&p.phone),
        email_key(&p.email),
        now,
        ctx.actor,
    ])?;
    super::history::record(
        tx,
        ctx,
        "person",
        &id,
        "*",
        None,
        Some(&format!("{} {}", p.last_name, p.first_name)),
    )?;
    Ok(id)
}

pub(crate) fn get_person(conn: &Connection, id: &str) -> Result<Person> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM person WHERE id = ?1");
    conn.query_row(&sql, [id], person_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "personne",
            value: id.to_string(),
            hint: String::new(),
        })
}

impl Store {
    pub fn person(&self, id: &str) -> Result<Person> {
        get_person(&self.conn, id)
    }

    /// Likely matches for the new-request form: as the agent types, offer to reuse a person.
    pub fn likely_matches(&self, p: &NewPerson, limit: usize) -> Result<Vec<Person>> {
        likely_matches(&self.conn, p, limit)
    }
}

impl Store {
    /// Changes a person's identity and contacts if their version is still `expected` (when
    /// given). Every changed field leaves a history line; the search index follows.
    pub fn update_person(
        &mut self,
        id: &str,
        expected: Option<i64>,
        new: &NewPerson,
    ) -> Result<i64> {
        let mut new = new.clone();
        self.write(|tx, ctx| {
            let cur = get_person(tx, id)?;
            new.validate_keeping(&cur.phone)?;
            super::validate::birth_date(new.birth_date, ctx.today)?;
            let (by, at): (String, String) = tx.query_row(
                "SELECT updated_by, updated_at FROM person WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if let Some(v) = expected
                && v != cur.version
            {
                return Err(Error::Conflict {
                    what: format!("La fiche de {} {}", cur.last_name, cur.first_name),
                    by,
                    at: super::history::fr_timestamp(&at),
                });
            }
            let pairs = [
                ("last_name", cur.last_name.clone(), new.last_name.clone()),
                ("first_name", cur.first_name.clone(), new.first_name.clone()),
                ("birth_date", cur.birth_date.map(|d| d.to_string()).unwrap_or_default(), new.birth_date.map(|d| d.to_string()).unwrap_or_default()),
                ("phone", cur.phone.clone(), new.phone.clone()),
                ("email", cur.email.clone(), new.email.clone()),
                ("profile", cur.profile.map(|p| p.code().to_string()).unwrap_or_default(), new.profile.map(|p| p.code().to_string()).unwrap_or_default()),
                ("profession", cur.profession.clone(), new.profession.clone()),
            ];
            let mut changed = false;
            for (field, old, value) in &pairs {
                if old != value {
                    changed = true;
                    super::history::record(tx, ctx, "person", id, field, Some(old), Some(value))?;
                }
            }
            if !changed {
                return Ok(cur.version);
            }
            tx.execute(
                "UPDATE person SET last_name = ?2, first_name = ?3, birth_date = ?4, phone = ?5, email = ?6, \
                 profile = ?7, profession = ?8, name_key = ?9, phone_key = ?10, email_key = ?11, \
                 updated_at = ?12, updated_by = ?13, version = version + 1 WHERE id = ?1",
                params![
                    id,
                    new.last_name,
                    new.first_name,
                    new.birth_date,
                    new.phone,
                    new.email,
                    new.profile,
                    new.profession,
                    name_key(&new.last_name, &new.first_name),
                    phone_key(&new.phone),
                    email_key(&new.email),
                    ctx.now(),
                    ctx.actor
                ],
            )?;
            Ok(cur.version + 1)
        })
    }
}
