//! A person's export (right of access) as written to a file: JSON for programs (the keys of
//! [`PersonExport`]), or a two-column sheet (`Rubrique ; Valeur`) for the person who reads
//! their own file in a spreadsheet — French headings ("Demande 1 — Suivi 1 — Texte"), labels
//! instead of codes, dates JJ/MM/AAAA and local times "JJ/MM/AAAA HH:MM". Both go through the
//! program's one text sanitiser ([`SafeWrite`]): no control character of a stored text reaches
//! the file raw.

use crate::domain::{FollowUpKind, fr_date};
use crate::error::Result;
use crate::history_text::{Labels, history_line_labelled};
use crate::output::{Format, Table};
use crate::store::{AccessAction, FollowUpRow, HistoryRow, PersonExport, ReferralRow};
use crate::text::SafeWrite;
use chrono::{DateTime, Local, NaiveDate, Utc};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Writes `export` to `path` (owner-only, whole or not at all) as JSON or CSV.
pub fn write(export: &PersonExport, format: Format, labels: &Labels, path: &Path) -> Result<()> {
    let mut w = SafeWrite::new(Vec::new());
    if format == Format::Csv {
        let mut t = Table::new(vec!["Rubrique", "Valeur"]);
        for (k, v) in rows(export, labels) {
            t.push(vec![k, v]);
        }
        t.write_csv(&mut w)?;
    } else {
        serde_json::to_writer_pretty(&mut w, export)?;
        w.write_all(b"\n")?;
    }
    crate::store::write_private(path, &w.into_inner()?)
}

/// "22/11/2026 14:05" in local time, from a stored UTC timestamp: what a French spreadsheet
/// reads as a date and time.
pub fn fr_datetime(ts: &str) -> String {
    DateTime::parse_from_rfc3339(ts)
        .map(|t| {
            t.with_timezone(&Utc)
                .with_timezone(&Local)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| ts.to_string())
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(fr_date).unwrap_or_default()
}

/// The export as (heading, value) lines, in the order a person reads it.
pub fn rows(e: &PersonExport, labels: &Labels) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: String, v: String| out.push((k, v));
    put("Export — Date".into(), fr_datetime(&e.exported_at));
    put("Export — Par".into(), e.exported_by.clone());
    let p = &e.person;
    for (k, v) in [
        ("Nom", p.last_name.clone()),
        ("Prénom", p.first_name.clone()),
        ("Date de naissance", day(p.birth_date)),
        ("Téléphone", p.phone.clone()),
        ("E-mail", p.email.clone()),
        (
            "Profil",
            p.profile.map(|x| x.label().to_string()).unwrap_or_default(),
        ),
        ("Profession", p.profession.clone()),
        ("Identifiant interne", p.id.clone()),
    ] {
        put(format!("Personne — {k}"), v);
    }
    history_rows("Personne", &e.person_history, labels, &mut put);
    for (i, r) in e.requests.iter().enumerate() {
        let d = format!("Demande {}", i + 1);
        let q = &r.request;
        for (k, v) in [
            ("Référence", q.reference.clone()),
            ("Type", q.type_label.clone()),
            ("Statut", q.status.label().to_string()),
            (
                "Issue",
                q.outcome.map(|o| o.label().to_string()).unwrap_or_default(),
            ),
            (
                "Canal",
                q.channel_label
                    .clone()
                    .or_else(|| q.channel.clone())
                    .unwrap_or_default(),
            ),
            ("Événement", q.event.clone().unwrap_or_default()),
            ("Agent", q.agent.clone().unwrap_or_default()),
            ("Nom", q.last_name.clone()),
            ("Prénom", q.first_name.clone()),
            ("Téléphone", q.phone.clone()),
            ("E-mail", q.email.clone()),
            ("Reçue le", fr_date(q.received_on)),
            ("Prochaine relance", day(q.next_follow_up_on)),
            ("Close le", day(q.closed_on)),
            ("Résumé", q.summary.clone()),
            (
                "Réponse de partenaire en retard",
                if q.referral_overdue { "oui" } else { "non" }.to_string(),
            ),
        ] {
            put(format!("{d} — {k}"), v);
        }
        for (j, f) in r.follow_ups.iter().enumerate() {
            follow_up_rows(&format!("{d} — Suivi {}", j + 1), f, &mut put);
        }
        for (j, f) in r.referrals.iter().enumerate() {
            referral_rows(&format!("{d} — Orientation {}", j + 1), f, &mut put);
        }
        history_rows(&d, &r.history, labels, &mut put);
        for (j, a) in r.access_log.iter().enumerate() {
            let h = format!("{d} — Journal des accès {}", j + 1);
            put(format!("{h} — Date"), fr_datetime(&a.at));
            put(format!("{h} — Agent"), a.actor.clone());
            put(
                format!("{h} — Action"),
                AccessAction::label(&a.action).into(),
            );
            put(
                format!("{h} — Demande"),
                a.reference.clone().unwrap_or_default(),
            );
        }
        for (table, rows) in &r.related {
            for (j, row) in rows.iter().enumerate() {
                let h = format!("{d} — {} {}", table_label(table), j + 1);
                let Value::Object(m) = row else { continue };
                for (col, v) in m {
                    if col == "request_id" || col == "version" || is_parent_link(col) {
                        continue;
                    }
                    put(format!("{h} — {}", column_label(col)), cell(col, v));
                }
            }
        }
    }
    out
}

fn follow_up_rows(h: &str, f: &FollowUpRow, put: &mut impl FnMut(String, String)) {
    let kind: FollowUpKind = f.kind;
    put(format!("{h} — Type"), kind.label().into());
    put(format!("{h} — Date"), fr_date(f.occurred_on));
    put(format!("{h} — Texte"), f.body.clone());
    put(format!("{h} — Prochaine relance"), day(f.next_follow_up_on));
    put(format!("{h} — Enregistré le"), fr_datetime(&f.created_at));
    put(format!("{h} — Enregistré par"), f.created_by.clone());
}

fn referral_rows(h: &str, f: &ReferralRow, put: &mut impl FnMut(String, String)) {
    put(format!("{h} — Partenaire"), f.partner.clone());
    put(format!("{h} — Envoyée le"), fr_date(f.sent_on));
    put(format!("{h} — Réponse attendue le"), day(f.expected_by));
    put(format!("{h} — Relances"), f.reminders.to_string());
    put(format!("{h} — Dernière relance le"), day(f.reminded_on));
    put(format!("{h} — Réponse reçue le"), day(f.answered_on));
    put(
        format!("{h} — Réponse"),
        f.answer.map(|a| a.label().to_string()).unwrap_or_default(),
    );
    put(format!("{h} — Note d'envoi"), f.note.clone());
    put(format!("{h} — Note de réponse"), f.answer_note.clone());
    put(format!("{h} — Enregistrée par"), f.created_by.clone());
}

fn history_rows(
    of: &str,
    history: &[HistoryRow],
    labels: &Labels,
    put: &mut impl FnMut(String, String),
) {
    for (j, x) in history.iter().enumerate() {
        let h = format!("{of} — Historique {}", j + 1);
        let old = x.old_value.as_deref();
        let new = x.new_value.as_deref();
        // A date as read in France; any other value as stored.
        let v = |s: Option<&str>| {
            s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map_or_else(|| s.unwrap_or_default().to_string(), fr_date)
        };
        // Lines the screens leave out are kept here: the closing date (the outcome line says
        // it on screen) and the program's own columns (search keys, stamps), named as such.
        let change =
            history_line_labelled(&x.entity, &x.field, old, new, labels).unwrap_or_else(|| match x
                .field
                .as_str()
            {
                "closed_on" => format!("Close le : {}", v(new)),
                other => {
                    let t = |s: Option<&str>| match s.filter(|s| !s.is_empty()) {
                        None => "—".to_string(),
                        Some(s) if s.len() == 20 && s.ends_with('Z') && s.contains('T') => {
                            fr_datetime(s)
                        }
                        Some(s) => v(Some(s)),
                    };
                    format!(
                        "Donnée technique « {} » : {} → {}",
                        crate::text::display_safe(other),
                        t(old),
                        t(new)
                    )
                }
            });
        put(format!("{h} — Date"), fr_datetime(&x.at));
        put(format!("{h} — Agent"), x.actor.clone());
        put(format!("{h} — Changement"), change);
        // The values themselves (a summary's change is only named above).
        if x.field != "*" {
            put(format!("{h} — Ancienne valeur"), v(old));
            put(format!("{h} — Nouvelle valeur"), v(new));
        }
    }
}

/// A row's link to the row it belongs to (an aid's payments carry `aid_id`): the heading
/// already says it.
fn is_parent_link(col: &str) -> bool {
    matches!(col, "aid_id" | "commitment_id")
}

fn table_label(table: &str) -> String {
    match table {
        "aid" => "Aide accordée",
        "aid_payment" => "Versement",
        "commitment" => "Engagement",
        "attestation" => "Attestation",
        "repayment" => "Remboursement",
        "housing_placement" => "Logement attribué",
        "housing_proposal" => "Logement proposé",
        other => other,
    }
    .to_string()
}

fn column_label(col: &str) -> String {
    match col {
        "id" => "Identifiant interne",
        "scheme_code" => "Dispositif",
        "amount" => "Montant (€)",
        "bonus" => "Bonification (€)",
        "decided_on" => "Décidée le",
        "installments" => "Nombre de versements",
        "paid_on" => "Payé le",
        "started_on" => "Début",
        "years" => "Années",
        "ends_on" => "Fin",
        "starts_on" => "Début",
        "commune" => "Commune",
        "broken_on" => "Rompu le",
        "repayment" => "Remboursement demandé (€)",
        "received_on" => "Reçue le",
        "place_id" => "Logement (identifiant interne)",
        "note" => "Note",
        "source_file" => "Fichier de salon",
        "decided_at" => "Décidé le",
        "decided_by" => "Décidé par",
        "decision" => "Décision",
        "created_at" => "Enregistré le",
        "created_by" => "Enregistré par",
        "updated_at" => "Modifié le",
        "updated_by" => "Modifié par",
        other => other,
    }
    .to_string()
}

/// A value of another table as read: dates and times in French, nothing for null.
fn cell(col: &str, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) if col.ends_with("_on") => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(fr_date)
            .unwrap_or_else(|_| s.clone()),
        Value::String(s) if col.ends_with("_at") => fr_datetime(s),
        Value::String(s) => match (col, s.as_str()) {
            ("decision", "placed") => "logé".into(),
            ("decision", "declined") => "refusé".into(),
            _ => s.clone(),
        },
        other => other.to_string(),
    }
}
