//! The demo's housing register (called at the end of `demo::fill`): what the press kit describes
//! — vacant staff flats in collèges (fifteen places a semester for medical students), communal
//! flats, rooms in care homes and hospitals, gîtes lent by tourism professionals, a few private
//! owners — spread over the Loiret, open for the internship semester under way and the next one,
//! so that the *Logements* screen (`L`) and `housing free` have something to show on a demo file.
//! No placement: the demo's requests and their journals stay as `demo::fill` wrote them.
//! Said again (a second `demo`), nothing is added: each place has its own import key.

use crate::domain::{HousingKind, Profile};
use crate::error::{Error, Result};
use crate::housing::{Span, semester_of};
use crate::store::{NewPlace, Store};
use uuid::Uuid;

/// (name, kind, commune, beds, monthly rent in euros, who may apply, contact)
type DemoPlace = (
    &'static str,
    HousingKind,
    &'static str,
    i64,
    i64,
    &'static [Profile],
    &'static str,
);

const STUDENTS: &[Profile] = &[Profile::Etudiant, Profile::Interne];
const ANYONE: &[Profile] = &[];

const PLACES: &[DemoPlace] = &[
    (
        "Logement de fonction — collège de Gien",
        HousingKind::College,
        "Gien",
        2,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Logement de fonction — collège de Briare",
        HousingKind::College,
        "Briare",
        1,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Logement de fonction — collège de Pithiviers",
        HousingKind::College,
        "Pithiviers",
        2,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Logement de fonction — collège de Sully-sur-Loire",
        HousingKind::College,
        "Sully-sur-Loire",
        2,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Logement de fonction — collège de Lorris",
        HousingKind::College,
        "Lorris",
        1,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Logement de fonction — collège de Courtenay",
        HousingKind::College,
        "Courtenay",
        2,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Logement de fonction — collège de Beaune-la-Rolande",
        HousingKind::College,
        "Beaune-la-Rolande",
        1,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Logement de fonction — collège de Puiseaux",
        HousingKind::College,
        "Puiseaux",
        2,
        0,
        STUDENTS,
        "Secrétariat du collège",
    ),
    (
        "Appartement communal",
        HousingKind::Municipal,
        "Ferrières-en-Gâtinais",
        3,
        150,
        ANYONE,
        "Mairie, accueil",
    ),
    (
        "Studio communal",
        HousingKind::Municipal,
        "Le Malesherbois",
        1,
        120,
        ANYONE,
        "Mairie, service logement",
    ),
    (
        "Chambres d'internes — centre hospitalier",
        HousingKind::StructureSoins,
        "Montargis",
        4,
        0,
        &[Profile::Interne],
        "Direction des affaires médicales",
    ),
    (
        "Chambre en EHPAD",
        HousingKind::StructureSoins,
        "Meung-sur-Loire",
        1,
        80,
        STUDENTS,
        "Cadre de santé",
    ),
    (
        "Gîte des bords de Loire",
        HousingKind::Tourisme,
        "Beaugency",
        2,
        250,
        ANYONE,
        "Office de tourisme",
    ),
    (
        "Studio meublé",
        HousingKind::Prive,
        "Poilly-lez-Gien",
        1,
        320,
        ANYONE,
        "Le propriétaire, par l'agent",
    ),
];

/// Adds the demo's places and their openings; returns how many places were added.
pub fn fill(store: &mut Store) -> Result<usize> {
    let now = semester_of(store.today());
    let next = semester_of(now.to + chrono::Days::new(1));
    let mut added = 0;
    for (name, kind, commune, beds, rent, profiles, contact) in PLACES {
        let Ok(c) = crate::housing::communes::resolve(commune) else {
            continue; // not in this build's list of communes
        };
        let mut p = NewPlace::new(name, *kind, c.name, *beds);
        p.coordinates = Some((c.latitude, c.longitude));
        p.rent = *rent;
        p.profiles = profiles.to_vec();
        p.contact = contact.to_string();
        let key = format!("demo|{name}|{commune}");
        p.import_key = Some(Uuid::new_v5(&Uuid::NAMESPACE_OID, key.as_bytes()).to_string());
        let code = match store.add_place(&p) {
            Ok(code) => code,
            Err(Error::Input(_)) => continue, // already in the register (a second demo)
            Err(e) => return Err(e),
        };
        added += 1;
        // Open for this semester and the next; the gîte lets its rooms to tourists in summer.
        let spans: Vec<Span> = match kind {
            HousingKind::Tourisme => vec![now],
            _ => vec![now, next],
        };
        for span in spans {
            store.open_place(&code, &span)?;
        }
    }
    Ok(added)
}
