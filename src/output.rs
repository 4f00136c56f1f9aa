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
}

/// A table of strings with French headers, rendered as text or CSV.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Self {
        Table {
            headers,
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
                let c = truncate(c, 40);
                s.push_str(&c);
                if i + 1 < row.len() {
                    s.push_str(&" ".repeat(widths[i].saturating_sub(c.width()) + 2));
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(out, &self.headers)?;
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

fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
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
