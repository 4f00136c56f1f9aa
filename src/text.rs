//! Text helpers shared by storage, import and display: matching keys, the screen sanitiser and
//! the spreadsheet-cell guard.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower case, accents removed, every run of non-alphanumeric characters folded to one space.
/// "Bourse d'Études" -> "bourse d etudes"; used to match labels, names and headers.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    // Invisible characters are dropped, not taken for word breaks: "Du\u{200b}pont" is "dupont".
    for c in s
        .nfd()
        .filter(|c| !is_combining_mark(*c) && !is_invisible_format(*c))
    {
        let c = match c {
            'œ' | 'Œ' => {
                push_word(&mut out, &mut pending_space, "oe");
                continue;
            }
            'æ' | 'Æ' => {
                push_word(&mut out, &mut pending_space, "ae");
                continue;
            }
            c => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

fn push_word(out: &mut String, pending_space: &mut bool, w: &str) {
    if *pending_space && !out.is_empty() {
        out.push(' ');
    }
    *pending_space = false;
    out.push_str(w);
}

/// A name, e-mail, phone or label as stored: NFC (one spelling for "é" however it was typed),
/// zero-width, bidi, soft hyphen and control characters removed (they hide text and defeat
/// search), runs of spaces folded to one, trimmed.
pub fn clean_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfc() {
        if needs_escape(c) && !matches!(c, '\t' | '\n' | '\r') {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Free text as stored (notes, summaries): NFC; invisible and control characters are kept —
/// they are neutralised wherever the text is shown or written.
pub fn clean_text(s: &str) -> String {
    s.nfc().collect()
}

/// `fold` with spaces as underscores: the shape of a code ("emploi du conjoint" is not a code, but
/// "emploi_conjoint" folds to "emploi conjoint" either way).
pub fn fold_code(s: &str) -> String {
    fold(s).replace(' ', "_")
}

/// The key two spellings of one person share: "DUPONT", "Jean-Pierre" -> "dupont jean pierre".
pub fn name_key(last: &str, first: &str) -> String {
    format!("{} {}", fold(last), fold(first)).trim().to_string()
}

/// Digits of a French phone number, the international prefix folded: "+33 6 12…" -> "0612…".
pub fn phone_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits.strip_prefix("0033") {
        format!("0{rest}")
    } else if phone.trim_start().starts_with('+') && digits.starts_with("33") && digits.len() == 11
    {
        format!("0{}", &digits[2..])
    } else {
        digits
    }
}

pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The one sanitiser between stored text and the terminal. Control characters become `^X`
/// (so an escape sequence shows as harmless text), tabs become a space, line breaks a `⏎`, and
/// bidirectional overrides and zero-width characters — which can disguise text — become `�`.
pub fn display_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            '\n' => out.push('⏎'),
            '\r' => {}
            c => push_neutralised(&mut out, c),
        }
    }
    Cow::Owned(out)
}

/// One character as `display_safe` shows it: controls as `^X`, C1, bidi and invisible format
/// characters as `�`, anything else as itself.
fn push_neutralised(out: &mut String, c: char) {
    match c {
        c if (c as u32) < 0x20 => {
            out.push('^');
            out.push(char::from(b'@' + c as u8));
        }
        '\u{7f}' => out.push_str("^?"),
        c if is_c1(c) || is_invisible_format(c) => out.push('�'),
        c => out.push(c),
    }
}

/// The sanitiser of everything the program writes as text — standard output, CSV, Markdown
/// and text exports, the log: the same neutralisation as [`display_safe`], except that line
/// breaks and tabs keep their meaning, a byte-order mark may open the stream (CSV for French
/// spreadsheets), and a stream that opens with `[` or `{` (JSON) gets JSON escapes (`\u009b`)
/// instead, so programs read the value unchanged. Invalid UTF-8 becomes `�`. A character cut
/// between two writes is held until the next one.
pub struct SafeWrite<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
    started: bool,
    json: bool,
}

impl<W: std::io::Write> SafeWrite<W> {
    pub fn new(inner: W) -> Self {
        SafeWrite {
            inner,
            pending: Vec::new(),
            started: false,
            json: false,
        }
    }

    /// Flushes (a character left cut in two becomes `�`) and returns the inner writer.
    pub fn into_inner(mut self) -> std::io::Result<W> {
        std::io::Write::flush(&mut self)?;
        Ok(self.inner)
    }

    fn clean(&mut self, text: &str, out: &mut String) {
        for c in text.chars() {
            if !self.started {
                if c.is_whitespace() || c == '\u{feff}' {
                    out.push(c);
                    continue;
                }
                self.started = true;
                self.json = c == '[' || c == '{';
            }
            match c {
                '\n' | '\r' | '\t' => out.push(c),
                c if !needs_escape(c) => out.push(c),
                c if self.json => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => push_neutralised(out, c),
            }
        }
    }
}

/// Bytes that may start something the sanitiser changes (C0 controls, DEL, and the lead bytes
/// of C1, soft hyphen, Arabic letter mark, bidi and zero-width characters, BOM).
fn suspicious(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t' && b != b'\r')
        || b == 0x7f
        || b == 0xc2
        || b == 0xd8
        || b == 0xe2
        || b == 0xef
        || b >= 0xf8
}

impl<W: std::io::Write> std::io::Write for SafeWrite<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pending.is_empty()
            && self.started
            && !buf.iter().any(|b| suspicious(*b))
            && std::str::from_utf8(buf).is_ok()
        {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let mut out = String::with_capacity(bytes.len() + 16);
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.clean(text, &mut out);
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.clean(std::str::from_utf8(good).unwrap_or_default(), &mut out);
                    match e.error_len() {
                        Some(n) => {
                            out.push('�');
                            rest = &bad[n..];
                        }
                        None => {
                            rest = bad; // a character cut in two: wait for the rest
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
        self.inner.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.pending.clear();
            self.inner.write_all("�".as_bytes())?;
        }
        self.inner.flush()
    }
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// Bidi controls, zero-width characters and other invisible format characters.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}'   // zero-width space/joiners, LRM, RLM
        | '\u{202a}'..='\u{202e}' // LRE RLE PDF LRO RLO
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // LRI RLI FSI PDI
        | '\u{feff}'              // BOM / zero-width no-break space
        | '\u{061c}'              // arabic letter mark
        | '\u{00ad}'              // soft hyphen
    )
}

fn needs_escape(c: char) -> bool {
    (c as u32) < 0x20 || c == '\u{7f}' || is_c1(c) || is_invisible_format(c)
}

/// A spreadsheet cell that starts with `=`, `+`, `-` or `@` (or a tab / carriage return) would be
/// read as a formula by Excel or LibreOffice: prefix it with an apostrophe. "+33 6…" stays
/// readable as "'+33 6…".
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_matches_labels_in_any_case_and_accent() {
        assert_eq!(fold("Bourse d'Études"), "bourse d etudes");
        assert_eq!(fold("  CRÈCHE "), "creche");
        assert_eq!(fold("emploi_conjoint"), "emploi conjoint");
        assert_eq!(fold("Cœur"), "coeur");
        assert_eq!(fold_code("Emploi du conjoint"), "emploi_du_conjoint");
    }

    #[test]
    fn keys_find_the_same_person() {
        assert_eq!(name_key("DUPONT", "Jean-Pierre"), "dupont jean pierre");
        assert_eq!(name_key("d'Aubigné", "Hélène"), "d aubigne helene");
        assert_eq!(phone_key("+33 6 12 34 56 78"), "0612345678");
        assert_eq!(phone_key("06.12.34.56.78"), "0612345678");
        assert_eq!(phone_key("0033612345678"), "0612345678");
        assert_eq!(
            email_key(" Jean.Dupont@Exemple.FR "),
            "jean.dupont@exemple.fr"
        );
    }

    #[test]
    fn display_safe_neutralises_escapes_and_invisible_characters() {
        assert_eq!(display_safe("Dupont"), Cow::Borrowed("Dupont"));
        assert_eq!(display_safe("a\x1b[2Jb"), "a^[[2Jb");
        assert_eq!(display_safe("\x1b]52;c;ZXZpbA==\x07"), "^[]52;c;ZXZpbA==^G");
        assert_eq!(display_safe("nul\0"), "nul^@");
        assert_eq!(display_safe("a\tb"), "a b");
        assert_eq!(display_safe("l1\r\nl2"), "l1⏎l2");
        assert_eq!(display_safe("abc\u{202e}fed"), "abc�fed");
        assert_eq!(display_safe("zero\u{200b}width"), "zero�width");
        assert_eq!(display_safe("\u{9b}2J"), "�2J");
    }

    fn through_safe_write(chunks: &[&[u8]]) -> String {
        use std::io::Write;
        let mut w = SafeWrite::new(Vec::new());
        for c in chunks {
            w.write_all(c).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn safe_write_neutralises_every_stream_and_keeps_lines() {
        assert_eq!(
            through_safe_write(&[b"a\x1b]0;titre\x07b\n"]),
            "a^[]0;titre^Gb\n"
        );
        assert_eq!(
            through_safe_write(&["\u{feff}nom;\u{9b}2J\r\n".as_bytes()]),
            "\u{feff}nom;�2J\r\n"
        );
        assert_eq!(
            through_safe_write(&["x\u{202e}y\u{feff}".as_bytes()]),
            "x�y�"
        );
        assert_eq!(through_safe_write(&[b"nul\0 del\x7f"]), "nul^@ del^?");
        // A character cut between two writes is whole again; bad bytes become one mark each.
        let e = "é\u{202e}".as_bytes();
        assert_eq!(through_safe_write(&[&e[..1], &e[1..4], &e[4..]]), "é�");
        assert_eq!(through_safe_write(&[b"a\xffb"]), "a�b");
        // JSON keeps the value: escapes instead of marks.
        assert_eq!(
            through_safe_write(&["[{\"n\":\"a\u{9b}b\u{202e}\"}]".as_bytes()]),
            "[{\"n\":\"a\\u009bb\\u202e\"}]"
        );
    }

    #[test]
    fn fields_are_cleaned_at_the_door() {
        let nfd = "He\u{301}le\u{300}ne";
        assert_eq!(clean_field(nfd), "Hélène");
        assert_eq!(clean_field(nfd).chars().count(), 6, "composed");
        assert_eq!(clean_field(" Du\u{200b}pont\u{ad} \u{202e}"), "Dupont");
        assert_eq!(clean_field("a\u{1b}[2J  b"), "a[2J b");
        assert_eq!(
            clean_text("note\u{202e}"),
            "note\u{202e}",
            "kept in free text"
        );
        assert_eq!(fold("Du\u{2060}pont"), "dupont");
    }

    #[test]
    fn csv_cell_neutralises_formulas() {
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("+33 6 12 34 56 78"), "'+33 6 12 34 56 78");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("Dupont"), "Dupont");
    }
}
