//! Housing places (issue #14): the register, openings, placements, stand proposals — every SQL
//! statement about them. The rules (coverage, capacity) are `crate::housing`'s; this module reads
//! the rows and writes inside `BEGIN IMMEDIATE` transactions, so two agents placing in the same
//! place at once are checked one after the other.

use super::history::record;
use super::{Ctx, Store};
use crate::domain::{FollowUpKind, HousingKind, Profile, Status, fr_date};
use crate::error::{Error, Result};
use crate::housing::{Span, covered, in_the_way, peak};
use crate::text::fold;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The request type whose requests can be placed.
pub const HOUSING_TYPE: &str = "logement";

#[derive(Debug, Clone, PartialEq)]
pub struct NewPlace {
    pub name: String,
    pub kind: HousingKind,
    pub commune: String,
    pub coordinates: Option<(f64, f64)>,
    pub beds: i64,
    pub rent: i64,
    pub partner_id: Option<String>,
    pub owner: String,
    pub profiles: Vec<Profile>,
    pub professions: String,
    pub contact: String,
    pub notes: String,
    pub import_key: Option<String>,
}

impl NewPlace {
    pub fn new(name: &str, kind: HousingKind, commune: &str, beds: i64) -> NewPlace {
        NewPlace {
            name: name.to_string(),
            kind,
            commune: commune.to_string(),
            coordinates: None,
            beds,
            rent: 0,
            partner_id: None,
            owner: String::new(),
            profiles: Vec::new(),
            professions: String::new(),
            contact: String::new(),
            notes: String::new(),
            import_key: None,
        }
    }

    fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::input("le nom du logement est vide"));
        }
        if self.commune.trim().is_empty() {
            return Err(Error::input("la commune est vide"));
        }
        if !(1..=500).contains(&self.beds) {
            return Err(Error::input(format!(
                "nombre de lits invalide : {} (de 1 à 500)",
                self.beds
            )));
        }
        if !(0..=100_000).contains(&self.rent) {
            return Err(Error::input(format!(
                "loyer invalide : {} € (un nombre entier d'euros par mois, 0 = gratuit)",
                self.rent
            )));
        }
        Ok(())
    }
}

/// What changes about a place (`None`: unchanged). The commune stays: a place that moves is
/// another place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlaceChange {
    pub name: Option<String>,
    pub kind: Option<HousingKind>,
    pub beds: Option<i64>,
    pub rent: Option<i64>,
    pub owner: Option<String>,
    pub profiles: Option<Vec<Profile>>,
    pub professions: Option<String>,
    pub contact: Option<String>,
    pub notes: Option<String>,
}

fn old_owner(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT owner FROM housing_place WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// A place of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    #[serde(skip)]
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: HousingKind,
    pub commune: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub beds: i64,
    pub rent: i64,
    /// The partner lending it, or the named owner.
    pub offered_by: String,
    pub profiles: Vec<Profile>,
    pub professions: String,
    pub contact: String,
    pub notes: String,
    pub active: bool,
    pub version: i64,
}

impl Place {
    /// Whether a person of `profile` may apply (no list = everybody).
    pub fn accepts(&self, profile: Option<Profile>) -> bool {
        match profile {
            None => true,
            Some(p) => self.profiles.is_empty() || self.profiles.contains(&p),
        }
    }
}

const PLACE_COLUMNS: &str = "h.id, h.code, h.name, h.kind, h.commune, h.latitude, h.longitude, \
     h.beds, h.rent, coalesce(pa.name, h.owner), h.profiles, h.professions, h.contact, h.notes, \
     h.active, h.version";

fn place_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Place> {
    let profiles: String = r.get(10)?;
    Ok(Place {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        commune: r.get(4)?,
        latitude: r.get(5)?,
        longitude: r.get(6)?,
        beds: r.get(7)?,
        rent: r.get(8)?,
        offered_by: r.get(9)?,
        profiles: profiles.split('|').filter_map(Profile::from_code).collect(),
        professions: r.get(11)?,
        contact: r.get(12)?,
        notes: r.get(13)?,
        active: r.get(14)?,
        version: r.get(15)?,
    })
}

/// A placement as shown: the request's reference ("occupé" on a laptop, where it is not known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub id: String,
    pub place: String,
    pub reference: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Placement {
    pub fn span(&self) -> Span {
        Span {
            from: self.from,
            to: self.to,
        }
    }

    /// What closing a request said of the placements it cancelled (none: nothing to say).
    pub fn cancelled_on_closing(cancelled: &[Placement]) -> Option<String> {
        (!cancelled.is_empty()).then(|| {
            format!(
                "Logement à venir annulé à la clôture (lit libéré) : {}.",
                cancelled
                    .iter()
                    .map(|p| format!("{} {}", p.place, p.span().label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    /// "A26-00001 du 01/01/2027 au 31/03/2027" (or "occupé du …").
    pub fn label(&self) -> String {
        format!(
            "{} {}",
            self.reference.as_deref().unwrap_or("occupé"),
            self.span().label()
        )
    }
}

/// One place with its openings and placements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceDetail {
    pub place: Place,
    pub openings: Vec<Span>,
    pub placements: Vec<Placement>,
    /// Every change of the place, oldest first.
    pub history: Vec<super::history::HistoryRow>,
}

/// What the search for a free place asks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FreeQuery {
    pub period: Option<Span>,
    /// Only places in this commune (folded name compared).
    pub commune: Option<String>,
    /// Only places within `radius_km` of (latitude, longitude), nearest first.
    pub near: Option<(f64, f64, f64)>,
    pub profile: Option<Profile>,
    pub max_rent: Option<i64>,
    pub kind: Option<HousingKind>,
}

/// A place with a free bed for the whole period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreePlace {
    pub code: String,
    pub name: String,
    pub commune: String,
    pub free_beds: i64,
    pub beds: i64,
    pub rent: i64,
    pub kind: HousingKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

/// A stand visitor's interest in a place, or one brought back by a merge, awaiting a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub id: String,
    pub place: String,
    pub place_name: String,
    /// The request's reference once it is in this file (a held duplicate arrives later).
    pub reference: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub note: String,
    pub created_at: String,
}

/// The raw rows the housing figures are computed from.
#[derive(Debug, Clone, Default)]
pub struct HousingRows {
    /// (place id, kind, beds) of every place.
    pub places: Vec<(String, HousingKind, i64)>,
    /// (place id, opening) overlapping the period.
    pub openings: Vec<(String, Span)>,
    /// (place id, request id, placement) overlapping the period.
    pub placements: Vec<(String, Option<String>, Span)>,
    /// `logement` requests open at the end of the period with no housing from its start on.
    pub waiting: i64,
}

fn next_code(tx: &Transaction<'_>) -> Result<String> {
    loop {
        let n: i64 = tx
            .prepare_cached(
                "INSERT INTO counter (name, value) VALUES ('housing_place', 1) \
                 ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            )?
            .query_row([], |r| r.get(0))?;
        let code = format!("LOG-{n:04}");
        let taken: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM housing_place WHERE code = ?1)")?
            .query_row([&code], |r| r.get(0))?;
        if !taken {
            return Ok(code);
        }
    }
}

/// Adds a place inside a write transaction; returns its code, or `None` when a place with the
/// same import key is already there.
pub(crate) fn add_place_in(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    p: &NewPlace,
) -> Result<Option<String>> {
    p.validate()?;
    if let Some(key) = &p.import_key {
        let known: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM housing_place WHERE import_key = ?1)")?
            .query_row([key], |r| r.get(0))?;
        if known {
            return Ok(None);
        }
    }
    let id = Uuid::now_v7().to_string();
    let code = next_code(tx)?;
    let profiles: Vec<&str> = p.profiles.iter().map(|p| p.code()).collect();
    let now = ctx.now();
    tx.prepare_cached(
        "INSERT INTO housing_place (id, code, name, kind, commune, commune_key, latitude, longitude, \
         beds, rent, partner_id, owner, profiles, professions, contact, notes, import_key, \
         created_at, created_by, updated_at, updated_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?18, ?19)",
    )?
    .execute(params![
        id,
        code,
        p.name.trim(),
        p.kind,
        p.commune.trim(),
        fold(&p.commune),
        p.coordinates.map(|c| c.0),
        p.coordinates.map(|c| c.1),
        p.beds,
        p.rent,
        p.partner_id,
        p.owner.trim(),
        profiles.join("|"),
        p.professions.trim(),
        p.contact.trim(),
        p.notes.trim(),
        p.import_key,
        now,
        ctx.actor,
    ])?;
    record(tx, ctx, "housing_place", &id, "*", None, Some(&code))?;
    Ok(Some(code))
}

fn place_id(conn: &Connection, code: &str) -> Result<(String, String)> {
    let code = code.trim().to_uppercase();
    conn.prepare_cached("SELECT id, code FROM housing_place WHERE code = ?1")?
        .query_row([&code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "logement",
            value: code,
            hint: " (voir « guichet housing list »)".into(),
        })
}

/// Opens a place for a period inside a write transaction; an identical opening is not repeated.
pub(crate) fn open_in(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    place_id: &str,
    span: &Span,
) -> Result<bool> {
    let exists: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM housing_opening WHERE place_id = ?1 AND starts_on = ?2 AND ends_on = ?3)",
        )?
        .query_row(params![place_id, span.from, span.to], |r| r.get(0))?;
    if exists {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO housing_opening (id, place_id, starts_on, ends_on, created_at, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        Uuid::now_v7().to_string(),
        place_id,
        span.from,
        span.to,
        ctx.now(),
        ctx.actor
    ])?;
    record(
        tx,
        ctx,
        "housing_place",
        place_id,
        "ouverture",
        None,
        Some(&span.label()),
    )?;
    Ok(true)
}

fn openings_of(conn: &Connection, place_id: &str) -> Result<Vec<Span>> {
    let mut st = conn.prepare_cached(
        "SELECT starts_on, ends_on FROM housing_opening WHERE place_id = ?1 ORDER BY starts_on",
    )?;
    let rows = st.query_map([place_id], |r| {
        Ok(Span {
            from: r.get(0)?,
            to: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn placements_of(conn: &Connection, place_id: &str) -> Result<Vec<Placement>> {
    let mut st = conn.prepare_cached(
        "SELECT p.id, h.code, r.reference, p.starts_on, p.ends_on FROM housing_placement p \
         JOIN housing_place h ON h.id = p.place_id LEFT JOIN request r ON r.id = p.request_id \
         WHERE p.place_id = ?1 ORDER BY p.starts_on, r.reference",
    )?;
    let rows = st.query_map([place_id], |r| {
        Ok(Placement {
            id: r.get(0)?,
            place: r.get(1)?,
            reference: r.get(2)?,
            from: r.get(3)?,
            to: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn get_place(conn: &Connection, id: &str) -> Result<Place> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PLACE_COLUMNS} FROM housing_place h LEFT JOIN partner pa ON pa.id = h.partner_id WHERE h.id = ?1"
        ))?
        .query_row([id], place_from_row)?)
}

/// Places request `request_id` in the place `place_id` for `span`, inside a write transaction:
/// the request must be an open `logement` request not already housed then, the place active,
/// open for every day of the span and with a free bed every day of it — else an input error
/// naming what is in the way. Records the placement in the request's history and case log.
pub(crate) fn place_in(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    place_id: &str,
    span: &Span,
) -> Result<Placement> {
    let (reference, type_code, status): (String, String, Status) = tx
        .prepare_cached("SELECT reference, type_code, status FROM request WHERE id = ?1")?
        .query_row([request_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if type_code != HOUSING_TYPE {
        return Err(Error::input(format!(
            "{reference} n'est pas une demande de logement (type {type_code})"
        )));
    }
    if status == Status::Close {
        return Err(Error::input(format!(
            "{reference} est close : rouvrez-la avant de la loger"
        )));
    }
    let place = get_place(tx, place_id)?;
    if !place.active {
        return Err(Error::input(format!(
            "{} n'est plus proposé (logement retiré)",
            place.code
        )));
    }
    let profile: Option<Profile> = tx
        .prepare_cached(
            "SELECT p.profile FROM request q JOIN person p ON p.id = q.person_id WHERE q.id = ?1",
        )?
        .query_row([request_id], |r| r.get(0))?;
    if let Some(profile) = profile.filter(|p| !place.accepts(Some(*p))) {
        return Err(Error::input(format!(
            "{} est réservé aux profils {} : le demandeur de {reference} est {}",
            place.code,
            place
                .profiles
                .iter()
                .map(|p| p.label())
                .collect::<Vec<_>>()
                .join(", "),
            profile.label()
        )));
    }
    let housed: Option<(String, NaiveDate, NaiveDate)> = tx
        .prepare_cached(
            "SELECT h.code, p.starts_on, p.ends_on FROM housing_placement p \
             JOIN housing_place h ON h.id = p.place_id \
             WHERE p.request_id = ?1 AND p.starts_on <= ?3 AND p.ends_on >= ?2 LIMIT 1",
        )?
        .query_row(params![request_id, span.from, span.to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    if let Some((code, from, to)) = housed {
        return Err(Error::input(format!(
            "{reference} est déjà logée à {code} du {} au {}",
            fr_date(from),
            fr_date(to)
        )));
    }
    let openings = openings_of(tx, place_id)?;
    if !covered(&openings, span) {
        let open = if openings.is_empty() {
            "jamais ouvert (guichet housing open)".to_string()
        } else {
            format!(
                "ouvert {}",
                openings
                    .iter()
                    .map(Span::label)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(Error::input(format!(
            "{} n'est pas ouvert {} : {open}",
            place.code,
            span.label()
        )));
    }
    let placed: Vec<(Placement, Span)> = placements_of(tx, place_id)?
        .into_iter()
        .map(|p| {
            let s = p.span();
            (p, s)
        })
        .collect();
    let blocking = in_the_way(&placed, span, place.beds as usize);
    if !blocking.is_empty() {
        return Err(Error::input(format!(
            "{} est complet {} ({} lit(s)) : {}",
            place.code,
            span.label(),
            place.beds,
            blocking
                .iter()
                .map(|p| p.label())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let id = Uuid::now_v7().to_string();
    tx.prepare_cached(
        "INSERT INTO housing_placement (id, place_id, request_id, starts_on, ends_on, created_at, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        place_id,
        request_id,
        span.from,
        span.to,
        ctx.now(),
        ctx.actor
    ])?;
    let what = format!(
        "{} « {} » à {} {}",
        place.code,
        place.name,
        place.commune,
        span.label()
    );
    log_placement(tx, ctx, request_id, place_id, &reference, span, &what, true)?;
    Ok(Placement {
        id,
        place: place.code,
        reference: Some(reference),
        from: span.from,
        to: span.to,
    })
}

/// A placement made (`placed`) or cancelled, in the request's history and case log and in the
/// place's history.
#[allow(clippy::too_many_arguments)]
fn log_placement(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    place_id: &str,
    reference: &str,
    span: &Span,
    what: &str,
    placed: bool,
) -> Result<()> {
    let line = format!("{reference} {}", span.label());
    let swap = |v: &str| -> (Option<String>, Option<String>) {
        if placed {
            (None, Some(v.to_string()))
        } else {
            (Some(v.to_string()), None)
        }
    };
    let (old, new) = swap(what);
    record(
        tx,
        ctx,
        "request",
        request_id,
        "logement",
        old.as_deref(),
        new.as_deref(),
    )?;
    let (old, new) = swap(&line);
    record(
        tx,
        ctx,
        "housing_place",
        place_id,
        "placement",
        old.as_deref(),
        new.as_deref(),
    )?;
    super::followups::insert_follow_up(
        tx,
        ctx,
        request_id,
        &super::followups::NewFollowUp {
            kind: FollowUpKind::Note,
            occurred_on: ctx.today,
            body: if placed {
                format!("Logement : {what}")
            } else {
                format!("Logement annulé : {what}")
            },
            next_follow_up_on: None,
        },
    )?;
    // The search index follows through the write's tracker (see `search.rs`).
    Ok(())
}

/// The placements of a request (with their place's id), oldest first; with `after`, only those
/// that start after that day (not started yet).
fn request_placements(
    conn: &Connection,
    request_id: &str,
    after: Option<NaiveDate>,
) -> Result<Vec<(String, Placement)>> {
    let mut st = conn.prepare_cached(
        "SELECT p.id, h.code, r.reference, p.starts_on, p.ends_on, p.place_id \
         FROM housing_placement p JOIN housing_place h ON h.id = p.place_id \
         JOIN request r ON r.id = p.request_id \
         WHERE p.request_id = ?1 AND (?2 IS NULL OR p.starts_on > ?2) ORDER BY p.starts_on",
    )?;
    let rows = st.query_map(params![request_id, after], |r| {
        Ok((
            r.get(5)?,
            Placement {
                id: r.get(0)?,
                place: r.get(1)?,
                reference: r.get(2)?,
                from: r.get(3)?,
                to: r.get(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Closing a request cancels its placements that have not started yet (the beds are free
/// again), each in the request's and the place's history; a placement that started stays (it
/// happened). Returns the placements cancelled.
pub(crate) fn cancel_placements_on_closing(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
) -> Result<Vec<Placement>> {
    let mut cancelled = Vec::new();
    for (place_id, p) in request_placements(tx, request_id, Some(ctx.today))? {
        tx.prepare_cached("DELETE FROM housing_placement WHERE id = ?1")?
            .execute([&p.id])?;
        let span = p.span();
        let what = format!("{} {} (demande close)", p.place, span.label());
        record(
            tx,
            ctx,
            "request",
            request_id,
            "logement",
            Some(&what),
            None,
        )?;
        let line = format!(
            "{} {} (demande close)",
            p.reference.as_deref().unwrap_or(""),
            span.label()
        );
        record(
            tx,
            ctx,
            "housing_place",
            &place_id,
            "placement",
            Some(&line),
            None,
        )?;
        cancelled.push(p);
    }
    Ok(cancelled)
}

/// Every place (filtered by the query's commune, profile, rent and kind) with a free bed for the
/// whole period; with `near`, those within the radius, nearest first.
pub(crate) fn free_places(conn: &Connection, q: &FreeQuery) -> Result<Vec<FreePlace>> {
    let Some(period) = q.period else {
        return Err(Error::input("précisez la période (du … au …)"));
    };
    let commune_key = q.commune.as_deref().map(fold);
    let mut places = Vec::new();
    {
        let mut st = conn.prepare_cached(&format!(
            "SELECT {PLACE_COLUMNS} FROM housing_place h LEFT JOIN partner pa ON pa.id = h.partner_id \
             WHERE h.active = 1 AND (?1 IS NULL OR h.commune_key = ?1) AND (?2 IS NULL OR h.rent <= ?2) \
             AND (?3 IS NULL OR h.kind = ?3) ORDER BY h.code"
        ))?;
        let rows = st.query_map(params![commune_key, q.max_rent, q.kind], place_from_row)?;
        for p in rows {
            let p = p?;
            if p.accepts(q.profile) {
                places.push(p);
            }
        }
    }
    // Near a commune: only the places within the radius (a place without coordinates cannot be
    // said to be near).
    let mut distances: Vec<Option<f64>> = Vec::with_capacity(places.len());
    if let Some((lat, lon, radius)) = q.near {
        places.retain(|p| match (p.latitude, p.longitude) {
            (Some(plat), Some(plon)) => {
                let d = crate::housing::communes::distance_km(lat, lon, plat, plon);
                if d <= radius {
                    distances.push(Some((d * 10.0).round() / 10.0));
                }
                d <= radius
            }
            _ => false,
        });
    } else {
        distances.resize(places.len(), None);
    }
    // Openings and placements touching the period, grouped by candidate place: ids are compared
    // borrowed and dates parsed by hand, so 20,000 placements cost no allocation each.
    let index: HashMap<&str, usize> = places
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut openings: Vec<Vec<Span>> = vec![Vec::new(); places.len()];
    let mut placed: Vec<Vec<Span>> = vec![Vec::new(); places.len()];
    for (sql, into) in [
        (
            "SELECT place_id, starts_on, ends_on FROM housing_opening WHERE starts_on <= ?2 AND ends_on >= ?1",
            &mut openings,
        ),
        (
            "SELECT place_id, starts_on, ends_on FROM housing_placement WHERE starts_on <= ?2 AND ends_on >= ?1",
            &mut placed,
        ),
    ] {
        let mut st = conn.prepare_cached(sql)?;
        let mut rows = st.query(params![period.from, period.to])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = index.get(r.get_ref(0)?.as_str()?) else {
                continue;
            };
            into[i].push(Span {
                from: fast_date(r.get_ref(1)?)?,
                to: fast_date(r.get_ref(2)?)?,
            });
        }
    }
    let mut out = Vec::new();
    for (i, p) in places.into_iter().enumerate() {
        let distance_km = distances[i];
        if !covered(&openings[i], &period) {
            continue;
        }
        let taken = peak(&placed[i], &period) as i64;
        if taken >= p.beds {
            continue;
        }
        out.push(FreePlace {
            code: p.code,
            name: p.name,
            commune: p.commune,
            free_beds: p.beds - taken,
            beds: p.beds,
            rent: p.rent,
            kind: p.kind,
            distance_km,
        });
    }
    if q.near.is_some() {
        out.sort_by(|a, b| {
            a.distance_km
                .partial_cmp(&b.distance_km)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.code.cmp(&b.code))
        });
    }
    Ok(out)
}

/// A stored 'YYYY-MM-DD' read without a format parser (the search reads thousands).
fn fast_date(v: rusqlite::types::ValueRef<'_>) -> Result<NaiveDate> {
    let s = v.as_str()?.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        s.get(r)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    (s.len() == 10 && s[4] == b'-' && s[7] == b'-')
        .then(|| NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?))
        .flatten()
        .ok_or_else(|| Error::input("date illisible dans le fichier"))
}

/// Coordinates of a commune of the register (for a commune not in the shipped list).
pub(crate) fn register_commune(
    conn: &Connection,
    commune: &str,
) -> Result<Option<(String, f64, f64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT commune, latitude, longitude FROM housing_place \
             WHERE commune_key = ?1 AND latitude IS NOT NULL LIMIT 1",
        )?
        .query_row([fold(commune)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

fn proposals_in(conn: &Connection) -> Result<Vec<Proposal>> {
    let mut st = conn.prepare_cached(
        "SELECT p.id, h.code, h.name, r.reference, p.starts_on, p.ends_on, p.note, p.created_at \
         FROM housing_proposal p JOIN housing_place h ON h.id = p.place_id \
         LEFT JOIN request r ON r.id = p.request_id \
         WHERE p.decision IS NULL ORDER BY p.created_at, p.id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Proposal {
            id: r.get(0)?,
            place: r.get(1)?,
            place_name: r.get(2)?,
            reference: r.get(3)?,
            from: r.get(4)?,
            to: r.get(5)?,
            note: r.get(6)?,
            created_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A proposal noted in this file (at a stand: the visitor's request and the place they liked).
pub(crate) fn propose_in(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    place_id: &str,
    span: &Span,
    note: &str,
) -> Result<String> {
    let id = Uuid::now_v7().to_string();
    tx.prepare_cached(
        "INSERT INTO housing_proposal (id, place_id, request_id, starts_on, ends_on, note, created_at, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        place_id,
        request_id,
        span.from,
        span.to,
        note.trim(),
        ctx.now(),
        ctx.actor
    ])?;
    record(
        tx,
        ctx,
        "request",
        request_id,
        "logement_interet",
        None,
        Some(&span.label()),
    )?;
    Ok(id)
}

/// The register as a laptop carries it: places, openings, and placements without their request.
#[derive(Debug, Clone, Default)]
pub struct RegisterCopy {
    places: Vec<Vec<rusqlite::types::Value>>,
    openings: Vec<Vec<rusqlite::types::Value>>,
    placements: Vec<Vec<rusqlite::types::Value>>,
}

const PLACE_COPY: &str = "id, code, name, kind, commune, commune_key, latitude, longitude, beds, \
     rent, partner_id, owner, profiles, professions, contact, notes, active, import_key, \
     created_at, created_by, updated_at, updated_by, version";
const OPENING_COPY: &str = "id, place_id, starts_on, ends_on, created_at, created_by";
/// No request: on the laptop a placement says "occupé" and nothing about who.
const PLACEMENT_COPY: &str = "id, place_id, NULL, starts_on, ends_on, created_at, created_by";

fn rows_of(conn: &Connection, sql: &str) -> Result<Vec<Vec<rusqlite::types::Value>>> {
    let mut st = conn.prepare(sql)?;
    let n = st.column_count();
    let rows = st.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, rusqlite::types::Value>(i))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn register_copy(conn: &Connection) -> Result<RegisterCopy> {
    Ok(RegisterCopy {
        places: rows_of(conn, &format!("SELECT {PLACE_COPY} FROM housing_place"))?,
        openings: rows_of(conn, &format!("SELECT {OPENING_COPY} FROM housing_opening"))?,
        placements: rows_of(
            conn,
            &format!("SELECT {PLACEMENT_COPY} FROM housing_placement"),
        )?,
    })
}

pub(crate) fn write_register_copy(tx: &Transaction<'_>, copy: &RegisterCopy) -> Result<()> {
    let insert = |table: &str, cols: &str, rows: &[Vec<rusqlite::types::Value>]| -> Result<()> {
        let n = cols.split(',').count();
        let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
        let sql = format!("INSERT INTO {table} ({cols}) VALUES ({})", marks.join(", "));
        let mut st = tx.prepare(&sql)?;
        for r in rows {
            st.execute(rusqlite::params_from_iter(r.iter()))?;
        }
        Ok(())
    };
    insert("housing_place", PLACE_COPY, &copy.places)?;
    insert("housing_opening", OPENING_COPY, &copy.openings)?;
    insert(
        "housing_placement",
        &PLACEMENT_COPY.replace("NULL", "request_id"),
        &copy.placements,
    )?;
    Ok(())
}

/// Stand interests read from a laptop file, to bring back as proposals.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Interests {
    rows: Vec<Interest>,
}

impl Interests {
    /// The interests in groups of at most `n` (a long merge brings them back in parts).
    pub(crate) fn parts(&self, n: usize) -> Vec<Interests> {
        self.rows
            .chunks(n.max(1))
            .map(|c| Interests { rows: c.to_vec() })
            .collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One interest row: id, place, request, period, note, when and by whom.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Interest {
    id: String,
    place_id: String,
    request_id: String,
    from: NaiveDate,
    to: NaiveDate,
    note: String,
    at: String,
    by: String,
}

pub(crate) fn read_interests(conn: &Connection) -> Result<Interests> {
    let mut st = conn.prepare(
        "SELECT id, place_id, request_id, starts_on, ends_on, note, created_at, created_by \
         FROM housing_proposal WHERE decision IS NULL AND source_file = ''",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Interest {
            id: r.get(0)?,
            place_id: r.get(1)?,
            request_id: r.get(2)?,
            from: r.get(3)?,
            to: r.get(4)?,
            note: r.get(5)?,
            at: r.get(6)?,
            by: r.get(7)?,
        })
    })?;
    Ok(Interests {
        rows: rows.collect::<rusqlite::Result<_>>()?,
    })
}

/// Adds the laptop's interests as proposals (once: the same file merged again adds nothing).
/// An interest in a place this office does not know is skipped. Returns how many were added.
pub(crate) fn merge_interests(
    tx: &Transaction<'_>,
    file_id: &str,
    interests: &Interests,
) -> Result<usize> {
    let mut added = 0;
    for Interest {
        id,
        place_id,
        request_id,
        from,
        to,
        note,
        at,
        by,
    } in &interests.rows
    {
        let known: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM housing_place WHERE id = ?1)")?
            .query_row([place_id], |r| r.get(0))?;
        if !known {
            continue;
        }
        added += tx
            .prepare_cached(
                "INSERT OR IGNORE INTO housing_proposal (id, place_id, request_id, starts_on, ends_on, note, source_file, created_at, created_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![id, place_id, request_id, from, to, note, file_id, at, by])?;
    }
    Ok(added)
}

/// Rows for the housing figures of `period`.
pub(crate) fn housing_rows(conn: &Connection, period: &Span) -> Result<HousingRows> {
    let mut rows = HousingRows::default();
    let mut st = conn.prepare_cached("SELECT id, kind, beds FROM housing_place")?;
    for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
        rows.places.push(r?);
    }
    // (place, request, span) of the rows touching the period; openings have no request.
    let touching = |sql: &str| -> Result<Vec<(String, Option<String>, Span)>> {
        let mut st = conn.prepare_cached(sql)?;
        let rows = st.query_map(params![period.from, period.to], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Span {
                    from: r.get(2)?,
                    to: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    rows.openings = touching(
        "SELECT place_id, NULL, starts_on, ends_on FROM housing_opening WHERE starts_on <= ?2 AND ends_on >= ?1",
    )?
    .into_iter()
    .map(|(id, _, span)| (id, span))
    .collect();
    rows.placements = touching(
        "SELECT place_id, request_id, starts_on, ends_on FROM housing_placement WHERE starts_on <= ?2 AND ends_on >= ?1",
    )?;
    // Housing requests open at the end of the period (received by then - closed by then, from
    // the per-day counts of `figure_count`: no scan of a year of requests), less those with a
    // placement ending in the period or after (the register, read first: a few rows).
    rows.waiting = conn
        .prepare_cached(
            "SELECT (SELECT coalesce(sum(n), 0) FROM figure_count \
                      WHERE kind = 'rx' AND day <= ?3 AND k1 = ?1) \
                  - (SELECT coalesce(sum(n), 0) FROM figure_count \
                      WHERE kind = 'cx' AND day <= ?3 AND k1 = ?1) \
                  - (SELECT count(DISTINCT r.id) FROM housing_placement p CROSS JOIN request r \
                      ON r.id = p.request_id \
                      WHERE p.ends_on >= ?2 AND r.type_code = ?1 AND r.received_on <= ?3 \
                        AND (r.closed_on IS NULL OR r.closed_on > ?3))",
        )?
        .query_row(params![HOUSING_TYPE, period.from, period.to], |r| r.get(0))?;
    Ok(rows)
}

/// Writes checked spreadsheet rows: new places, and each row's opening. Returns (places added,
/// places already there, openings added).
pub(crate) fn import_places_in(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    rows: &[crate::housing::import::PlaceRow],
) -> Result<(usize, usize, usize)> {
    let (mut added, mut there, mut openings) = (0, 0, 0);
    for r in rows {
        match add_place_in(tx, ctx, &r.place)? {
            Some(_) => added += 1,
            None => there += 1,
        }
        if let Some(span) = &r.opening {
            let id: String = tx
                .prepare_cached("SELECT id FROM housing_place WHERE import_key = ?1")?
                .query_row([&r.place.import_key], |row| row.get(0))?;
            if open_in(tx, ctx, &id, span)? {
                openings += 1;
            }
        }
    }
    Ok((added, there, openings))
}

/// A synthetic register for demonstrations and benchmarks: `places` places spread over the
/// shipped communes, each open from 1 November 2026 to 30 April 2028, and `placements` stays of
/// 30 nights that never exceed a place's beds — attached to the file's `logement` requests in
/// turn, or anonymous ("occupé") when it has none. Deterministic for a seed.
pub(crate) fn fill_register(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    places: usize,
    placements: usize,
    seed: u64,
) -> Result<()> {
    let communes = crate::housing::communes::all();
    let kinds = HousingKind::ALL;
    let mut rng = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 33) as usize
    };
    let requests: Vec<String> = {
        let mut st = tx.prepare("SELECT id FROM request WHERE type_code = ?1 ORDER BY id")?;
        let rows = st.query_map([HOUSING_TYPE], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let opening = Span {
        from: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        to: NaiveDate::from_ymd_opt(2028, 4, 30).expect("date"),
    };
    let mut ids = Vec::with_capacity(places);
    for i in 0..places {
        let c = &communes[next() % communes.len()];
        let kind = kinds[next() % kinds.len()];
        let mut p = NewPlace::new(
            &format!("{} {}", kind.label(), i + 1),
            kind,
            c.name,
            1 + (next() % 4) as i64,
        );
        p.coordinates = Some((c.latitude, c.longitude));
        p.rent = [0, 0, 150, 250, 350][next() % 5];
        let code = add_place_in(tx, ctx, &p)?.expect("a new place");
        let (id, _) = place_id(tx, &code)?;
        open_in(tx, ctx, &id, &opening)?;
        ids.push((id, p.beds as usize));
    }
    if ids.is_empty() {
        return Ok(());
    }
    let per_place = placements.div_ceil(ids.len());
    let mut made = 0;
    let mut st = tx.prepare(
        "INSERT INTO housing_placement (id, place_id, request_id, starts_on, ends_on, created_at, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    'all: for (id, beds) in &ids {
        for k in 0..per_place {
            if made == placements {
                break 'all;
            }
            // Bed k % beds takes one stay every 40 days: stays on one bed never overlap.
            let start = opening.from + chrono::Days::new(((k / beds) * 40 + next() % 8) as u64);
            let end = start + chrono::Days::new(29);
            if end > opening.to {
                continue;
            }
            let request = (!requests.is_empty()).then(|| &requests[made % requests.len()]);
            st.execute(params![
                Uuid::now_v7().to_string(),
                id,
                request,
                start,
                end,
                ctx.now(),
                ctx.actor
            ])?;
            made += 1;
        }
    }
    Ok(())
}

impl Store {
    /// Adds a place to the register; returns its code ("LOG-0001").
    pub fn add_place(&mut self, p: &NewPlace) -> Result<String> {
        self.write(|tx, ctx| {
            add_place_in(tx, ctx, p)?
                .ok_or_else(|| Error::input("ce logement est déjà dans le registre"))
        })
    }

    /// Opens a place for a period (said again, it changes nothing).
    pub fn open_place(&mut self, code: &str, span: &Span) -> Result<bool> {
        let (id, _) = place_id(&self.conn, code)?;
        self.write(|tx, ctx| open_in(tx, ctx, &id, span))
    }

    /// Places a `logement` request in a place for a period (see [`place_in`]).
    pub fn place_request(
        &mut self,
        request_id: &str,
        code: &str,
        span: &Span,
    ) -> Result<Placement> {
        let (id, _) = place_id(&self.conn, code)?;
        self.write(|tx, ctx| place_in(tx, ctx, request_id, &id, span))
    }

    /// Cancels a placement of a request in a place (the one starting on `from` when it has
    /// several there): the bed is free again; the cancellation is in the request's history and
    /// case log.
    pub fn cancel_placement(
        &mut self,
        request_id: &str,
        code: &str,
        from: Option<NaiveDate>,
    ) -> Result<Placement> {
        let (place, code) = place_id(&self.conn, code)?;
        self.write(|tx, ctx| {
            let all: Vec<Placement> = placements_of(tx, &place)?
                .into_iter()
                .filter(|p| from.is_none_or(|f| p.from == f))
                .collect();
            let reference: String = tx
                .prepare_cached("SELECT reference FROM request WHERE id = ?1")?
                .query_row([request_id], |r| r.get(0))?;
            let mine: Vec<&Placement> = all
                .iter()
                .filter(|p| p.reference.as_deref() == Some(reference.as_str()))
                .collect();
            let one = match mine.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    return Err(Error::input(format!(
                        "{reference} n'est pas logée à {code}{}",
                        from.map(|f| format!(" à partir du {}", fr_date(f)))
                            .unwrap_or_default()
                    )));
                }
                several => {
                    return Err(Error::input(format!(
                        "{reference} est logée plusieurs fois à {code} : précisez --du ({})",
                        several
                            .iter()
                            .map(|p| p.span().label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            };
            tx.execute("DELETE FROM housing_placement WHERE id = ?1", [&one.id])?;
            let what = format!("{code} {}", one.span().label());
            log_placement(
                tx,
                ctx,
                request_id,
                &place,
                &reference,
                &one.span(),
                &what,
                false,
            )?;
            Ok(one)
        })
    }

    /// Takes a place out of the offer (or puts it back); its placements stay.
    pub fn set_place_active(&mut self, code: &str, active: bool) -> Result<()> {
        let (id, _) = place_id(&self.conn, code)?;
        self.write(|tx, ctx| {
            tx.execute(
                "UPDATE housing_place SET active = ?2, version = version + 1, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
                params![id, active, ctx.now(), ctx.actor],
            )?;
            record(tx, ctx, "housing_place", &id, "active", None, Some(if active { "oui" } else { "non" }))?;
            Ok(())
        })
    }

    /// Changes what a partner changed about a place (beds, rent, contact…): only the fields
    /// given, each in the history. `if_version`: refused if the place was changed since it was
    /// read at that version. Fewer beds than the placements to come need is refused, naming them.
    /// Returns the place as it is now.
    pub fn update_place(
        &mut self,
        code: &str,
        change: &PlaceChange,
        if_version: Option<i64>,
    ) -> Result<Place> {
        let (id, code) = place_id(&self.conn, code)?;
        self.write(|tx, ctx| {
            let old = get_place(tx, &id)?;
            if if_version.is_some_and(|v| v != old.version) {
                let (by, at): (String, String) = tx.query_row(
                    "SELECT updated_by, updated_at FROM housing_place WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                return Err(Error::Conflict {
                    what: format!("La fiche du logement {code}"),
                    by,
                    at: super::fr_timestamp(&at),
                });
            }
            let mut new = NewPlace::new(
                change.name.as_deref().unwrap_or(&old.name),
                change.kind.unwrap_or(old.kind),
                &old.commune,
                change.beds.unwrap_or(old.beds),
            );
            new.rent = change.rent.unwrap_or(old.rent);
            new.validate()?;
            if new.beds < old.beds {
                let coming: Vec<(Placement, Span)> = placements_of(tx, &id)?
                    .into_iter()
                    .filter(|p| p.to >= ctx.today)
                    .map(|p| {
                        let s = p.span();
                        (p, s)
                    })
                    .collect();
                let ahead = Span::new(ctx.today, NaiveDate::MAX)?;
                let crowded = in_the_way(&coming, &ahead, new.beds as usize + 1);
                if !crowded.is_empty() {
                    return Err(Error::input(format!(
                        "{code} ne peut pas passer à {} lit(s) : ces placements occupent plus de lits en même temps : {}",
                        new.beds,
                        crowded
                            .iter()
                            .map(|p| p.label())
                            .collect::<Vec<_>>()
                            .join(" ; ")
                    )));
                }
            }
            let profiles = |ps: &[Profile]| {
                ps.iter().map(|p| p.code()).collect::<Vec<_>>().join("|")
            };
            let text = |c: &Option<String>| c.as_deref().map(|t| t.trim().to_string());
            let fields: [(&str, String, Option<String>); 9] = [
                ("name", old.name.clone(), text(&change.name)),
                ("kind", old.kind.code().to_string(), change.kind.map(|k| k.code().to_string())),
                ("beds", old.beds.to_string(), change.beds.map(|b| b.to_string())),
                ("rent", old.rent.to_string(), change.rent.map(|r| r.to_string())),
                ("owner", old_owner(tx, &id)?, text(&change.owner)),
                ("profiles", profiles(&old.profiles), change.profiles.as_deref().map(profiles)),
                ("professions", old.professions.clone(), text(&change.professions)),
                ("contact", old.contact.clone(), text(&change.contact)),
                ("notes", old.notes.clone(), text(&change.notes)),
            ];
            let mut changed = false;
            for (field, before, after) in fields {
                let Some(after) = after.filter(|a| *a != before) else {
                    continue;
                };
                // The column names are the fixed list above, never input.
                tx.execute(
                    &format!("UPDATE housing_place SET {field} = ?2 WHERE id = ?1"),
                    params![id, after],
                )?;
                record(tx, ctx, "housing_place", &id, field, Some(&before), Some(&after))?;
                changed = true;
            }
            if changed {
                tx.execute(
                    "UPDATE housing_place SET version = version + 1, updated_at = ?2, updated_by = ?3 WHERE id = ?1",
                    params![id, ctx.now(), ctx.actor],
                )?;
            }
            get_place(tx, &id)
        })
    }

    /// The register, by code.
    pub fn places(&self) -> Result<Vec<Place>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {PLACE_COLUMNS} FROM housing_place h LEFT JOIN partner pa ON pa.id = h.partner_id ORDER BY h.code"
        ))?;
        let rows = st.query_map([], place_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn place_detail(&self, code: &str) -> Result<PlaceDetail> {
        let (id, _) = place_id(&self.conn, code)?;
        Ok(PlaceDetail {
            place: get_place(&self.conn, &id)?,
            openings: openings_of(&self.conn, &id)?,
            placements: placements_of(&self.conn, &id)?,
            history: super::history::history(&self.conn, &[&id])?,
        })
    }

    /// The placements of a request that closing it today would cancel (those not started).
    pub fn placements_cancelled_by_closing(&self, request_id: &str) -> Result<Vec<Placement>> {
        Ok(
            request_placements(&self.conn, request_id, Some(self.today()))?
                .into_iter()
                .map(|(_, p)| p)
                .collect(),
        )
    }

    /// Placements of one request.
    pub fn placements_of_request(&self, request_id: &str) -> Result<Vec<Placement>> {
        Ok(request_placements(&self.conn, request_id, None)?
            .into_iter()
            .map(|(_, p)| p)
            .collect())
    }

    /// Places with a free bed for the whole period (see [`FreeQuery`]).
    pub fn free_places(&self, q: &FreeQuery) -> Result<Vec<FreePlace>> {
        free_places(&self.conn, q)
    }

    /// Coordinates of a commune: the shipped list of the Loiret, else a place of the register.
    pub fn commune_coordinates(&self, commune: &str) -> Result<(String, f64, f64)> {
        if let Some(c) = crate::housing::communes::find(commune) {
            return Ok((c.name.to_string(), c.latitude, c.longitude));
        }
        match register_commune(&self.conn, commune)? {
            Some(found) => Ok(found),
            None => crate::housing::communes::resolve(commune)
                .map(|c| (c.name.to_string(), c.latitude, c.longitude)),
        }
    }

    /// Notes a visitor's interest in a place (at a stand), for an agent to decide later.
    pub fn propose_place(
        &mut self,
        request_id: &str,
        code: &str,
        span: &Span,
        note: &str,
    ) -> Result<String> {
        let (id, _) = place_id(&self.conn, code)?;
        self.write(|tx, ctx| propose_in(tx, ctx, request_id, &id, span, note))
    }

    /// Proposals awaiting a decision.
    pub fn proposals(&self) -> Result<Vec<Proposal>> {
        proposals_in(&self.conn)
    }

    /// Decides a proposal: `accept` places the request (all the placing checks apply), otherwise
    /// the proposal is declined. Returns the placement made, if any.
    pub fn decide_proposal(&mut self, id: &str, accept: bool) -> Result<Option<Placement>> {
        self.write(|tx, ctx| {
            let row: Option<(String, String, NaiveDate, NaiveDate)> = tx
                .prepare_cached(
                    "SELECT place_id, request_id, starts_on, ends_on FROM housing_proposal WHERE id = ?1 AND decision IS NULL",
                )?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let Some((place_id, request_id, from, to)) = row else {
                return Err(Error::input(
                    "cette proposition n'attend plus de décision (déjà traitée, ou introuvable)",
                ));
            };
            let placed = if accept {
                let known: bool = tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM request WHERE id = ?1)")?
                    .query_row([&request_id], |r| r.get(0))?;
                if !known {
                    return Err(Error::input(
                        "la demande de ce visiteur attend encore une décision de fusion (guichet pending)",
                    ));
                }
                Some(place_in(tx, ctx, &request_id, &place_id, &Span { from, to })?)
            } else {
                None
            };
            tx.execute(
                "UPDATE housing_proposal SET decided_at = ?2, decided_by = ?3, decision = ?4 WHERE id = ?1",
                params![id, ctx.now(), ctx.actor, if accept { "placed" } else { "declined" }],
            )?;
            Ok(placed)
        })
    }

    /// Fills the register with synthetic places and placements (see [`fill_register`]).
    pub fn fill_housing_demo(&mut self, places: usize, placements: usize, seed: u64) -> Result<()> {
        self.write(|tx, ctx| fill_register(tx, ctx, places, placements, seed))
    }

    /// The register as a salon laptop carries it (see [`RegisterCopy`]).
    pub fn housing_register_copy(&self) -> Result<RegisterCopy> {
        register_copy(&self.conn)
    }

    /// Raw rows for the housing figures of `period`.
    pub fn housing_rows(&self, period: &Span) -> Result<HousingRows> {
        housing_rows(&self.conn, period)
    }
}
