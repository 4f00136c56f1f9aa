//! `guichet backup` and `guichet restore`: the words around the store's verified copies.

use crate::cli::{Cli, db_path};
use crate::error::{Error, Result};
use crate::store::Store;
use std::io::Write;
use std::path::Path;

/// `guichet backup OUT [--force] [--garder N] [--chaque-jour]`.
pub fn backup(
    store: &mut Store,
    path: &Path,
    force: bool,
    keep: Option<usize>,
    daily: bool,
    out: &mut dyn Write,
) -> Result<()> {
    if path.is_dir() {
        let r = store.backup_rotating(path, keep)?;
        writeln!(
            out,
            "Copie vérifiée : {} ({} demandes)",
            r.path.display(),
            r.requests()
        )?;
        if !r.removed.is_empty() {
            writeln!(
                out,
                "{} copie(s) plus ancienne(s) supprimée(s) (--garder {}).",
                r.removed.len(),
                keep.unwrap_or_default()
            )?;
        }
        if daily {
            store.set_daily_backup(path, keep)?;
            writeln!(
                out,
                "L'interface fera une copie vérifiée par jour dans {} à son ouverture.",
                path.display()
            )?;
        }
        return Ok(());
    }
    if keep.is_some() || daily {
        return Err(Error::File {
            path: path.to_path_buf(),
            why: "--garder et --chaque-jour demandent un dossier existant".into(),
        });
    }
    if path.exists() && !force {
        return Err(Error::File {
            path: path.to_path_buf(),
            why: "le fichier existe déjà (--force pour le remplacer)".into(),
        });
    }
    let r = store.backup(path)?;
    store.remember_backup(path);
    writeln!(
        out,
        "Copie vérifiée : {} ({} demandes)",
        path.display(),
        r.requests()
    )?;
    Ok(())
}

/// `guichet restore BACKUP`.
pub fn restore(cli: &Cli, backup: &Path, out: &mut dyn Write) -> Result<()> {
    let db = db_path(cli)?;
    if !backup.is_file() {
        return Err(Error::File {
            path: backup.to_path_buf(),
            why: "copie introuvable".into(),
        });
    }
    let r = crate::store::restore(backup, &db)?;
    let requests = r
        .counts
        .iter()
        .find(|(t, _)| t == "request")
        .map_or(0, |c| c.1);
    writeln!(
        out,
        "Fichier restauré : {} depuis la copie vérifiée {} ({requests} demandes).",
        db.display(),
        backup.display()
    )?;
    if let Some(aside) = r.kept_aside {
        writeln!(
            out,
            "L'ancien fichier est gardé, jamais supprimé : {}",
            aside.display()
        )?;
    }
    Ok(())
}
