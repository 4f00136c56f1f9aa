//! Damage noticed and contained. At open, a check whose cost follows the file's size: the full
//! `check` (integrity and references) for files up to [`FULL_CHECK_BYTES`], SQLite's
//! `quick_check` up to [`QUICK_CHECK_BYTES`], and beyond, the header and the page layout (the
//! interface runs the full check once a day). Damage found by any check — or a write that SQLite
//! refuses as corrupt — leaves a marker beside the file (`NAME.abime`, the reason inside): from
//! then on the file opens read-only and every write is refused, naming the newest verified copy
//! to restore. `guichet restore` removes the marker.

use crate::error::Result;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// Files up to this size get the full check at every open (about 100 requests: 10 ms).
pub const FULL_CHECK_BYTES: u64 = 512 << 10;
/// Files up to this size get `PRAGMA quick_check` at open (about 300 requests: 10 ms);
/// beyond, the header and the schema only (100,000 requests: a whole command in 0.02 s). The
/// full check of a large file is `guichet check` (its verdict is kept in the marker), run once
/// a day by the interface.
pub const QUICK_CHECK_BYTES: u64 = 1 << 20;

/// The marker that says a file was found damaged.
pub fn damage_marker(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_os_string();
    p.push(".abime");
    PathBuf::from(p)
}

/// The reason recorded by an earlier check, if the file was found damaged.
pub(super) fn recorded_damage(db: &Path) -> Option<String> {
    let marker = damage_marker(db);
    if std::fs::symlink_metadata(&marker).is_err() {
        return None;
    }
    // A marker left by a colleague may be unreadable: it still says the file is damaged.
    let text = std::fs::read_to_string(&marker).unwrap_or_default();
    let line = text.lines().next().unwrap_or_default().trim();
    Some(if line.is_empty() {
        "contrôle en échec".into()
    } else {
        crate::text::display_safe(line).into_owned()
    })
}

/// Removes the marker: a full check found nothing (the file was put back by hand, or the
/// problem was the medium's).
pub(super) fn clear_damage(db: &Path) {
    let _ = std::fs::remove_file(damage_marker(db));
}

/// Leaves the marker (owner-only). A medium that cannot be written keeps no marker: the check
/// at open finds the damage again.
pub(super) fn record_damage(db: &Path, why: &str) {
    let _ = super::write_private(&damage_marker(db), format!("{why}\n").as_bytes());
    tracing::error!("damaged file found: writes refused");
}

/// The full check: `PRAGMA integrity_check` and `foreign_key_check`.
pub(super) fn full_check(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    for row in st.query_map([], |r| r.get::<_, String>(0))? {
        let row = row?;
        if row.contains("malformed") {
            problems.push(UNREADABLE.to_string());
        } else if row != "ok" {
            problems.push(format!("intégrité : {row}"));
        }
    }
    let mut st = conn.prepare("PRAGMA foreign_key_check")?;
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

/// The check at open; `Some(reason)` when the file is damaged.
pub(super) fn check_at_open(conn: &Connection, size: u64) -> Option<String> {
    let outcome = (|| -> Result<Option<String>> {
        if size <= FULL_CHECK_BYTES {
            return Ok(summary(&full_check(conn)?));
        }
        if size <= QUICK_CHECK_BYTES {
            let r: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
            return Ok((r != "ok").then(|| summary(&[r]).unwrap_or_default()));
        }
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let page_size = page_size.max(0) as u64;
        if page_size == 0 || !size.is_multiple_of(page_size) {
            return Ok(Some(format!(
                "taille du fichier ({size} octets) incohérente avec ses pages de {page_size} octets"
            )));
        }
        // Reads the whole schema and the first page of every table.
        let _: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok(None)
    })();
    match outcome {
        Ok(found) => found,
        Err(e) if is_corruption(&e) => Some(UNREADABLE.into()),
        Err(_) => None,
    }
}

/// The reason given for a damaged file: the problems' count, not SQLite's words.
pub(crate) fn summary(problems: &[String]) -> Option<String> {
    match problems.len() {
        0 => None,
        1 if problems[0] == UNREADABLE => Some(UNREADABLE.into()),
        n => Some(format!(
            "le contrôle d'intégrité a trouvé {n} problème{}",
            if n > 1 { "s" } else { "" }
        )),
    }
}

/// SQLite's "database disk image is malformed", in the user's words.
pub(crate) const UNREADABLE: &str = "des pages du fichier sont illisibles";

/// `meta` key: the day of the last full check made by the interface.
const META_CHECKED: &str = "check.last";

/// Calls of the progress handler (every [`CHECK_OPS`] SQLite steps) per page of the file during
/// `integrity_check`, measured on demonstration files of 1,500 and 13,000 pages (0.69 and 0.74):
/// the daily check's progress is estimated from the file's page count.
const CALLS_PER_PAGE: f64 = 0.7;
const CHECK_OPS: i32 = 1000;

/// The interface's daily full check, running on its own connection in a background thread.
pub struct DailyCheck {
    percent: Arc<AtomicU8>,
    handle: Option<std::thread::JoinHandle<Option<Option<String>>>>,
}

/// Where the daily check stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStatus {
    /// Running, about this far (0 to 99 %).
    Running(u8),
    /// Finished: no problem found.
    Clean,
    /// Finished: damage found (the reason); from now on every write is refused.
    Damaged(String),
    /// Could not run (file busy, unreadable passphrase…): tried again at the next start.
    NotDone,
}

impl DailyCheck {
    /// The current state; the first call after the thread ended collects its verdict.
    pub fn status(&mut self) -> CheckStatus {
        match &self.handle {
            Some(h) if !h.is_finished() => {
                CheckStatus::Running(self.percent.load(Ordering::Relaxed).min(99))
            }
            Some(_) => match self.handle.take().map(|h| h.join()) {
                Some(Ok(Some(None))) => CheckStatus::Clean,
                Some(Ok(Some(Some(why)))) => CheckStatus::Damaged(why),
                _ => CheckStatus::NotDone,
            },
            None => CheckStatus::NotDone,
        }
    }

    /// Waits for the end of the check (tests).
    pub fn wait(mut self) -> CheckStatus {
        if let Some(h) = &self.handle {
            while !h.is_finished() {
                std::thread::yield_now();
            }
        }
        self.status()
    }
}

/// The full check of a file once a day, on its own connection in a background thread (the
/// interface stays usable): damage found leaves the marker, which every later write sees.
/// Returns `None` when today's check was already made.
pub(super) fn spawn_daily_check(
    db: &Path,
    key: Option<String>,
    today: &str,
    last: Option<String>,
) -> Option<DailyCheck> {
    if last.as_deref() == Some(today) {
        return None;
    }
    let db = db.to_path_buf();
    let today = today.to_string();
    let percent = Arc::new(AtomicU8::new(0));
    let shared = Arc::clone(&percent);
    let handle = std::thread::spawn(move || {
        let conn = Connection::open_with_flags(
            &db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        // An encrypted file is read with its passphrase (a wrong one would read as damage).
        super::cipher::unlock(&conn, key.as_deref(), &db).ok()?;
        super::cipher::no_mmap(&conn, key.is_some()).ok()?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).ok()?;
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap_or(0);
        let expected = (pages.max(1) as f64 * CALLS_PER_PAGE).max(1.0);
        let mut calls = 0f64;
        conn.progress_handler(
            CHECK_OPS,
            Some(move || {
                calls += 1.0;
                shared.store(
                    (calls * 100.0 / expected).min(99.0) as u8,
                    Ordering::Relaxed,
                );
                if calls == 1.0 {
                    // `GUICHET_TEST_CHECK_PAUSE`: held once it has started.
                    pause_for_tests("GUICHET_TEST_CHECK_PAUSE");
                }
                false
            }),
        )
        .ok()?;
        let why = match full_check(&conn) {
            Ok(p) => summary(&p),
            Err(e) if is_corruption(&e) => Some(UNREADABLE.into()),
            Err(_) => return None,
        };
        let _ = conn.progress_handler(0, None::<fn() -> bool>);
        match &why {
            Some(why) => record_damage(&db, why),
            None => {
                let _ = conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [META_CHECKED, today.as_str()],
                );
            }
        }
        Some(why)
    });
    Some(DailyCheck {
        percent,
        handle: Some(handle),
    })
}

/// Test hook (debug builds only): with `VAR=DIR` in the environment, creates `DIR/paused` and
/// waits until `DIR/continue` exists — the tests hold a long task part-way and wait for files.
pub(super) fn pause_for_tests(var: &str) {
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os(var).map(PathBuf::from) {
        let _ = std::fs::write(dir.join("paused"), b"");
        while !dir.join("continue").exists() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    let _ = var;
}

impl super::Store {
    /// Starts the full check of the day in the background, unless today's was made or the
    /// file is already known damaged (the interface, when it opens, shows its progress).
    pub fn start_daily_check(&self) -> Option<DailyCheck> {
        if self.damage.is_some() {
            return None;
        }
        let path = self.path.clone()?;
        let today = self.ctx.today.to_string();
        spawn_daily_check(&path, self.key.clone(), &today, last_daily_check(self))
    }
}

pub(super) fn last_daily_check(store: &super::Store) -> Option<String> {
    store.meta(META_CHECKED).ok().flatten()
}

/// True when SQLite says the file is damaged.
pub(crate) fn is_corruption(e: &crate::Error) -> bool {
    matches!(
        e,
        crate::Error::Sql(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}
