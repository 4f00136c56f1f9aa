//! Aids and commitments, the rules with no storage: amounts in whole euros, the schedule of
//! payments still to come, where a commitment stands on a day, which attestation is due, and the
//! repayment a breach asks. The store (`store/aids.rs`) and every front end use these.

use crate::domain::vocabulary;
use crate::error::{Error, Result};
use crate::text::fold;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

vocabulary!(
    /// How a scheme pays its aid.
    PaymentPattern, "rythme de versement" {
        Unique = "unique", "En une fois" | "une fois" | "unique";
        Annuel = "annuel", "Par année universitaire" | "annuel" | "par an";
        Mensuel = "mensuel", "Mensuel" | "par mois";
    }
);

impl PaymentPattern {
    /// Months between two payments of the schedule.
    pub fn period_months(self) -> u32 {
        match self {
            PaymentPattern::Unique => 0,
            PaymentPattern::Annuel => 12,
            PaymentPattern::Mensuel => 1,
        }
    }
}

vocabulary!(
    /// What a breach of the commitment asks back.
    RepaymentRule, "règle de remboursement" {
        Prorata = "prorata", "Au prorata du temps restant" | "pro rata";
        Total = "total", "Totalité";
        Aucun = "aucun", "Aucun remboursement" | "aucune" | "non";
    }
);

vocabulary!(
    /// Where a commitment stands on a given day.
    CommitmentState, "état d'engagement" {
        EnCours = "en_cours", "En cours" | "running";
        Rompu = "rompu", "Rompu" | "rupture" | "broken";
        Honore = "honore", "Honoré" | "honoured";
    }
);

/// Parses an amount in whole euros as typed or found in a spreadsheet: `35000`, `35 000`,
/// `35 000 €`, `35000,00`. Refuses a negative amount, cents and anything else, saying why.
pub fn parse_euros(input: &str) -> Result<i64> {
    let bad = |why: &str| Error::input(format!("montant invalide : « {input} » ({why})"));
    let mut s: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    for suffix in ["€", "EUR", "eur", "euros", "euro"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
            break;
        }
    }
    if s.is_empty() {
        return Err(bad("vide"));
    }
    if s.starts_with('-') || s.starts_with('−') {
        return Err(bad("un montant ne peut pas être négatif"));
    }
    let s = s.strip_prefix('+').unwrap_or(&s);
    let whole = match s.split_once([',', '.']) {
        Some((w, cents)) if !cents.is_empty() && cents.chars().all(|c| c == '0') => w,
        Some(_) => return Err(bad("en euros entiers, sans centimes")),
        None => s,
    };
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad("attendu : un nombre d'euros, par exemple 35000"));
    }
    whole
        .parse::<i64>()
        .ok()
        .filter(|n| *n <= 1_000_000_000)
        .ok_or_else(|| bad("trop grand"))
}

/// `35 000 €`: how amounts are shown to agents.
pub fn fr_euros(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out.push_str("\u{a0}€");
    out
}

/// Whole months from `from` to `to` (a month not completed does not count).
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    while m > 0 && add_months(from, m as u32) > to {
        m -= 1;
    }
    m.max(0) as u32
}

/// `d` plus `m` months (the 31st becomes the month's last day).
pub fn add_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m))
        .unwrap_or(NaiveDate::MAX)
}

/// The repayment a breach asks under `rule`: all that was paid, nothing, or what was paid pro
/// rata of the months not served (`paid × (months − served) / months`, rounded down to the euro).
pub fn repayment_due(
    rule: RepaymentRule,
    paid: i64,
    started_on: NaiveDate,
    years: u32,
    broken_on: NaiveDate,
) -> i64 {
    match rule {
        RepaymentRule::Aucun => 0,
        RepaymentRule::Total => paid,
        RepaymentRule::Prorata => {
            let total = i64::from(years) * 12;
            let served = i64::from(whole_months(started_on, broken_on)).min(total);
            if total == 0 {
                0
            } else {
                paid * (total - served) / total
            }
        }
    }
}

/// One payment of an aid's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Installment {
    pub due_on: NaiveDate,
    pub amount: i64,
}

/// The whole schedule of an aid: `count` payments of `total` (split evenly to the euro, the first
/// ones taking the remainder), the first on the decision date, then one every period.
pub fn schedule(
    total: i64,
    count: u32,
    pattern: PaymentPattern,
    decided_on: NaiveDate,
) -> Vec<Installment> {
    let n = i64::from(count.max(1));
    (0..n)
        .map(|i| Installment {
            due_on: add_months(decided_on, pattern.period_months() * i as u32),
            amount: total * (i + 1) / n - total * i / n,
        })
        .collect()
}

/// What is still to be paid of a schedule once `paid` euros were paid (payments cover the
/// installments in order).
pub fn still_to_pay(schedule: &[Installment], paid: i64) -> Vec<Installment> {
    let mut covered = paid;
    let mut out = Vec::new();
    for i in schedule {
        let take = covered.min(i.amount);
        covered -= take;
        if i.amount > take {
            out.push(Installment {
                due_on: i.due_on,
                amount: i.amount - take,
            });
        }
    }
    out
}

/// How many payments a new aid is split into: one for a one-off payment, the amount divided by
/// the scheme's usual installment otherwise (rounded up), or 1 when the scheme has none.
pub fn default_installments(total: i64, pattern: PaymentPattern, installment: i64) -> u32 {
    if pattern == PaymentPattern::Unique || installment <= 0 {
        1
    } else {
        ((total + installment - 1) / installment).clamp(1, 600) as u32
    }
}

/// A commitment as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentFacts {
    pub started_on: NaiveDate,
    pub years: u32,
    pub broken_on: Option<NaiveDate>,
    /// Dates of the attestations received, any order.
    pub attestations: Vec<NaiveDate>,
}

impl CommitmentFacts {
    pub fn ends_on(&self) -> NaiveDate {
        add_months(self.started_on, self.years * 12)
    }

    /// Broken from the breach date on; honoured once the end date has come and every yearly
    /// attestation has been received (the last one is due on the end date); running until
    /// then — past its end with an attestation missing, a commitment is still running, its
    /// attestation overdue, until the attestation comes.
    pub fn state_on(&self, day: NaiveDate) -> Option<CommitmentState> {
        if day < self.started_on {
            return None;
        }
        Some(match self.broken_on {
            Some(b) if b <= day => CommitmentState::Rompu,
            _ if self.ends_on() <= day && self.next_due_on(day).is_none() => {
                CommitmentState::Honore
            }
            _ => CommitmentState::EnCours,
        })
    }

    /// Running on `day` although its end date has passed: an attestation is still awaited.
    pub fn past_end_awaiting(&self, day: NaiveDate) -> bool {
        self.state_on(day) == Some(CommitmentState::EnCours) && self.ends_on() <= day
    }

    /// Proven in practice on `day`: honoured, or running with no attestation overdue (what the
    /// publishable sentence may say "toujours en activité" of).
    pub fn in_practice_on(&self, day: NaiveDate) -> bool {
        match self.state_on(day) {
            Some(CommitmentState::Honore) => true,
            Some(CommitmentState::EnCours) => !self.attestation_overdue(day),
            _ => false,
        }
    }

    /// The anniversaries: attestation `k` (1-based) is due `k` years after the start.
    pub fn due_dates(&self) -> Vec<NaiveDate> {
        (1..=self.years)
            .map(|k| add_months(self.started_on, 12 * k))
            .collect()
    }

    /// The next attestation awaited on `day` (received attestations cover the anniversaries in
    /// order); none once all are in or the commitment is broken.
    pub fn next_due_on(&self, day: NaiveDate) -> Option<NaiveDate> {
        if self.broken_on.is_some_and(|b| b <= day) {
            return None;
        }
        let received = self.attestations.iter().filter(|a| **a <= day).count();
        self.due_dates().get(received).copied()
    }

    /// An attestation is overdue on `day` when its anniversary has passed and it has not come.
    pub fn attestation_overdue(&self, day: NaiveDate) -> bool {
        self.next_due_on(day).is_some_and(|d| d < day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn amounts_are_whole_positive_euros() {
        assert_eq!(parse_euros("35000").unwrap(), 35_000);
        assert_eq!(parse_euros(" 35 000 € ").unwrap(), 35_000);
        assert_eq!(parse_euros("35\u{a0}000,00").unwrap(), 35_000);
        assert_eq!(parse_euros("0").unwrap(), 0);
        for bad in ["-5", "12,50", "abc", "", "1e5", "€"] {
            assert!(parse_euros(bad).is_err(), "{bad}");
        }
        assert!(
            parse_euros("-5")
                .unwrap_err()
                .to_string()
                .contains("négatif")
        );
        assert_eq!(fr_euros(264_000), "264\u{a0}000\u{a0}€");
        assert_eq!(fr_euros(500), "500\u{a0}€");
    }

    #[test]
    fn whole_months_count_completed_months_only() {
        assert_eq!(whole_months(d("2023-09-01"), d("2025-09-01")), 24);
        assert_eq!(whole_months(d("2023-09-01"), d("2025-08-31")), 23);
        assert_eq!(whole_months(d("2024-01-31"), d("2024-02-29")), 1);
        assert_eq!(whole_months(d("2024-03-15"), d("2024-03-01")), 0);
    }

    #[test]
    fn a_breach_after_two_years_of_five_asks_three_fifths_back() {
        let r = |rule| repayment_due(rule, 20_000, d("2023-09-01"), 5, d("2025-09-01"));
        assert_eq!(r(RepaymentRule::Prorata), 12_000);
        assert_eq!(r(RepaymentRule::Total), 20_000);
        assert_eq!(r(RepaymentRule::Aucun), 0);
        // A month begun is not served: 2 years minus a day leaves 37 months of 60.
        let p = repayment_due(
            RepaymentRule::Prorata,
            20_000,
            d("2023-09-01"),
            5,
            d("2025-08-31"),
        );
        assert_eq!(p, 20_000 * 37 / 60);
    }

    #[test]
    fn the_schedule_splits_to_the_euro_and_payments_cover_it_in_order() {
        let s = schedule(12_000, 24, PaymentPattern::Mensuel, d("2024-09-01"));
        assert_eq!(s.len(), 24);
        assert!(s.iter().all(|i| i.amount == 500));
        assert_eq!(s[23].due_on, d("2026-08-01"));
        let s = schedule(10_000, 3, PaymentPattern::Annuel, d("2023-10-15"));
        assert_eq!(
            s.iter().map(|i| i.amount).collect::<Vec<_>>(),
            [3333, 3333, 3334]
        );
        let left = still_to_pay(&s, 5_000);
        assert_eq!(
            left,
            [
                Installment {
                    due_on: d("2024-10-15"),
                    amount: 1666
                },
                Installment {
                    due_on: d("2025-10-15"),
                    amount: 3334
                }
            ]
        );
        assert!(still_to_pay(&s, 10_000).is_empty());
        assert_eq!(
            default_installments(12_000, PaymentPattern::Mensuel, 500),
            24
        );
        assert_eq!(default_installments(37_000, PaymentPattern::Unique, 0), 1);
    }

    #[test]
    fn attestations_fall_due_each_anniversary_and_overdue_after_it() {
        let mut c = CommitmentFacts {
            started_on: d("2025-10-22"),
            years: 5,
            broken_on: None,
            attestations: vec![],
        };
        assert_eq!(c.ends_on(), d("2030-10-22"));
        // Thirteen months after the start, the first attestation is a month late.
        assert!(c.attestation_overdue(d("2026-11-22")));
        assert!(!c.attestation_overdue(d("2026-10-22")));
        c.attestations.push(d("2026-11-22"));
        assert!(!c.attestation_overdue(d("2026-11-22")));
        assert_eq!(c.next_due_on(d("2026-11-22")), Some(d("2027-10-22")));
        assert_eq!(c.state_on(d("2026-11-22")), Some(CommitmentState::EnCours));
        // At its end with attestations missing, it is still running, not honoured.
        assert_eq!(c.state_on(d("2030-10-22")), Some(CommitmentState::EnCours));
        assert!(c.past_end_awaiting(d("2031-01-01")));
        assert!(c.attestation_overdue(d("2031-01-01")));
        assert!(!c.in_practice_on(d("2031-01-01")));
        let mut done = c.clone();
        done.attestations = (1..=5)
            .map(|k| add_months(d("2025-10-22"), 12 * k))
            .collect();
        assert_eq!(
            done.state_on(d("2030-10-21")),
            Some(CommitmentState::EnCours)
        );
        assert_eq!(
            done.state_on(d("2030-10-22")),
            Some(CommitmentState::Honore)
        );
        assert!(done.in_practice_on(d("2030-10-22")));
        c.broken_on = Some(d("2027-01-01"));
        assert_eq!(c.state_on(d("2027-01-01")), Some(CommitmentState::Rompu));
        assert!(!c.attestation_overdue(d("2028-01-01")));
    }
}
