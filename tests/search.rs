//! The search finds everything an agent typed: a file built through the command line, 1,000
//! random words and digit runs, the index against a brute-force scan of the tables.

mod common;

use common::Env;
use guichet::store::{QueueOrder, RequestFilter, Store, search_words};
use guichet::text::phone_key;
use std::collections::{BTreeSet, HashMap};

const LAST: &[&str] = &[
    "D'Aubigné",
    "Le Goff",
    "Martin-Dubois",
    "N'Diaye",
    "De la Tour",
    "Lefèvre",
    "Œuvrard",
    "Dupont",
    "Nguyen",
    "Da Silva",
    "Hébert",
    "Moreau",
];
const FIRST: &[&str] = &[
    "Hélène",
    "Jean-Pierre",
    "Chloé",
    "Anne Sophie",
    "Maël",
    "Zoé",
    "Mohamed",
    "Inès",
];
const WORDS: &[&str] = &[
    "dossier",
    "faculté",
    "internat",
    "Montargis",
    "Gien",
    "Pithiviers",
    "crèche",
    "bourse",
    "cabinet",
    "médecine",
    "kinésithérapie",
    "rappel",
    "pièces",
    "conjoint",
    "loyer",
    "engagement",
    "Orléans",
    "rentrée",
    "garde",
    "stage",
];

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn phrase(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| self.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }
    fn phone(&mut self) -> String {
        let d: Vec<u64> = (0..4).map(|_| self.next() % 100).collect();
        let m = 6 + self.next() % 2;
        match self.below(5) {
            0 => format!("0{m} {:02} {:02} {:02} {:02}", d[0], d[1], d[2], d[3]),
            1 => format!("0{m}{:02}{:02}{:02}{:02}", d[0], d[1], d[2], d[3]),
            2 => format!("+33 {m} {:02} {:02} {:02} {:02}", d[0], d[1], d[2], d[3]),
            3 => format!("0{m}.{:02}.{:02}.{:02}.{:02}", d[0], d[1], d[2], d[3]),
            _ => format!("0{m}-{:02}-{:02}-{:02}-{:02}", d[0], d[1], d[2], d[3]),
        }
    }
}

/// A file built the way agents build one: an imported spreadsheet, requests added one by one,
/// follow-ups, referrals and answers with notes, summaries changed.
fn build(env: &Env, rng: &mut Rng) {
    let mut csv = String::from(
        "date;type;nom;prenom;telephone;email;profession;canal;evenement;partenaire;commentaire\n",
    );
    let types = [
        "logement",
        "bourse",
        "installation",
        "creche",
        "emploi_conjoint",
    ];
    for i in 0..120 {
        let (last, first) = (rng.pick(LAST), rng.pick(FIRST));
        let email = if rng.below(3) == 0 {
            String::new()
        } else {
            format!(
                "{}.{}{}@exemple.fr",
                search_words(first).replace(' ', ""),
                i,
                rng.below(9)
            )
        };
        let event = if rng.below(4) == 0 {
            "Forum des internes de Tours"
        } else {
            ""
        };
        let partner = if rng.below(6) == 0 { "cpam" } else { "" };
        csv.push_str(&format!(
            "{:02}/{:02}/2026;{};{last};{first};{};{email};{};{};{event};{partner};{}\n",
            1 + rng.below(28),
            1 + rng.below(10),
            rng.pick(&types),
            rng.phone(),
            rng.pick(&[
                "médecin généraliste",
                "infirmière",
                "interne en pédiatrie",
                ""
            ]),
            if event.is_empty() {
                "telephone"
            } else {
                "salon"
            },
            rng.phrase(3),
        ));
    }
    std::fs::write(env.path("equipe.csv"), csv).unwrap();
    env.ok(&["import", "csv", env.path("equipe.csv").to_str().unwrap()]);

    let mut refs = Vec::new();
    for _ in 0..8 {
        let phone = rng.phone();
        let summary = rng.phrase(4);
        let out = env.ok(&[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            rng.pick(LAST),
            "--prenom",
            rng.pick(FIRST),
            "--telephone",
            &phone,
            "--commentaire",
            &summary,
        ]);
        refs.push(out.trim().to_string());
    }
    let listed = env.ok(&["list", "--format", "csv"]);
    let all: Vec<String> = listed
        .lines()
        .skip(1)
        .map(|l| {
            l.trim_start_matches('\u{feff}')
                .split(';')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    for k in 0..20 {
        let r = &all[rng.below(all.len())];
        // An invisible character typed or pasted inside a word does not split it.
        let text = if k == 0 {
            "dos\u{200b}sier complet".to_string()
        } else {
            rng.phrase(3)
        };
        env.ok(&[
            "follow-up",
            "add",
            r,
            "--kind",
            "appel_sortant",
            "--text",
            &text,
        ]);
    }
    for r in refs.iter().take(5) {
        let note = rng.phrase(2);
        env.ok(&["referral", "add", r, "--partenaire", "ars", "--note", &note]);
        let answer = rng.phrase(2);
        env.ok(&[
            "referral",
            "answer",
            r,
            "--partenaire",
            "ars",
            "--reponse",
            "favorable",
            "--note",
            &answer,
        ]);
    }
    for _ in 0..10 {
        let r = &all[rng.below(all.len())];
        let summary = rng.phrase(3);
        env.ok(&["request", "update", r, "--resume", &summary]);
    }
}

/// Everything typed about one request, read straight from the tables.
struct Texts {
    reference: String,
    names: Vec<String>,
    phone: String,
    others: Vec<String>,
}

fn texts(env: &Env) -> Vec<Texts> {
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let mut st = c
        .prepare(
            "SELECT r.id, r.reference, p.last_name, p.first_name, p.phone, p.email, p.profession, \
             r.summary, coalesce(e.name, '') FROM request r JOIN person p ON p.id = r.person_id \
             LEFT JOIN event e ON e.id = r.event_id",
        )
        .unwrap();
    let mut logs: HashMap<String, Vec<String>> = HashMap::new();
    for sql in [
        "SELECT request_id, body FROM follow_up",
        "SELECT request_id, note FROM referral",
        "SELECT request_id, answer_note FROM referral",
    ] {
        let mut q = c.prepare(sql).unwrap();
        for row in q
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
        {
            let (id, text) = row.unwrap();
            logs.entry(id).or_default().push(text);
        }
    }
    st.query_map([], |r| {
        let id: String = r.get(0)?;
        let mut others: Vec<String> = (5..=8).map(|i| r.get(i)).collect::<Result<_, _>>()?;
        others.extend(logs.get(&id).cloned().unwrap_or_default());
        Ok(Texts {
            reference: r.get(1)?,
            names: vec![r.get(2)?, r.get(3)?],
            phone: r.get(4)?,
            others,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn words(s: &str) -> Vec<String> {
    search_words(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The rule, scanned: a word of any text begins with the term; or a name read without its
/// apostrophes, hyphens and spaces, from one of its words on, begins with it; or the term is
/// digits found in the phone (a run of 3 or more anywhere; a shorter one before its last 3
/// digits).
fn brute_force(t: &Texts, term: &str) -> bool {
    let in_words = std::iter::once(&t.reference)
        .chain(&t.names)
        .chain(&t.others)
        .flat_map(|s| words(s))
        .any(|w| w.starts_with(term));
    let in_names = t.names.iter().any(|n| {
        let ws = words(n);
        (0..ws.len()).any(|i| ws[i..].concat().starts_with(term))
    });
    let digits = term.bytes().all(|b| b.is_ascii_digit());
    let raw: String = t.phone.chars().filter(char::is_ascii_digit).collect();
    let in_phone = digits
        && [raw, phone_key(&t.phone)].iter().any(|d| {
            if term.len() >= 3 {
                d.contains(term)
            } else {
                (0..=d.len().saturating_sub(3)).any(|i| d[i..].starts_with(term))
            }
        });
    in_words || in_names || in_phone
}

fn found(store: &Store, text: &str) -> BTreeSet<String> {
    let filter = RequestFilter {
        search: Some(text.to_string()),
        search_all: true,
        ..Default::default()
    };
    let mut out = BTreeSet::new();
    store
        .for_each_request(&filter, QueueOrder::Recent, |r| {
            out.insert(r.reference);
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn search_equals_a_brute_force_scan_for_1000_random_terms() {
    let env = Env::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    build(&env, &mut rng);
    let all = texts(&env);
    assert!(all.len() >= 128, "{} requests", all.len());

    let vocabulary: Vec<String> = all
        .iter()
        .flat_map(|t| {
            std::iter::once(&t.reference)
                .chain(&t.names)
                .chain(&t.others)
        })
        .flat_map(|s| words(s))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let phones: Vec<String> = all.iter().map(|t| phone_key(&t.phone)).collect();
    let mut terms = Vec::new();
    while terms.len() < 1000 {
        let term = match rng.below(4) {
            0 => vocabulary[rng.below(vocabulary.len())].clone(),
            1 => {
                // A prefix of a word.
                let w: Vec<char> = vocabulary[rng.below(vocabulary.len())].chars().collect();
                w[..1 + rng.below(w.len())].iter().collect()
            }
            2 => {
                // A name without its separators.
                let t = &all[rng.below(all.len())];
                words(&t.names[rng.below(2)]).concat()
            }
            _ => {
                // A run of 3 or more digits from anywhere in a phone.
                let p = &phones[rng.below(phones.len())];
                let len = 3 + rng.below(p.len() - 2);
                let at = rng.below(p.len() - len + 1);
                p[at..at + len].to_string()
            }
        };
        terms.push(term);
    }

    let store = Store::open_read_only(&env.db()).unwrap();
    let mut hits = 0;
    for term in &terms {
        let expected: BTreeSet<String> = all
            .iter()
            .filter(|t| brute_force(t, term))
            .map(|t| t.reference.clone())
            .collect();
        let got = found(&store, term);
        assert_eq!(got, expected, "search for « {term} »");
        hits += usize::from(!got.is_empty());
    }
    // The terms come from the file: nearly all find something (a failure to find is not hidden
    // behind empty results on both sides).
    assert!(hits > 990, "only {hits} terms found anything");

    // The command for scripts gives the same answers.
    for term in terms.iter().step_by(100) {
        let out = env.ok(&["search", term, "--format", "json"]);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let got: BTreeSet<String> = rows
            .iter()
            .map(|r| r["reference"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, found(&store, term), "guichet search « {term} »");
    }
}

fn one_person(env: &Env, nom: &str, prenom: &str, phone: &str) -> String {
    env.ok(&[
        "request",
        "add",
        "--type",
        "logement",
        "--nom",
        nom,
        "--prenom",
        prenom,
        "--telephone",
        phone,
    ])
    .trim()
    .to_string()
}

fn refs(env: &Env, text: &str) -> Vec<String> {
    let out = env.ok(&["search", text, "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    rows.iter()
        .map(|r| r["reference"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn phones_are_found_by_any_grouping_and_any_run_of_three_digits() {
    let env = Env::new();
    let a = one_person(&env, "Robin", "Lucas", "0612345678");
    let b = one_person(&env, "Petit", "Emma", "+33 7 98 76 54 32");
    for typed in [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "34 56 78",
        "3456",
        "678",
    ] {
        assert_eq!(refs(&env, typed), vec![a.clone()], "« {typed} »");
    }
    for typed in [
        "07 98 76",
        "0798765432",
        "+33 7 98 76 54 32",
        "987654",
        "432",
    ] {
        assert_eq!(refs(&env, typed), vec![b.clone()], "« {typed} »");
    }
    assert!(refs(&env, "9999").is_empty());
    // Groups dictated in pairs are one run of the number, not pairs found anywhere in it.
    let c = one_person(&env, "Cœurdevey", "Anaïs", "07 95 69 34 41");
    assert_eq!(
        refs(&env, "34 56"),
        vec![a.clone()],
        "« 34 56 »: Robin's 3456 only"
    );
    for typed in ["95 69", "69 34 41", "34 41", "95 69 34"] {
        assert_eq!(refs(&env, typed), vec![c.clone()], "« {typed} »");
    }
}

#[test]
fn names_are_found_without_apostrophes_hyphens_spaces_or_invisible_characters() {
    let env = Env::new();
    let a = one_person(&env, "D'Aubigné", "Hélène", "");
    let b = one_person(&env, "Le Goff", "Jean-Pierre", "");
    for typed in [
        "daubigne",
        "D'Aubigné",
        "d aubigne",
        "aubig",
        "Hélène",
        "DAUBIGNÉ",
    ] {
        assert_eq!(refs(&env, typed), vec![a.clone()], "« {typed} »");
    }
    for typed in [
        "legoff",
        "le goff",
        "goff",
        "jeanpierre",
        "jean pierre",
        "pierre",
        "le\u{200b}goff",
    ] {
        assert_eq!(refs(&env, typed), vec![b.clone()], "« {typed} »");
    }
    let out = env.fails(&["search", "  '- "], 2);
    assert!(out.contains("rien à chercher"), "{out}");
}

#[test]
fn every_write_keeps_the_index_current() {
    let env = Env::new();
    let r = one_person(&env, "Robin", "Lucas", "0611111111");
    env.ok(&[
        "follow-up",
        "add",
        &r,
        "--kind",
        "note",
        "--text",
        "dispositif Pithiviers",
    ]);
    assert_eq!(refs(&env, "robin lucas dispositif"), vec![r.clone()]);
    // A second follow-up keeps the first one findable.
    env.ok(&[
        "follow-up",
        "add",
        &r,
        "--kind",
        "note",
        "--text",
        "relance envoyée",
    ]);
    assert_eq!(refs(&env, "dispositif"), vec![r.clone()]);
    assert_eq!(refs(&env, "relance"), vec![r.clone()]);
    env.ok(&[
        "referral",
        "add",
        &r,
        "--partenaire",
        "cpam",
        "--note",
        "attestation manquante",
    ]);
    env.ok(&[
        "referral",
        "answer",
        &r,
        "--partenaire",
        "cpam",
        "--reponse",
        "favorable",
        "--note",
        "droits ouverts",
    ]);
    for typed in ["attestation", "droits ouverts", "pithiviers"] {
        assert_eq!(refs(&env, typed), vec![r.clone()], "« {typed} »");
    }
    env.ok(&["request", "update", &r, "--resume", "Bourse Montargis"]);
    assert_eq!(refs(&env, "montargis"), vec![r.clone()]);

    // A person's new name reaches every one of their requests.
    let mut store = Store::open(&env.db()).unwrap();
    let id = store.request_id(&r).unwrap();
    let person_id = store.request_detail(&id).unwrap().person.id;
    let old = store.person(&person_id).unwrap();
    let p = guichet::store::NewPerson {
        last_name: "Robin-Kervella".into(),
        first_name: old.first_name,
        birth_date: old.birth_date,
        phone: old.phone,
        email: old.email,
        profile: old.profile,
        profession: old.profession,
    };
    store.update_person(&person_id, None, &p).unwrap();
    drop(store);
    assert_eq!(refs(&env, "kervella"), vec![r.clone()]);
    assert_eq!(refs(&env, "robinkervella"), vec![r]);
}

#[test]
fn a_file_of_schema_1_is_reindexed_when_opened() {
    let env = Env::new();
    {
        let c = rusqlite::Connection::open(env.db()).unwrap();
        c.execute_batch(include_str!("../schema.sql")).unwrap();
        c.execute_batch(
            "PRAGMA application_id = 1196771651; PRAGMA user_version = 1;
             INSERT INTO request_type (code, label) VALUES ('bourse', 'Bourse');
             INSERT INTO person (id, last_name, first_name, phone, name_key, created_at, created_by, updated_at, updated_by)
               VALUES ('p1', 'D''Aubigné', 'Hélène', '06 12 34 56 78', 'd aubigne helene', 't', 'a', 't', 'a');
             INSERT INTO request (id, reference, person_id, type_code, status, received_on, summary, created_at, created_by, updated_at, updated_by)
               VALUES ('r1', 'A26-00001', 'p1', 'bourse', 'nouvelle', '2026-11-02', '', 't', 'a', 't', 'a');
             INSERT INTO follow_up (id, request_id, kind, occurred_on, body, created_at, created_by)
               VALUES ('f1', 'r1', 'note', '2026-11-02', 'dossier Pithiviers', 't', 'a');
             INSERT INTO search (rowid, body) VALUES (1, 'A26-00001 D''Aubigné Hélène');",
        )
        .unwrap();
    }
    // Made by hand with the umask's mode; guichet refuses a file others can read.
    std::fs::set_permissions(
        env.db(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    assert_eq!(guichet::store::APPLICATION_ID, 1196771651);
    for typed in ["daubigne", "pithiviers", "345678"] {
        assert_eq!(
            refs(&env, typed),
            vec!["A26-00001".to_string()],
            "« {typed} »"
        );
    }
}
