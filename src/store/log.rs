//! The case log (follow-ups, append-only) and referrals to partners.

use super::followups::{NewFollowUp, insert_follow_up};
use super::history::{fr_timestamp, record};
use super::requests::{self, Created, NewRequest, RequestChange, RequestRow};
use super::{Ctx, Store};
use crate::domain::{Answer, FollowUpKind, Status, fr_date};
use crate::error::{Error, Result};
use chrono::{Days, NaiveDate};
use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub partner_id: String,
    pub sent_on: NaiveDate,
    /// Default: 30 days after `sent_on`.
    pub expected_by: Option<NaiveDate>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralAnswer {
    pub answered_on: NaiveDate,
    pub answer: Answer,
    pub note: String,
}

/// A request's status and reception date, or "demande introuvable".
fn status_and_reception(tx: &Transaction<'_>, request_id: &str) -> Result<(Status, NaiveDate)> {
    tx.query_row(
        "SELECT status, received_on FROM request WHERE id = ?1",
        [request_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "demande",
        value: request_id.into(),
        hint: String::new(),
    })
}

/// How long a partner has to answer when the agent does not say.
pub const DEFAULT_ANSWER_DAYS: u64 = 30;

/// Logs a follow-up; it may set the next follow-up date, and the first contact moves a new
/// request to "en cours". Both leave history lines.
pub(crate) fn log_follow_up(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    f: &NewFollowUp,
) -> Result<String> {
    log_follow_up_in(tx, ctx, request_id, f, true)
}

/// [`log_follow_up`]; with `move_date` false, the follow-up keeps its own next date but the
/// request's follow-up date is left to the caller.
fn log_follow_up_in(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    f: &NewFollowUp,
    move_date: bool,
) -> Result<String> {
    let (status, received_on) = status_and_reception(tx, request_id)?;
    if f.occurred_on < received_on {
        return Err(Error::input(format!(
            "un suivi ne peut pas précéder la réception de la demande ({})",
            fr_date(received_on)
        )));
    }
    if f.body.trim().is_empty() && f.kind == FollowUpKind::Note {
        return Err(Error::input("la note est vide"));
    }
    if f.occurred_on > ctx.today {
        return Err(Error::input(format!(
            "un suivi ne peut pas être daté dans le futur ({})",
            fr_date(f.occurred_on)
        )));
    }
    if move_date {
        // The interface moves the date with its own status change (a reopening), checked there.
        requests::no_follow_up_once_closed(status, f.next_follow_up_on)?;
    }
    let id = insert_follow_up(tx, ctx, request_id, f)?;
    let mut change = RequestChange::default();
    if let Some(next) = f.next_follow_up_on.filter(|_| move_date) {
        change.next_follow_up_on = Some(Some(next));
    }
    if f.kind.is_contact() {
        // The first contact is kept for "time to first contact" (the earliest, if back-dated).
        tx.prepare_cached(
            "UPDATE request SET first_contact_on = ?2 \
             WHERE id = ?1 AND (first_contact_on IS NULL OR first_contact_on > ?2)",
        )?
        .execute(rusqlite::params![request_id, f.occurred_on])?;
    }
    if status == Status::Nouvelle && f.kind.is_contact() {
        change.status = Some(Status::EnCours);
    }
    if !change.is_empty() {
        requests::update(tx, ctx, request_id, None, &change)?;
    }
    Ok(id)
}

fn open_referrals(tx: &Transaction<'_>, request_id: &str) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT count(*) FROM referral WHERE request_id = ?1 AND answered_on IS NULL",
        [request_id],
        |r| r.get(0),
    )?)
}

/// Records a referral inside a write transaction. With `hold_case`, an open request then waits
/// for the partner (status `attente_partenaire`).
pub(crate) fn refer_in(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: &str,
    r: &NewReferral,
    hold_case: bool,
) -> Result<String> {
    let (status, received_on) = status_and_reception(tx, request_id)?;
    if r.sent_on < received_on {
        return Err(Error::input(format!(
            "l'orientation ({}) est antérieure à la réception de la demande ({})",
            fr_date(r.sent_on),
            fr_date(received_on)
        )));
    }
    let expected = r
        .expected_by
        .unwrap_or(r.sent_on + Days::new(DEFAULT_ANSWER_DAYS));
    if expected < r.sent_on {
        return Err(Error::input(format!(
            "la réponse attendue le {} serait antérieure à l'envoi ({})",
            fr_date(expected),
            fr_date(r.sent_on)
        )));
    }
    let id = Uuid::now_v7().to_string();
    let now = ctx.now();
    tx.prepare_cached(
        "INSERT INTO referral (id, request_id, partner_id, sent_on, expected_by, note, \
         created_at, created_by, updated_at, updated_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?8)",
    )?
    .execute(params![
        id,
        request_id,
        r.partner_id,
        r.sent_on,
        expected,
        r.note.trim(),
        now,
        ctx.actor
    ])?;
    let partner: String = tx.query_row(
        "SELECT code FROM partner WHERE id = ?1",
        [&r.partner_id],
        |row| row.get(0),
    )?;
    record(tx, ctx, "referral", &id, "*", None, Some(&partner))?;
    if !r.note.trim().is_empty() {
        record(tx, ctx, "referral", &id, "note", None, Some(r.note.trim()))?;
    }
    if hold_case && status.is_open() && status != Status::AttentePartenaire {
        requests::update(
            tx,
            ctx,
            request_id,
            None,
            &RequestChange {
                status: Some(Status::AttentePartenaire),
                ..Default::default()
            },
        )?;
    }
    Ok(id)
}

impl Store {
    /// [`Store::create_requests`] for a request taken on the phone: the call is each request's
    /// first contact ("Appel reçu : demande enregistrée"), written in the same transaction.
    pub fn create_requests_on_a_call(&mut self, requests: &[NewRequest]) -> Result<Vec<Created>> {
        self.write(|tx, ctx| {
            let created = requests::create_all(tx, ctx, requests)?;
            for (c, r) in created.iter().zip(requests) {
                log_follow_up(
                    tx,
                    ctx,
                    &c.id,
                    &NewFollowUp {
                        kind: FollowUpKind::AppelEntrant,
                        occurred_on: r.received_on,
                        body: "demande enregistrée".into(),
                        next_follow_up_on: r.next_follow_up_on,
                    },
                )?;
            }
            Ok(created)
        })
    }

    pub fn log_follow_up(&mut self, request_id: &str, f: &NewFollowUp) -> Result<String> {
        self.write(|tx, ctx| log_follow_up(tx, ctx, request_id, f))
    }

    /// [`Store::log_follow_up`], refused with who changed the request if it is no longer at
    /// version `expected` (`follow-up add --if-version`).
    pub fn log_follow_up_if_version(
        &mut self,
        request_id: &str,
        f: &NewFollowUp,
        expected: Option<i64>,
    ) -> Result<String> {
        self.write(|tx, ctx| {
            requests::check_version(tx, request_id, expected)?;
            log_follow_up(tx, ctx, request_id, f)
        })
    }

    /// Logs a follow-up without moving the request's follow-up date: the interface sets that
    /// date with a patch checked against the version its form read, so that a colleague's
    /// change of the date meanwhile is shown beside this agent's, never overwritten. Returns
    /// the request as it stood just before the follow-up's own changes (first contact, a new
    /// request now "en cours"), read in the same transaction, with who changed it last and
    /// when: the colleague that patch's conflict names.
    pub fn log_follow_up_keeping_date(
        &mut self,
        request_id: &str,
        f: &NewFollowUp,
    ) -> Result<(RequestRow, (String, String))> {
        self.write(|tx, ctx| {
            let before = requests::row_by_id(tx, ctx.today, request_id)?;
            let by_at = requests::last_change(tx, request_id)?;
            log_follow_up_in(tx, ctx, request_id, f, false)?;
            Ok((before, by_at))
        })
    }

    /// Refers the request to a partner; an open request then waits for the partner.
    pub fn refer(&mut self, request_id: &str, r: &NewReferral) -> Result<String> {
        self.write(|tx, ctx| refer_in(tx, ctx, request_id, r, true))
    }

    /// Records a partner's answer (version-checked). When no referral is left open, a request
    /// waiting for a partner goes back to "en cours".
    pub fn answer_referral(
        &mut self,
        referral_id: &str,
        expected_version: Option<i64>,
        a: &ReferralAnswer,
    ) -> Result<()> {
        self.write(|tx, ctx| {
            let (request_id, sent_on, version, by, at, answered): (String, NaiveDate, i64, String, String, Option<NaiveDate>) = tx
                .query_row(
                    "SELECT request_id, sent_on, version, updated_by, updated_at, answered_on FROM referral WHERE id = ?1",
                    [referral_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()?
                .ok_or_else(|| Error::NotFound { what: "orientation", value: referral_id.into(), hint: String::new() })?;
            if let Some(v) = expected_version
                && v != version
            {
                return Err(Error::Conflict {
                    what: "L'orientation".into(),
                    by,
                    at: fr_timestamp(&at),
                });
            }
            if answered.is_some() {
                return Err(Error::input("cette orientation a déjà reçu une réponse"));
            }
            if a.answered_on < sent_on {
                return Err(Error::input(format!(
                    "la réponse ({}) est antérieure à l'envoi ({})",
                    fr_date(a.answered_on),
                    fr_date(sent_on)
                )));
            }
            tx.execute(
                "UPDATE referral SET answered_on = ?2, answer = ?3, answer_note = ?4, \
                 updated_at = ?5, updated_by = ?6, version = version + 1 WHERE id = ?1",
                params![referral_id, a.answered_on, a.answer, a.note.trim(), ctx.now(), ctx.actor],
            )?;
            record(tx, ctx, "referral", referral_id, "answer", None, Some(a.answer.code()))?;
            if !a.note.trim().is_empty() {
                record(tx, ctx, "referral", referral_id, "answer_note", None, Some(a.note.trim()))?;
            }
            let status: Status =
                tx.query_row("SELECT status FROM request WHERE id = ?1", [&request_id], |r| r.get(0))?;
            if status == Status::AttentePartenaire && open_referrals(tx, &request_id)? == 0 {
                requests::update(
                    tx,
                    ctx,
                    &request_id,
                    None,
                    &RequestChange { status: Some(Status::EnCours), ..Default::default() },
                )?;
            }
            Ok(())
        })
    }

    /// Notes that the partner was reminded today.
    pub fn remind_referral(&mut self, referral_id: &str) -> Result<()> {
        self.write(|tx, ctx| {
            let n = tx.execute(
                "UPDATE referral SET reminders = reminders + 1, reminded_on = ?2, updated_at = ?3, \
                 updated_by = ?4, version = version + 1 WHERE id = ?1 AND answered_on IS NULL",
                params![referral_id, ctx.today, ctx.now(), ctx.actor],
            )?;
            if n == 0 {
                return Err(Error::input("orientation introuvable ou déjà répondue"));
            }
            record(
                tx,
                ctx,
                "referral",
                referral_id,
                "reminder",
                None,
                Some(&ctx.today.to_string()),
            )
        })
    }
}
