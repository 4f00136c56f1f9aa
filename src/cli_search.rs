//! `guichet search TEXT`: the interface's search, for scripts.

use crate::cli::write_requests;
use crate::error::{Error, Result};
use crate::output::Format;
use crate::store::{QueueOrder, RequestFilter, Store, match_query};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Ce qui est cherché : nom (avec ou sans apostrophe, trait d'union, espace), e-mail,
    /// téléphone (tout groupe d'au moins 3 chiffres), référence, texte des résumés, suivis,
    /// notes d'orientation, événement ; plusieurs mots cherchent ensemble, avec ou sans
    /// guillemets
    #[arg(required = true, num_args = 1.., value_name = "TEXTE")]
    pub text: Vec<String>,
    /// Nombre maximal de lignes (les plus récentes d'abord)
    #[arg(long)]
    pub limit: Option<usize>,
    /// Format de sortie
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Écrire dans un fichier
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Every request the text matches, most recently received first, printed as `list` prints.
pub fn search(store: &Store, args: &SearchArgs, out: &mut dyn Write) -> Result<()> {
    let text = args.text.join(" ");
    if match_query(&text).is_none() {
        return Err(Error::input(
            "TEXTE : rien à chercher (tapez au moins une lettre ou un chiffre)",
        ));
    }
    let filter = RequestFilter {
        search: Some(text),
        search_all: true,
        ..Default::default()
    };
    write_requests(
        store,
        &filter,
        QueueOrder::Recent,
        args.limit,
        args.format,
        args.out.as_deref(),
        out,
    )
}
