//! The team's spreadsheet (`guichet import csv`) and the flags of `guichet request add`, which
//! are named after the same columns and go through the same checks.
//!
//! The whole file is checked before anything is written; any wrong row and nothing is written,
//! every wrong row reported with its line, column and reason. A row already imported (same
//! reception date, type and person) is skipped, so importing a file twice adds nothing.

use crate::domain::{Outcome, Profile, Status, parse_date};
use crate::error::{Error, Result};
use crate::store::{NewPerson, NewRequest, Store};
use crate::text::{email_key, name_key, phone_key};
use chrono::NaiveDate;
use uuid::Uuid;

/// The spreadsheet's columns, with the header spellings accepted for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Date,
    Type,
    Nom,
    Prenom,
    Profil,
    Profession,
    Telephone,
    Email,
    Canal,
    Evenement,
    Agent,
    Statut,
    Issue,
    DateCloture,
    Partenaire,
    Commentaire,
    /// Next follow-up date (`list --format csv` writes it as "Relance le").
    Relance,
    /// The grants spreadsheet's columns (`crate::import_aids`).
    Aid(crate::import_aids::AidColumn),
}

const COLUMNS: &[(Column, &str, &[&str])] = &[
    (
        Column::Date,
        "date",
        &[
            "date de reception",
            "date reception",
            "recu le",
            "recue le",
            "date de la demande",
            "date demande",
        ],
    ),
    (
        Column::Type,
        "type",
        &["type de demande", "demande", "objet"],
    ),
    (Column::Nom, "nom", &["nom de famille"]),
    (Column::Prenom, "prenom", &[]),
    (Column::Profil, "profil", &["statut du demandeur", "public"]),
    (
        Column::Profession,
        "profession",
        &["specialite", "etudes", "metier"],
    ),
    (
        Column::Telephone,
        "telephone",
        &["tel", "portable", "numero", "numero de telephone"],
    ),
    (
        Column::Email,
        "email",
        &[
            "e mail",
            "mail",
            "courriel",
            "adresse mail",
            "adresse e mail",
        ],
    ),
    (Column::Canal, "canal", &["origine", "source", "via"]),
    (Column::Evenement, "evenement", &["salon", "event"]),
    (
        Column::Agent,
        "agent",
        &["referent", "suivi par", "charge de mission"],
    ),
    (Column::Statut, "statut", &["etat", "status"]),
    (Column::Issue, "issue", &["resultat", "suite donnee"]),
    (
        Column::DateCloture,
        "date_cloture",
        &["date de cloture", "cloture le", "date cloture", "close le"],
    ),
    (
        Column::Partenaire,
        "partenaire",
        &["oriente vers", "orientation"],
    ),
    (
        Column::Relance,
        // Not "relance" alone: a team's "Relance" column often holds free text ("à faire").
        "date_relance",
        &["relance le", "prochaine relance", "date de relance"],
    ),
    (
        Column::Commentaire,
        "commentaire",
        &[
            "commentaires",
            "remarque",
            "remarques",
            "observations",
            "note",
        ],
    ),
];

const REQUIRED: [Column; 4] = [Column::Date, Column::Type, Column::Nom, Column::Prenom];

impl Column {
    pub fn name(self) -> &'static str {
        if let Column::Aid(c) = self {
            return c.name();
        }
        COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    pub fn from_header(h: &str) -> Option<Column> {
        crate::tabular::find_column(COLUMNS, h)
            .or_else(|| crate::import_aids::AidColumn::from_header(h).map(Column::Aid))
    }
}

/// One row as typed: column -> text. Empty cells are absent.
#[derive(Debug, Clone, Default)]
pub struct RowInput {
    cells: Vec<(Column, String)>,
}

impl RowInput {
    pub fn set(&mut self, col: Column, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.cells.retain(|(c, _)| *c != col);
            self.cells.push((col, v.to_string()));
        }
    }

    pub fn get(&self, col: Column) -> Option<&str> {
        self.cells
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, v)| v.as_str())
    }
}

pub use crate::store::ParsedRow;

/// Checks one row; the errors name the column and the reason.
pub fn parse_row(
    store: &Store,
    row: &RowInput,
    today: NaiveDate,
) -> std::result::Result<ParsedRow, Vec<(Column, String)>> {
    let mut errors: Vec<(Column, String)> = Vec::new();
    let mut fail = |col: Column, e: Error| errors.push((col, e.to_string()));

    let required = |col: Column| row.get(col);
    let received_on = match required(Column::Date) {
        None => {
            fail(
                Column::Date,
                Error::input("la date de réception est obligatoire"),
            );
            None
        }
        Some(d) => parse_date(d, today).map_err(|e| fail(Column::Date, e)).ok(),
    };
    if let Some(d) = received_on
        && d > today
    {
        fail(
            Column::Date,
            Error::input(format!(
                "la date de réception {} est dans le futur",
                crate::domain::fr_date(d)
            )),
        );
    }
    let type_code = match required(Column::Type) {
        None => {
            fail(
                Column::Type,
                Error::input("le type de demande est obligatoire"),
            );
            None
        }
        Some(t) => store
            .resolve_type(t)
            .map_err(|e| fail(Column::Type, e))
            .ok(),
    };
    let last_name = row.get(Column::Nom).unwrap_or_default();
    if last_name.is_empty() {
        fail(Column::Nom, Error::input("le nom est vide"));
    }
    let first_name = row.get(Column::Prenom).unwrap_or_default();
    if first_name.is_empty() {
        fail(Column::Prenom, Error::input("le prénom est vide"));
    }
    let profile = row
        .get(Column::Profil)
        .and_then(|p| Profile::parse(p).map_err(|e| fail(Column::Profil, e)).ok());
    let phone = row.get(Column::Telephone).unwrap_or_default();
    if let Err(e) = crate::store::check_phone(phone) {
        fail(Column::Telephone, e);
    }
    let email = row.get(Column::Email).unwrap_or_default();
    if let Err(e) = crate::store::check_email(email) {
        fail(Column::Email, e);
    }
    let channel = row.get(Column::Canal).and_then(|c| {
        store
            .resolve_channel(c)
            .map_err(|e| fail(Column::Canal, e))
            .ok()
    });
    let status = match row.get(Column::Statut) {
        None => Some(Status::Nouvelle),
        Some(s) => Status::parse(s).map_err(|e| fail(Column::Statut, e)).ok(),
    };
    let outcome = row
        .get(Column::Issue)
        .and_then(|o| Outcome::parse(o).map_err(|e| fail(Column::Issue, e)).ok());
    let closed_on = row.get(Column::DateCloture).and_then(|d| {
        parse_date(d, today)
            .map_err(|e| fail(Column::DateCloture, e))
            .ok()
    });
    match status {
        Some(Status::Close) => {
            if outcome.is_none() && row.get(Column::Issue).is_none() {
                fail(
                    Column::Issue,
                    Error::input("une demande close doit avoir une issue"),
                );
            }
            if closed_on.is_none() && row.get(Column::DateCloture).is_none() {
                fail(
                    Column::DateCloture,
                    Error::input("une demande close doit avoir une date de clôture"),
                );
            }
            if let (Some(c), Some(r)) = (closed_on, received_on)
                && c < r
            {
                fail(
                    Column::DateCloture,
                    Error::input(format!(
                        "la date de clôture {} est antérieure à la date de réception {}",
                        crate::domain::fr_date(c),
                        crate::domain::fr_date(r)
                    )),
                );
            }
            if let Some(c) = closed_on
                && c > today
            {
                fail(
                    Column::DateCloture,
                    Error::input(format!(
                        "la date de clôture {} est dans le futur",
                        crate::domain::fr_date(c)
                    )),
                );
            }
        }
        Some(_) => {
            if row.get(Column::Issue).is_some() {
                fail(
                    Column::Issue,
                    Error::input("une issue ne se donne qu'à une demande close"),
                );
            }
            if row.get(Column::DateCloture).is_some() {
                fail(
                    Column::DateCloture,
                    Error::input("une date de clôture ne se donne qu'à une demande close"),
                );
            }
        }
        None => {}
    }
    let next_follow_up_on = row.get(Column::Relance).and_then(|d| {
        parse_date(d, today)
            .map_err(|e| fail(Column::Relance, e))
            .ok()
    });
    if let Some(status) = status
        && let Err(e) = crate::store::no_follow_up_once_closed(status, next_follow_up_on)
    {
        fail(Column::Relance, e);
    }
    let partner_id = row
        .get(Column::Partenaire)
        .and_then(|p| {
            store
                .resolve_partner(p)
                .map_err(|e| fail(Column::Partenaire, e))
                .ok()
        })
        .map(|p| p.id);
    let aid = crate::import_aids::parse(store, row, type_code.as_deref(), received_on, &mut fail);

    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(received_on), Some(type_code), Some(status)) = (received_on, type_code, status)
    else {
        unreachable!("every missing value above recorded an error")
    };
    let mut request = NewRequest::new(
        NewPerson {
            last_name: last_name.to_string(),
            first_name: first_name.to_string(),
            birth_date: None,
            phone: phone.to_string(),
            email: email.to_string(),
            profile,
            profession: row.get(Column::Profession).unwrap_or_default().to_string(),
        },
        &type_code,
        received_on,
    );
    request.channel_code = channel;
    request.status = status;
    request.outcome = outcome;
    request.closed_on = closed_on;
    request.first_note = row.get(Column::Commentaire).unwrap_or_default().to_string();
    request.next_follow_up_on = next_follow_up_on;
    Ok(ParsedRow {
        request,
        agent: row.get(Column::Agent).map(str::to_string),
        event: row.get(Column::Evenement).map(str::to_string),
        partner_id,
        explicit_status: row.get(Column::Statut).is_some(),
        aid,
    })
}

/// The fingerprint of an imported request: reception date, type and person.
fn import_key(r: &NewRequest) -> String {
    let p = &r.person;
    let text = format!(
        "{}|{}|{}|{}|{}",
        r.received_on,
        r.type_code,
        name_key(&p.last_name, &p.first_name),
        email_key(&p.email),
        phone_key(&p.phone)
    );
    Uuid::new_v5(&Uuid::NAMESPACE_OID, text.as_bytes()).to_string()
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub added: usize,
    pub already_there: usize,
    pub persons_reused: usize,
    pub referrals: usize,
    pub ignored_columns: Vec<String>,
    /// What was read differently from what the cell holds ("ligne 3 : téléphone « 612345678 »
    /// lu « 06 12 34 56 78 »…").
    pub notices: Vec<String>,
    /// Checked only (`--simuler`): nothing was written.
    pub simulated: bool,
    /// Mappings kept for the next imports (`--retenir`).
    pub remembered: usize,
}

/// How to import: `--simuler`, `--correspondance`, `--retenir`.
#[derive(Debug, Default, Clone)]
pub struct ImportOptions {
    pub simulate: bool,
    /// `COLONNE:VALEUR=CODE`, as typed.
    pub mappings: Vec<String>,
    pub remember: bool,
}

/// Reads a CSV file, checks every row, and writes all of it in one transaction — or nothing.
pub fn import_csv(store: &mut Store, bytes: &[u8]) -> Result<ImportReport> {
    let sheet = crate::tabular::read_csv(bytes)?;
    import_sheet(store, &sheet, &ImportOptions::default())
}

/// Checks every row of a spreadsheet read by `crate::sheet` (cells cleaned and mapped by
/// `crate::import_cells`) and writes all of it in one transaction — or nothing; with
/// `simulate`, only says what would be added.
pub fn import_sheet(
    store: &mut Store,
    sheet: &crate::tabular::CsvSheet,
    options: &ImportOptions,
) -> Result<ImportReport> {
    use crate::import_cells::{clean, is_list_column, parse_mapping, unknown_value};
    if options.remember && options.mappings.is_empty() {
        return Err(Error::input(
            "--retenir : rien à retenir sans --correspondance COLONNE:VALEUR=CODE",
        ));
    }
    let mut given = Vec::new();
    let mut mapping_errors = Vec::new();
    for m in &options.mappings {
        match parse_mapping(store, m) {
            Ok(a) => match given.iter().find(|g: &&crate::store::ImportAlias| {
                g.list == a.list && g.value_key == a.value_key
            }) {
                Some(g) if g.code != a.code => mapping_errors.push(format!(
                    "--correspondance « {m} » : « {} » de la colonne {} est déjà lu comme {}",
                    a.value, a.list, g.code
                )),
                Some(_) => {}
                None => given.push(a),
            },
            Err(e) => mapping_errors.push(e.to_string()),
        }
    }
    if !mapping_errors.is_empty() {
        return Err(Error::Rows(mapping_errors));
    }
    // What was given now wins over what was remembered.
    let mut aliases = given.clone();
    aliases.extend(store.import_aliases()?);
    let (columns, ignored_columns) =
        crate::tabular::map_headers(&sheet.headers, Column::from_header, Column::name, &REQUIRED)?;
    let mut report = ImportReport {
        ignored_columns,
        simulated: options.simulate,
        ..Default::default()
    };
    let today = store.today();
    let mut parsed = Vec::new();
    let mut errors = sheet.errors.clone();
    for record in &sheet.rows {
        let line = record.line;
        let mut row = RowInput::default();
        for (i, cell) in record.cells.iter().enumerate() {
            let Some(Some(col)) = columns.get(i) else {
                continue;
            };
            let (mut value, notice) = clean(*col, cell);
            if let Some(n) = notice {
                report
                    .notices
                    .push(crate::text::display_safe(&format!("ligne {line} : {n}")).into_owned());
            }
            if is_list_column(*col) {
                let key = crate::text::fold(&value);
                if let Some(a) = aliases
                    .iter()
                    .find(|a| a.list == col.name() && a.value_key == key)
                {
                    value = a.code.clone();
                }
            }
            row.set(*col, Some(&value));
        }
        match parse_row(store, &row, today) {
            Ok(p) => parsed.push(p),
            Err(errs) => {
                for (col, why) in errs {
                    let value = row.get(col).unwrap_or("");
                    let why = if is_list_column(col)
                        && !value.is_empty()
                        && crate::import_cells::resolve(store, col, value).is_err()
                    {
                        unknown_value(store, col, value)?
                    } else {
                        why
                    };
                    errors.push(crate::tabular::cell_error(line, col.name(), value, &why));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Rows(errors));
    }
    report.rows = parsed.len();
    for p in &mut parsed {
        p.request.import_key = Some(import_key(&p.request));
    }
    if options.simulate {
        let keys: Vec<String> = parsed
            .iter()
            .filter_map(|p| p.request.import_key.clone())
            .collect();
        let present = store.import_keys_present(&keys)?;
        let mut seen = std::collections::HashSet::new();
        for p in &parsed {
            let key = p.request.import_key.clone().unwrap_or_default();
            if present.contains(&key) || !seen.insert(key) {
                report.already_there += 1;
            } else {
                report.added += 1;
                report.referrals += usize::from(p.partner_id.is_some());
            }
        }
        return Ok(report);
    }
    let counts = store.import_rows(&parsed)?;
    report.added = counts.added;
    report.already_there = counts.already_there;
    report.persons_reused = counts.persons_reused;
    report.referrals = counts.referrals;
    if options.remember {
        store.remember_import_aliases(&given)?;
        report.remembered = given.len();
    }
    Ok(report)
}
