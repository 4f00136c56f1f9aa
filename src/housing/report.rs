//! Housing figures of a period (`guichet report housing`, the review): places offered, beds,
//! placements, occupancy per month, nights and months provided, requests placed vs waiting.
//!
//! Definitions (README, "Logements"): a place is *offered* in the period when one of its openings
//! touches it; *beds* add up those places' beds; a *placement* counts when it touches the period;
//! *nights offered* are the days of the period inside a place's openings times its beds; *nights
//! provided* are the days of the period inside placements; a month of housing is 30 nights;
//! *requests placed* have a placement touching the period; *requests waiting* are `logement`
//! requests received by the end of the period, still open then, with no placement ending on or
//! after its first day.

use super::Span;
use crate::domain::{HousingKind, fr_date};
use crate::error::Result;
use crate::output::{Sheet, Value};
use crate::store::Store;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthOccupancy {
    /// "2027-01"
    pub month: String,
    pub offered_nights: i64,
    pub occupied_nights: i64,
    /// occupied / offered, 0 when nothing was offered.
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HousingReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub places: i64,
    pub beds: i64,
    pub placements: i64,
    pub requests_placed: i64,
    pub requests_waiting: i64,
    pub offered_nights: i64,
    pub nights: i64,
    /// Nights provided / 30, one decimal.
    pub months: f64,
    pub occupancy: Vec<MonthOccupancy>,
    /// Places offered by kind (code → count).
    pub places_by_kind: BTreeMap<String, i64>,
}

/// The days of `spans` (each clipped to `within`), overlapping ones counted once.
fn union_days(spans: &[Span], within: &Span) -> Vec<Span> {
    let mut clipped: Vec<Span> = spans.iter().filter_map(|s| s.clip(within)).collect();
    clipped.sort();
    let mut out: Vec<Span> = Vec::new();
    for s in clipped {
        match out.last_mut() {
            Some(last) if s.from <= last.to.succ_opt().unwrap_or(last.to) => {
                last.to = last.to.max(s.to)
            }
            _ => out.push(s),
        }
    }
    out
}

fn months_of(period: &Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = period.from;
    while start <= period.to {
        let first = start.with_day(1).expect("day 1");
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        }
        .expect("a valid month");
        let end = next.pred_opt().expect("a day before").min(period.to);
        out.push(Span {
            from: start,
            to: end,
        });
        start = next;
    }
    out
}

pub fn compute(store: &Store, period: Span) -> Result<HousingReport> {
    let rows = store.housing_rows(&period)?;
    let beds_of: HashMap<&str, (HousingKind, i64)> = rows
        .places
        .iter()
        .map(|(id, kind, beds)| (id.as_str(), (*kind, *beds)))
        .collect();
    let mut openings_of: HashMap<&str, Vec<Span>> = HashMap::new();
    for (id, s) in &rows.openings {
        openings_of.entry(id.as_str()).or_default().push(*s);
    }
    let offered: Vec<&str> = {
        let mut ids: Vec<&str> = openings_of.keys().copied().collect();
        ids.sort();
        ids
    };
    let mut places_by_kind = BTreeMap::new();
    let mut beds = 0;
    for id in &offered {
        if let Some((kind, b)) = beds_of.get(id) {
            beds += b;
            *places_by_kind.entry(kind.code().to_string()).or_insert(0) += 1;
        }
    }
    let months: Vec<Span> = months_of(&period);
    let mut occupancy: Vec<MonthOccupancy> = months
        .iter()
        .map(|m| MonthOccupancy {
            month: format!("{:04}-{:02}", m.from.year(), m.from.month()),
            offered_nights: 0,
            occupied_nights: 0,
            rate: 0.0,
        })
        .collect();
    for id in &offered {
        let b = beds_of.get(id).map_or(0, |x| x.1);
        for (i, m) in months.iter().enumerate() {
            let days: i64 = union_days(&openings_of[id], m)
                .iter()
                .map(Span::nights)
                .sum();
            occupancy[i].offered_nights += days * b;
        }
    }
    for (_, _, s) in &rows.placements {
        for (i, m) in months.iter().enumerate() {
            if let Some(c) = s.clip(m) {
                occupancy[i].occupied_nights += c.nights();
            }
        }
    }
    for m in &mut occupancy {
        if m.offered_nights > 0 {
            m.rate = (m.occupied_nights as f64 / m.offered_nights as f64 * 1000.0).round() / 1000.0;
        }
    }
    let nights: i64 = occupancy.iter().map(|m| m.occupied_nights).sum();
    let offered_nights = occupancy.iter().map(|m| m.offered_nights).sum();
    let placed: HashSet<&str> = rows
        .placements
        .iter()
        .filter_map(|(_, r, _)| r.as_deref())
        .collect();
    Ok(HousingReport {
        from: period.from,
        to: period.to,
        places: offered.len() as i64,
        beds,
        placements: rows.placements.len() as i64,
        requests_placed: placed.len() as i64,
        requests_waiting: rows.waiting,
        offered_nights,
        nights,
        months: (nights as f64 / 30.0 * 10.0).round() / 10.0,
        occupancy,
        places_by_kind,
    })
}

impl HousingReport {
    /// One sentence for the review ("12 logements, 20 lits : 9 placements, 1 080 nuitées…"),
    /// or `None` when no place was offered and nobody housed in the period.
    pub fn line(&self) -> Option<String> {
        if self.places == 0 && self.placements == 0 {
            return None;
        }
        Some(format!(
            "Logements : {} logement(s) proposé(s), {} lit(s) ; {} placement(s), {} nuitée(s) fournie(s) ({} mois) ; {} demande(s) logée(s), {} en recherche.",
            self.places,
            self.beds,
            self.placements,
            self.nights,
            crate::output::Value::Num(self.months).display(),
            self.requests_placed,
            self.requests_waiting
        ))
    }

    /// The tables of every text, CSV and workbook output.
    pub fn sheets(&self) -> Vec<Sheet> {
        let mut totals = vec![
            ("Logements proposés", Value::Int(self.places)),
            ("Lits", Value::Int(self.beds)),
            ("Placements", Value::Int(self.placements)),
            ("Demandes logées", Value::Int(self.requests_placed)),
            ("Demandes en recherche", Value::Int(self.requests_waiting)),
            ("Nuitées offertes", Value::Int(self.offered_nights)),
            ("Nuitées fournies", Value::Int(self.nights)),
            ("Mois de logement fournis", Value::Num(self.months)),
        ];
        for (kind, n) in &self.places_by_kind {
            if let Some(k) = HousingKind::from_code(kind) {
                totals.push((k.label(), Value::Int(*n)));
            }
        }
        let summary = Sheet::new(
            &format!(
                "Logements du {} au {}",
                fr_date(self.from),
                fr_date(self.to)
            ),
            &["Chiffre", "Valeur"],
            totals
                .into_iter()
                .map(|(k, v)| vec![Value::text(k), v])
                .collect(),
        );
        let months = Sheet::new(
            "Occupation par mois",
            &["Mois", "Nuitées offertes", "Nuitées occupées", "Taux (%)"],
            self.occupancy
                .iter()
                .map(|m| {
                    vec![
                        Value::text(&m.month),
                        Value::Int(m.offered_nights),
                        Value::Int(m.occupied_nights),
                        Value::Num((m.rate * 1000.0).round() / 10.0),
                    ]
                })
                .collect(),
        );
        vec![summary, months]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_split_a_period_at_month_ends() {
        let m = months_of(&Span {
            from: d("2026-12-15"),
            to: d("2027-02-10"),
        });
        assert_eq!(
            m.iter().map(|s| (s.from, s.to)).collect::<Vec<_>>(),
            vec![
                (d("2026-12-15"), d("2026-12-31")),
                (d("2027-01-01"), d("2027-01-31")),
                (d("2027-02-01"), d("2027-02-10")),
            ]
        );
    }

    #[test]
    fn overlapping_openings_count_their_days_once() {
        let within = Span {
            from: d("2027-01-01"),
            to: d("2027-01-31"),
        };
        let u = union_days(
            &[
                Span {
                    from: d("2026-12-01"),
                    to: d("2027-01-10"),
                },
                Span {
                    from: d("2027-01-05"),
                    to: d("2027-01-20"),
                },
                Span {
                    from: d("2027-01-21"),
                    to: d("2027-01-25"),
                },
            ],
            &within,
        );
        assert_eq!(u.iter().map(Span::nights).sum::<i64>(), 25);
    }
}
