//! Exports for people (labels, never codes) that `guichet import` reads back: the requests of
//! `list` / `search` as a workbook or Markdown, and one request as Markdown for an e-mail.

use crate::domain::fr_date;
use crate::error::Result;
use crate::output::{Sheet, Value};
use crate::store::{RequestDetail, RequestRow};
use crate::text::display_safe;
use chrono::NaiveDate;
use std::io::Write;

/// The columns of `list --format csv|xlsx|md`: what `guichet import` reads back (`Reçue le` is
/// `date`, `Relance le` is `date_relance`, `Close le` is `date_cloture`; `Référence` is ignored).
pub const LIST_HEADERS: [&str; 14] = [
    "Référence",
    "Type",
    "Statut",
    "Issue",
    "Canal",
    "Événement",
    "Agent",
    "Nom",
    "Prénom",
    "Téléphone",
    "E-mail",
    "Reçue le",
    "Relance le",
    "Close le",
];

/// One request as the cells of [`LIST_HEADERS`]: labels, typed dates.
pub fn list_values(r: &RequestRow) -> Vec<Value> {
    let text = |s: &str| {
        if s.is_empty() {
            Value::Empty
        } else {
            Value::text(s)
        }
    };
    let date = |d: Option<NaiveDate>| d.map_or(Value::Empty, Value::Date);
    vec![
        text(&r.reference),
        text(&r.type_label),
        text(r.status.label()),
        text(r.outcome.map(|o| o.label()).unwrap_or_default()),
        text(r.channel_label.as_deref().unwrap_or_default()),
        text(r.event.as_deref().unwrap_or_default()),
        text(r.agent.as_deref().unwrap_or_default()),
        text(&r.last_name),
        text(&r.first_name),
        text(&r.phone),
        text(&r.email),
        Value::Date(r.received_on),
        date(r.next_follow_up_on),
        date(r.closed_on),
    ]
}

/// The list as one sheet, "Demandes".
pub fn list_sheet(rows: Vec<Vec<Value>>) -> Sheet {
    Sheet::new("Demandes", &LIST_HEADERS, rows)
}

/// One request as Markdown, to paste into an e-mail: the request, the person, the case log and
/// the referrals (not the audit history).
pub fn request_markdown(d: &RequestDetail, out: &mut dyn Write) -> Result<()> {
    // Stored text, made safe and kept on one line (a `|` or a line break would break the layout).
    let s = |t: &str| display_safe(t).replace('⏎', " / ");
    let r = &d.request;
    let p = &d.person;
    writeln!(out, "# {} — {}\n", r.reference, s(&r.type_label))?;
    let mut item = |label: &str, value: String| -> std::io::Result<()> {
        if value.is_empty() {
            Ok(())
        } else {
            writeln!(out, "- **{label}** : {value}")
        }
    };
    item("Statut", r.status.label().to_string())?;
    if let Some(o) = r.outcome {
        item(
            "Issue",
            format!(
                "{}, close le {}",
                o.label(),
                r.closed_on.map(fr_date).unwrap_or_default()
            ),
        )?;
    }
    item("Demandeur", s(&format!("{} {}", p.last_name, p.first_name)))?;
    item("Téléphone", s(&p.phone))?;
    item("E-mail", s(&p.email))?;
    item(
        "Profil",
        p.profile.map(|x| x.label().to_string()).unwrap_or_default(),
    )?;
    item("Profession", s(&p.profession))?;
    item(
        "Reçue le",
        format!(
            "{} ({})",
            fr_date(r.received_on),
            s(r.channel_label.as_deref().unwrap_or("canal non renseigné"))
        ),
    )?;
    item("Événement", s(r.event.as_deref().unwrap_or_default()))?;
    item("Agent", s(r.agent.as_deref().unwrap_or("non attribuée")))?;
    item(
        "Prochaine relance",
        r.next_follow_up_on.map(fr_date).unwrap_or_default(),
    )?;
    item("Résumé", s(&r.summary))?;
    if !d.follow_ups.is_empty() {
        writeln!(out, "\n## Journal\n")?;
        for f in &d.follow_ups {
            writeln!(
                out,
                "- {}, {} ({}) : {}",
                fr_date(f.occurred_on),
                f.kind.label(),
                s(&f.created_by),
                s(&f.body)
            )?;
        }
    }
    if !d.referrals.is_empty() {
        writeln!(out, "\n## Orientations\n")?;
        for f in &d.referrals {
            let state = referral_state(f);
            writeln!(
                out,
                "- {} → {} : {state}",
                fr_date(f.sent_on),
                s(&f.partner)
            )?;
            if !f.note.is_empty() {
                writeln!(out, "  - note d'envoi : {}", s(&f.note))?;
            }
            if !f.answer_note.is_empty() {
                writeln!(out, "  - note de réponse : {}", s(&f.answer_note))?;
            }
        }
    }
    Ok(())
}

/// Where a referral stands: "réponse Favorable le 02/12/2026", "réponse attendue le …".
pub fn referral_state(f: &crate::store::ReferralRow) -> String {
    match (f.answered_on, f.answer) {
        (Some(on), Some(a)) => format!("réponse {} le {}", a.label(), fr_date(on)),
        _ => match f.expected_by {
            Some(e) => format!("réponse attendue le {}", fr_date(e)),
            None => "en attente de réponse".into(),
        },
    }
}

/// The labels people read for the codes figures are keyed by (JSON keeps the codes).
pub struct Labels {
    types: std::collections::HashMap<String, String>,
    channels: std::collections::HashMap<String, String>,
    partners: std::collections::HashMap<String, String>,
}

/// Which list a code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Type,
    Channel,
    Status,
    Outcome,
    Partner,
}

impl Labels {
    pub fn read(store: &crate::store::Store) -> Result<Labels> {
        let codes = |v: Vec<crate::store::Code>| v.into_iter().map(|c| (c.code, c.label)).collect();
        Ok(Labels {
            types: codes(store.types()?),
            channels: codes(store.channels()?),
            partners: store
                .partners()?
                .into_iter()
                .map(|p| (p.code, p.name))
                .collect(),
        })
    }

    /// "Crèche" for `creche`; the code itself when the list no longer has it.
    pub fn of(&self, kind: CodeKind, code: &str) -> String {
        use crate::domain::{Outcome, Status};
        let found = match kind {
            CodeKind::Type => self.types.get(code).cloned(),
            CodeKind::Channel if code == crate::report::NO_CHANNEL => Some("Non renseigné".into()),
            CodeKind::Channel => self.channels.get(code).cloned(),
            CodeKind::Partner => self.partners.get(code).cloned(),
            CodeKind::Status => Status::from_code(code).map(|s| s.label().to_string()),
            CodeKind::Outcome => Outcome::from_code(code).map(|o| o.label().to_string()),
        };
        found.unwrap_or_else(|| code.to_string())
    }
}
