//! Checks of what an agent typed, each error naming its field ([`Error::Invalid`]) so that a
//! form shows it beside the field and the command line says which option is wrong.

use super::people::{NewPerson, check_email, check_phone};
use crate::domain::fr_date;
use crate::error::{Error, Field, Result};
use chrono::NaiveDate;

/// Trims a person's fields and refuses an empty name or a malformed contact.
pub fn person(p: &mut NewPerson) -> Result<()> {
    p.last_name = p.last_name.trim().to_string();
    p.first_name = p.first_name.trim().to_string();
    p.phone = p.phone.trim().to_string();
    p.email = p.email.trim().to_string();
    p.profession = p.profession.trim().to_string();
    if p.last_name.is_empty() {
        return Err(Error::invalid(Field::LastName, "le nom est vide"));
    }
    if p.first_name.is_empty() {
        return Err(Error::invalid(Field::FirstName, "le prénom est vide"));
    }
    check_email(&p.email).map_err(|e| Error::invalid(Field::Email, e.to_string()))?;
    check_phone(&p.phone).map_err(|e| Error::invalid(Field::Phone, e.to_string()))?;
    Ok(())
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
        let mut p = NewPerson {
            last_name: " Dupont ".into(),
            ..Default::default()
        };
        assert!(matches!(
            person(&mut p),
            Err(Error::Invalid {
                field: Field::FirstName,
                ..
            })
        ));
        assert_eq!(p.last_name, "Dupont");
        p.first_name = "Jean".into();
        p.email = "jean@".into();
        assert!(matches!(
            person(&mut p),
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
