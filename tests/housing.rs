//! Housing places (issue #14) through the real binary: the register, openings, placements and
//! their capacity, the search for a free place, the import, `report housing`, the salon laptop
//! and the proposals a merge brings back.

mod common;

use common::Env;
use rusqlite::Connection;
use serde_json::Value;

fn count(env: &Env, sql: &str) -> i64 {
    Connection::open(env.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn request(env: &Env, nom: &str, prenom: &str) -> String {
    env.ok(&[
        "request", "add", "--type", "logement", "--nom", nom, "--prenom", prenom,
    ])
    .trim()
    .to_string()
}

fn place(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["housing", "add"];
    all.extend_from_slice(args);
    env.ok(&all).trim().to_string()
}

fn free_codes(env: &Env, args: &[&str]) -> Vec<String> {
    let mut all = vec!["housing", "free", "--format", "json"];
    all.extend_from_slice(args);
    let v: Value = serde_json::from_str(&env.ok(&all)).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["code"].as_str().unwrap(),
                p["free_beds"].as_i64().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_place_of_two_beds_refuses_a_third_overlapping_placement_naming_the_other_two() {
    let env = Env::new();
    let code = place(
        &env,
        &[
            "--nom",
            "Collège Jean Rostand, logement de fonction",
            "--commune",
            "Montargis",
            "--lits",
            "2",
            "--genre",
            "college",
        ],
    );
    assert_eq!(code, "LOG-0001");
    env.ok(&["housing", "open", &code, "--semestre", "hiver 2026"]);
    let a = request(&env, "Dupont", "Jean");
    let b = request(&env, "Durand", "Alice");
    let c = request(&env, "Martin", "Léa");
    let d = request(&env, "Petit", "Louis");
    env.ok(&[
        "housing",
        "place",
        &a,
        &code,
        "--du",
        "01/11/2026",
        "--au",
        "31/01/2027",
    ]);
    env.ok(&[
        "housing",
        "place",
        &b,
        &code,
        "--du",
        "2026-12-01",
        "--au",
        "2027-04-30",
    ]);
    let err = env.fails(
        &[
            "housing",
            "place",
            &c,
            &code,
            "--du",
            "15/01/2027",
            "--au",
            "28/02/2027",
        ],
        2,
    );
    assert!(err.contains("LOG-0001 est complet"), "{err}");
    assert!(
        err.contains(&format!("{a} du 01/11/2026 au 31/01/2027")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{b} du 01/12/2026 au 30/04/2027")),
        "{err}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM housing_placement"), 2);
    // After the first leaves, the bed is free again: one placement after another shares a bed.
    env.ok(&[
        "housing",
        "place",
        &c,
        &code,
        "--du",
        "01/02/2027",
        "--au",
        "30/04/2027",
    ]);
    // Full again until the end of April: only the one in the way... both are named.
    let err = env.fails(
        &[
            "housing",
            "place",
            &d,
            &code,
            "--du",
            "01/04/2027",
            "--au",
            "15/04/2027",
        ],
        2,
    );
    assert!(
        err.contains(&b) && err.contains(&c) && !err.contains(&a),
        "{err}"
    );
    // Not open for the whole period: refused, saying when it is open.
    let err = env.fails(
        &[
            "housing",
            "place",
            &d,
            &code,
            "--du",
            "01/05/2027",
            "--au",
            "31/05/2027",
        ],
        2,
    );
    assert!(
        err.contains("n'est pas ouvert") && err.contains("du 01/11/2026 au 30/04/2027"),
        "{err}"
    );
    // The placement is in the request's history and case log.
    let show = env.ok(&["request", "show", &a]);
    assert!(
        show.contains("Logement : LOG-0001 « Collège Jean Rostand, logement de fonction » à Montargis du 01/11/2026 au 31/01/2027"),
        "{show}"
    );
    let history = show.split("Historique :").nth(1).unwrap_or_default();
    assert!(history.contains(" : Logement : LOG-0001"), "{show}");
    // Only housing requests, only open ones.
    let grant = env
        .ok(&[
            "request", "add", "--type", "bourse", "--nom", "X", "--prenom", "Y",
        ])
        .trim()
        .to_string();
    let err = env.fails(
        &[
            "housing",
            "place",
            &grant,
            &code,
            "--du",
            "01/03/2027",
            "--au",
            "02/03/2027",
        ],
        2,
    );
    assert!(err.contains("n'est pas une demande de logement"), "{err}");
    assert_eq!(count(&env, "SELECT count(*) FROM housing_placement"), 3);
    // A placement cancelled frees the bed, and says so in the request's file.
    let out = env.ok(&["housing", "unplace", &b, &code]);
    assert!(out.contains("Placement annulé"), "{out}");
    env.ok(&[
        "housing",
        "place",
        &d,
        &code,
        "--du",
        "01/04/2027",
        "--au",
        "15/04/2027",
    ]);
    let show = env.ok(&["request", "show", &b]);
    assert!(
        show.contains("Logement annulé : LOG-0001 du 01/12/2026 au 30/04/2027"),
        "{show}"
    );
    let err = env.fails(&["housing", "unplace", &b, &code], 2);
    assert!(err.contains("n'est pas logée"), "{err}");
}

/// A hand-made register: which places are free for a period, by commune, near a commune,
/// by profile and rent.
#[test]
fn free_places_for_a_period_and_a_commune_are_exactly_the_expected_ones() {
    let env = Env::new();
    // LOG-0001 Gien, 2 beds, open all winter, one bed taken in January.
    let gien = place(
        &env,
        &[
            "--nom",
            "Collège Gien",
            "--commune",
            "Gien",
            "--lits",
            "2",
            "--genre",
            "college",
        ],
    );
    // LOG-0002 Gien, 1 bed, open only from February: not free for January.
    let gien2 = place(
        &env,
        &[
            "--nom",
            "Gîte des bords de Loire",
            "--commune",
            "gien",
            "--lits",
            "1",
            "--loyer",
            "250",
            "--genre",
            "tourisme",
        ],
    );
    // LOG-0003 Gien, 1 bed, open all winter but taken in January.
    let gien3 = place(
        &env,
        &[
            "--nom",
            "Studio hôpital",
            "--commune",
            "Gien",
            "--lits",
            "1",
            "--genre",
            "structure_soins",
            "--profils",
            "interne",
        ],
    );
    // LOG-0004 Poilly-lez-Gien (2 km), 3 beds, free.
    let poilly = place(
        &env,
        &[
            "--nom",
            "Mairie de Poilly",
            "--commune",
            "Poilly-lez-Gien",
            "--lits",
            "3",
            "--loyer",
            "120",
            "--genre",
            "municipal",
        ],
    );
    // LOG-0005 Montargis (about 38 km from Gien), free.
    let montargis = place(
        &env,
        &[
            "--nom",
            "Collège Montargis",
            "--commune",
            "Montargis",
            "--lits",
            "1",
            "--genre",
            "college",
        ],
    );
    // LOG-0006 Gien, withdrawn from the offer.
    let gone = place(
        &env,
        &["--nom", "Ancien studio", "--commune", "Gien", "--lits", "1"],
    );
    for code in [&gien, &gien3, &poilly, &montargis, &gone] {
        env.ok(&[
            "housing",
            "open",
            code,
            "--du",
            "01/11/2026",
            "--au",
            "30/04/2027",
        ]);
    }
    env.ok(&[
        "housing",
        "open",
        &gien2,
        "--du",
        "01/02/2027",
        "--au",
        "30/04/2027",
    ]);
    env.ok(&["housing", "disable", &gone]);
    let a = request(&env, "Dupont", "Jean");
    let b = request(&env, "Durand", "Alice");
    env.ok(&[
        "housing",
        "place",
        &a,
        &gien,
        "--du",
        "01/01/2027",
        "--au",
        "31/01/2027",
    ]);
    env.ok(&[
        "housing",
        "place",
        &b,
        &gien3,
        "--du",
        "15/12/2026",
        "--au",
        "15/01/2027",
    ]);

    let january = ["--du", "01/01/2027", "--au", "31/01/2027"];
    let mut args = january.to_vec();
    args.extend(["--commune", "Gien"]);
    assert_eq!(free_codes(&env, &args), vec!["LOG-0001:1"]);
    let march = ["--du", "01/03/2027", "--au", "31/03/2027"];
    let mut args = march.to_vec();
    args.extend(["--commune", "GIEN"]);
    assert_eq!(
        free_codes(&env, &args),
        vec!["LOG-0001:2", "LOG-0002:1", "LOG-0003:1"]
    );
    // Near Gien within 10 km: Gien and Poilly, nearest first (Gien's own places at 0 km).
    let mut args = january.to_vec();
    args.extend(["--pres-de", "Gien", "--rayon", "10"]);
    assert_eq!(free_codes(&env, &args), vec!["LOG-0001:1", "LOG-0004:3"]);
    // Within 50 km Montargis comes in, last.
    let mut args = january.to_vec();
    args.extend(["--pres-de", "Gien", "--rayon", "50"]);
    assert_eq!(
        free_codes(&env, &args),
        vec!["LOG-0001:1", "LOG-0004:3", "LOG-0005:1"]
    );
    // Rent and profile.
    let mut args = march.to_vec();
    args.extend(["--loyer-max", "200"]);
    assert_eq!(
        free_codes(&env, &args),
        vec!["LOG-0001:2", "LOG-0003:1", "LOG-0004:3", "LOG-0005:1"]
    );
    let mut args = march.to_vec();
    args.extend(["--profil", "etudiant", "--commune", "Gien"]);
    assert_eq!(free_codes(&env, &args), vec!["LOG-0001:2", "LOG-0002:1"]);
    // The contract keys.
    let v: Value = serde_json::from_str(&env.ok(&[
        "housing",
        "free",
        "--format",
        "json",
        "--du",
        "01/01/2027",
        "--au",
        "31/01/2027",
        "--commune",
        "Montargis",
    ]))
    .unwrap();
    let first = &v[0];
    for key in ["code", "name", "commune", "free_beds"] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    assert_eq!(first["name"], "Collège Montargis");
    // A commune typed wrong is named, with the closest spelling.
    let err = env.fails(
        &[
            "housing",
            "free",
            "--du",
            "01/01/2027",
            "--au",
            "31/01/2027",
            "--pres-de",
            "Montargi",
        ],
        2,
    );
    assert!(
        err.contains("--pres-de") && err.contains("Montargis"),
        "{err}"
    );
    let err = env.fails(
        &[
            "housing",
            "free",
            "--du",
            "31/01/2027",
            "--au",
            "01/01/2027",
        ],
        2,
    );
    assert!(err.contains("précède"), "{err}");
}

#[test]
fn report_housing_gives_the_hand_computed_figures() {
    let env = Env::new();
    let p1 = place(
        &env,
        &[
            "--nom",
            "Collège A",
            "--commune",
            "Orléans",
            "--lits",
            "2",
            "--genre",
            "college",
        ],
    );
    let p2 = place(
        &env,
        &[
            "--nom",
            "Gîte B",
            "--commune",
            "Briare",
            "--lits",
            "1",
            "--genre",
            "tourisme",
        ],
    );
    // Not open in the period: not offered.
    let p3 = place(
        &env,
        &["--nom", "Studio C", "--commune", "Gien", "--lits", "4"],
    );
    env.ok(&[
        "housing",
        "open",
        &p1,
        "--du",
        "01/01/2027",
        "--au",
        "28/02/2027",
    ]);
    env.ok(&[
        "housing",
        "open",
        &p2,
        "--du",
        "15/01/2027",
        "--au",
        "31/01/2027",
    ]);
    env.ok(&[
        "housing",
        "open",
        &p3,
        "--du",
        "01/06/2027",
        "--au",
        "30/06/2027",
    ]);
    let a = request(&env, "Dupont", "Jean");
    let b = request(&env, "Durand", "Alice");
    let _waiting = request(&env, "Martin", "Léa");
    env.ok(&[
        "housing",
        "place",
        &a,
        &p1,
        "--du",
        "01/01/2027",
        "--au",
        "31/01/2027",
    ]);
    env.ok(&[
        "housing",
        "place",
        &b,
        &p2,
        "--du",
        "20/01/2027",
        "--au",
        "29/01/2027",
    ]);
    let v: Value = serde_json::from_str(&env.ok(&[
        "report",
        "housing",
        "--from",
        "01/01/2027",
        "--to",
        "28/02/2027",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["places"], 2);
    assert_eq!(v["beds"], 3);
    assert_eq!(v["placements"], 2);
    assert_eq!(v["requests_placed"], 2);
    assert_eq!(v["requests_waiting"], 1);
    // Offered: Collège A 59 days x 2 beds + Gîte B 17 days x 1 bed = 135; provided 31 + 10.
    assert_eq!(v["offered_nights"], 135);
    assert_eq!(v["nights"], 41);
    assert_eq!(v["months"], 1.4);
    assert_eq!(v["occupancy"][0]["month"], "2027-01");
    assert_eq!(v["occupancy"][0]["offered_nights"], 62 + 17);
    assert_eq!(v["occupancy"][0]["occupied_nights"], 41);
    assert_eq!(v["occupancy"][1]["offered_nights"], 56);
    assert_eq!(v["occupancy"][1]["occupied_nights"], 0);
    let csv = env.ok(&[
        "report",
        "housing",
        "--from",
        "01/01/2027",
        "--to",
        "28/02/2027",
        "--format",
        "csv",
    ]);
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    assert!(csv.contains("Demandes en recherche;1"), "{csv}");
    let out = env.path("logements.xlsx");
    env.ok(&[
        "report",
        "housing",
        "--from",
        "01/01/2027",
        "--to",
        "28/02/2027",
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let sheet = wb.worksheet_range("Occupation par mois").unwrap();
    assert_eq!(sheet.get_value((1, 2)).unwrap().to_string(), "41");
    // The review (Bilan) carries the same figures.
    let md = env.ok(&[
        "report",
        "review",
        "--from",
        "01/01/2027",
        "--to",
        "28/02/2027",
        "--format",
        "md",
    ]);
    assert!(
        md.contains("Logements : 2 logement(s) proposé(s), 3 lit(s) ; 2 placement(s), 41 nuitée(s) fournie(s) (1,4 mois) ; 2 demande(s) logée(s), 1 en recherche."),
        "{md}"
    );
    let review: Value = serde_json::from_str(&env.ok(&[
        "report",
        "review",
        "--from",
        "01/01/2027",
        "--to",
        "28/02/2027",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(review["housing"]["nights"], 41);
}

#[test]
fn the_register_imports_from_a_spreadsheet_all_or_nothing_and_once() {
    let env = Env::new();
    let bad = env.path("bad.csv");
    std::fs::write(
        &bad,
        "Nom;Commune;Lits;Loyer;Genre;Du;Au\n\
         Collège Gien;Gien;2;0;collège;01/11/2026;30/04/2027\n\
         Studio;Montargi;1;;;;\n\
         Gîte;Briare;deux;300 €;gîte;;\n",
    )
    .unwrap();
    let err = env.fails(&["housing", "import", bad.to_str().unwrap()], 2);
    assert!(err.contains("rien n'a été importé"), "{err}");
    assert!(
        err.contains("ligne 3, colonne « commune » (« Montargi »)") && err.contains("Montargis"),
        "{err}"
    );
    assert!(
        err.contains("ligne 4, colonne « lits » (« deux »)"),
        "{err}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM housing_place"), 0);

    let good = env.path("good.csv");
    std::fs::write(
        &good,
        "\u{feff}Nom,Commune,Lits,Loyer,Genre,Profils,Du,Au,Latitude,Longitude\n\
         Collège Gien,Gien,2,0,collège,\"interne, etudiant\",01/11/2026,30/04/2027,,\n\
         Gîte,Briare,1,300 €,gîte,,,,,\n\
         Studio Blois,Blois,1,200,prive,,2026-11-01,2027-04-30,\"47,586\",\"1,335\"\n",
    )
    .unwrap();
    let out = env.ok(&["housing", "import", good.to_str().unwrap()]);
    assert!(
        out.contains("3 logement(s) ajouté(s), 0 déjà présent(s), 2 ouverture(s)"),
        "{out}"
    );
    let again = env.ok(&["housing", "import", good.to_str().unwrap()]);
    assert!(
        again.contains("0 logement(s) ajouté(s), 3 déjà présent(s), 0 ouverture(s)"),
        "{again}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM housing_place"), 3);
    let list = env.ok(&["housing", "list"]);
    assert!(list.contains("Interne, Étudiant"), "{list}");
    // A commune outside the Loiret with its coordinates can be searched by distance.
    assert_eq!(
        free_codes(
            &env,
            &[
                "--semestre",
                "hiver 2026",
                "--pres-de",
                "Blois",
                "--rayon",
                "5"
            ]
        ),
        vec!["LOG-0003:1"]
    );
}

/// The partners' register as a workbook: beds and rent as numbers, opening dates as date
/// cells, on the sheet named by `--feuille`; read like the CSV.
#[test]
fn the_register_imports_from_a_workbook_sheet() {
    let env = Env::new();
    let path = env.path("registre.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Notes").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Logements").unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["Nom", "Commune", "Lits", "Loyer", "Genre", "Du", "Au"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Collège Gien").unwrap();
    ws.write_string(1, 1, "Gien").unwrap();
    ws.write_number(1, 2, 2).unwrap();
    ws.write_number(1, 3, 0).unwrap();
    ws.write_string(1, 4, "collège").unwrap();
    let day = |y, m, d| rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).unwrap();
    ws.write_date_with_format(1, 5, day(2026, 11, 1), &fmt)
        .unwrap();
    ws.write_date_with_format(1, 6, day(2027, 4, 30), &fmt)
        .unwrap();
    ws.write_string(2, 0, "Gîte").unwrap();
    ws.write_string(2, 1, "Briare").unwrap();
    ws.write_number(2, 2, 1).unwrap();
    ws.write_number(2, 3, 300).unwrap();
    ws.write_string(2, 4, "gîte").unwrap();
    wb.save(&path).unwrap();

    let file = path.to_str().unwrap();
    // The first sheet holds no register: said, nothing written.
    let err = env.fails(&["housing", "import", file], 2);
    assert!(err.contains("la feuille « Notes » est vide"), "{err}");
    assert_eq!(count(&env, "SELECT count(*) FROM housing_place"), 0);
    let out = env.ok(&["housing", "import", file, "--feuille", "logements"]);
    assert!(
        out.contains("2 logement(s) ajouté(s), 0 déjà présent(s), 1 ouverture(s)"),
        "{out}"
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM housing_opening WHERE starts_on = '2026-11-01' AND ends_on = '2027-04-30'"
        ),
        1
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM housing_place WHERE beds = 1 AND rent = 300"
        ),
        1
    );
}

#[test]
fn a_laptop_carries_the_register_without_names_and_an_interest_comes_back_as_a_proposal() {
    let env = Env::new();
    let code = place(
        &env,
        &[
            "--nom",
            "Collège Montargis",
            "--commune",
            "Montargis",
            "--lits",
            "2",
            "--genre",
            "college",
        ],
    );
    env.ok(&["housing", "open", &code, "--semestre", "été 2027"]);
    let placed = env
        .ok(&[
            "request",
            "add",
            "--type",
            "logement",
            "--nom",
            "Zéphyrine",
            "--prenom",
            "Secrète",
            "--email",
            "zephyrine@exemple.fr",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "housing",
        "place",
        &placed,
        &code,
        "--du",
        "01/05/2027",
        "--au",
        "31/07/2027",
    ]);
    let laptop = env.path("salon.sqlite3");
    env.ok(&[
        "salon",
        "prepare",
        "--event",
        "Salon de l'étudiant",
        "--date",
        "14/03/2027",
        "--out",
        laptop.to_str().unwrap(),
    ]);
    // The laptop holds the register and the occupancy, and nobody's name.
    let mut bytes = std::fs::read(&laptop).unwrap();
    bytes.extend(std::fs::read(env.path("salon.sqlite3-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("Collège Montargis"),
        "the register is on the laptop"
    );
    assert!(
        !text.contains("Zéphyrine") && !text.contains("zephyrine"),
        "a placed person's data reached the laptop"
    );
    let lap = Connection::open(&laptop).unwrap();
    let (places, placements, with_request): (i64, i64, i64) = lap
        .query_row(
            "SELECT (SELECT count(*) FROM housing_place), (SELECT count(*) FROM housing_placement), \
             (SELECT count(*) FROM housing_placement WHERE request_id IS NOT NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    drop(lap);
    assert_eq!((places, placements, with_request), (1, 1, 0));
    // At the stand: the lookup sees one bed taken, the visitor is captured and their interest noted.
    let at_stand = |args: &[&str]| {
        let out = env
            .cmd()
            .env("GUICHET_DB", &laptop)
            .args(args)
            .output()
            .unwrap();
        common::assert_succeeded(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    let v: Value = serde_json::from_str(&at_stand(&[
        "housing",
        "free",
        "--semestre",
        "printemps 2027",
        "--pres-de",
        "Montargis",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v[0]["code"], code.as_str());
    assert_eq!(v[0]["free_beds"], 1);
    let visitor = at_stand(&[
        "request",
        "add",
        "--type",
        "logement",
        "--nom",
        "Visiteur",
        "--prenom",
        "Paul",
        "--statut",
        "a_qualifier",
    ])
    .trim()
    .to_string();
    at_stand(&[
        "housing",
        "propose",
        &visitor,
        &code,
        "--semestre",
        "été 2027",
        "--note",
        "stage à Amilly",
    ]);
    // Back at the office: the merge brings the interest as a proposal, once.
    let out = env.ok(&["merge", laptop.to_str().unwrap()]);
    assert!(out.contains("1 proposition(s) de logement"), "{out}");
    env.ok(&["merge", laptop.to_str().unwrap()]);
    let v: Value =
        serde_json::from_str(&env.ok(&["housing", "proposals", "--format", "json"])).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["reference"], visitor.as_str());
    assert_eq!(list[0]["note"], "stage à Amilly");
    let id = list[0]["id"].as_str().unwrap().to_string();
    let out = env.ok(&["housing", "decide", &id, "--decision", "loger"]);
    assert!(out.contains(&format!("{visitor} logée à {code}")), "{out}");
    assert_eq!(count(&env, "SELECT count(*) FROM housing_placement"), 2);
    let err = env.fails(&["housing", "decide", &id, "--decision", "refuser"], 2);
    assert!(err.contains("n'attend plus"), "{err}");
}

#[test]
fn a_schema_1_file_is_migrated_and_its_old_housing_request_can_be_placed() {
    let env = Env::new();
    std::fs::copy("tests/fixtures/schema1_housing.sqlite3", env.db()).unwrap();
    // A copy keeps the committed file's mode; guichet refuses a file others can read.
    std::fs::set_permissions(
        env.db(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let version = |env: &Env| count(env, "PRAGMA user_version");
    assert_eq!(version(&env), 1);
    let code = place(
        &env,
        &[
            "--nom",
            "Gîte",
            "--commune",
            "Sully-sur-Loire",
            "--lits",
            "1",
        ],
    );
    assert_eq!(version(&env), guichet::store::SCHEMA_VERSION);
    env.ok(&[
        "housing",
        "open",
        &code,
        "--du",
        "01/12/2026",
        "--au",
        "31/12/2026",
    ]);
    let out = env.ok(&[
        "housing",
        "place",
        "A26-00001",
        &code,
        "--du",
        "01/12/2026",
        "--au",
        "31/12/2026",
    ]);
    assert!(out.contains("A26-00001 logée à LOG-0001"), "{out}");
    let list: Value = serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    assert_eq!(list[0]["last_name"], "Ancien");
    env.ok(&["check"]);
}

#[test]
fn agents_placing_at_once_in_the_last_bed_never_overbook_it() {
    let env = Env::new();
    let code = place(
        &env,
        &["--nom", "Studio", "--commune", "Gien", "--lits", "1"],
    );
    env.ok(&["housing", "open", &code, "--semestre", "été 2027"]);
    let refs: Vec<String> = (0..6)
        .map(|i| request(&env, &format!("Candidat{i}"), "Paul"))
        .collect();
    let children: Vec<_> = refs
        .iter()
        .map(|r| {
            env.cmd()
                .args(["housing", "place", r, &code, "--semestre", "été 2027"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let placed = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(placed, 1, "exactly one agent gets the bed");
    for o in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("est complet"), "{err}");
    }
    assert_eq!(count(&env, "SELECT count(*) FROM housing_placement"), 1);
}

/// A partner calls: one bed less, a rent, a new contact. Only what is given changes, each
/// change in the place's history; never fewer beds than the placements to come hold at once;
/// a stale `--if-version` is refused without writing.
#[test]
fn a_place_is_edited_field_by_field_never_below_its_placements() {
    let env = Env::new();
    let code = place(
        &env,
        &[
            "--nom",
            "Collège Gien",
            "--commune",
            "Gien",
            "--lits",
            "3",
            "--contact",
            "Loge",
        ],
    );
    env.ok(&["housing", "open", &code, "--semestre", "été 2027"]);
    let request = |first: &str| {
        env.ok(&[
            "request", "add", "--type", "logement", "--nom", "Interne", "--prenom", first,
        ])
        .trim()
        .to_string()
    };
    let (a, b) = (request("Alice"), request("Bruno"));
    env.ok(&["housing", "place", &a, &code, "--semestre", "été 2027"]);
    env.ok(&[
        "housing",
        "place",
        &b,
        &code,
        "--du",
        "01/06/2027",
        "--au",
        "30/06/2027",
    ]);

    // Two beds are held in June: 1 is refused, naming both placements; nothing changed.
    let err = env.fails(
        &["housing", "edit", &code, "--lits", "1", "--loyer", "90"],
        2,
    );
    assert!(
        err.contains("ne peut pas passer à 1 lit(s)") && err.contains(&a) && err.contains(&b),
        "{err}"
    );
    let err = env.fails(&["housing", "edit", &code], 2);
    assert!(err.contains("rien à modifier"), "{err}");

    let out = env.ok(&[
        "housing",
        "edit",
        &code,
        "--lits",
        "2",
        "--loyer",
        "90",
        "--contact",
        "Mme Roy",
        "--if-version",
        "1",
    ]);
    assert!(out.contains("modifié (version 2)"), "{out}");
    let show: Value =
        serde_json::from_str(&env.ok(&["housing", "show", &code, "--format", "json"])).unwrap();
    assert_eq!(show["place"]["beds"], 2);
    assert_eq!(show["place"]["rent"], 90);
    assert_eq!(show["place"]["contact"], "Mme Roy");
    assert_eq!(show["place"]["name"], "Collège Gien", "untouched");

    // Read at version 1, saved after version 2: refused, nothing written.
    let err = env.fails(
        &[
            "housing",
            "edit",
            &code,
            "--loyer",
            "0",
            "--if-version",
            "1",
        ],
        1,
    );
    assert!(err.contains("a été modifiée par"), "{err}");
    assert_eq!(count(&env, "SELECT rent FROM housing_place"), 90);

    let text = env.ok(&["housing", "show", &code]);
    for line in [
        "Lits : 3 → 2",
        "Loyer (€ par mois) : 0 → 90",
        "Contact : Loge → Mme Roy",
    ] {
        assert!(text.contains(line), "{line}:\n{text}");
    }
    assert!(!text.contains("Nom :"), "the name did not change:\n{text}");
}
