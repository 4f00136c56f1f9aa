//! `report aids` and the *Aides* part of the Bilan: per scheme, grants (count, amount), paid,
//! budget and what is left; commitments running, honoured, broken and attestations overdue; the
//! beneficiaries and the sentence the département publishes. One computation for every output.
//!
//! Definitions (README, "Aides et engagements"):
//! - grants count by decision date, payments by payment date, within the range; an aid's amount
//!   includes its bonus;
//! - budget: the sum of the budgets of the years the range touches (`null` when none is set);
//!   left = budget − granted;
//! - commitments as of `to`: broken from the breach date, honoured from the end date once every
//!   yearly attestation has come, running otherwise (past its end with an attestation missing, a
//!   commitment is still running); `attestations_overdue` counts the commitments (not broken)
//!   whose next yearly attestation was due before `to` and has not come;
//! - beneficiaries: persons with an aid decided in the range; in practice: those of them with a
//!   commitment honoured, or running with no attestation overdue, on `to`;
//! - the sentence counts the beneficiaries whose commitment has started by `to` (professionals
//!   practising; students still studying and internship allowances are not), what they were
//!   granted, and those of them still in practice.

use crate::aids::{CommitmentState, fr_euros};
use crate::domain::fr_date;
use crate::error::Result;
use crate::output::{Sheet, Value};
use crate::store::{AidFacts, Store, years_of};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeFigures {
    pub label: String,
    pub granted_count: i64,
    pub granted_amount: i64,
    pub paid_amount: i64,
    pub budget: Option<i64>,
    pub budget_left: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CommitmentFigures {
    pub running: i64,
    pub honoured: i64,
    pub broken: i64,
    pub attestations_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AidsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by_scheme: BTreeMap<String, SchemeFigures>,
    pub commitments: CommitmentFigures,
    pub beneficiaries: i64,
    pub beneficiaries_in_practice: i64,
    pub granted_amount: i64,
    pub paid_amount: i64,
    /// Beneficiaries of the range whose commitment has started by `to` (they practise): the
    /// "professionnels aidés" of the sentence, and what they were granted.
    pub professionals_aided: i64,
    pub professionals_amount: i64,
    /// "Depuis le …, N professionnels aidés pour X €, dont N toujours en activité dans le
    /// département."
    pub sentence: String,
}

pub fn compute(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<AidsReport> {
    Ok(from_facts(&store.aid_facts()?, from, to))
}

pub fn from_facts(f: &AidFacts, from: NaiveDate, to: NaiveDate) -> AidsReport {
    let within = |d: NaiveDate| from <= d && d <= to;
    let mut by_scheme: BTreeMap<String, SchemeFigures> = f
        .schemes
        .iter()
        .map(|s| {
            (
                s.code.clone(),
                SchemeFigures {
                    label: s.label.clone(),
                    granted_count: 0,
                    granted_amount: 0,
                    paid_amount: 0,
                    budget: None,
                    budget_left: None,
                },
            )
        })
        .collect();
    let mut beneficiaries = BTreeSet::new();
    let mut granted_to: BTreeMap<&str, i64> = BTreeMap::new();
    for (scheme, person, amount, decided_on) in &f.aids {
        if within(*decided_on)
            && let Some(s) = by_scheme.get_mut(scheme)
        {
            s.granted_count += 1;
            s.granted_amount += amount;
            beneficiaries.insert(person.as_str());
            *granted_to.entry(person.as_str()).or_default() += amount;
        }
    }
    for (scheme, amount, paid_on) in &f.payments {
        if within(*paid_on)
            && let Some(s) = by_scheme.get_mut(scheme)
        {
            s.paid_amount += amount;
        }
    }
    let years = years_of(from, to);
    for (scheme, year, amount) in &f.budgets {
        if years.contains(year)
            && let Some(s) = by_scheme.get_mut(scheme)
        {
            *s.budget.get_or_insert(0) += amount;
        }
    }
    for s in by_scheme.values_mut() {
        s.budget_left = s.budget.map(|b| b - s.granted_amount);
    }
    let mut commitments = CommitmentFigures::default();
    let mut in_practice = BTreeSet::new();
    let mut professionals = BTreeSet::new();
    for (_, person, c) in &f.commitments {
        if c.started_on <= to && beneficiaries.contains(person.as_str()) {
            professionals.insert(person.as_str());
        }
        match c.state_on(to) {
            Some(CommitmentState::EnCours) => commitments.running += 1,
            Some(CommitmentState::Honore) => commitments.honoured += 1,
            Some(CommitmentState::Rompu) => commitments.broken += 1,
            None => continue,
        }
        if c.attestation_overdue(to) {
            commitments.attestations_overdue += 1;
        }
        if c.in_practice_on(to) && beneficiaries.contains(person.as_str()) {
            in_practice.insert(person.as_str());
        }
    }
    let granted_amount = by_scheme.values().map(|s| s.granted_amount).sum();
    let paid_amount = by_scheme.values().map(|s| s.paid_amount).sum();
    let professionals_amount = professionals
        .iter()
        .map(|p| granted_to.get(p).copied().unwrap_or(0))
        .sum();
    let sentence = sentence(
        from,
        professionals.len() as i64,
        professionals_amount,
        in_practice.len() as i64,
    );
    AidsReport {
        from,
        to,
        by_scheme,
        commitments,
        beneficiaries: beneficiaries.len() as i64,
        beneficiaries_in_practice: in_practice.len() as i64,
        granted_amount,
        paid_amount,
        professionals_aided: professionals.len() as i64,
        professionals_amount,
        sentence,
    }
}

/// The publishable sentence, in the words of the département's press releases.
pub fn sentence(since: NaiveDate, aided: i64, amount: i64, in_practice: i64) -> String {
    let (pro, aide) = if aided > 1 {
        ("professionnels", "aidés")
    } else {
        ("professionnel", "aidé")
    };
    format!(
        "Depuis le {}, {aided} {pro} {aide} pour {}, dont {in_practice} toujours en activité dans le département.",
        fr_date(since),
        fr_euros(amount).replace('\u{a0}', " ")
    )
}

impl AidsReport {
    /// The tables of the table, CSV, Markdown and xlsx outputs.
    pub fn sheets(&self) -> Vec<Sheet> {
        let opt = |v: Option<i64>| v.map_or(Value::Empty, Value::Int);
        let schemes = Sheet::new(
            "Aides par dispositif",
            &[
                "Dispositif",
                "Libellé",
                "Aides accordées",
                "Montant accordé (€)",
                "Versé (€)",
                "Budget (€)",
                "Reste du budget (€)",
            ],
            self.by_scheme
                .iter()
                .map(|(code, s)| {
                    vec![
                        Value::text(code),
                        Value::text(&s.label),
                        Value::Int(s.granted_count),
                        Value::Int(s.granted_amount),
                        Value::Int(s.paid_amount),
                        opt(s.budget),
                        opt(s.budget_left),
                    ]
                })
                .collect(),
        );
        let c = &self.commitments;
        let rows = [
            ("Engagements en cours", c.running),
            ("Engagements honorés", c.honoured),
            ("Engagements rompus", c.broken),
            ("Attestations en retard", c.attestations_overdue),
            ("Bénéficiaires", self.beneficiaries),
            ("Bénéficiaires en activité", self.beneficiaries_in_practice),
        ];
        let commitments = Sheet::new(
            &format!("Engagements au {}", fr_date(self.to)),
            &["Rubrique", "Nombre"],
            rows.iter()
                .map(|(k, n)| vec![Value::text(k), Value::Int(*n)])
                .collect(),
        );
        let sentence = Sheet::new(
            "Phrase publiable",
            &["Phrase"],
            vec![vec![Value::text(&self.sentence)]],
        );
        vec![schemes, commitments, sentence]
    }
}
