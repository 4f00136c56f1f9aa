//! A salon merge of any size in short transactions (issue #9, item 7), the way imports are
//! written (`store::import`): a colleague's save never waits long behind a merge, and the merge
//! is still all or nothing.
//!
//! 1. **checking**, outside the write lock: the laptop was read and checked whole
//!    (`open_untrusted`), and every record carrying an office id is checked against the office
//!    (a forged id refuses the file) before anything is written;
//! 2. **staging**: the laptop's records go, part by part (a person with everything captured for
//!    them is never split), into `merge_part` under a `merge_job` row, marked `ready` by the last
//!    staging transaction. Until then the merge is not decided: a failure removes what was
//!    staged, and a run killed while staging leaves a job that the next opening removes;
//! 3. **publishing**: one transaction merges the reference lists and part after part (the same
//!    code as ever: held duplicates, conflicts, renumbering, history) for at most
//!    `PUBLISH_BUDGET`, removing each part's stage row with it; what the merge did so far is kept
//!    in the job row. The transaction that finds no part left records the merge in `merge_log`
//!    and removes the job. A run killed while publishing is finished by the next opening of the
//!    file (the laptop is not needed again), so once the file is reopened the merge is whole.
//!
//! A running job's process holds an advisory lock on `.NAME.merge-JOB` beside the case file; an
//! opening that finds a job whose lock is free finishes (or removes) it.

use super::{Laptop, Maps, MergeReport, Rec, check_origins, log_merge, merge_lists, merge_people};
use crate::error::{Error, Result};
use crate::store::import::{JobLock, job_lock_path, orphan_jobs};
use crate::store::{Ctx, Interests, Store};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value as Json;
use std::time::{Duration, Instant};

/// Records (persons, requests, follow-ups, referrals) per staged part: about 5 ms of merging
/// into a file of 100,000 requests on an idle machine (10 with the search index).
const PART_RECORDS: usize = 150;

/// Housing interests per staged part.
const PART_INTERESTS: usize = 500;

/// How long one publishing transaction goes on taking parts (at least one). The search index and
/// the access log, brought up to date before the commit for everything the transaction wrote,
/// take nearly as long again (measured: 100 ms of parts made 185 ms transactions into a file of
/// 100,000 requests): a transaction lasts about 120 ms, and a colleague's save waits for at most
/// one.
const PUBLISH_BUDGET: Duration = Duration::from_millis(60);

/// Test hooks (debug builds only): `GUICHET_TEST_MERGE_PART_RECORDS=N` stages parts of N
/// records and publishes one part per transaction.
fn test_part_records() -> Option<usize> {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("GUICHET_TEST_MERGE_PART_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &usize| *n > 0)
    {
        return Some(n);
    }
    None
}

/// Test hooks: the process is killed (abort, as kill -9 would) once so many persons and
/// requests are written — staged with `GUICHET_TEST_ABORT_MERGE_AFTER` (the merge is not decided
/// yet), merged into the office with `GUICHET_TEST_ABORT_MERGE_PUBLISHING` (it is) — with the
/// transaction open.
fn abort_after(var: &str) -> Option<usize> {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var(var).ok().and_then(|v| v.parse().ok()) {
        return Some(n);
    }
    let _ = var;
    None
}

/// Test hook (debug builds only): `GUICHET_TEST_MERGE_PAUSE=DIR` — after the first publishing
/// transaction (or the first staged part, with `GUICHET_TEST_MERGE_PAUSE_AT=staging`), when more
/// are to come, create `DIR/paused` and wait until `DIR/continue` exists.
fn pause_for_tests(step: &str) {
    if std::env::var("GUICHET_TEST_MERGE_PAUSE_AT")
        .as_deref()
        .unwrap_or("publishing")
        == step
    {
        crate::store::health::pause_for_tests("GUICHET_TEST_MERGE_PAUSE");
    }
}

/// Counts writes and kills the process at the test hook's count.
struct Killer {
    after: Option<usize>,
    writes: usize,
}

impl Killer {
    fn new(var: &str) -> Killer {
        Killer {
            after: abort_after(var),
            writes: 0,
        }
    }

    fn step(&mut self, n: usize) {
        self.writes += n;
        if self.after.is_some_and(|a| self.writes >= a) {
            std::process::abort();
        }
    }
}

/// The laptop's reference lists, staged in the job row.
#[derive(serde::Serialize, serde::Deserialize)]
struct Head {
    types: Vec<Json>,
    channels: Vec<Json>,
    partners: Vec<Json>,
    agents: Vec<Json>,
    events: Vec<Json>,
}

/// One staged part.
#[derive(serde::Serialize, serde::Deserialize)]
enum Part {
    /// Persons with everything captured for them, and the versions their records were copied
    /// at (a full copy).
    People {
        persons: Vec<Json>,
        requests: Vec<Json>,
        follow_ups: Vec<Json>,
        referrals: Vec<Json>,
        history: Vec<Json>,
        base: Vec<(String, String, i64)>,
    },
    Interests(Interests),
}

fn to_json(recs: &[Rec]) -> Vec<Json> {
    recs.iter().map(Rec::to_json).collect()
}

fn from_json(recs: &[Json]) -> Vec<Rec> {
    recs.iter().filter_map(Rec::from_json).collect()
}

fn empty_laptop(file_id: &str) -> Laptop {
    Laptop {
        file_id: file_id.to_string(),
        events: Vec::new(),
        agents: Vec::new(),
        types: Vec::new(),
        channels: Vec::new(),
        partners: Vec::new(),
        persons: Vec::new(),
        requests: Vec::new(),
        follow_ups: Vec::new(),
        referrals: Vec::new(),
        history: Vec::new(),
        base: Default::default(),
    }
}

impl Head {
    fn of(l: &Laptop) -> Head {
        Head {
            types: to_json(&l.types),
            channels: to_json(&l.channels),
            partners: to_json(&l.partners),
            agents: to_json(&l.agents),
            events: to_json(&l.events),
        }
    }

    fn laptop(&self, file_id: &str) -> Laptop {
        Laptop {
            types: from_json(&self.types),
            channels: from_json(&self.channels),
            partners: from_json(&self.partners),
            agents: from_json(&self.agents),
            events: from_json(&self.events),
            ..empty_laptop(file_id)
        }
    }
}

impl Part {
    /// The laptop of this part's persons (for `merge_people`).
    fn laptop(
        file_id: &str,
        persons: &[Json],
        requests: &[Json],
        follow_ups: &[Json],
        referrals: &[Json],
        history: &[Json],
        base: &[(String, String, i64)],
    ) -> Laptop {
        Laptop {
            persons: from_json(persons),
            requests: from_json(requests),
            follow_ups: from_json(follow_ups),
            referrals: from_json(referrals),
            history: from_json(history),
            base: base
                .iter()
                .map(|(e, id, v)| ((e.clone(), id.clone()), *v))
                .collect(),
            ..empty_laptop(file_id)
        }
    }
}

/// The laptop's persons in parts of about `size` records, in the laptop's order, each person
/// with the records the merge reaches from them; then the housing interests. With each part,
/// how many persons and requests it holds.
fn parts(l: &Laptop, interests: &Interests, size: usize) -> Vec<(Part, usize)> {
    let g = super::Groups::of(l);
    let mut out = Vec::new();
    let mut cur: [Vec<Json>; 5] = Default::default();
    let mut base = Vec::new();
    let mut records = 0;
    let mut steps = 0;
    let flush = |cur: &mut [Vec<Json>; 5],
                 base: &mut Vec<(String, String, i64)>,
                 steps: &mut usize,
                 out: &mut Vec<(Part, usize)>| {
        let [persons, requests, follow_ups, referrals, history] = std::mem::take(cur);
        out.push((
            Part::People {
                persons,
                requests,
                follow_ups,
                referrals,
                history,
                base: std::mem::take(base),
            },
            std::mem::take(steps),
        ));
    };
    let based = |entity: &str, id: &str, base: &mut Vec<(String, String, i64)>| {
        if let Some(v) = l.base.get(&(entity.to_string(), id.to_string())) {
            base.push((entity.to_string(), id.to_string(), *v));
        }
    };
    for p in &l.persons {
        let pid = p.text("id");
        cur[0].push(p.to_json());
        based("person", &pid, &mut base);
        cur[4].extend(g.history(&pid).iter().map(|h| h.to_json()));
        records += 1;
        steps += 1;
        for r in g.requests(&pid) {
            let rid = r.text("id");
            cur[1].push(r.to_json());
            based("request", &rid, &mut base);
            cur[4].extend(g.history(&rid).iter().map(|h| h.to_json()));
            records += 1;
            steps += 1;
            for f in g.follow_ups(&rid) {
                cur[2].push(f.to_json());
                based("follow_up", &f.text("id"), &mut base);
                records += 1;
            }
            for f in g.referrals(&rid) {
                let fid = f.text("id");
                cur[3].push(f.to_json());
                based("referral", &fid, &mut base);
                cur[4].extend(g.history(&fid).iter().map(|h| h.to_json()));
                records += 1;
            }
        }
        if records >= size {
            flush(&mut cur, &mut base, &mut steps, &mut out);
            records = 0;
        }
    }
    if records > 0 {
        flush(&mut cur, &mut base, &mut steps, &mut out);
    }
    let interest_parts = match test_part_records() {
        Some(n) => interests.parts(n),
        None => interests.parts(PART_INTERESTS),
    };
    out.extend(
        interest_parts
            .into_iter()
            .filter(|i| !i.is_empty())
            .map(|i| (Part::Interests(i), 0)),
    );
    out
}

fn lock(store: &Store, job: &str) -> Result<Option<JobLock>> {
    let Some(db) = store.path.as_deref() else {
        return Ok(None);
    };
    let path = job_lock_path(db, "merge", job);
    match JobLock::take_at(path.clone())? {
        Some(l) => Ok(Some(l)),
        None => Err(Error::File {
            path,
            why: "verrou de fusion déjà pris".into(),
        }),
    }
}

/// Merges a laptop read and checked by `salon::merge`: all of it or nothing (see the module's
/// comment).
pub(super) fn merge(office: &mut Store, l: &Laptop, interests: &Interests) -> Result<MergeReport> {
    // A merge of this file killed earlier is finished first (the new one then adds nothing);
    // one still running is waited for by the user, not run twice at once.
    office.finish_interrupted_merges();
    // Anything that refuses the file is found before anything is written.
    {
        let tx = office.conn.unchecked_transaction()?;
        check_origins(&tx, l)?;
    }
    let job = uuid::Uuid::now_v7().to_string();
    let _lock = lock(office, &job)?;
    let size = test_part_records().unwrap_or(PART_RECORDS);
    let parts = parts(l, interests, size);
    if let Err(e) = stage(office, &job, l, &parts) {
        // Not decided yet: what was staged goes (a failing removal is left to the next
        // opening, which removes a job that is not ready and whose lock is free).
        let _ = office.write(|tx, _| drop_job(tx, &job));
        return Err(e);
    }
    drop(parts);
    publish(office, &job)
}

fn stage(office: &mut Store, job: &str, l: &Laptop, parts: &[(Part, usize)]) -> Result<()> {
    let head = serde_json::to_string(&Head::of(l))?;
    let report = serde_json::to_string(&MergeReport {
        file_id: l.file_id.clone(),
        ..Default::default()
    })?;
    office.write(|tx, ctx| {
        let running: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM merge_job WHERE file_id = ?1)",
            [&l.file_id],
            |r| r.get(0),
        )?;
        if running {
            return Err(Error::input(
                "ce fichier portable est déjà en cours de fusion (par un autre poste ou une \
                 autre commande) : attendez la fin, puis relancez la fusion si besoin",
            ));
        }
        tx.execute(
            "INSERT INTO merge_job (id, file_id, actor, today, fixed_now, created_at, head, report, ready) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                job,
                l.file_id,
                ctx.actor,
                ctx.today,
                ctx.fixed_now,
                ctx.now(),
                head,
                report,
                parts.is_empty()
            ],
        )?;
        Ok(())
    })?;
    let mut killer = Killer::new("GUICHET_TEST_ABORT_MERGE_AFTER");
    for (n, (part, steps)) in parts.iter().enumerate() {
        let payload = serde_json::to_string(part)?;
        let last = n + 1 == parts.len();
        office.write(|tx, _| {
            tx.prepare_cached(
                "INSERT INTO merge_part (job_id, part, payload) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![job, n as i64, payload])?;
            killer.step(*steps);
            if last {
                tx.execute("UPDATE merge_job SET ready = 1 WHERE id = ?1", [job])?;
            }
            Ok(())
        })?;
        if n == 0 && !last {
            pause_for_tests("staging");
        }
    }
    Ok(())
}

/// Publishes the staged parts of `job` as the agent who started it; returns what the whole
/// merge did.
fn publish(office: &mut Store, job: &str) -> Result<MergeReport> {
    let job_ctx = office
        .conn
        .query_row(
            "SELECT actor, today, fixed_now FROM merge_job WHERE id = ?1",
            [job],
            |r| {
                Ok(Ctx {
                    actor: r.get(0)?,
                    today: r.get(1)?,
                    fixed_now: r.get(2)?,
                })
            },
        )
        .optional()?;
    let Some(job_ctx) = job_ctx else {
        return Ok(MergeReport::default());
    };
    let own_ctx = std::mem::replace(&mut office.ctx, job_ctx);
    let budget = match test_part_records() {
        Some(_) => Duration::ZERO,
        None => PUBLISH_BUDGET,
    };
    let mut killer = Killer::new("GUICHET_TEST_ABORT_MERGE_PUBLISHING");
    let mut first = true;
    let (mut transactions, mut longest) = (0u32, Duration::ZERO);
    let result = loop {
        let started = Instant::now();
        let done = office.write(|tx, ctx| publish_some(tx, ctx, job, budget, &mut killer));
        transactions += 1;
        longest = longest.max(started.elapsed());
        match done {
            Ok(Some(report)) => break Ok(report),
            Ok(None) => {
                if first {
                    pause_for_tests("publishing");
                    first = false;
                }
                // A colleague waiting for the file takes it now.
                std::thread::sleep(crate::store::busy::YIELD);
            }
            Err(e) => break Err(e),
        }
    };
    tracing::info!(
        transactions,
        longest_ms = longest.as_millis() as u64,
        "merge published"
    );
    office.ctx = own_ctx;
    result
}

/// One publishing transaction: the reference lists (the first time), then parts until the
/// budget is spent. Returns the merge's report once it is finished.
fn publish_some(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    job: &str,
    budget: Duration,
    killer: &mut Killer,
) -> Result<Option<MergeReport>> {
    let started = Instant::now();
    let (file_id, head, maps, report): (String, String, Option<String>, String) = tx.query_row(
        "SELECT file_id, head, maps, report FROM merge_job WHERE id = ?1",
        [job],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut report: MergeReport = serde_json::from_str(&report)?;
    let maps: Maps = match maps {
        Some(m) => serde_json::from_str(&m)?,
        None => {
            let head: Head = serde_json::from_str(&head)?;
            merge_lists(tx, &head.laptop(&file_id), &mut report)?
        }
    };
    let mut step = |n| killer.step(n);
    loop {
        let part: Option<(i64, String)> = tx
            .prepare_cached(
                "SELECT part, payload FROM merge_part WHERE job_id = ?1 ORDER BY part LIMIT 1",
            )?
            .query_row([job], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((n, payload)) = part else {
            log_merge(tx, ctx, &report)?;
            step(1);
            drop_job(tx, job)?;
            return Ok(Some(report));
        };
        match serde_json::from_str(&payload)? {
            Part::People {
                persons,
                requests,
                follow_ups,
                referrals,
                history,
                base,
            } => {
                let l = Part::laptop(
                    &file_id,
                    &persons,
                    &requests,
                    &follow_ups,
                    &referrals,
                    &history,
                    &base,
                );
                merge_people(tx, ctx, &l, &maps, &mut report, &mut || step(1))?;
            }
            Part::Interests(i) => {
                report.housing_proposals += crate::store::merge_interests(tx, &file_id, &i)?;
            }
        }
        tx.prepare_cached("DELETE FROM merge_part WHERE job_id = ?1 AND part = ?2")?
            .execute(params![job, n])?;
        if started.elapsed() >= budget {
            break;
        }
    }
    tx.prepare_cached("UPDATE merge_job SET maps = ?2, report = ?3 WHERE id = ?1")?
        .execute(params![
            job,
            serde_json::to_string(&maps)?,
            serde_json::to_string(&report)?
        ])?;
    Ok(None)
}

/// Removes a job and whatever is left of its parts.
fn drop_job(tx: &Transaction<'_>, job: &str) -> Result<()> {
    tx.execute("DELETE FROM merge_part WHERE job_id = ?1", [job])?;
    tx.execute("DELETE FROM merge_job WHERE id = ?1", [job])?;
    Ok(())
}

impl Store {
    /// Finishes the merges whose process is gone (killed while publishing) and removes those
    /// killed while staging; leaves alone those still running. Called when the file is opened;
    /// a failure is logged and the opening goes on (the next opening tries again).
    pub(crate) fn finish_interrupted_merges(&mut self) {
        for (job, ready, _lock) in orphan_jobs(self, "merge_job", "merge") {
            let done = if ready {
                publish(self, &job).map(|r| {
                    tracing::info!(
                        added_persons = r.added_persons,
                        added_requests = r.added_requests,
                        "interrupted merge finished"
                    );
                })
            } else {
                self.write(|tx, _| drop_job(tx, &job))
            };
            if let Err(e) = done {
                tracing::warn!(error = %e.kind(), "interrupted merge not finished");
            }
        }
    }
}
