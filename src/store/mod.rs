//! The case file: one SQLite file and the small, domain-named API every front end uses.
//! No other module writes SQL (`tests/boundary.rs` checks it): the salon merge (`salon`) and the
//! demo generator (`demo`) live here too. Layers, bottom up: `history` (the history writer and reader), `search`,
//! `health` (damage); `followups`, `people`, `refdata`, `migrate` (opening files); `requests`;
//! `log`; `import`, `figures` (counts as plain rows: the arithmetic of the figures stays in
//! `report.rs` and `review.rs`), `backup` (copies and restore).
//!
//! Safety rules, each tested in `tests/store.rs`:
//! - WAL; every write goes through [`Store::write`], a `BEGIN IMMEDIATE` transaction with a busy
//!   timeout and a bounded retry;
//! - mutable rows carry a version; an update states the version it read ([`Error::Conflict`]);
//! - follow-ups and history are append-only (triggers in `schema.sql`);
//! - the file and its companions are readable by their owner only (a file open to others is
//!   refused, see `migrate::check_mode`);
//! - damage is noticed at open and contained: read-only, every write refused (`health.rs`);
//! - copies are verified against the snapshot they took (`backup.rs`);
//! - `application_id` marks a guichet file, `user_version` its schema; foreign and newer files are
//!   refused untouched (see `migrate.rs`).

mod access;
mod agents;
mod aids;
mod anonymise;
mod backup;
mod busy;
mod cache;
mod chain;
mod cipher;
pub mod demo;
mod drafts;
mod export;
mod figures;
mod followups;
mod health;
mod history;
mod housing;
mod import;
mod import_aliases;
mod letters;
mod log;
pub(crate) mod merge;
mod migrate;
mod people;
mod reception;
mod refdata;
mod requests;
pub mod salon;
mod search;
mod seed;
pub mod validate;

pub use access::{AccessAction, AccessEntry, AccessFilter};
pub use aids::{AidDay, check_aid_day};
pub use aids::{
    AidDetail, AidFacts, AidFilter, Commitment, CommitmentDue, ImportedAid, NewAid, Payment,
    PlannedAid, PlannedCommitment, Scheme, SchemeDef, years_of,
};
pub use anonymise::{DueForElimination, Elimination};
pub use backup::{BackupReport, Restored, clean_stale_temps, restore, shell_quoted};
pub use cipher::{
    available as encryption_available, forget as forget_passphrase, give as give_passphrase,
    is_encrypted, no_prompt_from_now, passphrase,
};
pub use export::PersonExport;
pub use figures::{AgentLoad, DateColumn, EventCount, Grouping, PartnerCounts};
pub use followups::NewFollowUp;
pub use health::{CheckStatus, DailyCheck, damage_marker};
pub(crate) use history::record;
pub use history::{HistoryRow, fr_timestamp};
pub use housing::{
    FreePlace, FreeQuery, HOUSING_TYPE, HousingRows, Interests, NewPlace, Place, PlaceChange,
    PlaceDetail, Placement, Proposal, RegisterCopy,
};
pub(crate) use housing::{import_places_in, merge_interests, read_interests, write_register_copy};
pub use import::{ImportCounts, ParsedRow};
pub use import_aliases::ImportAlias;
pub use letters::{AgentCommitment, PlannedFollowUp};
pub use log::{NewReferral, ReferralAnswer};
pub use merge::PersonCard;
pub(crate) use migrate::open_foreign;
pub use migrate::open_immutable;
pub use migrate::{APPLICATION_ID, SCHEMA_VERSION, migrate_to};
pub use people::{NewPerson, Person};
pub use people::{check_email, check_phone};
pub use refdata::{Agent, Code, Event, Offer, Partner};
pub use refdata::{CodeList, initials_of};
pub(crate) use requests::create_all;
pub(crate) use requests::next_reference;
pub use requests::{Created, no_follow_up_once_closed};
pub use requests::{
    FollowUpRow, NewRequest, QueueOrder, ReferralRow, RequestChange, RequestDetail, RequestFilter,
    RequestRow,
};
pub use search::{MIN_PHONE_RUN, match_query, search_words};
pub use seed::seed_reference;

use crate::error::{Error, Result};
use chrono::{Local, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Who is acting and what day it is: stamped on every change.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: String,
    pub today: NaiveDate,
    /// Fixed timestamp for reproducible runs; `None` = the real clock. Set together with
    /// `today` by [`Store::set_today`], so the history and "today" read one clock.
    pub fixed_now: Option<String>,
}

impl Ctx {
    pub fn now(&self) -> String {
        self.fixed_now
            .clone()
            .unwrap_or_else(|| Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    pub ctx: Ctx,
    /// The passphrase of an encrypted file, in memory for this run only.
    key: Option<String>,
    /// Why the file is considered damaged: it is then open read-only and every write refused.
    damage: Option<String>,
    /// Rows each write touched, for the search index (see `search.rs`).
    touched: search::Tracker,
    /// Counts kept until the file changes.
    counts: cache::CountCache,
}

/// How long one attempt waits for another process's write to finish (2 s, or
/// `GUICHET_BUSY_TIMEOUT_MS`), and how many attempts before giving up.
fn busy_timeout() -> Duration {
    std::env::var("GUICHET_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(2), Duration::from_millis)
}
const WRITE_ATTEMPTS: u32 = 5;

impl Store {
    /// Opens (creating it on first use) the case file at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_keyed(path, None)
    }

    /// Like [`Store::open`]; a file created here is encrypted with `new_key` (an existing
    /// encrypted file asks for its own passphrase).
    pub fn open_keyed(path: &Path, new_key: Option<&str>) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            backup::clean_stale_temps(dir);
        }
        let migrate::Opened { conn, key, damage } = migrate::open_file(path, new_key)?;
        let mut store = Store {
            touched: search::Tracker::install(&conn)?,
            counts: Default::default(),
            conn,
            path: Some(path.to_path_buf()),
            ctx: default_ctx(),
            key,
            damage,
        };
        // An import killed part-way is finished (or, not yet decided, removed) here.
        store.finish_interrupted_imports();
        // So is a salon merge.
        store.finish_interrupted_merges();
        Ok(store)
    }

    /// A private in-memory file, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        migrate::configure(&conn)?;
        migrate::migrate(&conn)?;
        Ok(Store {
            touched: search::Tracker::install(&conn)?,
            counts: Default::default(),
            conn,
            path: None,
            ctx: default_ctx(),
            key: None,
            damage: None,
        })
    }

    /// Opens another guichet file read-only (a laptop file, a copy), with the same guards and
    /// without writing anything beside it ([`open_immutable`]): works on a write-protected key.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let (conn, key) = migrate::open_foreign(path)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            ctx: default_ctx(),
            key,
            damage: None,
            touched: search::Tracker::default(),
            counts: Default::default(),
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.ctx.actor = actor.into();
        self
    }

    /// Pins the clock: "today" is `today`, and every timestamp written (history, follow-ups)
    /// is 09:00 UTC of that day, so nothing depends on the day the program runs.
    pub fn set_today(&mut self, today: NaiveDate) {
        self.ctx.today = today;
        self.ctx.fixed_now = Some(format!("{today}T09:00:00Z"));
    }

    pub fn today(&self) -> NaiveDate {
        self.ctx.today
    }

    /// The connection, for the store's own modules only.
    fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: it takes the write lock before reading, so
    /// a read-then-write never fails half-way because a colleague wrote in between. A busy file
    /// is retried a few times (each attempt waits up to `busy_timeout()`) before giving up with
    /// [`Error::Busy`]. An error rolls everything back.
    pub fn write<T>(
        &mut self,
        mut f: impl FnMut(&Transaction<'_>, &Ctx) -> Result<T>,
    ) -> Result<T> {
        if self.damage.is_none()
            && let Some(why) = self.path.as_deref().and_then(health::recorded_damage)
        {
            // Found by a check since this file was opened (the interface's daily check).
            self.damage = Some(why);
        }
        if let Some(why) = &self.damage {
            return Err(self.damaged_error(why.clone()));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.touched.clear();
            self.counts.clear();
            let result = (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let mark = access::Mark::take(&tx)?;
                let value = f(&tx, &self.ctx)?;
                // The search index follows every text the transaction changed, before commit.
                self.touched.flush(&tx)?;
                access::after_write(&tx, &self.ctx, &mark)?;
                tx.commit()?;
                Ok(value)
            })();
            match result {
                Err(e) if e.is_busy() && attempt < WRITE_ATTEMPTS => {
                    tracing::warn!(attempt, "file busy, retrying write");
                    std::thread::sleep(Duration::from_millis(20 * u64::from(attempt)));
                }
                Err(e) if e.is_busy() => return Err(Error::Busy),
                Err(e @ Error::Sql(rusqlite::Error::SqliteFailure(..)))
                    if matches!(
                        &e,
                        Error::Sql(rusqlite::Error::SqliteFailure(f, _))
                            if matches!(f.code, rusqlite::ErrorCode::DiskFull
                                | rusqlite::ErrorCode::SystemIoFailure
                                | rusqlite::ErrorCode::PermissionDenied
                                | rusqlite::ErrorCode::CannotOpen)
                    ) =>
                {
                    return Err(Error::fault(
                        self.path.as_deref().unwrap_or(Path::new(".")),
                        e,
                    ));
                }
                Err(Error::Sql(rusqlite::Error::SqliteFailure(e, _)))
                    if e.code == rusqlite::ErrorCode::ReadOnly =>
                {
                    return Err(Error::File {
                        path: self.path.clone().unwrap_or_default(),
                        why: "le fichier est en lecture seule : rien n'a été écrit".into(),
                    });
                }
                Err(e) if health::is_corruption(&e) => {
                    let why = "SQLite a refusé l'écriture : fichier abîmé".to_string();
                    if let Some(p) = &self.path {
                        health::record_damage(p, &why);
                    }
                    self.damage = Some(why.clone());
                    return Err(self.damaged_error(why));
                }
                other => return other,
            }
        }
    }

    /// Why the file is considered damaged (`None`: it is not).
    pub fn damage(&self) -> Option<&str> {
        self.damage.as_deref()
    }

    pub(crate) fn damaged_error(&self, why: String) -> Error {
        let advice = match self.last_backup() {
            Some(b) => format!(
                "Restaurez la dernière copie vérifiée, interface fermée sur tous les postes : \
                 guichet restore {}",
                b.display()
            ),
            None => "Restaurez votre dernière copie vérifiée, interface fermée sur tous les \
                     postes : guichet restore COPIE"
                .into(),
        };
        Error::DamagedFile {
            path: self.path.clone().unwrap_or_default(),
            why,
            advice,
        }
    }

    /// `PRAGMA data_version`: changes when another connection committed. The interface polls it.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// A value of the `meta` table (file identity, reference series…).
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Row counts of the main tables, for checks and reports.
    pub fn counts(&self) -> Result<Vec<(String, i64)>> {
        counts_of(&self.conn)
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`. Problems found leave the damage
    /// marker: from then on the file opens read-only. A check that finds nothing removes it.
    pub fn check(&mut self) -> Result<Vec<String>> {
        let mut problems = match health::full_check(&self.conn) {
            Ok(p) => p,
            Err(e) if health::is_corruption(&e) => vec![health::UNREADABLE.to_string()],
            Err(e) => return Err(e),
        };
        match (health::summary(&problems), &self.path) {
            (Some(why), path) => {
                if let Some(p) = path {
                    health::record_damage(p, &why);
                }
                self.damage = Some(why);
            }
            (None, Some(p)) => health::clear_damage(p),
            (None, None) => {}
        }
        problems.extend(chain::verify(&self.conn)?.problems);
        Ok(problems)
    }

    /// The last hash of the history and of the access log: noted by a responsible person, it
    /// shows later that nothing before it was rewritten, even with the chain recomputed.
    pub fn chain_heads(&self) -> Result<(Option<String>, Option<String>)> {
        let v = chain::verify(&self.conn)?;
        Ok((v.history_head, v.access_head))
    }
}

const COUNTED_TABLES: [&str; 8] = [
    "person",
    "request",
    "follow_up",
    "referral",
    "history",
    "agent",
    "event",
    "partner",
];

fn counts_of(conn: &Connection) -> Result<Vec<(String, i64)>> {
    COUNTED_TABLES
        .iter()
        .map(|t| {
            // Table names come from the constant above, never from input.
            let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
            Ok((t.to_string(), n))
        })
        .collect()
}

fn default_ctx() -> Ctx {
    Ctx {
        actor: std::env::var("USER").unwrap_or_else(|_| "inconnu".into()),
        today: Local::now().date_naive(),
        fixed_now: None,
    }
}

/// An input/output error on `path`, in French words.
pub(crate) fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::fault(path, Error::Io(e))
}

/// Sets a value of the `meta` table (inside the caller's transaction).
pub(crate) fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// Creates `path` readable and writable by its owner only (0600).
pub fn create_private_file(path: &Path) -> Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path).map_err(|e| Error::File {
        path: path.to_path_buf(),
        why: format!(
            "impossible de créer le fichier : {}",
            crate::error::io_words(&e)
        ),
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Writes `contents` to a new owner-only file (exports): under a temporary name, renamed once
/// whole, so a full disk never leaves a truncated file under the final name.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = PrivateFile::create(path)?;
    f.write_all(contents).map_err(|e| io_error(path, e))?;
    f.commit()
}

/// A new owner-only file written under a hidden temporary name beside `path` and renamed to
/// `path` by [`PrivateFile::commit`] — or by the first `flush`, which exporters call once, at
/// the end. Dropped before that (an error, a full disk), it removes its temporary: nothing
/// half-written is left under the final name. A temporary left by a killed run is removed by
/// the next run in that folder.
pub struct PrivateFile {
    file: Option<std::fs::File>,
    tmp: PathBuf,
    path: PathBuf,
}

impl PrivateFile {
    pub fn create(path: &Path) -> Result<PrivateFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        backup::check_folder(path)?;
        if path.is_dir() {
            return Err(Error::File {
                path: path.to_path_buf(),
                why: "c'est un dossier : donnez le nom du fichier à écrire".into(),
            });
        }
        backup::clean_stale_temps(&dir);
        let tmp = backup::temp_sibling(path);
        // Said of the path the agent typed, never of the hidden temporary name.
        let file = create_private_file(&tmp).map_err(|e| match e {
            Error::File { why, .. } => Error::File {
                path: path.to_path_buf(),
                why,
            },
            e => e,
        })?;
        Ok(PrivateFile {
            file: Some(file),
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Syncs and renames the file to its final name.
    pub fn commit(&mut self) -> Result<()> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let done = file
            .sync_all()
            .and_then(|()| std::fs::rename(&self.tmp, &self.path));
        if let Err(e) = done {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(io_error(&self.path, e));
        }
        Ok(())
    }
}

impl std::io::Write for PrivateFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("fichier déjà mis en place")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(f) = &mut self.file {
            f.flush()?;
        }
        self.commit().map_err(std::io::Error::other)
    }
}

impl Drop for PrivateFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
