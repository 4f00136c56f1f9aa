//! Writing checked spreadsheet rows: all of them or none, a row already imported (same
//! fingerprint) skipped. The checks themselves live in `crate::import`.
//!
//! A long import must not hold the write lock while a colleague saves (issue #9, item 7), so it
//! is written in short `BEGIN IMMEDIATE` transactions, in two phases:
//! 1. **staging**: the checked rows go, part by part, into `import_part` (nothing reads it but
//!    this module), under an `import_job` row marked `ready` by the last staging transaction.
//!    Until then the import is not decided: a failure removes what was staged, and a run killed
//!    while staging leaves a job that the next opening of the file removes;
//! 2. **publishing**: part after part, one transaction creates a part's requests (the same
//!    code path as a single request: history, search index, access log) and removes its stage
//!    row; the last one removes the job. A run killed here is finished by the next opening of
//!    the file, so once the file is reopened the import is there whole.
//!
//! While a job runs, its process holds an advisory lock on a small empty file beside the case
//! file (`.NAME.import-JOB`, owner-only, removed at the end): an opening that finds a job whose
//! lock is free knows its importer is gone and finishes (or removes) it.

use super::log::refer_in;
use super::refdata::{ensure_agent, ensure_event};
use super::requests::create;
use super::{NewReferral, NewRequest, Store};
use crate::error::{Error, Result};
use rusqlite::{OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};

/// One checked row of a spreadsheet.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ParsedRow {
    /// The request, with its `import_key` (the row's fingerprint) set.
    pub request: NewRequest,
    pub agent: Option<String>,
    pub event: Option<String>,
    pub partner_id: Option<String>,
    /// The status was given explicitly (a referral then leaves it alone).
    pub explicit_status: bool,
    /// The aid columns (dispositif, montant…), when filled.
    pub aid: Option<super::aids::ImportedAid>,
}

/// What an import wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub added: usize,
    pub already_there: usize,
    pub persons_reused: usize,
    pub referrals: usize,
}

impl ImportCounts {
    fn add(&mut self, o: ImportCounts) {
        self.added += o.added;
        self.already_there += o.already_there;
        self.persons_reused += o.persons_reused;
        self.referrals += o.referrals;
    }
}

/// Rows per staged part (about 25 ms of publishing on an idle machine).
const PART_ROWS: usize = 250;

/// How long one publishing transaction goes on taking parts: a colleague's save waits for at
/// most this (or one part, on a loaded machine).
const PUBLISH_BUDGET: std::time::Duration = std::time::Duration::from_millis(150);

fn publish_budget() -> std::time::Duration {
    // The tests publish one part per transaction, to pause between two.
    #[cfg(debug_assertions)]
    if std::env::var_os("GUICHET_TEST_IMPORT_PART_ROWS").is_some() {
        return std::time::Duration::ZERO;
    }
    PUBLISH_BUDGET
}

fn part_rows() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("GUICHET_TEST_IMPORT_PART_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &usize| *n > 0)
    {
        return n;
    }
    PART_ROWS
}

/// Test hooks (debug builds only). `GUICHET_TEST_IMPORT_PAUSE=DIR`: after the first published
/// part (or the first staged one, with `GUICHET_TEST_IMPORT_PAUSE_AT=staging`), when more are
/// to come, create `DIR/paused` and wait until `DIR/continue` exists.
/// `GUICHET_TEST_IMPORT_FAIL=staging`: the last staging transaction fails (as a full disk would).
fn pause_for_tests(step: &str) {
    if std::env::var("GUICHET_TEST_IMPORT_PAUSE_AT")
        .as_deref()
        .unwrap_or("publishing")
        == step
    {
        super::health::pause_for_tests("GUICHET_TEST_IMPORT_PAUSE");
    }
}

fn fail_for_tests(step: &str) -> Result<()> {
    #[cfg(debug_assertions)]
    if std::env::var("GUICHET_TEST_IMPORT_FAIL").ok().as_deref() == Some(step) {
        return Err(Error::Fault {
            path: PathBuf::from("import"),
            why: format!("échec simulé de l'import ({step}) : rien n'a été écrit"),
        });
    }
    let _ = step;
    Ok(())
}

/// The advisory lock a running import holds on `.NAME.import-JOB` beside the case file. Dropped,
/// it removes its file.
pub(super) struct JobLock {
    path: PathBuf,
    file: std::fs::File,
}

fn lock_path(db: &Path, job: &str) -> PathBuf {
    job_lock_path(db, "import", job)
}

/// `.NAME.WHAT-JOB` beside the case file (`what`: import, merge).
pub(super) fn job_lock_path(db: &Path, what: &str, job: &str) -> PathBuf {
    let name = db.file_name().unwrap_or_default().to_string_lossy();
    db.with_file_name(format!(".{name}.{what}-{job}"))
}

impl JobLock {
    /// Takes the lock of `job`; `None` when another process holds it (its import runs).
    fn take(db: &Path, job: &str) -> Result<Option<JobLock>> {
        JobLock::take_at(lock_path(db, job))
    }

    /// Takes the lock on the file at `path` (created if missing); `None` when another process
    /// holds it.
    pub(super) fn take_at(path: PathBuf) -> Result<Option<JobLock>> {
        let file = match std::fs::File::options().read(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                super::create_private_file(&path)?
            }
            Err(e) => return Err(super::io_error(&path, e)),
        };
        match file.try_lock() {
            Ok(()) => Ok(Some(JobLock { path, file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(super::io_error(&path, e)),
        }
    }
}

impl Drop for JobLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Writes one part's rows inside a write transaction.
fn write_rows(tx: &Transaction<'_>, ctx: &super::Ctx, rows: &[ParsedRow]) -> Result<ImportCounts> {
    let mut counts = ImportCounts::default();
    for p in rows {
        let mut r = p.request.clone();
        let exists: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM request WHERE import_key = ?1)")?
            .query_row([&r.import_key], |row| row.get(0))?;
        if exists {
            counts.already_there += 1;
            continue;
        }
        r.agent_id = match &p.agent {
            Some(a) => Some(ensure_agent(tx, ctx, a)?),
            None => None,
        };
        r.event_id = match &p.event {
            Some(e) => Some(ensure_event(tx, ctx, e, r.received_on)?),
            None => None,
        };
        let created = create(tx, ctx, &r)?;
        if let Some(aid) = &p.aid {
            super::aids::import_aid(tx, ctx, &created.id, aid)?;
        }
        counts.added += 1;
        if created.person_reused {
            counts.persons_reused += 1;
        }
        if let Some(partner_id) = &p.partner_id {
            refer_in(
                tx,
                ctx,
                &created.id,
                &NewReferral {
                    partner_id: partner_id.clone(),
                    sent_on: r.received_on,
                    expected_by: None,
                    note: String::new(),
                },
                !p.explicit_status,
            )?;
            counts.referrals += 1;
        }
    }
    Ok(counts)
}

impl Store {
    /// Writes `rows`: every new row, or nothing — in short transactions (see the module's
    /// comment), so that colleagues keep saving during a long import.
    pub fn import_rows(&mut self, rows: &[ParsedRow]) -> Result<ImportCounts> {
        if rows.is_empty() {
            return Ok(ImportCounts::default());
        }
        // What a part's transaction would refuse is refused now, before anything is staged.
        for p in rows {
            p.request.person.clone().validate()?;
            super::validate::birth_date(p.request.person.birth_date, self.ctx.today)?;
        }
        let job = uuid::Uuid::now_v7().to_string();
        let _lock = match self.path.clone() {
            Some(p) => Some(JobLock::take(&p, &job)?.ok_or_else(|| Error::File {
                path: lock_path(&p, &job),
                why: "verrou d'import déjà pris".into(),
            })?),
            None => None,
        };
        if let Err(e) = self.stage(&job, rows) {
            // Not decided yet: what was staged goes (a failing removal is left to the next
            // opening, which removes a job that is not ready and whose lock is free).
            let _ = self.write(|tx, _| drop_job(tx, &job));
            return Err(e);
        }
        self.publish(&job)
    }

    fn stage(&mut self, job: &str, rows: &[ParsedRow]) -> Result<()> {
        self.write(|tx, ctx| {
            tx.execute(
                "INSERT INTO import_job (id, actor, today, fixed_now, created_at, ready) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                params![job, ctx.actor, ctx.today, ctx.fixed_now, ctx.now()],
            )?;
            Ok(())
        })?;
        let parts: Vec<&[ParsedRow]> = rows.chunks(part_rows()).collect();
        for (n, part) in parts.iter().enumerate() {
            let json = serde_json::to_string(part)?;
            let last = n + 1 == parts.len();
            self.write(|tx, _| {
                tx.prepare_cached(
                    "INSERT INTO import_part (job_id, part, rows) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![job, n as i64, json])?;
                if last {
                    fail_for_tests("staging")?;
                    tx.execute("UPDATE import_job SET ready = 1 WHERE id = ?1", [job])?;
                }
                Ok(())
            })?;
            if n == 0 && !last {
                pause_for_tests("staging");
            }
        }
        Ok(())
    }

    /// Publishes the staged parts of `job`, one transaction each, as the agent who started it.
    fn publish(&mut self, job: &str) -> Result<ImportCounts> {
        let job_ctx = self
            .conn
            .query_row(
                "SELECT actor, today, fixed_now FROM import_job WHERE id = ?1",
                [job],
                |r| {
                    Ok(super::Ctx {
                        actor: r.get(0)?,
                        today: r.get(1)?,
                        fixed_now: r.get(2)?,
                    })
                },
            )
            .optional()?;
        let Some(job_ctx) = job_ctx else {
            return Ok(ImportCounts::default());
        };
        let own_ctx = std::mem::replace(&mut self.ctx, job_ctx);
        let mut counts = ImportCounts::default();
        let mut published = 0;
        let result = loop {
            let budget = publish_budget();
            let step = self.write(|tx, ctx| {
                // Parts until the time budget is spent (at least one): few transactions on an
                // idle machine, short ones on a loaded one.
                let started = std::time::Instant::now();
                let mut c = ImportCounts::default();
                loop {
                    let part: Option<(i64, String)> = tx
                        .prepare_cached(
                            "SELECT part, rows FROM import_part WHERE job_id = ?1 \
                             ORDER BY part LIMIT 1",
                        )?
                        .query_row([job], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()?;
                    let Some((n, json)) = part else {
                        drop_job(tx, job)?;
                        return Ok(Some((c, false)));
                    };
                    let rows: Vec<ParsedRow> = serde_json::from_str(&json)?;
                    c.add(write_rows(tx, ctx, &rows)?);
                    tx.prepare_cached("DELETE FROM import_part WHERE job_id = ?1 AND part = ?2")?
                        .execute(params![job, n])?;
                    if started.elapsed() >= budget {
                        break;
                    }
                }
                let left: bool = tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM import_part WHERE job_id = ?1)")?
                    .query_row([job], |r| r.get(0))?;
                if !left {
                    drop_job(tx, job)?;
                }
                Ok(Some((c, left)))
            });
            match step {
                Ok(Some((c, left))) => {
                    counts.add(c);
                    published += 1;
                    if !left {
                        break Ok(counts);
                    }
                    if published == 1 {
                        pause_for_tests("publishing");
                    }
                    // A colleague waiting for the file takes it now.
                    std::thread::sleep(super::busy::YIELD);
                }
                Ok(None) => break Ok(counts),
                Err(e) => break Err(e),
            }
        };
        self.ctx = own_ctx;
        result
    }

    /// Finishes the imports whose process is gone (killed while publishing) and removes those
    /// killed while staging; leaves alone those still running. Called when the file is opened;
    /// a failure is logged and the opening goes on (the next opening tries again).
    pub(crate) fn finish_interrupted_imports(&mut self) {
        for (job, ready, _lock) in orphan_jobs(self, "import_job", "import") {
            let done = if ready {
                self.publish(&job).map(|c| {
                    tracing::info!(added = c.added, "interrupted import finished");
                })
            } else {
                self.write(|tx, _| drop_job(tx, &job))
            };
            if let Err(e) = done {
                tracing::warn!(error = %e.kind(), "interrupted import not finished");
            }
        }
    }
}

/// The jobs in `table` (`import_job`, `merge_job`) whose process is gone, oldest first, each
/// with whether it was decided (`ready`) and its lock (`.NAME.WHAT-JOB`), now held by this
/// process. None on a damaged file or one without a path.
pub(super) fn orphan_jobs(store: &Store, table: &str, what: &str) -> Vec<(String, bool, JobLock)> {
    let Some(db) = store.path.as_deref() else {
        return Vec::new();
    };
    if store.damage.is_some() {
        return Vec::new();
    }
    // `table` is one of this crate's two names, never input.
    let jobs: Vec<(String, bool)> = match store
        .conn
        .prepare(&format!(
            "SELECT id, ready FROM {table} ORDER BY created_at"
        ))
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()
        }) {
        Ok(j) => j,
        Err(_) => return Vec::new(),
    };
    jobs.into_iter()
        .filter_map(
            |(job, ready)| match JobLock::take_at(job_lock_path(db, what, &job)) {
                Ok(Some(l)) => Some((job, ready, l)),
                _ => None,
            },
        )
        .collect()
}

/// Removes a job and whatever is left of its parts.
fn drop_job(tx: &Transaction<'_>, job: &str) -> Result<()> {
    tx.execute("DELETE FROM import_part WHERE job_id = ?1", [job])?;
    tx.execute("DELETE FROM import_job WHERE id = ?1", [job])?;
    Ok(())
}
