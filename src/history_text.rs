//! One line of a request's history in French, for the interface and `request show` alike:
//! French field names, labels instead of codes, dates as JJ/MM/AAAA.

use crate::domain::{HousingKind, Outcome, Profile, Status, fr_date};
use crate::text::display_safe;
use std::collections::HashMap;

/// The labels of the file's request types and channels, so that the history says "Type :
/// Logement → Crèche" rather than its codes. [`Labels::default`] shows the codes.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    types: HashMap<String, String>,
    channels: HashMap<String, String>,
}

impl Labels {
    /// The labels read from the file.
    pub fn of(store: &crate::store::Store) -> crate::error::Result<Labels> {
        let map = |codes: Vec<crate::store::Code>| {
            codes
                .into_iter()
                .map(|c| (c.code, c.label))
                .collect::<HashMap<_, _>>()
        };
        Ok(Labels {
            types: map(store.types()?),
            channels: map(store.channels()?),
        })
    }
}

/// The French name of a person's or request's field an agent sees (`None` for the program's
/// own columns).
pub fn field_name(column: &str) -> Option<&'static str> {
    Some(match column {
        "last_name" => "nom",
        "first_name" => "prénom",
        "birth_date" => "date de naissance",
        "phone" => "téléphone",
        "email" => "e-mail",
        "profile" => "profil",
        "profession" => "profession",
        "status" => "statut",
        "outcome" => "issue",
        "type_code" => "type",
        "channel_code" => "canal",
        "agent_id" => "attribution",
        "next_follow_up_on" => "relance",
        "received_on" => "date de réception",
        "closed_on" => "date de clôture",
        "summary" => "résumé",
        "note" => "note",
        "answer" => "réponse",
        "answer_note" => "note de réponse",
        "answered_on" => "date de réponse",
        "expected_by" => "réponse attendue le",
        _ => return None,
    })
}

/// "Statut : Nouvelle → En cours". `None` for a line another line already says.
pub fn history_line(
    entity: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Option<String> {
    history_line_labelled(entity, field, old, new, &Labels::default())
}

/// [`history_line`] with the file's labels for types and channels.
pub fn history_line_labelled(
    entity: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
    labels: &Labels,
) -> Option<String> {
    let date = |x: Option<&str>| {
        x.filter(|s| !s.is_empty()).map_or_else(
            || "—".to_string(),
            |s| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(fr_date)
                    .unwrap_or_else(|_| display_safe(s).into_owned())
            },
        )
    };
    let v = |x: Option<&str>| {
        x.filter(|s| !s.is_empty())
            .map_or_else(|| "—".to_string(), |s| display_safe(s).into_owned())
    };
    let coded = |x: Option<&str>, label: &dyn Fn(&str) -> Option<String>| {
        x.and_then(label).unwrap_or_else(|| v(x))
    };
    let status = |s: &str| Status::from_code(s).map(|c| c.label().to_string());
    let outcome = |s: &str| Outcome::from_code(s).map(|c| c.label().to_string());
    let profile = |s: &str| Profile::from_code(s).map(|c| c.label().to_string());
    let change = |name: &str, o: String, n: String| format!("{name} : {o} → {n}");
    let what = match entity {
        "request" => "Demande",
        "person" => "Personne",
        "follow_up" => "Suivi",
        "referral" => "Orientation",
        "agent" => "Agent",
        "housing_place" => "Logement",
        _ => "Fiche",
    };
    Some(match field {
        "*" if entity == "housing_place" => "Logement enregistré".to_string(),
        "*" => format!("{what} enregistrée"),
        "status" => change("Statut", coded(old, &status), coded(new, &status)),
        "outcome" if new.is_none_or(str::is_empty) => {
            format!(
                "Issue « {} » retirée : demande rouverte",
                coded(old, &outcome)
            )
        }
        "outcome" => format!("Issue : {}", coded(new, &outcome)),
        "closed_on" => return None,
        "agent" => change("Attribution", v(old), v(new)),
        "next_follow_up_on"
            if new.is_none_or(str::is_empty) && old.is_some_and(|o| !o.is_empty()) =>
        {
            format!("Relance du {} retirée", date(old))
        }
        "next_follow_up_on" => format!("Relance : {}", date(new)),
        "received_on" => change("Reçue le", date(old), date(new)),
        "summary" => "Résumé modifié".to_string(),
        "type" => change(
            "Type",
            coded(old, &|c| labels.types.get(c).cloned()),
            coded(new, &|c| labels.types.get(c).cloned()),
        ),
        "channel" => change(
            "Canal",
            coded(old, &|c| labels.channels.get(c).cloned()),
            coded(new, &|c| labels.channels.get(c).cloned()),
        ),
        "event" => change("Événement", v(old), v(new)),
        "answer" => format!("Réponse du partenaire : {}", v(new)),
        "note" if entity == "referral" => format!("Note d'orientation : {}", v(new)),
        "answer_note" => format!("Note de réponse : {}", v(new)),
        "merge" => format!("Salon : {}", v(new)),
        "folded_into" => match new.filter(|s| !s.is_empty()) {
            Some(_) => format!(
                "Réunie à la demande {} (même besoin le même jour : fusion de salon)",
                v(new)
            ),
            None => "Réunion annulée : demande rétablie".to_string(),
        },
        "person_id" => "Rattachée à une autre fiche de personne (fusion de salon)".to_string(),
        "merged_into" => "Fiche réunie à une personne du bureau (même personne)".to_string(),
        // Kept by the program beside the fields an agent sees: never a line of their own.
        "phone_key" | "email_key" | "name_key" | "updated_at" | "updated_by" | "version"
        | "created_at" | "created_by" => return None,
        "anonymisation" => format!("Anonymisation : {}", v(new)),
        "reminder" => format!("Partenaire relancé le {}", date(new)),
        "last_name" => change("Nom", v(old), v(new)),
        "first_name" => change("Prénom", v(old), v(new)),
        "birth_date" => change("Né(e) le", date(old), date(new)),
        "phone" => change("Téléphone", v(old), v(new)),
        "email" => change("E-mail", v(old), v(new)),
        "profile" => change("Profil", coded(old, &profile), coded(new, &profile)),
        "profession" => change("Profession", v(old), v(new)),
        // A place of the housing register.
        "name" => change("Nom", v(old), v(new)),
        "kind" => change(
            "Genre",
            coded(old, &|k| {
                HousingKind::from_code(k).map(|h| h.label().to_string())
            }),
            coded(new, &|k| {
                HousingKind::from_code(k).map(|h| h.label().to_string())
            }),
        ),
        "beds" => change("Lits", v(old), v(new)),
        "rent" => change("Loyer (€ par mois)", v(old), v(new)),
        "owner" => change("Propriétaire", v(old), v(new)),
        "profiles" => change("Profils", v(old), v(new)),
        "professions" => change("Professions accueillies", v(old), v(new)),
        "contact" => change("Contact", v(old), v(new)),
        "notes" => change("Notes", v(old), v(new)),
        "ouverture" => format!("Ouverture : {}", v(new)),
        "placement" => match new.filter(|s| !s.is_empty()) {
            Some(_) => format!("Placement : {}", v(new)),
            None => format!("Placement annulé : {}", v(old)),
        },
        "active" => match new {
            Some("false") => format!("{what} désactivé(e)"),
            _ => format!("{what} réactivé(e)"),
        },
        "logement" => match new.filter(|s| !s.is_empty()) {
            Some(_) => format!("Logement : {}", v(new)),
            None => format!("Logement annulé : {}", v(old)),
        },
        "aide" => format!("Aide accordée : {}", v(new)),
        "versement" => format!("Versement : {}", v(new)),
        "engagement" => format!("Engagement : {}", v(new)),
        "attestation" => format!("Attestation d'exercice : {}", v(new)),
        "rupture" => format!("Rupture de l'engagement : {}", v(new)),
        "remboursement" => format!("Remboursement reçu : {}", v(new)),
        other => change(&display_safe(other), v(old), v(new)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_dates_read_in_french() {
        assert_eq!(
            history_line(
                "request",
                "next_follow_up_on",
                Some("2026-11-08"),
                Some("2026-11-26")
            ),
            Some("Relance : 26/11/2026".into())
        );
        assert_eq!(
            history_line("request", "next_follow_up_on", Some("2026-11-08"), None),
            Some("Relance du 08/11/2026 retirée".into())
        );
        assert_eq!(
            history_line("request", "outcome", Some("aboutie"), None),
            Some("Issue « Aboutie » retirée : demande rouverte".into())
        );
        assert_eq!(
            history_line("referral", "answer_note", None, Some("dossier reçu")),
            Some("Note de réponse : dossier reçu".into())
        );
        assert_eq!(
            history_line("referral", "note", None, Some("urgent")),
            Some("Note d'orientation : urgent".into())
        );
        assert_eq!(
            history_line("request", "*", None, None),
            Some("Demande enregistrée".into())
        );
        assert_eq!(
            history_line("request", "status", Some("nouvelle"), Some("en_cours")),
            Some("Statut : Nouvelle → En cours".into())
        );
        assert_eq!(
            history_line("person", "birth_date", None, Some("1990-05-04")),
            Some("Né(e) le : — → 04/05/1990".into())
        );
        // Salon decisions say what happened, never an internal id or column.
        assert_eq!(
            history_line(
                "request",
                "folded_into",
                Some("C26-00001"),
                Some("B26-00001")
            ),
            Some(
                "Réunie à la demande B26-00001 (même besoin le même jour : fusion de salon)".into()
            )
        );
        assert_eq!(
            history_line("request", "folded_into", None, None),
            Some("Réunion annulée : demande rétablie".into())
        );
        let id = "0199feea-6c02-7467-bf60-7c5870d867ed";
        let moved = history_line("request", "person_id", Some(id), Some(id)).unwrap();
        assert!(
            !moved.contains(id) && !moved.contains("person_id"),
            "{moved}"
        );
        assert_eq!(
            history_line("person", "phone_key", None, Some("0611")),
            None
        );
        assert_eq!(history_line("person", "updated_at", None, Some("x")), None);
    }
}
