//! Aids in the interface: the *Aide* block of the request screen (this request's aid, then the
//! person's other aids), the forms behind its keys (grant, pay, start, attest, break), and the
//! *Aides* lines of the Bilan. The store does every check; a refused save keeps the form open
//! with the reason beside the field.

use crate::aids::{fr_euros, parse_euros};
use crate::domain::{fr_date, parse_date};
use crate::error::{Error, Result};
use crate::store::{AidDetail, RequestDetail, Store};
use crate::tui::command::Command;
use crate::tui::forms::{Field, Form, FormKind, Name};
use chrono::NaiveDate;

/// What an aid form records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AidStep {
    Grant,
    Pay,
    Start,
    Attest,
    Break,
}

impl AidStep {
    pub const ALL: [AidStep; 5] = [
        AidStep::Grant,
        AidStep::Pay,
        AidStep::Start,
        AidStep::Attest,
        AidStep::Break,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AidStep::Grant => "Accorder une aide",
            AidStep::Pay => "Enregistrer un versement",
            AidStep::Start => "Début de l'engagement d'exercer",
            AidStep::Attest => "Attestation annuelle reçue",
            AidStep::Break => "Rupture de l'engagement",
        }
    }
}

/// The chooser behind the `g` key of the request screen.
pub fn picker(reference: &str) -> crate::tui::app::Picker {
    crate::tui::app::Picker {
        title: format!("Aide — {reference}"),
        options: AidStep::ALL.iter().map(|s| s.label().to_string()).collect(),
        selected: 0,
        purpose: crate::tui::app::PickPurpose::Aid,
        error: None,
        letter: None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidForm {
    pub step: AidStep,
    pub request_id: String,
    /// Scheme codes offered by the grant form, in its order.
    pub schemes: Vec<String>,
    /// The commitment's version read (a breach states it).
    pub version: Option<i64>,
}

/// The form of `step` for the request on screen; refused with a reason when it makes no sense
/// yet (paying before a grant, attesting before a start).
pub fn form(step: AidStep, store: &Store, d: &RequestDetail) -> Result<Form> {
    let r = &d.request;
    let aid = store.aid(&r.id)?;
    let need_aid = || {
        Error::input(format!(
            "la demande {} n'a pas d'aide accordée : « g », « Accorder une aide »",
            r.reference
        ))
    };
    let need_commitment = || {
        Error::input(format!(
            "la demande {} n'a pas d'engagement commencé : « g », « Début de l'engagement »",
            r.reference
        ))
    };
    let mut schemes = Vec::new();
    let mut version = None;
    let (title, fields) = match step {
        AidStep::Grant => {
            if aid.is_some() {
                return Err(Error::input(format!(
                    "la demande {} a déjà une aide accordée",
                    r.reference
                )));
            }
            let offered: Vec<_> = store
                .schemes()?
                .into_iter()
                .filter(|s| s.active && s.type_code == r.type_code)
                .collect();
            if offered.is_empty() {
                return Err(Error::input(format!(
                    "aucun dispositif d'aide pour les demandes de type {} (guichet dispositif set …)",
                    r.type_label
                )));
            }
            let labels = offered
                .iter()
                .map(|s| {
                    format!(
                        "{} ({} à {})",
                        s.label,
                        fr_euros(s.min_amount),
                        fr_euros(s.max_amount)
                    )
                })
                .collect();
            schemes = offered.into_iter().map(|s| s.code).collect();
            (
                format!("Accorder une aide — {}", r.reference),
                vec![
                    Field::choice("Dispositif", labels, 0).named(Name::Scheme),
                    Field::text("Montant (€)", "").named(Name::Amount),
                    Field::text("Bonification (€)", "").named(Name::Bonus),
                    Field::date("Décision du", "aujourd'hui").named(Name::DecidedOn),
                ],
            )
        }
        AidStep::Pay => {
            let a = aid.ok_or_else(need_aid)?;
            (
                format!(
                    "Versement — {} (reste {})",
                    r.reference,
                    fr_euros(a.granted() - a.paid())
                ),
                vec![
                    Field::text(
                        "Montant (€)",
                        &a.to_come
                            .first()
                            .map_or(String::new(), |i| i.amount.to_string()),
                    )
                    .named(Name::Amount),
                    Field::date("Versé le", "aujourd'hui").named(Name::PaidOn),
                ],
            )
        }
        AidStep::Start => {
            let a = aid.ok_or_else(need_aid)?;
            (
                format!("Début de l'engagement — {}", r.reference),
                vec![
                    Field::date("Début le", "").named(Name::StartOn),
                    Field::text("Commune d'exercice", "").named(Name::Commune),
                    Field::text("Durée (ans)", &a.scheme.commitment_years.to_string())
                        .named(Name::Years),
                ],
            )
        }
        AidStep::Attest => {
            aid.and_then(|a| a.commitment).ok_or_else(need_commitment)?;
            (
                format!("Attestation annuelle reçue — {}", r.reference),
                vec![Field::date("Reçue le", "aujourd'hui").named(Name::AttestedOn)],
            )
        }
        AidStep::Break => {
            let c = aid.and_then(|a| a.commitment).ok_or_else(need_commitment)?;
            version = Some(c.version);
            (
                format!("Rupture de l'engagement — {}", r.reference),
                vec![
                    Field::date("Rompu le", "aujourd'hui").named(Name::BrokenOn),
                    Field::text("Remboursement (€, vide : calculé)", "").named(Name::Repayment),
                ],
            )
        }
    };
    Ok(Form {
        title,
        kind: FormKind::Aid(Box::new(AidForm {
            step,
            request_id: r.id.clone(),
            schemes,
            version,
        })),
        fields,
        focus: if step == AidStep::Grant { 1 } else { 0 },
        dirty: false,
        error: None,
        letter: None,
        taken_on: None,
    })
}

/// The position of the field `name` (every name read below is one of the form's fields).
fn at(fields: &[Field], name: Name) -> usize {
    let i = fields.iter().position(|f| f.name == name);
    debug_assert!(i.is_some(), "{name:?} is not a field of this aid form");
    i.unwrap_or(0)
}

/// Reads the field `name` with `parse`; a problem is written beside the field.
fn read<T>(
    fields: &mut [Field],
    name: Name,
    parse: impl Fn(&str) -> Result<T>,
) -> Result<Option<T>> {
    let i = at(fields, name);
    let v = fields[i].value().trim().to_string();
    if v.is_empty() {
        return Ok(None);
    }
    parse(&v)
        .map(Some)
        .inspect_err(|e| fields[i].error = Some(e.to_string()))
}

fn required<T>(fields: &mut [Field], name: Name, v: Option<T>) -> Result<T> {
    let i = at(fields, name);
    v.ok_or_else(|| {
        let e = Error::input(format!("{} : obligatoire", fields[i].label));
        fields[i].error = Some("obligatoire".into());
        e
    })
}

/// What an aid form asks the store to record (built by [`command`], written by [`run`] from
/// the interface's one writer, `App::apply`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AidOp {
    Grant(crate::store::NewAid),
    Pay {
        amount: i64,
        on: NaiveDate,
    },
    Start {
        on: NaiveDate,
        commune: String,
        years: Option<u32>,
    },
    Attest {
        on: NaiveDate,
    },
    Break {
        on: NaiveDate,
        asked: Option<i64>,
        version: Option<i64>,
    },
}

/// Reads an aid form into what to record, touching no store; a problem is written beside its
/// field.
pub fn command(a: &AidForm, fields: &mut [Field], today: NaiveDate) -> Result<Command> {
    let date = |s: &str| parse_date(s, today);
    let op = match a.step {
        AidStep::Grant => {
            let scheme = a
                .schemes
                .get(fields[at(fields, Name::Scheme)].selected())
                .cloned()
                .unwrap_or_default();
            let amount = read(fields, Name::Amount, parse_euros)?;
            let amount = required(fields, Name::Amount, amount)?;
            let bonus = read(fields, Name::Bonus, parse_euros)?.unwrap_or(0);
            let on = read(fields, Name::DecidedOn, date)?;
            let decided_on = required(fields, Name::DecidedOn, on)?;
            AidOp::Grant(crate::store::NewAid {
                scheme,
                amount,
                bonus,
                decided_on,
                installments: None,
            })
        }
        AidStep::Pay => {
            let amount = read(fields, Name::Amount, parse_euros)?;
            let amount = required(fields, Name::Amount, amount)?;
            let on = read(fields, Name::PaidOn, date)?.unwrap_or(today);
            AidOp::Pay { amount, on }
        }
        AidStep::Start => {
            let on = read(fields, Name::StartOn, date)?;
            let on = required(fields, Name::StartOn, on)?;
            let commune = fields[at(fields, Name::Commune)].value().trim().to_string();
            let years = read(fields, Name::Years, |s| {
                s.parse::<u32>()
                    .map_err(|_| Error::input(format!("durée invalide : « {s} » (en années)")))
            })?;
            AidOp::Start { on, commune, years }
        }
        AidStep::Attest => AidOp::Attest {
            on: read(fields, Name::AttestedOn, date)?.unwrap_or(today),
        },
        AidStep::Break => {
            let on = read(fields, Name::BrokenOn, date)?;
            let on = required(fields, Name::BrokenOn, on)?;
            let asked = read(fields, Name::Repayment, parse_euros)?;
            AidOp::Break {
                on,
                asked,
                version: a.version,
            }
        }
    };
    Ok(Command::Aid {
        request_id: a.request_id.clone(),
        op: Box::new(op),
    })
}

/// Records `op` on the request's aid; the store refuses what breaks a rule. Returns the message
/// for the status line.
pub fn run(store: &mut Store, request_id: &str, op: &AidOp) -> Result<String> {
    Ok(match op {
        AidOp::Grant(aid) => {
            store.grant_aid(request_id, aid)?;
            let done = format!("Aide accordée : {}.", fr_euros(aid.amount + aid.bonus));
            match store.budget_warning(&aid.scheme, aid.decided_on)? {
                Some(w) => format!("{done} {w}"),
                None => done,
            }
        }
        AidOp::Pay { amount, on } => {
            store.pay_aid(request_id, *amount, *on)?;
            format!("Versement de {} enregistré.", fr_euros(*amount))
        }
        AidOp::Start { on, commune, years } => {
            store.start_commitment(request_id, *on, commune, *years)?;
            format!("Engagement commencé le {}.", fr_date(*on))
        }
        AidOp::Attest { on } => {
            store.attest_commitment(request_id, *on)?;
            "Attestation enregistrée.".to_string()
        }
        AidOp::Break { on, asked, version } => {
            let amount = store.break_commitment(request_id, *on, *asked, *version)?;
            format!(
                "Rupture enregistrée ; remboursement demandé : {}.",
                fr_euros(amount)
            )
        }
    })
}

/// The *Aide* block: this request's aid in full, then one line for each of the person's other
/// aids (across their requests).
pub fn block_lines(aids: &[AidDetail], request_id: &str, today: NaiveDate) -> Vec<String> {
    let mut lines = Vec::new();
    match aids.iter().find(|a| a.request_id == request_id) {
        Some(a) => lines.extend(crate::aid_text::aid_lines(a, today)),
        None => lines.push("Aucune aide sur cette demande (g : accorder)".into()),
    }
    let others: Vec<&AidDetail> = aids.iter().filter(|a| a.request_id != request_id).collect();
    if !others.is_empty() {
        lines.push("Autres aides de la personne :".into());
        for a in others {
            let state = a.commitment_state(today).map_or(String::new(), |s| {
                format!(", engagement {}", s.label().to_lowercase())
            });
            lines.push(format!(
                "  {} — {} : {} le {}, versé {}{state}",
                a.reference,
                a.scheme.label,
                fr_euros(a.granted()),
                fr_date(a.decided_on),
                fr_euros(a.paid())
            ));
        }
    }
    lines
}

/// The *Aides* part of the Bilan, as text lines: per scheme, then commitments and the sentence.
pub fn review_lines(r: &crate::report_aids::AidsReport) -> Vec<String> {
    let mut lines = Vec::new();
    for (code, s) in &r.by_scheme {
        if s.granted_count == 0 && s.paid_amount == 0 && s.budget.is_none() {
            continue;
        }
        let budget = match (s.budget, s.budget_left) {
            (Some(b), Some(left)) => format!(", budget {} (reste {})", fr_euros(b), fr_euros(left)),
            _ => String::new(),
        };
        lines.push(format!(
            "{} : {} aide(s), {} accordés, {} versés{budget}",
            if s.label.is_empty() { code } else { &s.label },
            s.granted_count,
            fr_euros(s.granted_amount),
            fr_euros(s.paid_amount)
        ));
    }
    let c = &r.commitments;
    lines.push(format!(
        "Engagements : {} en cours, {} honorés, {} rompus ; attestations en retard : {}",
        c.running, c.honoured, c.broken, c.attestations_overdue
    ));
    lines.push(r.sentence.clone());
    lines
}

/// Days ahead the *Engagements à vérifier* tab looks for attestations due.
pub const DUE_WITHIN_DAYS: u64 = 30;

/// The *Engagements à vérifier* queue: requests whose commitment's yearly attestation is due
/// within [`DUE_WITHIN_DAYS`] days or late (late ones are also in `report aids`).
pub fn commitments_filter(
    store: &Store,
    today: NaiveDate,
) -> (crate::store::RequestFilter, crate::store::QueueOrder) {
    let ids = store
        .commitments_to_check(today, DUE_WITHIN_DAYS)
        .map(|due| due.into_iter().map(|d| d.request_id).collect())
        .unwrap_or_default();
    (
        crate::store::RequestFilter {
            request_ids: Some(ids),
            ..Default::default()
        },
        crate::store::QueueOrder::Due,
    )
}

/// The *Aides* part of the Bilan for a period (empty when no scheme is configured).
pub fn review_part(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<String>> {
    if store.schemes()?.is_empty() {
        return Ok(Vec::new());
    }
    Ok(review_lines(&crate::report_aids::compute(store, from, to)?))
}
