//! Command-line output of salon merges: what awaits a decision, events and their captures.

use crate::domain::fr_date;
use crate::error::Result;
use crate::output::Table;
use crate::salon::Pending;
use crate::store::{PersonCard, Store};
use crate::text::display_safe;
use std::io::Write;

fn card_lines(label: &str, c: &PersonCard) -> Vec<String> {
    let mut who = format!("{} {}", c.last_name, c.first_name);
    if let Some(b) = c.birth_date {
        who.push_str(&format!(", né(e) le {}", fr_date(b)));
    }
    let contacts: Vec<&str> = [c.phone.as_str(), c.email.as_str(), c.profession.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let mut out = vec![format!("  {label} : {}", display_safe(&who))];
    if !contacts.is_empty() {
        out.push(format!("      {}", display_safe(&contacts.join(" · "))));
    }
    for r in &c.requests {
        out.push(format!("      {}", display_safe(r)));
    }
    out
}

/// `guichet pending` as text: the summary table, then each held capture beside every office
/// person it may be, with contacts and requests.
pub fn write_pending(items: &[Pending], out: &mut dyn Write) -> Result<()> {
    if items.is_empty() {
        writeln!(
            out,
            "Rien à décider : aucun doublon ni modification des deux côtés en attente."
        )?;
        return Ok(());
    }
    let mut t = Table::new(vec!["Identifiant", "Quoi", "Saisie du salon", "Au bureau"]);
    for p in items {
        let what = if p.kind == "duplicate" {
            "doublon probable"
        } else {
            "modifiée des deux côtés"
        };
        let office = if p.candidates.len() > 1 {
            format!("{} (+{} autre(s))", p.office, p.candidates.len() - 1)
        } else {
            p.office.clone()
        };
        t.push(vec![p.id.clone(), what.into(), p.summary.clone(), office]);
    }
    t.write_text(out)?;
    for p in items.iter().filter(|p| p.capture.is_some()) {
        writeln!(out, "\n{} — à décider :", p.id)?;
        if let Some(c) = &p.capture {
            for l in card_lines("Saisie du salon", c) {
                writeln!(out, "{l}")?;
            }
        }
        for (i, c) in p.candidates.iter().enumerate() {
            for l in card_lines(&format!("Candidat {} au bureau", i + 1), c) {
                writeln!(out, "{l}")?;
            }
        }
        writeln!(
            out,
            "  guichet resolve {} --decision fusionner --candidat N | --decision separer",
            p.id
        )?;
    }
    Ok(())
}

/// `guichet event list`: every event with its requests, held captures counted and marked.
pub fn write_events(store: &Store, out: &mut dyn Write) -> Result<()> {
    let mut t = Table::new(vec!["Date", "Événement", "Lieu", "Demandes"]);
    for e in store.events()? {
        let (n, held) = store.event_request_counts(&e.id)?;
        let count = if held > 0 {
            format!("{n} (dont {held} en attente de décision)")
        } else {
            n.to_string()
        };
        t.push(vec![fr_date(e.held_on), e.name, e.place, count]);
    }
    t.write_text(out)?;
    Ok(())
}
