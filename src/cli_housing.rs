//! `guichet housing …`: the register of housing places, openings, placements, the search for a
//! free place, the spreadsheet import and the stand proposals (issue #14).

use crate::cli::{date_arg, flagged};
use crate::domain::{HousingKind, Profile, fr_date};
use crate::error::{Error, Result};
use crate::housing::{Span, semester};
use crate::output::{Format, Table};
use crate::store::{FreeQuery, NewPlace, PlaceChange, Store};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum HousingAction {
    /// Ajoute un logement au registre et affiche son code
    Add(Box<AddArgs>),
    /// Modifie un logement (lits, loyer, contact…) : seules les options données changent
    Edit(Box<EditArgs>),
    /// Ouvre un logement pour une période (un semestre, des dates)
    Open {
        code: String,
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Loge une demande de logement dans un logement pour une période
    Place {
        reference: String,
        code: String,
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Annule un placement : le lit redevient libre (noté dans l'historique et le journal)
    Unplace {
        reference: String,
        code: String,
        /// Le premier jour du placement, si la demande est logée plusieurs fois à cet endroit
        #[arg(long)]
        du: Option<String>,
    },
    /// Logements ayant un lit libre pendant toute la période
    Free(Box<FreeArgs>),
    /// Le registre des logements
    List {
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Écrire dans ce fichier (sinon à l'écran)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Un logement : ouvertures et placements
    Show {
        code: String,
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Importe le registre depuis un tableur .csv, .xlsx ou .ods (tout ou rien)
    Import {
        file: PathBuf,
        /// La feuille d'un classeur à lire (nom ou numéro, 1 = la première ; par défaut la première)
        #[arg(long, value_name = "FEUILLE")]
        feuille: Option<String>,
    },
    /// Retire un logement de l'offre (ses placements restent)
    Disable { code: String },
    /// Remet un logement dans l'offre
    Enable { code: String },
    /// Note l'intérêt d'un demandeur pour un logement (proposition à décider)
    Propose {
        reference: String,
        code: String,
        #[command(flatten)]
        period: PeriodArgs,
        /// Ce qui a été dit au demandeur (note)
        #[arg(long)]
        note: Option<String>,
    },
    /// Propositions à décider (intérêts notés au salon et rapportés par la fusion)
    Proposals {
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Décide d'une proposition : loger (mêmes contrôles que « place ») ou refuser
    Decide {
        id: String,
        /// loger ou refuser
        #[arg(long, value_enum)]
        decision: ProposalDecision,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ProposalDecision {
    Loger,
    Refuser,
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// Premier jour (inclus)
    #[arg(long)]
    du: Option<String>,
    /// Dernier jour (inclus)
    #[arg(long)]
    au: Option<String>,
    /// Ou un semestre de stage : « hiver 2026 » (novembre–avril), « été 2027 » (mai–octobre)
    #[arg(long)]
    semestre: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Nom du logement (« Internat du collège Jean-Rostand »)
    #[arg(long)]
    nom: String,
    /// Commune du Loiret (ou une autre avec --coordonnees)
    #[arg(long)]
    commune: String,
    /// Nombre de lits
    #[arg(long)]
    lits: i64,
    /// Loyer mensuel en euros (0 = gratuit)
    #[arg(long, default_value_t = 0)]
    loyer: i64,
    /// college, municipal, tourisme, structure_soins, prive
    #[arg(long, default_value = "prive")]
    genre: String,
    /// Le partenaire qui le propose (code ou nom)
    #[arg(long)]
    partenaire: Option<String>,
    /// Ou le nom du propriétaire
    #[arg(long)]
    proprietaire: Option<String>,
    /// Qui peut y prétendre : etudiant, interne, professionnel, famille (séparés par des virgules)
    #[arg(long)]
    profils: Option<String>,
    /// Professions ou études accueillies (texte libre)
    #[arg(long)]
    professions: Option<String>,
    /// Qui appeler pour les clés, la visite (nom, téléphone)
    #[arg(long)]
    contact: Option<String>,
    /// Notes (accès, équipements…)
    #[arg(long)]
    notes: Option<String>,
    /// Pour une commune hors de la liste du Loiret : « 47.59,1.33 »
    #[arg(long)]
    coordonnees: Option<String>,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Le code du logement (LOG-0001)
    code: String,
    /// Nouveau nom
    #[arg(long)]
    nom: Option<String>,
    /// Nouveau nombre de lits (refusé si des placements à venir en occupent plus)
    #[arg(long)]
    lits: Option<i64>,
    /// Nouveau loyer mensuel en euros (0 = gratuit)
    #[arg(long)]
    loyer: Option<i64>,
    /// Nouveau genre : college, municipal, tourisme, structure_soins, prive
    #[arg(long)]
    genre: Option<String>,
    /// Nom du propriétaire
    #[arg(long)]
    proprietaire: Option<String>,
    /// Qui peut y prétendre : etudiant, interne, professionnel, famille (séparés par des virgules ;
    /// vide = tout le monde)
    #[arg(long)]
    profils: Option<String>,
    /// Professions ou études accueillies (texte libre)
    #[arg(long)]
    professions: Option<String>,
    /// Qui appeler pour les clés, la visite (nom, téléphone)
    #[arg(long)]
    contact: Option<String>,
    /// Notes (accès, équipements…)
    #[arg(long)]
    notes: Option<String>,
    /// Refuser si le logement n'est plus à cette version (modifié entre-temps)
    #[arg(long = "if-version")]
    if_version: Option<i64>,
}

#[derive(Debug, Args)]
pub struct FreeArgs {
    #[command(flatten)]
    period: PeriodArgs,
    /// Seulement dans cette commune
    #[arg(long)]
    commune: Option<String>,
    /// Près de cette commune (voir --rayon), les plus proches d'abord
    #[arg(long = "pres-de")]
    pres_de: Option<String>,
    /// Rayon en kilomètres autour de --pres-de
    #[arg(long, default_value_t = crate::housing::stand::DEFAULT_RADIUS_KM)]
    rayon: f64,
    /// Seulement les logements ouverts à ce profil : etudiant, interne, professionnel, famille
    #[arg(long)]
    profil: Option<String>,
    /// Loyer mensuel maximal en euros
    #[arg(long = "loyer-max")]
    loyer_max: Option<i64>,
    /// Seulement ce genre : college, municipal, tourisme, structure_soins, prive
    #[arg(long)]
    genre: Option<String>,
    /// Format de sortie
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Écrire dans ce fichier (sinon à l'écran)
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The period of `--du/--au` or `--semestre`.
fn period(store: &Store, p: &PeriodArgs) -> Result<Span> {
    match (&p.semestre, &p.du, &p.au) {
        (Some(s), None, None) => semester(s).ok_or_else(|| {
            Error::input(format!(
                "--semestre : « {s} » n'est pas un semestre (par exemple « hiver 2026 » ou « été 2027 »)"
            ))
        }),
        (None, Some(du), Some(au)) => {
            let from = date_arg(store, "du", Some(du))?.expect("given");
            let to = date_arg(store, "au", Some(au))?.expect("given");
            Span::new(from, to).map_err(|e| Error::input(format!("--au : {e}")))
        }
        (Some(_), _, _) => Err(Error::input(
            "--semestre ou --du/--au, pas les deux : précisez la période une seule fois",
        )),
        _ => Err(Error::input(
            "précisez la période : --du JJ/MM/AAAA --au JJ/MM/AAAA, ou --semestre « hiver 2026 »",
        )),
    }
}

fn coordinates(s: &str) -> Result<(f64, f64)> {
    let bad = || {
        Error::input(format!(
            "--coordonnees : « {s} » n'est pas « latitude,longitude » en degrés décimaux (47.90,1.91)"
        ))
    };
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    let lat: f64 = a.trim().parse().map_err(|_| bad())?;
    let lon: f64 = b.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

pub fn run(store: &mut Store, action: &HousingAction, out: &mut dyn Write) -> Result<()> {
    use crate::text::display_safe as s;
    match action {
        HousingAction::Add(a) => {
            let kind = flagged("genre", HousingKind::parse(&a.genre))?;
            let (commune, coords) = match &a.coordonnees {
                Some(c) => (a.commune.trim().to_string(), Some(coordinates(c)?)),
                None => {
                    let c = flagged("commune", crate::housing::communes::resolve(&a.commune))
                        .map_err(|e| {
                            Error::input(format!(
                                "{e} ; hors du Loiret, ajoutez --coordonnees LATITUDE,LONGITUDE"
                            ))
                        })?;
                    (c.name.to_string(), Some((c.latitude, c.longitude)))
                }
            };
            let mut p = NewPlace::new(&a.nom, kind, &commune, a.lits);
            p.coordinates = coords;
            p.rent = a.loyer;
            p.partner_id = a
                .partenaire
                .as_deref()
                .map(|x| flagged("partenaire", store.resolve_partner(x)).map(|p| p.id))
                .transpose()?;
            p.owner = a.proprietaire.clone().unwrap_or_default();
            p.profiles = a
                .profils
                .as_deref()
                .map(|x| flagged("profils", crate::housing::import::parse_profiles(x)))
                .transpose()?
                .unwrap_or_default();
            p.professions = a.professions.clone().unwrap_or_default();
            p.contact = a.contact.clone().unwrap_or_default();
            p.notes = a.notes.clone().unwrap_or_default();
            let code = store.add_place(&p)?;
            writeln!(out, "{code}")?;
        }
        HousingAction::Open { code, period: p } => {
            let span = period(store, p)?;
            let added = store.open_place(code, &span)?;
            let code = code.trim().to_uppercase();
            if added {
                writeln!(out, "{code} ouvert {}", span.label())?;
            } else {
                writeln!(out, "{code} était déjà ouvert {}", span.label())?;
            }
        }
        HousingAction::Place {
            reference,
            code,
            period: p,
        } => {
            let span = period(store, p)?;
            let id = store.request_id(reference)?;
            let placed = store.place_request(&id, code, &span)?;
            writeln!(
                out,
                "{} logée à {} {}",
                placed.reference.unwrap_or_default(),
                placed.place,
                span.label()
            )?;
        }
        HousingAction::Unplace {
            reference,
            code,
            du,
        } => {
            let id = store.request_id(reference)?;
            let from = date_arg(store, "du", du.as_deref())?;
            let p = store.cancel_placement(&id, code, from)?;
            writeln!(
                out,
                "Placement annulé : {} à {} {}",
                p.reference.as_deref().unwrap_or_default(),
                p.place,
                p.span().label()
            )?;
        }
        HousingAction::Free(f) => free(store, f, out)?,
        HousingAction::List { format, out: path } => {
            let places = store.places()?;
            let mut w = crate::cli::sink(path.as_deref(), out)?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut w, &places)?;
                    writeln!(w)?;
                }
                _ => {
                    let mut t = Table::new(vec![
                        "Code",
                        "Nom",
                        "Genre",
                        "Commune",
                        "Lits",
                        "Loyer (€)",
                        "Proposé par",
                        "Profils",
                        "Actif",
                    ]);
                    for p in places {
                        t.push(vec![
                            p.code,
                            p.name,
                            p.kind.label().into(),
                            p.commune,
                            p.beds.to_string(),
                            p.rent.to_string(),
                            p.offered_by,
                            profiles_label(&p.profiles),
                            if p.active { "oui" } else { "non" }.into(),
                        ]);
                    }
                    match format {
                        Format::Csv => t.write_csv(&mut w)?,
                        _ => t.write_text(&mut w)?,
                    }
                }
            }
            w.flush()?;
        }
        HousingAction::Show { code, format } => {
            let d = store.place_detail(code)?;
            if *format == Format::Json {
                serde_json::to_writer_pretty(&mut *out, &d)?;
                writeln!(out)?;
                return Ok(());
            }
            let p = &d.place;
            writeln!(out, "{} — {} — {}", p.code, s(&p.name), p.kind.label())?;
            writeln!(
                out,
                "Commune : {} · {} lit(s) · loyer {} € par mois{}",
                s(&p.commune),
                p.beds,
                p.rent,
                if p.active {
                    ""
                } else {
                    " · retiré de l'offre"
                }
            )?;
            for (label, v) in [
                ("Proposé par", p.offered_by.as_str()),
                ("Professions", p.professions.as_str()),
                ("Contact", p.contact.as_str()),
                ("Notes", p.notes.as_str()),
            ] {
                if !v.is_empty() {
                    writeln!(out, "{label} : {}", s(v))?;
                }
            }
            writeln!(out, "Profils : {}", profiles_label(&p.profiles))?;
            writeln!(out, "\nOuvertures :")?;
            for o in &d.openings {
                writeln!(out, "  {}", o.label())?;
            }
            writeln!(out, "\nPlacements :")?;
            for pl in &d.placements {
                writeln!(out, "  {}", pl.label())?;
            }
            crate::cli::write_history(out, &d.history, &Default::default())?;
        }
        HousingAction::Import { file, feuille } => {
            let bytes = crate::tabular::read_file(file)?;
            let r = crate::housing::import::import_places(store, &bytes, feuille.as_deref())
                .map_err(|e| crate::tabular::nothing_imported(file, e))?;
            writeln!(
                out,
                "{} ligne(s) lue(s) : {} logement(s) ajouté(s), {} déjà présent(s), {} ouverture(s).",
                r.rows, r.added, r.already_there, r.openings
            )?;
            if !r.ignored_columns.is_empty() {
                writeln!(out, "Colonnes ignorées : {}", r.ignored_columns.join(", "))?;
            }
        }
        HousingAction::Edit(e) => {
            let change = PlaceChange {
                name: e.nom.clone(),
                kind: e
                    .genre
                    .as_deref()
                    .map(|g| flagged("genre", HousingKind::parse(g)))
                    .transpose()?,
                beds: e.lits,
                rent: e.loyer,
                owner: e.proprietaire.clone(),
                profiles: e
                    .profils
                    .as_deref()
                    .map(|p| flagged("profils", crate::housing::import::parse_profiles(p)))
                    .transpose()?,
                professions: e.professions.clone(),
                contact: e.contact.clone(),
                notes: e.notes.clone(),
            };
            if change == PlaceChange::default() {
                return Err(Error::input(
                    "rien à modifier : donnez au moins une option (--lits, --loyer, --contact…)",
                ));
            }
            let p = store.update_place(&e.code, &change, e.if_version)?;
            writeln!(out, "{} modifié (version {})", p.code, p.version)?;
        }
        HousingAction::Disable { code } | HousingAction::Enable { code } => {
            let active = matches!(action, HousingAction::Enable { .. });
            store.set_place_active(code, active)?;
            writeln!(
                out,
                "{} {}",
                code.trim().to_uppercase(),
                if active {
                    "remis dans l'offre"
                } else {
                    "retiré de l'offre"
                }
            )?;
        }
        HousingAction::Propose {
            reference,
            code,
            period: p,
            note,
        } => {
            let span = period(store, p)?;
            let id = store.request_id(reference)?;
            let pid = store.propose_place(&id, code, &span, note.as_deref().unwrap_or(""))?;
            writeln!(out, "Proposition notée : {pid}")?;
        }
        HousingAction::Proposals { format } => {
            let items = store.proposals()?;
            if *format == Format::Json {
                serde_json::to_writer_pretty(&mut *out, &items)?;
                writeln!(out)?;
                return Ok(());
            }
            let mut t = Table::new(vec![
                "Identifiant",
                "Demande",
                "Logement",
                "Période",
                "Note",
            ]);
            for p in items {
                t.push(vec![
                    p.id,
                    p.reference.unwrap_or_else(|| "(fusion à décider)".into()),
                    format!("{} {}", p.place, p.place_name),
                    Span {
                        from: p.from,
                        to: p.to,
                    }
                    .label(),
                    p.note,
                ]);
            }
            t.write_text(out)?;
        }
        HousingAction::Decide { id, decision } => {
            let accept = matches!(decision, ProposalDecision::Loger);
            match store.decide_proposal(id, accept)? {
                Some(p) => writeln!(
                    out,
                    "{} logée à {} du {} au {}",
                    p.reference.unwrap_or_default(),
                    p.place,
                    fr_date(p.from),
                    fr_date(p.to)
                )?,
                None => writeln!(out, "Proposition refusée.")?,
            }
        }
    }
    Ok(())
}

fn profiles_label(profiles: &[Profile]) -> String {
    if profiles.is_empty() {
        "tous".into()
    } else {
        profiles
            .iter()
            .map(|p| p.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn free(store: &Store, f: &FreeArgs, out: &mut dyn Write) -> Result<()> {
    let span = period(store, &f.period)?;
    if f.rayon.is_nan() || f.rayon <= 0.0 {
        return Err(Error::input("--rayon : un nombre de kilomètres positif"));
    }
    let near = f
        .pres_de
        .as_deref()
        .map(|c| flagged("pres-de", store.commune_coordinates(c)).map(|(_, a, b)| (a, b, f.rayon)))
        .transpose()?;
    let q = FreeQuery {
        period: Some(span),
        commune: f.commune.clone(),
        near,
        profile: f
            .profil
            .as_deref()
            .map(|p| flagged("profil", Profile::parse(p)))
            .transpose()?,
        max_rent: f.loyer_max,
        kind: f
            .genre
            .as_deref()
            .map(|k| flagged("genre", HousingKind::parse(k)))
            .transpose()?,
    };
    let places = store.free_places(&q)?;
    let mut w = crate::cli::sink(f.out.as_deref(), out)?;
    match f.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut w, &places)?;
            writeln!(w)?;
        }
        _ => {
            let mut headers = vec![
                "Code",
                "Nom",
                "Commune",
                "Lits libres",
                "Lits",
                "Loyer (€)",
                "Genre",
            ];
            if near.is_some() {
                headers.push("Distance (km)");
            }
            let mut t = Table::new(headers);
            for p in places {
                let mut row = vec![
                    p.code,
                    p.name,
                    p.commune,
                    p.free_beds.to_string(),
                    p.beds.to_string(),
                    p.rent.to_string(),
                    p.kind.label().into(),
                ];
                if let Some(d) = p.distance_km {
                    row.push(format!("{d:.1}").replace('.', ","));
                }
                t.push(row);
            }
            match f.format {
                Format::Csv => t.write_csv(&mut w)?,
                _ => t.write_text(&mut w)?,
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// `report housing`: JSON, or the report's tables.
pub fn report_json_and_sheets(
    store: &Store,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<(serde_json::Value, Vec<crate::output::Sheet>)> {
    let r = crate::housing::report::compute(store, Span::new(from, to)?)?;
    Ok((serde_json::to_value(&r)?, r.sheets()))
}
