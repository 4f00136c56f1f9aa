//! The fixed vocabulary of PRODUCT.md (statuses, outcomes, profiles, follow-up kinds…) and the
//! French date parsing every front end shares. Configurable lists (request types, channels,
//! partners) live in the database, not here.

use crate::error::{Error, Result};
use crate::text::fold;
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

/// An enum with a stable code (stored, JSON) and a French label (screen, CSV), parsed from
/// either, in any case, with or without accents.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident = $code:literal, $label:literal $(| $alias:literal)*;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, PartialOrd, Ord)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($alias),*]),+ }
            }

            /// From a code or a label, in any case, with or without accents.
            pub fn parse(input: &str) -> Result<Self> {
                let key = fold(input);
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| {
                        fold(v.code()) == key
                            || fold(v.label()) == key
                            || v.aliases().iter().any(|a| fold(a) == key)
                    })
                    .ok_or_else(|| Error::input(format!(
                        "{} inconnu : « {} » (valeurs possibles : {})",
                        $what,
                        input,
                        Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
                    )))
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.code().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                Self::from_code(s).ok_or_else(|| rusqlite::types::FromSqlError::Other(
                    format!("{} inconnu dans le fichier : {s}", $what).into()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

// The aids module declares its own vocabularies with the same macro.
pub(crate) use vocabulary;

vocabulary!(
    /// Where a request stands. `Close` always comes with an [`Outcome`].
    Status, "statut" {
        AQualifier = "a_qualifier", "À qualifier" | "à compléter" | "incomplète";
        Nouvelle = "nouvelle", "Nouvelle" | "nouveau" | "à traiter" | "reçue" | "non traitée";
        EnCours = "en_cours", "En cours" | "en traitement" | "en cours de traitement"
            | "traitement en cours" | "ouverte" | "ouvert" | "suivi en cours";
        AttenteDemandeur = "attente_demandeur", "En attente du demandeur" | "attente demandeur"
            | "en attente demandeur" | "en attente" | "attente" | "en attente de pièces"
            | "pièces manquantes" | "dossier incomplet";
        AttentePartenaire = "attente_partenaire", "En attente d'un partenaire" | "attente partenaire"
            | "en attente partenaire" | "en attente du partenaire" | "chez le partenaire";
        Close = "close", "Close" | "clos" | "clôturée" | "fermée" | "fermé" | "clôturé" | "clôture"
            | "terminé" | "terminée" | "traité" | "traitée" | "fini" | "finie" | "classé"
            | "classée" | "archivé" | "archivée";
    }
);

impl Status {
    pub fn is_open(self) -> bool {
        self != Status::Close
    }
}

vocabulary!(
    /// How a closed request ended.
    Outcome, "issue" {
        Aboutie = "aboutie", "Aboutie" | "abouti" | "accordée" | "accordé" | "accord" | "favorable"
            | "obtenue" | "obtenu" | "réalisée" | "réussie" | "validée" | "validé" | "satisfaite"
            | "positive";
        Refusee = "refusee", "Refusée" | "refusé" | "refus" | "défavorable" | "rejetée" | "rejeté"
            | "non éligible" | "inéligible" | "négative";
        SansSuite = "sans_suite", "Sans suite" | "abandon" | "abandonnée" | "abandonné"
            | "sans réponse" | "classée sans suite" | "classé sans suite" | "désistement";
        Reorientee = "reorientee", "Réorientée" | "réorienté" | "réorientation" | "orientée"
            | "transmise" | "hors champ" | "hors compétence";
    }
);

vocabulary!(
    Profile, "profil" {
        Etudiant = "etudiant", "Étudiant" | "étudiante" | "externe";
        Interne = "interne", "Interne";
        Professionnel = "professionnel", "Professionnel de santé" | "professionnelle" | "pro";
        Famille = "famille", "Famille";
    }
);

vocabulary!(
    /// One entry of the case log.
    FollowUpKind, "type de suivi" {
        AppelEntrant = "appel_entrant", "Appel reçu";
        AppelSortant = "appel_sortant", "Appel passé" | "appel";
        EmailRecu = "email_recu", "E-mail reçu";
        EmailEnvoye = "email_envoye", "E-mail envoyé" | "email" | "mail";
        RendezVous = "rendez_vous", "Rendez-vous" | "rdv";
        Courrier = "courrier", "Courrier";
        Note = "note", "Note";
    }
);

impl FollowUpKind {
    /// A contact with the person (a note is not one): counts for "time to first contact".
    pub fn is_contact(self) -> bool {
        self != FollowUpKind::Note
    }
}

vocabulary!(
    /// A partner's answer to a referral.
    Answer, "réponse" {
        Favorable = "favorable", "Favorable";
        Defavorable = "defavorable", "Défavorable";
        SansObjet = "sans_objet", "Sans objet";
    }
);

vocabulary!(
    Role, "rôle" {
        Agent = "agent", "Agent";
        Responsable = "responsable", "Responsable" | "team lead";
    }
);

vocabulary!(
    /// Who lends a housing place (issue #14).
    HousingKind, "genre de logement" {
        College = "college", "Logement de fonction de collège" | "collège" | "logement de fonction";
        Municipal = "municipal", "Logement communal" | "commune" | "communal" | "collectivité";
        Tourisme = "tourisme", "Hébergement touristique" | "gîte" | "gite" | "tourisme";
        StructureSoins = "structure_soins", "Structure de soins" | "hôpital" | "hopital" | "internat" | "ehpad";
        Prive = "prive", "Particulier" | "privé" | "propriétaire";
    }
);

/// What a date field takes, said after a date it could not read.
const EXPECTED: &str =
    "(attendu : JJ/MM/AAAA, AAAA-MM-JJ, « demain », « hier », +N jours ou +Ns semaines)";

/// Parses a date the way agents type it: `JJ/MM/AAAA`, `AAAA-MM-JJ`, `JJ/MM` (this year),
/// `aujourd'hui`, `demain`, `hier`, `+N` / `-N` (days from today), `+Ns` (weeks).
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate> {
    let s = input.trim();
    let bad = |why: &str| Error::input(format!("date invalide : « {input} » {why}"));
    if s.is_empty() {
        return Err(bad("(vide)"));
    }
    match fold(s).as_str() {
        "aujourd hui" | "auj" | "today" => return Ok(today),
        "demain" => return Ok(today + Days::new(1)),
        "hier" => return Ok(today - Days::new(1)),
        _ => {}
    }
    if let Some(sign) = s.chars().next().filter(|c| *c == '+' || *c == '-') {
        let rest = &s[1..];
        let (num, unit) = match rest.strip_suffix(['s', 'S']) {
            Some(n) => (n, 7),
            None => match rest.strip_suffix(['j', 'J']) {
                Some(n) => (n, 1),
                None => (rest, 1),
            },
        };
        let n: u64 = num.parse().map_err(|_| bad(EXPECTED))?;
        let days = Days::new(n.saturating_mul(unit));
        let d = if sign == '+' {
            today.checked_add_days(days)
        } else {
            today.checked_sub_days(days)
        };
        let d = d.ok_or_else(|| bad("(hors calendrier)"))?;
        return check_plausible(d).map_err(|why| bad(&why));
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.trim().parse::<u32>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad(EXPECTED))?;
    let (y, m, d) = match (parts.as_slice(), nums.as_slice()) {
        ([y, _, _], [yy, mm, dd]) if y.len() == 4 => (*yy as i32, *mm, *dd),
        ([_, _, y], [dd, mm, yy]) if y.len() == 4 => (*yy as i32, *mm, *dd),
        ([_, _, y], [dd, mm, yy]) if y.len() == 2 => (2000 + *yy as i32, *mm, *dd),
        ([_, _], [dd, mm]) => (today.year(), *mm, *dd),
        _ => return Err(bad(EXPECTED)),
    };
    if !(1..=12).contains(&m) {
        return Err(bad(&format!("(il n'y a pas de mois {m})")));
    }
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        bad(&format!(
            "(le {d} {} {y} n'existe pas)",
            MONTHS.get(m as usize - 1).copied().unwrap_or("?")
        ))
    })?;
    check_plausible(date).map_err(|why| bad(&why))
}

/// Dates the desk can meet: from 1900 (a birth date) to 2100 (a commitment's end).
fn check_plausible(date: NaiveDate) -> std::result::Result<NaiveDate, String> {
    if !(1900..=2100).contains(&date.year()) {
        return Err(format!("(année {} hors de 1900–2100)", date.year()));
    }
    Ok(date)
}

pub const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `22/11/2026`: how dates are shown to agents.
pub fn fr_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// ISO 8601 week label, `2024-W07`.
pub fn iso_week_label(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of the ISO week holding `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn dates_in_every_form_agents_type() {
        let today = d(2026, 11, 22);
        assert_eq!(parse_date("05/06/2023", today).unwrap(), d(2023, 6, 5));
        assert_eq!(parse_date("2023-06-05", today).unwrap(), d(2023, 6, 5));
        assert_eq!(parse_date("5/6/23", today).unwrap(), d(2023, 6, 5));
        assert_eq!(parse_date("05/06", today).unwrap(), d(2026, 6, 5));
        assert_eq!(parse_date("+7", today).unwrap(), d(2026, 11, 29));
        assert_eq!(parse_date("+2s", today).unwrap(), d(2026, 12, 6));
        assert_eq!(parse_date("-1", today).unwrap(), d(2026, 11, 21));
        assert_eq!(parse_date("demain", today).unwrap(), d(2026, 11, 23));
        assert_eq!(parse_date("Aujourd'hui", today).unwrap(), today);
    }

    #[test]
    fn impossible_dates_are_explained() {
        let today = d(2026, 11, 22);
        let e = parse_date("31/02/2024", today).unwrap_err().to_string();
        assert_eq!(
            e,
            "date invalide : « 31/02/2024 » (le 31 février 2024 n'existe pas)"
        );
        let e = parse_date("12/13/2024", today).unwrap_err().to_string();
        assert!(e.contains("pas de mois 13"), "{e}");
        assert!(parse_date("demain matin", today).is_err());
        // A word mistyped is told the words it could have been.
        let e = parse_date("demian", today).unwrap_err().to_string();
        assert!(e.contains("« demain »") && e.contains("+N jours"), "{e}");
        assert!(parse_date("", today).is_err());
        assert!(parse_date("+99999999999999", today).is_err());
    }

    #[test]
    fn vocabulary_parses_codes_and_labels() {
        assert_eq!(
            Status::parse("En attente du demandeur").unwrap(),
            Status::AttenteDemandeur
        );
        assert_eq!(Status::parse("A QUALIFIER").unwrap(), Status::AQualifier);
        assert_eq!(Outcome::parse("refusée").unwrap(), Outcome::Refusee);
        assert_eq!(Outcome::parse("Sans suite").unwrap(), Outcome::SansSuite);
        assert_eq!(Profile::parse("Étudiant").unwrap(), Profile::Etudiant);
        for (written, status) in [
            ("Terminé", Status::Close),
            ("terminée", Status::Close),
            ("En attente", Status::AttenteDemandeur),
            ("EN COURS DE TRAITEMENT", Status::EnCours),
        ] {
            assert_eq!(Status::parse(written).unwrap(), status, "{written}");
        }
        for (written, outcome) in [
            ("Accordée", Outcome::Aboutie),
            ("Favorable", Outcome::Aboutie),
            ("Défavorable", Outcome::Refusee),
            ("Abandon", Outcome::SansSuite),
        ] {
            assert_eq!(Outcome::parse(written).unwrap(), outcome, "{written}");
        }
        let e = Status::parse("perdue").unwrap_err().to_string();
        assert!(e.starts_with("statut inconnu : « perdue »"), "{e}");
    }

    #[test]
    fn iso_weeks() {
        assert_eq!(iso_week_label(d(2024, 2, 12)), "2024-W07");
        assert_eq!(iso_week_label(d(2021, 1, 3)), "2020-W53");
        assert_eq!(week_start(d(2023, 6, 11)), d(2023, 6, 5));
    }
}
