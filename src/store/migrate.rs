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
    include_str!("../../migrations/002_search_notes_merges.sql"),
    include_str!("../../migrations/003_aids.sql"),
    include_str!("../../migrations/004_housing.sql"),
    include_str!("../../migrations/005_rgpd.sql"),
    include_str!("../../migrations/006_import_aliases.sql"),
    include_str!("../../migrations/007_follow_up_on.sql"),
    include_str!("../../migrations/008_import_stage.sql"),
    include_str!("../../migrations/009_merge_stage.sql"),
    include_str!("../../migrations/010_figure_counts.sql"),
    include_str!("../../migrations/011_slimmer_indexes.sql"),
    include_str!("../../migrations/012_open_counts.sql"),
    include_str!("../../migrations/013_closed_without_follow_up.sql"),
    include_str!("../../migrations/014_awaited_counts.sql"),
    include_str!("../../migrations/015_search_prefixes.sql"),
    include_str!("../../migrations/016_drafts.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (or creates, owner-only) the file at `path`, refusing anything that is not a guichet
/// file of a schema this binary knows, then migrates it. An encrypted file asks for its
/// passphrase (see `cipher.rs`); `new_key` encrypts a file created here. A file found damaged
/// is opened read-only (see `health.rs`).
pub(super) fn open_file(path: &Path, new_key: Option<&str>) -> Result<Opened> {
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
    }
    let key = match new_key {
        Some(k) if fresh => Some(k.to_string()),
        _ if !fresh => key_of_existing(path)?,
        _ => None,
    };
    // The schema version the file was found at (none for a new file).
    let version = if fresh {
        None
    } else {
        let version = inspect_with(path, false, key.as_deref())?;
        check_mode(path)?;
        Some(version)
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::fault(path, Error::Sql(e)))?;
    super::cipher::unlock(&conn, key.as_deref(), path)?;
    configure(&conn).map_err(|e| Error::fault(path, e))?;
    super::cipher::no_mmap(&conn, key.is_some())?;
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let damage = super::health::recorded_damage(path).or_else(|| {
        (!fresh)
            .then(|| super::health::check_at_open(&conn, size))
            .flatten()
    });
    if let Some(why) = damage {
        if super::health::recorded_damage(path).is_none() {
            super::health::record_damage(path, &why);
        }
        drop(conn);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        super::cipher::unlock(&conn, key.as_deref(), path)?;
        configure_read_only(&conn)?;
        super::cipher::no_mmap(&conn, key.is_some())?;
        return Ok(Opened {
            conn,
            key,
            damage: Some(why),
        });
    }
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        // Readable but not writable: fine for lists and reports, refused at the first write —
        // if its schema is this program's. An older one cannot be brought up to date here, and
        // its lists, counts and reports would read tables and counts it does not have yet.
        if let Some(version) = version.filter(|v| *v < SCHEMA_VERSION) {
            return Err(Error::File {
                path: path.to_path_buf(),
                why: format!(
                    "fichier en lecture seule, d'une version antérieure du programme (schéma \
                     {version}, ce programme lit le schéma {SCHEMA_VERSION}) : ouvrez-le une fois \
                     là où il peut être écrit, pour le mettre à jour, ou lisez-en une copie"
                ),
            });
        }
        return Ok(Opened {
            conn,
            key,
            damage: None,
        });
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| Error::fault(path, Error::Sql(e)))?;
    if let Some(v) = version.filter(|v| *v < SCHEMA_VERSION)
        && size > BIG_FILE
    {
        // Some migrations rebuild an index: on a large file, minutes. Said before, on stderr
        // (scripts read stdout), so that nobody thinks the program hangs and kills it.
        eprintln!(
            "Mise à jour du fichier {} (version {v} → {SCHEMA_VERSION}) : cela peut prendre \
             quelques minutes ; une interruption ne perd rien (elle reprend à l'ouverture \
             suivante).",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    migrate(&conn).map_err(|e| Error::fault(path, e))?;
    Ok(Opened {
        conn,
        key,
        damage: None,
    })
}

/// A file above this size is told its migration may take a while (100 MB: about 40,000
/// requests).
const BIG_FILE: u64 = 100 * 1024 * 1024;

/// A connection opened by [`open_file`].
pub(super) struct Opened {
    pub conn: Connection,
    /// The passphrase of an encrypted file, in memory for this run only.
    pub key: Option<String>,
    /// Why the file is considered damaged (it is then open read-only).
    pub damage: Option<String>,
}

/// The passphrase of an existing file that looks encrypted (asked once per file and run);
/// `None` for a plain file.
pub(crate) fn key_of_existing(path: &Path) -> Result<Option<String>> {
    if super::cipher::looks_encrypted(path) {
        super::cipher::passphrase(path, false).map(Some)
    } else {
        Ok(None)
    }
}

/// File modes (decided: refuse, never change a mode behind the user's back). A file readable
/// or writable by others is refused with the `chmod` to run; one open to its group is accepted
/// only in a shared team folder — a set-group-id folder (`chmod 2770`), see the README. SQLite
/// gives the `-wal` and `-shm` companions the file's own mode, so they follow: 0600 for a
/// private file whatever the umask, 0660 in a team folder; companions left broader by an older
/// version are narrowed.
#[cfg(unix)]
fn check_mode(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o7777;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let team_folder = std::fs::metadata(dir)
        .is_ok_and(|m| m.permissions().mode() & 0o2000 != 0 && m.permissions().mode() & 0o007 == 0);
    let quoted = format!("'{}'", path.display().to_string().replace('\'', "'\\''"));
    if mode & 0o007 != 0 || (mode & 0o070 != 0 && !team_folder) {
        return Err(Error::File {
            path: path.to_path_buf(),
            why: format!(
                "le fichier est lisible par d'autres utilisateurs (mode {mode:04o}) : il n'a pas \
                 été ouvert. Rendez-le privé : chmod 600 {quoted} (ou, pour une équipe, voir « \
                 Dossier partagé » dans le README)"
            ),
        });
    }
    let allowed = mode & 0o660;
    for companion in ["-wal", "-shm"] {
        let mut c = path.as_os_str().to_os_string();
        c.push(companion);
        if let Ok(m) = std::fs::metadata(&c)
            && m.permissions().mode() & 0o777 & !allowed != 0
        {
            let _ = std::fs::set_permissions(&c, std::fs::Permissions::from_mode(allowed));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path) -> Result<()> {
    Ok(())
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
        why: format!(
            "impossible de créer le fichier : {}",
            crate::error::io_words(&e)
        ),
    })?;
    // An empty file found there (created by hand, any mode) becomes private too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Recognises a file that is not ours to change (a laptop file to merge, a copy to restore, a
/// file refused): read through an immutable connection, so nothing — not even a `-wal` or
/// `-shm` — is written beside it, and a file on a write-protected key can be read.
/// An encrypted one is read with its passphrase.
pub(crate) fn inspect(path: &Path) -> Result<()> {
    let key = key_of_existing(path)?;
    inspect_with(path, true, key.as_deref()).map(|_| ())
}

/// A file that is not ours to change (a laptop file, a copy) recognised by [`inspect`] and
/// opened read-only without anything written beside it ([`open_immutable`]), keyed if it is
/// encrypted. Returns the connection and the passphrase in use.
pub(crate) fn open_foreign(path: &Path) -> Result<(Connection, Option<String>)> {
    let key = key_of_existing(path)?;
    inspect_with(path, true, key.as_deref())?;
    let conn = open_immutable_keyed(path, key.as_deref())?;
    configure_read_only(&conn)?;
    super::cipher::no_mmap(&conn, key.is_some())?;
    Ok((conn, key))
}

/// Recognises an existing file without writing to it: first its header bytes (so a CSV or random
/// bytes never reach SQLite), then its application id and schema version on a read-only
/// connection.
/// `immutable` for a file that is not ours to change (nothing written beside it); a plain
/// read-only connection for the office file others may be writing.
/// An encrypted file (a `key` given) is recognised by its first page read with the passphrase.
/// Returns the file's schema version.
fn inspect_with(path: &Path, immutable: bool, key: Option<&str>) -> Result<i64> {
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
    if key.is_none() && (n < 100 || &header[..16] != b"SQLite format 3\0") {
        return Err(not_guichet("ce n'est pas une base SQLite"));
    }
    let conn = if immutable {
        open_immutable_keyed(path, key)?
    } else {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        super::cipher::unlock(&conn, key, path)?;
        conn
    };
    configure_read_only(&conn)?;
    super::cipher::no_mmap(&conn, key.is_some())?;
    let read = || -> rusqlite::Result<(i32, i64, i64)> {
        let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, tables))
    };
    // Reading the schema here (counting its tables) is also the first check of a damaged file,
    // named with its advice: keep it even where the count is not needed.
    let (app, version, tables) = read().map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            Error::Busy
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
            ) =>
        {
            Error::DamagedFile {
                path: path.to_path_buf(),
                why: super::health::UNREADABLE.into(),
                advice: "Restaurez votre dernière copie vérifiée, interface fermée sur tous \
                         les postes : guichet restore COPIE"
                    .into(),
            }
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::PermissionDenied
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            // A fault of the disk or the medium, not of the file: say it as such.
            Error::fault(path, Error::Sql(e))
        }
        e => not_guichet(&format!("base illisible : {e}")),
    })?;
    if app == 0 && version == 0 && tables == 0 {
        return Ok(0); // an empty SQLite file: ours to initialise
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
    Ok(version)
}

/// Opens a file to read it only, never writing beside it (no `-wal`, no `-shm`): `immutable`
/// tells SQLite nobody changes it while it is open, so it reads from a write-protected key.
/// For foreign, refused, merged and backup files — never for the office file others write.
/// A file whose `-wal` still holds changes (a laptop whose program was killed) is opened
/// plainly read-only instead, so those changes are read. An encrypted file asks for its
/// passphrase (once per file and run).
pub fn open_immutable(path: &Path) -> Result<Connection> {
    let key = key_of_existing(path)?;
    open_immutable_keyed(path, key.as_deref())
}

/// [`open_immutable`] with the passphrase already known (`None`: a plain file); the
/// connection is keyed and the passphrase checked before anything else reads the file.
pub(crate) fn open_immutable_keyed(path: &Path, key: Option<&str>) -> Result<Connection> {
    let mut wal = path.as_os_str().to_os_string();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        super::cipher::unlock(&conn, key, path)?;
        conn.pragma_update(None, "trusted_schema", "OFF")?;
        return Ok(conn);
    }
    let abs = std::path::absolute(path)?;
    let mut uri = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::File {
        path: path.to_path_buf(),
        why: Error::Sql(e).to_string(),
    })?;
    super::cipher::unlock(&conn, key, path)?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    Ok(conn)
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
    super::busy::wait_politely(conn)?;
    // Reads through a memory map: long lists and reports spend far less time in system calls.
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    // Sorts of long lists stay in memory instead of spilling to a temporary file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Deleted and overwritten content is zeroed, so anonymised values leave no trace in free
    // space (the WAL is truncated by the anonymisation itself).
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

pub(super) fn configure_read_only(conn: &Connection) -> Result<()> {
    super::busy::wait_politely(conn)?;
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
        // A migration that replaces the search index asks for its documents to be rebuilt.
        if tx
            .query_row(
                "SELECT 1 FROM meta WHERE key = 'search_rebuild'",
                [],
                |_| Ok(()),
            )
            .is_ok()
        {
            super::search::rebuild_all(&tx)?;
            tx.execute("DELETE FROM meta WHERE key = 'search_rebuild'", [])?;
        }
        // Once the chains exist (the personal-data migration and every later one), rows written
        // before them, by the seed or by the migration itself are sealed in its transaction.
        if tx
            .query_row(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'access_log'",
                [],
                |_| Ok(()),
            )
            .is_ok()
        {
            super::chain::seal(&tx)?;
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
