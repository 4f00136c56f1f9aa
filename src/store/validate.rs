//! Checks of what an agent typed, each error naming its field ([`Error::Invalid`]) so that a
//! form shows it beside the field and the command line says which option is wrong.

use crate::domain::fr_date;
use crate::error::{Error, Field, Result};
use chrono::NaiveDate;

/// Refuses an empty name or a malformed contact (the fields already trimmed).
pub fn person(last_name: &str, first_name: &str, email: &str, phone: &str) -> Result<()> {
    if last_name.is_empty() {
        return Err(Error::invalid(Field::LastName, "le nom est vide"));
    }
    if first_name.is_empty() {
        return Err(Error::invalid(Field::FirstName, "le prénom est vide"));
    }
    check_email(email).map_err(|e| Error::invalid(Field::Email, e.to_string()))?;
    check_phone(phone).map_err(|e| Error::invalid(Field::Phone, e.to_string()))?;
    Ok(())
}

pub fn check_email(email: &str) -> Result<()> {
    if email.is_empty() {
        return Ok(());
    }
    let ok = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.contains('@'))
        && !email.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!(
            "adresse e-mail invalide : « {email} »"
        )))
    }
}

/// A phone an agent can call back: a French number has ten digits (`06 12 34 56 78`), or nine
/// after `+33`/`0033` (a `(0)` after the prefix allowed); another country's number starts with
/// `+` or `00` and has 8 to 15 digits (the international maximum). Spaces, dots, hyphens,
/// slashes and brackets may group the digits.
pub fn check_phone(phone: &str) -> Result<()> {
    if phone.is_empty() {
        return Ok(());
    }
    let invalid = |why: &str, hint: &str| {
        Err(Error::input(format!(
            "numéro de téléphone {why} : « {phone} » ({hint})"
        )))
    };
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " .-+()/".contains(c))
        || phone.matches('+').count() > 1
        || phone.contains('+') && !phone.trim_start().starts_with('+')
    {
        return invalid("invalide", "chiffres, espaces, points, tirets, + au début");
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let international = if phone.trim_start().starts_with('+') {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    let (len, wanted, hint) = match international {
        Some(rest) if rest.starts_with("33") => {
            let national = rest[2..].strip_prefix('0').unwrap_or(&rest[2..]);
            (national.len(), 9..=9, "9 chiffres après +33")
        }
        Some(rest) if !rest.starts_with('0') => {
            (rest.len(), 8..=15, "8 à 15 chiffres avec l'indicatif")
        }
        None if digits.starts_with('0') => (digits.len(), 10..=10, "10 chiffres en France"),
        _ => {
            return invalid(
                "invalide",
                "en France 10 chiffres commençant par 0, à l'étranger + et l'indicatif",
            );
        }
    };
    if len < *wanted.start() {
        invalid("incomplet", hint)
    } else if len > *wanted.end() {
        invalid("trop long", hint)
    } else {
        Ok(())
    }
}

/// A birth date cannot be after today.
pub fn birth_date(d: Option<NaiveDate>, today: NaiveDate) -> Result<()> {
    match d {
        Some(d) if d > today => Err(Error::invalid(
            Field::BirthDate,
            format!("la date de naissance {} est dans le futur", fr_date(d)),
        )),
        _ => Ok(()),
    }
}

/// A request cannot be closed on a day that has not come yet.
pub fn closed_on(d: Option<NaiveDate>, today: NaiveDate) -> Result<()> {
    match d {
        Some(d) if d > today => Err(Error::invalid(
            Field::ClosedOn,
            format!("la date de clôture {} est dans le futur", fr_date(d)),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn errors_name_their_field() {
        assert!(matches!(
            person("Dupont", "", "", ""),
            Err(Error::Invalid {
                field: Field::FirstName,
                ..
            })
        ));
        assert!(matches!(
            person("Dupont", "Jean", "jean@", ""),
            Err(Error::Invalid {
                field: Field::Email,
                ..
            })
        ));
        let today = day("2026-11-22");
        assert!(birth_date(Some(day("2030-01-01")), today).is_err());
        assert!(birth_date(Some(day("1990-01-01")), today).is_ok());
        assert!(closed_on(Some(day("2026-11-23")), today).is_err());
        assert!(closed_on(Some(today), today).is_ok());
    }

    #[test]
    fn phones_must_be_complete() {
        for ok in [
            "06 12 34 56 78",
            "0612345678",
            "06.12.34.56.78",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033 6 12 34 56 78",
            "+41 22 123 45 67",
            "0041 22 123 45 67",
            "02-38-25-45-45",
        ] {
            assert!(check_phone(ok).is_ok(), "{ok} refused");
        }
        for (bad, why) in [
            ("06 12 34", "incomplet"),
            ("06 12 34 56 78 99", "trop long"),
            ("+33 6 12 34 56", "incomplet"),
            ("+33 6 12 34 56 78 9", "trop long"),
            ("612345678", "commençant par 0"),
            ("612345", "commençant par 0"),
            ("00 00 00 00 00", "invalide"),
            ("+0 6 12 34 56 78", "invalide"),
            ("+41 22 12", "incomplet"),
            ("+1234567890123456", "trop long"),
            ("06 12 34 56 7a", "invalide"),
            ("06 12 +34 56 78", "invalide"),
        ] {
            let e = check_phone(bad).expect_err(bad).to_string();
            assert!(e.contains(why) && e.contains(bad), "{bad}: {e}");
        }
    }
}
