//! Right of access (RGPD art. 15): everything the file holds about the person of a request, in
//! one document — the person, every request of theirs with its case log, referrals, history and
//! access-log entries, and the rows of any other table tied to a request (aids, housing
//! placements…) or to such a row (an aid's payments and commitment, a commitment's
//! attestations and repayments).

use super::access::{AccessAction, AccessEntry, insert};
use super::{FollowUpRow, HistoryRow, Person, ReferralRow, RequestRow, Store};
use crate::error::Result;
use rusqlite::types::ValueRef;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct PersonExport {
    pub exported_at: String,
    pub exported_by: String,
    pub person: Person,
    /// Changes to the person's identity and contacts.
    pub person_history: Vec<HistoryRow>,
    pub requests: Vec<RequestExport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestExport {
    #[serde(flatten)]
    pub request: RequestRow,
    pub follow_ups: Vec<FollowUpRow>,
    pub referrals: Vec<ReferralRow>,
    pub history: Vec<HistoryRow>,
    pub access_log: Vec<AccessEntry>,
    /// Rows of the other tables that belong to this request (aids, payments…), by table.
    pub related: BTreeMap<String, Vec<Value>>,
}

/// Tables with a `request_id` column whose rows are not already exported above.
fn related_tables(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT m.name FROM sqlite_schema m WHERE m.type = 'table' \
         AND m.name NOT IN ('follow_up', 'referral', 'access_log', 'request') \
         AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'request_id') \
         ORDER BY m.name",
    )?;
    let names = st.query_map([], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// Tables with a `{parent}_id` column: the rows that belong to a row of `parent` (an aid's
/// payments, a commitment's attestations and repayments…).
fn child_tables(conn: &rusqlite::Connection, parent: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT m.name FROM sqlite_schema m WHERE m.type = 'table' \
         AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = ?1) \
         ORDER BY m.name",
    )?;
    let names = st.query_map([format!("{parent}_id")], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// The rows of `table` whose `column` is `value`, then, recursively, the rows of the tables
/// that refer to them, all added to `related` by table.
fn collect_related(
    conn: &rusqlite::Connection,
    table: &str,
    column: &str,
    value: &str,
    related: &mut BTreeMap<String, Vec<Value>>,
    depth: usize,
) -> Result<()> {
    let rows = related_rows(conn, table, column, value)?;
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    related.entry(table.to_string()).or_default().extend(rows);
    if depth == 0 {
        return Ok(());
    }
    let parent_column = format!("{table}_id");
    for child in child_tables(conn, table)? {
        for id in &ids {
            collect_related(conn, &child, &parent_column, id, related, depth - 1)?;
        }
    }
    Ok(())
}

fn related_rows(
    conn: &rusqlite::Connection,
    table: &str,
    column: &str,
    value: &str,
) -> Result<Vec<Value>> {
    // Table and column names come from the file's own schema; quoted as identifiers.
    let sql = format!(
        "SELECT * FROM \"{}\" WHERE \"{}\" = ?1",
        table.replace('"', "\"\""),
        column.replace('"', "\"\"")
    );
    let mut st = conn.prepare(&sql)?;
    let columns: Vec<String> = st.column_names().iter().map(|c| c.to_string()).collect();
    let mut rows = st.query([value])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut obj = Map::new();
        for (i, c) in columns.iter().enumerate() {
            let v = match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::from(n),
                ValueRef::Real(f) => Value::from(f),
                ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::from(super::chain::to_hex(b)),
            };
            obj.insert(c.clone(), v);
        }
        out.push(Value::Object(obj));
    }
    Ok(out)
}

impl Store {
    /// Everything about the person of `request_id`. The export is logged first, against each
    /// of their requests.
    pub fn person_export(&mut self, request_id: &str) -> Result<PersonExport> {
        let person_id = self.request_row(request_id)?.person_id;
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM request WHERE person_id = ?1 ORDER BY received_on, reference",
            )?
            .query_map([&person_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.write(|tx, ctx| {
            for id in &ids {
                insert(tx, ctx, AccessAction::PersonExport, Some(id))?;
            }
            Ok(())
        })?;
        let tables = related_tables(&self.conn)?;
        let mut requests = Vec::new();
        for id in &ids {
            let d = self.request_detail(id)?;
            let mut related = BTreeMap::new();
            for t in &tables {
                collect_related(&self.conn, t, "request_id", id, &mut related, 2)?;
            }
            requests.push(RequestExport {
                request: d.request,
                follow_ups: d.follow_ups,
                referrals: d.referrals,
                history: d.history,
                access_log: self.request_accesses(id, usize::MAX >> 1)?,
                related,
            });
        }
        let person_history = super::history::history(&self.conn, &[person_id.as_str()])?;
        Ok(PersonExport {
            exported_at: self.ctx.now(),
            exported_by: self.ctx.actor.clone(),
            person: self.person(&person_id)?,
            person_history,
            requests,
        })
    }
}
