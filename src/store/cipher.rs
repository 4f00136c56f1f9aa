//! Encrypted files (SQLCipher): a salon laptop's file (`salon prepare --chiffrer`) or the
//! office file (`guichet encrypt`). The passphrase comes from `GUICHET_PASSPHRASE`, else it is
//! asked on the terminal without echo; it is kept in memory for the run only, never written,
//! never logged. A wrong passphrase changes nothing: SQLite cannot read the first page, so it
//! writes nothing either (no `-wal` is created).

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Set while the terminal interface owns the terminal: a passphrase cannot be typed then.
static NO_PROMPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Called by the interface before it takes the terminal: from then on an encrypted file whose
/// passphrase was not given (`GUICHET_PASSPHRASE`) is refused with a clear message instead.
pub fn no_prompt_from_now() {
    NO_PROMPT.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Passphrases given during this run, by file (asked once per file).
static GIVEN: Mutex<Option<HashMap<PathBuf, String>>> = Mutex::new(None);

/// True when the file is not plain SQLite but has the shape of an encrypted database: whole
/// pages of what looks like random bytes (a CSV or a text file is never a multiple of 512).
pub(crate) fn looks_encrypted(path: &Path) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut header = [0u8; 16];
    len >= 1024 && len % 512 == 0 && f.read_exact(&mut header).is_ok() && &header != MAGIC
}

/// Whether this binary can read and write encrypted files.
pub fn available() -> bool {
    Connection::open_in_memory()
        .and_then(|c| c.query_row("PRAGMA cipher_version", [], |r| r.get::<_, String>(0)))
        .is_ok()
}

fn key_of(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The passphrase of `path`: given earlier in this run, else `GUICHET_PASSPHRASE`, else asked
/// on the terminal. `confirm` asks twice (a new encrypted file).
pub fn passphrase(path: &Path, confirm: bool) -> Result<String> {
    if let Some(p) = GIVEN
        .lock()
        .ok()
        .and_then(|g| g.as_ref().and_then(|m| m.get(&key_of(path)).cloned()))
    {
        return Ok(p);
    }
    let pass = match std::env::var("GUICHET_PASSPHRASE") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let p = ask(&format!(
                "Phrase de passe de {} : ",
                path.file_name().unwrap_or_default().to_string_lossy()
            ))?;
            if confirm && ask("La même, encore une fois : ")? != p {
                return Err(Error::input(
                    "les deux phrases de passe diffèrent : rien n'a été écrit",
                ));
            }
            p
        }
    };
    if pass.chars().count() < 8 {
        return Err(Error::input(
            "la phrase de passe doit compter au moins 8 caractères",
        ));
    }
    remember(path, &pass);
    Ok(pass)
}

/// A passphrase typed in the interface for `path` (a salon laptop's file to merge): used by
/// the next opening of that file instead of asking on the terminal.
pub fn give(path: &Path, pass: &str) {
    remember(path, pass);
}

/// Forgets the passphrase given for `path` (it was wrong: the agent types it again).
pub fn forget(path: &Path) {
    if let Ok(mut g) = GIVEN.lock()
        && let Some(m) = g.as_mut()
    {
        m.remove(&key_of(path));
    }
}

/// Whether `path` is an encrypted file (its passphrase will be needed).
pub fn is_encrypted(path: &Path) -> bool {
    looks_encrypted(path)
}

pub(super) fn remember(path: &Path, pass: &str) {
    if let Ok(mut g) = GIVEN.lock() {
        g.get_or_insert_with(HashMap::new)
            .insert(key_of(path), pass.to_string());
    }
}

/// Reads a line from the terminal with echo off.
fn ask(prompt: &str) -> Result<String> {
    let no_terminal = || {
        Error::input(
            "ce fichier est chiffré : donnez sa phrase de passe dans GUICHET_PASSPHRASE \
             (pas de terminal pour la demander)",
        )
    };
    if NO_PROMPT.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(no_terminal());
    }
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_terminal())?;
    let mut out = &tty;
    out.write_all(prompt.as_bytes())?;
    out.flush()?;
    let restore = echo_off(&tty);
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    if let Some(restore) = restore {
        restore();
    }
    out.write_all(b"\n")?;
    read?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Turns the terminal's echo off; the returned closure turns it back on.
#[cfg(unix)]
fn echo_off(tty: &std::fs::File) -> Option<impl FnOnce()> {
    use std::os::unix::io::AsRawFd;
    let fd = tty.as_raw_fd();
    // SAFETY: tcgetattr/tcsetattr only read and write the termios struct we own, on a file
    // descriptor that stays open for the closure's lifetime (it borrows `tty`'s fd number and
    // is called before `tty` is dropped).
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut t) != 0 {
            return None;
        }
        let saved = t;
        t.c_lflag &= !libc::ECHO;
        libc::tcsetattr(fd, libc::TCSANOW, &t);
        Some(move || {
            libc::tcsetattr(fd, libc::TCSANOW, &saved);
        })
    }
}

#[cfg(not(unix))]
fn echo_off(_tty: &std::fs::File) -> Option<impl FnOnce()> {
    None::<fn()>
}

/// Keys a connection; the first read then tells whether the passphrase is right. Memory-mapped
/// I/O stays off on an encrypted file: with it, SQLCipher writes a zero salt.
pub(crate) fn apply(conn: &Connection, pass: &str) -> Result<()> {
    if !available() {
        return Err(Error::input(
            "ce fichier est chiffré et cette version de guichet ne sait pas lire les fichiers chiffrés",
        ));
    }
    // SQLCipher would otherwise print its own messages on a wrong key.
    let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
    conn.pragma_update(None, "key", pass)?;
    conn.pragma_update(None, "mmap_size", 0)?;
    Ok(())
}

/// Memory-mapped I/O off again after the connection's settings, on an encrypted file (see
/// [`apply`]).
pub(crate) fn no_mmap(conn: &Connection, encrypted: bool) -> Result<()> {
    if encrypted {
        conn.pragma_update(None, "mmap_size", 0)?;
    }
    Ok(())
}

/// Keys a new connection (before anything reads the file) with the passphrase of an encrypted
/// file, if any, and checks it at once.
pub(crate) fn unlock(conn: &Connection, key: Option<&str>, path: &Path) -> Result<()> {
    match key {
        Some(k) => {
            apply(conn, k)?;
            verify(conn, path)
        }
        None => Ok(()),
    }
}

/// Reads the first page: a wrong passphrase is refused here, before anything is written.
pub(crate) fn verify(conn: &Connection, path: &Path) -> Result<()> {
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            if let Ok(mut g) = GIVEN.lock()
                && let Some(m) = g.as_mut()
            {
                m.remove(&key_of(path));
            }
            Err(Error::File {
                path: path.to_path_buf(),
                why: "phrase de passe incorrecte (ou fichier qui n'est pas un fichier guichet) : \
                      le fichier n'a pas été modifié"
                    .into(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Copies the database on `conn` into a new file `out`, encrypted with `key` (or plain with
/// `None`): SQLCipher's `sqlcipher_export`, since the backup API cannot change a key. The copy
/// keeps the file's identity and schema version.
pub(crate) fn export(conn: &Connection, out: &Path, key: Option<&str>) -> Result<()> {
    if !available() {
        return Err(Error::input(
            "cette version de guichet ne sait pas chiffrer (construite sans SQLCipher)",
        ));
    }
    super::create_private_file(out)?;
    let out_str = out.to_str().ok_or_else(|| Error::File {
        path: out.to_path_buf(),
        why: "chemin illisible".into(),
    })?;
    conn.execute(
        "ATTACH DATABASE ?1 AS guichet_copy KEY ?2",
        rusqlite::params![out_str, key.unwrap_or("")],
    )?;
    conn.execute_batch("PRAGMA guichet_copy.mmap_size = 0")?;
    let result = (|| -> Result<()> {
        conn.query_row("SELECT sqlcipher_export('guichet_copy')", [], |_| Ok(()))?;
        let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
        let app: i64 = conn.query_row("PRAGMA main.application_id", [], |r| r.get(0))?;
        conn.execute_batch(&format!(
            "PRAGMA guichet_copy.user_version = {version}; \
             PRAGMA guichet_copy.application_id = {app};"
        ))?;
        Ok(())
    })();
    conn.execute_batch("DETACH DATABASE guichet_copy")?;
    if let Some(k) = key {
        remember(out, k);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(path: &Path) -> Vec<u8> {
        std::fs::read(path).unwrap()[..16].to_vec()
    }

    #[test]
    fn encrypted_files_start_with_a_random_salt() {
        let dir = tempfile::tempdir().unwrap();
        let mut heads = Vec::new();
        for i in 0..2 {
            let p = dir.path().join(format!("{i}.db"));
            drop(crate::store::Store::open_keyed(&p, Some("une phrase de passe")).unwrap());
            heads.push(header(&p));
        }
        let office = crate::store::Store::open(&dir.path().join("office.db")).unwrap();
        let copy = dir.path().join("copy.db");
        office
            .export_encrypted(&copy, "une phrase de passe")
            .unwrap();
        heads.push(header(&copy));
        assert!(
            heads
                .iter()
                .all(|h| h != &vec![0u8; 16] && h.as_slice() != MAGIC),
            "{heads:?}"
        );
        assert_ne!(heads[0], heads[1]);
    }
}
