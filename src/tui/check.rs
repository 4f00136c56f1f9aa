//! The daily full check of the file, running in the background while the interface is open: its
//! progress and its verdict in the status line.

use super::app::{App, Message};
use crate::store::{CheckStatus, DailyCheck};

/// The status line's words for a state of the check, and whether it is an error.
pub fn words(status: &CheckStatus) -> Option<(String, bool)> {
    match status {
        CheckStatus::Running(p) => Some((format!("Vérification du fichier… {p} %"), false)),
        CheckStatus::Clean => Some((
            "Vérification du fichier terminée : aucun problème".into(),
            false,
        )),
        CheckStatus::Damaged(why) => Some((
            format!(
                "Vérification du fichier : {why} — plus rien n'est enregistré ; \
                 restaurez la dernière copie vérifiée (guichet restore)"
            ),
            true,
        )),
        CheckStatus::NotDone => None,
    }
}

/// Follows a running check: shows its progress while the status line holds nothing else (or
/// its own previous words), then its verdict. Damage is always shown. Returns `false` once the
/// check is over.
pub fn follow(check: &mut DailyCheck, app: &mut App, shown: &mut Option<String>) -> bool {
    let status = check.status();
    let running = matches!(status, CheckStatus::Running(_));
    let free = match &app.message {
        None => true,
        Some(m) => shown.as_deref() == Some(m.text.as_str()),
    };
    if let Some((text, error)) = words(&status)
        && (free || error)
    {
        *shown = Some(text.clone());
        app.message = Some(Message { text, error });
    } else if !running && free && shown.is_some() {
        app.message = None;
    }
    running
}
