//! Aids, payments, commitments, attestations, repayments, budgets and the schemes they follow:
//! every SQL statement about money the département pays. The rules (schedule, state on a day,
//! attestations due, repayment) are in `crate::aids`; this module checks them before writing and
//! writes each action in one transaction with its history line on the request.

use super::history::record;
use super::{Ctx, Store};
use crate::aids::{
    CommitmentFacts, CommitmentState, Installment, PaymentPattern, RepaymentRule,
    default_installments, fr_euros, repayment_due, schedule, still_to_pay,
};
use crate::domain::fr_date;
use crate::error::{Error, Field, Result};
use crate::text::{fold, fold_code};
use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use uuid::Uuid;

/// A scheme (dispositif): what can be granted, how it is paid, what it commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scheme {
    pub code: String,
    pub label: String,
    pub type_code: String,
    pub commitment_years: u32,
    pub min_amount: i64,
    pub max_amount: i64,
    pub bonus: i64,
    pub payment_pattern: PaymentPattern,
    pub installment: i64,
    pub repayment_rule: RepaymentRule,
    pub active: bool,
}

/// A new aid on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NewAid {
    pub scheme: String,
    pub amount: i64,
    pub bonus: i64,
    pub decided_on: NaiveDate,
    /// Number of payments; by default from the scheme (see [`default_installments`]).
    pub installments: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub paid_on: NaiveDate,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commitment {
    pub id: String,
    pub started_on: NaiveDate,
    pub years: u32,
    pub ends_on: NaiveDate,
    pub commune: String,
    pub broken_on: Option<NaiveDate>,
    /// Asked back on a breach.
    pub repayment: Option<i64>,
    pub attestations: Vec<NaiveDate>,
    pub repayments: Vec<Payment>,
    pub version: i64,
}

impl Commitment {
    pub fn facts(&self) -> CommitmentFacts {
        CommitmentFacts {
            started_on: self.started_on,
            years: self.years,
            broken_on: self.broken_on,
            attestations: self.attestations.clone(),
        }
    }

    pub fn repaid(&self) -> i64 {
        self.repayments.iter().map(|p| p.amount).sum()
    }
}

/// Everything about the aid of one request, as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AidDetail {
    pub id: String,
    pub request_id: String,
    pub reference: String,
    pub scheme: Scheme,
    pub amount: i64,
    pub bonus: i64,
    pub decided_on: NaiveDate,
    pub installments: u32,
    pub payments: Vec<Payment>,
    /// Payments still to come (multi-year grants), in order.
    pub to_come: Vec<Installment>,
    pub commitment: Option<Commitment>,
    pub version: i64,
}

impl AidDetail {
    /// Amount plus bonus: what was granted in all.
    pub fn granted(&self) -> i64 {
        self.amount + self.bonus
    }

    pub fn paid(&self) -> i64 {
        self.payments.iter().map(|p| p.amount).sum()
    }

    pub fn commitment_state(&self, day: NaiveDate) -> Option<CommitmentState> {
        self.commitment
            .as_ref()
            .and_then(|c| c.facts().state_on(day))
    }
}

/// One line of *Engagements à vérifier*: a commitment whose next attestation is due soon or late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentDue {
    pub reference: String,
    pub request_id: String,
    pub last_name: String,
    pub first_name: String,
    pub scheme: String,
    pub commune: String,
    pub started_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// The raw facts the aid figures are computed from (see `crate::report_aids`).
#[derive(Debug, Clone, Default)]
pub struct AidFacts {
    pub schemes: Vec<Scheme>,
    /// (scheme, person, amount + bonus, decision date)
    pub aids: Vec<(String, String, i64, NaiveDate)>,
    /// (scheme, amount, payment date)
    pub payments: Vec<(String, i64, NaiveDate)>,
    /// (scheme, person, commitment)
    pub commitments: Vec<(String, String, CommitmentFacts)>,
    /// (scheme, year, amount)
    pub budgets: Vec<(String, i32, i64)>,
}

/// The `list` filters on aids. Empty: no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AidFilter {
    pub scheme: Option<String>,
    pub commitment: Option<CommitmentState>,
    /// The next attestation is due on or before the day (due or late).
    pub attestation_due: bool,
}

impl AidFilter {
    pub fn is_empty(&self) -> bool {
        *self == AidFilter::default()
    }
}

const SCHEME_COLUMNS: &str = "code, label, type_code, commitment_years, min_amount, max_amount, \
     bonus, payment_pattern, installment, repayment_rule, active";

fn scheme_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Scheme> {
    Ok(Scheme {
        code: r.get(0)?,
        label: r.get(1)?,
        type_code: r.get(2)?,
        commitment_years: r.get(3)?,
        min_amount: r.get(4)?,
        max_amount: r.get(5)?,
        bonus: r.get(6)?,
        payment_pattern: r.get(7)?,
        installment: r.get(8)?,
        repayment_rule: r.get(9)?,
        active: r.get(10)?,
    })
}

fn schemes(conn: &Connection) -> Result<Vec<Scheme>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {SCHEME_COLUMNS} FROM scheme ORDER BY position, code"
    ))?;
    let rows = st.query_map([], scheme_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A scheme from its code or label, in any case, with or without accents.
fn resolve_scheme(conn: &Connection, input: &str) -> Result<Scheme> {
    let key = fold(input);
    let all = schemes(conn)?;
    all.iter()
        .find(|s| fold(&s.code) == key || fold(&s.label) == key)
        .cloned()
        .ok_or_else(|| Error::NotFound {
            what: "dispositif",
            value: input.trim().into(),
            hint: format!(
                " (dispositifs : {})",
                all.iter()
                    .map(|s| s.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

fn request_reference_and_type(conn: &Connection, request_id: &str) -> Result<(String, String)> {
    conn.query_row(
        "SELECT reference, type_code FROM request WHERE id = ?1",
        [request_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "demande",
        value: request_id.into(),
        hint: String::new(),
    })
}

fn received_on_of(conn: &Connection, request_id: &str) -> Result<NaiveDate> {
    Ok(conn
        .prepare_cached("SELECT received_on FROM request WHERE id = ?1")?
        .query_row([request_id], |r| r.get(0))?)
}

/// Which date of an aid [`check_aid_day`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AidDay {
    Decision,
    Payment,
}

/// A decision or a payment is dated neither after today nor before the request was received;
/// the reason names the field (`--date` on the command line, beside the field in a form).
pub fn check_aid_day(
    what: AidDay,
    on: NaiveDate,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<()> {
    let (field, noun) = match what {
        AidDay::Decision => (Field::DecidedOn, "la décision"),
        AidDay::Payment => (Field::PaidOn, "le versement"),
    };
    if on > today {
        return Err(Error::invalid(
            field,
            format!(
                "{noun} du {} est dans le futur (aujourd'hui : {})",
                fr_date(on),
                fr_date(today)
            ),
        ));
    }
    if on < received_on {
        return Err(Error::invalid(
            field,
            format!(
                "{noun} du {} précède la réception de la demande, le {}",
                fr_date(on),
                fr_date(received_on)
            ),
        ));
    }
    Ok(())
}

/// A scheme's budget for `year` and what its aids decided that year add up to, when they go
/// beyond it.
fn budget_overrun(conn: &Connection, scheme: &str, year: i32) -> Result<Option<(i64, i64)>> {
    let Some(budget): Option<i64> = conn
        .prepare_cached("SELECT amount FROM budget WHERE scheme_code = ?1 AND year = ?2")?
        .query_row(params![scheme, year], |r| r.get(0))
        .optional()?
    else {
        return Ok(None);
    };
    let granted: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(amount + bonus), 0) FROM aid WHERE scheme_code = ?1 \
             AND decided_on BETWEEN ?2 AND ?3",
        )?
        .query_row(
            params![
                scheme,
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31)
            ],
            |r| r.get(0),
        )?;
    Ok((granted > budget).then_some((budget, granted)))
}

fn payments_of(conn: &Connection, sql: &str, id: &str) -> Result<Vec<Payment>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map([id], |r| {
        Ok(Payment {
            paid_on: r.get(0)?,
            amount: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn commitment_of(conn: &Connection, aid_id: &str) -> Result<Option<Commitment>> {
    let c = conn
        .prepare_cached(
            "SELECT id, started_on, years, ends_on, commune, broken_on, repayment, version \
             FROM commitment WHERE aid_id = ?1",
        )?
        .query_row([aid_id], |r| {
            Ok(Commitment {
                id: r.get(0)?,
                started_on: r.get(1)?,
                years: r.get(2)?,
                ends_on: r.get(3)?,
                commune: r.get(4)?,
                broken_on: r.get(5)?,
                repayment: r.get(6)?,
                attestations: Vec::new(),
                repayments: Vec::new(),
                version: r.get(7)?,
            })
        })
        .optional()?;
    let Some(mut c) = c else { return Ok(None) };
    let mut st = conn.prepare_cached(
        "SELECT received_on FROM attestation WHERE commitment_id = ?1 ORDER BY received_on, id",
    )?;
    c.attestations = st
        .query_map([&c.id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    c.repayments = payments_of(
        conn,
        "SELECT paid_on, amount FROM repayment WHERE commitment_id = ?1 ORDER BY paid_on, id",
        &c.id,
    )?;
    Ok(Some(c))
}

/// The aid of a request, if any.
fn aid_of(conn: &Connection, request_id: &str) -> Result<Option<AidDetail>> {
    let row = conn
        .prepare_cached(
            "SELECT a.id, q.reference, a.scheme_code, a.amount, a.bonus, a.decided_on, \
             a.installments, a.version FROM aid a JOIN request q ON q.id = a.request_id \
             WHERE a.request_id = ?1",
        )?
        .query_row([request_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, NaiveDate>(5)?,
                r.get::<_, u32>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })
        .optional()?;
    let Some((id, reference, scheme_code, amount, bonus, decided_on, installments, version)) = row
    else {
        return Ok(None);
    };
    let scheme = conn
        .prepare_cached(&format!(
            "SELECT {SCHEME_COLUMNS} FROM scheme WHERE code = ?1"
        ))?
        .query_row([&scheme_code], scheme_from_row)?;
    let payments = payments_of(
        conn,
        "SELECT paid_on, amount FROM aid_payment WHERE aid_id = ?1 ORDER BY paid_on, id",
        &id,
    )?;
    let paid = payments.iter().map(|p| p.amount).sum();
    let plan = schedule(
        amount + bonus,
        installments,
        scheme.payment_pattern,
        decided_on,
    );
    Ok(Some(AidDetail {
        commitment: commitment_of(conn, &id)?,
        to_come: still_to_pay(&plan, paid),
        request_id: request_id.to_string(),
        id,
        reference,
        scheme,
        amount,
        bonus,
        decided_on,
        installments,
        payments,
        version,
    }))
}

fn require_aid(conn: &Connection, request_id: &str) -> Result<AidDetail> {
    aid_of(conn, request_id)?.ok_or_else(|| {
        let reference = request_reference_and_type(conn, request_id)
            .map(|(r, _)| r)
            .unwrap_or_default();
        Error::input(format!(
            "la demande {reference} n'a pas d'aide accordée (guichet aid grant {reference} …)"
        ))
    })
}

fn require_commitment(conn: &Connection, request_id: &str) -> Result<(AidDetail, Commitment)> {
    let aid = require_aid(conn, request_id)?;
    match aid.commitment.clone() {
        Some(c) => Ok((aid, c)),
        None => Err(Error::input(format!(
            "la demande {r} n'a pas d'engagement commencé (guichet commitment start {r} --date …)",
            r = aid.reference
        ))),
    }
}

/// The two append-only money tables: payments of an aid, repayments of a broken commitment.
#[derive(Debug, Clone, Copy)]
enum Money {
    Payment,
    Repayment,
}

#[allow(clippy::too_many_arguments)]
fn insert_money(
    tx: &Transaction<'_>,
    kind: Money,
    id: &str,
    owner: &str,
    on: NaiveDate,
    amount: i64,
    at: &str,
    by: &str,
) -> Result<()> {
    let sql = match kind {
        Money::Payment => {
            "INSERT INTO aid_payment (id, aid_id, paid_on, amount, created_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        }
        Money::Repayment => {
            "INSERT INTO repayment (id, commitment_id, paid_on, amount, created_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        }
    };
    tx.prepare_cached(sql)?
        .execute(params![id, owner, on, amount, at, by])?;
    Ok(())
}

fn insert_attestation(
    tx: &Transaction<'_>,
    id: &str,
    commitment_id: &str,
    on: NaiveDate,
    at: &str,
    by: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO attestation (id, commitment_id, received_on, created_at, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, commitment_id, on, at, by])?;
    Ok(())
}

/// Checks a grant against its scheme and the request: the reason in French, nothing written.
fn check_grant(scheme: &Scheme, request_type: &str, reference: &str, a: &NewAid) -> Result<()> {
    if !scheme.active {
        return Err(Error::input(format!(
            "le dispositif {} est désactivé",
            scheme.code
        )));
    }
    if scheme.type_code != request_type {
        return Err(Error::input(format!(
            "le dispositif {} concerne les demandes de type {}, la demande {reference} est de type {request_type}",
            scheme.code, scheme.type_code
        )));
    }
    if a.amount < 0 || a.bonus < 0 {
        let field = if a.amount < 0 {
            Field::Amount
        } else {
            Field::Bonus
        };
        return Err(Error::invalid(field, "un montant ne peut pas être négatif"));
    }
    if a.amount < scheme.min_amount || a.amount > scheme.max_amount {
        return Err(Error::invalid(
            Field::Amount,
            format!(
                "{} hors des bornes du dispositif {} ({} à {})",
                fr_euros(a.amount),
                scheme.code,
                fr_euros(scheme.min_amount),
                fr_euros(scheme.max_amount)
            ),
        ));
    }
    if a.bonus > scheme.bonus {
        return Err(Error::invalid(
            Field::Bonus,
            if scheme.bonus == 0 {
                format!(
                    "le dispositif {} ne prévoit pas de bonification",
                    scheme.code
                )
            } else {
                format!(
                    "bonification de {} au-delà de celle du dispositif {} ({})",
                    fr_euros(a.bonus),
                    scheme.code,
                    fr_euros(scheme.bonus)
                )
            },
        ));
    }
    if a.installments == Some(0) {
        return Err(Error::input("--versements : au moins 1"));
    }
    Ok(())
}

pub(crate) fn grant(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    a: &NewAid,
) -> Result<String> {
    let (reference, request_type) = request_reference_and_type(tx, request_id)?;
    let scheme = resolve_scheme(tx, &a.scheme)?;
    check_grant(&scheme, &request_type, &reference, a)?;
    check_aid_day(
        AidDay::Decision,
        a.decided_on,
        received_on_of(tx, request_id)?,
        ctx.today,
    )?;
    if aid_of(tx, request_id)?.is_some() {
        return Err(Error::input(format!(
            "la demande {reference} a déjà une aide accordée (un renouvellement est une nouvelle demande)"
        )));
    }
    let total = a.amount + a.bonus;
    let installments = a
        .installments
        .unwrap_or_else(|| default_installments(total, scheme.payment_pattern, scheme.installment));
    let id = Uuid::now_v7().to_string();
    let now = ctx.now();
    tx.prepare_cached(
        "INSERT INTO aid (id, request_id, scheme_code, amount, bonus, decided_on, installments, \
         created_at, created_by, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?9)",
    )?
    .execute(params![
        id,
        request_id,
        scheme.code,
        a.amount,
        a.bonus,
        a.decided_on,
        installments,
        now,
        ctx.actor
    ])?;
    let bonus = if a.bonus > 0 {
        format!(" + bonification {}", fr_euros(a.bonus))
    } else {
        String::new()
    };
    record(
        tx,
        ctx,
        "request",
        request_id,
        "aide",
        None,
        Some(&format!(
            "{} : {}{bonus}, décision du {}",
            scheme.label,
            fr_euros(a.amount),
            fr_date(a.decided_on)
        )),
    )?;
    Ok(id)
}

pub(crate) fn pay(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    amount: i64,
    paid_on: NaiveDate,
) -> Result<()> {
    let aid = require_aid(tx, request_id)?;
    if amount <= 0 {
        return Err(Error::invalid(
            Field::Amount,
            "un versement est un montant positif",
        ));
    }
    if paid_on < aid.decided_on {
        return Err(Error::invalid(
            Field::PaidOn,
            format!(
                "un versement ne peut précéder la décision du {}",
                fr_date(aid.decided_on)
            ),
        ));
    }
    check_aid_day(
        AidDay::Payment,
        paid_on,
        received_on_of(tx, request_id)?,
        ctx.today,
    )?;
    let paid = aid.paid();
    if paid + amount > aid.granted() {
        return Err(Error::invalid(
            Field::Amount,
            format!(
                "{} dépasse ce qui reste à verser sur la demande {} ({} accordés, {} déjà versés, reste {})",
                fr_euros(amount),
                aid.reference,
                fr_euros(aid.granted()),
                fr_euros(paid),
                fr_euros(aid.granted() - paid)
            ),
        ));
    }
    let id = Uuid::now_v7().to_string();
    insert_money(
        tx,
        Money::Payment,
        &id,
        &aid.id,
        paid_on,
        amount,
        &ctx.now(),
        &ctx.actor,
    )?;
    record(
        tx,
        ctx,
        "request",
        request_id,
        "versement",
        None,
        Some(&format!("{} le {}", fr_euros(amount), fr_date(paid_on))),
    )
}

pub(crate) fn start_commitment(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    started_on: NaiveDate,
    commune: &str,
    years: Option<u32>,
) -> Result<()> {
    // A place name, cleaned at the door like a person's name (no control character stored).
    let commune = &crate::text::clean_field(commune);
    let aid = require_aid(tx, request_id)?;
    if aid.commitment.is_some() {
        return Err(Error::input(format!(
            "la demande {} a déjà un engagement",
            aid.reference
        )));
    }
    let years = years.unwrap_or(aid.scheme.commitment_years);
    if years == 0 {
        return Err(Error::invalid(
            Field::Years,
            format!(
                "le dispositif {} ne prévoit pas d'engagement : donnez sa durée en années",
                aid.scheme.code
            ),
        ));
    }
    if years > 50 {
        return Err(Error::invalid(Field::Years, "50 ans au plus"));
    }
    let facts = CommitmentFacts {
        started_on,
        years,
        broken_on: None,
        attestations: vec![],
    };
    let now = ctx.now();
    tx.prepare_cached(
        "INSERT INTO commitment (id, aid_id, started_on, years, ends_on, commune, created_at, \
         created_by, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?8)",
    )?
    .execute(params![
        Uuid::now_v7().to_string(),
        aid.id,
        started_on,
        years,
        facts.ends_on(),
        commune.trim(),
        now,
        ctx.actor
    ])?;
    let place = if commune.trim().is_empty() {
        String::new()
    } else {
        format!(" à {}", commune.trim())
    };
    record(
        tx,
        ctx,
        "request",
        request_id,
        "engagement",
        None,
        Some(&format!(
            "{years} ans à partir du {}{place} (fin le {})",
            fr_date(started_on),
            fr_date(facts.ends_on())
        )),
    )
}

pub(crate) fn attest(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    received_on: NaiveDate,
) -> Result<()> {
    let (_, c) = require_commitment(tx, request_id)?;
    if received_on < c.started_on {
        return Err(Error::invalid(
            Field::AttestedOn,
            format!(
                "une attestation ne peut précéder le début de l'engagement ({})",
                fr_date(c.started_on)
            ),
        ));
    }
    if received_on > ctx.today {
        return Err(Error::invalid(
            Field::AttestedOn,
            format!(
                "l'attestation du {} est dans le futur (aujourd'hui : {})",
                fr_date(received_on),
                fr_date(ctx.today)
            ),
        ));
    }
    if let Some(b) = c.broken_on {
        return Err(Error::input(format!(
            "l'engagement a été rompu le {} : plus d'attestation attendue",
            fr_date(b)
        )));
    }
    if c.attestations.len() >= c.years as usize {
        return Err(Error::input(format!(
            "les {} attestations de l'engagement sont déjà reçues",
            c.years
        )));
    }
    let id = Uuid::now_v7().to_string();
    insert_attestation(tx, &id, &c.id, received_on, &ctx.now(), &ctx.actor)?;
    record(
        tx,
        ctx,
        "request",
        request_id,
        "attestation",
        None,
        Some(&format!(
            "année {} sur {}, reçue le {}",
            c.attestations.len() + 1,
            c.years,
            fr_date(received_on)
        )),
    )
}

/// Records a breach; returns the repayment asked (computed by the scheme's rule unless given).
pub(crate) fn break_commitment(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    broken_on: NaiveDate,
    repayment: Option<i64>,
    expected_version: Option<i64>,
) -> Result<i64> {
    let (aid, c) = require_commitment(tx, request_id)?;
    if let Some(b) = c.broken_on {
        return Err(Error::input(format!(
            "l'engagement est déjà rompu (le {})",
            fr_date(b)
        )));
    }
    if broken_on < c.started_on {
        return Err(Error::invalid(
            Field::BrokenOn,
            format!(
                "une rupture ne peut précéder le début de l'engagement ({})",
                fr_date(c.started_on)
            ),
        ));
    }
    if broken_on >= c.ends_on {
        let why = if c.facts().state_on(broken_on) == Some(CommitmentState::Honore) {
            format!("l'engagement est honoré depuis le {}", fr_date(c.ends_on))
        } else {
            format!(
                "l'engagement a pris fin le {} (une attestation est attendue)",
                fr_date(c.ends_on)
            )
        };
        return Err(Error::invalid(
            Field::BrokenOn,
            format!("{why}, il ne peut plus être rompu"),
        ));
    }
    if broken_on > ctx.today {
        return Err(Error::invalid(
            Field::BrokenOn,
            format!(
                "la rupture du {} est dans le futur (aujourd'hui : {})",
                fr_date(broken_on),
                fr_date(ctx.today)
            ),
        ));
    }
    let paid = aid.paid();
    let amount = match repayment {
        Some(r) if r < 0 => return Err(Error::invalid(Field::Repayment, "montant négatif")),
        Some(r) if r > paid => {
            return Err(Error::invalid(
                Field::Repayment,
                format!(
                    "{} dépasse ce qui a été versé ({})",
                    fr_euros(r),
                    fr_euros(paid)
                ),
            ));
        }
        Some(r) => r,
        None => repayment_due(
            aid.scheme.repayment_rule,
            paid,
            c.started_on,
            c.years,
            broken_on,
        ),
    };
    let changed = tx
        .prepare_cached(
            "UPDATE commitment SET broken_on = ?1, repayment = ?2, updated_at = ?3, updated_by = ?4, \
             version = version + 1 WHERE id = ?5 AND version = coalesce(?6, version)",
        )?
        .execute(params![
            broken_on,
            amount,
            ctx.now(),
            ctx.actor,
            c.id,
            expected_version
        ])?;
    if changed == 0 {
        return Err(conflict(tx, &c.id, &aid.reference)?);
    }
    record(
        tx,
        ctx,
        "request",
        request_id,
        "rupture",
        None,
        Some(&format!(
            "le {}, remboursement demandé {}",
            fr_date(broken_on),
            fr_euros(amount)
        )),
    )?;
    Ok(amount)
}

fn conflict(tx: &Transaction<'_>, commitment_id: &str, reference: &str) -> Result<Error> {
    let (by, at): (String, String) = tx.query_row(
        "SELECT updated_by, updated_at FROM commitment WHERE id = ?1",
        [commitment_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Error::Conflict {
        what: format!("L'engagement de la demande {reference}"),
        by,
        at: super::fr_timestamp(&at),
    })
}

pub(crate) fn record_repayment(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    amount: i64,
    paid_on: NaiveDate,
) -> Result<()> {
    let (_, c) = require_commitment(tx, request_id)?;
    let (Some(broken_on), Some(asked)) = (c.broken_on, c.repayment) else {
        return Err(Error::input(
            "l'engagement n'est pas rompu : aucun remboursement attendu",
        ));
    };
    if amount <= 0 {
        return Err(Error::input(
            "--montant : un remboursement est un montant positif",
        ));
    }
    if paid_on < broken_on {
        return Err(Error::input(format!(
            "--date : un remboursement ne peut précéder la rupture ({})",
            fr_date(broken_on)
        )));
    }
    if c.repaid() + amount > asked {
        return Err(Error::input(format!(
            "--montant : {} dépasse ce qui reste à rembourser ({})",
            fr_euros(amount),
            fr_euros(asked - c.repaid())
        )));
    }
    let id = Uuid::now_v7().to_string();
    insert_money(
        tx,
        Money::Repayment,
        &id,
        &c.id,
        paid_on,
        amount,
        &ctx.now(),
        &ctx.actor,
    )?;
    record(
        tx,
        ctx,
        "request",
        request_id,
        "remboursement",
        None,
        Some(&format!(
            "{} reçus le {}",
            fr_euros(amount),
            fr_date(paid_on)
        )),
    )
}

pub(crate) fn set_budget(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    scheme: &str,
    year: i32,
    amount: i64,
) -> Result<()> {
    let scheme = resolve_scheme(tx, scheme)?;
    if !(1900..=9999).contains(&year) {
        return Err(Error::input(format!("--annee : « {year} » (AAAA)")));
    }
    if amount < 0 {
        return Err(Error::input(
            "--montant : un budget ne peut pas être négatif",
        ));
    }
    let old: Option<i64> = tx
        .query_row(
            "SELECT amount FROM budget WHERE scheme_code = ?1 AND year = ?2",
            params![scheme.code, year],
            |r| r.get(0),
        )
        .optional()?;
    tx.execute(
        "INSERT INTO budget (scheme_code, year, amount, updated_at, updated_by) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (scheme_code, year) DO UPDATE SET \
         amount = excluded.amount, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by, version = version + 1",
        params![scheme.code, year, amount, ctx.now(), ctx.actor],
    )?;
    record(
        tx,
        ctx,
        "budget",
        &format!("{}/{year}", scheme.code),
        "amount",
        old.map(|o| o.to_string()).as_deref(),
        Some(&amount.to_string()),
    )
}

/// A scheme as configured from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeDef {
    pub code: String,
    pub label: String,
    pub type_code: String,
    pub commitment_years: u32,
    pub min_amount: i64,
    pub max_amount: i64,
    pub bonus: i64,
    pub payment_pattern: PaymentPattern,
    pub installment: i64,
    pub repayment_rule: RepaymentRule,
}

fn upsert_scheme(tx: &Transaction<'_>, ctx: &Ctx, s: &SchemeDef) -> Result<String> {
    let code = fold_code(&s.code);
    if code.is_empty() || s.label.trim().is_empty() {
        return Err(Error::input(
            "le code et le libellé du dispositif sont obligatoires",
        ));
    }
    if s.min_amount < 0 || s.max_amount < 0 || s.bonus < 0 || s.installment < 0 {
        return Err(Error::input("un montant ne peut pas être négatif"));
    }
    if s.min_amount > s.max_amount {
        return Err(Error::input(format!(
            "--min : {} dépasse --max ({})",
            fr_euros(s.min_amount),
            fr_euros(s.max_amount)
        )));
    }
    if s.commitment_years > 50 {
        return Err(Error::input("--annees : 50 ans au plus"));
    }
    let type_code = super::refdata::resolve_code(tx, super::CodeList::Type, &s.type_code)?;
    tx.execute(
        "INSERT INTO scheme (code, label, type_code, commitment_years, min_amount, max_amount, \
         bonus, payment_pattern, installment, repayment_rule, position) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT coalesce(max(position), 0) + 1 FROM scheme)) \
         ON CONFLICT (code) DO UPDATE SET label = excluded.label, type_code = excluded.type_code, \
         commitment_years = excluded.commitment_years, min_amount = excluded.min_amount, \
         max_amount = excluded.max_amount, bonus = excluded.bonus, \
         payment_pattern = excluded.payment_pattern, installment = excluded.installment, \
         repayment_rule = excluded.repayment_rule, active = 1, version = version + 1",
        params![
            code,
            s.label.trim(),
            type_code,
            s.commitment_years,
            s.min_amount,
            s.max_amount,
            s.bonus,
            s.payment_pattern,
            s.installment,
            s.repayment_rule
        ],
    )?;
    record(
        tx,
        ctx,
        "scheme",
        &code,
        "*",
        None,
        Some(&format!(
            "{} ; type {type_code} ; {} à {} ; bonification {} ; engagement {} an(s) ; {} ; échéance {} ; remboursement {}",
            s.label.trim(),
            s.min_amount,
            s.max_amount,
            s.bonus,
            s.commitment_years,
            s.payment_pattern.code(),
            s.installment,
            s.repayment_rule.code()
        )),
    )?;
    Ok(code)
}

/// Loads every commitment with its attestations: (request id, scheme, person, facts).
fn all_commitments(conn: &Connection) -> Result<Vec<(String, String, String, CommitmentFacts)>> {
    let mut st = conn.prepare_cached(
        "SELECT c.id, a.request_id, a.scheme_code, q.person_id, c.started_on, c.years, c.broken_on \
         FROM commitment c JOIN aid a ON a.id = c.aid_id JOIN request q ON q.id = a.request_id \
         ORDER BY c.started_on, q.reference",
    )?;
    let mut out: Vec<(String, String, String, String, CommitmentFacts)> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                CommitmentFacts {
                    started_on: r.get(4)?,
                    years: r.get(5)?,
                    broken_on: r.get(6)?,
                    attestations: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare_cached(
        "SELECT commitment_id, received_on FROM attestation ORDER BY commitment_id, received_on",
    )?;
    let mut by_commitment: std::collections::HashMap<String, Vec<NaiveDate>> =
        std::collections::HashMap::new();
    for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
        let (id, on) = row?;
        by_commitment.entry(id).or_default().push(on);
    }
    for c in &mut out {
        c.4.attestations = by_commitment.remove(&c.0).unwrap_or_default();
    }
    Ok(out
        .into_iter()
        .map(|(_, request, scheme, person, facts)| (request, scheme, person, facts))
        .collect())
}

impl Store {
    pub fn schemes(&self) -> Result<Vec<Scheme>> {
        schemes(self.conn())
    }

    pub fn resolve_scheme(&self, input: &str) -> Result<Scheme> {
        resolve_scheme(self.conn(), input)
    }

    /// Adds a scheme or rewrites the one with that code (existing aids keep their amounts).
    pub fn upsert_scheme(&mut self, s: &SchemeDef) -> Result<String> {
        self.write(|tx, ctx| upsert_scheme(tx, ctx, s))
    }

    pub fn set_scheme_active(&mut self, code: &str, active: bool) -> Result<()> {
        let scheme = self.resolve_scheme(code)?;
        self.write(|tx, ctx| {
            tx.execute(
                "UPDATE scheme SET active = ?1, version = version + 1 WHERE code = ?2",
                params![active, scheme.code],
            )?;
            record(
                tx,
                ctx,
                "scheme",
                &scheme.code,
                "active",
                Some(&(!active).to_string()),
                Some(&active.to_string()),
            )
        })
    }

    /// Grants an aid on a request. Refused (nothing written) outside the scheme's range, with a
    /// negative amount, a bonus the scheme does not give, or when the request already has one.
    pub fn grant_aid(&mut self, request_id: &str, aid: &NewAid) -> Result<String> {
        self.write(|tx, ctx| grant(tx, ctx, request_id, aid))
    }

    /// Records a payment; the total paid never exceeds the amount granted.
    pub fn pay_aid(&mut self, request_id: &str, amount: i64, paid_on: NaiveDate) -> Result<()> {
        self.write(|tx, ctx| pay(tx, ctx, request_id, amount, paid_on))
    }

    /// Starts the commitment of a request's aid (`years`: the scheme's by default).
    pub fn start_commitment(
        &mut self,
        request_id: &str,
        started_on: NaiveDate,
        commune: &str,
        years: Option<u32>,
    ) -> Result<()> {
        self.write(|tx, ctx| start_commitment(tx, ctx, request_id, started_on, commune, years))
    }

    pub fn attest_commitment(&mut self, request_id: &str, received_on: NaiveDate) -> Result<()> {
        self.write(|tx, ctx| attest(tx, ctx, request_id, received_on))
    }

    /// Records a breach; returns the repayment asked. `expected_version`: the commitment's
    /// version the agent read (the interface), `None` from the command line.
    pub fn break_commitment(
        &mut self,
        request_id: &str,
        broken_on: NaiveDate,
        repayment: Option<i64>,
        expected_version: Option<i64>,
    ) -> Result<i64> {
        self.write(|tx, ctx| {
            break_commitment(tx, ctx, request_id, broken_on, repayment, expected_version)
        })
    }

    /// Records money paid back after a breach, up to the amount asked.
    pub fn record_repayment(
        &mut self,
        request_id: &str,
        amount: i64,
        paid_on: NaiveDate,
    ) -> Result<()> {
        self.write(|tx, ctx| record_repayment(tx, ctx, request_id, amount, paid_on))
    }

    pub fn set_budget(&mut self, scheme: &str, year: i32, amount: i64) -> Result<()> {
        self.write(|tx, ctx| set_budget(tx, ctx, scheme, year, amount))
    }

    /// The aid of a request (payments, schedule, commitment), if one was granted.
    pub fn aid(&self, request_id: &str) -> Result<Option<AidDetail>> {
        aid_of(self.conn(), request_id)
    }

    /// Every aid of a person, across their requests, oldest decision first.
    pub fn person_aids(&self, person_id: &str) -> Result<Vec<AidDetail>> {
        let mut st = self.conn().prepare_cached(
            "SELECT a.request_id FROM aid a JOIN request q ON q.id = a.request_id \
             WHERE q.person_id = ?1 ORDER BY a.decided_on, q.reference",
        )?;
        let ids: Vec<String> = st
            .query_map([person_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter()
            .filter_map(|id| aid_of(self.conn(), id).transpose())
            .collect()
    }

    /// *Engagements à vérifier*: commitments whose next attestation is due by `day + horizon`
    /// days (late ones first, then by due date).
    pub fn commitments_to_check(&self, day: NaiveDate, horizon: u64) -> Result<Vec<CommitmentDue>> {
        let limit = day + chrono::Days::new(horizon);
        let mut out = Vec::new();
        for (request_id, scheme, _, facts) in all_commitments(self.conn())? {
            let Some(due_on) = facts.next_due_on(day) else {
                continue;
            };
            if due_on > limit {
                continue;
            }
            let (reference, last_name, first_name, commune): (String, String, String, String) =
                self.conn()
                    .prepare_cached(
                        "SELECT q.reference, p.last_name, p.first_name, c.commune FROM request q \
                         JOIN person p ON p.id = q.person_id JOIN aid a ON a.request_id = q.id \
                         JOIN commitment c ON c.aid_id = a.id WHERE q.id = ?1",
                    )?
                    .query_row([&request_id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?;
            out.push(CommitmentDue {
                reference,
                request_id,
                last_name,
                first_name,
                scheme,
                commune,
                started_on: facts.started_on,
                ends_on: facts.ends_on(),
                due_on,
                overdue: due_on < day,
            });
        }
        out.sort_by(|a, b| (a.due_on, &a.reference).cmp(&(b.due_on, &b.reference)));
        Ok(out)
    }

    /// The ids of the requests an aid filter keeps, as of `day` (for `list`).
    pub fn requests_matching_aids(&self, f: &AidFilter, day: NaiveDate) -> Result<Vec<String>> {
        let scheme = f.scheme.as_deref();
        let mut st = self.conn().prepare_cached(
            "SELECT a.request_id FROM aid a WHERE ?1 IS NULL OR a.scheme_code = ?1",
        )?;
        let with_aid: Vec<String> = st
            .query_map([scheme], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if f.commitment.is_none() && !f.attestation_due {
            return Ok(with_aid);
        }
        let keep: std::collections::HashSet<String> = with_aid.into_iter().collect();
        Ok(all_commitments(self.conn())?
            .into_iter()
            .filter(|(request, _, _, facts)| {
                keep.contains(request)
                    && f.commitment.is_none_or(|s| facts.state_on(day) == Some(s))
                    && (!f.attestation_due || facts.next_due_on(day).is_some_and(|d| d <= day))
            })
            .map(|(request, ..)| request)
            .collect())
    }

    /// Everything the aid figures are computed from.
    pub fn aid_facts(&self) -> Result<AidFacts> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT a.scheme_code, q.person_id, a.amount + a.bonus, a.decided_on FROM aid a \
             JOIN request q ON q.id = a.request_id ORDER BY a.decided_on",
        )?;
        let aids = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = conn.prepare_cached(
            "SELECT a.scheme_code, p.amount, p.paid_on FROM aid_payment p \
             JOIN aid a ON a.id = p.aid_id ORDER BY p.paid_on",
        )?;
        let payments = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = conn.prepare_cached(
            "SELECT scheme_code, year, amount FROM budget ORDER BY scheme_code, year",
        )?;
        let budgets = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(AidFacts {
            schemes: schemes(conn)?,
            aids,
            payments,
            commitments: all_commitments(conn)?
                .into_iter()
                .map(|(_, scheme, person, facts)| (scheme, person, facts))
                .collect(),
            budgets,
        })
    }

    /// The warning a grant deserves when its scheme's aids decided in the year of `decided_on`
    /// now go beyond that year's budget (a warning, not a refusal: the vote may be amended).
    pub fn budget_warning(&self, scheme: &str, decided_on: NaiveDate) -> Result<Option<String>> {
        let scheme = resolve_scheme(self.conn(), scheme)?;
        let year = decided_on.year();
        Ok(budget_overrun(self.conn(), &scheme.code, year)?.map(|(budget, granted)| {
            format!(
                "Attention : le budget {year} du dispositif {} est dépassé ({} accordés pour {} votés, {} de plus)",
                scheme.code,
                fr_euros(granted),
                fr_euros(budget),
                fr_euros(granted - budget)
            )
        }))
    }

    /// The budget voted for a scheme and a year, if any.
    pub fn budget(&self, scheme: &str, year: i32) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT amount FROM budget WHERE scheme_code = ?1 AND year = ?2",
                params![scheme, year],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// Years a range touches, for budgets.
pub fn years_of(from: NaiveDate, to: NaiveDate) -> std::ops::RangeInclusive<i32> {
    from.year()..=to.year()
}

/// An aid read from a spreadsheet row, checked (see `crate::import_aids`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportedAid {
    pub aid: NewAid,
    /// Paid so far, recorded as one payment on the decision date.
    pub paid: i64,
    pub commitment_on: Option<NaiveDate>,
    pub commune: String,
}

/// Writes an imported row's aid with its request: the grant, what was paid so far (one payment
/// dated on the decision), the commitment if it has started.
pub(crate) fn import_aid(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    a: &ImportedAid,
) -> Result<()> {
    grant(tx, ctx, request_id, &a.aid)?;
    if a.paid > 0 {
        pay(tx, ctx, request_id, a.paid, a.aid.decided_on)?;
    }
    if let Some(on) = a.commitment_on {
        start_commitment(tx, ctx, request_id, on, &a.commune, None)?;
    }
    Ok(())
}

impl Store {
    /// Checks an aid against its scheme for a request of `type_code`, writing nothing.
    pub fn check_new_aid(&self, type_code: &str, aid: &NewAid) -> Result<()> {
        let scheme = resolve_scheme(self.conn(), &aid.scheme)?;
        check_grant(&scheme, type_code, "de cette ligne", aid)
    }
}

/// A fully decided aid for the demo generator: ids and dates chosen by the caller (seeded), so
/// the same seed writes the same rows. Consistent by construction (see `crate::demo_aids`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAid {
    pub id: String,
    pub request_id: String,
    pub scheme: String,
    pub amount: i64,
    pub bonus: i64,
    pub decided_on: NaiveDate,
    pub installments: u32,
    /// (id, date, amount)
    pub payments: Vec<(String, NaiveDate, i64)>,
    pub commitment: Option<PlannedCommitment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCommitment {
    pub id: String,
    pub started_on: NaiveDate,
    pub years: u32,
    pub commune: String,
    /// (id, date)
    pub attestations: Vec<(String, NaiveDate)>,
    /// (date, amount asked)
    pub broken: Option<(NaiveDate, i64)>,
    /// (id, date, amount)
    pub repayments: Vec<(String, NaiveDate, i64)>,
}

impl Store {
    /// Writes the demo's aids and budgets in one transaction, each action in the history.
    pub fn insert_planned_aids(
        &mut self,
        aids: &[PlannedAid],
        budgets: &[(String, i32, i64)],
    ) -> Result<()> {
        self.write(|tx, ctx| {
            let stamp = |d: NaiveDate| format!("{d}T10:00:00Z");
            let mut history = tx.prepare_cached(
                "INSERT INTO history (at, actor, entity, entity_id, field, old_value, new_value) \
                 VALUES (?1, ?2, 'request', ?3, ?4, NULL, ?5)",
            )?;
            for a in aids {
                tx.prepare_cached(
                    "INSERT INTO aid (id, request_id, scheme_code, amount, bonus, decided_on, \
                     installments, created_at, created_by, updated_at, updated_by) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?9)",
                )?
                .execute(params![
                    a.id,
                    a.request_id,
                    a.scheme,
                    a.amount,
                    a.bonus,
                    a.decided_on,
                    a.installments,
                    stamp(a.decided_on),
                    ctx.actor
                ])?;
                history.execute(params![
                    stamp(a.decided_on),
                    ctx.actor,
                    a.request_id,
                    "aide",
                    format!(
                        "{} : {}, décision du {}",
                        a.scheme,
                        fr_euros(a.amount + a.bonus),
                        fr_date(a.decided_on)
                    )
                ])?;
                for (id, on, amount) in &a.payments {
                    insert_money(
                        tx,
                        Money::Payment,
                        id,
                        &a.id,
                        *on,
                        *amount,
                        &stamp(*on),
                        &ctx.actor,
                    )?;
                }
                let Some(c) = &a.commitment else { continue };
                let ends_on = crate::aids::add_months(c.started_on, 12 * c.years);
                tx.prepare_cached(
                    "INSERT INTO commitment (id, aid_id, started_on, years, ends_on, commune, \
                     broken_on, repayment, created_at, created_by, updated_at, updated_by) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?10)",
                )?
                .execute(params![
                    c.id,
                    a.id,
                    c.started_on,
                    c.years,
                    ends_on,
                    c.commune,
                    c.broken.map(|b| b.0),
                    c.broken.map(|b| b.1),
                    stamp(c.started_on.max(a.decided_on)),
                    ctx.actor
                ])?;
                for (id, on) in &c.attestations {
                    insert_attestation(tx, id, &c.id, *on, &stamp(*on), &ctx.actor)?;
                }
                for (id, on, amount) in &c.repayments {
                    insert_money(
                        tx,
                        Money::Repayment,
                        id,
                        &c.id,
                        *on,
                        *amount,
                        &stamp(*on),
                        &ctx.actor,
                    )?;
                }
            }
            for (scheme, year, amount) in budgets {
                tx.prepare_cached(
                    "INSERT INTO budget (scheme_code, year, amount, updated_at, updated_by) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (scheme_code, year) DO NOTHING",
                )?
                .execute(params![scheme, year, amount, ctx.now(), ctx.actor])?;
            }
            Ok(())
        })
    }
}
