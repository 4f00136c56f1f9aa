//! `guichet import FICHIER` (and the older `guichet import csv FICHIER`): any spreadsheet the
//! team has, checked whole, written whole or not at all.

use crate::error::Result;
use crate::import::{ImportOptions, import_sheet};
use crate::store::Store;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: Option<ImportKind>,
    /// Le tableur : .csv (UTF-8 ou Windows-1252), .xlsx ou .ods, reconnu à son contenu
    #[arg(value_name = "FICHIER", required = true)]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ImportFlags,
}

#[derive(Debug, Subcommand)]
pub enum ImportKind {
    /// Tableur CSV (séparateur ; ou ,) — comme « guichet import FICHIER »
    Csv {
        #[arg(value_name = "FICHIER")]
        file: PathBuf,
        #[command(flatten)]
        flags: ImportFlags,
    },
}

#[derive(Debug, Args, Clone, Default)]
pub struct ImportFlags {
    /// La feuille d'un classeur à lire (nom ou numéro, 1 = la première ; par défaut la première)
    #[arg(long, value_name = "FEUILLE")]
    pub feuille: Option<String>,
    /// Vérifier tout le tableur et dire ce qui serait ajouté, sans rien écrire
    #[arg(long)]
    pub simuler: bool,
    /// Lire VALEUR comme CODE dans cette colonne, par exemple « partenaire:CPTS'O=cpts_orleans »
    /// (répétable)
    #[arg(long, value_name = "COLONNE:VALEUR=CODE")]
    pub correspondance: Vec<String>,
    /// Garder ces correspondances dans le fichier pour les prochains imports
    #[arg(long)]
    pub retenir: bool,
}

pub fn run(store: &mut Store, args: &ImportArgs, out: &mut dyn Write) -> Result<()> {
    let (file, flags) = match (&args.what, &args.file) {
        (Some(ImportKind::Csv { file, flags }), _) => (file, flags),
        (None, Some(file)) => (file, &args.flags),
        (None, None) => unreachable!("clap requires the file"),
    };
    let bytes = crate::tabular::read_file(file)?;
    let options = ImportOptions {
        simulate: flags.simuler,
        mappings: flags.correspondance.clone(),
        remember: flags.retenir,
    };
    let r = crate::sheet::read(&bytes, flags.feuille.as_deref())
        .and_then(|sheet| import_sheet(store, &sheet, &options))
        .map_err(|e| crate::tabular::nothing_imported(file, e))?;
    if r.simulated {
        writeln!(
            out,
            "Simulation, rien n'a été écrit : {} ligne(s) lue(s) : {} demande(s) à ajouter, {} déjà présente(s), {} orientation(s).",
            r.rows, r.added, r.already_there, r.referrals
        )?;
    } else {
        writeln!(
            out,
            "{} ligne(s) lue(s) : {} demande(s) ajoutée(s), {} déjà présente(s), {} personne(s) déjà connue(s), {} orientation(s).",
            r.rows, r.added, r.already_there, r.persons_reused, r.referrals
        )?;
    }
    if !r.ignored_columns.is_empty() {
        writeln!(out, "Colonnes ignorées : {}", r.ignored_columns.join(", "))?;
    }
    if !r.notices.is_empty() {
        writeln!(out, "Valeurs corrigées à la lecture :")?;
        for n in &r.notices {
            writeln!(out, "  {n}")?;
        }
    }
    if r.remembered > 0 {
        writeln!(
            out,
            "{} correspondance(s) retenue(s) pour les prochains imports.",
            r.remembered
        )?;
    } else if flags.retenir && r.simulated {
        writeln!(
            out,
            "Simulation : les correspondances n'ont pas été retenues."
        )?;
    }
    Ok(())
}
