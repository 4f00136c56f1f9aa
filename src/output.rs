//! Output formats of the command line: an aligned text table for people, CSV for French
//! spreadsheets (BOM, `;`, French headers, formulas neutralised), JSON for programs.

use crate::error::{Error, Result};
use crate::text::{csv_cell, display_safe};
use std::io::Write;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// A short text summary to paste into an e-mail (reports).
    Md,
    /// A workbook (reports; needs --out).
    Xlsx,
}

/// A table of strings with French headers, rendered as text or CSV.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: Vec<&str>) -> Self {
        Table {
            headers: headers.into_iter().map(str::to_string).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Aligned columns for a terminal; stored text passes the sanitiser.
    pub fn write_text(&self, out: &mut dyn Write) -> Result<()> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| display_safe(c).into_owned()).collect())
            .collect();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for r in &cells {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.width().min(40));
            }
        }
        let line = |out: &mut dyn Write, row: &[&str]| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, c) in row.iter().enumerate() {
                // A one-column table (a sentence to copy) is never cut.
                let c = if row.len() > 1 {
                    truncate(c, 40)
                } else {
                    (*c).into()
                };
                s.push_str(&c);
                if i + 1 < row.len() {
                    s.push_str(&" ".repeat(widths[i].saturating_sub(c.width()) + 2));
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        let headers: Vec<&str> = self.headers.iter().map(String::as_str).collect();
        line(out, &headers)?;
        for r in &cells {
            let refs: Vec<&str> = r.iter().map(String::as_str).collect();
            line(out, &refs)?;
        }
        Ok(())
    }

    pub fn write_csv(&self, out: impl Write) -> Result<()> {
        let mut w = csv_writer(out)?;
        w.write_record(&self.headers)?;
        for r in &self.rows {
            w.write_record(r.iter().map(|c| csv_cell(c).into_owned()))?;
        }
        w.flush()?;
        Ok(())
    }
}

/// `s` in at most `max` columns of the terminal: cut with "…" when longer.
pub fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.width() <= max {
        return s.into();
    }
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + 1 >= max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out.into()
}

/// A CSV writer for French spreadsheets: UTF-8 BOM, `;` separator, CRLF line ends.
pub fn csv_writer<W: Write>(mut out: W) -> Result<csv::Writer<W>> {
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::Io(io),
            kind => Error::Io(std::io::Error::other(format!("{kind:?}"))),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        match e.io_error_kind() {
            Some(kind) => Error::Io(std::io::Error::new(kind, e)),
            None => Error::Io(std::io::Error::other(e)),
        }
    }
}

/// Writes a JSON array one element at a time (lists of a million requests stay small in memory).
pub struct JsonArray<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonArray<W> {
    pub fn new(mut out: W) -> Result<Self> {
        out.write_all(b"[")?;
        Ok(JsonArray { out, first: true })
    }

    pub fn push(&mut self, v: &impl serde::Serialize) -> Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n  ")?;
        serde_json::to_writer(&mut self.out, v)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W> {
        self.out
            .write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
        Ok(self.out)
    }
}

/// The one rounding rule of every figure shown (screen, text, CSV, workbook): one decimal.
/// JSON keeps the number as computed.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A number as shown to people: rounded by `round1`, with a French decimal comma and no
/// decimal when whole ("51,5", "10").
pub fn fr_number(x: f64) -> String {
    let r = round1(x);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}").replace('.', ",")
    }
}

/// A typed cell: numbers and dates stay numbers and dates in a workbook.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Int(i64),
    Num(f64),
    Date(chrono::NaiveDate),
    Empty,
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    /// As written in a CSV file: a number stays a number (a negative one is not a formula);
    /// a text that a spreadsheet would read as a formula is neutralised.
    pub fn csv(&self) -> String {
        match self {
            Value::Text(s) => csv_cell(s).into_owned(),
            v => v.display(),
        }
    }

    /// As shown in a terminal or a CSV file (French decimal comma, JJ/MM/AAAA).
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Num(x) => fr_number(*x),
            Value::Date(d) => crate::domain::fr_date(*d),
            Value::Empty => String::new(),
        }
    }
}

/// One table of an export: a sheet in a workbook, a section in a text or CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Sheet {
    pub fn new(name: &str, headers: &[&str], rows: Vec<Vec<Value>>) -> Sheet {
        Sheet {
            name: name.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }

    pub fn table(&self) -> Table {
        Table {
            headers: self.headers.clone(),
            rows: self
                .rows
                .iter()
                .map(|r| r.iter().map(Value::display).collect())
                .collect(),
        }
    }
}

/// Sheets as text: a title line, then the table, for each.
pub fn write_sheets_text(sheets: &[Sheet], out: &mut dyn Write) -> Result<()> {
    for (i, s) in sheets.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        if sheets.len() > 1 {
            writeln!(out, "{}", s.name)?;
        }
        s.table().write_text(out)?;
    }
    Ok(())
}

/// Sheets as Markdown tables (a text to paste into an e-mail).
pub fn write_sheets_md(sheets: &[Sheet], out: &mut dyn Write) -> Result<()> {
    for s in sheets {
        writeln!(out, "## {}\n", s.name)?;
        writeln!(out, "| {} |", s.headers.join(" | "))?;
        writeln!(out, "|{}|", vec!["---"; s.headers.len()].join("|"))?;
        for r in &s.rows {
            let cells: Vec<String> = r
                .iter()
                .map(|v| display_safe(&v.display()).replace('|', "/"))
                .collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Sheets in one CSV file: each section starts with its name on a line of its own.
pub fn write_sheets_csv(sheets: &[Sheet], out: impl Write) -> Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(out);
    for (i, s) in sheets.iter().enumerate() {
        if sheets.len() > 1 {
            if i > 0 {
                w.write_record([""])?;
            }
            w.write_record([csv_cell(&s.name).into_owned()])?;
        }
        w.write_record(&s.headers)?;
        for r in &s.rows {
            w.write_record(r.iter().map(Value::csv))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// A real workbook: one sheet per table, numbers and dates as typed cells, column widths,
/// the header row frozen; written owner-only.
pub fn write_xlsx(sheets: &[Sheet], path: &std::path::Path) -> Result<()> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let xerr = |e: rust_xlsxwriter::XlsxError| Error::Io(std::io::Error::other(e.to_string()));
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    let date = XFormat::new().set_num_format("dd/mm/yyyy");
    for s in sheets {
        let ws = wb.add_worksheet();
        // Sheet names: 31 characters, none of []:*?/\.
        let name: String = s
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        ws.set_name(&name).map_err(xerr)?;
        let mut widths: Vec<usize> = s.headers.iter().map(|h| h.chars().count()).collect();
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(xerr)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let col = c as u16;
                match v {
                    Value::Text(t) => {
                        ws.write_string(r, col, t.as_str()).map_err(xerr)?;
                    }
                    Value::Int(n) => {
                        ws.write_number(r, col, *n as f64).map_err(xerr)?;
                    }
                    // Rounded as everywhere else, shown as rounded ("51,5", "10").
                    Value::Num(x) => {
                        ws.write_number(r, col, round1(*x)).map_err(xerr)?;
                    }
                    Value::Date(d) => {
                        ws.write_date_with_format(r, col, d, &date).map_err(xerr)?;
                    }
                    Value::Empty => {}
                }
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(v.display().chars().count().min(60));
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w as f64 + 2.0).min(62.0))
                .map_err(xerr)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
    }
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::store::write_private(path, &bytes)
}
