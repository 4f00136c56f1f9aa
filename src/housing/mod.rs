//! Housing places for students on placement (issue #14): the rules that do not need the file.
//!
//! Periods are calendar dates with both ends included ("du 02/11/2026 au 30/04/2027" holds the
//! bed every night from the 2nd of November to the 30th of April): a night is a day of a period.
//! A place is free for a period when its openings cover every day of it and, on every day of it,
//! fewer placements than its beds hold it. The storage module (`store/housing.rs`) reads the
//! rows; these functions decide.

pub mod communes;
pub mod import;
pub mod report;
pub mod stand;

use crate::domain::fr_date;
use crate::error::{Error, Result};
use chrono::{Datelike, Days, NaiveDate};

/// A closed range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Span> {
        if to < from {
            return Err(Error::input(format!(
                "la fin ({}) précède le début ({})",
                fr_date(to),
                fr_date(from)
            )));
        }
        Ok(Span { from, to })
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.from <= other.to && other.from <= self.to
    }

    /// Days (nights) in the span.
    pub fn nights(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The part of `self` inside `within`, if any.
    pub fn clip(&self, within: &Span) -> Option<Span> {
        let s = Span {
            from: self.from.max(within.from),
            to: self.to.min(within.to),
        };
        (s.from <= s.to).then_some(s)
    }

    pub fn label(&self) -> String {
        format!("du {} au {}", fr_date(self.from), fr_date(self.to))
    }
}

/// Whether the openings together cover every day of `period` (adjacent openings join).
pub fn covered(openings: &[Span], period: &Span) -> bool {
    let mut sorted: Vec<&Span> = openings.iter().filter(|o| o.to >= period.from).collect();
    sorted.sort();
    let mut cursor = period.from;
    for o in sorted {
        if o.from > cursor {
            return false;
        }
        if o.to >= cursor {
            match o.to.checked_add_days(Days::new(1)) {
                Some(next) => cursor = next,
                None => return true,
            }
        }
        if cursor > period.to {
            return true;
        }
    }
    cursor > period.to
}

/// The largest number of `placements` holding a bed on one same day of `period`.
pub fn peak(placements: &[Span], period: &Span) -> usize {
    let mut events: Vec<(NaiveDate, i32)> = Vec::with_capacity(placements.len() * 2);
    for p in placements.iter().filter_map(|p| p.clip(period)) {
        events.push((p.from, 1));
        if let Some(after) = p.to.checked_add_days(Days::new(1)) {
            events.push((after, -1));
        }
    }
    // Leaving on a day sorts before arriving on it: -1 < 1.
    events.sort();
    let (mut now, mut max) = (0i32, 0i32);
    for (_, d) in events {
        now += d;
        max = max.max(now);
    }
    max as usize
}

/// The placements in the way of a new one over `period` in a place of `beds` beds: those present
/// on a day of `period` when `beds` placements already hold it. Empty when there is room.
pub fn in_the_way<'a, T>(placements: &'a [(T, Span)], period: &Span, beds: usize) -> Vec<&'a T> {
    let clipped: Vec<(usize, Span)> = placements
        .iter()
        .enumerate()
        .filter_map(|(i, (_, s))| s.clip(period).map(|c| (i, c)))
        .collect();
    let mut days: Vec<NaiveDate> = clipped.iter().map(|(_, s)| s.from).collect();
    days.sort();
    days.dedup();
    let mut blocking = vec![false; placements.len()];
    // The number present only changes on a day someone arrives: check those days.
    for day in days {
        let present: Vec<usize> = clipped
            .iter()
            .filter(|(_, s)| s.from <= day && day <= s.to)
            .map(|(i, _)| *i)
            .collect();
        if present.len() >= beds {
            for i in present {
                blocking[i] = true;
            }
        }
    }
    placements
        .iter()
        .zip(blocking)
        .filter(|(_, b)| *b)
        .map(|((t, _), _)| t)
        .collect()
}

/// An internship semester as agents name it: "hiver 2026" (1 November 2026 – 30 April 2027),
/// "été 2027" or "printemps 2027" (1 May – 31 October 2027); `None` if `text` is not one.
pub fn semester(text: &str) -> Option<Span> {
    let folded = crate::text::fold(text);
    let mut words = folded.split(' ').filter(|w| *w != "semestre" && *w != "d");
    let (season, year) = (words.next()?, words.next()?);
    let year: i32 = year.parse().ok()?;
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
    match season {
        "hiver" | "automne" => Some(Span {
            from: d(year, 11, 1)?,
            to: d(year + 1, 4, 30)?,
        }),
        "ete" | "printemps" => Some(Span {
            from: d(year, 5, 1)?,
            to: d(year, 10, 31)?,
        }),
        _ => None,
    }
}

/// The semester a day falls in (the one to offer at a stand by default).
pub fn semester_of(day: NaiveDate) -> Span {
    let y = day.year();
    let name = match day.month() {
        5..=10 => format!("ete {y}"),
        11 | 12 => format!("hiver {y}"),
        _ => format!("hiver {}", y - 1),
    };
    semester(&name).expect("a valid semester name")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn span(a: &str, b: &str) -> Span {
        Span::new(d(a), d(b)).unwrap()
    }

    #[test]
    fn openings_cover_a_period_only_without_a_gap() {
        let period = span("2027-01-01", "2027-03-31");
        assert!(covered(&[span("2026-11-01", "2027-04-30")], &period));
        assert!(covered(
            &[
                span("2027-02-01", "2027-03-31"),
                span("2026-12-01", "2027-01-31")
            ],
            &period
        ));
        assert!(!covered(
            &[
                span("2027-01-01", "2027-01-30"),
                span("2027-02-01", "2027-03-31")
            ],
            &period
        ));
        assert!(!covered(&[span("2027-01-02", "2027-03-31")], &period));
        assert!(!covered(&[], &period));
    }

    #[test]
    fn the_peak_counts_placements_on_the_same_day_only() {
        let period = span("2027-01-01", "2027-06-30");
        // Two placements one after the other take one bed.
        let one_after_other = [
            span("2027-01-01", "2027-02-28"),
            span("2027-03-01", "2027-06-30"),
        ];
        assert_eq!(peak(&one_after_other, &period), 1);
        let overlapping = [
            span("2027-01-01", "2027-03-01"),
            span("2027-03-01", "2027-06-30"),
        ];
        assert_eq!(peak(&overlapping, &period), 2);
        assert_eq!(peak(&overlapping, &span("2027-04-01", "2027-04-02")), 1);
    }

    #[test]
    fn in_the_way_names_the_placements_filling_the_beds() {
        let placed = [
            ("A", span("2027-01-01", "2027-03-31")),
            ("B", span("2027-02-01", "2027-04-30")),
            ("C", span("2027-05-01", "2027-06-30")),
        ];
        let new = span("2027-03-01", "2027-05-15");
        assert_eq!(in_the_way(&placed, &new, 2), vec![&"A", &"B"]);
        assert!(in_the_way(&placed, &new, 3).is_empty());
        assert_eq!(in_the_way(&placed, &new, 1), vec![&"A", &"B", &"C"]);
    }

    #[test]
    fn semesters_are_named_like_internships() {
        assert_eq!(
            semester("hiver 2026"),
            Some(span("2026-11-01", "2027-04-30"))
        );
        assert_eq!(
            semester("Semestre d'été 2027"),
            Some(span("2027-05-01", "2027-10-31"))
        );
        assert_eq!(semester("printemps 2027"), semester("été 2027"));
        assert_eq!(semester("lundi"), None);
        assert_eq!(
            semester_of(d("2027-02-10")),
            span("2026-11-01", "2027-04-30")
        );
        assert_eq!(
            semester_of(d("2026-11-22")),
            span("2026-11-01", "2027-04-30")
        );
        assert_eq!(span("2027-01-01", "2027-01-31").nights(), 31);
    }
}
