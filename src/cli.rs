//! The command line (clap): every subcommand is a thin layer over the storage API.

use crate::domain::{Answer, FollowUpKind, Outcome, Role, Status, fr_date, parse_date};
use crate::error::{Error, Result};
use crate::history_text::Labels;
use crate::import::{Column, RowInput, parse_row};
use crate::output::{Format, JsonArray, Table};
use crate::report;
use crate::store::{
    CodeList, NewFollowUp, NewReferral, QueueOrder, ReferralAnswer, RequestChange, RequestDetail,
    RequestFilter, RequestRow, Store, fr_timestamp,
};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "guichet",
    version,
    about = "Le guichet unique santé : demandes, suivis, orientations et bilans, dans un fichier local.",
    long_about = None
)]
pub struct Cli {
    /// Fichier de données (sinon GUICHET_DB, sinon guichet.sqlite3 dans le dossier de données)
    #[arg(long, value_name = "FICHIER", env = "GUICHET_DB", global = true)]
    pub db: Option<PathBuf>,

    /// Agent qui travaille (sinon GUICHET_AGENT, sinon choisi dans l'interface)
    #[arg(long = "agent", value_name = "NOM", env = "GUICHET_AGENT")]
    pub me: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crée le fichier, son schéma et les listes du Loiret (sans effet s'il existe déjà)
    Init,
    /// Remplit le fichier de données de démonstration réalistes
    Demo {
        /// Nombre de demandes (jusqu'à 1 000 000)
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        /// Graine : la même graine donne les mêmes données
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Importe un tableur : .csv, .xlsx ou .ods
    Import(crate::cli_import::ImportArgs),
    /// Liste des demandes
    List(ListArgs),
    /// Cherche des demandes comme la recherche de l'interface (« / »)
    Search(crate::cli_search::SearchArgs),
    /// Une demande : créer, modifier, afficher
    Request {
        #[command(subcommand)]
        action: RequestAction,
    },
    /// Journal d'une demande
    #[command(name = "follow-up")]
    FollowUp {
        #[command(subcommand)]
        action: FollowUpAction,
    },
    /// Orientations vers un partenaire
    Referral {
        #[command(subcommand)]
        action: ReferralAction,
    },
    /// Copie vérifiée du fichier (API de sauvegarde de SQLite)
    Backup {
        /// Fichier de la copie, ou dossier (copies datées guichet-AAAAMMJJ-HHMMSS.sqlite3)
        out: PathBuf,
        /// Remplacer le fichier s'il existe
        #[arg(long)]
        force: bool,
        /// Dans un dossier : ne garder que les N copies les plus récentes
        #[arg(long, value_name = "N")]
        garder: Option<usize>,
        /// Retenir ce dossier : l'interface y fait une copie vérifiée par jour à l'ouverture
        #[arg(long)]
        chaque_jour: bool,
    },
    /// Remettre en place une copie vérifiée (le fichier actuel est gardé à côté)
    Restore {
        /// La copie à remettre en place
        backup: PathBuf,
    },
    /// Contrôle d'intégrité du fichier
    Check,
    /// Chiffres pour les responsables
    Report {
        #[command(subcommand)]
        kind: ReportKind,
    },
    /// Agents de l'équipe
    Agent {
        #[command(subcommand)]
        action: AgentAction,
    },
    /// Salons, congrès, forums
    Event {
        #[command(subcommand)]
        action: EventAction,
    },
    /// Listes de référence : types de demande, canaux, partenaires
    Ref {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Salons : préparer le fichier d'un portable
    Salon {
        #[command(subcommand)]
        action: SalonAction,
    },
    /// Fusionne le fichier d'un portable de salon dans ce fichier
    Merge {
        /// Le fichier du portable
        file: PathBuf,
    },
    /// Ce que les fusions laissent à décider : doublons probables, modifications des deux côtés
    Pending {
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Logements pour les étudiants en stage : registre, ouvertures, placements, recherche
    Housing {
        #[command(subcommand)]
        action: crate::cli_housing::HousingAction,
    },
    /// Décide d'un élément en attente (voir « guichet pending »)
    Resolve {
        /// L'identifiant affiché par « guichet pending »
        id: String,
        /// fusionner | separer (doublon) ; bureau | poste (modifié des deux côtés)
        #[arg(long, value_enum, required_unless_present = "annuler")]
        decision: Option<DecisionArg>,
        /// Pour fusionner : quelle personne du bureau (numéro dans « guichet pending »)
        #[arg(long)]
        candidat: Option<usize>,
        /// Annule la décision prise sur cet élément (possible jusqu'à la prochaine fusion)
        #[arg(long, conflicts_with = "decision")]
        annuler: bool,
    },
    /// Aides, engagements, budgets, dispositifs
    #[command(flatten)]
    Aids(crate::cli_aids::AidsCommand),
    /// Données d'une personne : export (droit d'accès), anonymisation
    Person {
        #[command(subcommand)]
        action: crate::cli_rgpd::PersonAction,
    },
    /// Durées de conservation : ce qui est échu, bordereau d'élimination et anonymisation
    Retention {
        #[command(subcommand)]
        action: crate::cli_rgpd::RetentionAction,
    },
    /// Journal des accès : consultations, exports et modifications des demandes
    #[command(name = "access-log")]
    AccessLog(crate::cli_rgpd::AccessLogArgs),
    /// Chiffre le fichier avec une phrase de passe (GUICHET_PASSPHRASE, sinon demandée)
    Encrypt,
    /// Déchiffre le fichier
    Decrypt,
    /// Courrier ou e-mail d'une demande, à partir d'un modèle : .md, .docx, .odt (aussi :
    /// courrier)
    #[command(alias = "courrier")]
    Letter(crate::cli_letters::LetterArgs),
    /// Calendrier .ics des relances d'un agent et des attestations attendues (aussi :
    /// calendrier)
    #[command(alias = "calendrier")]
    Calendar(crate::cli_letters::CalendarArgs),
    /// Script de complétion pour le shell (bash, zsh, fish, powershell, elvish)
    Completions {
        /// Le shell
        shell: clap_complete::Shell,
    },
    /// Page de manuel (man) sur la sortie standard : guichet man > guichet.1
    Man {
        /// Écrire dans ce dossier guichet.1 et une page par commande (guichet-request-add.1…)
        #[arg(long, value_name = "DOSSIER")]
        dossier: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SalonAction {
    /// Écrit le fichier d'un portable pour un salon (listes, événement ; aucune donnée personnelle)
    Prepare {
        /// Nom de l'événement
        #[arg(long)]
        event: String,
        /// Date de l'événement
        #[arg(long)]
        date: String,
        /// Lieu de l'événement
        #[arg(long)]
        lieu: Option<String>,
        /// Le fichier à écrire
        #[arg(long)]
        out: PathBuf,
        /// Copie complète (pour garder sa file en déplacement)
        #[arg(long)]
        full: bool,
        /// Chiffrer le fichier (phrase de passe : GUICHET_PASSPHRASE, sinon demandée)
        #[arg(long)]
        chiffrer: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DecisionArg {
    Fusionner,
    Separer,
    Bureau,
    Poste,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Statut (code ou libellé)
    #[arg(long)]
    status: Option<String>,
    /// Type de demande
    #[arg(long = "type")]
    type_: Option<String>,
    /// Agent attribué (nom ou initiales)
    #[arg(long)]
    agent: Option<String>,
    /// Canal
    #[arg(long)]
    canal: Option<String>,
    /// Événement
    #[arg(long)]
    evenement: Option<String>,
    /// Seulement les demandes ouvertes
    #[arg(long)]
    open: bool,
    /// Reçues à partir de
    #[arg(long)]
    from: Option<String>,
    /// Reçues jusqu'au
    #[arg(long)]
    to: Option<String>,
    /// Issue des demandes closes (aboutie, refusee, sans_suite, reorientee)
    #[arg(long, alias = "outcome")]
    issue: Option<String>,
    /// Closes à partir du (JJ/MM/AAAA)
    #[arg(long = "cloturee-du", alias = "closed-from")]
    cloturee_du: Option<String>,
    /// Closes jusqu'au (JJ/MM/AAAA)
    #[arg(long = "cloturee-au", alias = "closed-to")]
    cloturee_au: Option<String>,
    /// Nombre maximal de lignes
    #[arg(long)]
    limit: Option<usize>,
    /// Format de sortie
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Écrire dans un fichier
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    aids: crate::cli_aids::AidListArgs,
}

/// The spreadsheet's columns as flags.
#[derive(Debug, Args)]
pub struct RequestFields {
    /// Type de demande : code ou libellé (logement, bourse, installation…; voir « guichet ref
    /// list types »)
    #[arg(long = "type")]
    type_: String,
    /// Nom de famille du demandeur
    #[arg(long)]
    nom: String,
    /// Prénom du demandeur
    #[arg(long)]
    prenom: String,
    /// Téléphone (« 06 12 34 56 78 », « +33 6… »)
    #[arg(long)]
    telephone: Option<String>,
    /// Adresse e-mail du demandeur
    #[arg(long)]
    email: Option<String>,
    /// etudiant, interne, professionnel, famille
    #[arg(long)]
    profil: Option<String>,
    /// Profession ou études (« étudiant en médecine », « infirmière »…)
    #[arg(long)]
    profession: Option<String>,
    /// Canal de réception : code ou libellé (téléphone, e-mail, salon…; voir « guichet ref list
    /// canaux »)
    #[arg(long)]
    canal: Option<String>,
    /// Nom d'un événement existant
    #[arg(long)]
    evenement: Option<String>,
    /// Agent attribué (nom ou initiales d'un agent existant)
    #[arg(long)]
    agent: Option<String>,
    /// Première note du journal
    #[arg(long)]
    commentaire: Option<String>,
    /// Date de réception (par défaut aujourd'hui)
    #[arg(long)]
    date: Option<String>,
    /// Statut (par défaut nouvelle) : a_qualifier, nouvelle, en_cours, attente_demandeur,
    /// attente_partenaire, close — ou leur libellé
    #[arg(long)]
    statut: Option<String>,
    /// Issue, obligatoire avec --statut close : aboutie, refusee, sans_suite, reorientee
    #[arg(long)]
    issue: Option<String>,
    /// Date de clôture, obligatoire avec --statut close (JJ/MM/AAAA)
    #[arg(long = "date-cloture")]
    date_cloture: Option<String>,
    /// Résumé court de la demande
    #[arg(long)]
    resume: Option<String>,
    /// Prochaine relance (JJ/MM/AAAA, demain, +7, +2s…)
    #[arg(long)]
    relance: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RequestAction {
    /// Enregistre une demande et affiche sa référence
    Add(Box<RequestFields>),
    /// Modifie une demande
    Update(Box<UpdateArgs>),
    /// Affiche une demande, son journal et son historique
    Show {
        reference: String,
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    reference: String,
    /// Nouveau statut : a_qualifier, nouvelle, en_cours, attente_demandeur, attente_partenaire,
    /// close — ou leur libellé
    #[arg(long)]
    statut: Option<String>,
    /// Issue, obligatoire pour clore : aboutie, refusee, sans_suite, reorientee
    #[arg(long)]
    issue: Option<String>,
    /// Date de clôture (par défaut aujourd'hui)
    #[arg(long = "date-cloture")]
    date_cloture: Option<String>,
    /// Agent attribué, ou « aucun »
    #[arg(long)]
    agent: Option<String>,
    /// Prochaine relance, ou « aucune »
    #[arg(long)]
    relance: Option<String>,
    /// Nouveau résumé
    #[arg(long)]
    resume: Option<String>,
    /// Nouveau type : code ou libellé (voir « guichet ref list types »)
    #[arg(long = "type")]
    type_: Option<String>,
    /// Nouveau canal : code ou libellé (voir « guichet ref list canaux »)
    #[arg(long)]
    canal: Option<String>,
    /// Refuser si la demande n'est plus à cette version (modifiée entre-temps)
    #[arg(long = "if-version")]
    if_version: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum FollowUpAction {
    /// Ajoute une entrée au journal
    Add {
        reference: String,
        /// appel_entrant, appel_sortant, email_recu, email_envoye, rendez_vous, courrier, note
        #[arg(long, default_value = "note")]
        kind: String,
        /// Texte de l'entrée
        #[arg(long)]
        text: Option<String>,
        /// Date (par défaut aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Prochaine relance (JJ/MM/AAAA, +7…)
        #[arg(long)]
        relance: Option<String>,
        /// Refuser si la demande n'est plus à cette version (modifiée entre-temps)
        #[arg(long = "if-version")]
        if_version: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReferralAction {
    /// Oriente la demande vers un partenaire
    Add {
        reference: String,
        /// Le partenaire : code ou nom (voir « guichet ref list partenaires »)
        #[arg(long)]
        partenaire: String,
        /// Date d'envoi (par défaut aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Réponse attendue avant le (par défaut 30 jours après l'envoi)
        #[arg(long)]
        attendue: Option<String>,
        /// Ce qui est transmis au partenaire (note de l'orientation)
        #[arg(long)]
        note: Option<String>,
    },
    /// Enregistre la réponse d'un partenaire
    Answer {
        reference: String,
        /// Le partenaire qui répond : code ou nom
        #[arg(long)]
        partenaire: String,
        /// favorable, defavorable, sans_objet
        #[arg(long)]
        reponse: String,
        /// Date de la réponse (par défaut aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Ce que dit la réponse
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// Reçues, closes et ouvertes par semaine ISO et par type
    Weekly(RangeArgs),
    /// Totaux de la période par type, canal, statut, issue, partenaire
    Summary(RangeArgs),
    /// Le bilan complet de la période (celui de l'écran « Bilan »)
    Review(RangeArgs),
    /// Orientations par partenaire : envoyées, réponses, en attente, en retard, délai médian
    Partners(RangeArgs),
    /// Charge actuelle par agent : demandes ouvertes et relances dépassées (sans dates)
    Backlog(crate::cli_review::BacklogArgs),
    /// Aides : accordées, versées, budgets, engagements, phrase publiable
    Aids(RangeArgs),
    /// Logements : places, lits, placements, occupation par mois, nuitées, demandes logées
    Housing(RangeArgs),
}

#[derive(Debug, Args)]
pub struct RangeArgs {
    /// Premier jour de la période (JJ/MM/AAAA)
    #[arg(long)]
    from: String,
    /// Dernier jour de la période (JJ/MM/AAAA)
    #[arg(long)]
    to: String,
    /// Format de sortie
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Écrire dans ce fichier (sinon à l'écran)
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AgentAction {
    /// Ajoute un agent
    Add {
        name: String,
        /// Initiales montrées dans le journal (par défaut celles du nom)
        #[arg(long)]
        initiales: Option<String>,
        /// agent ou responsable
        #[arg(long, default_value = "agent")]
        role: String,
    },
    /// Liste les agents
    List,
    /// Désactive un agent qui quitte l'équipe (il n'est plus proposé ; son travail reste)
    Disable { name: String },
    /// Réactive un agent
    Enable { name: String },
}

#[derive(Debug, Subcommand)]
pub enum EventAction {
    /// Ajoute un événement
    Add {
        name: String,
        /// Date de l'événement (JJ/MM/AAAA)
        #[arg(long)]
        date: String,
        /// Lieu (ville, salle)
        #[arg(long)]
        lieu: Option<String>,
    },
    /// Liste les événements
    List,
}

#[derive(Debug, Subcommand)]
pub enum RefAction {
    /// Affiche une liste : types, canaux ou partenaires
    List { list: RefList },
    /// Ajoute (ou renomme) un type de demande
    AddType {
        code: String,
        label: String,
        /// Autres orthographes acceptées à l'import, séparées par |
        #[arg(long, default_value = "")]
        alias: String,
    },
    /// Ajoute (ou renomme) un canal
    AddChannel {
        code: String,
        label: String,
        /// Autres orthographes acceptées à l'import, séparées par |
        #[arg(long, default_value = "")]
        alias: String,
    },
    /// Ajoute (ou modifie) un partenaire
    AddPartner {
        code: String,
        name: String,
        /// Catégorie du partenaire (institution, etablissement, famille…)
        #[arg(long, default_value = "")]
        kind: String,
        /// Téléphone du partenaire
        #[arg(long, default_value = "")]
        phone: String,
    },
    /// Ajoute (ou réécrit) une offre du Département (montrée au guichet et au salon)
    AddOffer {
        code: String,
        title: String,
        text: String,
        /// Le type de demande concerné
        #[arg(long = "type")]
        type_: Option<String>,
    },
    /// Retire une valeur des listes de choix (les demandes existantes la gardent)
    Disable { list: RefList, code: String },
    /// Remet une valeur dans les listes de choix
    Enable { list: RefList, code: String },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RefList {
    Types,
    Canaux,
    Partenaires,
    Offres,
}

/// Where the file lives when neither `--db` nor `GUICHET_DB` says.
pub use crate::paths::{create_private_dir, default_db_path, today_override};

pub fn db_path(cli: &Cli) -> Result<PathBuf> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => default_db_path(),
    }
}

pub fn open_store(cli: &Cli) -> Result<Store> {
    crate::paths::open_store(cli.db.as_deref(), cli.me.as_deref())
}

pub(crate) fn date_arg(
    store: &Store,
    flag: &str,
    value: Option<&str>,
) -> Result<Option<NaiveDate>> {
    value
        .map(|v| parse_date(v, store.today()).map_err(|e| Error::input(format!("--{flag} : {e}"))))
        .transpose()
}

pub(crate) fn flagged<T>(flag: &str, r: Result<T>) -> Result<T> {
    r.map_err(|e| match e {
        Error::Input(m) => Error::Input(format!("--{flag} : {m}")),
        Error::NotFound { what, value, hint } => {
            Error::Input(format!("--{flag} : {what} introuvable : « {value} »{hint}"))
        }
        e => e,
    })
}

/// Runs one subcommand; output goes to `out`. A value the store refuses is named by the option
/// that gave it, where every command names it the same way.
pub fn run(cli: &Cli, command: &Command, out: &mut dyn Write) -> Result<()> {
    run_command(cli, command, out).map_err(|e| match e {
        Error::Invalid { field, msg } => {
            let flag = match field {
                crate::error::Field::NextFollowUp => Some("relance"),
                crate::error::Field::ClosedOn => Some("date-cloture"),
                crate::error::Field::Amount => Some("montant"),
                crate::error::Field::Bonus => Some("bonification"),
                crate::error::Field::DecidedOn
                | crate::error::Field::PaidOn
                | crate::error::Field::AttestedOn
                | crate::error::Field::BrokenOn => Some("date"),
                crate::error::Field::Years => Some("annees"),
                crate::error::Field::Repayment => Some("remboursement"),
                _ => None,
            };
            match flag {
                Some(flag) if !msg.starts_with("--") => Error::Invalid {
                    field,
                    msg: format!("--{flag} : {msg}"),
                },
                _ => Error::Invalid { field, msg },
            }
        }
        e => e,
    })
}

fn run_command(cli: &Cli, command: &Command, out: &mut dyn Write) -> Result<()> {
    if let Command::Restore { backup } = command {
        // The current file may be too damaged to open: restore works on files.
        return crate::cli_backup::restore(cli, backup, out);
    }
    // Generated from the command line itself: no file needed.
    match command {
        Command::Completions { shell } => return crate::clap_fr::write_completions(*shell, out),
        Command::Man { dossier: None } => return crate::clap_fr::write_man(out),
        Command::Man { dossier: Some(dir) } => {
            let n = crate::clap_fr::write_man_pages(dir)?;
            writeln!(out, "{n} pages de manuel écrites dans {}", dir.display())?;
            return Ok(());
        }
        _ => {}
    }
    let mut store = open_store(cli)?;
    if !matches!(
        command,
        Command::Init
            | Command::Demo { .. }
            | Command::Agent {
                action: AgentAction::Add { .. }
            }
    ) {
        crate::cli_rgpd::check_actor(&mut store, cli)?;
    }
    match command {
        Command::Init => {
            let added = store.write(|tx, _| crate::store::seed_reference(tx))?;
            let path = db_path(cli)?;
            writeln!(out, "Fichier prêt : {}", path.display())?;
            if added > 0 {
                writeln!(out, "{added} valeur(s) de référence ajoutée(s).")?;
            }
        }
        Command::Demo { requests, seed } => {
            if *requests > 1_000_000 {
                return Err(Error::input("--requests : 1 000 000 au plus"));
            }
            let r = crate::demo::fill(&mut store, *requests, *seed)?;
            writeln!(
                out,
                "Démonstration : {} demandes, {} personnes, {} suivis, {} orientations, {} événements, {} logements.",
                r.requests, r.persons, r.follow_ups, r.referrals, r.events, r.places
            )?;
        }
        Command::Import(args) => crate::cli_import::run(&mut store, args, out)?,
        Command::List(args) => list(&store, args, out)?,
        Command::Search(args) => crate::cli_search::search(&store, args, out)?,
        Command::Request { action } => request(&mut store, action, out)?,
        Command::FollowUp {
            action:
                FollowUpAction::Add {
                    reference,
                    kind,
                    text,
                    date,
                    relance,
                    if_version,
                },
        } => {
            let id = store.request_id(reference)?;
            let kind = flagged("kind", FollowUpKind::parse(kind))?;
            let occurred_on = date_arg(&store, "date", date.as_deref())?.unwrap_or(store.today());
            let next = date_arg(&store, "relance", relance.as_deref())?;
            store.log_follow_up_if_version(
                &id,
                &NewFollowUp {
                    kind,
                    occurred_on,
                    body: text.clone().unwrap_or_default(),
                    next_follow_up_on: next,
                },
                *if_version,
            )?;
            let reference = reference.trim().to_uppercase();
            match next {
                Some(d) => writeln!(
                    out,
                    "{reference} : suivi ajouté, relance le {}",
                    crate::domain::fr_date(d)
                )?,
                None => writeln!(out, "{reference} : suivi ajouté")?,
            }
        }
        Command::Referral { action } => referral(&mut store, action, out)?,
        Command::Backup {
            out: path,
            force,
            garder,
            chaque_jour,
        } => crate::cli_backup::backup(&mut store, path, *force, *garder, *chaque_jour, out)?,
        Command::Restore { .. } => unreachable!("handled before opening the file"),
        Command::Check => {
            let problems = store.check()?;
            if problems.is_empty() {
                writeln!(out, "Fichier intègre.")?;
                let (history, access) = store.chain_heads()?;
                writeln!(
                    out,
                    "Empreintes (à noter pour un contrôle ultérieur) : historique {}, journal des accès {}",
                    history.as_deref().unwrap_or("—"),
                    access.as_deref().unwrap_or("—")
                )?;
            } else {
                return Err(Error::Damaged(problems));
            }
        }
        Command::Report { kind } => report_cmd(&store, kind, out)?,
        Command::Agent { action } => match action {
            AgentAction::Add {
                name,
                initiales,
                role,
            } => {
                let role = flagged("role", Role::parse(role))?;
                let a = store.add_agent(name, initiales.as_deref(), role)?;
                writeln!(out, "Agent ajouté : {} ({})", a.name, a.initials)?;
            }
            AgentAction::List => {
                let mut t = Table::new(vec!["Nom", "Initiales", "Rôle", "Actif"]);
                for a in store.agents()? {
                    t.push(vec![a.name, a.initials, a.role, yes_no(a.active)]);
                }
                t.write_text(out)?;
            }
            AgentAction::Disable { name } | AgentAction::Enable { name } => {
                let active = matches!(action, AgentAction::Enable { .. });
                let a = store.set_agent_active(name, active)?;
                let what = if active { "réactivé" } else { "désactivé" };
                writeln!(out, "Agent {what} : {}", a.name)?;
            }
        },
        Command::Event { action } => match action {
            EventAction::Add { name, date, lieu } => {
                let d = date_arg(&store, "date", Some(date))?.unwrap_or(store.today());
                let e = store.add_event(name, d, lieu.as_deref().unwrap_or(""))?;
                writeln!(out, "Événement : {} le {}", e.name, fr_date(e.held_on))?;
            }
            EventAction::List => crate::cli_salon::write_events(&store, out)?,
        },
        Command::Ref { action } => reference_lists(&mut store, action, out)?,
        Command::Salon {
            action:
                SalonAction::Prepare {
                    event,
                    date,
                    lieu,
                    out: path,
                    full,
                    chiffrer,
                },
        } => {
            let held_on = date_arg(&store, "date", Some(date))?.unwrap_or(store.today());
            let key = chiffrer
                .then(|| crate::store::passphrase(path, true))
                .transpose()?;
            let p = crate::salon::prepare_keyed(
                &mut store,
                event,
                held_on,
                lieu.as_deref().unwrap_or(""),
                path,
                *full,
                key.as_deref(),
            )?;
            writeln!(
                out,
                "Fichier de salon écrit : {} — {} le {}, références {}…{}",
                path.display(),
                p.event,
                fr_date(p.held_on),
                p.series,
                if *full {
                    format!(", copie complète ({} personnes)", p.persons)
                } else {
                    ", aucune donnée personnelle".into()
                }
            )?;
        }
        Command::Merge { file } => {
            let r = crate::salon::merge(&mut store, file)?;
            writeln!(
                out,
                "Fusion de {} : {} personne(s) et {} demande(s) ajoutée(s), {} suivi(s), {} orientation(s), {} événement(s) ; \
                 {} déjà présente(s) ; {} mise(s) à jour ; à décider : {} doublon(s) probable(s), {} modification(s) des deux côtés.",
                file.display(),
                r.added_persons,
                r.added_requests,
                r.added_follow_ups,
                r.added_referrals,
                r.added_events,
                r.already_present,
                r.updated,
                r.pending_duplicates,
                r.conflicts
            )?;
            if r.housing_proposals > 0 {
                writeln!(
                    out,
                    "{} proposition(s) de logement notée(s) au salon : voir « guichet housing proposals ».",
                    r.housing_proposals
                )?;
            }
            for (old, new) in &r.renumbered {
                writeln!(
                    out,
                    "Référence {old} déjà prise au bureau : renumérotée {new}"
                )?;
            }
            if r.pending_duplicates + r.conflicts > 0 {
                writeln!(
                    out,
                    "Voir « guichet pending », puis « guichet resolve ID --decision … »."
                )?;
            }
        }
        Command::Pending { format } => {
            let items = crate::salon::pending(&store)?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &items)?;
                    writeln!(out)?;
                }
                _ => crate::cli_salon::write_pending(&items, out)?,
            }
        }
        Command::Housing { action } => crate::cli_housing::run(&mut store, action, out)?,
        Command::Aids(c) => crate::cli_aids::run(&mut store, c, out)?,
        Command::Resolve {
            id,
            decision,
            candidat,
            annuler,
        } => {
            use crate::salon::Decision;
            let msg = match decision {
                _ if *annuler => crate::salon::undo(&mut store, id)?,
                None => return Err(Error::input("--decision : obligatoire")),
                Some(decision) => {
                    let d = match decision {
                        DecisionArg::Fusionner => Decision::Merge,
                        DecisionArg::Separer => Decision::KeepApart,
                        DecisionArg::Bureau => Decision::KeepOffice,
                        DecisionArg::Poste => Decision::ApplyLaptop,
                    };
                    crate::salon::resolve_with(&mut store, id, d, *candidat)?
                }
            };
            writeln!(out, "{msg}")?;
        }
        Command::Person { action } => crate::cli_rgpd::person(&mut store, action, out)?,
        Command::Retention { action } => crate::cli_rgpd::retention(&mut store, action, out)?,
        Command::AccessLog(args) => crate::cli_rgpd::access_log(&store, args, out)?,
        Command::Letter(args) => crate::cli_letters::letter(&mut store, cli, args, out)?,
        Command::Calendar(args) => crate::cli_letters::calendar(&store, cli, args, out)?,
        Command::Completions { .. } | Command::Man { .. } => {
            unreachable!("handled before opening the file")
        }
        Command::Encrypt | Command::Decrypt => {
            let path = db_path(cli)?;
            let key = matches!(command, Command::Encrypt)
                .then(|| crate::store::passphrase(&path, true))
                .transpose()?;
            let counts = store.change_encryption(key.as_deref())?;
            let requests = counts
                .iter()
                .find(|(t, _)| t == "request")
                .map_or(0, |c| c.1);
            writeln!(
                out,
                "{} {} ({requests} demandes).",
                if key.is_some() {
                    "Fichier chiffré :"
                } else {
                    "Fichier déchiffré :"
                },
                path.display()
            )?;
            return Ok(());
        }
    }
    Ok(())
}

fn yes_no(b: bool) -> String {
    if b { "oui" } else { "non" }.into()
}

fn reference_lists(store: &mut Store, action: &RefAction, out: &mut dyn Write) -> Result<()> {
    match action {
        RefAction::List { list } => match list {
            RefList::Types | RefList::Canaux => {
                let codes = if matches!(list, RefList::Types) {
                    store.types()?
                } else {
                    store.channels()?
                };
                let mut t = Table::new(vec!["Code", "Libellé", "Autres orthographes", "Actif"]);
                for c in codes {
                    t.push(vec![c.code, c.label, c.aliases, yes_no(c.active)]);
                }
                t.write_text(out)?;
            }
            RefList::Offres => {
                for o in store.offers()? {
                    writeln!(out, "{} — {}\n  {}\n", o.code, o.title, o.body)?;
                }
            }
            RefList::Partenaires => {
                let mut t = Table::new(vec!["Code", "Nom", "Catégorie", "Téléphone", "Actif"]);
                for p in store.partners()? {
                    t.push(vec![p.code, p.name, p.kind, p.phone, yes_no(p.active)]);
                }
                t.write_text(out)?;
            }
        },
        RefAction::AddType { code, label, alias } => {
            store.upsert_code(CodeList::Type, code, label, alias)?
        }
        RefAction::AddChannel { code, label, alias } => {
            store.upsert_code(CodeList::Channel, code, label, alias)?
        }
        RefAction::AddOffer {
            code,
            title,
            text,
            type_,
        } => store.upsert_offer(code, type_.as_deref(), title, text)?,
        RefAction::AddPartner {
            code,
            name,
            kind,
            phone,
        } => store.upsert_partner(code, name, kind, phone)?,
        RefAction::Disable { list, code } | RefAction::Enable { list, code } => {
            let active = matches!(action, RefAction::Enable { .. });
            match list {
                RefList::Types => store.set_code_active(CodeList::Type, code, active)?,
                RefList::Canaux => store.set_code_active(CodeList::Channel, code, active)?,
                RefList::Partenaires => store.set_partner_active(code, active)?,
                RefList::Offres => {
                    return Err(Error::input("une offre se réécrit avec « ref add-offer »"));
                }
            }
        }
    }
    Ok(())
}

fn filter_from(store: &Store, args: &ListArgs) -> Result<RequestFilter> {
    Ok(RequestFilter {
        status: args
            .status
            .as_deref()
            .map(|s| flagged("status", Status::parse(s)))
            .transpose()?,
        open_only: args.open,
        type_code: args
            .type_
            .as_deref()
            .map(|t| flagged("type", store.resolve_type(t)))
            .transpose()?,
        agent_id: args
            .agent
            .as_deref()
            .map(|a| flagged("agent", store.resolve_agent(a)).map(|a| a.id))
            .transpose()?,
        channel_code: args
            .canal
            .as_deref()
            .map(|c| flagged("canal", store.resolve_channel(c)))
            .transpose()?,
        event_id: args
            .evenement
            .as_deref()
            .map(|e| flagged("evenement", store.resolve_event(e)).map(|e| e.id))
            .transpose()?,
        received_from: date_arg(store, "from", args.from.as_deref())?,
        received_to: date_arg(store, "to", args.to.as_deref())?,
        outcome: args
            .issue
            .as_deref()
            .map(|o| flagged("issue", Outcome::parse(o)))
            .transpose()?,
        closed_from: date_arg(store, "cloturee-du", args.cloturee_du.as_deref())?,
        closed_to: date_arg(store, "cloturee-au", args.cloturee_au.as_deref())?,
        request_ids: crate::cli_aids::request_ids(store, &args.aids)?,
        ..Default::default()
    })
}

fn list_cells(r: &RequestRow) -> Vec<String> {
    crate::cli_export::list_values(r)
        .iter()
        .map(crate::output::Value::display)
        .collect()
}

/// Opens `--out FILE` (owner-only) or standard output.
pub(crate) fn sink<'a>(path: Option<&Path>, out: &'a mut dyn Write) -> Result<Box<dyn Write + 'a>> {
    match path {
        // Written under a temporary name, put in place by the final flush: an export that
        // fails half-way (a full disk) leaves nothing under its final name.
        Some(p) => Ok(Box::new(crate::text::SafeWrite::new(
            std::io::BufWriter::new(crate::store::PrivateFile::create(p)?),
        ))),
        None => Ok(Box::new(out)),
    }
}

fn list(store: &Store, args: &ListArgs, out: &mut dyn Write) -> Result<()> {
    let filter = filter_from(store, args)?;
    let order = QueueOrder::Reference;
    write_requests(
        store,
        &filter,
        order,
        args.limit,
        args.format,
        args.out.as_deref(),
        out,
    )
}

/// Writes the requests of a filter as `list` does (table, csv or json), reading only the first
/// `limit` rows. `guichet search` prints through it too.
pub(crate) fn write_requests(
    store: &Store,
    filter: &RequestFilter,
    order: QueueOrder,
    limit: Option<usize>,
    format: Format,
    to: Option<&Path>,
    out: &mut dyn Write,
) -> Result<()> {
    if format == Format::Xlsx && to.is_none() {
        return Err(Error::input(
            "--format xlsx : un classeur s'écrit dans un fichier, ajoutez --out FICHIER.xlsx",
        ));
    }
    store.log_access(crate::store::AccessAction::ListExport, None)?;
    let filter = filter.clone();
    // A workbook is written whole by `write_xlsx`, never through the text sink.
    let mut w = sink(to.filter(|_| format != Format::Xlsx), out)?;
    let each = |f: &RequestFilter, each: &mut dyn FnMut(RequestRow) -> Result<()>| {
        store.for_each_request_up_to(f, order, limit, each)
    };
    let limit = limit.unwrap_or(usize::MAX);
    let mut seen = 0;
    match format {
        Format::Json => {
            let mut arr = JsonArray::new(&mut w)?;
            each(&filter, &mut |r| {
                seen += 1;
                if seen <= limit { arr.push(&r) } else { Ok(()) }
            })?;
            arr.finish()?;
        }
        Format::Csv => {
            let mut csv = crate::output::csv_writer(&mut w)?;
            csv.write_record(crate::cli_export::LIST_HEADERS)?;
            each(&filter, &mut |r| {
                seen += 1;
                if seen <= limit {
                    csv.write_record(
                        list_cells(&r)
                            .iter()
                            .map(|c| crate::text::csv_cell(c).into_owned()),
                    )?;
                }
                Ok(())
            })?;
            csv.flush()?;
        }
        Format::Md | Format::Xlsx => {
            let mut rows = Vec::new();
            each(&filter, &mut |r| {
                seen += 1;
                if seen <= limit {
                    rows.push(crate::cli_export::list_values(&r));
                }
                Ok(())
            })?;
            let sheet = crate::cli_export::list_sheet(rows);
            if let (Format::Xlsx, Some(path)) = (format, to) {
                drop(w);
                crate::output::write_xlsx(&[sheet], path)?;
                return Ok(());
            }
            crate::output::write_sheets_md(&[sheet], &mut w)?;
        }
        Format::Table => {
            let mut t = Table::new(vec![
                "Référence",
                "Reçue le",
                "Type",
                "Nom",
                "Prénom",
                "Statut",
                "Agent",
                "Relance",
            ]);
            each(&filter, &mut |r| {
                seen += 1;
                if seen <= limit {
                    let c = list_cells(&r);
                    t.push(vec![
                        c[0].clone(),
                        c[11].clone(),
                        c[1].clone(),
                        c[7].clone(),
                        c[8].clone(),
                        c[2].clone(),
                        c[6].clone(),
                        c[12].clone(),
                    ]);
                }
                Ok(())
            })?;
            t.write_text(&mut w)?;
            writeln!(w, "{} demande(s)", seen.min(limit))?;
        }
    }
    w.flush()?;
    Ok(())
}

fn request(store: &mut Store, action: &RequestAction, out: &mut dyn Write) -> Result<()> {
    match action {
        RequestAction::Add(f) => {
            let today = store.today();
            let mut row = RowInput::default();
            for (col, v) in [
                (Column::Type, Some(&f.type_)),
                (Column::Nom, Some(&f.nom)),
                (Column::Prenom, Some(&f.prenom)),
                (Column::Telephone, f.telephone.as_ref()),
                (Column::Email, f.email.as_ref()),
                (Column::Profil, f.profil.as_ref()),
                (Column::Profession, f.profession.as_ref()),
                (Column::Canal, f.canal.as_ref()),
                (Column::Commentaire, f.commentaire.as_ref()),
                (Column::Statut, f.statut.as_ref()),
                (Column::Issue, f.issue.as_ref()),
                (Column::DateCloture, f.date_cloture.as_ref()),
            ] {
                row.set(col, v.map(String::as_str));
            }
            let date = f.date.clone().unwrap_or_else(|| today.to_string());
            row.set(Column::Date, Some(&date));
            let mut parsed = parse_row(store, &row, today).map_err(|errors| {
                Error::Rows(
                    errors
                        .into_iter()
                        .map(|(col, why)| format!("--{} : {why}", flag_of(col)))
                        .collect(),
                )
            })?;
            let r = &mut parsed.request;
            r.agent_id = f
                .agent
                .as_deref()
                .map(|a| flagged("agent", store.resolve_agent(a)).map(|a| a.id))
                .transpose()?;
            r.event_id = f
                .evenement
                .as_deref()
                .map(|e| flagged("evenement", store.resolve_event(e)).map(|e| e.id))
                .transpose()?;
            r.summary = f.resume.clone().unwrap_or_default();
            r.next_follow_up_on = date_arg(store, "relance", f.relance.as_deref())?;
            let created = store.create_request(r)?;
            writeln!(out, "{}", created.reference)?;
        }
        RequestAction::Update(u) => {
            let UpdateArgs {
                reference,
                statut,
                issue,
                date_cloture,
                agent,
                relance,
                resume,
                type_,
                canal,
                if_version,
            } = u.as_ref();
            let id = store.request_id(reference)?;
            let none = |s: &str| {
                matches!(
                    crate::text::fold(s).as_str(),
                    "aucun" | "aucune" | "personne" | ""
                )
            };
            let change = RequestChange {
                status: statut
                    .as_deref()
                    .map(|s| flagged("statut", Status::parse(s)))
                    .transpose()?,
                outcome: issue
                    .as_deref()
                    .map(|s| flagged("issue", Outcome::parse(s)))
                    .transpose()?,
                closed_on: date_arg(store, "date-cloture", date_cloture.as_deref())?,
                agent_id: match agent.as_deref() {
                    None => None,
                    Some(a) if none(a) => Some(None),
                    Some(a) => Some(Some(flagged("agent", store.resolve_agent(a))?.id)),
                },
                next_follow_up_on: match relance.as_deref() {
                    None => None,
                    Some(d) if none(d) => Some(None),
                    Some(d) => Some(date_arg(store, "relance", Some(d))?),
                },
                summary: resume.clone(),
                type_code: type_
                    .as_deref()
                    .map(|t| flagged("type", store.resolve_type(t)))
                    .transpose()?,
                channel_code: canal
                    .as_deref()
                    .map(|c| flagged("canal", store.resolve_channel(c)).map(Some))
                    .transpose()?,
            };
            if change.is_empty() {
                return Err(Error::input(
                    "rien à modifier : précisez au moins une option (--statut, --agent, --relance…)",
                ));
            }
            let row = store.request_row(&id)?;
            let before = row.version;
            // Closing cancels the placements not started yet (said below).
            let cancelled = match change.status {
                Some(crate::domain::Status::Close)
                    if row.status != crate::domain::Status::Close =>
                {
                    store.placements_cancelled_by_closing(&id)?
                }
                _ => Vec::new(),
            };
            let v = store.update_request(&id, *if_version, &change)?;
            let reference = reference.trim().to_uppercase();
            if v == before {
                writeln!(
                    out,
                    "{reference} inchangée : elle avait déjà ces valeurs (version {v})"
                )?;
            } else {
                writeln!(out, "{reference} modifiée (version {v})")?;
                if let Some(m) = crate::store::Placement::cancelled_on_closing(&cancelled) {
                    writeln!(out, "{m}")?;
                }
            }
        }
        RequestAction::Show { reference, format } => {
            if matches!(format, Format::Csv | Format::Xlsx) {
                return Err(Error::input(
                    "--format : la fiche d'une demande s'affiche en table (défaut), md (texte pour un e-mail) ou json ; pour un tableur, voir « guichet list --format csv|xlsx »",
                ));
            }
            let id = store.request_id(reference)?;
            let d = store.consult_request(&id)?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &d)?;
                    writeln!(out)?;
                }
                Format::Md => crate::cli_export::request_markdown(&d, out)?,
                Format::Table => show_text(&d, &Labels::of(store)?, out)?,
                Format::Csv | Format::Xlsx => unreachable!("refused before reading"),
            }
        }
    }
    Ok(())
}

fn flag_of(col: Column) -> &'static str {
    match col {
        Column::DateCloture => "date-cloture",
        c => c.name(),
    }
}

fn show_text(d: &RequestDetail, labels: &Labels, out: &mut dyn Write) -> Result<()> {
    use crate::text::display_safe as s;
    let r = &d.request;
    let p = &d.person;
    writeln!(
        out,
        "{} — {} — {}",
        r.reference,
        s(&r.type_label),
        r.status.label()
    )?;
    if let Some(o) = r.outcome {
        writeln!(
            out,
            "Issue : {}, close le {}",
            o.label(),
            r.closed_on.map(fr_date).unwrap_or_default()
        )?;
    }
    writeln!(out, "Demandeur : {} {}", s(&p.last_name), s(&p.first_name))?;
    for (label, v) in [
        ("Téléphone", p.phone.as_str()),
        ("E-mail", p.email.as_str()),
        ("Profession", p.profession.as_str()),
    ] {
        if !v.is_empty() {
            writeln!(out, "{label} : {}", s(v))?;
        }
    }
    if let Some(pr) = p.profile {
        writeln!(out, "Profil : {}", pr.label())?;
    }
    writeln!(
        out,
        "Reçue le {} par {}",
        fr_date(r.received_on),
        s(r.channel_label.as_deref().unwrap_or("canal non renseigné"))
    )?;
    if let Some(e) = &r.event {
        writeln!(out, "Événement : {}", s(e))?;
    }
    writeln!(
        out,
        "Agent : {}",
        s(r.agent.as_deref().unwrap_or("non attribuée"))
    )?;
    if let Some(n) = r.next_follow_up_on {
        writeln!(out, "Prochaine relance : {}", fr_date(n))?;
    }
    if !r.summary.is_empty() {
        writeln!(out, "Résumé : {}", s(&r.summary))?;
    }
    writeln!(
        out,
        "Version {} — modifiée par {} le {}",
        r.version,
        s(&d.updated_by),
        fr_timestamp(&d.updated_at)
    )?;
    if !d.follow_ups.is_empty() {
        writeln!(out, "\nJournal :")?;
        for f in &d.follow_ups {
            writeln!(
                out,
                "  {} {} ({}) : {}",
                fr_date(f.occurred_on),
                f.kind.label(),
                s(&f.created_by),
                s(&f.body)
            )?;
        }
    }
    if !d.referrals.is_empty() {
        writeln!(out, "\nOrientations :")?;
        for f in &d.referrals {
            let state = crate::cli_export::referral_state(f);
            writeln!(
                out,
                "  {} → {} : {state}",
                fr_date(f.sent_on),
                s(&f.partner)
            )?;
            if !f.note.is_empty() {
                writeln!(out, "      note d'envoi : {}", s(&f.note))?;
            }
            if !f.answer_note.is_empty() {
                writeln!(out, "      note de réponse : {}", s(&f.answer_note))?;
            }
        }
    }
    write_history(out, &d.history, labels)
}

/// "Historique :" then one French line per change: when, who, what.
pub(crate) fn write_history(
    out: &mut dyn Write,
    history: &[crate::store::HistoryRow],
    labels: &Labels,
) -> Result<()> {
    writeln!(out, "\nHistorique :")?;
    for h in history {
        let Some(change) = crate::history_text::history_line_labelled(
            &h.entity,
            &h.field,
            h.old_value.as_deref(),
            h.new_value.as_deref(),
            labels,
        ) else {
            continue;
        };
        writeln!(
            out,
            "  {} {} : {change}",
            fr_timestamp(&h.at),
            crate::text::display_safe(&h.actor)
        )?;
    }
    Ok(())
}

fn referral(store: &mut Store, action: &ReferralAction, out: &mut dyn Write) -> Result<()> {
    match action {
        ReferralAction::Add {
            reference,
            partenaire,
            date,
            attendue,
            note,
        } => {
            let id = store.request_id(reference)?;
            let partner = flagged("partenaire", store.resolve_partner(partenaire))?;
            let sent_on = date_arg(store, "date", date.as_deref())?.unwrap_or(store.today());
            let expected_by = date_arg(store, "attendue", attendue.as_deref())?;
            store.refer(
                &id,
                &NewReferral {
                    partner_id: partner.id,
                    sent_on,
                    expected_by,
                    note: note.clone().unwrap_or_default(),
                },
            )?;
            writeln!(
                out,
                "{} orientée vers {}",
                reference.to_uppercase(),
                partner.name
            )?;
        }
        ReferralAction::Answer {
            reference,
            partenaire,
            reponse,
            date,
            note,
        } => {
            let id = store.request_id(reference)?;
            let partner = flagged("partenaire", store.resolve_partner(partenaire))?;
            let answer = flagged("reponse", Answer::parse(reponse))?;
            let answered_on = date_arg(store, "date", date.as_deref())?.unwrap_or(store.today());
            let detail = store.request_detail(&id)?;
            let open = detail
                .referrals
                .iter()
                .find(|f| f.partner_code == partner.code && f.answered_on.is_none())
                .ok_or_else(|| {
                    Error::input(format!(
                        "--partenaire : la demande {} n'attend pas de réponse de {}",
                        reference.to_uppercase(),
                        partner.name
                    ))
                })?;
            store.answer_referral(
                &open.id,
                Some(open.version),
                &ReferralAnswer {
                    answered_on,
                    answer,
                    note: note.clone().unwrap_or_default(),
                },
            )?;
            writeln!(out, "Réponse de {} enregistrée", partner.name)?;
        }
    }
    Ok(())
}

fn report_cmd(store: &Store, kind: &ReportKind, out: &mut dyn Write) -> Result<()> {
    use crate::cli_export::CodeKind;
    use crate::output::{Sheet, Value};
    use crate::review::{self, Period};
    let (dates, format, out_path) = match kind {
        ReportKind::Weekly(args)
        | ReportKind::Summary(args)
        | ReportKind::Review(args)
        | ReportKind::Partners(args)
        | ReportKind::Aids(args)
        | ReportKind::Housing(args) => (
            Some((args.from.as_str(), args.to.as_str())),
            args.format,
            args.out.as_deref(),
        ),
        // Today's load: no dates.
        ReportKind::Backlog(args) => {
            crate::cli_review::note_ignored_dates(store, args)?;
            (None, args.format, args.out.as_deref())
        }
    };
    let (from, to) = match dates {
        Some((from, to)) => (
            date_arg(store, "from", Some(from))?.expect("given"),
            date_arg(store, "to", Some(to))?.expect("given"),
        ),
        None => (store.today(), store.today()),
    };
    crate::report::check_range(from, to)?;
    if format == Format::Xlsx && out_path.is_none() {
        return Err(Error::input(
            "--format xlsx : un classeur s'écrit dans un fichier, ajoutez --out FICHIER.xlsx",
        ));
    }
    let period = Period::from_dates(from, to);
    // JSON and the e-mail text have their own shape; everything else is tables.
    let (json, md, sheets): (serde_json::Value, Option<String>, Vec<Sheet>) = match kind {
        ReportKind::Weekly(_) => {
            let rows = report::weekly(store, from, to)?;
            let labels = crate::cli_export::Labels::read(store)?;
            let sheet = Sheet::new(
                "Par semaine",
                &[
                    "Semaine",
                    "Début",
                    "Type",
                    "Reçues",
                    "Closes",
                    "Ouvertes en fin de semaine",
                ],
                rows.iter()
                    .map(|r| {
                        vec![
                            Value::text(&r.week),
                            Value::Date(r.week_start),
                            Value::Text(labels.of(CodeKind::Type, &r.type_code)),
                            Value::Int(r.received),
                            Value::Int(r.closed),
                            Value::Int(r.open_at_end),
                        ]
                    })
                    .collect(),
            );
            (serde_json::to_value(&rows)?, None, vec![sheet])
        }
        ReportKind::Summary(_) => {
            let s = report::summary(store, from, to)?;
            let mut rows = vec![
                vec![
                    Value::text("Total"),
                    Value::text("reçues"),
                    Value::Int(s.received),
                ],
                vec![
                    Value::text("Total"),
                    Value::text("closes"),
                    Value::Int(s.closed),
                ],
                vec![
                    Value::text("Total"),
                    Value::text("ouvertes en fin de période"),
                    Value::Int(s.open_at_end),
                ],
                vec![
                    Value::text("Total"),
                    Value::text("événements"),
                    Value::Int(s.events),
                ],
            ];
            let labels = crate::cli_export::Labels::read(store)?;
            for (section, kind, map) in [
                ("Par type", CodeKind::Type, &s.by_type),
                ("Par canal", CodeKind::Channel, &s.by_channel),
                ("Par statut", CodeKind::Status, &s.by_status),
                ("Par issue", CodeKind::Outcome, &s.by_outcome),
                (
                    "Orientations par partenaire",
                    CodeKind::Partner,
                    &s.referrals_by_partner,
                ),
            ] {
                rows.extend(map.iter().map(|(k, n)| {
                    vec![
                        Value::text(section),
                        Value::Text(labels.of(kind, k)),
                        Value::Int(*n),
                    ]
                }));
            }
            let sheet = Sheet::new(
                &format!("Du {} au {}", fr_date(s.from), fr_date(s.to)),
                &["Rubrique", "Valeur", "Nombre"],
                rows,
            );
            (serde_json::to_value(&s)?, None, vec![sheet])
        }
        ReportKind::Review(_) => {
            let r = review::compute(store, period)?;
            (
                serde_json::to_value(&r)?,
                Some(review::markdown(&r)),
                r.sheets(),
            )
        }
        ReportKind::Partners(_) => {
            let r = review::compute(store, period)?;
            (
                serde_json::to_value(&r.partners)?,
                None,
                vec![review::partners_sheet(&r.partners)],
            )
        }
        ReportKind::Housing(_) => {
            let (json, sheets) = crate::cli_housing::report_json_and_sheets(store, from, to)?;
            (json, None, sheets)
        }
        ReportKind::Backlog(_) => {
            let workload = review::workload(store)?;
            (
                serde_json::to_value(&workload)?,
                None,
                vec![review::workload_sheet(&workload)],
            )
        }
        ReportKind::Aids(_) => {
            let r = crate::report_aids::compute(store, from, to)?;
            (serde_json::to_value(&r)?, None, r.sheets())
        }
    };
    if let (Format::Xlsx, Some(path)) = (format, out_path) {
        crate::output::write_xlsx(&sheets, path)?;
        writeln!(out, "Classeur écrit : {}", path.display())?;
        return Ok(());
    }
    let mut w = sink(out_path, out)?;
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut w, &json)?;
            writeln!(w)?;
        }
        Format::Csv => crate::output::write_sheets_csv(&sheets, &mut w)?,
        Format::Md => match md {
            Some(text) => write!(w, "{text}")?,
            None => crate::output::write_sheets_md(&sheets, &mut w)?,
        },
        Format::Table | Format::Xlsx => crate::output::write_sheets_text(&sheets, &mut w)?,
    }
    w.flush()?;
    drop(w);
    if let Some(path) = out_path {
        writeln!(out, "Fichier écrit : {}", path.display())?;
    }
    Ok(())
}
