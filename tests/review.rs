//! The review as a team lead reads it (issue #8, item 6), on requests entered through the
//! command line, against figures computed by hand. Today is Sunday 22/11/2026 (end of
//! 2026-W47), so November 2026 is a month in progress, counted up to the 22nd.
//!
//! | # | type         | received   | closed              | case log                        |
//! |---|--------------|------------|---------------------|---------------------------------|
//! | A | bourse       | 03/11/2026 | 10/11/2026 aboutie  |                                 |
//! | B | bourse       | 05/11/2026 | 20/11/2026 refusee  |                                 |
//! | C | bourse       | 16/11/2026 | open                | call 17/11/2026                 |
//! | D | installation | 18/11/2026 | 21/11/2026 aboutie  |                                 |
//! | E | logement     | 20/11/2026 | open                | a note 21/11/2026 (not contact) |
//! | F | bourse       | 02/10/2026 | open                | e-mail 12/11/2026               |
//! | G | logement     | 15/10/2026 | open                |                                 |
//! | H | logement     | 25/10/2026 | open                |                                 |
//! | I | bourse       | 10/10/2026 | 20/10/2026 aboutie  |                                 |
//! | J | bourse       | 10/11/2025 | 15/11/2025 aboutie  |                                 |
//! | K | installation | 25/11/2025 | open                |                                 |
//! | L | autre        | 01/09/2026 | open                | meeting 19/11/2026              |

mod common;

use common::Env;
use serde_json::{Value, json};

fn add(
    env: &Env,
    type_code: &str,
    name: &str,
    received: &str,
    closed: Option<(&str, &str)>,
) -> String {
    let mut args = vec![
        "request", "add", "--type", type_code, "--nom", name, "--prenom", "Test", "--date",
        received,
    ];
    if let Some((on, outcome)) = closed {
        args.extend([
            "--statut",
            "close",
            "--issue",
            outcome,
            "--date-cloture",
            on,
        ]);
    }
    env.ok(&args).trim().to_string()
}

/// The file of the table above; returns the references A to L.
fn build(env: &Env) -> Vec<String> {
    env.ok(&["init"]);
    let a = add(
        env,
        "bourse",
        "Alpha",
        "03/11/2026",
        Some(("10/11/2026", "aboutie")),
    );
    let b = add(
        env,
        "bourse",
        "Bravo",
        "05/11/2026",
        Some(("20/11/2026", "refusee")),
    );
    let c = add(env, "bourse", "Charlie", "16/11/2026", None);
    env.log(&c, "appel_sortant", "17/11/2026");
    let d = add(
        env,
        "installation",
        "Delta",
        "18/11/2026",
        Some(("21/11/2026", "aboutie")),
    );
    let e = add(env, "logement", "Echo", "20/11/2026", None);
    env.log(&e, "note", "21/11/2026");
    let f = add(env, "bourse", "Foxtrot", "02/10/2026", None);
    env.log(&f, "email_envoye", "12/11/2026");
    let g = add(env, "logement", "Golf", "15/10/2026", None);
    let h = add(env, "logement", "Hotel", "25/10/2026", None);
    let i = add(
        env,
        "bourse",
        "India",
        "10/10/2026",
        Some(("20/10/2026", "aboutie")),
    );
    let j = add(
        env,
        "bourse",
        "Juliet",
        "10/11/2025",
        Some(("15/11/2025", "aboutie")),
    );
    let k = add(env, "installation", "Kilo", "25/11/2025", None);
    let l = add(env, "autre", "Lima", "01/09/2026", None);
    env.log(&l, "rendez_vous", "19/11/2026");
    vec![a, b, c, d, e, f, g, h, i, j, k, l]
}

fn review_json(env: &Env, from: &str, to: &str) -> Value {
    let out = env.ok(&[
        "report", "review", "--from", from, "--to", to, "--format", "json",
    ]);
    serde_json::from_str(&out).unwrap()
}

fn type_row<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {r}"))
}

/// November to date (1–22) against 1–22 October and 1–22 November 2025:
/// - received: A B C D E = 5 (bourse 3, installation 1, logement 1); October 1–22: F G I = 3
///   (H came on the 25th); November 2025 1–22: J = 1 (K came on the 25th);
/// - closed: A B D = 3 (bourse 2: 1 aboutie 1 refusée; installation 1 aboutie); October 1–22:
///   I; November 2025: J;
/// - treated: contacts C (17/11), F (12/11), L (19/11) and closings A B D = 6 (E's note is
///   not a contact);
/// - trend: the 12 weeks ending with 2026-W47 (16–22/11), the week of today — not November's
///   last week: bourse F in W40, I in W41, A and B in W45, C in W47.
#[test]
fn a_month_in_progress_is_compared_like_for_like_and_says_what_it_counts() {
    let env = Env::new();
    build(&env);
    let r = review_json(&env, "01/11/2026", "30/11/2026");
    assert_eq!(r["period"]["kind"], "month");
    assert_eq!(r["through"], "2026-11-22");
    assert_eq!(
        (&r["previous"]["from"], &r["previous"]["to"]),
        (&json!("2026-10-01"), &json!("2026-10-22"))
    );
    assert_eq!(
        (&r["last_year"]["from"], &r["last_year"]["to"]),
        (&json!("2025-11-01"), &json!("2025-11-22"))
    );
    assert_eq!(
        (&r["received"], &r["closed"], &r["treated"]),
        (&json!(5), &json!(3), &json!(6))
    );
    let bourse = type_row(&r, "bourse");
    let figures = |t: &Value| {
        [
            "received",
            "previous_received",
            "last_year_received",
            "closed",
            "previous_closed",
            "last_year_closed",
        ]
        .map(|k| t[k].as_i64().unwrap())
    };
    assert_eq!(figures(bourse), [3, 2, 1, 2, 1, 1]);
    assert_eq!(figures(type_row(&r, "installation")), [1, 0, 0, 1, 0, 0]);
    assert_eq!(figures(type_row(&r, "logement")), [1, 1, 0, 0, 0, 0]);
    assert_eq!(
        bourse["outcomes"],
        json!({"aboutie": 1, "refusee": 1, "sans_suite": 0, "reorientee": 0})
    );
    assert_eq!(type_row(&r, "installation")["outcomes"]["aboutie"], 1);
    assert_eq!(bourse["trend"], json!([0, 0, 0, 0, 1, 1, 0, 0, 0, 2, 0, 1]));
    let sentence = "Depuis le 01/11/2026, 5 demandes reçues, dont 3 bourses d'études et 1 aide à l'installation ; 6 traitées (contact ou clôture) ; 0 événement.";
    assert_eq!(r["headline"], sentence);

    // The same sentence and comparisons in the e-mail text.
    let md = env.ok(&[
        "report",
        "review",
        "--from",
        "01/11/2026",
        "--to",
        "30/11/2026",
        "--format",
        "md",
    ]);
    assert!(md.contains(sentence), "{md}");
    assert!(
        md.contains("Période en cours, comptée jusqu'au 22/11/2026."),
        "{md}"
    );
    assert!(
        md.contains("- Demandes reçues : **5** (+2 par rapport à la période précédente, du 01/10/2026 au 22/10/2026 ; +4 par rapport à la même période l'an dernier, du 01/11/2025 au 22/11/2025), closes : **3**, traitées (contact ou clôture) : **6**"),
        "{md}"
    );
    assert!(
        md.contains("- Bourse d'études : 3 reçue(s), 2 close(s) (1 aboutie, 1 refusée)"),
        "{md}"
    );

    // A finished month is compared with the whole previous one.
    let oct = review_json(&env, "01/10/2026", "31/10/2026");
    assert_eq!(oct["through"], "2026-10-31");
    assert_eq!(
        (&oct["previous"]["from"], &oct["previous"]["to"]),
        (&json!("2026-09-01"), &json!("2026-09-30"))
    );
    assert_eq!(oct["received"], 4, "F G H I");
}

/// Time to close in October: two requests received 01/09, closed 22/10 and 23/10: 51 and 52
/// days, median 51.5 — shown "51,5" everywhere, the number 51.5 in JSON and the workbook.
#[test]
fn one_rounding_rule_in_every_format() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let env = Env::new();
    env.ok(&["init"]);
    add(
        &env,
        "bourse",
        "Un",
        "01/09/2026",
        Some(("22/10/2026", "aboutie")),
    );
    add(
        &env,
        "bourse",
        "Deux",
        "01/09/2026",
        Some(("23/10/2026", "refusee")),
    );
    let args = |format: &'static str| {
        vec![
            "report",
            "review",
            "--from",
            "01/10/2026",
            "--to",
            "31/10/2026",
            "--format",
            format,
        ]
    };
    let r: Value = serde_json::from_str(&env.ok(&args("json"))).unwrap();
    assert_eq!(r["time_to_close"]["median_days"], 51.5);
    let md = env.ok(&args("md"));
    assert!(
        md.contains("clôture : médiane 51,5 j, 90 % sous 52 j."),
        "{md}"
    );
    let csv = env.ok(&args("csv"));
    assert!(csv.contains("Clôture, médiane (jours);51,5\r\n"), "{csv}");
    let table = env.ok(&args("table"));
    assert!(table.contains("51,5"), "{table}");
    let path = env.path("bilan.xlsx");
    let mut xlsx = args("xlsx");
    xlsx.extend(["--out", path.to_str().unwrap()]);
    env.ok(&xlsx);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let synthese = wb.worksheet_range("Synthèse").unwrap();
    let row = synthese
        .rows()
        .find(|r| r[0] == Data::String("Clôture, médiane (jours)".into()))
        .expect("the median's row");
    assert_eq!(row[1], Data::Float(51.5));
    // And on the Bilan screen.
    env.ok(&["agent", "add", "Claire Martin"]);
    let mut store = guichet::store::Store::open(&env.db()).unwrap();
    store.set_today(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    let mut app =
        guichet::tui::app::App::new(store, Some("Claire Martin"), Default::default()).unwrap();
    app.review_period = Some(guichet::review::Period::containing(
        guichet::review::PeriodKind::Month,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
    ));
    app.open_review().unwrap();
    let screen = common::keys::screen_at(&app, (120, 40));
    assert!(
        screen.contains("Clôture : médiane 51,5 j, 90 % sous 52 j"),
        "{screen}"
    );
}

/// The workbook a lead sends: the comparison periods' dates, total rows, outcomes by type and
/// the weekly series.
#[test]
fn the_workbook_has_totals_comparison_dates_outcomes_by_type_and_the_weeks() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let env = Env::new();
    build(&env);
    let path = env.path("novembre.xlsx");
    env.ok(&[
        "report",
        "review",
        "--from",
        "01/11/2026",
        "--to",
        "30/11/2026",
        "--format",
        "xlsx",
        "--out",
        path.to_str().unwrap(),
    ]);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let synthese = wb.worksheet_range("Synthèse").unwrap();
    let value = |label: &str| {
        synthese
            .rows()
            .find(|r| r[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("{label}"))[1]
            .clone()
    };
    let date = |d: Data| match d {
        // An Excel date: days since 30/12/1899.
        Data::DateTime(dt) => (chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
            + chrono::Days::new(dt.as_f64() as u64))
        .to_string(),
        other => panic!("a date, got {other:?}"),
    };
    assert_eq!(date(value("Compté jusqu'au")), "2026-11-22");
    assert_eq!(
        date(value("Comparé à : période précédente, du")),
        "2026-10-01"
    );
    assert_eq!(
        date(value("Comparé à : période précédente, au")),
        "2026-10-22"
    );
    assert_eq!(
        date(value("Comparé à : même période l'an dernier, du")),
        "2025-11-01"
    );
    assert_eq!(
        date(value("Comparé à : même période l'an dernier, au")),
        "2025-11-22"
    );
    assert_eq!(
        value("Demandes traitées (contact ou clôture)"),
        Data::Float(6.0)
    );

    let types = wb.worksheet_range("Par type").unwrap();
    let last = types.rows().next_back().unwrap().to_vec();
    assert_eq!(last[0], Data::String("Total".into()));
    // Reçues, préc., l'an dernier, closes, préc., l'an dernier, ouvertes (A…L: 7 open).
    assert_eq!(
        last[1..].to_vec(),
        [5.0, 3.0, 1.0, 3.0, 1.0, 1.0, 7.0]
            .map(Data::Float)
            .to_vec()
    );
    let outcomes = wb.worksheet_range("Issues par type").unwrap();
    let rows: Vec<Vec<Data>> = outcomes.rows().map(<[Data]>::to_vec).collect();
    let s = |t: &str| Data::String(t.into());
    let n = Data::Float;
    assert_eq!(
        rows,
        [
            vec![
                s("Type"),
                s("Aboutie"),
                s("Refusée"),
                s("Sans suite"),
                s("Réorientée"),
                s("Closes")
            ],
            vec![s("Bourse d'études"), n(1.0), n(1.0), n(0.0), n(0.0), n(2.0)],
            vec![
                s("Aide à l'installation"),
                n(1.0),
                n(0.0),
                n(0.0),
                n(0.0),
                n(1.0)
            ],
            vec![s("Total"), n(2.0), n(1.0), n(0.0), n(0.0), n(3.0)],
        ]
    );
    // The weekly series: the 12 weeks ending with this week (W36 to W47), every type in use.
    let weeks = wb.worksheet_range("Par semaine").unwrap();
    let bourse: Vec<(String, f64)> = weeks
        .rows()
        .filter(|r| r[2] == s("Bourse d'études"))
        .map(|r| {
            (
                r[0].to_string(),
                match r[3] {
                    Data::Float(x) => x,
                    ref other => panic!("{other:?}"),
                },
            )
        })
        .collect();
    assert_eq!(bourse.len(), 12);
    assert_eq!(bourse[0].0, "2026-W36");
    assert_eq!(bourse[11], ("2026-W47".to_string(), 1.0));
    assert_eq!(bourse[9], ("2026-W45".to_string(), 2.0));
}

#[test]
fn backlog_is_todays_load_with_or_without_dates() {
    let env = Env::new();
    build(&env);
    let now = env.ok(&["report", "backlog", "--format", "json"]);
    let rows: Value = serde_json::from_str(&now).unwrap();
    // Open today: C E F G H K L, none assigned, none with a follow-up date.
    assert_eq!(rows, json!([{"agent": null, "open": 7, "overdue": 0}]));
    // Scripts that pass dates keep working: the same figures, and a note on stderr.
    let out = env.run(&[
        "report",
        "backlog",
        "--from",
        "01/01/2020",
        "--to",
        "31/01/2020",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), now);
    let note = String::from_utf8(out.stderr).unwrap();
    assert!(note.contains("--from et --to sont ignorés"), "{note}");
    assert!(note.contains("22/11/2026"), "{note}");
    // A date that is not one is still a usage error.
    let err = env.fails(&["report", "backlog", "--from", "32/13/2020"], 2);
    assert!(err.contains("from"), "{err}");
    // The table ends with a total.
    let table = env.ok(&["report", "backlog"]);
    assert!(
        table.lines().last().unwrap().starts_with("Total"),
        "{table}"
    );
}

#[test]
fn list_filters_on_outcome_and_closing_dates() {
    let env = Env::new();
    let refs = build(&env);
    let list = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--format", "json"];
        all.extend(args);
        let v: Value = serde_json::from_str(&env.ok(&all)).unwrap();
        let mut refs: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reference"].as_str().unwrap().to_string())
            .collect();
        refs.sort();
        refs
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let (a, b, d, i, j) = (&refs[0], &refs[1], &refs[3], &refs[8], &refs[9]);
    // Granted in November 2026: A (bourse) and D (installation).
    assert_eq!(
        list(&[
            "--issue",
            "aboutie",
            "--cloturee-du",
            "01/11/2026",
            "--cloturee-au",
            "22/11/2026"
        ]),
        sorted(vec![a.clone(), d.clone()])
    );
    // Grants granted, ever: A, I, J; the English names work too.
    assert_eq!(
        list(&["--type", "bourse", "--outcome", "aboutie"]),
        sorted(vec![a.clone(), i.clone(), j.clone()])
    );
    assert_eq!(
        list(&["--closed-from", "20/11/2026"]),
        sorted(vec![b.clone(), d.clone()])
    );
    let err = env.fails(&["list", "--issue", "gagnée"], 2);
    assert!(err.contains("issue"), "{err}");
}

/// The Bilan tab on the same file: `p` from the last complete week gives November to date,
/// said so, compared with 1–22 October and 1–22 November 2025, the outcomes by type below.
#[test]
fn the_bilan_tab_shows_a_month_to_date_against_the_same_days() {
    use common::keys::{key, screen_at};
    use guichet::tui::app::{App, Display, Screen};
    use ratatui::crossterm::event::KeyCode;
    let env = Env::new();
    build(&env);
    env.ok(&["agent", "add", "Claire Martin"]);
    let mut store = guichet::store::Store::open(&env.db()).unwrap();
    store.set_today(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    let mut app = App::new(
        store,
        Some("Claire Martin"),
        Display {
            no_color: false,
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.resize(120, 40);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Char('p'));
    let Screen::Review(v) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(v.review.period.label(), "novembre 2026");
    let screen = screen_at(&app, (120, 40));
    assert!(
        screen.contains("Bilan : novembre 2026 ▶  en cours, compté jusqu'au 22/11/2026"),
        "{screen}"
    );
    assert!(
        screen
            .contains("comparé à : du 01/10 au 22/10/2026 (préc.) · du 01/11 au 22/11/2025 (N-1)"),
        "{screen}"
    );
    insta::assert_snapshot!("bilan_month_to_date_120x40", screen);
    insta::assert_snapshot!("bilan_month_to_date_80x24", screen_at(&app, (80, 24)));
}

/// The Bilan is computed once per state of the file: coming back to the tab shows the same
/// figures without reading the file again, and a request recorded meanwhile — by a colleague
/// (another connection) or from this interface's own connection — shows at once.
#[test]
fn the_bilan_tab_follows_every_change_of_the_file() {
    use common::keys::key;
    use guichet::tui::app::{App, Display, Screen};
    use ratatui::crossterm::event::KeyCode;
    let env = Env::new();
    build(&env);
    env.ok(&["agent", "add", "Claire Martin"]);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut store = guichet::store::Store::open(&env.db()).unwrap();
    store.set_today(today);
    let mut app = App::new(store, Some("Claire Martin"), Display::default()).unwrap();
    let received = |app: &App| match &app.screen {
        Screen::Review(v) => v.review.received,
        other => panic!("{other:?}"),
    };
    // The last complete week, 09–15/11/2026: nothing received (A and B came the week before).
    key(&mut app, KeyCode::BackTab);
    assert_eq!(received(&app), 0);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(received(&app), 0);
    // A colleague records a request received on 10/11.
    add(&env, "crèche", "Mike", "10/11/2026", None);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(received(&app), 1);
    // This connection records one: the same.
    let mut r = guichet::store::NewRequest::new(
        guichet::store::NewPerson {
            last_name: "November".into(),
            first_name: "Test".into(),
            ..Default::default()
        },
        "creche",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 12).unwrap(),
    );
    r.channel_code = None;
    app.store.create_request(&r).unwrap();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(received(&app), 2);
}
