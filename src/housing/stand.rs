//! Housing at a stand, offline: what a salon laptop carries of the register, the quick lookup
//! ("free near Montargis in the spring semester"), and bringing a visitor's interest back to the
//! office as a placement proposal. `salon.rs` calls these from one line each.

use super::Span;
use crate::error::Result;
use crate::store::{FreePlace, FreeQuery, Interests, RegisterCopy, Store};
use rusqlite::{Connection, Transaction};

/// Radius of "near" when the agent does not say (km).
pub const DEFAULT_RADIUS_KM: f64 = 30.0;

/// The office register to put on a laptop: places, openings, and placements as "occupé" only —
/// no request, no person.
pub fn register_for_laptop(office: &Store) -> Result<RegisterCopy> {
    office.housing_register_copy()
}

/// Writes the register into a new laptop file (inside its preparation transaction).
pub fn write_on_laptop(tx: &Transaction<'_>, copy: &RegisterCopy) -> Result<()> {
    crate::store::write_register_copy(tx, copy)
}

/// The interests noted on a laptop file (read before the merge transaction).
pub fn interests_of_laptop(laptop: &Connection) -> Result<Interests> {
    crate::store::read_interests(laptop)
}

/// Brings a laptop's interests into the office as proposals, inside the merge transaction.
pub fn merge_interests(
    tx: &Transaction<'_>,
    file_id: &str,
    interests: &Interests,
) -> Result<usize> {
    crate::store::merge_interests(tx, file_id, interests)
}

/// Free places near a commune for a period: within `radius_km`, nearest first.
pub fn free_near(
    store: &Store,
    commune: &str,
    period: Span,
    radius_km: f64,
) -> Result<Vec<FreePlace>> {
    let (_, lat, lon) = store.commune_coordinates(commune)?;
    store.free_places(&FreeQuery {
        period: Some(period),
        near: Some((lat, lon, radius_km)),
        ..Default::default()
    })
}
