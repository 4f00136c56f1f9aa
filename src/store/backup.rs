//! Verified copies while people work, rotation, the daily copy, and putting a copy back.
//!
//! - A copy is taken inside one read transaction: the row counts it is checked against are
//!   those of the very snapshot copied, so colleagues may write meanwhile.
//! - It is written under a hidden temporary name (`.NAME.guichet-tmp-PID`) and renamed once
//!   verified; a temporary left by a killed run is removed by the next copy into that folder
//!   (and by the next opening of a file in the folder of the database).
//! - `restore` verifies the copy, keeps the current file aside (`NAME.abime-…`), never deletes it.

use super::cipher;
use super::migrate::open_immutable_keyed;
use super::{Store, counts_of, create_private_file};
use crate::error::{Error, Result};
use chrono::Local;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub counts: Vec<(String, i64)>,
    /// Older copies removed by the rotation.
    pub removed: Vec<PathBuf>,
}

impl BackupReport {
    pub fn requests(&self) -> i64 {
        self.counts
            .iter()
            .find(|(t, _)| t == "request")
            .map_or(0, |c| c.1)
    }
}

/// Names of the copies a rotation manages: `guichet-AAAAMMJJ-HHMMSS.sqlite3`.
const ROTATION_PREFIX: &str = "guichet-";
const ROTATION_SUFFIX: &str = ".sqlite3";
const TEMP_MARK: &str = ".guichet-tmp-";

/// `meta` keys of the daily copy and of the newest verified copy.
const META_DIR: &str = "backup.dir";
const META_KEEP: &str = "backup.keep";
const META_LAST: &str = "backup.last";

/// A path as it can be pasted into a shell: in single quotes unless it is plain.
pub fn shell_quoted(path: &Path) -> String {
    let s = path.display().to_string();
    if s.chars()
        .all(|c| c.is_alphanumeric() || "/._-+,:@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The folder a file is to be written in exists: else an error said of the path the agent
/// typed, never of the hidden temporary name beside it. "…/copies/" names a folder (the
/// file's name would go in it): that folder must exist.
pub(super) fn check_folder(out: &Path) -> Result<()> {
    let typed = out.as_os_str().to_string_lossy();
    let folder = match typed.strip_suffix(std::path::MAIN_SEPARATOR) {
        Some(f) if !f.is_empty() => PathBuf::from(f),
        _ => parent_of(out),
    };
    if folder.is_dir() {
        return Ok(());
    }
    Err(Error::File {
        path: out.to_path_buf(),
        why: if folder.exists() {
            format!("{} n'est pas un dossier", folder.display())
        } else {
            format!(
                "le dossier {} n'existe pas (créez-le d'abord : mkdir -p {})",
                folder.display(),
                shell_quoted(&folder)
            )
        },
    })
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(super) fn temp_sibling(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    out.with_file_name(format!(".{name}{TEMP_MARK}{}", std::process::id()))
}

fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}

/// Removes the temporaries that killed runs left in `dir` (their process is gone). Returns
/// how many were removed.
pub fn clean_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((_, tail)) = name.split_once(TEMP_MARK) else {
            continue;
        };
        if !name.starts_with('.') {
            continue;
        }
        let pid: String = tail.chars().take_while(char::is_ascii_digit).collect();
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id()
            && !process_alive(pid)
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "stale backup temporaries removed");
    }
    removed
}

fn remove_companions(path: &Path) {
    for companion in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(companion);
        let _ = std::fs::remove_file(p);
    }
}

/// `PRAGMA integrity_check` of a copy, read without writing beside it (with its passphrase
/// when it is encrypted).
fn verify_copy(path: &Path, key: Option<&str>) -> Result<Vec<(String, i64)>> {
    let copy = open_immutable_keyed(path, key)?;
    let integrity: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| Error::input(format!("la copie est illisible : {e}")))?;
    if integrity != "ok" {
        return Err(Error::input(format!(
            "la copie n'a pas passé le contrôle d'intégrité : {integrity}"
        )));
    }
    let app: i32 = copy.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app != super::APPLICATION_ID {
        return Err(Error::NotGuichet {
            path: path.to_path_buf(),
            why: "base SQLite d'un autre programme".into(),
        });
    }
    counts_of(&copy)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

impl Store {
    /// A verified copy through SQLite's online backup API (never a file copy), taken in one read
    /// transaction, written under a temporary name, checked (integrity, identity, the row
    /// counts of the snapshot copied), then renamed to `out`.
    pub fn backup(&self, out: &Path) -> Result<BackupReport> {
        let dir = parent_of(out);
        check_folder(out)?;
        clean_stale_temps(&dir);
        let tmp = temp_sibling(out);
        let _ = std::fs::remove_file(&tmp);
        remove_companions(&tmp);
        create_private_file(&tmp)?;
        let result = (|| {
            let original = {
                // One snapshot for the counts and the pages: the read transaction starts with
                // the first count and lasts until the copy is done.
                let snapshot = self.conn.unchecked_transaction()?;
                let original = counts_of(&snapshot)?;
                let mut dst = Connection::open(&tmp)?;
                // An encrypted file's copy is encrypted with the same passphrase.
                if let Some(k) = &self.key {
                    cipher::apply(&dst, k)?;
                }
                dst.pragma_update(None, "journal_mode", "MEMORY")?;
                {
                    let b = rusqlite::backup::Backup::new(&self.conn, &mut dst)?;
                    b.step(-1)?;
                }
                // The copy inherits WAL mode; a backup is one self-contained file.
                dst.pragma_update(None, "journal_mode", "DELETE")?;
                drop(dst);
                snapshot.rollback()?;
                original
            };
            remove_companions(&tmp);
            let copied = verify_copy(&tmp, self.key.as_deref())?;
            if original != copied {
                return Err(Error::input(
                    "la copie ne contient pas le même nombre d'enregistrements que l'instantané copié",
                ));
            }
            std::fs::File::open(&tmp)?.sync_all()?;
            Ok(copied)
        })();
        match result {
            Ok(counts) => {
                std::fs::rename(&tmp, out).map_err(|e| Error::File {
                    path: out.to_path_buf(),
                    why: format!("impossible de mettre la copie en place : {e}"),
                })?;
                remove_companions(&tmp);
                sync_dir(&dir);
                tracing::info!("verified backup written");
                Ok(BackupReport {
                    path: out.to_path_buf(),
                    counts,
                    removed: Vec::new(),
                })
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                remove_companions(&tmp);
                Err(e)
            }
        }
    }

    /// A copy into `dir` named by the current time, then the `keep` newest copies of the
    /// rotation kept (older `guichet-*.sqlite3` files of the folder removed).
    pub fn backup_rotating(&mut self, dir: &Path, keep: Option<usize>) -> Result<BackupReport> {
        if !dir.is_dir() {
            return Err(Error::File {
                path: dir.to_path_buf(),
                why: "ce dossier n'existe pas (--garder demande un dossier)".into(),
            });
        }
        if keep == Some(0) {
            return Err(Error::input("--garder : au moins 1"));
        }
        let stamp = Local::now().format("%Y%m%d-%H%M%S").to_string();
        let mut out = dir.join(format!("{ROTATION_PREFIX}{stamp}{ROTATION_SUFFIX}"));
        let mut n = 2;
        while out.exists() {
            out = dir.join(format!("{ROTATION_PREFIX}{stamp}-{n}{ROTATION_SUFFIX}"));
            n += 1;
        }
        let mut report = self.backup(&out)?;
        if let Some(keep) = keep {
            let mut copies = rotation_copies(dir);
            copies.sort_by_key(|p| rotation_order(p));
            let excess = copies.len().saturating_sub(keep);
            for old in copies.into_iter().take(excess) {
                if std::fs::remove_file(&old).is_ok() {
                    report.removed.push(old);
                }
            }
        }
        self.remember_backup(&report.path);
        Ok(report)
    }

    /// Records the newest verified copy, named when the file is found damaged. A file that
    /// cannot be written (read-only medium) simply does not remember it.
    pub fn remember_backup(&mut self, path: &Path) {
        let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let value = full.to_string_lossy().into_owned();
        if self.damage.is_none() && !self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
            let _ = self.write(|tx, _| {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [META_LAST, value.as_str()],
                )?;
                Ok(())
            });
        }
    }

    /// The newest verified copy this file knows of.
    pub fn last_backup(&self) -> Option<PathBuf> {
        self.meta(META_LAST).ok().flatten().map(PathBuf::from)
    }

    /// Sets the folder of the daily copy made when the interface opens, and how many to keep.
    pub fn set_daily_backup(&mut self, dir: &Path, keep: Option<usize>) -> Result<()> {
        let full = std::path::absolute(dir)?;
        let dir = full.to_string_lossy().into_owned();
        let keep = keep.map(|k| k.to_string()).unwrap_or_default();
        self.write(|tx, ctx| {
            for (k, v) in [(META_DIR, dir.as_str()), (META_KEEP, keep.as_str())] {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [k, v],
                )?;
                super::history::record(tx, ctx, "meta", k, "value", None, Some(v))?;
            }
            Ok(())
        })
    }

    /// What the interface says when it opens: a damaged file (an error), else the result of
    /// the daily copy. `(text, is_error)`. (The daily check: [`Store::start_daily_check`].)
    pub fn startup_notice(&mut self) -> Option<(String, bool)> {
        if let Some(why) = self.damage.clone() {
            return Some((self.damaged_error(why).to_string(), true));
        }
        self.daily_backup()
            .map(|text| (text.clone(), text.contains("impossible")))
    }

    /// The daily copy: when a backup folder is set and it holds no copy of today, makes one
    /// (with the rotation). Returns a French sentence for the status line, `None` when there
    /// was nothing to do. Called by the interface when it opens.
    pub fn daily_backup(&mut self) -> Option<String> {
        let dir = PathBuf::from(self.meta(META_DIR).ok().flatten()?);
        if self.damage.is_some() {
            return None;
        }
        let keep = self
            .meta(META_KEEP)
            .ok()
            .flatten()
            .and_then(|k| k.parse().ok());
        let today = Local::now().format("%Y%m%d").to_string();
        clean_stale_temps(&dir);
        let done_today = rotation_copies(&dir).iter().any(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .starts_with(&format!("{ROTATION_PREFIX}{today}"))
            })
        });
        if done_today {
            return None;
        }
        Some(match self.backup_rotating(&dir, keep) {
            Ok(r) => format!("Sauvegarde du jour vérifiée : {}", r.path.display()),
            Err(e) => {
                tracing::warn!("daily backup failed");
                format!("Sauvegarde du jour impossible : {e}")
            }
        })
    }
}

/// Oldest first: the time stamp, then the number added when two copies share a second.
fn rotation_order(path: &Path) -> (String, u32) {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let stem = name
        .trim_start_matches(ROTATION_PREFIX)
        .trim_end_matches(ROTATION_SUFFIX);
    match stem.get(15..).and_then(|t| t.strip_prefix('-')) {
        Some(n) => (stem[..15].to_string(), n.parse().unwrap_or(u32::MAX)),
        None => (stem.to_string(), 1),
    }
}

fn rotation_copies(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(ROTATION_PREFIX)
                && n.ends_with(ROTATION_SUFFIX)
                && n[ROTATION_PREFIX.len()..n.len() - ROTATION_SUFFIX.len()]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '-')
        })
        .map(|e| e.path())
        .collect()
}

/// What `restore` did.
#[derive(Debug)]
pub struct Restored {
    pub counts: Vec<(String, i64)>,
    /// Where the file that was replaced now lies (never deleted).
    pub kept_aside: Option<PathBuf>,
}

/// Puts the verified copy `backup` in place of the file at `db`: the copy is checked, written
/// beside `db` under a temporary name and checked again; the current file (and its companions)
/// is renamed `NAME.abime-AAAAMMJJ-HHMMSS`, then the copy takes its name. Run with every
/// interface closed.
pub fn restore(backup: &Path, db: &Path) -> Result<Restored> {
    let key = super::migrate::key_of_existing(backup)?;
    super::migrate::inspect(backup)?;
    verify_copy(backup, key.as_deref())?;
    let dir = parent_of(db);
    clean_stale_temps(&dir);
    let tmp = temp_sibling(db);
    let result = (|| {
        let mut src = std::fs::File::open(backup)?;
        let mut dst = create_private_file(&tmp)?;
        std::io::copy(&mut src, &mut dst).map_err(|e| super::io_error(&tmp, e))?;
        dst.sync_all()?;
        verify_copy(&tmp, key.as_deref())
    })();
    let counts = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let mut kept_aside = None;
    if db.exists() {
        let name = db.file_name().unwrap_or_default().to_string_lossy();
        let stamp = Local::now().format("%Y%m%d-%H%M%S");
        let aside = db.with_file_name(format!("{name}.abime-{stamp}"));
        std::fs::rename(db, &aside).map_err(|e| super::io_error(db, e))?;
        for companion in ["-wal", "-shm"] {
            let mut from = db.as_os_str().to_os_string();
            from.push(companion);
            let mut to = aside.as_os_str().to_os_string();
            to.push(companion);
            let _ = std::fs::rename(from, to);
        }
        kept_aside = Some(aside);
    }
    std::fs::rename(&tmp, db).map_err(|e| super::io_error(db, e))?;
    let _ = std::fs::remove_file(super::health::damage_marker(db));
    sync_dir(&dir);
    tracing::info!("file restored from a verified backup");
    Ok(Restored { counts, kept_aside })
}

/// Encrypted files (see `cipher.rs`): a copy encrypted, the file encrypted or decrypted in place.
impl Store {
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// A copy of this file at `out` (which must not exist), encrypted with `key`.
    pub fn export_encrypted(&self, out: &Path, key: &str) -> Result<()> {
        cipher::export(&self.conn, out, Some(key)).inspect_err(|_| {
            let _ = std::fs::remove_file(out);
        })
    }

    /// Encrypts this file with `key`, or decrypts it (`None`), in place: a verified copy
    /// (integrity, same row counts, readable with the new passphrase) replaces the file. Every
    /// other program must have closed it. Returns the row counts of the new file.
    pub fn change_encryption(self, key: Option<&str>) -> Result<Vec<(String, i64)>> {
        let path = self
            .path
            .clone()
            .ok_or_else(|| Error::input("pas de fichier"))?;
        if key.is_some() == self.key.is_some() {
            return Err(Error::input(if key.is_some() {
                "le fichier est déjà chiffré"
            } else {
                "le fichier n'est pas chiffré"
            }));
        }
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            return Err(Error::Busy);
        }
        let tmp = temp_sibling(&path);
        let _ = std::fs::remove_file(&tmp);
        let result = (|| -> Result<Vec<(String, i64)>> {
            cipher::export(&self.conn, &tmp, key)?;
            let copy = Connection::open(&tmp)?;
            if let Some(k) = key {
                cipher::apply(&copy, k)?;
                cipher::verify(&copy, &tmp)?;
            }
            let integrity: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            let counts = counts_of(&copy)?;
            if integrity != "ok" || counts != self.counts()? {
                return Err(Error::input(
                    "la copie chiffrée n'a pas passé le contrôle : le fichier n'a pas été modifié",
                ));
            }
            Ok(counts)
        })();
        match result {
            Ok(counts) => {
                drop(self);
                std::fs::rename(&tmp, &path)?;
                if let Some(k) = key {
                    cipher::remember(&path, k);
                }
                Ok(counts)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }
}
