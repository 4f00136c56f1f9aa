//! An aid as text lines, for `aid show` and the request screen alike: amounts, payments made
//! and to come, and where the commitment stands.

use crate::aids::fr_euros;
use crate::domain::fr_date;
use crate::store::AidDetail;
use chrono::NaiveDate;

/// The aid block, as text lines.
pub fn aid_lines(a: &AidDetail, today: NaiveDate) -> Vec<String> {
    let mut lines = Vec::new();
    let bonus = if a.bonus > 0 {
        format!(" + bonification {}", fr_euros(a.bonus))
    } else {
        String::new()
    };
    lines.push(format!(
        "{} — {} : {}{bonus}, décision du {}",
        a.reference,
        a.scheme.label,
        fr_euros(a.amount),
        fr_date(a.decided_on)
    ));
    lines.push(format!(
        "Versé : {} sur {} ({} versement(s) prévu(s), {})",
        fr_euros(a.paid()),
        fr_euros(a.granted()),
        a.installments,
        a.scheme.payment_pattern.label().to_lowercase()
    ));
    for p in &a.payments {
        lines.push(format!(
            "  versement du {} : {}",
            fr_date(p.paid_on),
            fr_euros(p.amount)
        ));
    }
    for i in &a.to_come {
        lines.push(format!(
            "  à verser le {} : {}",
            fr_date(i.due_on),
            fr_euros(i.amount)
        ));
    }
    match &a.commitment {
        None if a.scheme.commitment_years > 0 => lines.push(format!(
            "Engagement : {} ans prévus, pas encore commencé",
            a.scheme.commitment_years
        )),
        None => {}
        Some(c) => {
            let f = c.facts();
            let place = if c.commune.is_empty() {
                String::new()
            } else {
                format!(" à {}", c.commune)
            };
            let state = match f.state_on(today) {
                None => "pas encore commencé".to_string(),
                Some(_) if f.past_end_awaiting(today) => {
                    "En cours (terme atteint, attestation attendue)".to_string()
                }
                Some(s) => s.label().to_string(),
            };
            lines.push(format!(
                "Engagement : {} ans du {} au {}{place} — {state}",
                c.years,
                fr_date(c.started_on),
                fr_date(c.ends_on)
            ));
            let dates = c
                .attestations
                .iter()
                .map(|d| fr_date(*d))
                .collect::<Vec<_>>()
                .join(", ");
            let dates = if dates.is_empty() {
                String::new()
            } else {
                format!(" ({dates})")
            };
            lines.push(format!(
                "Attestations : {} reçue(s) sur {}{dates}",
                c.attestations.len(),
                c.years
            ));
            if let Some(due) = f.next_due_on(today) {
                let late = if due < today { " — EN RETARD" } else { "" };
                lines.push(format!("Prochaine attestation : {}{late}", fr_date(due)));
            }
            if let (Some(b), Some(r)) = (c.broken_on, c.repayment) {
                lines.push(format!(
                    "Rompu le {} : remboursement demandé {}, reçu {}, reste {}",
                    fr_date(b),
                    fr_euros(r),
                    fr_euros(c.repaid()),
                    fr_euros(r - c.repaid())
                ));
            }
        }
    }
    lines
}
