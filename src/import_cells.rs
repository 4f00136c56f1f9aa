//! A spreadsheet's cells as the team meant them, before they are checked (`crate::import`):
//! the apostrophe of a formula guard removed (`'+33 6…`), phones a spreadsheet turned into
//! numbers given back their leading zero (`612345678` → `06 12 34 56 78`), dates with a time
//! (`03/10/2025 00:00:00`) and spreadsheet serial numbers (`45933`) read as dates; values
//! mapped to a code (`--correspondance`, remembered aliases); and, for a value nobody knows, the
//! closest known names and codes.

use crate::domain::{Outcome, Profile, Status};
use crate::error::{Error, Result};
use crate::import::Column;
use crate::import_aids::AidColumn;
use crate::store::{ImportAlias, Store};
use crate::text::fold;
use chrono::{Days, NaiveDate};

/// The columns whose values come from a list, which a mapping can target.
pub fn is_list_column(col: Column) -> bool {
    matches!(
        col,
        Column::Type
            | Column::Canal
            | Column::Statut
            | Column::Issue
            | Column::Profil
            | Column::Partenaire
            | Column::Aid(AidColumn::Dispositif)
    )
}

fn is_date_column(col: Column) -> bool {
    matches!(
        col,
        Column::Date
            | Column::DateCloture
            | Column::Relance
            | Column::Aid(AidColumn::DateDecision)
            | Column::Aid(AidColumn::DebutEngagement)
    )
}

/// The cell as the team meant it, and a note when it was changed in a way worth saying
/// (a phone given back its zero).
pub fn clean(col: Column, value: &str) -> (String, Option<String>) {
    let v = unguard(value.trim());
    if col == Column::Telephone
        && let Some(p) = restore_phone(v)
    {
        let note = format!("téléphone « {v} » lu « {p} » (zéro initial rétabli)");
        return (p, Some(note));
    }
    if is_date_column(col)
        && let Some(d) = sheet_date(v)
    {
        return (d, None);
    }
    (v.to_string(), None)
}

/// Without the apostrophe a CSV export puts before a cell a spreadsheet would take for a
/// formula (`crate::text::csv_cell`): `'+33 6…` → `+33 6…`, `'=A1` → `=A1`.
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// A French phone that a spreadsheet stored as a number: 9 digits starting 1–9 (`612345678`)
/// lost their leading zero; 11 digits starting 33 lost their `+`. `None` for anything else.
pub fn restore_phone(s: &str) -> Option<String> {
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let pairs = |d: &str| {
        d.as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match s.len() {
        9 if !s.starts_with('0') => Some(pairs(&format!("0{s}"))),
        11 if s.starts_with("33") && !s[2..].starts_with('0') => {
            Some(format!("+33 {} {}", &s[2..3], pairs(&s[3..])))
        }
        _ => None,
    }
}

/// A date cell as `AAAA-MM-JJ` when it is a date with a time (`03/10/2025 00:00:00`,
/// `2025-10-03T14:30`) or a spreadsheet serial number (`45933` = 03/10/2025); `None` when the
/// cell is to be read as typed.
pub fn sheet_date(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some((date, time)) = s.split_once([' ', 'T'])
        && !date.is_empty()
        && time
            .trim()
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
        && time
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit() || ":.,".contains(c))
    {
        return Some(date.to_string());
    }
    let serial: f64 = s.replace(',', ".").parse().ok()?;
    // 10000 = 18/05/1927, 73415 = 31/12/2100: a year typed alone (2023) is not a serial.
    if !(10_000.0..=73_415.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let d = epoch.checked_add_days(Days::new(serial.trunc() as u64))?;
    Some(d.to_string())
}

/// One `--correspondance COLONNE:VALEUR=CODE`, checked against the file's lists.
pub fn parse_mapping(store: &Store, text: &str) -> Result<ImportAlias> {
    let bad = |why: String| Error::input(format!("--correspondance « {text} » : {why}"));
    let Some((column, rest)) = text.split_once(':') else {
        return Err(bad(
            "attendu COLONNE:VALEUR=CODE, par exemple « partenaire:CPTS'O=cpts_orleans »".into(),
        ));
    };
    let Some((value, code)) = rest.rsplit_once('=') else {
        return Err(bad("il manque « =CODE » après la valeur".into()));
    };
    let col = Column::from_header(column)
        .filter(|c| is_list_column(*c))
        .ok_or_else(|| {
            bad(format!(
                "« {column} » n'est pas une colonne à liste (type, canal, statut, issue, profil, partenaire, dispositif)"
            ))
        })?;
    if fold(value).is_empty() {
        return Err(bad("la valeur à faire correspondre est vide".into()));
    }
    let code = resolve(store, col, code.trim()).map_err(|e| bad(e.to_string()))?;
    Ok(ImportAlias {
        list: col.name().to_string(),
        value_key: fold(value),
        value: value.trim().to_string(),
        code,
    })
}

/// The code `input` stands for in the list of `col`, or why none.
pub fn resolve(store: &Store, col: Column, input: &str) -> Result<String> {
    Ok(match col {
        Column::Type => store.resolve_type(input)?,
        Column::Canal => store.resolve_channel(input)?,
        Column::Statut => Status::parse(input)?.code().to_string(),
        Column::Issue => Outcome::parse(input)?.code().to_string(),
        Column::Profil => Profile::parse(input)?.code().to_string(),
        Column::Partenaire => store.resolve_partner(input)?.code,
        Column::Aid(AidColumn::Dispositif) => store.resolve_scheme(input)?.code,
        _ => input.to_string(),
    })
}

/// The known values of a list column: (name shown, code, every spelling that matches).
fn known(store: &Store, col: Column) -> Result<Vec<(String, String, Vec<String>)>> {
    fn vocab<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
    ) -> Vec<(String, String, Vec<String>)> {
        all.iter()
            .map(|v| {
                let (c, l) = (code(*v), label(*v));
                (
                    l.to_string(),
                    c.to_string(),
                    vec![c.to_string(), l.to_string()],
                )
            })
            .collect()
    }
    let split = |a: &str| {
        a.split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    Ok(match col {
        Column::Type | Column::Canal => {
            let codes = if col == Column::Type {
                store.types()?
            } else {
                store.channels()?
            };
            codes
                .into_iter()
                .filter(|c| c.active)
                .map(|c| {
                    let mut names = vec![c.code.clone(), c.label.clone()];
                    names.extend(split(&c.aliases));
                    (c.label, c.code, names)
                })
                .collect()
        }
        Column::Statut => vocab(Status::ALL, Status::code, Status::label),
        Column::Issue => vocab(Outcome::ALL, Outcome::code, Outcome::label),
        Column::Profil => vocab(Profile::ALL, Profile::code, Profile::label),
        Column::Partenaire => store
            .partners()?
            .into_iter()
            .filter(|p| p.active)
            .map(|p| {
                let mut names = vec![p.code.clone(), p.name.clone()];
                names.extend(split(&p.aliases));
                (p.name, p.code, names)
            })
            .collect(),
        Column::Aid(AidColumn::Dispositif) => store
            .schemes()?
            .into_iter()
            .filter(|s| s.active)
            .map(|s| (s.label.clone(), s.code.clone(), vec![s.code, s.label]))
            .collect(),
        _ => Vec::new(),
    })
}

/// How close two folded spellings are, 0 to 1: a known name that starts with what was written
/// ("cpts o" → "cpts o orleans") is close; otherwise Jaro-Winkler.
fn closeness(written: &str, name: &str) -> f64 {
    let jw = strsim::jaro_winkler(written, name);
    let compact = |s: &str| s.replace(' ', "");
    if name.starts_with(written) || compact(name).starts_with(&compact(written)) {
        0.9 + jw / 10.0
    } else {
        jw
    }
}

/// "partenaire inconnu : « CPTS'O » ; vouliez-vous dire « CPTS'O (Orléans) » (cpts_orleans) ?
/// (--correspondance "partenaire:CPTS'O=cpts_orleans")" — the closest known names and codes.
pub fn unknown_value(store: &Store, col: Column, value: &str) -> Result<String> {
    let written = fold(value);
    let mut scored: Vec<(f64, String, String)> = known(store, col)?
        .into_iter()
        .map(|(name, code, names)| {
            let best = names
                .iter()
                .map(|n| closeness(&written, &fold(n)))
                .fold(0.0, f64::max);
            (best, name, code)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let strong = scored.first().is_some_and(|s| s.0 >= 0.9);
    let shown: Vec<&(f64, String, String)> = scored
        .iter()
        .filter(|s| !strong || s.0 >= 0.9)
        .take(3)
        .collect();
    let what = match col {
        Column::Type => "type de demande inconnu",
        Column::Canal => "canal inconnu",
        Column::Statut => "statut inconnu",
        Column::Issue => "issue inconnue",
        Column::Profil => "profil inconnu",
        Column::Partenaire => "partenaire inconnu",
        _ => "dispositif inconnu",
    };
    let Some(first) = shown.first() else {
        return Ok(format!("{what} (la liste est vide)"));
    };
    let names = shown
        .iter()
        .map(|(_, name, code)| format!("« {name} » ({code})"))
        .collect::<Vec<_>>()
        .join(" ou ");
    Ok(format!(
        "{what} ; vouliez-vous dire {names} ? Pour l'accepter : --correspondance \"{}:{}={}\"",
        col.name(),
        value.trim(),
        first.2
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_get_their_zero_back() {
        assert_eq!(
            restore_phone("612345678").as_deref(),
            Some("06 12 34 56 78")
        );
        assert_eq!(
            restore_phone("33612345678").as_deref(),
            Some("+33 6 12 34 56 78")
        );
        assert_eq!(restore_phone("0612345678"), None);
        assert_eq!(restore_phone("06 12 34 56 78"), None);
        assert_eq!(restore_phone("12345"), None);
    }

    #[test]
    fn formula_guards_are_removed_and_nothing_else() {
        assert_eq!(unguard("'+33 6 12 34 56 78"), "+33 6 12 34 56 78");
        assert_eq!(unguard("'=1+1"), "=1+1");
        assert_eq!(unguard("'t Hooft"), "'t Hooft");
        assert_eq!(unguard("O'Neil"), "O'Neil");
    }

    #[test]
    fn dates_with_a_time_and_serials() {
        assert_eq!(
            sheet_date("03/10/2025 00:00:00").as_deref(),
            Some("03/10/2025")
        );
        assert_eq!(
            sheet_date("2025-10-03T14:30").as_deref(),
            Some("2025-10-03")
        );
        assert_eq!(sheet_date("45933").as_deref(), Some("2025-10-03"));
        assert_eq!(sheet_date("2023"), None, "a year alone is not a serial");
        assert_eq!(sheet_date("03/10/2025"), None);
        assert_eq!(sheet_date("demain matin"), None);
    }

    #[test]
    fn closest_names_first() {
        assert!(closeness("cpts o", "cpts o orleans") > closeness("cpts o", "cpts ouest loiret"));
        assert!(closeness("cpts o", "cpts o orleans") > closeness("cpts o", "cpts sologne"));
    }
}
