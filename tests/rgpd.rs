//! Personal data (RGPD): a person's export, anonymisation, retention, the access log, who acts
//! and tamper evidence — through the real binary, as a responsible person would use them.

mod common;

use common::{Env, TODAY, mode};
use guichet::store::{NewPerson, Store};
use serde_json::Value;
use std::path::Path;

/// Markers in every personal field of a person, lower case (the search index folds case).
struct Marked {
    tag: &'static str,
}

impl Marked {
    fn m(&self, field: &str) -> String {
        format!("{}{field}", self.tag)
    }
    fn phone(&self) -> &'static str {
        match self.tag {
            "pzq" => "06 91 92 93 94",
            "qzq" => "06 71 72 73 74",
            _ => "06 51 52 53 54",
        }
    }
    fn old_phone(&self) -> &'static str {
        match self.tag {
            "pzq" => "07 81 82 83 84",
            "qzq" => "07 61 62 63 64",
            _ => "07 41 42 43 44",
        }
    }
    fn birth(&self) -> &'static str {
        match self.tag {
            "pzq" => "1991-02-03",
            "qzq" => "1988-07-09",
            _ => "1985-04-05",
        }
    }
    fn email(&self) -> String {
        format!("{}courriel@exemple.fr", self.tag)
    }
    /// Every marker this person left somewhere in the file.
    fn all(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            "nom",
            "prenom",
            "profession",
            "resume",
            "ancienresume",
            "note",
            "suivi",
            "orientation",
            "courriel",
        ]
        .iter()
        .map(|f| self.m(f))
        .collect();
        v.extend(
            [self.phone(), self.old_phone(), self.birth()]
                .iter()
                .map(|s| s.to_string()),
        );
        v
    }
    /// Also the forms the file derives from them (the phone's digits in the search index).
    fn traces(&self) -> Vec<String> {
        let mut v = self.all();
        v.push(self.phone().replace(' ', ""));
        v.push(self.old_phone().replace(' ', ""));
        v
    }
}

const P: Marked = Marked { tag: "pzq" };
const Q: Marked = Marked { tag: "qzq" };

fn agent_env() -> Env {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&["agent", "add", "Élodie Martin", "--initiales", "EM"]);
    env
}

/// Records one person with a marker in every personal field, through the command line (and the
/// person form's store call for the birth date and a changed phone, as the interface does).
fn record(env: &Env, who: &Marked, date: &str) -> String {
    let reference = env
        .ok(&[
            "--agent",
            "EM",
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            &who.m("nom"),
            "--prenom",
            &who.m("prenom"),
            "--telephone",
            who.old_phone(),
            "--email",
            &who.email(),
            "--profil",
            "interne",
            "--profession",
            &who.m("profession"),
            "--canal",
            "telephone",
            "--resume",
            &who.m("ancienresume"),
            "--commentaire",
            &who.m("note"),
            "--date",
            date,
        ])
        .trim()
        .to_string();
    env.ok(&[
        "--agent",
        "EM",
        "request",
        "update",
        &reference,
        "--resume",
        &who.m("resume"),
    ]);
    env.ok(&[
        "--agent",
        "EM",
        "follow-up",
        "add",
        &reference,
        "--kind",
        "appel_sortant",
        "--text",
        &who.m("suivi"),
        "--date",
        date,
    ]);
    env.ok(&[
        "--agent",
        "EM",
        "referral",
        "add",
        &reference,
        "--partenaire",
        "cpam",
        "--note",
        &who.m("orientation"),
        "--date",
        date,
    ]);
    let mut s = Store::open(&env.db()).unwrap().with_actor("Élodie Martin");
    s.set_today(TODAY.parse().unwrap());
    let id = s.request_id(&reference).unwrap();
    let person = s.request_row(&id).unwrap();
    let p = s.person(&person.person_id).unwrap();
    s.update_person(
        &p.id,
        Some(p.version),
        &NewPerson {
            last_name: p.last_name.clone(),
            first_name: p.first_name.clone(),
            birth_date: Some(who.birth().parse().unwrap()),
            phone: who.phone().into(),
            email: p.email.clone(),
            profile: p.profile,
            profession: p.profession.clone(),
        },
    )
    .unwrap();
    reference
}

/// The access log's rows of one action, from `guichet access-log --format json`.
fn access_rows(env: &Env, action: &str) -> Vec<Value> {
    let log: Value = serde_json::from_str(&env.ok(&["access-log", "--format", "json"])).unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

/// The interface on the environment's file, as `agent`.
fn interface(env: &Env, agent: &str) -> guichet::tui::app::App {
    let mut store = Store::open(&env.db()).unwrap();
    store.set_today(TODAY.parse().unwrap());
    guichet::tui::app::App::new(
        store,
        Some(agent),
        guichet::tui::app::Display {
            no_color: true,
            utc: true,
            ..Default::default()
        },
    )
    .unwrap()
}

fn lower(b: &[u8]) -> Vec<u8> {
    b.to_ascii_lowercase()
}

fn occurrences(haystack: &[u8], needle: &str) -> usize {
    let n = needle.to_ascii_lowercase();
    let n = n.as_bytes();
    let h = lower(haystack);
    h.windows(n.len()).filter(|w| *w == n).count()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

#[test]
fn a_persons_export_holds_every_marker_of_theirs_and_none_of_anyone_else() {
    let env = agent_env();
    let p = record(&env, &P, "2026-10-05");
    let q = record(&env, &Q, "2026-10-06");
    for format in ["json", "csv"] {
        let out = env.path(&format!("p.{format}"));
        let said = env.ok(&[
            "--agent",
            "EM",
            "person",
            "export",
            &p,
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(said.contains("écrites dans"), "{said}");
        assert_eq!(mode(&out) & 0o777, 0o600, "owner-only");
        let text = read(&out);
        for m in P.all() {
            // The sheet shows the birth date as a person reads it.
            let m = match (format, m.split('-').collect::<Vec<_>>().as_slice()) {
                ("csv", [y, mo, d]) if m == P.birth() => format!("{d}/{mo}/{y}"),
                _ => m,
            };
            assert!(occurrences(&text, &m) > 0, "{format}: {m} missing");
        }
        for m in Q.all() {
            assert_eq!(occurrences(&text, &m), 0, "{format}: {m} of Q leaked");
        }
    }
    let json: Value = serde_json::from_slice(&read(&env.path("p.json"))).unwrap();
    assert_eq!(json["requests"][0]["reference"], p.as_str());
    assert_eq!(json["person"]["birth_date"], P.birth());
    // The export is in the access log, against P's request only.
    let exports = access_rows(&env, "export_personne");
    assert_eq!(exports.len(), 2, "two exports: {exports:?}");
    assert!(
        exports
            .iter()
            .all(|e| e["reference"] == p.as_str() && e["actor"] == "Élodie Martin")
    );
    assert!(
        access_rows(&env, "creation")
            .iter()
            .any(|e| e["reference"] == q.as_str()),
        "Q's own rows are there, not among the exports"
    );
}

#[test]
fn anonymising_p_leaves_no_marker_in_the_file_its_wal_or_the_log_and_the_figures_unchanged() {
    let env = agent_env();
    let p = record(&env, &P, "2026-10-05");
    let q = record(&env, &Q, "2026-10-06");
    // A rejected input holding a marker: the technical log must not keep it either.
    env.cmd()
        .env("GUICHET_LOG", "debug")
        .args([
            "--agent",
            "EM",
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            &P.m("nom"),
        ])
        .args(["--prenom", "x", "--email", "pzqcourriel@"])
        .output()
        .unwrap();
    env.ok(&[
        "--agent", "EM", "request", "update", &p, "--statut", "close", "--issue", "aboutie",
    ]);
    let figures = |env: &Env| {
        [
            env.ok(&[
                "report",
                "weekly",
                "--from",
                "2026-09-01",
                "--to",
                TODAY,
                "--format",
                "json",
            ]),
            env.ok(&[
                "report",
                "summary",
                "--from",
                "2026-09-01",
                "--to",
                TODAY,
                "--format",
                "json",
            ]),
            env.ok(&["report", "review", "--from", "2026-09-01", "--to", TODAY]),
        ]
    };
    let before = figures(&env);
    // An open request of the person is refused: close it first.
    let open = record(&env, &Marked { tag: "rzq" }, "2026-10-07");
    let err = env.fails(
        &[
            "--agent",
            "EM",
            "person",
            "anonymise",
            &open,
            "--motif",
            "demande",
        ],
        2,
    );
    assert!(
        err.contains("encore des demandes ouvertes") && err.contains("clôturez-les d'abord"),
        "{err}"
    );
    env.ok(&[
        "--agent",
        "EM",
        "request",
        "update",
        &open,
        "--statut",
        "close",
        "--issue",
        "sans_suite",
    ]);
    let before_open = figures(&env);
    assert_ne!(before, before_open);

    // A follow-up on p left unsaved when a terminal closed (kept as a draft): it goes too.
    {
        let mut s = Store::open(&env.db()).unwrap();
        let id = s.request_id(&p).unwrap();
        let draft = serde_json::json!({
            "request_id": id,
            "opened_by": "suivi",
            "title": format!("Suivi — {p}"),
            "fields": [["Texte", {"Text": P.m("brouillon")}]],
        });
        s.save_draft("EM", &draft.to_string()).unwrap();
    }
    // Another program keeps the file open during the anonymisation: the -wal stays on disk.
    let reader = rusqlite::Connection::open(env.db()).unwrap();
    reader
        .query_row("SELECT count(*) FROM request", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let said = env.ok(&[
        "--agent",
        "EM",
        "person",
        "anonymise",
        &p,
        "--motif",
        "demande de la personne du 20/11",
    ]);
    assert!(said.contains("anonymisée"), "{said}");
    assert!(!said.contains("Attention"), "the -wal was emptied: {said}");
    let wal = sibling(&env.db(), "-wal");
    // The technical log: one dated file a day (guichet.AAAA-MM-JJ.log).
    let log = std::fs::read_dir(env.dir.path().join("data/guichet"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("guichet") && n.ends_with(".log")
        })
        .expect("a log file");
    assert!(!read(&log).is_empty(), "the log was written");
    for m in P.traces().into_iter().chain([P.m("brouillon")]) {
        for f in [env.db(), wal.clone(), log.clone()] {
            assert_eq!(occurrences(&read(&f), &m), 0, "{m} left in {}", f.display());
        }
    }
    drop(reader);
    assert_eq!(figures(&env), before_open, "figures unchanged");
    // Q is intact: everything still there.
    let out = env.path("q.json");
    env.ok(&[
        "--agent",
        "EM",
        "person",
        "export",
        &q,
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = read(&out);
    for m in Q.all() {
        assert!(occurrences(&text, &m) > 0, "{m} of Q lost");
    }
    // The request keeps what the figures read; the history says who, when and why, erased
    // values excepted.
    let show: Value = serde_json::from_str(
        &env.ok(&["--agent", "EM", "request", "show", &p, "--format", "json"]),
    )
    .unwrap();
    assert_eq!(show["type"], "bourse");
    assert_eq!(show["status"], "close");
    assert_eq!(show["channel"], "telephone");
    assert_eq!(show["person"]["profile"], "interne");
    assert_eq!(show["last_name"], "[anonymisé]");
    let h = show["history"].as_array().unwrap();
    let last = h.last().unwrap();
    assert_eq!(last["field"], "anonymisation");
    assert_eq!(last["actor"], "Élodie Martin");
    assert!(
        last["new_value"]
            .as_str()
            .unwrap()
            .contains("demande de la personne")
    );
    assert!(
        h.iter()
            .any(|r| r["field"] == "summary" && r["new_value"] == "[anonymisé]")
    );
    // Search no longer finds P, still finds Q.
    let found = env.ok(&["list", "--format", "json"]);
    assert!(!found.to_lowercase().contains("pzq"));
    assert!(found.contains("qzqnom"));
    // The chains still verify; a second anonymisation is refused.
    assert!(env.ok(&["check"]).contains("Fichier intègre"));
    env.fails(
        &["--agent", "EM", "person", "anonymise", &p, "--motif", "x"],
        2,
    );
    env.fails(
        &["--agent", "EM", "person", "anonymise", &q, "--motif", " "],
        2,
    );
}

fn closed(env: &Env, nom: &str, type_: &str, received: &str, closed_on: &str) -> String {
    env.ok(&[
        "--agent",
        "EM",
        "request",
        "add",
        "--type",
        type_,
        "--nom",
        nom,
        "--prenom",
        "Jeanne",
        "--telephone",
        "06 00 00 00 01",
        "--date",
        received,
        "--statut",
        "close",
        "--issue",
        "aboutie",
        "--date-cloture",
        closed_on,
    ])
    .trim()
    .to_string()
}

/// `retention list` as JSON, and the references it lists.
fn retention_list(env: &Env) -> (Value, Vec<String>) {
    let list: Value =
        serde_json::from_str(&env.ok(&["retention", "list", "--format", "json"])).unwrap();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["reference"].as_str().unwrap().to_string())
        .collect();
    (list, listed)
}

#[test]
fn retention_apply_anonymises_exactly_what_retention_list_showed_and_the_slip_has_no_name() {
    let env = agent_env();
    let old1 = closed(&env, "Ancienne", "bourse", "2019-03-01", "2019-06-01");
    let old2 = closed(&env, "Vieux", "logement", "2020-01-10", "2021-02-01");
    // Same person as old2 (same name and phone), recent: keeps old2 too.
    closed(&env, "Recent", "logement", "2020-01-10", "2021-02-01");
    closed(&env, "Recent", "logement", "2026-01-10", "2026-02-01");
    // Closed long ago but a follow-up in 2025 is a later activity.
    let active = closed(&env, "Relancee", "creche", "2019-01-10", "2019-02-01");
    env.ok(&[
        "--agent",
        "EM",
        "follow-up",
        "add",
        &active,
        "--text",
        "nouvel appel",
        "--date",
        "2025-05-01",
    ]);
    // Still open: never proposed.
    env.ok(&[
        "--agent",
        "EM",
        "request",
        "add",
        "--type",
        "bourse",
        "--nom",
        "Ouverte",
        "--prenom",
        "Jeanne",
        "--date",
        "2018-01-01",
    ]);
    // A longer rule for one type.
    let kept = closed(
        &env,
        "Installee",
        "installation",
        "2019-03-01",
        "2019-06-01",
    );
    env.ok(&[
        "retention",
        "set",
        "--type",
        "installation",
        "--annees",
        "10",
    ]);

    let (list, listed) = retention_list(&env);
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    assert_eq!(listed, vec![old1.as_str(), old2.as_str()], "{list}");
    assert_eq!(list[0]["last_activity_on"], "2019-06-01");
    assert_eq!(
        list[0]["rule"],
        "Bourse d'études : 3 an(s) après la dernière activité"
    );
    assert!(!listed.contains(&kept.as_str()));
    let table = env.ok(&["retention", "list"]);
    assert!(table.contains("Logement : 3 an(s)"), "{table}");
    assert!(!table.contains("logement :"), "{table}");

    let slip = env.path("bordereau.csv");
    env.fails(
        &[
            "--agent",
            "EM",
            "retention",
            "apply",
            "--visa",
            " ",
            "--out",
            slip.to_str().unwrap(),
        ],
        2,
    );
    assert!(!slip.exists());
    let said = env.ok(&[
        "--agent",
        "EM",
        "retention",
        "apply",
        "--visa",
        "AD45-2026-118",
        "--out",
        slip.to_str().unwrap(),
    ]);
    assert!(said.contains("2 demande(s), 2 personne(s)"), "{said}");
    assert_eq!(mode(&slip) & 0o777, 0o600);
    let text = String::from_utf8(read(&slip)).unwrap();
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert!(
        lines[0].contains("Référence;Type;Reçue le;Close le"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(&format!("{old1};Bourse d'études;01/03/2019;01/06/2019")),
        "{text}"
    );
    assert!(lines[2].starts_with(&old2), "{text}");
    assert!(lines[1].contains("AD45-2026-118"));
    assert_eq!(lines.len(), 3);
    for name in ["Ancienne", "Vieux", "Jeanne", "06 00"] {
        assert!(!text.contains(name), "{name} in the slip");
    }
    // Exactly those were anonymised.
    let all: Value = serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    for r in all.as_array().unwrap() {
        let reference = r["reference"].as_str().unwrap();
        let erased = r["last_name"] == "[anonymisé]";
        assert_eq!(erased, listed.contains(&reference), "{r}");
    }
    assert_eq!(
        env.ok(&["retention", "list", "--format", "json"]).trim(),
        "[]",
        "nothing left due"
    );
    let history = env.ok(&["--agent", "EM", "request", "show", &old1]);
    assert!(history.contains("AD45-2026-118"), "{history}");
    assert!(env.ok(&["check"]).contains("Fichier intègre"));
}

#[test]
fn consultations_through_the_interface_and_the_command_line_are_logged_one_each() {
    use common::keys::key;
    use ratatui::crossterm::event::KeyCode;

    let env = agent_env();
    env.ok(&["agent", "add", "Karim Benali", "--initiales", "KB"]);
    let refs: Vec<String> = (0..5)
        .map(|i| {
            env.ok(&[
                "request",
                "add",
                "--type",
                "bourse",
                "--nom",
                &format!("Nom{i}"),
                "--prenom",
                "Jeanne",
            ])
            .trim()
            .to_string()
        })
        .collect();
    let before: Value = serde_json::from_str(&env.ok(&["access-log", "--format", "json"])).unwrap();
    assert_eq!(before.as_array().unwrap().len(), 5, "5 creations: {before}");
    for i in 0..13 {
        env.ok(&["--agent", "KB", "request", "show", &refs[i % 5]]);
    }
    let mut app = interface(&env, "Élodie Martin");
    app.resize(120, 40);
    // To "Toutes", wherever it is among the queues.
    for _ in 0..10 {
        if app.queue.tab == guichet::tui::app::Tab::All {
            break;
        }
        key(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.queue.tab, guichet::tui::app::Tab::All);
    for i in 0..12 {
        if i % 5 != 0 {
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Enter);
        // Changes made elsewhere reload the screen: not a new consultation.
        app.refresh().unwrap();
        key(&mut app, KeyCode::Esc);
        if i % 5 == 4 {
            key(&mut app, KeyCode::Home);
        }
    }
    drop(app);
    let consultations = access_rows(&env, "consultation");
    assert_eq!(consultations.len(), 25, "{consultations:?}");
    assert_eq!(
        consultations
            .iter()
            .filter(|e| e["actor"] == "Élodie Martin")
            .count(),
        12
    );
    assert!(
        consultations
            .iter()
            .all(|e| e["at"].as_str().unwrap().starts_with(TODAY))
    );
    // One request's readers, and the CSV for a spreadsheet.
    let one: Value =
        serde_json::from_str(&env.ok(&["access-log", "--reference", &refs[1], "--format", "json"]))
            .unwrap();
    assert!(
        one.as_array()
            .unwrap()
            .iter()
            .all(|e| e["reference"] == refs[1].as_str())
    );
    let csv = env.ok(&["access-log", "--format", "csv"]);
    assert!(
        csv.starts_with("\u{feff}Date;Agent;Action;Demande"),
        "{csv}"
    );
    // The list naming persons is an export too.
    env.ok(&["list"]);
    assert!(
        env.ok(&["access-log"])
            .contains("liste ou export nominatif")
    );
}

#[test]
fn the_access_log_is_purged_after_the_kept_period_and_still_checks() {
    let env = agent_env();
    let at = |day: &str, args: &[&str]| {
        let out = env
            .cmd()
            .env("GUICHET_TODAY", day)
            .args(args)
            .output()
            .unwrap();
        common::assert_succeeded(&out);
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let r = at(
        "2025-01-10",
        &[
            "request", "add", "--type", "bourse", "--nom", "Nom", "--prenom", "Jeanne",
        ],
    );
    at("2025-01-10", &["request", "show", &r]);
    at("2025-06-10", &["request", "show", &r]);
    at("2026-01-10", &["request", "show", &r]);
    let count = |day: &str| {
        let out = env
            .cmd()
            .env("GUICHET_TODAY", day)
            .args(["access-log", "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count("2026-01-10"), 4, "creation and 3 consultations");
    // Twelve months later the first consultation goes at the next write or consultation.
    at("2026-03-01", &["request", "show", &r]);
    let log: Value = serde_json::from_str(&env.ok(&["access-log", "--format", "json"])).unwrap();
    let dates: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["at"].as_str().unwrap()[..10])
        .collect();
    assert!(!dates.contains(&"2025-01-10"), "{dates:?}");
    assert!(dates.contains(&"2025-06-10"), "{dates:?}");
    // A shorter period, configured.
    env.ok(&["retention", "set", "--journal-mois", "1"]);
    let log: Value = serde_json::from_str(&env.ok(&["access-log", "--format", "json"])).unwrap();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| e["at"].as_str().unwrap() >= "2026-10-22"),
        "{log}"
    );
    env.fails(&["retention", "set", "--journal-mois", "0"], 2);
    assert!(env.ok(&["check"]).contains("Fichier intègre"));
}

#[test]
fn only_agents_of_the_file_act_on_the_command_line() {
    let env = Env::new();
    env.ok(&["init"]);
    let before = common::dump(&env.db(), &["request", "agent", "history"]);
    let err = env.fails(
        &[
            "--agent", "Intrus", "request", "add", "--type", "bourse", "--nom", "A", "--prenom",
            "B",
        ],
        2,
    );
    assert!(
        err.contains("« Intrus » n'est pas un agent de ce fichier"),
        "{err}"
    );
    let out = env
        .cmd()
        .env("GUICHET_AGENT", "Intrus")
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        common::dump(&env.db(), &["request", "agent", "history"]),
        before
    );
    // `agent add` makes them one; they then sign their changes by their name.
    let out = env
        .cmd()
        .env("GUICHET_AGENT", "Intrus")
        .args(["agent", "add", "Karim Benali", "--initiales", "KB"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r = env
        .ok(&[
            "--agent", "kb", "request", "add", "--type", "bourse", "--nom", "A", "--prenom", "B",
        ])
        .trim()
        .to_string();
    let show: Value = serde_json::from_str(
        &env.ok(&["--agent", "KB", "request", "show", &r, "--format", "json"]),
    )
    .unwrap();
    assert_eq!(show["created_by"], "Karim Benali");
}

#[test]
fn a_history_row_or_access_row_changed_with_another_tool_is_reported_by_check() {
    let env = agent_env();
    let r = env
        .ok(&[
            "--agent", "EM", "request", "add", "--type", "bourse", "--nom", "Nom", "--prenom", "J",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "--agent", "EM", "request", "update", &r, "--statut", "en_cours",
    ]);
    env.ok(&["--agent", "EM", "request", "show", &r]);
    assert!(env.ok(&["check"]).contains("Fichier intègre"));

    let tamper = |sql: &str| {
        let c = rusqlite::Connection::open(env.db()).unwrap();
        c.execute_batch(sql).unwrap();
    };
    let copy = env.path("copy.sqlite3");
    std::fs::copy(env.db(), &copy).unwrap();
    tamper(
        "DROP TRIGGER history_append_only_update; \
         UPDATE history SET actor = 'Quelqu''un' WHERE field = 'status';",
    );
    let err = env.fails(&["check"], 1);
    assert!(err.contains("historique : ligne"), "{err}");
    assert!(err.contains("status"), "names the row: {err}");

    // The access log: a row deleted in the middle, another at the end.
    std::fs::copy(&copy, env.db()).unwrap();
    let _ = std::fs::remove_file(sibling(&env.db(), "-wal"));
    assert!(env.ok(&["check"]).contains("Fichier intègre"));
    tamper(
        "DROP TRIGGER access_log_append_only_delete; \
         DELETE FROM access_log WHERE action = 'modification';",
    );
    let err = env.fails(&["check"], 1);
    assert!(err.contains("journal des accès : lignes"), "{err}");

    // A value changed, its hash left as it was.
    std::fs::copy(&copy, env.db()).unwrap();
    let _ = std::fs::remove_file(sibling(&env.db(), "-wal"));
    tamper(
        "DROP TRIGGER history_append_only_update; \
         UPDATE history SET new_value = 'close' WHERE field = 'status';",
    );
    let err = env.fails(&["check"], 1);
    assert!(err.contains("modifiée hors du programme"), "{err}");
}

#[test]
fn a_schema_1_file_gets_its_history_sealed_by_the_migration() {
    let env = Env::new();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema1.sqlite3"),
        env.db(),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = env.ok(&["check"]);
    assert!(out.contains("Fichier intègre"), "{out}");
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let (rows, unsealed): (i64, i64) = c
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE hash IS NULL) FROM history",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(rows > 100, "a populated history: {rows}");
    assert_eq!(unsealed, 0);
    c.execute_batch("DROP TRIGGER history_append_only_delete; DELETE FROM history WHERE seq = 50;")
        .unwrap();
    drop(c);
    let err = env.fails(&["check"], 1);
    assert!(err.contains("historique : ligne 51"), "{err}");
}

#[test]
fn the_request_screen_shows_who_consulted_it_and_exports_the_persons_data() {
    use common::keys::{key, screen_at};
    use ratatui::crossterm::event::KeyCode;

    let env = agent_env();
    env.ok(&["agent", "add", "Karim Benali", "--initiales", "KB"]);
    let p = record(&env, &P, "2026-10-05");
    record(&env, &Q, "2026-10-06");
    env.ok(&["--agent", "KB", "request", "show", &p]);
    let mut app = interface(&env, "Élodie Martin");
    app.export_dir = Some(env.path("exports"));
    app.resize(120, 40);
    let id = app.store.request_id(&p).unwrap();
    app.open_request(&id).unwrap();
    key(&mut app, KeyCode::Char('t'));
    let screen = screen_at(&app, (120, 40));
    assert!(screen.contains("Qui a consulté ce dossier"), "{screen}");
    assert!(screen.contains("Karim Benali"), "{screen}");
    assert!(screen.contains("consultation"), "{screen}");
    key(&mut app, KeyCode::Char('t'));
    assert!(screen_at(&app, (120, 40)).contains("Journal ("));

    key(&mut app, KeyCode::Char('x'));
    let file = env.path("exports").join(format!("personne-{p}.json"));
    let message = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(
        message.contains("Export de la personne") && message.contains(&*file.to_string_lossy()),
        "{message}"
    );
    assert_eq!(mode(&file) & 0o777, 0o600);
    let text = read(&file);
    for m in P.all() {
        assert!(occurrences(&text, &m) > 0, "{m} missing");
    }
    for m in Q.all() {
        assert_eq!(occurrences(&text, &m), 0, "{m} of Q leaked");
    }
    drop(app);
    let log: Value =
        serde_json::from_str(&env.ok(&["access-log", "--reference", &p, "--format", "json"]))
            .unwrap();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "export_personne" && e["actor"] == "Élodie Martin")
    );
}

#[test]
fn an_encrypted_laptop_file_hides_its_captures_and_merges_only_with_the_right_passphrase() {
    let env = agent_env();
    let laptop = env.path("salon.sqlite3");
    let with = |pass: Option<&str>, db: &Path, args: &[&str]| {
        let mut c = env.cmd();
        c.env("GUICHET_DB", db);
        match pass {
            Some(p) => c.env("GUICHET_PASSPHRASE", p),
            None => c.env_remove("GUICHET_PASSPHRASE"),
        };
        c.args(args).output().unwrap()
    };
    let out = with(
        Some("phrase du salon"),
        &env.db(),
        &[
            "salon",
            "prepare",
            "--event",
            "Forum",
            "--date",
            TODAY,
            "--out",
            laptop.to_str().unwrap(),
            "--chiffrer",
        ],
    );
    common::assert_succeeded(&out);
    let head = &read(&laptop)[..16];
    assert_ne!(head, b"SQLite format 3\0");
    assert_ne!(head, [0u8; 16], "a random salt");

    // A capture at the stand, while the interface keeps the file open (its -wal stays).
    let keep = rusqlite::Connection::open(&laptop).unwrap();
    keep.pragma_update(None, "key", "phrase du salon").unwrap();
    keep.pragma_update(None, "mmap_size", 0).unwrap();
    keep.query_row("SELECT count(*) FROM request", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let out = with(
        Some("phrase du salon"),
        &laptop,
        &[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "Lzqmarqueur",
            "--prenom",
            "Lzqprenom",
            "--telephone",
            "06 44 55 66 77",
            "--email",
            "lzq@exemple.fr",
        ],
    );
    common::assert_succeeded(&out);
    let wal = sibling(&laptop, "-wal");
    assert!(!read(&wal).is_empty(), "the capture sits in the -wal");
    for m in [
        "lzqmarqueur",
        "lzqprenom",
        "06 44 55 66 77",
        "0644556677",
        "lzq@exemple.fr",
    ] {
        for f in [&laptop, &wal] {
            assert_eq!(
                occurrences(&read(f), m),
                0,
                "{m} readable in {}",
                f.display()
            );
        }
    }

    // A wrong passphrase, or none: exit 2, both files untouched, nothing merged.
    let before = (read(&laptop), read(&wal));
    let office_before = common::dump(&env.db(), &["request", "person"]);
    let out = with(
        Some("pas la bonne phrase"),
        &env.db(),
        &["merge", laptop.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("phrase de passe incorrecte"));
    let out = with(None, &env.db(), &["merge", laptop.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GUICHET_PASSPHRASE"));
    assert_eq!((read(&laptop), read(&wal)), before);
    assert_eq!(
        common::dump(&env.db(), &["request", "person"]),
        office_before
    );

    // The right one merges.
    let out = with(
        Some("phrase du salon"),
        &env.db(),
        &["merge", laptop.to_str().unwrap()],
    );
    common::assert_succeeded(&out);
    drop(keep);
    assert!(env.ok(&["list"]).contains("Lzqmarqueur"));
}

#[test]
fn the_office_file_is_encrypted_and_decrypted_in_place_and_keeps_working() {
    let env = agent_env();
    let r = record(&env, &P, "2026-10-05");
    let with = |pass: &str, args: &[&str]| {
        env.cmd()
            .env("GUICHET_PASSPHRASE", pass)
            .args(args)
            .output()
            .unwrap()
    };
    let out = with("phrase du bureau", &["encrypt"]);
    common::assert_succeeded(&out);
    let bytes = read(&env.db());
    assert_ne!(&bytes[..16], b"SQLite format 3\0");
    for m in P.traces() {
        assert_eq!(occurrences(&bytes, &m), 0, "{m} readable");
    }
    let out = with(
        "phrase du bureau",
        &["--agent", "EM", "request", "show", &r],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("pzqnom"));
    let out = with("phrase du bureau", &["check"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Fichier intègre"));
    // A backup of an encrypted file is encrypted too.
    let copy = env.path("copie.sqlite3");
    let out = with("phrase du bureau", &["backup", copy.to_str().unwrap()]);
    common::assert_succeeded(&out);
    assert_eq!(occurrences(&read(&copy), "pzqnom"), 0);
    let before = read(&env.db());
    let out = with("mauvaise phrase", &["list"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(read(&env.db()), before, "untouched");
    assert!(!sibling(&env.db(), "-wal").exists());
    let out = with("phrase du bureau", &["decrypt"]);
    common::assert_succeeded(&out);
    assert_eq!(&read(&env.db())[..16], b"SQLite format 3\0");
    assert!(env.ok(&["list"]).contains("pzqnom"));
}

/// A request of `nom` (its own phone, so its own person) with an installation aid whose
/// commitment starts on `start`, closed on 01/06/2018.
fn with_commitment(env: &Env, nom: &str, phone: &str, start: &str) -> String {
    let r = env
        .ok(&[
            "--agent",
            "EM",
            "request",
            "add",
            "--type",
            "installation",
            "--nom",
            nom,
            "--prenom",
            "Jeanne",
            "--telephone",
            phone,
            "--date",
            "2018-01-10",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "--agent",
        "EM",
        "aid",
        "grant",
        &r,
        "--dispositif",
        "aide_installation",
        "--montant",
        "10000",
        "--date",
        "2018-02-01",
    ]);
    env.ok(&[
        "--agent",
        "EM",
        "commitment",
        "start",
        &r,
        "--date",
        start,
        "--commune",
        "Orléans",
    ]);
    r
}

fn close_on_2018_06_01(env: &Env, r: &str) {
    env.ok(&[
        "--agent",
        "EM",
        "request",
        "update",
        r,
        "--statut",
        "close",
        "--issue",
        "aboutie",
        "--date-cloture",
        "2018-06-01",
    ]);
}

#[test]
fn a_commitment_keeps_the_file_until_two_years_after_its_end_and_is_exported_with_its_payments() {
    let env = agent_env();
    // Running until 2029.
    let running = with_commitment(&env, "Encours", "06 00 00 00 11", "2024-01-01");
    // Honoured on 01/11/2026: kept until 01/11/2028.
    let ended = with_commitment(&env, "Finierecemment", "06 00 00 00 12", "2021-11-01");
    // Honoured on 01/03/2023: due since 01/03/2025.
    let old = with_commitment(&env, "Finielongtemps", "06 00 00 00 13", "2018-03-01");
    // Broken on 01/03/2019: due since 01/03/2021.
    let broken = with_commitment(&env, "Rompue", "06 00 00 00 14", "2018-03-01");
    env.ok(&[
        "--agent",
        "EM",
        "commitment",
        "break",
        &broken,
        "--date",
        "2019-03-01",
    ]);
    env.ok(&[
        "--agent",
        "EM",
        "aid",
        "pay",
        &ended,
        "--montant",
        "4000",
        "--date",
        "2022-01-15",
    ]);
    env.ok(&[
        "--agent",
        "EM",
        "commitment",
        "attest",
        &ended,
        "--date",
        "2022-11-03",
    ]);
    for r in [&running, &ended, &old, &broken] {
        close_on_2018_06_01(&env, r);
    }
    let (list, listed) = retention_list(&env);
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    assert_eq!(listed, vec![old.as_str(), broken.as_str()], "{list}");

    // The export holds the aid, its payment, the commitment and its attestation.
    let out = env.path("ended.json");
    env.ok(&[
        "--agent",
        "EM",
        "person",
        "export",
        &ended,
        "--out",
        out.to_str().unwrap(),
    ]);
    let export: Value = serde_json::from_slice(&read(&out)).unwrap();
    let related = &export["requests"][0]["related"];
    assert_eq!(related["aid"][0]["amount"], 10000, "{related}");
    assert_eq!(related["aid_payment"][0]["amount"], 4000, "{related}");
    assert_eq!(related["aid_payment"][0]["paid_on"], "2022-01-15");
    assert_eq!(related["commitment"][0]["started_on"], "2021-11-01");
    assert_eq!(related["attestation"][0]["received_on"], "2022-11-03");
    // The same rows in the sheet, under French headings, dates as read in France.
    let sheet = env.path("ended.csv");
    env.ok(&[
        "--agent",
        "EM",
        "person",
        "export",
        &ended,
        "--format",
        "csv",
        "--out",
        sheet.to_str().unwrap(),
    ]);
    let sheet = String::from_utf8(read(&sheet)).unwrap();
    for line in [
        "Demande 1 — Aide accordée 1 — Montant (€);10000\r\n",
        "Demande 1 — Versement 1 — Montant (€);4000\r\n",
        "Demande 1 — Versement 1 — Payé le;15/01/2022\r\n",
        "Demande 1 — Engagement 1 — Début;01/11/2021\r\n",
        "Demande 1 — Attestation 1 — Reçue le;03/11/2022\r\n",
    ] {
        assert!(sheet.contains(line), "{line} missing:\n{sheet}");
    }
    assert!(
        !sheet.contains("aid_id") && !sheet.contains("paid_on"),
        "{sheet}"
    );
}

#[test]
fn a_persons_sheet_is_french_and_safe_to_open_and_the_json_holds_no_raw_control() {
    let env = Env::new();
    env.ok(&["init"]);
    let comment = "a\x1b]0:titre\x07\x1b[2J\u{9b}1m fin";
    std::fs::write(
        env.path("in.csv"),
        format!(
            "date;type;nom;prenom;email;profession;commentaire\n\
             01/10/2026;logement;Dupont;Jean;j@x.fr;=2+3;{comment}\n"
        ),
    )
    .unwrap();
    env.ok(&["import", env.path("in.csv").to_str().unwrap()]);
    let r = "A26-00001";
    env.ok(&[
        "follow-up",
        "add",
        r,
        "--kind",
        "appel_sortant",
        "--date",
        "05/10/2026",
        "--text",
        "rappel",
        "--relance",
        "12/10/2026",
    ]);
    let out = env.path("e.csv");
    env.ok(&[
        "person",
        "export",
        r,
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    let bytes = read(&out);
    assert!(
        !bytes.iter().any(|b| *b == 0x1b || *b == 0x07),
        "raw control characters in the sheet: {:?}",
        String::from_utf8_lossy(&bytes)
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("\u{feff}Rubrique;Valeur\r\n"), "{text}");
    for line in [
        "Export — Date;22/11/2026 ",
        "Personne — Nom;Dupont\r\n",
        "Personne — Profession;'=2+3\r\n",
        "Demande 1 — Référence;A26-00001\r\n",
        "Demande 1 — Type;Logement\r\n",
        "Demande 1 — Statut;En cours\r\n",
        "Demande 1 — Reçue le;01/10/2026\r\n",
        "Demande 1 — Suivi 1 — Texte;a^[]0:titre^G^[[2J�1m fin\r\n",
        "Demande 1 — Suivi 2 — Type;Appel passé\r\n",
        "Demande 1 — Suivi 2 — Date;05/10/2026\r\n",
        "Demande 1 — Suivi 2 — Prochaine relance;12/10/2026\r\n",
        "Demande 1 — Historique 1 — Changement;Demande enregistrée\r\n",
        "Demande 1 — Journal des accès 1 — Action;export des données de la personne\r\n",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    assert!(
        !text.contains("requests[") && !text.contains("T09:00:00Z"),
        "{text}"
    );

    // JSON keeps its keys and the value, escaped: no raw control character either.
    let json = env.path("e.json");
    env.ok(&["person", "export", r, "--out", json.to_str().unwrap()]);
    let bytes = read(&json);
    assert!(
        !String::from_utf8_lossy(&bytes)
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n')),
        "raw control characters in the JSON"
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["requests"][0]["follow_ups"][0]["body"], comment);
}

#[test]
fn a_retention_of_0_years_is_confirmed_and_a_reversed_access_log_period_refused() {
    let env = agent_env();
    let old = closed(&env, "Recente", "bourse", "2026-01-10", "2026-02-01");
    let err = env.fails(&["retention", "set", "--annees", "0"], 2);
    assert!(err.contains("--annees 0") && err.contains("--oui"), "{err}");
    assert!(retention_list(&env).1.is_empty(), "nothing changed");
    env.ok(&["retention", "set", "--annees", "0", "--oui"]);
    assert_eq!(retention_list(&env).1, vec![old]);

    let err = env.fails(
        &["access-log", "--from", "31/12/2026", "--to", "01/01/2026"],
        2,
    );
    assert!(
        err.contains("période vide : --to (01/01/2026) est avant --from (31/12/2026)"),
        "{err}"
    );
}
