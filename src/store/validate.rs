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

pub fn check_phone(phone: &str) -> Result<()> {
    if phone.is_empty() {
        return Ok(());
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " .-+()/".contains(c));
    if allowed && (6..=15).contains(&digits) {
        Ok(())
    } else {
        Err(Error::input(format!(
            "numéro de téléphone invalide : « {phone} »"
        )))
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
}
