//! The demo's aids (called at the end of `demo::fill`): on the requests closed as *aboutie*, the
//! aid the département granted, with the orders of magnitude of the Loiret press kit — study
//! grants of 1,200 to 18,000 € a year, installation aid of 7,000 to 35,000 € by profession (+2,000 €
//! for a maître de stage), the rural internship allowance of 60 to 200 € a month — payments,
//! commitments in every state (running, honoured, broken with a repayment partly received),
//! attestations received, due and late, and the budgets voted (2023: 175,000 € and 264,000 €;
//! 2024: 330,000 € and 260,000 €).
//!
//! A quarter of the installation files are older beneficiaries (decided 2017–2021) whose
//! commitment the desk took over when it opened: they give the honoured commitments and
//! "depuis 2019, N professionnels aidés"; their request keeps its original reception date (set
//! back before the decision), so that no aid is decided before its request was received. Deterministic for a seed: its own generator stream.

use crate::aids::{add_months, repayment_due, schedule};
use crate::demo::Rng;
use crate::domain::{Outcome, Status};
use crate::error::Result;
use crate::store::{
    PlannedAid, PlannedCommitment, QueueOrder, RequestChange, RequestFilter, Scheme, Store,
};
use chrono::{Datelike, Days, NaiveDate};

const COMMUNES: &[&str] = &[
    "Orléans",
    "Montargis",
    "Gien",
    "Pithiviers",
    "Patay",
    "Ormes",
    "Chécy",
    "Sermaises",
    "Chaingy",
    "Fleury-les-Aubrais",
    "Saint-Jean-de-la-Ruelle",
    "Meung-sur-Loire",
    "Beaugency",
    "Sully-sur-Loire",
    "Briare",
    "Lorris",
    "Châteauneuf-sur-Loire",
    "Olivet",
    "Epieds-en-Beauce",
    "Beaune-la-Rolande",
];

/// Installation aid by profession (press kit): general practitioner, physiotherapist, dentist,
/// podiatrist, nurse, midwife.
const INSTALLATION_AMOUNTS: &[(i64, u64)] = &[
    (8_000, 35),
    (35_000, 30),
    (15_000, 10),
    (7_000, 15),
    (12_000, 10),
];

/// Study grants per academic year (press kit: 1,200 to 3,000 € in Zagreb, 4,650 to 15,000 € in
/// France, 9,000 to 18,000 € in Romania).
const GRANT_AMOUNTS: &[(i64, u64)] = &[
    (1_200, 15),
    (3_000, 20),
    (4_650, 15),
    (10_000, 20),
    (15_000, 15),
    (18_000, 15),
];

/// Budgets voted (press kit 2023, press release 2024); later years as 2024.
fn budgets_for(year: i32) -> [(&'static str, i64); 3] {
    match year {
        ..=2023 => [
            ("bourse_etudes", 175_000),
            ("aide_installation", 264_000),
            ("indemnite_stage", 7_000),
        ],
        _ => [
            ("bourse_etudes", 330_000),
            ("aide_installation", 260_000),
            ("indemnite_stage", 10_000),
        ],
    }
}

fn millis(d: NaiveDate) -> u64 {
    d.and_hms_opt(10, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis().max(0) as u64)
}

fn days(rng: &mut Rng, n: u64) -> Days {
    Days::new(rng.below(n.max(1)))
}

/// Adds the aids of the requests closed as *aboutie* that have none yet.
pub fn fill(store: &mut Store, seed: u64) -> Result<usize> {
    let today = store.today();
    let mut rng = Rng::new(seed.wrapping_mul(0x5851_F42D).wrapping_add(0xA1D5));
    let scheme = |code: &str| store.resolve_scheme(code).ok();
    let (Some(grant), Some(install), stage) = (
        scheme("bourse_etudes"),
        scheme("aide_installation"),
        scheme("indemnite_stage"),
    ) else {
        return Ok(0); // another département's file: its own schemes, no demo aids
    };
    let mut candidates = Vec::new();
    for type_code in ["bourse", "installation", "stage"] {
        let filter = RequestFilter {
            status: Some(Status::Close),
            type_code: Some(type_code.into()),
            ..Default::default()
        };
        store.for_each_request(&filter, QueueOrder::Reference, |r| {
            if r.outcome == Some(Outcome::Aboutie) {
                candidates.push(r);
            }
            Ok(())
        })?;
    }
    // Grants stay within each year's budget (legacy years: the press kit's pace, about 8 a
    // year); a request beyond it was answered without an aid.
    let mut granted: std::collections::HashMap<(String, i32), (i64, u32)> = Default::default();
    let mut plan = Vec::new();
    for r in candidates {
        let closed_on = r.closed_on.unwrap_or(r.received_on);
        let s: &Scheme = match r.type_code.as_str() {
            "bourse" => &grant,
            "installation" => &install,
            _ => match &stage {
                Some(s) => s,
                None => continue,
            },
        };
        let legacy = s.code == install.code && rng.chance(25);
        let decided_on = if legacy {
            NaiveDate::from_ymd_opt(2017 + rng.below(5) as i32, 1 + rng.below(12) as u32, 1)
                .unwrap_or(closed_on)
                + days(&mut rng, 27)
        } else {
            closed_on
        };
        let (amount, bonus, installments) = match s.code.as_str() {
            "bourse_etudes" => {
                let a = *rng.weighted(GRANT_AMOUNTS);
                (a, 0, 1 + rng.below(2) as u32)
            }
            "aide_installation" => {
                let a = *rng.weighted(INSTALLATION_AMOUNTS);
                let bonus = if a == 35_000 && rng.chance(25) {
                    2_000
                } else {
                    0
                };
                (a, bonus, 1)
            }
            _ => {
                let months = 2 + rng.below(5);
                let monthly = [60, 100, 150, 200][rng.below(4) as usize];
                (monthly * months as i64, 0, months as u32)
            }
        };
        let amount = amount.clamp(s.min_amount, s.max_amount);
        let total = amount + bonus;
        let year = decided_on.year();
        let budget = budgets_for(year)
            .iter()
            .find(|(c, _)| *c == s.code)
            .map_or(i64::MAX, |b| b.1);
        let spent = granted.entry((s.code.clone(), year)).or_default();
        if (legacy && spent.1 >= 8) || (!legacy && spent.0 + total > budget) {
            continue;
        }
        // A second run of the demo adds no aid where there is one.
        if store.aid(&r.id)?.is_some() {
            continue;
        }
        spent.0 += total;
        spent.1 += 1;
        // A file taken over keeps its original reception date: never a decision before the
        // request was received (a correction of the reception date, in the request's history).
        if decided_on < r.received_on {
            let received_on = decided_on - Days::new(30);
            store.update_request_received(
                &r.id,
                None,
                &RequestChange::default(),
                Some(received_on),
            )?;
        }
        let aid_id = rng.uuid_v7(millis(decided_on));
        // Payments: each installment due by today, paid 2 to 6 weeks after (most of them).
        let mut payments = Vec::new();
        for i in schedule(total, installments, s.payment_pattern, decided_on) {
            let on = i.due_on + Days::new(14 + rng.below(30));
            if on <= today && rng.chance(90) {
                payments.push((rng.uuid_v7(millis(on)), on, i.amount));
            }
        }
        let paid: i64 = payments.iter().map(|p| p.2).sum();
        let years = s.commitment_years;
        let started_on = match s.code.as_str() {
            _ if years == 0 => None,
            // Installed before asking (up to 14 months) or just after the decision.
            "aide_installation" if rng.chance(60) => Some(decided_on - days(&mut rng, 420)),
            "aide_installation" => Some(decided_on + days(&mut rng, 60)),
            // A grant commits from the end of studies: only the interns finishing.
            _ if rng.chance(30) => Some(decided_on + Days::new(30 + rng.below(300))),
            _ => None,
        }
        .filter(|d| *d <= today);
        let commitment = started_on.map(|started_on| {
            let ends_on = add_months(started_on, 12 * years);
            let broken = (rng.chance(6) && started_on + Days::new(60) < today.min(ends_on))
                .then(|| {
                    let span = (today.min(ends_on) - started_on).num_days().max(61) as u64;
                    started_on + Days::new(30 + rng.below(span - 30))
                })
                .filter(|b| *b < ends_on && *b <= today);
            let mut attestations = Vec::new();
            for k in 1..=years {
                let due = add_months(started_on, 12 * k);
                let on = due + days(&mut rng, 40);
                if on <= today && broken.is_none_or(|b| on < b) && rng.chance(85) {
                    attestations.push((rng.uuid_v7(millis(on)), on));
                }
            }
            let broken = broken.map(|b| {
                let rule = s.repayment_rule;
                let paid_by_then: i64 = payments.iter().filter(|p| p.1 <= b).map(|p| p.2).sum();
                (b, repayment_due(rule, paid_by_then, started_on, years, b))
            });
            let mut repayments = Vec::new();
            if let Some((b, asked)) = broken {
                let on = b + Days::new(30 + rng.below(60));
                if asked > 0 && on <= today && rng.chance(60) {
                    let part = if rng.chance(50) { asked } else { asked / 2 };
                    if part > 0 {
                        repayments.push((rng.uuid_v7(millis(on)), on, part));
                    }
                }
            }
            PlannedCommitment {
                id: rng.uuid_v7(millis(started_on)),
                started_on,
                years,
                commune: rng.pick(COMMUNES).to_string(),
                attestations,
                broken,
                repayments,
            }
        });
        // Payments never exceed the grant (the schedule sums to it).
        debug_assert!(paid <= total);
        plan.push(PlannedAid {
            id: aid_id,
            request_id: r.id,
            scheme: s.code.clone(),
            amount,
            bonus,
            decided_on,
            installments,
            payments,
            commitment,
        });
    }
    let mut budgets = Vec::new();
    for year in (today.year() - 1)..=today.year() {
        for (code, amount) in budgets_for(year) {
            if store.resolve_scheme(code).is_ok() {
                budgets.push((code.to_string(), year, amount));
            }
        }
    }
    let n = plan.len();
    store.insert_planned_aids(&plan, &budgets)?;
    Ok(n)
}
