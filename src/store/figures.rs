//! The counts behind every figure (weekly report, summary, review), as plain rows. The
//! arithmetic — weeks, running totals, medians, the previous period — stays in `report.rs` and
//! `review.rs`; this module only reads. Counts by day come from `figure_count`, which triggers
//! keep in the same statement as every write (`migrations/010_figure_counts.sql`): a year of a
//! million requests is a few thousand rows.

use super::Store;
use crate::domain::Status;
use crate::error::Result;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Which date of a request a count is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateColumn {
    Received,
    Closed,
}

/// The grouped counts of a period that the summary shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Requests received in the period, by type.
    ReceivedByType,
    /// Requests received in the period, by channel (`non_renseigne` when empty).
    ReceivedByChannel,
    /// Requests received in the period, by current status.
    ReceivedByStatus,
    /// Requests closed in the period, by outcome.
    ClosedByOutcome,
    /// Requests closed in the period, by type.
    ClosedByType,
    /// Referrals sent in the period, by partner code.
    ReferralsByPartner,
}

/// An event held in a period, with every request captured there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCount {
    pub name: String,
    pub held_on: NaiveDate,
    pub requests: i64,
}

/// A partner's referrals around a period (see `review.rs` for the definitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerCounts {
    pub code: String,
    pub name: String,
    pub sent: i64,
    pub answered: i64,
    pub awaited: i64,
    pub overdue: i64,
    /// Answers received in the period: `(days from sending to answer, how many)`, shortest
    /// first.
    pub answer_days: Vec<(i64, i64)>,
}

/// Open requests of one agent (`None`: not assigned) and those whose follow-up date is past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub agent_id: Option<String>,
    pub open: i64,
    pub overdue: i64,
}

/// A count kind of `figure_count` (see `migrations/010_figure_counts.sql`).
fn kind_of(column: DateColumn) -> &'static str {
    match column {
        DateColumn::Received => "rx",
        DateColumn::Closed => "cx",
    }
}

impl Store {
    /// Counts per (type, day) of a date column within [first, last].
    pub fn counts_per_day(
        &self,
        column: DateColumn,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, i64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT k1, day, sum(n) FROM figure_count WHERE kind = ?1 AND day BETWEEN ?2 AND ?3 \
             GROUP BY day, k1 HAVING sum(n) <> 0",
        )?;
        let rows = st.query_map(rusqlite::params![kind_of(column), first, last], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Counts per type of a date column strictly before `day`.
    pub fn counts_before(
        &self,
        column: DateColumn,
        day: NaiveDate,
    ) -> Result<HashMap<String, i64>> {
        // Summed here: grouped by SQLite, the rows (a year: thousands) would be sorted first.
        let mut st = self
            .conn
            .prepare_cached("SELECT k1, n FROM figure_count WHERE kind = ?1 AND day < ?2")?;
        let mut rows = st.query(rusqlite::params![kind_of(column), day])?;
        let mut out: HashMap<String, i64> = HashMap::new();
        while let Some(r) = rows.next()? {
            let (k, n) = (r.get_ref(0)?.as_str()?, r.get::<_, i64>(1)?);
            match out.get_mut(k) {
                Some(total) => *total += n,
                None => {
                    out.insert(k.to_string(), n);
                }
            }
        }
        out.retain(|_, n| *n != 0);
        Ok(out)
    }

    /// Request types that have at least one request received on or before `last`, in list order.
    pub fn types_in_use(&self, last: NaiveDate) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.code FROM request_type t WHERE EXISTS \
             (SELECT 1 FROM request r WHERE r.type_code = t.code AND r.received_on <= ?1) \
             ORDER BY t.position, t.code",
        )?;
        let rows = st.query_map([last], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One of the summary's grouped counts over [from, to].
    pub fn grouped_counts(
        &self,
        grouping: Grouping,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, i64>> {
        let sql = match grouping {
            Grouping::ReceivedByType => {
                "SELECT k1, sum(n) FROM figure_count WHERE kind = 'rx' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k1 HAVING sum(n) <> 0"
            }
            Grouping::ReceivedByChannel => {
                "SELECT CASE k2 WHEN '' THEN 'non_renseigne' ELSE k2 END, sum(n) FROM figure_count \
                 WHERE kind = 'rx' AND day BETWEEN ?1 AND ?2 GROUP BY 1 HAVING sum(n) <> 0"
            }
            Grouping::ReceivedByStatus => {
                "SELECT k1, sum(n) FROM figure_count WHERE kind = 'rs' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k1 HAVING sum(n) <> 0"
            }
            Grouping::ClosedByOutcome => {
                "SELECT k2, sum(n) FROM figure_count WHERE kind = 'cx' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k2 HAVING sum(n) <> 0"
            }
            Grouping::ClosedByType => {
                "SELECT k1, sum(n) FROM figure_count WHERE kind = 'cx' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k1 HAVING sum(n) <> 0"
            }
            Grouping::ReferralsByPartner => {
                "SELECT p.code, sum(c.n) FROM figure_count c JOIN partner p ON p.id = c.k1 \
                 WHERE c.kind = 'fs' AND c.day BETWEEN ?1 AND ?2 GROUP BY p.code HAVING sum(c.n) <> 0"
            }
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Requests treated in [from, to]: with a contact (any follow-up but a note) or a closing
    /// in it, whatever their reception date. Each counts once, on its first activity day of the
    /// period: the one whose previous activity day is before `from`.
    pub fn treated_count(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(n), 0) FROM figure_count \
              WHERE kind = 'tr' AND day BETWEEN ?1 AND ?2 AND (k1 = '' OR k1 < ?1)",
            [from, to],
            |r| r.get(0),
        )?)
    }

    /// What the figures depend on: `PRAGMA data_version` (moves when another connection
    /// commits) and the rows this connection changed. Equal marks, equal figures.
    pub fn figures_mark(&self) -> Result<(i64, u64)> {
        Ok((self.data_version()?, self.conn.total_changes()))
    }

    /// Events held in [from, to].
    pub fn events_held(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM event WHERE held_on BETWEEN ?1 AND ?2",
            [from, to],
            |r| r.get(0),
        )?)
    }

    /// Requests open at the end of `day`. Closing never precedes reception, so open = received
    /// by then - closed by then.
    pub fn open_at_end_of(&self, day: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(sum(n), 0) FROM figure_count WHERE kind = 'rx' AND day <= ?1) \
                  - (SELECT coalesce(sum(n), 0) FROM figure_count WHERE kind = 'cx' AND day <= ?1)",
            [day],
            |r| r.get(0),
        )?)
    }

    /// The requests received in [from, to], counted by `(received_on, type_code, channel_code)`
    /// (ISO date as text; channel `""` when none), in reception order.
    pub fn scan_received(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(&str, &str, &str, i64),
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT day, k1, k2, n FROM figure_count \
              WHERE kind = 'rx' AND day BETWEEN ?1 AND ?2 AND n <> 0",
        )?;
        let mut rows = st.query([from, to])?;
        while let Some(r) = rows.next()? {
            f(
                r.get_ref(0)?.as_str()?,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str()?,
                r.get(3)?,
            );
        }
        Ok(())
    }

    /// The requests closed in [from, to], counted by `(closed_on, type_code, outcome)`.
    pub fn scan_closed(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(&str, &str, &str, i64),
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT day, k1, k2, n FROM figure_count \
              WHERE kind = 'cx' AND day BETWEEN ?1 AND ?2 AND n <> 0",
        )?;
        let mut rows = st.query([from, to])?;
        while let Some(r) = rows.next()? {
            f(
                r.get_ref(0)?.as_str()?,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str()?,
                r.get(3)?,
            );
        }
        Ok(())
    }

    /// Days to the first contact of the requests received in [from, to] (`Received`), or from
    /// reception to closing of those closed in it (`Closed`): `(days, how many)`, shortest first.
    pub fn delays(
        &self,
        column: DateColumn,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, i64)>> {
        let kind = match column {
            DateColumn::Received => "fc",
            DateColumn::Closed => "cd",
        };
        let mut st = self.conn.prepare_cached(
            "SELECT d, sum(n) FROM figure_count WHERE kind = ?1 AND day BETWEEN ?2 AND ?3 \
             GROUP BY d HAVING sum(n) <> 0 ORDER BY d",
        )?;
        let rows = st.query_map(rusqlite::params![kind, from, to], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Events held in [from, to] with the number of requests captured at each.
    pub fn events_with_requests(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EventCount>> {
        let mut st = self.conn.prepare_cached(
            "SELECT e.name, e.held_on, (SELECT count(*) FROM request r WHERE r.event_id = e.id) \
             FROM event e WHERE e.held_on BETWEEN ?1 AND ?2 ORDER BY e.held_on, e.name",
        )?;
        let rows = st.query_map([from, to], |r| {
            Ok(EventCount {
                name: r.get(0)?,
                held_on: r.get(1)?,
                requests: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Per partner, in name order: referrals sent in [from, to], answered in it (with the days
    /// each answer took), still awaited at `to`, and of those, expected before `as_of`.
    /// Partners with none of these are left out.
    ///
    /// Neither pass grows with the file's past: the day counts of the period, and the referrals
    /// awaited at `to` from their counts by partner and expected day, corrected by the referrals
    /// sent or answered after `to` (two partial indexes), counted here rather than grouped by
    /// SQLite (no sort).
    pub fn partner_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<PartnerCounts>> {
        #[derive(Default)]
        struct Tally {
            sent: i64,
            answered: i64,
            awaited: i64,
            overdue: i64,
            answer_days: HashMap<i64, i64>,
        }
        let mut tally: HashMap<String, Tally> = HashMap::new();
        fn entry<'a>(tally: &'a mut HashMap<String, Tally>, id: &str) -> &'a mut Tally {
            if !tally.contains_key(id) {
                tally.insert(id.to_string(), Tally::default());
            }
            tally.get_mut(id).expect("inserted above")
        }
        let mut st = self.conn.prepare_cached(
            "SELECT kind, k1, d, n FROM figure_count \
              WHERE kind IN ('fa', 'fs') AND day BETWEEN ?1 AND ?2 AND n <> 0",
        )?;
        let mut rows = st.query([from, to])?;
        while let Some(r) = rows.next()? {
            let t = entry(&mut tally, r.get_ref(1)?.as_str()?);
            let n: i64 = r.get(3)?;
            if r.get_ref(0)?.as_str()? == "fs" {
                t.sent += n;
            } else {
                t.answered += n;
                *t.answer_days.entry(r.get(2)?).or_default() += n;
            }
        }
        // Awaited at `to` (sent by then, not answered by then): those not answered today, from
        // their counts, less those of them sent after `to`, plus those answered after `to` but
        // sent by then. Both corrections read only what happened after the period.
        let mut st = self.conn.prepare_cached(
            "SELECT k1, day <> '' AND day < ?1, sum(n) FROM figure_count \
              WHERE kind = 'aw' GROUP BY 1, 2",
        )?;
        let mut rows = st.query([as_of])?;
        while let Some(r) = rows.next()? {
            let t = entry(&mut tally, r.get_ref(0)?.as_str()?);
            let n: i64 = r.get(2)?;
            t.awaited += n;
            if r.get(1)? {
                t.overdue += n;
            }
        }
        for (sql, by) in [
            (
                "SELECT partner_id, expected_by < ?2 FROM referral INDEXED BY \
                 referral_awaited_sent WHERE answered_on IS NULL AND sent_on > ?1",
                -1,
            ),
            (
                "SELECT partner_id, expected_by < ?2 FROM referral INDEXED BY referral_answered \
                  WHERE answered_on > ?1 AND sent_on <= ?1",
                1,
            ),
        ] {
            let mut st = self.conn.prepare_cached(sql)?;
            let mut rows = st.query(rusqlite::params![to, as_of])?;
            while let Some(r) = rows.next()? {
                let t = entry(&mut tally, r.get_ref(0)?.as_str()?);
                t.awaited += by;
                if r.get::<_, Option<bool>>(1)?.unwrap_or(false) {
                    t.overdue += by;
                }
            }
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT id, code, name FROM partner ORDER BY name, id")?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let Some(t) = tally.remove(r.get_ref(0)?.as_str()?) else {
                continue;
            };
            if t.sent == 0 && t.answered == 0 && t.awaited == 0 {
                continue;
            }
            let mut answer_days: Vec<(i64, i64)> =
                t.answer_days.into_iter().filter(|(_, n)| *n != 0).collect();
            answer_days.sort_unstable();
            out.push(PartnerCounts {
                code: r.get(1)?,
                name: r.get(2)?,
                sent: t.sent,
                answered: t.answered,
                awaited: t.awaited,
                overdue: t.overdue,
                answer_days,
            });
        }
        Ok(out)
    }

    /// Requests of a status (all when `None`), only the open ones when `open_only`, from the
    /// counts by reception day and current status.
    pub(crate) fn count_by_status(&self, status: Option<Status>, open_only: bool) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(n), 0) FROM figure_count WHERE kind = 'rs' \
              AND (?1 IS NULL OR k1 = ?1) AND (NOT ?2 OR k1 <> 'close')",
            )?
            .query_row(rusqlite::params![status, open_only], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// Open requests per agent id (`None`: not assigned), unassigned first then by id, with
    /// those whose follow-up date is before `today`, from the open-request counts.
    pub fn open_workload(&self, today: NaiveDate) -> Result<Vec<AgentLoad>> {
        let mut st = self.conn.prepare_cached(
            "SELECT k1, sum(n), sum(CASE WHEN day <> '' AND day < ?1 THEN n ELSE 0 END) \
               FROM figure_count WHERE kind = 'ao' GROUP BY k1 HAVING sum(n) <> 0 ORDER BY k1",
        )?;
        let rows = st.query_map([today], |r| {
            let id: String = r.get(0)?;
            Ok(AgentLoad {
                agent_id: (!id.is_empty()).then_some(id),
                open: r.get(1)?,
                overdue: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Open requests of one agent (or the unassigned ones), due by a day if given, from the
    /// open-request counts: the queues' tab counts.
    pub(crate) fn count_open(
        &self,
        agent_id: Option<&str>,
        unassigned: bool,
        due_by: Option<NaiveDate>,
    ) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(n), 0) FROM figure_count WHERE kind = 'ao' \
                  AND (?1 IS NULL OR k1 = ?1) AND (NOT ?2 OR k1 = '') \
                  AND (?3 IS NULL OR (day <> '' AND day <= ?3))",
            )?
            .query_row(rusqlite::params![agent_id, unassigned, due_by], |r| {
                r.get(0)
            })?;
        Ok(n.max(0) as usize)
    }
}

/// The figure counts of a bulk load (the demo generator): the triggers that keep them are
/// dropped for the transaction and the rows it added are counted at the end in a few set
/// statements — row by row, the triggers would triple the load's time. Only for a load that
/// adds requests with their follow-ups (none to an older request) and referrals; a load that
/// fails rolls the triggers back with everything else.
pub(crate) struct BulkCounts {
    triggers: Vec<String>,
    requests_after: i64,
    referrals_after: i64,
}

impl BulkCounts {
    pub(crate) fn start(tx: &rusqlite::Transaction<'_>) -> Result<Self> {
        let mut st = tx.prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN \
             ('request', 'follow_up', 'referral') AND name LIKE 'figure%' ORDER BY name",
        )?;
        let triggers: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(st);
        for (name, _) in &triggers {
            tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        }
        let last = |table: &str| -> Result<i64> {
            Ok(tx.query_row(
                &format!("SELECT coalesce(max(rowid), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?)
        };
        Ok(BulkCounts {
            requests_after: last("request")?,
            referrals_after: last("referral")?,
            triggers: triggers.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    /// Counts the rows added since `start` (the same counts as the triggers and migrations 010,
    /// 012 and 014)
    /// and puts the triggers back.
    pub(crate) fn finish(self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        const UPSERT: &str = " ON CONFLICT DO UPDATE SET n = n + excluded.n";
        let requests = [
            "SELECT 'rx', received_on, type_code, coalesce(channel_code, ''), 0, count(*) \
               FROM request WHERE rowid > ?1 GROUP BY 2, 3, 4",
            "SELECT 'rs', received_on, status, '', 0, count(*) FROM request WHERE rowid > ?1 \
              GROUP BY 2, 3",
            "SELECT 'ao', coalesce(next_follow_up_on, ''), coalesce(agent_id, ''), '', 0, \
                    count(*) FROM request WHERE rowid > ?1 AND status <> 'close' GROUP BY 2, 3",
            "SELECT 'fc', received_on, '', '', \
                    CAST(julianday(first_contact_on) - julianday(received_on) AS INTEGER), count(*) \
               FROM request WHERE rowid > ?1 AND first_contact_on IS NOT NULL GROUP BY 2, 5",
            "SELECT 'cx', closed_on, type_code, outcome, 0, count(*) FROM request \
              WHERE rowid > ?1 AND closed_on IS NOT NULL GROUP BY 2, 3, 4",
            "SELECT 'cd', closed_on, '', '', \
                    CAST(julianday(closed_on) - julianday(received_on) AS INTEGER), count(*) \
               FROM request WHERE rowid > ?1 AND closed_on IS NOT NULL GROUP BY 2, 5",
            "SELECT 'tr', a, coalesce(p, ''), '', 0, count(*) FROM ( \
                 SELECT a, lag(a) OVER (PARTITION BY r ORDER BY a) AS p FROM ( \
                     SELECT f.request_id AS r, f.occurred_on AS a \
                       FROM request q JOIN follow_up f ON f.request_id = q.id \
                      WHERE q.rowid > ?1 AND f.kind <> 'note' \
                     UNION SELECT id, closed_on FROM request \
                      WHERE rowid > ?1 AND closed_on IS NOT NULL)) \
              WHERE true GROUP BY 2, 3",
        ];
        let referrals = [
            "SELECT 'fs', sent_on, partner_id, '', 0, count(*) FROM referral WHERE rowid > ?1 \
              GROUP BY 2, 3",
            "SELECT 'fa', answered_on, partner_id, '', \
                    CAST(julianday(answered_on) - julianday(sent_on) AS INTEGER), count(*) \
               FROM referral WHERE rowid > ?1 AND answered_on IS NOT NULL GROUP BY 2, 3, 5",
            "SELECT 'aw', coalesce(expected_by, ''), partner_id, '', 0, count(*) FROM referral \
              WHERE rowid > ?1 AND answered_on IS NULL GROUP BY 2, 3",
        ];
        let add = |select: &str, after: i64| -> Result<()> {
            tx.execute(
                &format!("INSERT INTO figure_count (kind, day, k1, k2, d, n) {select}{UPSERT}"),
                [after],
            )?;
            Ok(())
        };
        for select in requests {
            add(select, self.requests_after)?;
        }
        for select in referrals {
            add(select, self.referrals_after)?;
        }
        for sql in &self.triggers {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}
