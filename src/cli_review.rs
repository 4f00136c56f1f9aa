//! `guichet report backlog`: today's load per agent. It takes no dates; the `--from` / `--to`
//! that older scripts pass are still accepted, checked, and ignored with a note on stderr.

use crate::error::Result;
use crate::output::Format;
use crate::store::Store;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BacklogArgs {
    /// Ignoré : la charge est celle d'aujourd'hui (accepté pour les scripts existants)
    #[arg(long)]
    pub from: Option<String>,
    /// Ignoré, comme --from
    #[arg(long)]
    pub to: Option<String>,
    /// Format de sortie
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Écrire dans ce fichier (sinon à l'écran)
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Checks the dates a script passed (a wrong one is still a usage error) and says on stderr
/// that they do not change the figures.
pub fn note_ignored_dates(store: &Store, args: &BacklogArgs) -> Result<()> {
    let from = crate::cli::date_arg(store, "from", args.from.as_deref())?;
    let to = crate::cli::date_arg(store, "to", args.to.as_deref())?;
    if from.is_some() || to.is_some() {
        eprintln!(
            "note : --from et --to sont ignorés : la charge est celle d'aujourd'hui ({}).",
            crate::domain::fr_date(store.today())
        );
    }
    Ok(())
}
