//! The case file: one SQLite file and the small, domain-named API every front end uses.
//! No other module writes SQL (`tests/boundary.rs` checks it; `salon.rs` and `demo.rs` are
//! the last to move). Layers, bottom up: `history` (the history writer and reader) and `search`;
//! `followups`, `people`, `refdata`; `requests`; `log`; `import`, `figures` (counts as plain
//! rows: the arithmetic of the figures stays in `report.rs` and `review.rs`).
//!
//! Safety rules, each tested in `tests/store.rs`:
//! - WAL; every write goes through [`Store::write`], a `BEGIN IMMEDIATE` transaction with a busy
//!   timeout and a bounded retry;
//! - mutable rows carry a version; an update states the version it read ([`Error::Conflict`]);
//! - follow-ups and history are append-only (triggers in `schema.sql`);
//! - the file and its companions are readable by their owner only;
//! - `application_id` marks a guichet file, `user_version` its schema; foreign and newer files are
//!   refused untouched (see `migrate.rs`).

mod figures;
mod followups;
mod history;
mod housing;
mod import;
mod log;
mod migrate;
mod people;
mod refdata;
mod requests;
mod search;
mod seed;

pub use figures::{AgentLoad, DateColumn, EventCount, Grouping, PartnerCounts};
pub use followups::NewFollowUp;
pub(crate) use history::record;
pub use history::{HistoryRow, fr_timestamp};
pub use housing::{
    FreePlace, FreeQuery, HOUSING_TYPE, HousingRows, Interests, NewPlace, Place, PlaceDetail,
    Placement, Proposal, RegisterCopy,
};
pub(crate) use housing::{import_places_in, merge_interests, read_interests, write_register_copy};
pub use import::{ImportCounts, ParsedRow};
pub use log::{NewReferral, ReferralAnswer};
pub(crate) use migrate::inspect as inspect_file;
pub use migrate::{APPLICATION_ID, SCHEMA_VERSION, migrate_to};
pub(crate) use people::LIKELY_SAME_PERSON;
pub use people::{NewPerson, Person};
pub use people::{check_email, check_phone};
pub use refdata::{Agent, Code, Event, Offer, Partner};
pub use refdata::{CodeList, initials_of};
pub use requests::Created;
pub(crate) use requests::create_all;
pub(crate) use requests::next_reference;
pub use requests::{
    FollowUpRow, NewRequest, QueueOrder, ReferralRow, RequestChange, RequestDetail, RequestFilter,
    RequestRow,
};
pub(crate) use search::document as search_document;
pub use search::match_query;
pub(crate) use search::{reindex, reindex_person as reindex_person_in};
pub use seed::seed_reference;

use crate::error::{Error, Result};
use chrono::{Local, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
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
        let conn = migrate::open_file(path)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            ctx: default_ctx(),
        })
    }

    /// A private in-memory file, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        migrate::configure(&conn)?;
        migrate::migrate(&conn)?;
        Ok(Store {
            conn,
            path: None,
            ctx: default_ctx(),
        })
    }

    /// Opens another guichet file read-only (e.g. to inspect it), with the same guards.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        migrate::inspect(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        migrate::configure_read_only(&conn)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            ctx: default_ctx(),
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

    /// Read access for the modules of this crate that compute figures (reports).
    pub(crate) fn conn(&self) -> &Connection {
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
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = f(&tx, &self.ctx)?;
                tx.commit()?;
                Ok(value)
            })();
            match result {
                Err(e) if e.is_busy() && attempt < WRITE_ATTEMPTS => {
                    tracing::warn!(attempt, "file busy, retrying write");
                    std::thread::sleep(Duration::from_millis(20 * u64::from(attempt)));
                }
                Err(e) if e.is_busy() => return Err(Error::Busy),
                Err(Error::Sql(rusqlite::Error::SqliteFailure(e, _)))
                    if e.code == rusqlite::ErrorCode::ReadOnly =>
                {
                    return Err(Error::File {
                        path: self.path.clone().unwrap_or_default(),
                        why: "le fichier est en lecture seule : rien n'a été écrit".into(),
                    });
                }
                other => return other,
            }
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

    /// A verified copy through SQLite's online backup API (never a file copy): written beside
    /// `out` under a temporary name, checked (integrity, identity, row counts), then renamed.
    pub fn backup(&self, out: &Path) -> Result<BackupReport> {
        let tmp = temp_sibling(out);
        let _ = std::fs::remove_file(&tmp);
        create_private_file(&tmp)?;
        let result = (|| {
            self.conn.backup(rusqlite::MAIN_DB, &tmp, None)?;
            // The copy inherits WAL mode; a backup is one self-contained file.
            Connection::open(&tmp)?.pragma_update(None, "journal_mode", "DELETE")?;
            let copy = Connection::open_with_flags(&tmp, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let integrity: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if integrity != "ok" {
                return Err(Error::input(format!(
                    "la copie n'a pas passé le contrôle d'intégrité : {integrity}"
                )));
            }
            let original = self.counts()?;
            let copied = counts_of(&copy)?;
            if original != copied {
                return Err(Error::input(
                    "la copie ne contient pas le même nombre d'enregistrements que l'original",
                ));
            }
            Ok(BackupReport { counts: copied })
        })();
        match result {
            Ok(report) => {
                std::fs::rename(&tmp, out)?;
                for companion in ["-wal", "-shm"] {
                    let mut p = tmp.clone().into_os_string();
                    p.push(companion);
                    let _ = std::fs::remove_file(p);
                }
                Ok(report)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Row counts of the main tables, for checks and reports.
    pub fn counts(&self) -> Result<Vec<(String, i64)>> {
        counts_of(&self.conn)
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`, plus the product's own rules.
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        for row in st.query_map([], |r| r.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(format!("intégrité : {row}"));
            }
        }
        let mut st = self.conn.prepare("PRAGMA foreign_key_check")?;
        for row in st.query_map([], |r| {
            Ok(format!(
                "référence cassée : table {} ligne {} vers {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?
            ))
        })? {
            problems.push(row?);
        }
        Ok(problems)
    }
}

#[derive(Debug)]
pub struct BackupReport {
    pub counts: Vec<(String, i64)>,
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

fn temp_sibling(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    out.with_file_name(name)
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
        why: format!("impossible de créer le fichier : {e}"),
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Writes `contents` to a new owner-only file (exports).
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = create_private_file(path)?;
    f.write_all(contents)?;
    f.sync_all()?;
    Ok(())
}
