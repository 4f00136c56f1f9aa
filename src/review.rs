//! The team lead's review ("Bilan") of a period: one computation that the screen, `guichet
//! report review|partners|backlog` and every export format share. Definitions are those of
//! PRODUCT.md (see `report.rs`); the ones added here:
//!
//! - the previous period has the same kind and length, just before;
//! - trend: requests received in each of the 12 ISO weeks ending with the period's last week;
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
use crate::store::{DateColumn, Store};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

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
    /// Received per week, the 12 ISO weeks ending with the period's last week.
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
    pub previous: Period,
    pub received: i64,
    pub closed: i64,
    pub open_at_end: i64,
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

/// Median and 90th percentile (nearest rank) of a list of day counts.
pub fn delay(mut days: Vec<f64>) -> Delay {
    days.sort_by(f64::total_cmp);
    let n = days.len();
    let rank = |q: f64| days[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(days[n / 2]),
        _ => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
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
    fn bump(&mut self, key: &str) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, n)) => *n += 1,
            None => self.0.push((key.to_string(), 1)),
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
fn counts_before(
    store: &Store,
    types: &[crate::store::Code],
    column: DateColumn,
    day: NaiveDate,
) -> Result<Counts> {
    let mut out = Counts::default();
    for t in types {
        let n = store.type_count_before(column, &t.code, day)?;
        if n > 0 {
            out.0.push((t.code.clone(), n));
        }
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
    let (from, to) = (period.from, period.to);
    let previous = period.shift(-1);
    let types = store.types()?;
    // Two passes over the covering indexes — reception side and closing side — from the
    // earliest day any figure needs, plus the counts before it: a year of 100,000 requests
    // reads each index once instead of once per figure.
    let trend_from = week_start(to) - Days::new(7 * 11);
    let lo = from.min(previous.from).min(trend_from);

    // Dates are ISO text: compared as text, parsed only for the trend's week.
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let (from_s, to_s, prev_from_s, prev_to_s, trend_from_s) = (
        iso(from),
        iso(to),
        iso(previous.from),
        iso(previous.to),
        iso(trend_from),
    );
    let in_period = |d: &str| d >= from_s.as_str() && d <= to_s.as_str();
    let in_previous = |d: &str| d >= prev_from_s.as_str() && d <= prev_to_s.as_str();
    let bump = |m: &mut Counts, k: &str| m.bump(k);
    let trend_start = day_number(&trend_from_s);

    let mut received = Counts::default();
    let mut prev_received = Counts::default();
    // Counted type by type over each type's range: only the entries before `lo` are read.
    let mut received_by_end = counts_before(store, &types, DateColumn::Received, lo)?;
    let mut by_channel_raw = Counts::default();
    let mut contact_days: Vec<f64> = Vec::new();
    let mut trend: HashMap<String, Vec<i64>> = HashMap::new();
    store.scan_received(lo, to, |day, t, channel, contact| {
        bump(&mut received_by_end, t);
        if day >= trend_from_s.as_str() {
            let week = ((day_number(day) - trend_start) / 7) as usize;
            match trend.get_mut(t) {
                Some(v) => v[week.min(11)] += 1,
                None => {
                    let mut v = vec![0; 12];
                    v[week.min(11)] = 1;
                    trend.insert(t.to_string(), v);
                }
            }
        }
        if in_previous(day) {
            bump(&mut prev_received, t);
        }
        if in_period(day) {
            bump(&mut received, t);
            bump(&mut by_channel_raw, channel.unwrap_or(""));
            if let Some(contact) = contact {
                contact_days.push((day_number(contact) - day_number(day)) as f64);
            }
        }
    })?;

    let mut closed = Counts::default();
    let mut prev_closed = Counts::default();
    let mut closed_by_end = counts_before(store, &types, DateColumn::Closed, lo)?;
    let mut outcomes = Counts::default();
    let mut close_days: Vec<f64> = Vec::new();
    store.scan_closed(lo, to, |day, t, outcome, received_on| {
        bump(&mut closed_by_end, t);
        if in_previous(day) {
            bump(&mut prev_closed, t);
        }
        if in_period(day) {
            bump(&mut closed, t);
            bump(&mut outcomes, outcome);
            close_days.push((day_number(day) - day_number(received_on)) as f64);
        }
    })?;

    let get = |m: &Counts, k: &str| m.get(k).copied().unwrap_or(0);
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
            trend: trend.remove(&t.code).unwrap_or_else(|| vec![0; 12]),
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

    // Referrals: one pass over the table, and the answer delays of the period.
    let as_of = to.min(today);
    let mut partners: Vec<PartnerFigures> = store
        .partner_counts(from, to, as_of)?
        .into_iter()
        .map(|p| PartnerFigures {
            code: p.code,
            name: p.name,
            sent: p.sent,
            answered: p.answered,
            awaited: p.awaited,
            overdue: p.overdue,
            median_days_to_answer: None,
        })
        .collect();
    partners.retain(|p| p.sent + p.answered + p.awaited > 0);
    let mut answer_days: HashMap<String, Vec<f64>> = HashMap::new();
    for (code, d) in store.answer_delays(from, to)? {
        answer_days.entry(code).or_default().push(d);
    }
    for p in &mut partners {
        p.median_days_to_answer = answer_days
            .remove(&p.code)
            .and_then(|d| delay(d).median_days);
    }

    // Grouped in the order of the open-requests index (no sort, no join); named afterwards.
    let names: HashMap<String, String> = store
        .agents()?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut workload: Vec<Workload> = store
        .open_workload(today)?
        .into_iter()
        .map(|w| Workload {
            agent: w.agent_id.map(|id| names.get(&id).cloned().unwrap_or(id)),
            open: w.open,
            overdue: w.overdue,
        })
        .collect();
    // Agents by name, the unassigned last.
    workload.sort_by(|a, b| (a.agent.is_none(), &a.agent).cmp(&(b.agent.is_none(), &b.agent)));

    let first_contact = delay(contact_days);
    let time_to_close = delay(close_days);
    let total_received: i64 = received.total();
    let total_closed: i64 = closed.total();
    let without_contact = total_received - first_contact.count as i64;
    let open_at_end = by_type.iter().map(|t| t.open_at_end).sum();

    // The sentence the département publishes: the two measures it funds when the file has
    // them (Loiret: grants and installation aid), else the two most requested types.
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
    let opening = if to >= today {
        format!("Depuis le {}", fr_date(from))
    } else {
        format!("Du {} au {}", fr_date(from), fr_date(to))
    };
    // Says what it counts: receptions, and among them those an agent has contacted.
    let plural_s = |n: i64| if n > 1 { "s" } else { "" };
    let mut headline = format!(
        "{opening}, {total_received} demande{} reçue{}",
        plural_s(total_received),
        plural_s(total_received)
    );
    if !parts.is_empty() && total_received > 0 {
        headline.push_str(&format!(", dont {}", parts.join(" et ")));
    }
    let contacted = first_contact.count as i64;
    headline.push_str(&format!(
        " ; {contacted} déjà contactée{}",
        plural_s(contacted)
    ));
    headline.push_str(&format!(
        " ; {} événement{}.",
        events.len(),
        if events.len() > 1 { "s" } else { "" }
    ));

    Ok(Review {
        period,
        previous,
        received: total_received,
        closed: total_closed,
        open_at_end,
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
    })
}

fn days(v: Option<f64>) -> Value {
    v.map_or(Value::Empty, Value::Num)
}

impl Review {
    /// The review as tables, one per section: what the screen shows, and every export.
    pub fn sheets(&self) -> Vec<Sheet> {
        let mut out = Vec::new();
        out.push(Sheet::new(
            "Synthèse",
            &["Rubrique", "Valeur"],
            vec![
                vec![Value::text("Période"), Value::text(&self.period.label())],
                vec![Value::text("Du"), Value::Date(self.period.from)],
                vec![Value::text("Au"), Value::Date(self.period.to)],
                vec![Value::text("Demandes reçues"), Value::Int(self.received)],
                vec![Value::text("Demandes closes"), Value::Int(self.closed)],
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
                "Closes",
                "Closes (période précédente)",
                "Ouvertes en fin de période",
            ],
            self.by_type
                .iter()
                .map(|t| {
                    vec![
                        Value::text(&t.label),
                        Value::Int(t.received),
                        Value::Int(t.previous_received),
                        Value::Int(t.closed),
                        Value::Int(t.previous_closed),
                        Value::Int(t.open_at_end),
                    ]
                })
                .collect(),
        ));
        out.push(Sheet::new(
            "Par canal",
            &["Canal", "Reçues"],
            self.by_channel
                .iter()
                .map(|c| vec![Value::text(&c.label), Value::Int(c.count)])
                .collect(),
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
            self.by_outcome
                .iter()
                .map(|c| vec![Value::text(&c.label), Value::Int(c.count)])
                .collect(),
        ));
        out.push(partners_sheet(&self.partners));
        out.push(workload_sheet(&self.workload));
        if self.housing.line().is_some() {
            out.extend(self.housing.sheets());
        }
        out
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
    )
}

pub fn workload_sheet(workload: &[Workload]) -> Sheet {
    Sheet::new(
        "Charge",
        &["Agent", "Demandes ouvertes", "Dont relance dépassée"],
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
    let change = |now: i64, before: i64| match now - before {
        0 => "stable".to_string(),
        d if d > 0 => format!("+{d}"),
        d => d.to_string(),
    };
    s.push_str(&format!(
        "- Demandes reçues : **{}** ({} par rapport à la période précédente), closes : **{}**, ouvertes en fin de période : **{}**.\n",
        r.received,
        change(r.received, r.by_type.iter().map(|t| t.previous_received).sum()),
        r.closed,
        r.open_at_end
    ));
    for t in r.by_type.iter().filter(|t| t.received > 0 || t.closed > 0) {
        s.push_str(&format!(
            "- {} : {} reçue(s), {} close(s)\n",
            t.label, t.received, t.closed
        ));
    }
    let fmt = |d: Option<f64>| d.map_or_else(|| "—".to_string(), |v| format!("{v:.0} j"));
    s.push_str(&format!(
        "- Premier contact : médiane {}, 90 % sous {} ; clôture : médiane {}, 90 % sous {}.\n",
        fmt(r.first_contact.median_days),
        fmt(r.first_contact.p90_days),
        fmt(r.time_to_close.median_days),
        fmt(r.time_to_close.p90_days)
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
        let r = delay(vec![5.0, 1.0, 3.0, 2.0, 4.0, 10.0, 6.0, 7.0, 8.0, 9.0]);
        assert_eq!(r.median_days, Some(5.5));
        assert_eq!(r.p90_days, Some(9.0));
        assert_eq!(delay(vec![]).median_days, None);
        assert_eq!(delay(vec![4.0]).p90_days, Some(4.0));
    }

    #[test]
    fn plurals_of_labels() {
        assert_eq!(plural("Bourse d'études", 30), "bourses d'études");
        assert_eq!(plural("Aide à l'installation", 3), "aides à l'installation");
        assert_eq!(plural("Aide à l'installation", 1), "aide à l'installation");
        assert_eq!(plural("Lieu d'exercice", 2), "lieux d'exercice");
    }
}
