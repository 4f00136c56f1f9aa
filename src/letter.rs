//! Letters and e-mails from templates: plain Markdown files in the data folder with fields
//! such as `{prenom}` or `{reference}`, rendered for one request as Markdown, .docx or .odt.
//!
//! A field the program does not know, or one with no value for the request, is an error that
//! names the field and the line: a letter never goes out with a silent blank. Values are never
//! read as markup (a name with `*` stays a name).

use crate::domain::{MONTHS, fr_date};
use crate::error::{Error, Result};
use crate::store::RequestDetail;
use crate::text::{display_safe, fold};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The templates seeded in an empty folder: (name, text).
pub const SEEDED: [(&str, &str); 3] = [
    (
        "accuse-reception",
        "Orléans, le {date}\n\
         \n\
         **Objet : accusé de réception de votre demande {reference}**\n\
         \n\
         Bonjour {prenom} {nom},\n\
         \n\
         Nous avons bien reçu le {recue_le} votre demande concernant : {type}.\n\
         Elle est enregistrée sous la référence **{reference}** ; merci de la rappeler dans vos échanges avec nous.\n\
         \n\
         {agent} suit votre dossier et reviendra vers vous rapidement.\n\
         \n\
         Nous vous prions d'agréer nos salutations distinguées.\n\
         \n\
         {agent}\n\
         Guichet unique santé\n",
    ),
    (
        "pieces-manquantes",
        "Orléans, le {date}\n\
         \n\
         **Objet : pièces manquantes — demande {reference}**\n\
         \n\
         Bonjour {prenom} {nom},\n\
         \n\
         Pour instruire votre demande ({type}, référence {reference}), il nous manque les pièces suivantes :\n\
         \n\
         - (pièce à préciser)\n\
         - (pièce à préciser)\n\
         \n\
         Vous pouvez nous les adresser par courrier ou par e-mail en rappelant la référence {reference}. \
         Sans nouvelles de votre part, votre demande restera en attente.\n\
         \n\
         Nous restons à votre disposition pour toute question.\n\
         \n\
         {agent}\n\
         Guichet unique santé\n",
    ),
    (
        "orientation-partenaire",
        "Orléans, le {date}\n\
         \n\
         **Objet : orientation de votre demande {reference} vers {partenaire}**\n\
         \n\
         Bonjour {prenom} {nom},\n\
         \n\
         Votre demande ({type}, référence {reference}) relève de l'accompagnement de notre partenaire : \
         **{partenaire}**.\n\
         Nous lui avons transmis votre dossier ; il prendra contact avec vous.\n\
         \n\
         Le guichet unique reste votre interlocuteur : n'hésitez pas à nous solliciter en rappelant \
         la référence {reference}.\n\
         \n\
         {agent}\n\
         Guichet unique santé\n",
    ),
];

/// The fields a template may use, with what each holds (shown by `letter --liste`).
pub const FIELDS: [(&str, &str); 16] = [
    ("prenom", "prénom de la personne"),
    ("nom", "nom de la personne"),
    ("reference", "référence de la demande"),
    ("type", "type de demande (libellé)"),
    ("statut", "statut de la demande"),
    ("agent", "agent qui écrit (--agent), sinon l'agent attribué"),
    ("agent_attribue", "agent attribué à la demande"),
    ("date", "date du jour, en toutes lettres (23 novembre 2026)"),
    ("date_courte", "date du jour (23/11/2026)"),
    ("recue_le", "date de réception de la demande"),
    ("relance", "prochaine relance"),
    ("partenaire", "partenaire de la dernière orientation"),
    ("telephone", "téléphone de la personne"),
    ("email", "e-mail de la personne"),
    ("profession", "profession de la personne"),
    ("resume", "résumé de la demande"),
];

/// The templates folder: `GUICHET_MODELES`, else `modeles` in the data folder (beside the
/// default data file).
pub fn templates_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("GUICHET_MODELES").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let data = crate::paths::default_db_path().map_err(|_| {
        Error::input(
            "impossible de trouver le dossier de données : précisez le dossier des modèles avec GUICHET_MODELES",
        )
    })?;
    Ok(data
        .parent()
        .map(|p| p.join("modeles"))
        .unwrap_or_else(|| PathBuf::from("modeles")))
}

/// Creates the folder with the seeded templates on first use. A folder that exists is left
/// as the team made it (a template they deleted stays deleted).
pub fn ensure_seeded(dir: &Path) -> Result<bool> {
    if dir.exists() {
        return Ok(false);
    }
    crate::paths::create_private_dir(dir)?;
    for (name, text) in SEEDED {
        crate::store::write_private(&dir.join(format!("{name}.md")), text.as_bytes())?;
    }
    Ok(true)
}

/// The templates of the folder: (name, first non-empty line), by name.
pub fn list(dir: &Path) -> Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::File {
        path: dir.to_path_buf(),
        why: format!("dossier des modèles illisible : {e}"),
    })?;
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let first = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| {
                t.lines()
                    .map(|l| l.trim().trim_matches('*').trim().to_string())
                    .find(|l| !l.is_empty() && !l.starts_with("Orléans, le"))
            })
            .unwrap_or_default();
        out.push((name.to_string(), first));
    }
    out.sort();
    Ok(out)
}

/// Reads the template `name` (with or without `.md`) from the folder.
pub fn load(dir: &Path, name: &str) -> Result<String> {
    let name = name.strip_suffix(".md").unwrap_or(name);
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
        return Err(Error::input(format!(
            "--modele : « {name} » n'est pas un nom de modèle (un nom de fichier du dossier {}, sans chemin)",
            dir.display()
        )));
    }
    let path = dir.join(format!("{name}.md"));
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| Error::File {
            path: path.clone(),
            why: "le modèle n'est pas en UTF-8 : enregistrez-le en UTF-8".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let known: Vec<String> = list(dir)?.into_iter().map(|(n, _)| n).collect();
            Err(Error::NotFound {
                what: "modèle",
                value: name.to_string(),
                hint: format!(
                    " dans {} ; modèles : {}",
                    dir.display(),
                    if known.is_empty() {
                        "aucun".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            })
        }
        Err(e) => Err(Error::File {
            path,
            why: format!("modèle illisible : {e}"),
        }),
    }
}

/// `23 novembre 2026`.
pub fn fr_long_date(d: NaiveDate) -> String {
    let day = if d.day() == 1 {
        "1er".to_string()
    } else {
        d.day().to_string()
    };
    format!("{day} {} {}", MONTHS[d.month0() as usize], d.year())
}

/// The values of the fields for one request; `None` when the request has no value (no
/// referral for `{partenaire}`, no phone…). `writer` is the agent who writes the letter.
pub fn fields(detail: &RequestDetail, writer: Option<&str>, today: NaiveDate) -> Values {
    let r = &detail.request;
    let p = &detail.person;
    let some = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    // The latest referral: the one a letter of orientation is about.
    let referral = detail
        .referrals
        .iter()
        .max_by(|a, b| (a.sent_on, &a.id).cmp(&(b.sent_on, &b.id)));
    let assigned = r.agent.as_deref().and_then(some);
    let values: [(&'static str, Option<String>); 16] = [
        ("prenom", some(&p.first_name)),
        ("nom", some(&p.last_name)),
        ("reference", some(&r.reference)),
        ("type", some(&r.type_label)),
        ("statut", Some(r.status.label().to_string())),
        ("agent", writer.and_then(some).or_else(|| assigned.clone())),
        ("agent_attribue", assigned),
        ("date", Some(fr_long_date(today))),
        ("date_courte", Some(fr_date(today))),
        ("recue_le", Some(fr_date(r.received_on))),
        ("relance", r.next_follow_up_on.map(fr_date)),
        ("partenaire", referral.and_then(|f| some(&f.partner))),
        ("telephone", some(&p.phone)),
        ("email", some(&p.email)),
        ("profession", some(&p.profession)),
        ("resume", some(&r.summary)),
    ];
    // Stored text reaches a document: control and invisible characters neutralised.
    values
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(|v| display_safe(&v).into_owned())))
        .collect()
}

/// Field name → value (`None`: the request has none).
pub type Values = BTreeMap<String, Option<String>>;

/// The key a field is known by: `{Prénom}` and `{prenom}` are one field.
fn field_key(name: &str) -> String {
    fold(name).replace(' ', "_")
}

/// Adds the values given with `--valeur CHAMP=TEXTE` (a field of the team's own templates, or
/// another text for a known one).
pub fn add_values(values: &mut Values, given: &[String]) -> Result<()> {
    for g in given {
        let Some((name, text)) = g.split_once('=') else {
            return Err(Error::input(format!(
                "--valeur : « {g} » s'écrit CHAMP=TEXTE (par exemple pieces=\"RIB, attestation\")"
            )));
        };
        let key = field_key(name);
        if key.is_empty() {
            return Err(Error::input(format!(
                "--valeur : « {g} » : nom de champ vide"
            )));
        }
        values.insert(key, Some(text.trim().to_string()));
    }
    Ok(())
}

/// How a line of the letter is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    Paragraph,
    Heading(u8),
    Bullet,
}

/// A piece of text; `value` marks what came from a field (never read as markup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub value: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub block: Block,
    pub runs: Vec<Run>,
}

impl Line {
    /// The runs with neighbours of the same weight joined: a document holds "Bonjour Léa
    /// Dupont," as one piece of text, as a word processor would.
    fn merged_runs(&self) -> Vec<Run> {
        let mut out: Vec<Run> = Vec::new();
        for run in &self.runs {
            match out.last_mut() {
                Some(last) if last.bold == run.bold => {
                    last.text.push_str(&run.text);
                    last.value |= run.value;
                }
                _ => out.push(run.clone()),
            }
        }
        out
    }
}

/// A rendered letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub lines: Vec<Line>,
}

/// Fills `template` with `values`. Every unknown field and every field with no value is
/// reported with its line, all at once.
pub fn render(
    template_name: &str,
    template: &str,
    values: &Values,
    reference: &str,
) -> Result<Letter> {
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for (i, raw) in template.lines().enumerate() {
        let n = i + 1;
        // A template is a file: its control characters are neutralised like stored text.
        let raw = display_safe(raw);
        let raw = raw.as_ref();
        let (block, body) = if let Some(rest) = raw.strip_prefix("### ") {
            (Block::Heading(3), rest)
        } else if let Some(rest) = raw.strip_prefix("## ") {
            (Block::Heading(2), rest)
        } else if let Some(rest) = raw.strip_prefix("# ") {
            (Block::Heading(1), rest)
        } else if let Some(rest) = raw.strip_prefix("- ").or_else(|| raw.strip_prefix("* ")) {
            (Block::Bullet, rest)
        } else {
            (Block::Paragraph, raw)
        };
        let mut runs: Vec<Run> = Vec::new();
        let mut bold = false;
        let mut literal = String::new();
        let flush = |literal: &mut String, runs: &mut Vec<Run>, bold: bool| {
            if !literal.is_empty() {
                runs.push(Run {
                    text: std::mem::take(literal),
                    bold,
                    value: false,
                });
            }
        };
        let mut rest = body;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("{{") || rest.starts_with("}}") {
                literal.push(c);
                rest = &rest[2..];
            } else if rest.starts_with("**") {
                flush(&mut literal, &mut runs, bold);
                bold = !bold;
                rest = &rest[2..];
            } else if c == '{'
                && let Some(end) = rest[1..].find(['{', '}'])
                && rest.as_bytes()[1 + end] == b'}'
                && end > 0
                && end <= 40
            {
                let name = &rest[1..1 + end];
                let key = field_key(name);
                match values.get_key_value(key.as_str()) {
                    Some((_, Some(v))) => {
                        flush(&mut literal, &mut runs, bold);
                        runs.push(Run {
                            text: v.clone(),
                            bold,
                            value: true,
                        });
                    }
                    Some((k, None)) => problems.push(format!(
                        "modèle « {template_name} », ligne {n} : {{{name}}} est vide pour la demande {reference} ({})",
                        why_empty(k)
                    )),
                    None => problems.push(format!(
                        "modèle « {template_name} », ligne {n} : champ inconnu {{{name}}}{} \
                         (un champ du modèle se donne avec --valeur {key}=TEXTE)",
                        suggest(&key)
                    )),
                }
                rest = &rest[1 + end + 1..];
            } else {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        flush(&mut literal, &mut runs, bold);
        lines.push(Line { block, runs });
    }
    if !problems.is_empty() {
        problems.push(format!(
            "Champs connus (une accolade seule s'écrit {{{{ ou }}}}) : {}",
            FIELDS
                .iter()
                .map(|(k, _)| format!("{{{k}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Err(Error::input(problems.join("\n")));
    }
    Ok(Letter { lines })
}

fn why_empty(field: &str) -> &'static str {
    match field {
        "partenaire" => {
            "aucune orientation vers un partenaire n'est enregistrée : « guichet referral add »"
        }
        "agent" | "agent_attribue" => {
            "aucun agent attribué : donnez --agent ou attribuez la demande"
        }
        "relance" => "aucune relance prévue",
        _ => "valeur non renseignée dans le dossier",
    }
}

fn suggest(key: &str) -> String {
    let best = FIELDS
        .iter()
        .map(|(k, _)| (crate::housing::communes::edit_distance(key, k), *k))
        .min();
    match best {
        Some((d, k)) if d <= (key.chars().count() / 3).max(2) => {
            format!(" ; vouliez-vous dire {{{k}}} ?")
        }
        _ => String::new(),
    }
}

impl Letter {
    /// The letter as Markdown (what the template was, with the values in place).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            match line.block {
                Block::Paragraph => {}
                Block::Heading(n) => {
                    out.push_str(&"#".repeat(n as usize));
                    out.push(' ');
                }
                Block::Bullet => out.push_str("- "),
            }
            let mut bold = false;
            for run in &line.runs {
                if run.bold != bold {
                    out.push_str("**");
                    bold = run.bold;
                }
                if run.value {
                    out.push_str(&escape_markdown(&run.text));
                } else {
                    out.push_str(&run.text);
                }
            }
            if bold {
                out.push_str("**");
            }
            out.push('\n');
        }
        out
    }

    /// A Word document (.docx) a team can print and edit.
    pub fn docx(&self) -> Result<Vec<u8>> {
        use docx_rs::{Docx, Paragraph, Run as DRun};
        let mut doc = Docx::new();
        for line in &self.lines {
            let mut p = Paragraph::new();
            let size = match line.block {
                Block::Heading(1) => Some(32),
                Block::Heading(2) => Some(28),
                Block::Heading(_) => Some(24),
                _ => None,
            };
            if line.block == Block::Bullet {
                p = p.add_run(DRun::new().add_text("• "));
            }
            for run in line.merged_runs() {
                let mut r = DRun::new().add_text(run.text.as_str());
                if run.bold || size.is_some() {
                    r = r.bold();
                }
                if let Some(s) = size {
                    r = r.size(s);
                }
                p = p.add_run(r);
            }
            doc = doc.add_paragraph(p);
        }
        let mut buf = std::io::Cursor::new(Vec::new());
        doc.build()
            .pack(&mut buf)
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        Ok(buf.into_inner())
    }

    /// An OpenDocument text (.odt): a zip holding the mimetype, a manifest and content.xml.
    pub fn odt(&self) -> Result<Vec<u8>> {
        use std::io::Write;
        use zip::write::SimpleFileOptions;
        let zerr = |e: zip::result::ZipError| Error::Io(std::io::Error::other(e.to_string()));
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        // The mimetype comes first, uncompressed: that is how readers recognise an ODT.
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let deflated =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("mimetype", stored).map_err(zerr)?;
        zip.write_all(b"application/vnd.oasis.opendocument.text")?;
        zip.start_file("META-INF/manifest.xml", deflated)
            .map_err(zerr)?;
        zip.write_all(ODT_MANIFEST.as_bytes())?;
        zip.start_file("content.xml", deflated).map_err(zerr)?;
        zip.write_all(self.odt_content().as_bytes())?;
        let cursor = zip.finish().map_err(zerr)?;
        Ok(cursor.into_inner())
    }

    fn odt_content(&self) -> String {
        let mut body = String::new();
        for line in &self.lines {
            let (open, close) = match line.block {
                Block::Heading(n) => (
                    format!("<text:h text:outline-level=\"{n}\">"),
                    "</text:h>".to_string(),
                ),
                Block::Bullet => ("<text:p>• ".to_string(), "</text:p>".to_string()),
                Block::Paragraph => ("<text:p>".to_string(), "</text:p>".to_string()),
            };
            body.push_str(&open);
            for run in line.merged_runs() {
                let text = escape_xml(&run.text);
                if run.bold {
                    body.push_str(&format!(
                        "<text:span text:style-name=\"Gras\">{text}</text:span>"
                    ));
                } else {
                    body.push_str(&text);
                }
            }
            body.push_str(&close);
            body.push('\n');
        }
        format!("{ODT_HEAD}{body}{ODT_TAIL}")
    }

    /// The letter's text, without layout (for tests and previews).
    pub fn plain_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.runs.iter().map(|r| r.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

const ODT_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"#;

const ODT_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2">
<office:automatic-styles>
<style:style style:name="Gras" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
</office:automatic-styles>
<office:body><office:text>
"#;

const ODT_TAIL: &str = "</office:text></office:body></office:document-content>\n";

/// Escapes element text (quotes need no escape outside attributes).
fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Characters that would turn a value into Markdown markup.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '`' | '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The output format, from the extension of `--out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterFormat {
    Markdown,
    Docx,
    Odt,
}

impl LetterFormat {
    pub fn of(path: &Path) -> Result<LetterFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("md" | "markdown" | "txt") => Ok(LetterFormat::Markdown),
            Some("docx") => Ok(LetterFormat::Docx),
            Some("odt") => Ok(LetterFormat::Odt),
            _ => Err(Error::input(format!(
                "--out : « {} » : l'extension dit le format : .md (texte, e-mail), .docx (Word) ou .odt (LibreOffice)",
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        let mut v = Values::from([
            ("prenom".to_string(), Some("Léa*".to_string())),
            ("partenaire".to_string(), None),
        ]);
        add_values(&mut v, &["Nom=Dupont".to_string()]).unwrap();
        assert!(add_values(&mut v, &["nom".to_string()]).is_err());
        v
    }

    #[test]
    fn values_are_never_markup_and_braces_escape() {
        let l = render(
            "t",
            "# {{{prenom}}}\n**Objet : {nom}**\n- x",
            &values(),
            "R",
        )
        .unwrap();
        assert_eq!(l.lines[0].block, Block::Heading(1));
        assert_eq!(l.plain_text(), "{Léa*}\nObjet : Dupont\nx");
        assert!(l.lines[1].runs.iter().all(|r| r.bold));
        assert_eq!(l.markdown(), "# {Léa\\*}\n**Objet : Dupont**\n- x\n");
        assert!(
            l.odt_content()
                .contains("<text:h text:outline-level=\"1\">{Léa*}</text:h>")
        );
    }

    #[test]
    fn every_unknown_or_empty_field_is_reported_with_its_line() {
        let err = render("t", "ok {nom}\n{prenon} et {partenaire}", &values(), "R")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ligne 2 : champ inconnu {prenon} ; vouliez-vous dire {prenom} ?"),
            "{err}"
        );
        assert!(
            err.contains("ligne 2 : {partenaire} est vide pour la demande R"),
            "{err}"
        );
        assert!(!err.contains("ligne 1"), "{err}");
    }

    #[test]
    fn long_dates_in_french() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(fr_long_date(d("2026-11-22")), "22 novembre 2026");
        assert_eq!(fr_long_date(d("2026-08-01")), "1er août 2026");
    }
}
