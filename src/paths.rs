//! Where guichet's files are (the data file, exports, the settings), and opening the file for
//! the interface and the command line alike.

use crate::error::{Error, Result};
use crate::store::Store;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

fn project_dirs() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("fr", "guichet", "guichet").ok_or_else(|| {
        Error::input("impossible de trouver le dossier de données : précisez --db FICHIER")
    })
}

/// `guichet.sqlite3` in the platform data directory (created, owner only).
pub fn default_db_path() -> Result<PathBuf> {
    let dirs = project_dirs()?;
    let dir = dirs.data_dir();
    create_private_dir(dir)?;
    Ok(dir.join("guichet.sqlite3"))
}

/// Where `x` writes exports: `exports` beside the default file.
pub fn export_dir() -> Result<PathBuf> {
    Ok(default_db_path()?
        .parent()
        .map(|p| p.join("exports"))
        .unwrap_or_else(|| PathBuf::from("exports")))
}

/// The interface's settings file in the platform configuration directory
/// (`~/.config/guichet/reglages.txt` under Linux).
pub fn settings_path() -> Result<PathBuf> {
    Ok(project_dirs()?.config_dir().join("reglages.txt"))
}

pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| Error::File {
        path: dir.to_path_buf(),
        why: format!("impossible de créer le dossier : {e}"),
    })
}

/// "Today" for the whole run: `GUICHET_TODAY` (AAAA-MM-JJ; tests, demos) or the local date.
pub fn today_override() -> Result<Option<NaiveDate>> {
    match std::env::var("GUICHET_TODAY") {
        Ok(s) if !s.is_empty() => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::input(format!("GUICHET_TODAY invalide : « {s} » (AAAA-MM-JJ)"))),
        _ => Ok(None),
    }
}

/// Opens the file (`db`, else the default one), signed by `me`, with `GUICHET_TODAY` applied.
pub fn open_store(db: Option<&Path>, me: Option<&str>) -> Result<Store> {
    let path = match db {
        Some(p) => p.to_path_buf(),
        None => default_db_path()?,
    };
    let mut store = Store::open(&path)?;
    if let Some(me) = me {
        store.ctx.actor = me.to_string();
    }
    if let Some(today) = today_override()? {
        store.set_today(today);
    }
    Ok(store)
}
