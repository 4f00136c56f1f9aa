//! The command line of personal data (RGPD): a person's export and anonymisation, retention,
//! the access log, and who acts.

use crate::cli::Cli;
use crate::domain::parse_date;
use crate::error::{Error, Result};
use crate::output::{Format, JsonArray, Table};
use crate::store::{AccessAction, AccessFilter, Store, fr_timestamp};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PersonAction {
    /// Tout ce que le fichier contient sur la personne d'une demande (droit d'accès)
    Export {
        reference: String,
        /// Format de sortie
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Le fichier à écrire (lisible par son seul propriétaire)
        #[arg(long)]
        out: PathBuf,
    },
    /// Efface pour de bon tout ce qui identifie la personne d'une demande
    Anonymise {
        reference: String,
        /// Pourquoi (demande de la personne, décision…)
        #[arg(long)]
        motif: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RetentionAction {
    /// Les demandes dont la durée de conservation est échue
    List {
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Écrit le bordereau d'élimination et anonymise ce qu'il liste
    Apply {
        /// Référence du visa des archives
        #[arg(long)]
        visa: String,
        /// Le bordereau (CSV, sans nom)
        #[arg(long)]
        out: PathBuf,
    },
    /// Règles : années de conservation après la dernière activité, durée du journal des accès
    Set {
        /// Type de demande (sinon la règle par défaut)
        #[arg(long = "type")]
        type_: Option<String>,
        /// Années de conservation après la dernière activité d'une demande close
        #[arg(long)]
        annees: Option<u32>,
        /// Mois de conservation du journal des accès
        #[arg(long = "journal-mois")]
        journal_mois: Option<u32>,
        /// Confirme --annees 0 (chaque demande close est proposée à l'élimination dès le
        /// lendemain de sa dernière activité)
        #[arg(long)]
        oui: bool,
    },
}

#[derive(Debug, Args)]
pub struct AccessLogArgs {
    /// Une demande
    #[arg(long)]
    reference: Option<String>,
    /// À partir du (date)
    #[arg(long)]
    from: Option<String>,
    /// Jusqu'au (date)
    #[arg(long)]
    to: Option<String>,
    /// Format de sortie
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Écrire dans ce fichier (sinon à l'écran)
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Who acts on the command line: a name given with `--agent` / `GUICHET_AGENT` must be an
/// agent of the file (name or initials), who then signs every change; without one, the system
/// user name does. `init`, `demo` and `agent add` are how agents come to exist: they accept any.
pub fn check_actor(store: &mut Store, cli: &Cli) -> Result<()> {
    let Some(me) = cli.me.as_deref() else {
        return Ok(());
    };
    match store.resolve_agent(me) {
        Ok(a) => {
            store.ctx.actor = a.name;
            Ok(())
        }
        Err(Error::NotFound { .. }) => Err(Error::input(format!(
            "--agent (ou GUICHET_AGENT) : « {me} » n'est pas un agent de ce fichier ; \
             un responsable l'ajoute avec « guichet agent add »"
        ))),
        Err(e) => Err(e),
    }
}

pub fn person(store: &mut Store, action: &PersonAction, out: &mut dyn Write) -> Result<()> {
    match action {
        PersonAction::Export {
            reference,
            format,
            out: path,
        } => {
            if !matches!(format, Format::Json | Format::Csv) {
                return Err(Error::input("--format : json ou csv"));
            }
            let id = store.request_id(reference)?;
            let export = store.person_export(&id)?;
            let labels = crate::history_text::Labels::of(store)?;
            crate::person_sheet::write(&export, *format, &labels, path)?;
            writeln!(
                out,
                "Données de la personne de {} ({} demande(s)) écrites dans {} — export consigné au journal des accès.",
                reference.trim().to_uppercase(),
                export.requests.len(),
                path.display()
            )?;
        }
        PersonAction::Anonymise { reference, motif } => {
            let id = store.request_id(reference)?;
            let wal = store.anonymise_person(&id, motif)?;
            writeln!(
                out,
                "Personne de {} anonymisée : noms, coordonnées et textes effacés ; les chiffres sont inchangés.",
                reference.trim().to_uppercase()
            )?;
            wal_warning(wal, out)?;
        }
    }
    Ok(())
}

fn wal_warning(emptied: bool, out: &mut dyn Write) -> Result<()> {
    if !emptied {
        writeln!(
            out,
            "Attention : un autre poste a le fichier ouvert, son journal -wal n'a pas pu être vidé ; \
             relancez « guichet check » quand tous l'ont fermé."
        )?;
    }
    Ok(())
}

pub fn retention(store: &mut Store, action: &RetentionAction, out: &mut dyn Write) -> Result<()> {
    match action {
        RetentionAction::List { format } => {
            let due = store.retention_due()?;
            match format {
                Format::Json => {
                    let mut arr = JsonArray::new(&mut *out)?;
                    for d in &due {
                        arr.push(d)?;
                    }
                    arr.finish()?;
                }
                Format::Table | Format::Csv => {
                    let mut t = Table::new(vec!["Référence", "Dernière activité", "Règle"]);
                    for d in &due {
                        t.push(vec![
                            d.reference.clone(),
                            crate::domain::fr_date(d.last_activity_on),
                            d.rule.clone(),
                        ]);
                    }
                    if matches!(format, Format::Csv) {
                        t.write_csv(&mut *out)?;
                    } else {
                        t.write_text(out)?;
                        writeln!(out, "{} demande(s) à éliminer", due.len())?;
                    }
                }
                Format::Md | Format::Xlsx => {
                    return Err(Error::input("--format : table, csv ou json"));
                }
            }
        }
        RetentionAction::Apply { visa, out: path } => {
            let e = store.apply_retention(visa, path)?;
            writeln!(
                out,
                "Bordereau d'élimination écrit : {} — {} demande(s), {} personne(s) anonymisée(s).",
                path.display(),
                e.requests.len(),
                e.persons
            )?;
            wal_warning(e.wal_emptied, out)?;
        }
        RetentionAction::Set {
            type_,
            annees,
            journal_mois,
            oui,
        } => {
            if annees.is_none() && journal_mois.is_none() {
                return Err(Error::input(
                    "rien à régler : précisez --annees N (avec ou sans --type) ou --journal-mois N",
                ));
            }
            if *annees == Some(0) && !oui {
                return Err(Error::input(
                    "--annees 0 : chaque demande close serait proposée à l'élimination dès le \
                     lendemain de sa dernière activité ; si c'est bien la règle voulue, ajoutez --oui",
                ));
            }
            if let Some(y) = annees {
                store.set_retention_years(type_.as_deref(), *y)?;
            }
            if let Some(m) = journal_mois {
                store.set_access_log_months(*m)?;
            }
            writeln!(out, "Règles de conservation enregistrées.")?;
        }
    }
    Ok(())
}

pub fn access_log(store: &Store, args: &AccessLogArgs, out: &mut dyn Write) -> Result<()> {
    let date = |flag: &str, v: Option<&str>| {
        v.map(|v| parse_date(v, store.today()).map_err(|e| Error::input(format!("--{flag} : {e}"))))
            .transpose()
    };
    let filter = AccessFilter {
        request_id: args
            .reference
            .as_deref()
            .map(|r| store.request_id(r))
            .transpose()?,
        from: date("from", args.from.as_deref())?,
        to: date("to", args.to.as_deref())?,
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        crate::report::check_range(from, to)?;
    }
    let rows = store.access_log(&filter)?;
    let mut w = crate::cli::sink(args.out.as_deref(), out)?;
    match args.format {
        Format::Json => {
            let mut arr = JsonArray::new(&mut w)?;
            for r in &rows {
                arr.push(r)?;
            }
            arr.finish()?;
        }
        Format::Table | Format::Csv => {
            let mut t = Table::new(vec!["Date", "Agent", "Action", "Demande"]);
            for r in rows {
                t.push(vec![
                    fr_timestamp(&r.at),
                    r.actor,
                    AccessAction::label(&r.action).to_string(),
                    r.reference.unwrap_or_default(),
                ]);
            }
            if matches!(args.format, Format::Csv) {
                t.write_csv(&mut w)?;
            } else {
                t.write_text(&mut w)?;
            }
        }
        Format::Md | Format::Xlsx => return Err(Error::input("--format : table, csv ou json")),
    }
    w.flush()?;
    Ok(())
}
