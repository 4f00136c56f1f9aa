//! Requests: creating, paging through queues, reading one whole case, changing it under a
//! version check, and the history every change leaves.

use super::followups::{NewFollowUp, insert_follow_up};
use super::history::{HistoryRow, fr_timestamp, history, record};
use super::people::{self, NewPerson, Person};
use super::{Ctx, Store};
use crate::domain::{Answer, FollowUpKind, Outcome, Status, fr_date};
use crate::error::{Error, Field, Result};
use chrono::NaiveDate;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NewRequest {
    pub person: NewPerson,
    /// Reuse this person instead of `person` (chosen in the interface).
    pub person_id: Option<String>,
    pub type_code: String,
    pub channel_code: Option<String>,
    pub event_id: Option<String>,
    pub agent_id: Option<String>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub received_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub next_follow_up_on: Option<NaiveDate>,
    pub summary: String,
    /// First entry of the case log (the spreadsheet's `commentaire`).
    pub first_note: String,
    /// Fingerprint of the spreadsheet row, so a second import adds nothing.
    pub import_key: Option<String>,
}

impl NewRequest {
    pub fn new(person: NewPerson, type_code: &str, received_on: NaiveDate) -> Self {
        NewRequest {
            person,
            person_id: None,
            type_code: type_code.to_string(),
            channel_code: None,
            event_id: None,
            agent_id: None,
            status: Status::Nouvelle,
            outcome: None,
            received_on,
            closed_on: None,
            next_follow_up_on: None,
            summary: String::new(),
            first_note: String::new(),
            import_key: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub reference: String,
    pub person_id: String,
    pub person_reused: bool,
}

/// One line of a queue or list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRow {
    #[serde(skip)]
    pub id: String,
    pub reference: String,
    #[serde(rename = "type")]
    pub type_code: String,
    #[serde(skip)]
    pub type_label: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub channel: Option<String>,
    #[serde(skip)]
    pub channel_label: Option<String>,
    pub event: Option<String>,
    #[serde(skip)]
    pub event_id: Option<String>,
    pub agent: Option<String>,
    pub last_name: String,
    pub first_name: String,
    pub phone: String,
    pub email: String,
    pub received_on: NaiveDate,
    pub next_follow_up_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub summary: String,
    /// A partner's answer expected before today is still missing.
    pub referral_overdue: bool,
    #[serde(skip)]
    pub person_id: String,
    #[serde(skip)]
    pub agent_id: Option<String>,
    pub version: i64,
}

impl RequestRow {
    /// Next follow-up date or a referral's expected date is before `today`, on an open request.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open()
            && (self.referral_overdue || self.next_follow_up_on.is_some_and(|d| d < today))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub status: Option<Status>,
    pub open_only: bool,
    pub type_code: Option<String>,
    pub agent_id: Option<String>,
    pub unassigned: bool,
    pub channel_code: Option<String>,
    pub event_id: Option<String>,
    pub person_id: Option<String>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// Closed with this outcome.
    pub outcome: Option<Outcome>,
    /// Closed on or after / on or before this day.
    pub closed_from: Option<NaiveDate>,
    pub closed_to: Option<NaiveDate>,
    /// Next follow-up date on or before this day.
    pub due_by: Option<NaiveDate>,
    /// Full-text search (names, e-mails, phones, reference, summary, case log), as typed;
    /// among the 500 most recently recorded requests that match (every match with
    /// `search_all`).
    pub search: Option<String>,
    /// Every request the search matches, not only the 500 most recent (`guichet search`).
    pub search_all: bool,
    /// Only these requests (ids), e.g. those an aid filter keeps.
    pub request_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// By next follow-up date; requests with none last.
    #[default]
    Due,
    /// Overdue first (a past follow-up date or a partner's answer expected before today), then
    /// by next follow-up date: one agent's queue (a few hundred rows at most).
    Overdue,
    /// Most recently received first.
    Recent,
    /// By reference (stable, for exports).
    Reference,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRow {
    pub id: String,
    pub kind: FollowUpKind,
    pub occurred_on: NaiveDate,
    pub body: String,
    pub next_follow_up_on: Option<NaiveDate>,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralRow {
    pub id: String,
    pub partner_code: String,
    pub partner: String,
    pub sent_on: NaiveDate,
    pub expected_by: Option<NaiveDate>,
    pub reminders: i64,
    pub reminded_on: Option<NaiveDate>,
    pub answered_on: Option<NaiveDate>,
    pub answer: Option<Answer>,
    /// The note sent with the referral.
    pub note: String,
    /// The note recorded with the partner's answer.
    pub answer_note: String,
    pub created_by: String,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: RequestRow,
    pub person: Person,
    pub follow_ups: Vec<FollowUpRow>,
    pub referrals: Vec<ReferralRow>,
    pub history: Vec<HistoryRow>,
    /// The person's other requests.
    pub others: Vec<RequestRow>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// What an update changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestChange {
    pub status: Option<Status>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    /// `Some(None)` un-assigns.
    pub agent_id: Option<Option<String>>,
    /// `Some(None)` clears the date.
    pub next_follow_up_on: Option<Option<NaiveDate>>,
    pub summary: Option<String>,
    pub type_code: Option<String>,
    pub channel_code: Option<Option<String>>,
}

impl RequestChange {
    pub fn is_empty(&self) -> bool {
        *self == RequestChange::default()
    }
}

/// Request rows join only `person`: type labels, agent and event names come from small maps
/// loaded once per query (a join per row to those tables doubled the time of long lists).
const ROW_SELECT: &str = "SELECT r.id, r.reference, r.type_code, r.status, r.outcome, \
    r.channel_code, r.event_id, p.last_name, p.first_name, p.phone, p.email, r.received_on, \
    r.next_follow_up_on, r.closed_on, r.summary, \
    EXISTS (SELECT 1 FROM referral f WHERE f.request_id = r.id AND f.answered_on IS NULL \
            AND f.expected_by < :today), \
    r.person_id, r.agent_id, r.version FROM ";

/// Joined after the page of rows is chosen.
const ROW_JOIN: &str = " JOIN person p ON p.id = r.person_id";

/// Names of the small tables, by key.
struct Names {
    types: std::collections::HashMap<String, String>,
    channels: std::collections::HashMap<String, String>,
    agents: std::collections::HashMap<String, String>,
    events: std::collections::HashMap<String, String>,
}

impl Names {
    fn load(conn: &Connection) -> Result<Names> {
        let map = |sql: &str| -> Result<std::collections::HashMap<String, String>> {
            let mut st = conn.prepare_cached(sql)?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok(Names {
            types: map("SELECT code, label FROM request_type")?,
            channels: map("SELECT code, label FROM channel")?,
            agents: map("SELECT id, name FROM agent")?,
            events: map("SELECT id, name FROM event")?,
        })
    }

    fn row(&self, r: &rusqlite::Row<'_>) -> rusqlite::Result<RequestRow> {
        let type_code: String = r.get(2)?;
        let event_id: Option<String> = r.get(6)?;
        let agent_id: Option<String> = r.get(17)?;
        Ok(RequestRow {
            id: r.get(0)?,
            reference: r.get(1)?,
            type_label: self
                .types
                .get(&type_code)
                .cloned()
                .unwrap_or_else(|| type_code.clone()),
            type_code,
            status: r.get(3)?,
            outcome: r.get(4)?,
            channel_label: r
                .get::<_, Option<String>>(5)?
                .map(|c| self.channels.get(&c).cloned().unwrap_or(c)),
            channel: r.get(5)?,
            event: event_id.as_ref().and_then(|e| self.events.get(e).cloned()),
            event_id,
            agent: agent_id.as_ref().and_then(|a| self.agents.get(a).cloned()),
            last_name: r.get(7)?,
            first_name: r.get(8)?,
            phone: r.get(9)?,
            email: r.get(10)?,
            received_on: r.get(11)?,
            next_follow_up_on: r.get(12)?,
            closed_on: r.get(13)?,
            summary: r.get(14)?,
            referral_overdue: r.get(15)?,
            person_id: r.get(16)?,
            agent_id,
            version: r.get(18)?,
        })
    }
}

/// WHERE clause and named parameters of a filter. Only fixed fragments are concatenated; every
/// value is bound.
/// Named SQL parameters, bound at execution.
type Params = Vec<(&'static str, Box<dyn ToSql>)>;

fn where_clause(f: &RequestFilter) -> (String, Params) {
    let mut clauses: Vec<&str> = Vec::new();
    let mut params: Params = Vec::new();
    if let Some(s) = f.status {
        clauses.push("r.status = :status");
        params.push((":status", Box::new(s)));
    }
    if f.open_only {
        clauses.push("r.status <> 'close'");
    }
    if let Some(t) = &f.type_code {
        clauses.push("r.type_code = :type");
        params.push((":type", Box::new(t.clone())));
    }
    if let Some(a) = &f.agent_id {
        clauses.push("r.agent_id = :agent");
        params.push((":agent", Box::new(a.clone())));
    }
    if f.unassigned {
        clauses.push("r.agent_id IS NULL");
    }
    if let Some(c) = &f.channel_code {
        clauses.push("r.channel_code = :channel");
        params.push((":channel", Box::new(c.clone())));
    }
    if let Some(e) = &f.event_id {
        clauses.push("r.event_id = :event");
        params.push((":event", Box::new(e.clone())));
    }
    if let Some(p) = &f.person_id {
        clauses.push("r.person_id = :person");
        params.push((":person", Box::new(p.clone())));
    }
    if let Some(d) = f.received_from {
        clauses.push("r.received_on >= :from");
        params.push((":from", Box::new(d)));
    }
    if let Some(d) = f.received_to {
        clauses.push("r.received_on <= :to");
        params.push((":to", Box::new(d)));
    }
    if let Some(o) = f.outcome {
        clauses.push("r.outcome = :outcome");
        params.push((":outcome", Box::new(o)));
    }
    if let Some(d) = f.closed_from {
        clauses.push("r.closed_on >= :closed_from");
        params.push((":closed_from", Box::new(d)));
    }
    if let Some(d) = f.closed_to {
        clauses.push("r.closed_on <= :closed_to");
        params.push((":closed_to", Box::new(d)));
    }
    if let Some(d) = f.due_by {
        // Written as the due-order indexes hold the date (no date sorts last: never due).
        clauses.push("coalesce(r.next_follow_up_on, '9999-12-31') <= :due");
        params.push((":due", Box::new(d)));
    }
    if let Some(q) = f.search.as_deref().and_then(super::search::match_query) {
        // FTS5 walks its matches newest first and stops early: a one-letter prefix matching
        // half the file costs no more than a precise name.
        clauses.push(
            "r.rowid IN (SELECT rowid FROM search WHERE search MATCH :search \
             ORDER BY rowid DESC LIMIT :search_cap)",
        );
        params.push((":search", Box::new(q)));
        params.push((
            ":search_cap",
            Box::new(if f.search_all { -1i64 } else { 500 }),
        ));
    }
    if let Some(ids) = &f.request_ids {
        clauses.push("r.id IN (SELECT value FROM json_each(:ids))");
        params.push((
            ":ids",
            Box::new(serde_json::Value::from(ids.clone()).to_string()),
        ));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, params)
}

/// The page of [`QueueOrder::Overdue`] without sorting the whole filter. That order is the due
/// order with the overdue requests first, that is three runs one after the other:
/// 1. the follow-up date is past: the start of a due-order index;
/// 2. the follow-up date is not past (or none) but a referral's expected answer is;
/// 3. the others.
///
/// Each run is read in due order from the due-order indexes (`request_agent_due`,
/// `request_status_due`, `request_due`), and only as far as the page needs: at a million
/// requests "Ma file" no longer sorts its 60,000 rows for each page. A run's order relies on
/// SQLite reading a compound's parts in turn, each along its index;
/// `tests/queue_order.rs` compares every page with the plain ORDER BY on a demo file.
fn overdue_page(where_sql: &str) -> String {
    let and = |extra: &str| {
        if where_sql.is_empty() {
            format!(" WHERE {extra}")
        } else {
            format!("{where_sql} AND {extra}")
        }
    };
    let run = |extra: &str| {
        format!(
            "SELECT k FROM (SELECT r.rowid AS k FROM request r{} \
             ORDER BY coalesce(r.next_follow_up_on, '9999-12-31'), r.received_on, r.reference)",
            and(extra)
        )
    };
    let referral_late = "SELECT q.rowid FROM referral f JOIN request q ON q.id = f.request_id \
         WHERE f.answered_on IS NULL AND f.expected_by < :today";
    let not_past = "coalesce(r.next_follow_up_on, '9999-12-31') >= :today";
    format!(
        "{} UNION ALL {} UNION ALL {} LIMIT :limit OFFSET :offset",
        run("coalesce(r.next_follow_up_on, '9999-12-31') < :today"),
        run(&format!("{not_past} AND r.rowid IN ({referral_late})")),
        run(&format!("{not_past} AND r.rowid NOT IN ({referral_late})")),
    )
}

fn order_clause(o: QueueOrder) -> &'static str {
    match o {
        QueueOrder::Due => {
            " ORDER BY coalesce(r.next_follow_up_on, '9999-12-31'), r.received_on, r.reference"
        }
        QueueOrder::Overdue => {
            " ORDER BY (r.next_follow_up_on < :today OR EXISTS (SELECT 1 FROM referral f \
             WHERE f.request_id = r.id AND f.answered_on IS NULL AND f.expected_by < :today)) DESC, \
             coalesce(r.next_follow_up_on, '9999-12-31'), r.received_on, r.reference"
        }
        QueueOrder::Recent => " ORDER BY r.received_on DESC, r.reference DESC",
        QueueOrder::Reference => " ORDER BY r.received_on, r.reference",
    }
}

/// Calls `each` for every row of the filter, in order, without holding them all in memory.
pub(crate) fn for_each_row(
    conn: &Connection,
    today: NaiveDate,
    filter: &RequestFilter,
    order: QueueOrder,
    offset: usize,
    limit: Option<usize>,
    mut each: impl FnMut(RequestRow) -> Result<()>,
) -> Result<()> {
    let (where_sql, mut params) = where_clause(filter);
    params.push((":today", Box::new(today)));
    params.push((":limit", Box::new(limit.map_or(-1, |l| l as i64))));
    params.push((":offset", Box::new(offset as i64)));
    // The page is chosen on `request` and its indexes alone; only its rows are then joined and
    // checked for overdue referrals (OFFSET would otherwise compute every skipped row).
    let order_sql = order_clause(order);
    let page_sql = match order {
        QueueOrder::Overdue => overdue_page(&where_sql),
        _ => format!(
            "SELECT r.rowid AS k FROM request r{where_sql}{order_sql} LIMIT :limit OFFSET :offset"
        ),
    };
    let sql = format!(
        "{ROW_SELECT}({page_sql}) page JOIN request r ON r.rowid = page.k{ROW_JOIN}{order_sql}"
    );
    let names = Names::load(conn)?;
    let mut st = conn.prepare_cached(&sql)?;
    let bound: Vec<(&str, &dyn ToSql)> = params.iter().map(|(n, v)| (*n, v.as_ref())).collect();
    let mut rows = st.query(bound.as_slice())?;
    while let Some(r) = rows.next()? {
        each(names.row(r)?)?;
    }
    Ok(())
}

pub(super) fn row_by_id(conn: &Connection, today: NaiveDate, id: &str) -> Result<RequestRow> {
    let sql = format!("{ROW_SELECT}request r{ROW_JOIN} WHERE r.id = :id");
    let names = Names::load(conn)?;
    let mut st = conn.prepare_cached(&sql)?;
    st.query_row(&[(":today", &today as &dyn ToSql), (":id", &id)], |r| {
        names.row(r)
    })
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "demande",
        value: id.to_string(),
        hint: String::new(),
    })
}

/// Allocates the next reference of this file's series for the year: "A24-00042".
pub(crate) fn next_reference(tx: &Transaction<'_>, received_on: NaiveDate) -> Result<String> {
    use chrono::Datelike;
    let series: String = tx
        .query_row("SELECT value FROM meta WHERE key = 'series'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_else(|| "A".into());
    let prefix = format!("{series}{:02}", received_on.year().rem_euclid(100));
    loop {
        let n: i64 = tx
            .prepare_cached(
                "INSERT INTO counter (name, value) VALUES (?1, 1) \
                 ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            )?
            .query_row([&prefix], |r| r.get(0))?;
        let reference = format!("{prefix}-{n:05}");
        let taken: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM request WHERE reference = ?1)")?
            .query_row([&reference], |r| r.get(0))?;
        if !taken {
            return Ok(reference);
        }
    }
}

fn check_closing(
    status: Status,
    outcome: Option<Outcome>,
    closed_on: Option<NaiveDate>,
    received_on: NaiveDate,
) -> Result<()> {
    match (status, outcome, closed_on) {
        (Status::Close, None, _) => Err(Error::input(
            "une demande close doit avoir une issue (aboutie, refusee, sans_suite, reorientee)",
        )),
        (Status::Close, Some(_), Some(c)) if c < received_on => Err(Error::input(format!(
            "la date de clôture {} est antérieure à la date de réception {}",
            fr_date(c),
            fr_date(received_on)
        ))),
        (s, Some(_), _) if s.is_open() => Err(Error::input(
            "une issue ne se donne qu'à la clôture (statut close)",
        )),
        _ => Ok(()),
    }
}

/// Creates a request (and its person unless reused) inside a write transaction.
pub(crate) fn create(tx: &Transaction<'_>, ctx: &Ctx, r: &NewRequest) -> Result<Created> {
    let closed_on = match r.status {
        Status::Close => Some(r.closed_on.unwrap_or(ctx.today)),
        _ => None,
    };
    check_closing(r.status, r.outcome, closed_on, r.received_on)?;
    no_follow_up_once_closed(r.status, r.next_follow_up_on)?;
    super::validate::birth_date(r.person.birth_date, ctx.today)?;
    let (person_id, person_reused) = match &r.person_id {
        Some(id) => (people::get_person(tx, id)?.id, true),
        None => {
            let mut p = r.person.clone();
            p.validate()?;
            match people::find_same(tx, &p)? {
                Some(id) => (id, true),
                None => (people::insert_person(tx, ctx, &p, None)?, false),
            }
        }
    };
    let id = Uuid::now_v7().to_string();
    let reference = next_reference(tx, r.received_on)?;
    let now = ctx.now();
    tx.prepare_cached(
        "INSERT INTO request (id, reference, person_id, type_code, status, outcome, channel_code, \
         event_id, agent_id, received_on, next_follow_up_on, closed_on, summary, import_key, \
         created_at, created_by, updated_at, updated_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15, ?16)",
    )?
    .execute(params![
        id,
        reference,
        person_id,
        r.type_code,
        r.status,
        r.outcome,
        r.channel_code,
        r.event_id,
        r.agent_id,
        r.received_on,
        r.next_follow_up_on,
        closed_on,
        crate::text::clean_text(r.summary.trim()),
        r.import_key,
        now,
        ctx.actor,
    ])?;
    record(tx, ctx, "request", &id, "*", None, Some(&reference))?;
    if !r.first_note.trim().is_empty() {
        insert_follow_up(
            tx,
            ctx,
            &id,
            &NewFollowUp {
                kind: FollowUpKind::Note,
                occurred_on: r.received_on,
                body: r.first_note.trim().to_string(),
                next_follow_up_on: None,
            },
        )?;
    }
    Ok(Created {
        id,
        reference,
        person_id,
        person_reused,
    })
}

/// Several requests of one person inside a write transaction: the first creates or finds the
/// person, the others reuse them.
pub(crate) fn create_all(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    requests: &[NewRequest],
) -> Result<Vec<Created>> {
    let mut out: Vec<Created> = Vec::with_capacity(requests.len());
    for r in requests {
        let mut r = r.clone();
        if r.person_id.is_none() {
            r.person_id = out.first().map(|c| c.person_id.clone());
        }
        out.push(create(tx, ctx, &r)?);
    }
    Ok(out)
}

/// The request's current row inside a transaction, for a version check.
struct Current {
    status: Status,
    outcome: Option<Outcome>,
    closed_on: Option<NaiveDate>,
    received_on: NaiveDate,
    agent_id: Option<String>,
    next_follow_up_on: Option<NaiveDate>,
    summary: String,
    type_code: String,
    channel_code: Option<String>,
    version: i64,
    updated_by: String,
    updated_at: String,
    reference: String,
}

/// Who changed the request last, and when (as a conflict names them).
pub(super) fn last_change(tx: &Transaction<'_>, id: &str) -> Result<(String, String)> {
    let cur = current(tx, id)?;
    Ok((cur.updated_by, fr_timestamp(&cur.updated_at)))
}

fn current(tx: &Transaction<'_>, id: &str) -> Result<Current> {
    tx.prepare_cached(
        "SELECT status, outcome, closed_on, received_on, agent_id, next_follow_up_on, summary, \
         type_code, channel_code, version, updated_by, updated_at, reference FROM request WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Current {
            status: r.get(0)?,
            outcome: r.get(1)?,
            closed_on: r.get(2)?,
            received_on: r.get(3)?,
            agent_id: r.get(4)?,
            next_follow_up_on: r.get(5)?,
            summary: r.get(6)?,
            type_code: r.get(7)?,
            channel_code: r.get(8)?,
            version: r.get(9)?,
            updated_by: r.get(10)?,
            updated_at: r.get(11)?,
            reference: r.get(12)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "demande",
        value: id.to_string(),
        hint: String::new(),
    })
}

fn agent_name(tx: &Transaction<'_>, id: Option<&str>) -> Result<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => Ok(tx
            .prepare_cached("SELECT name FROM agent WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?),
    }
}

/// A closed request is followed up by nobody: no queue shows it, so a follow-up date on it is
/// refused with the way out.
pub fn no_follow_up_once_closed(status: Status, next: Option<NaiveDate>) -> Result<()> {
    match next {
        Some(d) if status == Status::Close => Err(Error::invalid(
            Field::NextFollowUp,
            format!(
                "une demande close n'a pas de relance (le {}) : seule une demande ouverte se relance",
                fr_date(d)
            ),
        )),
        _ => Ok(()),
    }
}

fn show<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(T::to_string)
}

/// The conflict a stale version meets: who changed the request, and when.
fn changed_meanwhile(cur: Current) -> Error {
    Error::Conflict {
        what: format!("La demande {}", cur.reference),
        by: cur.updated_by,
        at: fr_timestamp(&cur.updated_at),
    }
}

/// Refuses to go on if the request is no longer at version `expected` (when given).
pub(super) fn check_version(tx: &Transaction<'_>, id: &str, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(v) => {
            let cur = current(tx, id)?;
            if cur.version == v {
                Ok(())
            } else {
                Err(changed_meanwhile(cur))
            }
        }
        None => Ok(()),
    }
}

/// Applies `change` to the request if its version is still `expected` (when given). Returns the
/// new version. Every changed field leaves a history line.
pub(crate) fn update(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    id: &str,
    expected: Option<i64>,
    change: &RequestChange,
) -> Result<i64> {
    let cur = current(tx, id)?;
    if let Some(v) = expected
        && v != cur.version
    {
        return Err(changed_meanwhile(cur));
    }
    let status = change.status.unwrap_or(cur.status);
    let (outcome, closed_on) = if status == Status::Close {
        let outcome = change.outcome.or(cur.outcome);
        let closed_on = change.closed_on.or(cur.closed_on).unwrap_or(ctx.today);
        (outcome, Some(closed_on))
    } else {
        if change.outcome.is_some() {
            return Err(Error::input(
                "une issue ne se donne qu'à la clôture (statut close)",
            ));
        }
        (None, None) // reopened, or still open
    };
    check_closing(status, outcome, closed_on, cur.received_on)?;
    if change.closed_on.is_some() {
        super::validate::closed_on(closed_on, ctx.today)?;
    }
    let agent_id = change.agent_id.clone().unwrap_or(cur.agent_id.clone());
    // Closing clears the follow-up date (its history line says so); a new one is refused.
    let next = match change.next_follow_up_on {
        Some(next) => {
            no_follow_up_once_closed(status, next)?;
            next
        }
        None if status == Status::Close => None,
        None => cur.next_follow_up_on,
    };
    let summary = change
        .summary
        .as_deref()
        .map(str::trim)
        .map(str::to_string)
        .unwrap_or(cur.summary.clone());
    let type_code = change.type_code.clone().unwrap_or(cur.type_code.clone());
    let channel_code = change
        .channel_code
        .clone()
        .unwrap_or(cur.channel_code.clone());

    let mut changed = false;
    let mut note = |field: &str, old: Option<String>, new: Option<String>| -> Result<()> {
        if old != new {
            changed = true;
            record(
                tx,
                ctx,
                "request",
                id,
                field,
                old.as_deref(),
                new.as_deref(),
            )?;
        }
        Ok(())
    };
    note(
        "status",
        Some(cur.status.code().into()),
        Some(status.code().into()),
    )?;
    note(
        "outcome",
        cur.outcome.map(|o| o.code().into()),
        outcome.map(|o| o.code().into()),
    )?;
    note("closed_on", show(&cur.closed_on), show(&closed_on))?;
    note(
        "agent",
        agent_name(tx, cur.agent_id.as_deref())?,
        agent_name(tx, agent_id.as_deref())?,
    )?;
    note(
        "next_follow_up_on",
        show(&cur.next_follow_up_on),
        show(&next),
    )?;
    note("summary", Some(cur.summary.clone()), Some(summary.clone()))?;
    note("type", Some(cur.type_code.clone()), Some(type_code.clone()))?;
    note("channel", cur.channel_code.clone(), channel_code.clone())?;
    if !changed {
        return Ok(cur.version);
    }
    let n = tx
        .prepare_cached(
            "UPDATE request SET status = ?3, outcome = ?4, closed_on = ?5, agent_id = ?6, \
             next_follow_up_on = ?7, summary = ?8, type_code = ?9, channel_code = ?10, \
             updated_at = ?11, updated_by = ?12, version = version + 1 \
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(params![
            id,
            cur.version,
            status,
            outcome,
            closed_on,
            agent_id,
            next,
            summary,
            type_code,
            channel_code,
            ctx.now(),
            ctx.actor
        ])?;
    debug_assert_eq!(
        n, 1,
        "the write lock is held: the version cannot have moved"
    );
    if status == Status::Close && cur.status != Status::Close {
        super::housing::cancel_placements_on_closing(tx, ctx, id)?;
    }
    Ok(cur.version + 1)
}

fn follow_ups(conn: &Connection, id: &str) -> Result<Vec<FollowUpRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, kind, occurred_on, body, next_follow_up_on, created_at, created_by \
         FROM follow_up WHERE request_id = ?1 ORDER BY occurred_on, created_at, id",
    )?;
    let rows = st.query_map([id], |r| {
        Ok(FollowUpRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            occurred_on: r.get(2)?,
            body: r.get(3)?,
            next_follow_up_on: r.get(4)?,
            created_at: r.get(5)?,
            created_by: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn referrals(conn: &Connection, request_id: &str) -> Result<Vec<ReferralRow>> {
    let mut st = conn.prepare_cached(
        "SELECT f.id, p.code, p.name, f.sent_on, f.expected_by, f.reminders, f.reminded_on, \
         f.answered_on, f.answer, f.note, f.created_by, f.version, f.answer_note \
         FROM referral f JOIN partner p ON p.id = f.partner_id \
         WHERE f.request_id = ?1 ORDER BY f.sent_on, f.created_at",
    )?;
    let rows = st.query_map([request_id], |r| {
        Ok(ReferralRow {
            id: r.get(0)?,
            partner_code: r.get(1)?,
            partner: r.get(2)?,
            sent_on: r.get(3)?,
            expected_by: r.get(4)?,
            reminders: r.get(5)?,
            reminded_on: r.get(6)?,
            answered_on: r.get(7)?,
            answer: r.get(8)?,
            note: r.get(9)?,
            answer_note: r.get(12)?,
            created_by: r.get(10)?,
            version: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    pub fn create_request(&mut self, r: &NewRequest) -> Result<Created> {
        self.write(|tx, ctx| create(tx, ctx, r))
    }

    /// Several requests of one person at once (housing + childcare + spouse employment), in one
    /// transaction: the first creates or finds the person, the others reuse them.
    pub fn create_requests(&mut self, requests: &[NewRequest]) -> Result<Vec<Created>> {
        self.write(|tx, ctx| create_all(tx, ctx, requests))
    }

    /// The id of a request from its reference, typed in any case.
    pub fn request_id(&self, reference: &str) -> Result<String> {
        let reference = reference.trim().to_uppercase();
        if let Some(id) = self
            .conn
            .prepare_cached("SELECT id FROM request WHERE reference = ?1")?
            .query_row([&reference], |r| r.get(0))
            .optional()?
        {
            return Ok(id);
        }
        // A capture's request folded into the same need of the office person by a salon
        // decision: say where it went (read only on this error path; the history is long).
        let folded: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT new_value FROM history WHERE entity = 'request' AND field = 'folded_into' \
                  AND old_value = ?1 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([&reference], |r| r.get(0))
            .optional()?
            .flatten();
        let hint = match folded {
            Some(into) => format!(
                " : elle a été réunie à {} (même besoin le même jour, fusion de salon) — \
                 guichet request show {}",
                crate::text::display_safe(&into),
                crate::text::display_safe(&into)
            ),
            None => " (vérifiez la référence, par exemple A24-00042)".into(),
        };
        Err(Error::NotFound {
            what: "demande",
            value: reference,
            hint,
        })
    }

    /// One page of a queue.
    pub fn queue(
        &self,
        filter: &RequestFilter,
        order: QueueOrder,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<RequestRow>> {
        let mut out = Vec::with_capacity(limit);
        for_each_row(
            &self.conn,
            self.ctx.today,
            filter,
            order,
            offset,
            Some(limit),
            |r| {
                out.push(r);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Streams every row of a filter (exports), without loading the table.
    pub fn for_each_request(
        &self,
        filter: &RequestFilter,
        order: QueueOrder,
        each: impl FnMut(RequestRow) -> Result<()>,
    ) -> Result<()> {
        for_each_row(&self.conn, self.ctx.today, filter, order, 0, None, each)
    }

    /// Streams the first `limit` rows of a filter: only those are read.
    pub fn for_each_request_up_to(
        &self,
        filter: &RequestFilter,
        order: QueueOrder,
        limit: Option<usize>,
        each: impl FnMut(RequestRow) -> Result<()>,
    ) -> Result<()> {
        for_each_row(&self.conn, self.ctx.today, filter, order, 0, limit, each)
    }

    /// How many requests a filter selects. Kept until the file changes (the queue's tabs ask
    /// on every switch; see `cache.rs`).
    pub fn count(&self, filter: &RequestFilter) -> Result<usize> {
        let data_version = self.data_version()?;
        let key = format!("{filter:?}");
        if let Some(n) = self.counts.get(data_version, &key) {
            return Ok(n);
        }
        let n = self.count_now(filter)?;
        self.counts.put(data_version, key, n);
        Ok(n)
    }

    fn count_now(&self, filter: &RequestFilter) -> Result<usize> {
        // "Toutes", "Attente partenaire", every open request: from the per-day counts kept by
        // status (a million requests are not counted again after each save).
        let by_status = RequestFilter {
            status: filter.status,
            open_only: filter.open_only,
            ..Default::default()
        };
        if *filter == by_status {
            return self.count_by_status(filter.status, filter.open_only);
        }
        // The agents' queues: from the open-request counts by agent and follow-up day.
        let by_agent = RequestFilter {
            open_only: true,
            agent_id: filter.agent_id.clone(),
            unassigned: filter.unassigned,
            due_by: filter.due_by,
            ..Default::default()
        };
        if *filter == by_agent {
            return self.count_open(filter.agent_id.as_deref(), filter.unassigned, filter.due_by);
        }
        let (where_sql, params) = where_clause(filter);
        let sql = format!("SELECT count(*) FROM request r{where_sql}");
        let mut st = self.conn.prepare_cached(&sql)?;
        let bound: Vec<(&str, &dyn ToSql)> = params.iter().map(|(n, v)| (*n, v.as_ref())).collect();
        let n: i64 = st.query_row(bound.as_slice(), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// How many different persons the requests of a filter concern (visitors of a salon).
    pub fn count_persons(&self, filter: &RequestFilter) -> Result<usize> {
        let (where_sql, params) = where_clause(filter);
        let sql = format!("SELECT count(DISTINCT r.person_id) FROM request r{where_sql}");
        let mut st = self.conn.prepare_cached(&sql)?;
        let bound: Vec<(&str, &dyn ToSql)> = params.iter().map(|(n, v)| (*n, v.as_ref())).collect();
        let n: i64 = st.query_row(bound.as_slice(), |r| r.get(0))?;
        Ok(n as usize)
    }

    pub fn request_row(&self, id: &str) -> Result<RequestRow> {
        row_by_id(&self.conn, self.ctx.today, id)
    }

    /// Everything about one request: person, timeline, history, the person's other requests.
    pub fn request_detail(&self, id: &str) -> Result<RequestDetail> {
        let request = row_by_id(&self.conn, self.ctx.today, id)?;
        let person = people::get_person(&self.conn, &request.person_id)?;
        let referrals = referrals(&self.conn, id)?;
        let mut ids: Vec<&str> = vec![id];
        ids.extend(referrals.iter().map(|r| r.id.as_str()));
        let history = history(&self.conn, &ids)?;
        let others = self
            .queue(
                &RequestFilter {
                    person_id: Some(person.id.clone()),
                    ..Default::default()
                },
                QueueOrder::Recent,
                0,
                50,
            )?
            .into_iter()
            .filter(|r| r.id != id)
            .collect();
        let (created_at, created_by, updated_at, updated_by) = self.conn.query_row(
            "SELECT created_at, created_by, updated_at, updated_by FROM request WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(RequestDetail {
            follow_ups: follow_ups(&self.conn, id)?,
            request,
            person,
            referrals,
            history,
            others,
            created_at,
            created_by,
            updated_at,
            updated_by,
        })
    }

    /// Changes a request. `expected_version` is the version the agent read: if a colleague
    /// changed the request since, nothing is written and [`Error::Conflict`] says who and when.
    pub fn update_request(
        &mut self,
        id: &str,
        expected_version: Option<i64>,
        change: &RequestChange,
    ) -> Result<i64> {
        self.write(|tx, ctx| update(tx, ctx, id, expected_version, change))
    }
}
