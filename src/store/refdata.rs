//! Reference lists (request types, channels, partners), agents and events: listing, resolving what
//! a user typed to a row, and editing the lists.

use super::{Ctx, Store};
use crate::error::{Error, Result};
use crate::text::{fold, fold_code};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use uuid::Uuid;

/// A configurable list entry: request type or channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    pub code: String,
    pub label: String,
    pub aliases: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partner {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub phone: String,
    pub aliases: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub role: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: String,
    pub name: String,
    pub held_on: NaiveDate,
    pub place: String,
}

/// The two code lists that share one shape. Table names come from here, never from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeList {
    Type,
    Channel,
}

impl CodeList {
    fn table(self) -> &'static str {
        match self {
            CodeList::Type => "request_type",
            CodeList::Channel => "channel",
        }
    }
    fn what(self) -> &'static str {
        match self {
            CodeList::Type => "type de demande",
            CodeList::Channel => "canal",
        }
    }
}

fn matches(input_key: &str, candidates: &[&str]) -> bool {
    candidates.iter().any(|c| fold(c) == input_key)
        || candidates
            .iter()
            .any(|c| fold_code(c) == input_key.replace(' ', "_"))
}

fn aliases(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|a| !a.is_empty())
}

pub(crate) fn codes(conn: &Connection, list: CodeList) -> Result<Vec<Code>> {
    let sql = format!(
        "SELECT code, label, aliases, active FROM {} ORDER BY position, code",
        list.table()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([], |r| {
        Ok(Code {
            code: r.get(0)?,
            label: r.get(1)?,
            aliases: r.get(2)?,
            active: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The code a user meant by a code, a label or an alias, in any case, with or without accents.
pub(crate) fn resolve_code(conn: &Connection, list: CodeList, input: &str) -> Result<String> {
    let key = fold(input);
    let all = codes(conn, list)?;
    all.iter()
        .find(|c| {
            let mut names = vec![c.code.as_str(), c.label.as_str()];
            names.extend(aliases(&c.aliases));
            matches(&key, &names)
        })
        .map(|c| c.code.clone())
        .ok_or_else(|| {
            Error::input(format!(
                "{} inconnu : « {} » (valeurs possibles : {})",
                list.what(),
                input,
                all.iter()
                    .filter(|c| c.active)
                    .map(|c| c.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

fn partner_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Partner> {
    Ok(Partner {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        phone: r.get(4)?,
        aliases: r.get(5)?,
        active: r.get(6)?,
    })
}

pub(crate) fn partners(conn: &Connection) -> Result<Vec<Partner>> {
    let mut st = conn.prepare_cached(
        "SELECT id, code, name, kind, phone, aliases, active FROM partner ORDER BY kind <> 'institution', name",
    )?;
    let rows = st.query_map([], partner_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn resolve_partner(conn: &Connection, input: &str) -> Result<Partner> {
    let key = fold(input);
    let all = partners(conn)?;
    all.iter()
        .find(|p| {
            let mut names = vec![p.code.as_str(), p.name.as_str()];
            names.extend(aliases(&p.aliases));
            matches(&key, &names)
        })
        .cloned()
        .ok_or_else(|| Error::NotFound {
            what: "partenaire",
            value: input.to_string(),
            hint: format!(
                " (codes connus : {})",
                all.iter()
                    .map(|p| p.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

fn agent_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Agent> {
    Ok(Agent {
        id: r.get(0)?,
        name: r.get(1)?,
        initials: r.get(2)?,
        role: r.get(3)?,
        active: r.get(4)?,
    })
}

pub(crate) fn agents(conn: &Connection) -> Result<Vec<Agent>> {
    let mut st = conn.prepare_cached(
        "SELECT id, name, initials, role, active FROM agent ORDER BY active DESC, name",
    )?;
    let rows = st.query_map([], agent_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An agent by full name or initials, in any case, with or without accents.
pub(crate) fn find_agent(conn: &Connection, input: &str) -> Result<Option<Agent>> {
    let key = fold(input);
    if key.is_empty() {
        return Ok(None);
    }
    Ok(agents(conn)?
        .into_iter()
        .find(|a| fold(&a.name) == key || (!a.initials.is_empty() && fold(&a.initials) == key)))
}

pub(crate) fn resolve_agent(conn: &Connection, input: &str) -> Result<Agent> {
    find_agent(conn, input)?.ok_or_else(|| Error::NotFound {
        what: "agent",
        value: input.to_string(),
        hint: " (créez-le avec « guichet agent add NOM »)".into(),
    })
}

/// Initials from a name: "Élodie Martin-Roux" -> "EMR".
pub fn initials_of(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Finds the agent, or creates them (spreadsheet import, first start on an empty file).
pub(crate) fn ensure_agent(tx: &Transaction<'_>, ctx: &Ctx, name: &str) -> Result<String> {
    if let Some(a) = find_agent(tx, name)? {
        return Ok(a.id);
    }
    insert_agent(
        tx,
        ctx,
        name,
        &initials_of(name),
        crate::domain::Role::Agent,
    )
}

fn insert_agent(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    name: &str,
    initials: &str,
    role: crate::domain::Role,
) -> Result<String> {
    let name = crate::text::clean_field(name);
    let name = name.as_str();
    if name.is_empty() {
        return Err(Error::input("le nom de l'agent est vide"));
    }
    let id = Uuid::now_v7().to_string();
    tx.execute(
        "INSERT INTO agent (id, name, name_key, initials, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, name, fold(name), initials, role.code(), ctx.now()],
    )?;
    super::history::record(tx, ctx, "agent", &id, "*", None, Some(name))?;
    Ok(id)
}

pub(crate) fn event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: r.get(0)?,
        name: r.get(1)?,
        held_on: r.get(2)?,
        place: r.get(3)?,
    })
}

pub(crate) fn events(conn: &Connection) -> Result<Vec<Event>> {
    let mut st = conn
        .prepare_cached("SELECT id, name, held_on, place FROM event ORDER BY held_on DESC, name")?;
    let rows = st.query_map([], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The event of that name (the most recent if it recurs), matched without case or accents.
pub(crate) fn resolve_event(conn: &Connection, input: &str) -> Result<Event> {
    let key = fold(input);
    events(conn)?
        .into_iter()
        .find(|e| fold(&e.name) == key)
        .ok_or_else(|| Error::NotFound {
            what: "événement",
            value: input.to_string(),
            hint: " (créez-le avec « guichet event add NOM --date JJ/MM/AAAA »)".into(),
        })
}

/// The event with that name and date, created if new.
pub(crate) fn ensure_event(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    name: &str,
    held_on: NaiveDate,
) -> Result<String> {
    if let Some(id) = find_event(tx, name, held_on)? {
        return Ok(id);
    }
    let id = Uuid::now_v7().to_string();
    insert_event(tx, ctx, &id, name, held_on)?;
    Ok(id)
}

/// The event of that name (case and accents aside) on that day, if the file has it.
pub(crate) fn find_event(
    conn: &Connection,
    name: &str,
    held_on: NaiveDate,
) -> Result<Option<String>> {
    let key = fold(name);
    let mut st = conn.prepare_cached("SELECT id, name FROM event WHERE held_on = ?1")?;
    Ok(st
        .query_map([held_on], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .find(|(_, n)| fold(n) == key)
        .map(|(id, _)| id))
}

/// Adds an event with the id chosen by the caller, with its history line.
pub(crate) fn insert_event(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    id: &str,
    name: &str,
    held_on: NaiveDate,
) -> Result<()> {
    tx.execute(
        "INSERT INTO event (id, name, held_on, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, name.trim(), held_on, ctx.now()],
    )?;
    super::history::record(tx, ctx, "event", id, "*", None, Some(name))?;
    Ok(())
}

/// What the département offers, to answer at a desk or a stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub code: String,
    pub type_code: Option<String>,
    pub title: String,
    pub body: String,
    pub active: bool,
}

impl Store {
    pub fn offers(&self) -> Result<Vec<Offer>> {
        let mut st = self.conn.prepare_cached(
            "SELECT code, type_code, title, body, active FROM offer ORDER BY position, code",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Offer {
                code: r.get(0)?,
                type_code: r.get(1)?,
                title: r.get(2)?,
                body: r.get(3)?,
                active: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds an offer or rewrites the one with that code.
    pub fn upsert_offer(
        &mut self,
        code: &str,
        type_code: Option<&str>,
        title: &str,
        body: &str,
    ) -> Result<()> {
        let code = fold_code(code);
        if code.is_empty() || title.trim().is_empty() || body.trim().is_empty() {
            return Err(Error::input(
                "le code, le titre et le texte de l'offre sont obligatoires",
            ));
        }
        let type_code = type_code
            .map(|t| resolve_code(&self.conn, CodeList::Type, t))
            .transpose()?;
        self.write(|tx, ctx| {
            tx.execute(
                "INSERT INTO offer (code, type_code, title, body, position) VALUES (?1, ?2, ?3, ?4, \
                 (SELECT coalesce(max(position), 0) + 1 FROM offer)) \
                 ON CONFLICT (code) DO UPDATE SET type_code = excluded.type_code, title = excluded.title, \
                 body = excluded.body, active = 1",
                params![code, type_code, title.trim(), body.trim()],
            )?;
            super::history::record(tx, ctx, "offer", &code, "body", None, Some(body))
        })
    }

    pub fn types(&self) -> Result<Vec<Code>> {
        codes(&self.conn, CodeList::Type)
    }
    pub fn channels(&self) -> Result<Vec<Code>> {
        codes(&self.conn, CodeList::Channel)
    }
    pub fn resolve_type(&self, input: &str) -> Result<String> {
        resolve_code(&self.conn, CodeList::Type, input)
    }
    pub fn resolve_channel(&self, input: &str) -> Result<String> {
        resolve_code(&self.conn, CodeList::Channel, input)
    }
    pub fn partners(&self) -> Result<Vec<Partner>> {
        partners(&self.conn)
    }
    pub fn resolve_partner(&self, input: &str) -> Result<Partner> {
        resolve_partner(&self.conn, input)
    }
    pub fn agents(&self) -> Result<Vec<Agent>> {
        agents(&self.conn)
    }
    pub fn find_agent(&self, input: &str) -> Result<Option<Agent>> {
        find_agent(&self.conn, input)
    }
    pub fn resolve_agent(&self, input: &str) -> Result<Agent> {
        resolve_agent(&self.conn, input)
    }
    pub fn events(&self) -> Result<Vec<Event>> {
        events(&self.conn)
    }
    pub fn resolve_event(&self, input: &str) -> Result<Event> {
        resolve_event(&self.conn, input)
    }

    pub fn add_agent(
        &mut self,
        name: &str,
        initials: Option<&str>,
        role: crate::domain::Role,
    ) -> Result<Agent> {
        let name = crate::text::clean_field(name);
        let initials = initials
            .map(str::to_string)
            .unwrap_or_else(|| initials_of(&name));
        let id = self.write(|tx, ctx| {
            if find_agent(tx, &name)?.is_some() {
                return Err(Error::input(format!("l'agent « {name} » existe déjà")));
            }
            insert_agent(tx, ctx, &name, &initials, role)
        })?;
        Ok(Agent {
            id,
            name,
            initials,
            role: role.code().into(),
            active: true,
        })
    }

    /// Finds the agent by name or creates them (first start of the interface on an empty file).
    pub fn ensure_agent(&mut self, name: &str) -> Result<Agent> {
        let id = self.write(|tx, ctx| ensure_agent(tx, ctx, name))?;
        let agent = agents(&self.conn)?.into_iter().find(|a| a.id == id);
        agent.ok_or_else(|| Error::input("agent introuvable après création"))
    }

    pub fn add_event(&mut self, name: &str, held_on: NaiveDate, place: &str) -> Result<Event> {
        let name = crate::text::clean_field(name);
        let name = name.as_str();
        let place = crate::text::clean_field(place);
        let place = place.as_str();
        if name.is_empty() {
            return Err(Error::input("le nom de l'événement est vide"));
        }
        let id = self.write(|tx, ctx| {
            let id = ensure_event(tx, ctx, name, held_on)?;
            tx.execute(
                "UPDATE event SET place = ?2 WHERE id = ?1 AND place = ''",
                params![id, place],
            )?;
            Ok(id)
        })?;
        let mut st = self
            .conn
            .prepare("SELECT id, name, held_on, place FROM event WHERE id = ?1")?;
        Ok(st.query_row([id], event_from_row)?)
    }

    /// Adds a request type or channel, or re-activates and relabels an existing code.
    pub fn upsert_code(
        &mut self,
        list: CodeList,
        code: &str,
        label: &str,
        aliases: &str,
    ) -> Result<()> {
        let code = fold_code(code);
        if code.is_empty() || label.trim().is_empty() {
            return Err(Error::input("le code et le libellé sont obligatoires"));
        }
        let sql = format!(
            "INSERT INTO {} (code, label, aliases, position) VALUES (?1, ?2, ?3, \
             (SELECT coalesce(max(position), 0) + 1 FROM {0})) \
             ON CONFLICT (code) DO UPDATE SET label = excluded.label, aliases = excluded.aliases, active = 1",
            list.table()
        );
        self.write(|tx, ctx| {
            tx.execute(&sql, params![code, label.trim(), aliases])?;
            super::history::record(tx, ctx, list.table(), &code, "label", None, Some(label))
        })
    }

    /// Hides a type or channel from pickers; requests already filed keep it.
    pub fn set_code_active(&mut self, list: CodeList, code: &str, active: bool) -> Result<()> {
        let code = resolve_code(&self.conn, list, code)?;
        let sql = format!("UPDATE {} SET active = ?2 WHERE code = ?1", list.table());
        self.write(|tx, ctx| {
            tx.execute(&sql, params![code, active])?;
            super::history::record(
                tx,
                ctx,
                list.table(),
                &code,
                "active",
                Some(&(!active).to_string()),
                Some(&active.to_string()),
            )
        })
    }

    /// Adds a partner or updates the one with that code.
    pub fn upsert_partner(
        &mut self,
        code: &str,
        name: &str,
        kind: &str,
        phone: &str,
    ) -> Result<()> {
        let code = fold_code(code);
        if code.is_empty() || name.trim().is_empty() {
            return Err(Error::input(
                "le code et le nom du partenaire sont obligatoires",
            ));
        }
        self.write(|tx, ctx| {
            let existing: Option<String> = tx
                .query_row("SELECT id FROM partner WHERE code = ?1", [&code], |r| {
                    r.get(0)
                })
                .optional()?;
            let id = existing.unwrap_or_else(|| Uuid::now_v7().to_string());
            tx.execute(
                "INSERT INTO partner (id, code, name, kind, phone) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                 phone = excluded.phone, active = 1, version = version + 1",
                params![id, code, name.trim(), kind, phone],
            )?;
            super::history::record(tx, ctx, "partner", &id, "name", None, Some(name))
        })
    }

    pub fn set_partner_active(&mut self, code: &str, active: bool) -> Result<()> {
        let p = resolve_partner(&self.conn, code)?;
        self.write(|tx, ctx| {
            tx.execute(
                "UPDATE partner SET active = ?2, version = version + 1 WHERE id = ?1",
                params![p.id, active],
            )?;
            super::history::record(
                tx,
                ctx,
                "partner",
                &p.id,
                "active",
                None,
                Some(&active.to_string()),
            )
        })
    }
}
