//! Any spreadsheet the team has, read into a header and numbered rows (`tabular::CsvSheet`):
//! CSV (UTF-8 or Windows-1252), .xlsx and .ods workbooks (calamine, and old .xls on the way),
//! recognised by their content, not their name. Cells come out as the text an agent would type:
//! a date cell as `AAAA-MM-JJ`, a whole number without decimals (`612345678`, not `612345678.0`).

use crate::error::{Error, Result};
use crate::tabular::{CsvSheet, Row};
use calamine::{Data, Reader};

/// What a file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A zip archive: .xlsx or .ods.
    Workbook,
    /// An OLE2 compound file: an old Excel .xls.
    OldExcel,
    Csv,
}

pub fn kind_of(bytes: &[u8]) -> FileKind {
    if bytes.starts_with(b"PK\x03\x04") {
        FileKind::Workbook
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        FileKind::OldExcel
    } else {
        FileKind::Csv
    }
}

/// Reads `bytes` whatever spreadsheet they are. `sheet`: the sheet of a workbook to read (by
/// name, case- and accent-insensitive, or by number from 1); the first one by default.
pub fn read(bytes: &[u8], sheet: Option<&str>) -> Result<CsvSheet> {
    match kind_of(bytes) {
        FileKind::Csv => {
            if sheet.is_some() {
                return Err(Error::input(
                    "--feuille : un fichier CSV n'a qu'une feuille (l'option sert aux classeurs .xlsx et .ods)",
                ));
            }
            let utf16 = encoding_rs::Encoding::for_bom(bytes)
                .is_some_and(|(e, _)| e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE);
            if !utf16 && bytes.contains(&0) {
                return Err(Error::input(
                    "ce fichier n'est pas un tableur lisible : ni CSV, ni classeur .xlsx ou .ods",
                ));
            }
            crate::tabular::read_csv(bytes)
        }
        FileKind::Workbook | FileKind::OldExcel => read_workbook(bytes, sheet),
    }
}

fn read_workbook(bytes: &[u8], sheet: Option<&str>) -> Result<CsvSheet> {
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|_| {
        Error::input(
            "ce fichier est une archive (zip) mais pas un classeur lisible : enregistrez-le au format .xlsx, .ods ou CSV",
        )
    })?;
    let names = wb.sheet_names();
    let name = match sheet {
        None => names.first().cloned(),
        Some(wanted) => {
            let key = crate::text::fold(wanted);
            names
                .iter()
                .find(|n| crate::text::fold(n) == key)
                .cloned()
                .or_else(|| {
                    wanted
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| names.get(i).cloned())
                })
        }
    };
    let Some(name) = name else {
        return Err(Error::input(format!(
            "--feuille : pas de feuille « {} » dans ce classeur (feuilles : {})",
            sheet.unwrap_or_default(),
            names
                .iter()
                .map(|n| format!("« {n} »"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::input(format!("feuille « {name} » illisible : {e}")))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| (first_row as usize + i + 1, cells));
    // The header: the first row with something in it.
    let mut headers = Vec::new();
    for (_, cells) in rows.by_ref() {
        if cells.iter().any(|c| !cell_text(c).trim().is_empty()) {
            headers = pad(first_col, cells.iter().map(cell_text));
            break;
        }
    }
    if headers.is_empty() {
        return Err(Error::input(format!("la feuille « {name} » est vide")));
    }
    let width = headers.len();
    let mut out = CsvSheet {
        headers,
        ..Default::default()
    };
    for (line, cells) in rows {
        let cells = pad(first_col, cells.iter().map(cell_text));
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.len() > width && cells.iter().skip(width).any(|c| !c.trim().is_empty()) {
            out.errors.push(format!(
                "ligne {line} : des cellules remplies à droite de la dernière colonne nommée ({} colonnes)",
                width
            ));
            continue;
        }
        out.rows.push(Row { line, cells });
    }
    Ok(out)
}

/// The cells of a row, with the empty columns left of the used range put back (so the columns
/// line up with the header whatever column the table starts in).
fn pad(first_col: u32, cells: impl Iterator<Item = String>) -> Vec<String> {
    std::iter::repeat_n(String::new(), first_col as usize)
        .chain(cells)
        .collect()
}

/// A cell as text: dates as `AAAA-MM-JJ` (with the time when there is one), whole numbers
/// without decimals, errors (`#N/A`) as empty.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) => number_text(*x),
        Data::Bool(b) => if *b { "oui" } else { "non" }.into(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::DateTimeIso(s) => s.replacen('T', " ", 1),
        Data::DurationIso(s) => s.clone(),
    }
}

/// `612345678` for 612345678.0; a decimal number as a French spreadsheet shows it.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        x.to_string().replace('.', ",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(kind_of(b"PK\x03\x04rest"), FileKind::Workbook);
        assert_eq!(kind_of(b"date;type\n"), FileKind::Csv);
        let e = read(b"PK\x03\x04not really a zip", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pas un classeur lisible"), "{e}");
        assert!(!e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn csv_in_every_encoding_a_spreadsheet_writes() {
        let text = "date\ttype\tnom\tprenom\n03/10/2025\tcrèche\tCœur\tZoé\n";
        let expected = vec!["03/10/2025", "crèche", "Cœur", "Zoé"];
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        for bytes in [text.as_bytes().to_vec(), cp1252.into_owned(), utf16] {
            let sheet = read(&bytes, None).unwrap();
            assert_eq!(sheet.headers, ["date", "type", "nom", "prenom"]);
            assert_eq!(sheet.rows[0].cells, expected);
        }
        let mixed = [text.as_bytes(), b"04/10/2025\tcr\xe8che\tA\tB\n"].concat();
        let e = read(&mixed, None).unwrap_err().to_string();
        assert!(
            e.starts_with("ligne 3 : le fichier mélange deux encodages"),
            "{e}"
        );
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number_text(612345678.0), "612345678");
        assert_eq!(number_text(2.5), "2,5");
    }
}
