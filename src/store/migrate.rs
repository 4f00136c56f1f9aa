//! Opening a file safely: recognise it before touching it, then bring its schema up to date.

use super::seed;
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::io::Read;
use std::path::Path;

/// `PRAGMA application_id` of every guichet file: "GUIC".
pub const APPLICATION_ID: i32 = 0x4755_4943;

/// Ordered migrations; migration `i` brings the file to `user_version = i + 1`. Never edit one
/// that has shipped: add the next.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema.sql"),
    include_str!("../../migrations/002_housing.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (or creates, owner-only) the file at `path`, refusing anything that is not a guichet
/// file of a schema this binary knows, then migrates it.
pub(super) fn open_file(path: &Path) -> Result<Connection> {
    let fresh = match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(Error::File {
                path: path.to_path_buf(),
                why: "c'est un dossier, pas un fichier".into(),
            });
        }
        Ok(m) => m.len() == 0,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => {
            return Err(Error::File {
                path: path.to_path_buf(),
                why: format!("illisible : {e}"),
            });
        }
    };
    if fresh {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            return Err(Error::File {
                path: path.to_path_buf(),
                why: format!("le dossier {} n'existe pas", dir.display()),
            });
        }
        create_new_private(path)?;
    } else {
        inspect(path)?;
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::File {
        path: path.to_path_buf(),
        why: format!("impossible d'ouvrir le fichier : {e}"),
    })?;
    configure(&conn)?;
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        // Readable but not writable: fine for lists and reports, refused at the first write.
        return Ok(conn);
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    migrate(&conn)?;
    Ok(conn)
}

fn create_new_private(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map_err(|e| Error::File {
        path: path.to_path_buf(),
        why: format!("impossible de créer le fichier : {e}"),
    })?;
    Ok(())
}

/// Recognises an existing file without writing to it: first its header bytes (so a CSV or random
/// bytes never reach SQLite), then its application id and schema version on a read-only
/// connection.
pub(crate) fn inspect(path: &Path) -> Result<()> {
    let not_guichet = |why: &str| Error::NotGuichet {
        path: path.to_path_buf(),
        why: why.into(),
    };
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path).map_err(|e| Error::File {
        path: path.to_path_buf(),
        why: format!("illisible : {e}"),
    })?;
    let n = read_up_to(&mut file, &mut header)?;
    if n < 100 || &header[..16] != b"SQLite format 3\0" {
        return Err(not_guichet("ce n'est pas une base SQLite"));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure_read_only(&conn)?;
    let read = || -> rusqlite::Result<(i32, i64, i64)> {
        let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, tables))
    };
    let (app, version, tables) = read().map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            Error::Busy
        }
        e => not_guichet(&format!("base illisible : {e}")),
    })?;
    if app == 0 && version == 0 && tables == 0 {
        return Ok(()); // an empty SQLite file: ours to initialise
    }
    if app != APPLICATION_ID {
        return Err(not_guichet("base SQLite d'un autre programme"));
    }
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Connection settings for every read-write connection.
pub(super) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(super::busy_timeout())?;
    // Reads through a memory map: long lists and reports spend far less time in system calls.
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    // Sorts of long lists stay in memory instead of spilling to a temporary file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

pub(super) fn configure_read_only(conn: &Connection) -> Result<()> {
    conn.busy_timeout(super::busy_timeout())?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    Ok(())
}

/// Applies the missing migrations, each in its own `BEGIN IMMEDIATE` transaction that re-reads
/// the version (two processes opening a new file at once both end up with one schema).
pub(super) fn migrate(conn: &Connection) -> Result<()> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Brings the file on `conn` up to schema `target` (at most [`SCHEMA_VERSION`]), one migration
/// per transaction: a process killed part-way leaves the file at the last committed version, and
/// the next open resumes from there. Public so the migration tests can build the reference schema
/// of every intermediate version.
pub fn migrate_to(conn: &Connection, target: i64) -> Result<()> {
    let target = target.min(SCHEMA_VERSION);
    loop {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version >= target {
            return Ok(());
        }
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version >= target {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version as usize])?;
        if version == 0 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            seed::seed_new_file(&tx)?;
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        abort_for_tests(version + 1);
        tx.commit()?;
        tracing::info!(version = version + 1, "schema migrated");
    }
}

/// Test hook (debug builds only): `GUICHET_TEST_ABORT_MIGRATION=N` kills the process after the
/// migration to version N has run but before it commits, as a power cut would.
fn abort_for_tests(version: i64) {
    #[cfg(debug_assertions)]
    if std::env::var("GUICHET_TEST_ABORT_MIGRATION").ok() == Some(version.to_string()) {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = version;
}
