//! The aid columns of the team's grants spreadsheet: `dispositif`, `montant`, `bonification`,
//! `date_decision`, `verse` (amount paid so far), `debut_engagement`, `commune_exercice`. Checked
//! with the rest of the row (same all-or-nothing, line-numbered rules) and written with its
//! request by the store's import.

use crate::aids::{fr_euros, parse_euros};
use crate::domain::parse_date;
use crate::error::{Error, Result};
use crate::import::{Column, RowInput};
use crate::store::{AidDay, ImportedAid, NewAid, Store};
use crate::text::fold;
use chrono::NaiveDate;

/// The aid columns, with the header spellings accepted for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AidColumn {
    Dispositif,
    Montant,
    Bonification,
    DateDecision,
    Verse,
    DebutEngagement,
    CommuneExercice,
}

const COLUMNS: &[(AidColumn, &str, &[&str])] = &[
    (
        AidColumn::Dispositif,
        "dispositif",
        &["aide", "type d aide"],
    ),
    (
        AidColumn::Montant,
        "montant",
        &["montant accorde", "montant de l aide", "somme"],
    ),
    (
        AidColumn::Bonification,
        "bonification",
        &["bonus", "bonification maitre de stage"],
    ),
    (
        AidColumn::DateDecision,
        "date_decision",
        &[
            "date de decision",
            "decision",
            "date commission",
            "date du vote",
        ],
    ),
    (
        AidColumn::Verse,
        "verse",
        &["montant verse", "deja verse", "versements"],
    ),
    (
        AidColumn::DebutEngagement,
        "debut_engagement",
        &[
            "debut de l engagement",
            "date installation",
            "date d installation",
        ],
    ),
    (
        AidColumn::CommuneExercice,
        "commune_exercice",
        &["commune d exercice", "lieu d exercice", "commune"],
    ),
];

impl AidColumn {
    pub fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    pub fn from_header(h: &str) -> Option<AidColumn> {
        let key = fold(h);
        COLUMNS
            .iter()
            .find(|(_, name, aliases)| fold(name) == key || aliases.iter().any(|a| fold(a) == key))
            .map(|(c, _, _)| *c)
    }
}

/// Reads and checks the aid columns of one row (`type_code`: the row's request type, when it
/// was readable). Each problem goes to `fail` with its column; `None` when the row has no aid.
pub fn parse(
    store: &Store,
    row: &RowInput,
    type_code: Option<&str>,
    received_on: Option<NaiveDate>,
    fail: &mut dyn FnMut(Column, Error),
) -> Option<ImportedAid> {
    let get = |c: AidColumn| row.get(Column::Aid(c));
    if COLUMNS.iter().all(|(c, _, _)| get(*c).is_none()) {
        return None;
    }
    let today = store.today();
    let mut bad = false;
    let mut err = |c: AidColumn, e: Error| {
        bad = true;
        fail(Column::Aid(c), e);
    };
    let euros = |c: AidColumn, err: &mut dyn FnMut(AidColumn, Error)| -> Option<i64> {
        get(c).and_then(|v| parse_euros(v).map_err(|e| err(c, e)).ok())
    };
    let date = |c: AidColumn, err: &mut dyn FnMut(AidColumn, Error)| -> Option<NaiveDate> {
        get(c).and_then(|v| parse_date(v, today).map_err(|e| err(c, e)).ok())
    };
    let amount = euros(AidColumn::Montant, &mut err);
    let bonus = euros(AidColumn::Bonification, &mut err).unwrap_or(0);
    let paid = euros(AidColumn::Verse, &mut err).unwrap_or(0);
    let decided_on = date(AidColumn::DateDecision, &mut err);
    let commitment_on = date(AidColumn::DebutEngagement, &mut err);
    let scheme = match get(AidColumn::Dispositif) {
        None => {
            err(
                AidColumn::Dispositif,
                Error::input("obligatoire quand une colonne d'aide est remplie"),
            );
            None
        }
        Some(s) => store
            .resolve_scheme(s)
            .map_err(|e| err(AidColumn::Dispositif, e))
            .ok(),
    };
    if get(AidColumn::Montant).is_none() {
        err(
            AidColumn::Montant,
            Error::input("le montant accordé est obligatoire"),
        );
    }
    if get(AidColumn::DateDecision).is_none() {
        err(
            AidColumn::DateDecision,
            Error::input("la date de décision est obligatoire"),
        );
    }
    let (Some(scheme), Some(amount), Some(decided_on), Some(type_code)) =
        (scheme, amount, decided_on, type_code)
    else {
        return None;
    };
    let aid = NewAid {
        scheme: scheme.code.clone(),
        amount,
        bonus,
        decided_on,
        installments: None,
    };
    let check = |r: Result<()>, c: AidColumn, err: &mut dyn FnMut(AidColumn, Error)| {
        if let Err(e) = r {
            err(c, e);
        }
    };
    check(
        store.check_new_aid(type_code, &aid),
        AidColumn::Montant,
        &mut err,
    );
    if let Some(received_on) = received_on {
        check(
            crate::store::check_aid_day(AidDay::Decision, decided_on, received_on, today),
            AidColumn::DateDecision,
            &mut err,
        );
    }
    if paid > amount + bonus {
        err(
            AidColumn::Verse,
            Error::input(format!(
                "{} versés pour {} accordés",
                fr_euros(paid),
                fr_euros(amount + bonus)
            )),
        );
    }
    if let Some(d) = commitment_on
        && scheme.commitment_years == 0
    {
        err(
            AidColumn::DebutEngagement,
            Error::input(format!(
                "le dispositif {} ne prévoit pas d'engagement (début le {d})",
                scheme.code
            )),
        );
    }
    if commitment_on.is_none() && get(AidColumn::CommuneExercice).is_some() {
        err(
            AidColumn::DebutEngagement,
            Error::input("une commune d'exercice sans date de début d'engagement"),
        );
    }
    if bad {
        return None;
    }
    Some(ImportedAid {
        aid,
        paid,
        commitment_on,
        commune: get(AidColumn::CommuneExercice)
            .unwrap_or_default()
            .to_string(),
    })
}
