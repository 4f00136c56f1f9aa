//! The team lead's review ("Bilan") of a period: one computation that the screen, `guichet
//! report review|partners|backlog` and every export format share. Definitions are those of
//! PRODUCT.md (see `report.rs`); the ones added here:
//!
//! - a period in progress is counted up to today (`through`), and compared like for like: the
//!   previous period and the same period a year earlier are cut to the same days (a month to
//!   date against the same days of the previous month, a week in progress against the same
//!   weekdays); a finished period is compared with the whole previous one (same kind and
//!   length, just before) and with the same one a year earlier (a week: the same ISO week);
//! - trend: requests received in each of the 12 ISO weeks ending with the week of `through`
//!   (never a future week); the weekly series of the exports covers the period's weeks and at
//!   least those 12;
//! - treated (*traitées*): requests, whatever their reception date, with a contact (a call, an
//!   e-mail, a meeting or a letter; a note is not one) or a closing in the period;
//! - outcomes by type: the requests closed in the period, by type and outcome;
//! - events: the events held in the period, with every request captured there;
//! - referrals by partner: sent in the period, answered in the period, still awaited at its end
//!   (sent by then, not answered by then), of which overdue (expected before the end, or before
//!   today for the current period); median days from sending to answer, over the answers of the
//!   period;
//! - workload: open requests per agent today, and those whose follow-up date is past — a
//!   workload view, not a ranking;
//! - time to first contact: from reception to the first call, e-mail, meeting or letter, over
//!   the requests received in the period that had one; time to close: from reception to
//!   closing, over the requests closed in the period. Median and 90th percentile, in days.

use crate::domain::{MONTHS, fr_date, iso_week_label, week_start};
use crate::error::Result;
use crate::output::{Sheet, Value};
use crate::store::{DateColumn, Grouping, Store};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
    Custom,
}

impl PeriodKind {
    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Week => "semaine",
            PeriodKind::Month => "mois",
            PeriodKind::Quarter => "trimestre",
            PeriodKind::Year => "année",
            PeriodKind::Custom => "période choisie",
        }
    }

    /// The next kind, for the `p` key (a custom range is chosen with its own form).
    pub fn next(self) -> PeriodKind {
        match self {
            PeriodKind::Week => PeriodKind::Month,
            PeriodKind::Month => PeriodKind::Quarter,
            PeriodKind::Quarter => PeriodKind::Year,
            PeriodKind::Year | PeriodKind::Custom => PeriodKind::Week,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

impl Period {
    /// Monday to Sunday of the last complete ISO week before `today`.
    pub fn last_complete_week(today: NaiveDate) -> Period {
        let from = week_start(today) - Days::new(7);
        Period {
            kind: PeriodKind::Week,
            from,
            to: from + Days::new(6),
        }
    }

    /// The period two dates make: a whole ISO week, month, quarter or year is that kind (and
    /// is compared with the previous one of its kind, June with May); any other range is a
    /// custom one.
    pub fn from_dates(from: NaiveDate, to: NaiveDate) -> Period {
        [
            PeriodKind::Week,
            PeriodKind::Month,
            PeriodKind::Quarter,
            PeriodKind::Year,
        ]
        .into_iter()
        .map(|kind| Period::containing(kind, from))
        .find(|p| p.from == from && p.to == to)
        .unwrap_or_else(|| Period::custom(from, to))
    }

    pub fn custom(from: NaiveDate, to: NaiveDate) -> Period {
        Period {
            kind: PeriodKind::Custom,
            from,
            to,
        }
    }

    /// The period of that kind holding `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        let (from, to) = match kind {
            PeriodKind::Week | PeriodKind::Custom => {
                let f = week_start(day);
                (f, f + Days::new(6))
            }
            PeriodKind::Month => {
                let f = first_of_month(day);
                (f, f + Months::new(1) - Days::new(1))
            }
            PeriodKind::Quarter => {
                let f = NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1)
                    .unwrap_or(day);
                (f, f + Months::new(3) - Days::new(1))
            }
            PeriodKind::Year => {
                let f = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
                (f, f + Months::new(12) - Days::new(1))
            }
        };
        Period {
            kind: if kind == PeriodKind::Custom {
                PeriodKind::Week
            } else {
                kind
            },
            from,
            to,
        }
    }

    /// The period `n` steps later (earlier when negative); a custom range moves by its length.
    pub fn shift(self, n: i32) -> Period {
        let months = |m: u32| {
            let step = |d: NaiveDate| {
                if n >= 0 {
                    d + Months::new(m * n as u32)
                } else {
                    d - Months::new(m * n.unsigned_abs())
                }
            };
            Period::containing(self.kind, step(self.from))
        };
        match self.kind {
            PeriodKind::Week => {
                let d = self.from + chrono::Duration::days(7 * i64::from(n));
                Period::containing(PeriodKind::Week, d)
            }
            PeriodKind::Month => months(1),
            PeriodKind::Quarter => months(3),
            PeriodKind::Year => months(12),
            PeriodKind::Custom => {
                let len = (self.to - self.from).num_days() + 1;
                let by = chrono::Duration::days(len * i64::from(n));
                Period::custom(self.from + by, self.to + by)
            }
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The last day counted as of `today`: the period's end, or today while it runs.
    pub fn through(&self, today: NaiveDate) -> NaiveDate {
        self.to.min(today).max(self.from)
    }

    /// What the period is compared with, like for like: the previous period, cut to the same
    /// days when this one is still running (counted up to `through`).
    pub fn comparison(&self, through: NaiveDate) -> Period {
        let prev = self.shift(-1);
        if through >= self.to {
            return prev;
        }
        let end = match self.kind {
            PeriodKind::Week => through - Days::new(7),
            PeriodKind::Month => through - Months::new(1),
            PeriodKind::Quarter => through - Months::new(3),
            PeriodKind::Year => through - Months::new(12),
            PeriodKind::Custom => prev.from + (through - self.from),
        };
        Period::custom(prev.from, end.min(prev.to))
    }

    /// The same period a year earlier (a week: the same ISO week), cut like `comparison`.
    pub fn year_before(&self, through: NaiveDate) -> Period {
        let back = |d: NaiveDate| d - Months::new(12);
        let from = match self.kind {
            PeriodKind::Week => {
                let w = self.from.iso_week();
                NaiveDate::from_isoywd_opt(w.year() - 1, w.week(), chrono::Weekday::Mon)
                    .unwrap_or(self.from - Days::new(364))
            }
            _ => back(self.from),
        };
        let whole = match self.kind {
            PeriodKind::Custom => Period::custom(from, back(self.to)),
            kind => Period::containing(kind, from),
        };
        if through >= self.to {
            return whole;
        }
        let end = from + (through - self.from);
        let end = match self.kind {
            PeriodKind::Week | PeriodKind::Custom => end,
            _ => back(through),
        };
        Period::custom(whole.from, end.min(whole.to))
    }

    /// "semaine 2026-W46, du 09/11/2026 au 15/11/2026", "novembre 2026", "T4 2026"…
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Week => format!(
                "semaine {}, du {} au {}",
                iso_week_label(self.from),
                fr_date(self.from),
                fr_date(self.to)
            ),
            PeriodKind::Month => format!(
                "{} {}",
                MONTHS[self.from.month0() as usize],
                self.from.year()
            ),
            PeriodKind::Quarter => format!("T{} {}", self.from.month0() / 3 + 1, self.from.year()),
            PeriodKind::Year => format!("année {}", self.from.year()),
            PeriodKind::Custom => format!("du {} au {}", fr_date(self.from), fr_date(self.to)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeFigures {
    pub code: String,
    pub label: String,
    pub received: i64,
    pub closed: i64,
    pub open_at_end: i64,
    pub previous_received: i64,
    pub previous_closed: i64,
    /// Received and closed in the same period a year earlier.
    pub last_year_received: i64,
    pub last_year_closed: i64,
    /// The requests closed in the period, by outcome code (every outcome, 0 included).
    pub outcomes: BTreeMap<String, i64>,
    /// Received per week, the 12 ISO weeks ending with the week of `through`.
    pub trend: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventFigures {
    pub name: String,
    pub held_on: NaiveDate,
    pub requests: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerFigures {
    pub code: String,
    pub name: String,
    pub sent: i64,
    pub answered: i64,
    pub awaited: i64,
    pub overdue: i64,
    pub median_days_to_answer: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// `None`: not assigned.
    pub agent: Option<String>,
    pub open: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delay {
    /// Requests measured.
    pub count: usize,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub period: Period,
    /// The last day counted: the period's end, or today while it runs.
    pub through: NaiveDate,
    /// Compared with, like for like (see the module's comment).
    pub previous: Period,
    /// The same period a year earlier, cut the same way.
    pub last_year: Period,
    pub received: i64,
    pub closed: i64,
    pub open_at_end: i64,
    /// Requests with a contact or a closing in the period, whatever their reception date.
    pub treated: i64,
    pub by_type: Vec<TypeFigures>,
    pub by_channel: Vec<Count>,
    pub by_outcome: Vec<Count>,
    pub events: Vec<EventFigures>,
    pub partners: Vec<PartnerFigures>,
    pub workload: Vec<Workload>,
    pub first_contact: Delay,
    /// Requests received in the period with no contact yet.
    pub without_contact: i64,
    pub time_to_close: Delay,
    pub headline: String,
    /// Housing places of the period (issue #14).
    pub housing: crate::housing::report::HousingReport,
    /// Received, closed and open at the end of each ISO week and type: the period's weeks, and
    /// at least the 12 of the trend (the rows of `report weekly`).
    pub weeks: Vec<crate::report::WeeklyRow>,
}

/// Days since 1970-01-01 of a stored `YYYY-MM-DD` date, without a date library: the review
/// reads one per row of a year of requests. (Howard Hinnant's `days_from_civil`.)
pub fn day_number(iso: &str) -> i64 {
    let b = iso.as_bytes();
    let num = |r: std::ops::Range<usize>| {
        b.get(r).map_or(0, |d| {
            d.iter()
                .fold(0i64, |n, c| n * 10 + i64::from(c.wrapping_sub(b'0')))
        })
    };
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Median and 90th percentile (nearest rank) of day counts given as `(days, how many)`: the
/// figures' counts are histograms, never expanded into one value per request (a year at a
/// million requests would be a million values).
pub fn delay(counts: &[(i64, i64)]) -> Delay {
    let mut counts: Vec<(i64, usize)> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|&(d, n)| (d, n as usize))
        .collect();
    counts.sort_unstable();
    let n: usize = counts.iter().map(|(_, k)| k).sum();
    // The value at 0-based position `i` of the sorted list the histogram stands for.
    let nth = |i: usize| -> f64 {
        let mut seen = 0;
        for &(d, k) in &counts {
            seen += k;
            if i < seen {
                return d as f64;
            }
        }
        unreachable!("position {i} within the {n} counted")
    };
    let rank = |q: f64| nth(((q * n as f64).ceil() as usize).clamp(1, n) - 1);
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(nth(n / 2)),
        _ => Some((nth(n / 2 - 1) + nth(n / 2)) / 2.0),
    };
    Delay {
        count: n,
        median_days: median,
        p90_days: (n > 0).then(|| rank(0.9)),
    }
}

/// Counts by a short key (a type, a channel, an outcome: a dozen at most), bumped once per row
/// of a year of requests: a short list beats hashing.
#[derive(Debug, Default)]
struct Counts(Vec<(String, i64)>);

impl Counts {
    fn add(&mut self, key: &str, by: i64) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, n)) => *n += by,
            None => self.0.push((key.to_string(), by)),
        }
    }

    fn get(&self, key: &str) -> Option<&i64> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, n)| n)
    }

    fn total(&self) -> i64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

/// Per type, the count of its requests whose date column is before `day`.
fn counts_before(store: &Store, column: DateColumn, day: NaiveDate) -> Result<Counts> {
    let mut out = Counts::default();
    for (code, n) in store.counts_before(column, day)? {
        out.0.push((code, n));
    }
    Ok(out)
}

/// "bourses d'études", "aides à l'installation", "lieux d'exercice": the plural of a label's
/// first word, in lower case.
pub fn plural(label: &str, n: i64) -> String {
    let lower = {
        let mut c = label.chars();
        c.next().map_or_else(String::new, |f| {
            f.to_lowercase().collect::<String>() + c.as_str()
        })
    };
    if n <= 1 {
        return lower;
    }
    let (first, rest) = lower
        .split_once(' ')
        .map_or((lower.as_str(), ""), |(f, r)| (f, r));
    let first = if first.ends_with(['s', 'x', 'z']) {
        first.to_string()
    } else if first.ends_with("eu") || first.ends_with("au") {
        format!("{first}x")
    } else {
        format!("{first}s")
    };
    if rest.is_empty() {
        first
    } else {
        format!("{first} {rest}")
    }
}

/// Everything the review shows for `period`, as of `store.today()`.
pub fn compute(store: &Store, period: Period) -> Result<Review> {
    crate::report::check_range(period.from, period.to)?;
    let today = store.today();
    // A period in progress is counted up to today, and compared on the same days.
    let through = period.through(today);
    let (from, to) = (period.from, through);
    let previous = period.comparison(through);
    let last_year = period.year_before(through);
    let types = store.types()?;
    // Two passes over the day counts — reception side and closing side — from the earliest day
    // any figure needs, plus the counts before it.
    let lo = from.min(previous.from);

    // Dates are ISO text: compared as text.
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let (from_s, to_s, prev_from_s, prev_to_s) =
        (iso(from), iso(to), iso(previous.from), iso(previous.to));
    let in_period = |d: &str| d >= from_s.as_str() && d <= to_s.as_str();
    let in_previous = |d: &str| d >= prev_from_s.as_str() && d <= prev_to_s.as_str();
    let bump = |m: &mut Counts, k: &str, n: i64| m.add(k, n);

    let mut received = Counts::default();
    let mut prev_received = Counts::default();
    let mut received_by_end = counts_before(store, DateColumn::Received, lo)?;
    let mut by_channel_raw = Counts::default();
    store.scan_received(lo, to, |day, t, channel, n| {
        bump(&mut received_by_end, t, n);
        if in_previous(day) {
            bump(&mut prev_received, t, n);
        }
        if in_period(day) {
            bump(&mut received, t, n);
            bump(&mut by_channel_raw, channel, n);
        }
    })?;
    let contact_days = store.delays(DateColumn::Received, from, to)?;

    let mut closed = Counts::default();
    let mut prev_closed = Counts::default();
    let mut closed_by_end = counts_before(store, DateColumn::Closed, lo)?;
    let mut outcomes = Counts::default();
    let mut outcomes_by_type: HashMap<String, Counts> = HashMap::new();
    store.scan_closed(lo, to, |day, t, outcome, n| {
        bump(&mut closed_by_end, t, n);
        if in_previous(day) {
            bump(&mut prev_closed, t, n);
        }
        if in_period(day) {
            bump(&mut closed, t, n);
            bump(&mut outcomes, outcome, n);
            outcomes_by_type
                .entry(t.to_string())
                .or_default()
                .add(outcome, n);
        }
    })?;
    let close_days = store.delays(DateColumn::Closed, from, to)?;
    let ly_received =
        store.grouped_counts(Grouping::ReceivedByType, last_year.from, last_year.to)?;
    let ly_closed = store.grouped_counts(Grouping::ClosedByType, last_year.from, last_year.to)?;

    // The weekly series, from which the trend is read: its last 12 weeks.
    let trend_from = week_start(through) - Days::new(7 * 11);
    let weeks = crate::report::weekly(store, from.min(trend_from), through)?;
    let trend_of = |code: &str| -> Vec<i64> {
        let mut v: Vec<i64> = weeks
            .iter()
            .filter(|w| w.type_code == code && w.week_start >= trend_from)
            .map(|w| w.received)
            .collect();
        v.resize(12, 0);
        v
    };

    let get = |m: &Counts, k: &str| m.get(k).copied().unwrap_or(0);
    let get_map = |m: &BTreeMap<String, i64>, k: &str| m.get(k).copied().unwrap_or(0);
    let by_type: Vec<TypeFigures> = types
        .iter()
        .filter(|t| get(&received_by_end, &t.code) > 0 || get(&prev_received, &t.code) > 0)
        .map(|t| TypeFigures {
            code: t.code.clone(),
            label: t.label.clone(),
            received: get(&received, &t.code),
            closed: get(&closed, &t.code),
            open_at_end: get(&received_by_end, &t.code) - get(&closed_by_end, &t.code),
            previous_received: get(&prev_received, &t.code),
            previous_closed: get(&prev_closed, &t.code),
            last_year_received: get_map(&ly_received, &t.code),
            last_year_closed: get_map(&ly_closed, &t.code),
            outcomes: crate::domain::Outcome::ALL
                .iter()
                .map(|o| {
                    let n = outcomes_by_type
                        .get(&t.code)
                        .map_or(0, |c| get(c, o.code()));
                    (o.code().to_string(), n)
                })
                .collect(),
            trend: trend_of(&t.code),
        })
        .collect();

    let channels = store.channels()?;
    let mut by_channel: Vec<Count> = channels
        .iter()
        .filter_map(|c| {
            by_channel_raw.get(&c.code).map(|n| Count {
                code: c.code.clone(),
                label: c.label.clone(),
                count: *n,
            })
        })
        .collect();
    if let Some(n) = by_channel_raw.get("") {
        by_channel.push(Count {
            code: crate::report::NO_CHANNEL.into(),
            label: "Non renseigné".into(),
            count: *n,
        });
    }

    let by_outcome: Vec<Count> = crate::domain::Outcome::ALL
        .iter()
        .map(|o| Count {
            code: o.code().into(),
            label: o.label().into(),
            count: get(&outcomes, o.code()),
        })
        .collect();

    let events: Vec<EventFigures> = store
        .events_with_requests(from, to)?
        .into_iter()
        .map(|e| EventFigures {
            name: e.name,
            held_on: e.held_on,
            requests: e.requests,
        })
        .collect();

    // Referrals by partner, with the days their answers of the period took.
    let as_of = to.min(today);
    let partners: Vec<PartnerFigures> = store
        .partner_counts(from, to, as_of)?
        .into_iter()
        .map(|p| PartnerFigures {
            code: p.code,
            name: p.name,
            sent: p.sent,
            answered: p.answered,
            awaited: p.awaited,
            overdue: p.overdue,
            median_days_to_answer: delay(&p.answer_days).median_days,
        })
        .collect();
    let workload = workload(store)?;
    let first_contact = delay(&contact_days);
    let time_to_close = delay(&close_days);
    let total_received: i64 = received.total();
    let total_closed: i64 = closed.total();
    let without_contact = total_received - first_contact.count as i64;
    let open_at_end = by_type.iter().map(|t| t.open_at_end).sum();
    let treated = store.treated_count(from, to)?;
    let headline = headline(
        &period,
        today,
        &by_type,
        total_received,
        treated,
        events.len(),
    );

    Ok(Review {
        period,
        through,
        previous,
        last_year,
        received: total_received,
        closed: total_closed,
        open_at_end,
        treated,
        by_type,
        by_channel,
        by_outcome,
        events,
        partners,
        workload,
        first_contact,
        without_contact,
        time_to_close,
        headline,
        housing: crate::housing::report::compute(
            store,
            crate::housing::Span {
                from: period.from,
                to: period.to,
            },
        )?,
        weeks,
    })
}

/// Today's load: open requests per agent (by name, the unassigned last) and those whose
/// follow-up date is past. `report backlog` and the review's last section.
pub fn workload(store: &Store) -> Result<Vec<Workload>> {
    // From the open-request counts (no pass over the requests); named afterwards.
    let names: HashMap<String, String> = store
        .agents()?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut workload: Vec<Workload> = store
        .open_workload(store.today())?
        .into_iter()
        .map(|w| Workload {
            agent: w.agent_id.map(|id| names.get(&id).cloned().unwrap_or(id)),
            open: w.open,
            overdue: w.overdue,
        })
        .collect();
    workload.sort_by(|a, b| (a.agent.is_none(), &a.agent).cmp(&(b.agent.is_none(), &b.agent)));
    Ok(workload)
}

/// The sentence the département publishes, saying what it counts: "Du … au …, N demandes
/// reçues, dont … ; N traitées (contact ou clôture) ; N événements." It names the two measures
/// the département funds when the file has them (Loiret: grants and installation aid), else
/// the two most requested types.
fn headline(
    period: &Period,
    today: NaiveDate,
    by_type: &[TypeFigures],
    received: i64,
    treated: i64,
    events: usize,
) -> String {
    let mut featured: Vec<&TypeFigures> = by_type
        .iter()
        .filter(|t| t.code == "bourse" || t.code == "installation")
        .collect();
    if featured.len() < 2 {
        let mut top: Vec<&TypeFigures> = by_type.iter().filter(|t| t.received > 0).collect();
        top.sort_by_key(|t| std::cmp::Reverse(t.received));
        featured = top.into_iter().take(2).collect();
    }
    let parts: Vec<String> = featured
        .iter()
        .map(|t| format!("{} {}", t.received, plural(&t.label, t.received)))
        .collect();
    let opening = if period.to >= today {
        format!("Depuis le {}", fr_date(period.from))
    } else {
        format!("Du {} au {}", fr_date(period.from), fr_date(period.to))
    };
    let s = |n: i64| if n > 1 { "s" } else { "" };
    let mut headline = format!(
        "{opening}, {received} demande{} reçue{}",
        s(received),
        s(received)
    );
    if !parts.is_empty() && received > 0 {
        headline.push_str(&format!(", dont {}", parts.join(" et ")));
    }
    headline.push_str(&format!(
        " ; {treated} traitée{} (contact ou clôture)",
        s(treated)
    ));
    headline.push_str(&format!(" ; {events} événement{}.", s(events as i64)));
    headline
}

fn days(v: Option<f64>) -> Value {
    v.map_or(Value::Empty, Value::Num)
}

/// A number of days as every screen and text shows it: "51,5 j", "10 j", "—" (the one
/// rounding rule, `output::fr_number`).
pub fn days_text(v: Option<f64>) -> String {
    v.map_or_else(
        || "—".to_string(),
        |d| format!("{} j", crate::output::fr_number(d)),
    )
}

/// A change as the screen and the e-mail text show it: "+3", "-2", "=".
pub fn change(now: i64, before: i64) -> String {
    match now - before {
        0 => "=".into(),
        d if d > 0 => format!("+{d}"),
        d => d.to_string(),
    }
}

/// `rows` with a last "Total" row: the sum of every column of whole numbers.
fn with_total(mut rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let Some(width) = rows.first().map(Vec::len) else {
        return rows;
    };
    let total: Vec<Value> = (0..width)
        .map(|c| {
            if c == 0 {
                return Value::text("Total");
            }
            let mut sum = 0;
            for r in &rows {
                match r.get(c) {
                    Some(Value::Int(n)) => sum += n,
                    _ => return Value::Empty,
                }
            }
            Value::Int(sum)
        })
        .collect();
    rows.push(total);
    rows
}

impl Period {
    /// A short name for a comparison: "2026-W45", "octobre 2026", "du 01/10 au 22/10/2026".
    pub fn short_label(&self) -> String {
        match self.kind {
            PeriodKind::Week => iso_week_label(self.from),
            PeriodKind::Custom if self.from.year() == self.to.year() => {
                format!("du {} au {}", self.from.format("%d/%m"), fr_date(self.to))
            }
            _ => self.label(),
        }
    }
}

impl Review {
    /// True while the period runs (counted up to today, not to its end).
    pub fn in_progress(&self) -> bool {
        self.through < self.period.to
    }

    /// The review as tables, one per section: what the screen shows, and every export.
    pub fn sheets(&self) -> Vec<Sheet> {
        let mut out = Vec::new();
        let prev_received: i64 = self.by_type.iter().map(|t| t.previous_received).sum();
        let ly_received: i64 = self.by_type.iter().map(|t| t.last_year_received).sum();
        out.push(Sheet::new(
            "Synthèse",
            &["Rubrique", "Valeur"],
            vec![
                vec![Value::text("Période"), Value::text(&self.period.label())],
                vec![Value::text("Du"), Value::Date(self.period.from)],
                vec![Value::text("Au"), Value::Date(self.period.to)],
                vec![Value::text("Compté jusqu'au"), Value::Date(self.through)],
                vec![
                    Value::text("Comparé à : période précédente, du"),
                    Value::Date(self.previous.from),
                ],
                vec![
                    Value::text("Comparé à : période précédente, au"),
                    Value::Date(self.previous.to),
                ],
                vec![
                    Value::text("Comparé à : même période l'an dernier, du"),
                    Value::Date(self.last_year.from),
                ],
                vec![
                    Value::text("Comparé à : même période l'an dernier, au"),
                    Value::Date(self.last_year.to),
                ],
                vec![Value::text("Demandes reçues"), Value::Int(self.received)],
                vec![
                    Value::text("Demandes reçues, période précédente"),
                    Value::Int(prev_received),
                ],
                vec![
                    Value::text("Demandes reçues, même période l'an dernier"),
                    Value::Int(ly_received),
                ],
                vec![Value::text("Demandes closes"), Value::Int(self.closed)],
                vec![
                    Value::text("Demandes traitées (contact ou clôture)"),
                    Value::Int(self.treated),
                ],
                vec![
                    Value::text("Ouvertes en fin de période"),
                    Value::Int(self.open_at_end),
                ],
                vec![
                    Value::text("Événements"),
                    Value::Int(self.events.len() as i64),
                ],
                vec![
                    Value::text("Premier contact, médiane (jours)"),
                    days(self.first_contact.median_days),
                ],
                vec![
                    Value::text("Premier contact, 90e centile (jours)"),
                    days(self.first_contact.p90_days),
                ],
                vec![
                    Value::text("Sans contact à ce jour"),
                    Value::Int(self.without_contact),
                ],
                vec![
                    Value::text("Clôture, médiane (jours)"),
                    days(self.time_to_close.median_days),
                ],
                vec![
                    Value::text("Clôture, 90e centile (jours)"),
                    days(self.time_to_close.p90_days),
                ],
                vec![Value::text("En une phrase"), Value::text(&self.headline)],
            ],
        ));
        out.push(Sheet::new(
            "Par type",
            &[
                "Type",
                "Reçues",
                "Reçues (période précédente)",
                "Reçues (l'an dernier)",
                "Closes",
                "Closes (période précédente)",
                "Closes (l'an dernier)",
                "Ouvertes en fin de période",
            ],
            with_total(
                self.by_type
                    .iter()
                    .map(|t| {
                        vec![
                            Value::text(&t.label),
                            Value::Int(t.received),
                            Value::Int(t.previous_received),
                            Value::Int(t.last_year_received),
                            Value::Int(t.closed),
                            Value::Int(t.previous_closed),
                            Value::Int(t.last_year_closed),
                            Value::Int(t.open_at_end),
                        ]
                    })
                    .collect(),
            ),
        ));
        out.push(Sheet::new(
            "Par canal",
            &["Canal", "Reçues"],
            with_total(
                self.by_channel
                    .iter()
                    .map(|c| vec![Value::text(&c.label), Value::Int(c.count)])
                    .collect(),
            ),
        ));
        out.push(Sheet::new(
            "Événements",
            &["Date", "Événement", "Demandes recueillies"],
            self.events
                .iter()
                .map(|e| {
                    vec![
                        Value::Date(e.held_on),
                        Value::text(&e.name),
                        Value::Int(e.requests),
                    ]
                })
                .collect(),
        ));
        out.push(Sheet::new(
            "Issues",
            &["Issue", "Demandes closes"],
            with_total(
                self.by_outcome
                    .iter()
                    .map(|c| vec![Value::text(&c.label), Value::Int(c.count)])
                    .collect(),
            ),
        ));
        out.push(self.outcomes_by_type_sheet());
        out.push(self.weeks_sheet());
        out.push(partners_sheet(&self.partners));
        out.push(workload_sheet(&self.workload));
        if self.housing.line().is_some() {
            out.extend(self.housing.sheets());
        }
        out
    }

    /// Closed requests of the period by type and outcome ("how many grants were granted").
    fn outcomes_by_type_sheet(&self) -> Sheet {
        let outcomes = crate::domain::Outcome::ALL;
        let mut headers = vec!["Type"];
        headers.extend(outcomes.iter().map(|o| o.label()));
        headers.push("Closes");
        Sheet::new(
            "Issues par type",
            &headers,
            with_total(
                self.by_type
                    .iter()
                    .filter(|t| t.closed > 0)
                    .map(|t| {
                        let mut row = vec![Value::text(&t.label)];
                        row.extend(
                            outcomes.iter().map(|o| {
                                Value::Int(t.outcomes.get(o.code()).copied().unwrap_or(0))
                            }),
                        );
                        row.push(Value::Int(t.closed));
                        row
                    })
                    .collect(),
            ),
        )
    }

    /// The weekly series: one row per ISO week and type (the rows of `report weekly`).
    fn weeks_sheet(&self) -> Sheet {
        let label = |code: &str| -> String {
            self.by_type
                .iter()
                .find(|t| t.code == code)
                .map_or_else(|| code.to_string(), |t| t.label.clone())
        };
        Sheet::new(
            "Par semaine",
            &[
                "Semaine",
                "Début",
                "Type",
                "Reçues",
                "Closes",
                "Ouvertes en fin de semaine",
            ],
            self.weeks
                .iter()
                .map(|w| {
                    vec![
                        Value::text(&w.week),
                        Value::Date(w.week_start),
                        Value::Text(label(&w.type_code)),
                        Value::Int(w.received),
                        Value::Int(w.closed),
                        Value::Int(w.open_at_end),
                    ]
                })
                .collect(),
        )
    }
}

pub fn partners_sheet(partners: &[PartnerFigures]) -> Sheet {
    Sheet::new(
        "Partenaires",
        &[
            "Partenaire",
            "Envoyées",
            "Réponses",
            "En attente",
            "Dont en retard",
            "Délai médian de réponse (jours)",
        ],
        with_total(
            partners
                .iter()
                .map(|p| {
                    vec![
                        Value::text(&p.name),
                        Value::Int(p.sent),
                        Value::Int(p.answered),
                        Value::Int(p.awaited),
                        Value::Int(p.overdue),
                        days(p.median_days_to_answer),
                    ]
                })
                .collect(),
        ),
    )
}

pub fn workload_sheet(workload: &[Workload]) -> Sheet {
    Sheet::new(
        "Charge",
        &["Agent", "Demandes ouvertes", "Dont relance dépassée"],
        with_total(
            workload
                .iter()
                .map(|w| {
                    vec![
                        Value::text(w.agent.as_deref().unwrap_or("Non attribuées")),
                        Value::Int(w.open),
                        Value::Int(w.overdue),
                    ]
                })
                .collect(),
        ),
    )
}

/// A short text for an e-mail (`--format md`).
pub fn markdown(r: &Review) -> String {
    let mut s = markdown_without_housing(r);
    if let Some(line) = r.housing.line() {
        s.push_str(&format!("- {line}\n"));
    }
    s
}

fn markdown_without_housing(r: &Review) -> String {
    let mut s = format!("# Bilan — {}\n\n{}\n\n", r.period.label(), r.headline);
    if r.in_progress() {
        s.push_str(&format!(
            "Période en cours, comptée jusqu'au {}.\n\n",
            fr_date(r.through)
        ));
    }
    let prev_received: i64 = r.by_type.iter().map(|t| t.previous_received).sum();
    let ly_received: i64 = r.by_type.iter().map(|t| t.last_year_received).sum();
    s.push_str(&format!(
        "- Demandes reçues : **{}** ({} par rapport à la période précédente, {} ; {} par rapport à la même période l'an dernier, {}), closes : **{}**, traitées (contact ou clôture) : **{}**, ouvertes en fin de période : **{}**.\n",
        r.received,
        change(r.received, prev_received),
        r.previous.label(),
        change(r.received, ly_received),
        r.last_year.label(),
        r.closed,
        r.treated,
        r.open_at_end
    ));
    for t in r.by_type.iter().filter(|t| t.received > 0 || t.closed > 0) {
        let outcomes: Vec<String> = crate::domain::Outcome::ALL
            .iter()
            .filter_map(|o| {
                let n = t.outcomes.get(o.code()).copied().unwrap_or(0);
                (n > 0).then(|| format!("{n} {}", o.label().to_lowercase()))
            })
            .collect();
        let outcomes = if outcomes.is_empty() {
            String::new()
        } else {
            format!(" ({})", outcomes.join(", "))
        };
        s.push_str(&format!(
            "- {} : {} reçue(s), {} close(s){outcomes}\n",
            t.label, t.received, t.closed
        ));
    }
    s.push_str(&format!(
        "- Premier contact : médiane {}, 90 % sous {} ; clôture : médiane {}, 90 % sous {}.\n",
        days_text(r.first_contact.median_days),
        days_text(r.first_contact.p90_days),
        days_text(r.time_to_close.median_days),
        days_text(r.time_to_close.p90_days)
    ));
    let awaited: i64 = r.partners.iter().map(|p| p.awaited).sum();
    let overdue: i64 = r.partners.iter().map(|p| p.overdue).sum();
    s.push_str(&format!(
        "- Orientations en attente de réponse : {awaited}, dont {overdue} en retard.\n"
    ));
    if !r.events.is_empty() {
        s.push_str(&format!(
            "- Événements : {}.\n",
            r.events
                .iter()
                .map(|e| format!(
                    "{} ({}, {} demande(s))",
                    e.name,
                    fr_date(e.held_on),
                    e.requests
                ))
                .collect::<Vec<_>>()
                .join(" ; ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn periods_move_by_their_kind() {
        let w = Period::last_complete_week(d(2026, 11, 22));
        assert_eq!((w.from, w.to), (d(2026, 11, 9), d(2026, 11, 15)));
        assert_eq!(w.shift(1).from, d(2026, 11, 16));
        let m = Period::containing(PeriodKind::Month, d(2026, 1, 31));
        assert_eq!((m.from, m.to), (d(2026, 1, 1), d(2026, 1, 31)));
        assert_eq!(m.shift(1).to, d(2026, 2, 28));
        assert_eq!(m.shift(-1).from, d(2025, 12, 1));
        let q = Period::containing(PeriodKind::Quarter, d(2026, 11, 22));
        assert_eq!(
            (q.from, q.to, q.label()),
            (d(2026, 10, 1), d(2026, 12, 31), "T4 2026".to_string())
        );
        let y = Period::containing(PeriodKind::Year, d(2026, 11, 22)).shift(-1);
        assert_eq!((y.from, y.to), (d(2025, 1, 1), d(2025, 12, 31)));
        let c = Period::custom(d(2023, 6, 1), d(2023, 6, 10)).shift(-1);
        assert_eq!((c.from, c.to), (d(2023, 5, 22), d(2023, 5, 31)));
    }

    #[test]
    fn periods_in_progress_are_compared_on_the_same_days() {
        // Wednesday 18/11/2026: the week in progress against Monday–Wednesday of the previous
        // week and of the same ISO week a year earlier (2025-W47).
        let wed = d(2026, 11, 18);
        let w = Period::containing(PeriodKind::Week, wed);
        assert_eq!(w.through(wed), wed);
        let c = w.comparison(wed);
        assert_eq!((c.from, c.to), (d(2026, 11, 9), d(2026, 11, 11)));
        let y = w.year_before(wed);
        assert_eq!((y.from, y.to), (d(2025, 11, 17), d(2025, 11, 19)));
        // A month to date: the same days of the previous month, and of last year's.
        let m = Period::containing(PeriodKind::Month, d(2026, 3, 31));
        let c = m.comparison(d(2026, 3, 30));
        assert_eq!((c.from, c.to), (d(2026, 2, 1), d(2026, 2, 28)));
        let c = m.comparison(d(2026, 3, 10));
        assert_eq!((c.from, c.to), (d(2026, 2, 1), d(2026, 2, 10)));
        // A finished period: the whole previous one, and the whole one a year earlier.
        let feb = Period::containing(PeriodKind::Month, d(2025, 2, 1));
        let y = feb.year_before(d(2026, 11, 22));
        assert_eq!(
            (y.kind, y.from, y.to),
            (PeriodKind::Month, d(2024, 2, 1), d(2024, 2, 29))
        );
        assert_eq!(feb.comparison(d(2026, 11, 22)), feb.shift(-1));
        // Whole calendar periods typed as dates are that kind.
        assert_eq!(
            Period::from_dates(d(2023, 6, 1), d(2023, 6, 30)).kind,
            PeriodKind::Month
        );
        assert_eq!(
            Period::from_dates(d(2023, 6, 5), d(2023, 6, 11)).kind,
            PeriodKind::Week
        );
        assert_eq!(
            Period::from_dates(d(2023, 6, 1), d(2023, 6, 29)).kind,
            PeriodKind::Custom
        );
    }

    #[test]
    fn day_numbers_match_the_calendar() {
        for (y, m, dd) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2023, 6, 12),
            (2026, 12, 31),
            (1899, 12, 30),
        ] {
            let date = d(y, m, dd);
            let expected = (date - d(1970, 1, 1)).num_days();
            assert_eq!(day_number(&date.to_string()), expected, "{date}");
        }
    }

    #[test]
    fn median_and_90th_percentile() {
        let ones = |days: &[i64]| days.iter().map(|&d| (d, 1)).collect::<Vec<_>>();
        let r = delay(&ones(&[5, 1, 3, 2, 4, 10, 6, 7, 8, 9]));
        assert_eq!(r.median_days, Some(5.5));
        assert_eq!(r.p90_days, Some(9.0));
        assert_eq!(delay(&[]).median_days, None);
        assert_eq!(delay(&[(4, 1)]).p90_days, Some(4.0));
        // A histogram reads as the list it stands for: 0,0,0,2,2,7,7,7,7,30.
        let r = delay(&[(7, 4), (0, 3), (2, 2), (30, 1), (5, 0)]);
        assert_eq!(
            (r.count, r.median_days, r.p90_days),
            (10, Some(4.5), Some(7.0))
        );
        let r = delay(&[(1, 2), (3, 1)]);
        assert_eq!(
            (r.count, r.median_days, r.p90_days),
            (3, Some(1.0), Some(3.0))
        );
    }

    #[test]
    fn plurals_of_labels() {
        assert_eq!(plural("Bourse d'études", 30), "bourses d'études");
        assert_eq!(plural("Aide à l'installation", 3), "aides à l'installation");
        assert_eq!(plural("Aide à l'installation", 1), "aide à l'installation");
        assert_eq!(plural("Lieu d'exercice", 2), "lieux d'exercice");
    }
}
