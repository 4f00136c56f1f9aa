//! Importing the register of places from a spreadsheet (`guichet housing import FILE`), with the
//! request import's rules: the file is read by `crate::tabular`, every row checked before
//! anything is written, every problem reported with its line, column and reason, nothing written
//! if one row is wrong; the same file imported twice adds nothing (a place is its name and
//! commune).

use super::Span;
use crate::domain::{HousingKind, Profile, parse_date};
use crate::error::{Error, Result};
use crate::store::{NewPlace, Store};
use crate::tabular::{cell_error, find_column, map_headers};
use crate::text::fold;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Nom,
    Commune,
    Lits,
    Loyer,
    Genre,
    Partenaire,
    Proprietaire,
    Profils,
    Professions,
    Contact,
    Notes,
    Latitude,
    Longitude,
    Du,
    Au,
}

const COLUMNS: &[(Col, &str, &[&str])] = &[
    (
        Col::Nom,
        "nom",
        &["logement", "nom du logement", "intitule"],
    ),
    (Col::Commune, "commune", &["ville", "localite"]),
    (Col::Lits, "lits", &["places", "capacite", "nombre de lits"]),
    (
        Col::Loyer,
        "loyer",
        &["loyer mensuel", "prix", "loyer par mois"],
    ),
    (
        Col::Genre,
        "genre",
        &["type", "type de logement", "categorie"],
    ),
    (Col::Partenaire, "partenaire", &["structure", "propose par"]),
    (Col::Proprietaire, "proprietaire", &["bailleur", "loueur"]),
    (Col::Profils, "profils", &["profil", "public"]),
    (Col::Professions, "professions", &["filieres", "profession"]),
    (Col::Contact, "contact", &["telephone", "email", "e mail"]),
    (
        Col::Notes,
        "notes",
        &["remarques", "commentaire", "observations"],
    ),
    (Col::Latitude, "latitude", &["lat"]),
    (Col::Longitude, "longitude", &["lon", "lng"]),
    (Col::Du, "du", &["ouvert du", "debut", "date de debut"]),
    (Col::Au, "au", &["ouvert au", "fin", "date de fin"]),
];

impl Col {
    pub fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or("?", |(_, n, _)| n)
    }
}

/// A checked row: the place, and the period it opens (if the row gives one).
#[derive(Debug, Clone)]
pub struct PlaceRow {
    pub place: NewPlace,
    pub opening: Option<Span>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlacesImport {
    pub rows: usize,
    pub added: usize,
    pub already_there: usize,
    pub openings: usize,
    pub ignored_columns: Vec<String>,
}

/// Whole euros or a whole number: "350", "350 €", "0".
fn whole(s: &str, what: &str) -> Result<i64> {
    let digits: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '€')
        .collect();
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| Error::input(format!("{what} : un nombre entier est attendu")))
}

fn coordinate(s: &str) -> Result<f64> {
    s.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && x.abs() <= 180.0)
        .ok_or_else(|| Error::input("coordonnée invalide (degrés décimaux, par exemple 47.903)"))
}

/// "interne, etudiant" → profiles.
pub fn parse_profiles(s: &str) -> Result<Vec<Profile>> {
    s.split([',', '|', ';', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(Profile::parse)
        .collect()
}

/// Checks one row's cells; errors name the column.
fn check_row(
    store: &Store,
    get: impl Fn(Col) -> Option<String>,
) -> std::result::Result<PlaceRow, Vec<(Col, String)>> {
    let today = store.today();
    let mut errors: Vec<(Col, String)> = Vec::new();
    let name = get(Col::Nom).unwrap_or_default();
    if name.is_empty() {
        errors.push((Col::Nom, "le nom du logement est obligatoire".into()));
    }
    let beds = match get(Col::Lits) {
        None => {
            errors.push((Col::Lits, "le nombre de lits est obligatoire".into()));
            1
        }
        Some(b) => match whole(&b, "lits") {
            Ok(n) if n >= 1 => n,
            Ok(_) => {
                errors.push((Col::Lits, "au moins un lit".into()));
                1
            }
            Err(e) => {
                errors.push((Col::Lits, e.to_string()));
                1
            }
        },
    };
    let rent = get(Col::Loyer).map_or(0, |r| {
        whole(&r, "loyer").unwrap_or_else(|e| {
            errors.push((Col::Loyer, e.to_string()));
            0
        })
    });
    let kind = get(Col::Genre).map_or(HousingKind::Prive, |k| {
        HousingKind::parse(&k).unwrap_or_else(|e| {
            errors.push((Col::Genre, e.to_string()));
            HousingKind::Prive
        })
    });
    let lat = get(Col::Latitude).and_then(|v| {
        coordinate(&v)
            .map_err(|e| errors.push((Col::Latitude, e.to_string())))
            .ok()
    });
    let lon = get(Col::Longitude).and_then(|v| {
        coordinate(&v)
            .map_err(|e| errors.push((Col::Longitude, e.to_string())))
            .ok()
    });
    let commune_in = get(Col::Commune).unwrap_or_default();
    let (commune, coordinates) = if commune_in.is_empty() {
        errors.push((Col::Commune, "la commune est obligatoire".into()));
        (String::new(), None)
    } else {
        match (lat, lon) {
            (Some(a), Some(b)) => (commune_in.clone(), Some((a, b))),
            _ => match super::communes::resolve(&commune_in) {
                Ok(c) => (c.name.to_string(), Some((c.latitude, c.longitude))),
                Err(e) => {
                    errors.push((
                        Col::Commune,
                        format!("{e} ; ou donnez les colonnes latitude et longitude"),
                    ));
                    (String::new(), None)
                }
            },
        }
    };
    let partner_id = get(Col::Partenaire).and_then(|p| {
        store
            .resolve_partner(&p)
            .map(|p| p.id)
            .map_err(|e| errors.push((Col::Partenaire, e.to_string())))
            .ok()
    });
    let profiles = get(Col::Profils).map_or_else(Vec::new, |p| {
        parse_profiles(&p).unwrap_or_else(|e| {
            errors.push((Col::Profils, e.to_string()));
            Vec::new()
        })
    });
    let date = |col: Col, errors: &mut Vec<(Col, String)>| {
        get(col).and_then(|d| {
            parse_date(&d, today)
                .map_err(|e| errors.push((col, e.to_string())))
                .ok()
        })
    };
    let from = date(Col::Du, &mut errors);
    let to = date(Col::Au, &mut errors);
    let opening = match (get(Col::Du), get(Col::Au), from, to) {
        (None, None, _, _) => None,
        (_, _, Some(f), Some(t)) => match Span::new(f, t) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push((Col::Au, e.to_string()));
                None
            }
        },
        (Some(_), None, _, _) => {
            errors.push((Col::Au, "la fin de la période d'ouverture manque".into()));
            None
        }
        (None, Some(_), _, _) => {
            errors.push((Col::Du, "le début de la période d'ouverture manque".into()));
            None
        }
        _ => None, // a date already reported
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let key = format!("{}|{}", fold(&name), fold(&commune));
    let mut place = NewPlace::new(&name, kind, &commune, beds);
    place.coordinates = coordinates;
    place.rent = rent;
    place.partner_id = partner_id;
    place.owner = get(Col::Proprietaire).unwrap_or_default();
    place.profiles = profiles;
    place.professions = get(Col::Professions).unwrap_or_default();
    place.contact = get(Col::Contact).unwrap_or_default();
    place.notes = get(Col::Notes).unwrap_or_default();
    place.import_key = Some(Uuid::new_v5(&Uuid::NAMESPACE_OID, key.as_bytes()).to_string());
    Ok(PlaceRow { place, opening })
}

/// Reads the spreadsheet (.csv, .xlsx or .ods; `sheet` of a workbook, the first by default),
/// checks every row, and writes all of it in one transaction — or nothing.
pub fn import_places(store: &mut Store, bytes: &[u8], sheet: Option<&str>) -> Result<PlacesImport> {
    let sheet = crate::sheet::read(bytes, sheet)?;
    let (columns, ignored_columns) = map_headers(
        &sheet.headers,
        |h| find_column(COLUMNS, h),
        Col::name,
        &[Col::Nom, Col::Commune, Col::Lits],
    )?;
    let mut report = PlacesImport {
        ignored_columns,
        ..Default::default()
    };
    let mut errors = sheet.errors.clone();
    let mut parsed = Vec::new();
    for row in &sheet.rows {
        let get = |col: Col| {
            columns
                .iter()
                .position(|c| *c == Some(col))
                .and_then(|i| row.cells.get(i))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        match check_row(store, get) {
            Ok(p) => parsed.push(p),
            Err(errs) => {
                for (col, why) in errs {
                    let value = get(col).unwrap_or_default();
                    errors.push(cell_error(row.line, col.name(), &value, &why));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Rows(errors));
    }
    report.rows = parsed.len();
    let (added, there, openings) =
        store.write(|tx, ctx| crate::store::import_places_in(tx, ctx, &parsed))?;
    report.added = added;
    report.already_there = there;
    report.openings = openings;
    Ok(report)
}
