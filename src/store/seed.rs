//! The Loiret reference data written into a new file. After that the lists belong to the file:
//! another département edits them with `guichet ref …`, never this code.

use crate::error::Result;
use rusqlite::{Transaction, params};
use uuid::Uuid;

/// (code, label, aliases)
pub const REQUEST_TYPES: &[(&str, &str, &str)] = &[
    ("logement", "Logement", "hébergement|logement interne"),
    (
        "bourse",
        "Bourse d'études",
        "bourse d'étude|bourses|bourse etudiant",
    ),
    (
        "installation",
        "Aide à l'installation",
        "aide installation|installation professionnelle",
    ),
    (
        "emploi_conjoint",
        "Emploi du conjoint",
        "emploi conjoint|job conjoint|conjoint",
    ),
    (
        "creche",
        "Crèche",
        "garde d'enfant|mode de garde|petite enfance",
    ),
    (
        "stage",
        "Stage",
        "aide au stage|indemnité kilométrique|frais de stage",
    ),
    (
        "lieu_exercice",
        "Lieu d'exercice",
        "cabinet|local|locaux vacants",
    ),
    (
        "decouverte",
        "Découverte du territoire",
        "découverte|accueil",
    ),
    ("autre", "Autre", "divers"),
];

/// (code, label, aliases)
pub const CHANNELS: &[(&str, &str, &str)] = &[
    ("telephone", "Téléphone", "tel|tél|appel"),
    ("email", "E-mail", "mail|courriel|e mail"),
    ("site_web", "Site web", "formulaire|internet|site"),
    (
        "salon",
        "Salon / événement",
        "salon|événement|evenement|congrès|forum",
    ),
    ("rendez_vous", "Rendez-vous", "rdv|visite|accueil physique"),
    ("courrier", "Courrier", "lettre"),
    (
        "partenaire",
        "Orientation par un partenaire",
        "partenaire|orientation",
    ),
];

/// (code, name, kind, phone, aliases)
pub const PARTNERS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "cpam",
        "CPAM du Loiret",
        "institution",
        "36 46",
        "assurance maladie",
    ),
    (
        "ars",
        "ARS Centre-Val de Loire",
        "institution",
        "",
        "agence régionale de santé",
    ),
    (
        "region",
        "Région Centre-Val de Loire",
        "collectivite",
        "",
        "région",
    ),
    (
        "cpts_beauce_gatinais",
        "CPTS Beauce-Gâtinais",
        "cpts",
        "0 801 90 45 00",
        "",
    ),
    (
        "cpts_est_orleanais",
        "CPTS de l'Est orléanais",
        "cpts",
        "06 51 51 58 51",
        "cpts est orleanais",
    ),
    (
        "cpts_orleans",
        "CPTS'O (Orléans)",
        "cpts",
        "07 88 85 71 51",
        "cptso|cpts orleans|cpts orléanaise",
    ),
    (
        "cpts_gatinais_montargois",
        "CPTS Gâtinais-Montargois",
        "cpts",
        "02 18 12 14 47",
        "",
    ),
    (
        "cpts_giennois_berry",
        "CPTS du Giennois-Berry",
        "cpts",
        "01 73 00 36 51",
        "cpts giennois berry",
    ),
    ("cpts_sologne", "CPTS Sologne", "cpts", "06 47 27 64 58", ""),
    (
        "cpts_ouest_loiret",
        "CPTS Ouest Loiret",
        "cpts",
        "07 88 97 52 33",
        "",
    ),
    (
        "ordre_medecins",
        "Ordre des médecins du Loiret",
        "ordre",
        "",
        "cdom|ordre des medecins",
    ),
    (
        "ordre_kine",
        "Ordre des masseurs-kinésithérapeutes",
        "ordre",
        "",
        "ordre des kinés",
    ),
    (
        "ordre_dentistes",
        "Ordre des chirurgiens-dentistes",
        "ordre",
        "",
        "ordre des dentistes",
    ),
    ("ordre_infirmiers", "Ordre des infirmiers", "ordre", "", ""),
    (
        "urps",
        "URPS Centre-Val de Loire",
        "urps",
        "",
        "urps ml|union régionale",
    ),
    (
        "france_travail",
        "France Travail",
        "emploi",
        "",
        "pôle emploi|pole emploi",
    ),
    (
        "caf",
        "CAF du Loiret",
        "famille",
        "",
        "caisse d'allocations familiales",
    ),
    (
        "rpe",
        "Relais petite enfance",
        "famille",
        "",
        "relais petite enfance|ram",
    ),
    (
        "fac_orleans",
        "Faculté de médecine d'Orléans",
        "ecole",
        "",
        "université d'orléans|fac",
    ),
    (
        "fac_tours",
        "Faculté de médecine de Tours",
        "ecole",
        "",
        "université de tours",
    ),
    (
        "ifsi",
        "IFSI du Loiret",
        "ecole",
        "",
        "institut de formation en soins infirmiers",
    ),
    (
        "communes",
        "Communes et EPCI",
        "collectivite",
        "",
        "mairie|commune|epci|communauté de communes",
    ),
    (
        "cls",
        "Contrats locaux de santé",
        "collectivite",
        "",
        "cls|contrat local de santé",
    ),
    (
        "docpack",
        "Jobpack / Docpack",
        "emploi",
        "",
        "jobpack|docpack",
    ),
    (
        "chr_orleans",
        "CHR d'Orléans",
        "etablissement",
        "",
        "chu orleans|hôpital",
    ),
];

/// (code, request type, title, text): the Loiret's measures, from its 2023 press kit.
pub const OFFERS: &[(&str, &str, &str, &str)] = &[
    (
        "bourse",
        "bourse",
        "Bourse d'études",
        "Finance les frais d'inscription en médecine tout au long des études, en France ou dans une faculté européenne : de 1 200 € à 18 000 € selon le cursus (montants votés en 2023). En retour : exercer au moins 5 ans dans le Loiret après le diplôme.",
    ),
    (
        "installation",
        "installation",
        "Aide à l'installation",
        "De 7 000 € à 35 000 € selon la profession (médecine générale et spécialisée, sages-femmes, kinés, infirmiers et IPA, dentistes, pharmaciens, orthophonistes, podologues, orthoptistes), en zone sous-dotée ou intermédiaire. Engagement : exercer 5 ans dans le Loiret. + 2 000 € pour un maître de stage, ou qui s'engage à le devenir dans les 5 ans.",
    ),
    (
        "stage",
        "stage",
        "Forfait stage en zone rurale",
        "Frais kilométriques : de 60 € à 200 € par mois selon la durée du stage, pour les étudiants sans autre aide (école, employeur, bourse départementale) en stage en milieu rural.",
    ),
    (
        "logement",
        "logement",
        "Logement",
        "Quinze places par semestre dans les logements de fonction vacants des collèges pour les étudiants en médecine ; la carte des logements pour étudiants en santé sur caploiretsante.fr.",
    ),
    (
        "familles",
        "emploi_conjoint",
        "Familles : emploi du conjoint, garde d'enfants",
        "Cap Loiret Santé mobilise son réseau (administrations, entreprises, Jobpack, CAF, relais petite enfance) pour l'emploi du conjoint et les modes de garde.",
    ),
    (
        "accueil",
        "decouverte",
        "Accueil des nouveaux arrivants",
        "Docpack et un « Welcomer », ambassadeur qui donne informations, conseils et contacts sur la vie dans le Loiret.",
    ),
];

/// Stable ids for seeded partners: two files seeded apart share them, so merging a salon laptop
/// into the office file matches its partners.
pub fn partner_id(code: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("guichet:partner:{code}").as_bytes(),
    )
    .to_string()
}

/// Writes the reference lists into a new file, and the file's own identity.
pub(super) fn seed_new_file(tx: &Transaction<'_>) -> Result<()> {
    seed_reference(tx)?;
    tx.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('file_id', ?1), ('series', 'A')",
        [Uuid::now_v7().to_string()],
    )?;
    Ok(())
}

/// Inserts the Loiret lists, keeping any row already there (idempotent; `guichet init`).
pub fn seed_reference(tx: &Transaction<'_>) -> Result<usize> {
    let mut added = 0;
    for (i, (code, label, aliases)) in REQUEST_TYPES.iter().enumerate() {
        added += tx.execute(
            "INSERT OR IGNORE INTO request_type (code, label, aliases, position) VALUES (?1, ?2, ?3, ?4)",
            params![code, label, aliases, i as i64],
        )?;
    }
    for (i, (code, label, aliases)) in CHANNELS.iter().enumerate() {
        added += tx.execute(
            "INSERT OR IGNORE INTO channel (code, label, aliases, position) VALUES (?1, ?2, ?3, ?4)",
            params![code, label, aliases, i as i64],
        )?;
    }
    for (i, (code, type_code, title, body)) in OFFERS.iter().enumerate() {
        added += tx.execute(
            "INSERT OR IGNORE INTO offer (code, type_code, title, body, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![code, type_code, title, body, i as i64],
        )?;
    }
    for (code, name, kind, phone, aliases) in PARTNERS {
        added += tx.execute(
            "INSERT OR IGNORE INTO partner (id, code, name, kind, phone, aliases) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![partner_id(code), code, name, kind, phone, aliases],
        )?;
    }
    Ok(added)
}
