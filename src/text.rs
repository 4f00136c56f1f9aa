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
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
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
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            '\u{7f}' => out.push_str("^?"),
            c if is_c1(c) => out.push('�'),
            c if is_invisible_format(c) => out.push('�'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
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

    #[test]
    fn csv_cell_neutralises_formulas() {
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("+33 6 12 34 56 78"), "'+33 6 12 34 56 78");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("Dupont"), "Dupont");
    }
}
