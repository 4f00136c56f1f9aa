//! Realistic synthetic data (`guichet demo`): French names with accents and apostrophes, the
//! Loiret team and partners, events through the year, follow-ups, referrals, every status and
//! outcome, overdue cases. Deterministic for a seed and a "today": the generator, the UUIDs and
//! the timestamps all come from one seeded PRNG (SplitMix64, kept here so no crate upgrade can
//! change the sequence).

use crate::domain::{Answer, FollowUpKind, Outcome, Profile, Status};
use crate::error::Result;
use crate::store::Store;
use crate::text::{email_key, fold, name_key, phone_key};
use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks by weight: `items` are (value, weight).
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut n = self.below(total);
        for (v, w) in items {
            if n < *w {
                return v;
            }
            n -= w;
        }
        &items[items.len() - 1].0
    }

    /// A UUID v7 whose time is `millis` and whose random bits come from this generator.
    pub fn uuid_v7(&mut self, millis: u64) -> String {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes)
            .into_uuid()
            .to_string()
    }
}

pub const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "D'Aubigné",
    "N'Diaye",
    "Le Goff",
    "Lemaître",
    "Bénard",
    "Ould-Ahmed",
    "Da Silva",
    "Nguyễn",
    "Hoarau",
    "De La Fontaine",
    "Bouchard",
    "Cœurdevey",
    "L'Hermitte",
    "Saint-Jean",
    "Benali",
    "Kowalski",
    "Périer",
    "Joly",
];

pub const FIRST_NAMES: &[&str] = &[
    "Élodie",
    "Hélène",
    "Maël",
    "Anaïs",
    "Zoé",
    "Loïc",
    "Jérôme",
    "François",
    "Chloé",
    "Gaëlle",
    "Noémie",
    "Théo",
    "Inès",
    "Léa",
    "Camille",
    "Lucas",
    "Hugo",
    "Manon",
    "Emma",
    "Louis",
    "Jade",
    "Raphaël",
    "Sarah",
    "Nathan",
    "Clémence",
    "Mathéo",
    "Océane",
    "Benoît",
    "Amélie",
    "Yasmine",
    "Mehdi",
    "Aurélien",
    "Céline",
    "Jean-Baptiste",
    "Marie-Noëlle",
    "Pierre-Louis",
    "Agnès",
    "Sébastien",
    "Éric",
    "Bérénice",
    "Joël",
    "Anne-Sophie",
    "Valérie",
    "Ophélie",
    "Cyprien",
    "Salomé",
    "Timothée",
    "Maëlys",
    "Grégoire",
    "Adèle",
];

const PROFESSIONS: &[(&str, Profile)] = &[
    ("médecin généraliste", Profile::Professionnel),
    ("masseur-kinésithérapeute", Profile::Professionnel),
    ("chirurgien-dentiste", Profile::Professionnel),
    ("infirmière", Profile::Professionnel),
    ("sage-femme", Profile::Professionnel),
    ("orthophoniste", Profile::Professionnel),
    ("pédicure-podologue", Profile::Professionnel),
    ("pharmacien", Profile::Professionnel),
    ("interne en médecine générale", Profile::Interne),
    ("interne en pédiatrie", Profile::Interne),
    ("externe en 3e année de médecine (Tours)", Profile::Etudiant),
    (
        "étudiant en 1re année de médecine (Zagreb)",
        Profile::Etudiant,
    ),
    ("étudiante en odontologie (Iași)", Profile::Etudiant),
    ("étudiant en kinésithérapie", Profile::Etudiant),
    ("conjoint d'un médecin", Profile::Famille),
];

const EVENTS: &[(&str, &str)] = &[
    ("Forum des internes — Faculté de Tours", "Tours"),
    ("Salon de l'étudiant d'Orléans", "Orléans"),
    ("Congrès de la médecine générale", "Paris"),
    ("Soirée d'accueil des internes du Loiret", "Orléans"),
    ("Journée d'intégration — Faculté d'Orléans", "Orléans"),
    ("Rencontres de l'installation — URPS", "Blois"),
    ("Forum santé de Montargis", "Montargis"),
    ("Salon infirmier", "Paris"),
    ("Journée portes ouvertes IFSI", "Orléans"),
    ("Rencontre des étudiants de Zagreb", "Zagreb"),
    ("Congrès des kinésithérapeutes", "Paris"),
    ("Forum emploi santé de Gien", "Gien"),
    ("Journée des maîtres de stage", "Tours"),
    ("Soirée de rentrée des externes", "Tours"),
];

const AGENTS: &[(&str, &str, &str)] = &[
    ("Élodie Martin", "EM", "responsable"),
    ("Karim Benali", "KB", "agent"),
    ("Sophie Lefèvre", "SL", "agent"),
    ("Julien Moreau", "JM", "agent"),
    ("Anaïs Dubois-Gérard", "ADG", "agent"),
];

const NOTES: &[(FollowUpKind, &str)] = &[
    (
        FollowUpKind::AppelEntrant,
        "Souhaite des informations sur le dispositif.",
    ),
    (
        FollowUpKind::AppelSortant,
        "Rappelé(e) : explications données, dossier à compléter.",
    ),
    (
        FollowUpKind::EmailEnvoye,
        "Envoi du formulaire de demande et de la liste des pièces.",
    ),
    (
        FollowUpKind::EmailRecu,
        "Pièces reçues : attestation d'inscription et RIB.",
    ),
    (
        FollowUpKind::RendezVous,
        "Rendez-vous au guichet : projet présenté, pistes de locaux.",
    ),
    (FollowUpKind::Courrier, "Courrier de notification envoyé."),
    (
        FollowUpKind::Note,
        "Dossier complet, à présenter en commission.",
    ),
    (
        FollowUpKind::AppelSortant,
        "Message laissé sur le répondeur, à relancer.",
    ),
    (
        FollowUpKind::EmailEnvoye,
        "Transmis les coordonnées de la CPTS du secteur.",
    ),
    (
        FollowUpKind::Note,
        "Engagement d'exercice de 5 ans dans le Loiret expliqué.",
    ),
];

fn partners_for(type_code: &str) -> &'static [&'static str] {
    match type_code {
        "installation" => &[
            "cpam",
            "ars",
            "cpts_orleans",
            "cpts_gatinais_montargois",
            "cpts_ouest_loiret",
            "ordre_medecins",
            "urps",
            "communes",
        ],
        "logement" => &["communes", "chr_orleans", "fac_orleans"],
        "bourse" => &["fac_orleans", "fac_tours", "region"],
        "emploi_conjoint" => &["france_travail", "docpack"],
        "creche" => &["caf", "rpe", "communes"],
        "stage" => &["fac_tours", "ifsi", "cpts_sologne"],
        "lieu_exercice" => &[
            "communes",
            "cls",
            "cpts_est_orleanais",
            "cpts_giennois_berry",
            "cpts_beauce_gatinais",
        ],
        _ => &["ars", "region", "cls"],
    }
}

const TYPES: &[(&str, u64)] = &[
    ("logement", 20),
    ("bourse", 18),
    ("installation", 14),
    ("emploi_conjoint", 8),
    ("creche", 6),
    ("stage", 12),
    ("lieu_exercice", 7),
    ("decouverte", 6),
    ("autre", 9),
];

const CHANNELS: &[(&str, u64)] = &[
    ("telephone", 30),
    ("email", 25),
    ("site_web", 15),
    ("salon", 15),
    ("rendez_vous", 6),
    ("courrier", 3),
    ("partenaire", 6),
];

fn millis(d: NaiveDate, secs: u32) -> u64 {
    let t = NaiveTime::from_num_seconds_from_midnight_opt(secs % 86_400, 0).unwrap_or_default();
    d.and_time(t).and_utc().timestamp_millis().max(0) as u64
}

fn stamp(d: NaiveDate, secs: u32) -> String {
    let t = NaiveTime::from_num_seconds_from_midnight_opt(secs % 86_400, 0).unwrap_or_default();
    d.and_time(t).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DemoReport {
    pub requests: usize,
    pub persons: usize,
    pub follow_ups: usize,
    pub referrals: usize,
    pub events: usize,
    /// Places added to the housing register.
    pub places: usize,
}

/// The next id of the demo's write-order clock (see [`fill`]).
fn next_id(rng: &mut Rng, clock: &mut u64) -> String {
    *clock += 1;
    rng.uuid_v7(*clock)
}

/// Requests written per transaction: a million requests do not sit in one WAL.
const BATCH: usize = 20_000;

/// Adds `n` synthetic requests received over the year before `store.today()`.
pub fn fill(store: &mut Store, n: usize, seed: u64) -> Result<DemoReport> {
    // For the bulk insert, on this connection only: random keys (names, e-mails, dates) spread
    // index inserts over the whole file, so a large page cache halves the system time; and each
    // batch rewrites the same index and search pages, so they are copied back into the file
    // every few batches instead of after each one (SQLite's default: at 4 MB of log). At a
    // million requests: 6 min 10 s -> 4 min 47 s.
    let pragma = |name: &str| -> Result<i64> {
        Ok(store
            .conn()
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))?)
    };
    let (cache, checkpoint) = (pragma("cache_size")?, pragma("wal_autocheckpoint")?);
    store.conn().pragma_update(None, "cache_size", -262_144)?;
    store
        .conn()
        .pragma_update(None, "wal_autocheckpoint", 65_536)?;
    let report = fill_requests(store, n, seed);
    store.conn().pragma_update(None, "cache_size", cache)?;
    store
        .conn()
        .pragma_update(None, "wal_autocheckpoint", checkpoint)?;
    let mut report = report?;
    crate::demo_aids::fill(store, seed)?;
    report.places = crate::demo_housing::fill(store)?;
    Ok(report)
}

/// The requests, persons, follow-ups and referrals of [`fill`].
fn fill_requests(store: &mut Store, n: usize, seed: u64) -> Result<DemoReport> {
    let today = store.today();
    // A second demo on a file that has requests draws another stream (the same seed would draw
    // the same ids again): on an empty file the seed alone decides.
    let already: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM request", [], |r| r.get(0))?;
    let mut rng = Rng::new(seed ^ (already as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let mut report = DemoReport::default();

    // Agents and events first (small, idempotent).
    let (agent_ids, events) = store.write(|tx, ctx| {
        // Ids of the team and events come from their own stream, drawn whether or not used.
        let mut setup = Rng::new(seed.wrapping_mul(31).wrapping_add(17));
        let mut ids = Vec::new();
        for (name, initials, role) in AGENTS {
            let new_id = setup.uuid_v7(millis(today, 0));
            let id: Option<String> = tx
                .query_row("SELECT id FROM agent WHERE name_key = ?1", [fold(name)], |r| r.get(0))
                .optional()?;
            let id = match id {
                Some(id) => id,
                None => {
                    let id = new_id;
                    tx.execute(
                        "INSERT INTO agent (id, name, name_key, initials, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![id, name, fold(name), initials, role, ctx.now()],
                    )?;
                    id
                }
            };
            ids.push(id);
        }
        let mut events = Vec::new();
        for (i, (name, place)) in EVENTS.iter().enumerate() {
            // Spread through the academic year, one about every 3-4 weeks.
            let back = 12 + (i as u64) * 25;
            let held_on = today - Days::new(back);
            let new_id = setup.uuid_v7(millis(held_on, 0));
            let existing: Option<String> = tx
                .query_row("SELECT id FROM event WHERE name = ?1 AND held_on = ?2", params![name, held_on], |r| r.get(0))
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = new_id;
                    tx.execute(
                        "INSERT INTO event (id, name, held_on, place, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![id, name, held_on, place, stamp(held_on, 3600)],
                    )?;
                    id
                }
            };
            events.push((id, held_on));
        }
        Ok((ids, events))
    })?;
    report.events = events.len();

    let partner_ids: HashMap<String, String> = store
        .partners()?
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let series = store.meta("series")?.unwrap_or_else(|| "A".into());

    let mut persons: Vec<String> = Vec::new();
    // The ids' clock: the requests, persons, follow-ups and referrals get ids in the order they
    // are written (as at a real desk, where a record's id is taken when it is typed), so every
    // index keyed by an id grows at its end. Ids taken from the backdated reception days would
    // land all over those indexes: at a million requests, each batch rewrote most of their pages.
    let mut clock = millis(today - Days::new(400), 0) + (already as u64) * 8;
    let mut done = 0;
    while done < n {
        let batch = BATCH.min(n - done);
        // A busy file retries the whole batch: start it again from the same state.
        let (rng_start, clock_start, persons_start, report_start) =
            (rng.0, clock, persons.len(), report.clone());
        store.write(|tx, _| {
            rng.0 = rng_start;
            clock = clock_start;
            persons.truncate(persons_start);
            report = report_start.clone();
            let bulk = super::figures::BulkCounts::start(tx)?;
            let mut counters: HashMap<String, i64> = HashMap::new();
            let mut ins_person = tx.prepare_cached(
                "INSERT INTO person (id, last_name, first_name, birth_date, phone, email, profile, profession, \
                 name_key, phone_key, email_key, created_at, created_by, updated_at, updated_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?13)",
            )?;
            let mut ins_request = tx.prepare_cached(
                "INSERT INTO request (id, reference, person_id, type_code, status, outcome, channel_code, \
                 event_id, agent_id, received_on, next_follow_up_on, closed_on, summary, \
                 created_at, created_by, updated_at, updated_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15)",
            )?;
            let mut ins_follow = tx.prepare_cached(
                "INSERT INTO follow_up (id, request_id, kind, occurred_on, body, next_follow_up_on, created_at, created_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut ins_referral = tx.prepare_cached(
                "INSERT INTO referral (id, request_id, partner_id, sent_on, expected_by, reminders, reminded_on, \
                 answered_on, answer, created_at, created_by, updated_at, updated_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10, ?11)",
            )?;
            let mut set_contact =
                tx.prepare_cached("UPDATE request SET first_contact_on = ?2 WHERE rowid = ?1")?;
            // No search documents here: `Store::write` indexes every request this transaction
            // wrote, through the same code as any other write.
            let mut ins_history = tx.prepare_cached(
                "INSERT INTO history (at, actor, entity, entity_id, field, old_value, new_value) \
                 VALUES (?1, ?2, 'request', ?3, ?4, ?5, ?6)",
            )?;
            let mut next_counter = |prefix: &str| -> Result<i64> {
                if !counters.contains_key(prefix) {
                    let v: i64 = tx
                        .query_row("SELECT value FROM counter WHERE name = ?1", [prefix], |r| r.get(0))
                        .optional()?
                        .unwrap_or(0);
                    counters.insert(prefix.to_string(), v);
                }
                let c = counters.get_mut(prefix).expect("inserted above");
                *c += 1;
                Ok(*c)
            };
            for _ in 0..batch {
                let type_code = *rng.weighted(TYPES);
                let mut channel = *rng.weighted(CHANNELS);
                // More recent requests are more frequent: the desk grows.
                let age = (rng.below(365) * rng.below(365)) / 365;
                let mut received_on = today - Days::new(age);
                let mut event_id = None;
                if channel == "salon" {
                    let past: Vec<&(String, NaiveDate)> = events.iter().filter(|(_, d)| *d <= today).collect();
                    if past.is_empty() {
                        channel = "telephone";
                    } else {
                        let (id, d) = rng.pick(&past);
                        event_id = Some(id.clone());
                        received_on = *d;
                    }
                }
                let secs = 8 * 3600 + rng.below(9 * 3600) as u32;
                let created = stamp(received_on, secs);
                let agent_idx = rng.below(agent_ids.len() as u64) as usize;
                let actor = AGENTS[agent_idx].0;

                // The person: 12 % come back with another request.
                let person_id = if !persons.is_empty() && rng.chance(12) {
                    rng.pick(&persons).clone()
                } else {
                    let last = *rng.pick(LAST_NAMES);
                    let first = *rng.pick(FIRST_NAMES);
                    let (profession, mut profile) = *rng.pick(PROFESSIONS);
                    match type_code {
                        "bourse" | "stage" if profile == Profile::Professionnel => profile = Profile::Etudiant,
                        "installation" | "lieu_exercice" if profile != Profile::Professionnel => {
                            profile = Profile::Professionnel
                        }
                        _ => {}
                    }
                    let profession = if profile == Profile::Professionnel && !profession.contains("conjoint") {
                        profession
                    } else {
                        match profile {
                            Profile::Etudiant => "étudiant en médecine",
                            Profile::Interne => "interne en médecine générale",
                            Profile::Famille => "conjoint d'une professionnelle de santé",
                            Profile::Professionnel => "médecin généraliste",
                        }
                    };
                    let phone = format!(
                        "0{} {:02} {:02} {:02} {:02}",
                        6 + rng.below(2),
                        rng.below(100),
                        rng.below(100),
                        rng.below(100),
                        rng.below(100)
                    );
                    let email = if rng.chance(85) {
                        format!(
                            "{}.{}{}@exemple.fr",
                            fold(first).replace(' ', "-"),
                            fold(last).replace(' ', "-"),
                            rng.below(100)
                        )
                    } else {
                        String::new()
                    };
                    let birth = NaiveDate::from_ymd_opt(
                        today.year() - 19 - rng.below(35) as i32,
                        1 + rng.below(12) as u32,
                        1 + rng.below(28) as u32,
                    );
                    let id = next_id(&mut rng, &mut clock);
                    ins_person.execute(params![
                        id,
                        last,
                        first,
                        birth,
                        phone,
                        email,
                        profile,
                        profession,
                        name_key(last, first),
                        phone_key(&phone),
                        email_key(&email),
                        created,
                        actor,
                    ])?;
                    report.persons += 1;
                    persons.push(id.clone());
                    id
                };

                // Where it stands: older requests are more often closed.
                // Most cases close within three months; a few linger (long grant files).
                let closed = age > 14 && rng.chance((30 + age * 65 / 90).min(93));
                let (status, outcome, closed_on) = if closed {
                    let outcome = *rng.weighted(&[
                        (Outcome::Aboutie, 50),
                        (Outcome::Refusee, 15),
                        (Outcome::SansSuite, 25),
                        (Outcome::Reorientee, 10),
                    ]);
                    let closed_on = (received_on + Days::new(3 + rng.below(age.max(4) - 2))).min(today);
                    (Status::Close, Some(outcome), Some(closed_on))
                } else if event_id.is_some() && rng.chance(40) {
                    (Status::AQualifier, None, None)
                } else if age < 4 && rng.chance(70) {
                    (Status::Nouvelle, None, None)
                } else {
                    let s = *rng.weighted(&[
                        (Status::EnCours, 50),
                        (Status::AttenteDemandeur, 25),
                        (Status::AttentePartenaire, 20),
                        (Status::Nouvelle, 5),
                    ]);
                    (s, None, None)
                };
                let assigned = match status {
                    Status::Nouvelle | Status::AQualifier => rng.chance(40),
                    _ => rng.chance(96),
                };
                let agent_id = assigned.then(|| agent_ids[agent_idx].clone());
                let next = status
                    .is_open()
                    .then(|| today + Days::new(rng.below(45)) - Days::new(15))
                    .filter(|d| *d >= received_on);
                let id = next_id(&mut rng, &mut clock);
                let prefix = format!("{series}{:02}", received_on.year().rem_euclid(100));
                let reference = format!("{prefix}-{:05}", next_counter(&prefix)?);
                let summary = match type_code {
                    "logement" => "Recherche un logement pour son stage d'internat",
                    "bourse" => "Demande de bourse d'études contre engagement de 5 ans",
                    "installation" => "Projet d'installation, demande l'aide départementale",
                    "emploi_conjoint" => "Recherche d'emploi pour son conjoint",
                    "creche" => "Cherche une place en crèche à la rentrée",
                    "stage" => "Indemnité kilométrique pour un stage en zone rurale",
                    "lieu_exercice" => "Cherche un cabinet vacant",
                    "decouverte" => "Souhaite découvrir le territoire avant de s'installer",
                    _ => "Demande d'information générale",
                };
                let updated = closed_on.map_or_else(|| created.clone(), |d| stamp(d, secs));
                ins_request.execute(params![
                    id, reference, person_id, type_code, status, outcome, channel, event_id, agent_id,
                    received_on, next, closed_on, summary, created, actor, updated,
                ])?;
                let request_rowid = tx.last_insert_rowid();
                ins_history.execute(params![created, actor, id, "*", None::<String>, reference])?;
                if let Some(c) = closed_on {
                    ins_history.execute(params![stamp(c, secs), actor, id, "status", "en_cours", "close"])?;
                }
                report.requests += 1;

                // The case log.
                let last_day = closed_on.unwrap_or(today);
                let span = (last_day - received_on).num_days().max(0) as u64;
                let mut first_contact: Option<NaiveDate> = None;
                let entries = if status == Status::Nouvelle || status == Status::AQualifier { 0 } else { 1 + rng.below(4) };
                for k in 0..entries {
                    let (kind, body) = *rng.pick(NOTES);
                    let on = received_on + Days::new((span * (k + 1)) / (entries + 1));
                    let fid = next_id(&mut rng, &mut clock);
                    ins_follow.execute(params![
                        fid, id, kind, on, body, None::<NaiveDate>, stamp(on, secs + 60 * k as u32), actor
                    ])?;
                    report.follow_ups += 1;
                    if kind.is_contact() && first_contact.is_none() {
                        first_contact = Some(on);
                    }
                }
                if let Some(on) = first_contact {
                    set_contact.execute(params![request_rowid, on])?;
                }

                // Referrals: every case waiting for a partner, and a share of the others.
                if status == Status::AttentePartenaire || (status != Status::AQualifier && rng.chance(18)) {
                    let code = *rng.pick(partners_for(type_code));
                    if let Some(pid) = partner_ids.get(code) {
                        let sent = (received_on + Days::new(rng.below(span.clamp(1, 10)))).min(today);
                        let expected = sent + Days::new(30);
                        let answered = if status == Status::AttentePartenaire {
                            None
                        } else {
                            Some((sent + Days::new(2 + rng.below(40))).min(today))
                        };
                        let answer = answered.map(|_| *rng.weighted(&[(Answer::Favorable, 70), (Answer::Defavorable, 20), (Answer::SansObjet, 10)]));
                        let reminders = if answered.is_none() && expected < today { rng.below(3) as i64 } else { 0 };
                        let reminded = (reminders > 0).then_some(expected);
                        let rid = next_id(&mut rng, &mut clock);
                        ins_referral.execute(params![
                            rid, id, pid, sent, expected, reminders, reminded, answered, answer,
                            stamp(sent, secs + 7), actor
                        ])?;
                        report.referrals += 1;
                    }
                }
            }
            for (name, value) in counters {
                tx.execute(
                    "INSERT INTO counter (name, value) VALUES (?1, ?2) \
                     ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
                    params![name, value],
                )?;
            }
            bulk.finish(tx)
        })?;
        done += batch;
    }
    Ok(report)
}
