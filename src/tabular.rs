//! Reading a spreadsheet saved as CSV into a header and numbered rows, shared by every import
//! (requests, housing places): UTF-8 with or without BOM or Windows-1252, `;` or `,` detected,
//! blank lines skipped, each row with its number as the spreadsheet shows it, unreadable rows and
//! stray cells reported by row. What the cells mean is the caller's business. Workbooks (.xlsx,
//! .ods) are read into the same shape by `crate::sheet`.

use crate::error::{Error, Result};
use crate::text::{display_safe, fold};

/// One data row: its row number in the spreadsheet and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

/// A file read: the header cells, the rows, and the rows that could not be read (by line).
#[derive(Debug, Clone, Default)]
pub struct CsvSheet {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    pub errors: Vec<String>,
}

/// Reads `bytes` as a CSV spreadsheet, in UTF-8 (with or without BOM) or Windows-1252 (Excel's
/// "CSV (séparateur : point-virgule)"), whichever the bytes are. Fails at once on a file that is
/// empty or whose header cannot be read; row problems are collected in `errors` so every one is
/// reported.
pub fn read_csv(bytes: &[u8]) -> Result<CsvSheet> {
    let text = decode_text(bytes)?;
    read_csv_text(&text)
}

/// The text of a CSV file: UTF-8 when the bytes are valid UTF-8; UTF-16 with its BOM (Excel's
/// "Texte Unicode"); else Windows-1252, every byte of which is a character. A file mixing
/// UTF-8 accents with other bytes (two files pasted together) is refused with the line of the
/// first odd byte rather than read half wrong.
pub fn decode_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>> {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        return Ok(encoding.decode_with_bom_removal(bytes).0);
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t.into()),
        Err(e) => {
            let utf8_accents = String::from_utf8_lossy(bytes)
                .chars()
                .any(|c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER);
            if utf8_accents {
                let line = bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                return Err(Error::input(format!(
                    "ligne {line} : le fichier mélange deux encodages (UTF-8 et un autre) ; dans le tableur, enregistrez-le à nouveau au format « CSV UTF-8 »"
                )));
            }
            Ok(encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0)
        }
    }
}

/// Reads CSV text; rows are numbered as a spreadsheet shows them (a cell holding line breaks is
/// one row).
pub fn read_csv_text(text: &str) -> Result<CsvSheet> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Error::input("le fichier est vide"));
    }
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::input(format!("ligne 1 : en-tête illisible : {e}")))?
        .iter()
        .map(str::to_string)
        .collect();

    // Physical line of a byte offset (a quoted cell may span lines).
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_of = |pos: Option<&csv::Position>| {
        pos.map_or(0, |p| {
            // With CRLF ends the reader may place a record on the end of the previous line.
            let mut at = p.byte() as usize;
            while text
                .as_bytes()
                .get(at)
                .is_some_and(|b| *b == b'\r' || *b == b'\n')
            {
                at += 1;
            }
            newlines.partition_point(|&nl| nl < at) + 1
        })
    };
    let mut sheet = CsvSheet {
        headers,
        ..Default::default()
    };
    let width = sheet.headers.len();
    // Line breaks inside quoted cells so far: the spreadsheet row is the file line minus them.
    let mut inner_breaks = sheet
        .headers
        .iter()
        .map(|h| h.matches('\n').count())
        .sum::<usize>();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(e.position()).saturating_sub(inner_breaks);
                sheet
                    .errors
                    .push(format!("ligne {line} : ligne illisible ({e})"));
                continue;
            }
        };
        let line = line_of(record.position()).saturating_sub(inner_breaks);
        inner_breaks += record
            .iter()
            .map(|c| c.matches('\n').count())
            .sum::<usize>();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue; // blank line at the end of a spreadsheet export
        }
        if record.len() > width && record.iter().skip(width).any(|c| !c.trim().is_empty()) {
            sheet.errors.push(format!(
                "ligne {line} : {} cellules pour {width} colonnes (un « {} » en trop dans une cellule non guillemetée ?)",
                record.len(),
                delimiter as char
            ));
            continue;
        }
        sheet.rows.push(Row {
            line,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(sheet)
}

/// The columns of a header row, matched by `from_header`: each header's column (or `None`),
/// the headers nobody knows (ignored), or every header problem (a column twice, a required
/// column missing) with its line.
pub fn map_headers<C: Copy + PartialEq>(
    headers: &[String],
    from_header: impl Fn(&str) -> Option<C>,
    name: impl Fn(C) -> &'static str,
    required: &[C],
) -> Result<(Vec<Option<C>>, Vec<String>)> {
    let mut columns: Vec<Option<C>> = Vec::new();
    let mut ignored = Vec::new();
    let mut errors = Vec::new();
    for h in headers {
        let col = from_header(h);
        match col {
            Some(c) if columns.contains(&Some(c)) => errors.push(format!(
                "ligne 1, colonne « {h} » : la colonne {} apparaît deux fois",
                name(c)
            )),
            None if !h.trim().is_empty() => ignored.push(h.clone()),
            _ => {}
        }
        columns.push(col);
    }
    for req in required {
        if !columns.contains(&Some(*req)) {
            errors.push(format!(
                "ligne 1 : colonne obligatoire absente : « {} » (colonnes lues : {})",
                name(*req),
                headers.join(", ")
            ));
        }
    }
    if errors.is_empty() {
        Ok((columns, ignored))
    } else {
        Err(Error::Rows(errors))
    }
}

/// The column whose name or one of its aliases folds to the same text as `header`.
pub fn find_column<C: Copy>(table: &[(C, &str, &[&str])], header: &str) -> Option<C> {
    let key = fold(header);
    table
        .iter()
        .find(|(_, name, aliases)| fold(name) == key || aliases.iter().any(|a| fold(a) == key))
        .map(|(c, _, _)| *c)
}

/// "ligne 4, colonne « lits » (« deux ») : …" — one safe line (cells may hold line breaks or
/// escape sequences).
pub fn cell_error(line: usize, column: &str, value: &str, why: &str) -> String {
    let message = if value.is_empty() {
        format!("ligne {line}, colonne « {column} » : {why}")
    } else {
        format!("ligne {line}, colonne « {column} » (« {value} ») : {why}")
    };
    display_safe(&message).into_owned()
}

/// The bytes of a spreadsheet file, or which file could not be read.
pub fn read_file(file: &std::path::Path) -> Result<Vec<u8>> {
    let why = if file.is_dir() {
        "c'est un dossier : donnez le chemin d'un fichier (.csv, .xlsx ou .ods)".to_string()
    } else {
        match std::fs::read(file) {
            Ok(bytes) => return Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                "fichier introuvable (vérifiez le chemin)".to_string()
            }
            Err(e) => format!("illisible : {}", crate::error::io_words(&e)),
        }
    };
    Err(Error::File {
        path: file.to_path_buf(),
        why,
    })
}

/// An import's row problems, headed by "FILE : rien n'a été importé, N problème(s) à corriger :"
/// and in the order of the file's lines; any other problem of the file's content names it.
pub fn nothing_imported(file: &std::path::Path, e: Error) -> Error {
    match e {
        Error::Rows(mut rows) => {
            // Problems found while reading come before those of the rows' values: one order,
            // the file's (a problem that names no line stays first).
            rows.sort_by_key(|r| line_of(r));
            Error::Rows(
                std::iter::once(format!(
                    "{} : rien n'a été importé, {} problème(s) à corriger :",
                    file.display(),
                    rows.len()
                ))
                .chain(rows.into_iter().map(|r| format!("  {r}")))
                .collect(),
            )
        }
        // (An option's problem names the option, not the file.)
        Error::Input(why) if !why.starts_with("--") => Error::File {
            path: file.to_path_buf(),
            why,
        },
        e => e,
    }
}

/// N of a problem that starts with "ligne N"; 0 when it names no line.
fn line_of(problem: &str) -> usize {
    problem
        .strip_prefix("ligne ")
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `;`, `,` or a tab, whichever the header line uses more (outside quotes); `;` on a tie.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let (mut semi, mut comma, mut tab, mut quoted) = (0, 0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if comma > semi {
        b','
    } else {
        b';'
    }
}
