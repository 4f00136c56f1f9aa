//! An agent's calendar (.ics): one all-day event per planned follow-up of their open requests
//! and one per attestation their commitments still await.
//!
//! Events name the request by its reference and type only — no name, no contact: a calendar is
//! often synchronised to a phone or a shared agenda. Their UIDs are stable (request, commitment
//! and attestation number), so importing a new export again moves the same events instead of
//! adding copies.

use crate::error::Result;
use crate::store::{Agent, Store};
use chrono::{DateTime, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

/// Counts of what the calendar holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CalendarCounts {
    pub follow_ups: usize,
    pub attestations: usize,
}

/// The calendar of `agent` as iCalendar text.
pub fn agent_calendar(store: &Store, agent: &Agent) -> Result<(String, CalendarCounts)> {
    let stamp: DateTime<Utc> = DateTime::parse_from_rfc3339(&store.ctx.now())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now());
    let mut cal = Calendar::new();
    cal.name(&format!("guichet — {}", agent.name));
    cal.description("Relances et attestations d'engagement attendues (guichet)");
    let mut counts = CalendarCounts::default();
    for f in store.planned_follow_ups(&agent.id)? {
        cal.push(
            Event::new()
                .uid(&format!("relance-{}@guichet", f.request_id))
                .timestamp(stamp)
                .all_day(f.on)
                .ends(next_day(f.on))
                .summary(&format!("Relance {} — {}", f.reference, f.type_label))
                .description(&format!(
                    "Prochaine relance de la demande {} : « guichet request show {} »",
                    f.reference, f.reference
                ))
                .done(),
        );
        counts.follow_ups += 1;
    }
    for c in store.agent_commitments(&agent.id)? {
        if c.facts.broken_on.is_some() {
            continue;
        }
        let received = c.facts.attestations.len();
        let years = c.facts.years;
        for (k, due) in c.facts.due_dates().into_iter().enumerate().skip(received) {
            let n = k + 1;
            cal.push(
                Event::new()
                    .uid(&format!("attestation-{}-{n}@guichet", c.commitment_id))
                    .timestamp(stamp)
                    .all_day(due)
                    .ends(next_day(due))
                    .summary(&format!(
                        "Attestation {n}/{years} attendue — {} ({})",
                        c.reference, c.scheme_label
                    ))
                    .description(&format!(
                        "Attestation annuelle de l'engagement de la demande {} : à enregistrer avec « guichet commitment attest {} --date … »",
                        c.reference, c.reference
                    ))
                    .done(),
            );
            counts.attestations += 1;
        }
    }
    Ok((cal.done().to_string(), counts))
}

/// An all-day event ends (exclusively) the next day: with DTEND equal to DTSTART some
/// calendars show nothing.
fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}
