//! `guichet letter` (courrier) and `guichet calendar` (calendrier): what the desk sends every
//! day, from the file. Both write personal data owner-only, under a temporary name then renamed.

use crate::cli::Cli;
use crate::domain::FollowUpKind;
use crate::error::{Error, Result};
use crate::letter::{self, LetterFormat};
use crate::store::{AccessAction, NewFollowUp, Store};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct LetterArgs {
    /// Référence de la demande
    #[arg(required_unless_present = "liste")]
    reference: Option<String>,
    /// Nom du modèle (voir --liste)
    #[arg(long, value_name = "NOM", required_unless_present = "liste")]
    modele: Option<String>,
    /// Fichier à écrire ; son extension dit le format : .md (e-mail), .docx (Word), .odt
    /// (LibreOffice). Sans --out : le texte Markdown à l'écran
    #[arg(long, value_name = "FICHIER")]
    out: Option<PathBuf>,
    /// Valeur d'un champ du modèle (répétable) : --valeur pieces="RIB, attestation"
    #[arg(long, value_name = "CHAMP=TEXTE")]
    valeur: Vec<String>,
    /// Note l'envoi au journal de la demande (« Courrier » ; « E-mail envoyé » pour un .md)
    #[arg(long)]
    noter: bool,
    /// Liste les modèles, leur dossier et les champs utilisables
    #[arg(long, conflicts_with_all = ["reference", "modele", "out", "noter"])]
    liste: bool,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// Agent dont on veut les relances et les attestations (nom ou initiales ; par défaut
    /// GUICHET_AGENT)
    #[arg(long = "agent", value_name = "NOM")]
    agent: Option<String>,
    /// Fichier .ics à écrire (sans --out : à l'écran)
    #[arg(long, value_name = "FICHIER")]
    out: Option<PathBuf>,
}

pub fn letter(store: &mut Store, cli: &Cli, args: &LetterArgs, out: &mut dyn Write) -> Result<()> {
    let dir = letter::templates_dir()?;
    if letter::ensure_seeded(&dir)? {
        tracing::info!("letter templates seeded");
    }
    if args.liste {
        writeln!(out, "Modèles dans {} :", dir.display())?;
        let templates = letter::list(&dir)?;
        if templates.is_empty() {
            writeln!(out, "  (aucun)")?;
        }
        for (name, first) in templates {
            writeln!(out, "  {name:<28} {first}")?;
        }
        writeln!(out, "Champs utilisables :")?;
        for (field, what) in letter::FIELDS {
            writeln!(out, "  {:<28} {what}", format!("{{{field}}}"))?;
        }
        return Ok(());
    }
    let (Some(reference), Some(modele)) = (&args.reference, &args.modele) else {
        return Err(Error::input(
            "précisez la référence et --modele (ou --liste)",
        ));
    };
    let format = args
        .out
        .as_deref()
        .map(LetterFormat::of)
        .transpose()?
        .unwrap_or(LetterFormat::Markdown);
    let template = letter::load(&dir, modele)?;
    let id = store.request_id(reference)?;
    let detail = store.request_detail(&id)?;
    let writer = cli.me.is_some().then(|| store.ctx.actor.clone());
    let mut values = letter::fields(&detail, writer.as_deref(), store.today());
    letter::add_values(&mut values, &args.valeur)?;
    let name = modele.strip_suffix(".md").unwrap_or(modele);
    let rendered = letter::render(name, &template, &values, &detail.request.reference)?;
    // A letter names the person: it is a consultation of the request.
    store.log_access(AccessAction::Consultation, Some(&id))?;
    match (format, args.out.as_deref()) {
        (LetterFormat::Markdown, path) => {
            let mut w = crate::cli::sink(path, out)?;
            w.write_all(rendered.markdown().as_bytes())?;
            w.flush()?;
        }
        (LetterFormat::Docx, Some(path)) => crate::store::write_private(path, &rendered.docx()?)?,
        (LetterFormat::Odt, Some(path)) => crate::store::write_private(path, &rendered.odt()?)?,
        (_, None) => unreachable!("binary formats come from --out"),
    }
    if args.noter {
        // The case log says which template went out, never the letter's text.
        let kind = match format {
            LetterFormat::Markdown => FollowUpKind::EmailEnvoye,
            LetterFormat::Docx | LetterFormat::Odt => FollowUpKind::Courrier,
        };
        store.log_follow_up(
            &id,
            &NewFollowUp {
                kind,
                occurred_on: store.today(),
                body: format!("Modèle « {name} »"),
                next_follow_up_on: None,
            },
        )?;
    }
    if let Some(path) = &args.out {
        writeln!(
            out,
            "Courrier écrit : {} (modèle « {name} », demande {}){}",
            path.display(),
            detail.request.reference,
            if args.noter {
                " ; noté au journal"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

pub fn calendar(store: &Store, cli: &Cli, args: &CalendarArgs, out: &mut dyn Write) -> Result<()> {
    let who = args.agent.as_deref().or(cli.me.as_deref()).ok_or_else(|| {
        Error::input("--agent : précisez l'agent dont on veut le calendrier (nom ou initiales)")
    })?;
    let agent = crate::cli::flagged("agent", store.resolve_agent(who))?;
    let (ics, counts) = crate::calendar::agent_calendar(store, &agent)?;
    let mut w = crate::cli::sink(args.out.as_deref(), out)?;
    w.write_all(ics.as_bytes())?;
    w.flush()?;
    drop(w);
    if let Some(path) = &args.out {
        writeln!(
            out,
            "Calendrier écrit : {} — {} relance(s), {} attestation(s) attendue(s) pour {}",
            path.display(),
            counts.follow_ups,
            counts.attestations,
            agent.name
        )?;
    }
    Ok(())
}
