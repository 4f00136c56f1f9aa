//! The command line as scripts and agents use it: outputs, exit status, messages, concurrency.

mod common;

use common::{Env, bytes};
use rusqlite::Connection;
use serde_json::Value;

fn count(env: &Env, sql: &str) -> i64 {
    Connection::open(env.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// `request add` with defaults for the required flags that `extra` does not give.
fn add(env: &Env, extra: &[&str]) -> String {
    let mut args = vec!["request", "add"];
    for (flag, default) in [
        ("--type", "bourse"),
        ("--nom", "Dupont"),
        ("--prenom", "Jean"),
    ] {
        if !extra.contains(&flag) {
            args.extend([flag, default]);
        }
    }
    args.extend_from_slice(extra);
    env.ok(&args).trim().to_string()
}

#[test]
fn request_add_prints_the_reference_and_show_gives_it_back() {
    let env = Env::new();
    env.ok(&["agent", "add", "Élodie Martin", "--role", "responsable"]);
    let reference = env.ok(&[
        "--agent",
        "Élodie Martin",
        "request",
        "add",
        "--type",
        "Bourse d'études",
        "--nom",
        "D'Aubigné",
        "--prenom",
        "Hélène",
        "--telephone",
        "+33 6 12 34 56 78",
        "--email",
        "helene@exemple.fr",
        "--profil",
        "interne",
        "--canal",
        "Téléphone",
        "--agent",
        "EM",
        "--commentaire",
        "Premier appel",
    ]);
    assert_eq!(reference, "A26-00001\n");
    let json: Value =
        serde_json::from_str(&env.ok(&["request", "show", "a26-00001", "--format", "json"]))
            .unwrap();
    assert_eq!(json["reference"], "A26-00001");
    assert_eq!(json["type"], "bourse");
    assert_eq!(json["status"], "nouvelle");
    assert_eq!(json["channel"], "telephone");
    assert_eq!(json["agent"], "Élodie Martin");
    assert_eq!(json["person"]["last_name"], "D'Aubigné");
    assert_eq!(json["follow_ups"][0]["body"], "Premier appel");
    assert_eq!(json["history"][0]["actor"], "Élodie Martin");
}

#[test]
fn bad_input_is_named_with_exit_status_2_and_nothing_is_written() {
    let env = Env::new();
    let reference = add(&env, &[]);
    let before = count(&env, "SELECT count(*) FROM history");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "request",
                "add",
                "--type",
                "bourse",
                "--nom",
                "X",
                "--prenom",
                "Y",
                "--date",
                "31/02/2024",
            ],
            "--date : date invalide : « 31/02/2024 » (le 31 février 2024 n'existe pas)",
        ),
        (
            &[
                "request", "add", "--type", "voyage", "--nom", "X", "--prenom", "Y",
            ],
            "--type : type de demande inconnu : « voyage »",
        ),
        (
            &[
                "request", "add", "--type", "bourse", "--nom", " ", "--prenom", "Y",
            ],
            "--nom : le nom est vide",
        ),
        (
            &[
                "request",
                "add",
                "--type",
                "bourse",
                "--nom",
                "X",
                "--prenom",
                "Y",
                "--telephone",
                "06 12 34",
            ],
            "--telephone : numéro de téléphone incomplet : « 06 12 34 » (10 chiffres en France)",
        ),
        (
            &[
                "request",
                "add",
                "--type",
                "bourse",
                "--nom",
                "X",
                "--prenom",
                "Y",
                "--telephone",
                "06 12 34 56 78 99",
            ],
            "--telephone : numéro de téléphone trop long",
        ),
        (
            &[
                "request", "add", "--type", "bourse", "--nom", "X", "--prenom", "Y", "--canal",
                "pigeon",
            ],
            "--canal : canal inconnu : « pigeon »",
        ),
        (
            &[
                "request", "add", "--type", "bourse", "--nom", "X", "--prenom", "Y", "--statut",
                "close",
            ],
            "--issue : une demande close doit avoir une issue",
        ),
        (
            &["request", "update", &reference, "--statut", "perdue"],
            "--statut : statut inconnu : « perdue »",
        ),
        (
            &["request", "update", &reference, "--statut", "close"],
            "une demande close doit avoir une issue",
        ),
        (
            &[
                "request",
                "update",
                &reference,
                "--statut",
                "close",
                "--issue",
                "aboutie",
                "--date-cloture",
                "01/01/2020",
            ],
            "antérieure à la date de réception",
        ),
        (
            &["request", "show", "A26-99999"],
            "demande introuvable : « A26-99999 »",
        ),
        (
            &["referral", "add", &reference, "--partenaire", "Inconnu SA"],
            "--partenaire : partenaire introuvable : « Inconnu SA »",
        ),
        (
            &["follow-up", "add", &reference, "--kind", "pigeon"],
            "--kind : type de suivi inconnu",
        ),
        (
            &["import", "csv", "/nonexistent/file.csv"],
            "/nonexistent/file.csv : fichier introuvable",
        ),
        (
            &["--db", "/nonexistent/dir/g.sqlite3", "list"],
            "le dossier /nonexistent/dir n'existe pas",
        ),
        (
            &[
                "report",
                "weekly",
                "--from",
                "2024-02-01",
                "--to",
                "2024-01-01",
            ],
            "période vide : --to (01/01/2024) est avant --from (01/02/2024)",
        ),
        (&["list", "--frobnicate"], "--frobnicate"),
    ];
    for (args, expected) in cases {
        let stderr = env.fails(args, 2);
        assert!(
            stderr.contains(expected),
            "guichet {args:?}:\n{stderr}\nexpected: {expected}"
        );
        assert!(
            stderr.lines().count() <= 8,
            "short message for {args:?}: {stderr}"
        );
    }
    assert_eq!(
        count(&env, "SELECT count(*) FROM request"),
        1,
        "nothing half-written"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM history"), before);
}

#[test]
fn list_json_has_the_contract_keys_and_csv_is_for_french_spreadsheets() {
    let env = Env::new();
    add(
        &env,
        &[
            "--telephone",
            "+33 6 12 34 56 78",
            "--email",
            "jean@exemple.fr",
        ],
    );
    add(&env, &["--nom", "=HYPERLINK(\"http://x\")"]);
    let json: Value = serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    let rows = json.as_array().expect("one array");
    assert_eq!(rows.len(), 2);
    for key in [
        "reference",
        "type",
        "status",
        "outcome",
        "channel",
        "event",
        "agent",
        "last_name",
        "first_name",
        "received_on",
        "next_follow_up_on",
        "closed_on",
    ] {
        assert!(rows[0].get(key).is_some(), "missing key {key}: {}", rows[0]);
    }
    assert_eq!(rows[0]["received_on"], "2026-11-22");
    assert_eq!(rows[0]["outcome"], Value::Null);

    let csv = env
        .cmd()
        .args(["list", "--format", "csv"])
        .output()
        .unwrap()
        .stdout;
    assert!(csv.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "Référence;Type;Statut;Issue;Canal;Événement;Agent;Nom;Prénom;Téléphone;E-mail;Reçue le;Relance le;Close le"
    );
    let first = lines.next().unwrap();
    assert!(
        first.contains(";'+33 6 12 34 56 78;"),
        "phone neutralised, still readable: {first}"
    );
    assert!(text.contains("'=HYPERLINK"), "formula neutralised: {text}");
}

#[test]
fn follow_up_and_referral_commands_move_the_case() {
    let env = Env::new();
    let r = add(&env, &[]);
    env.ok(&["agent", "add", "Karim Benali", "--initiales", "Karim"]);
    env.ok(&[
        "--agent",
        "Karim",
        "follow-up",
        "add",
        &r,
        "--kind",
        "appel_sortant",
        "--text",
        "Rappelé",
        "--relance",
        "+7",
    ]);
    env.ok(&["referral", "add", &r, "--partenaire", "cpam"]);
    let show: Value =
        serde_json::from_str(&env.ok(&["request", "show", &r, "--format", "json"])).unwrap();
    assert_eq!(show["status"], "attente_partenaire");
    assert_eq!(show["next_follow_up_on"], "2026-11-29");
    assert_eq!(show["referrals"][0]["partner_code"], "cpam");
    assert_eq!(show["referrals"][0]["expected_by"], "2026-12-22");
    env.ok(&[
        "referral",
        "answer",
        &r,
        "--partenaire",
        "CPAM du Loiret",
        "--reponse",
        "favorable",
    ]);
    let show: Value =
        serde_json::from_str(&env.ok(&["request", "show", &r, "--format", "json"])).unwrap();
    assert_eq!(show["status"], "en_cours", "no open referral left");
    assert_eq!(show["referrals"][0]["answer"], "favorable");
    env.ok(&[
        "request", "update", &r, "--statut", "close", "--issue", "Aboutie",
    ]);
    let list: Value =
        serde_json::from_str(&env.ok(&["list", "--status", "close", "--format", "json"])).unwrap();
    assert_eq!(list[0]["closed_on"], "2026-11-22");
    assert_eq!(list[0]["outcome"], "aboutie");
}

#[test]
fn two_processes_adding_2000_follow_ups_each_lose_nothing() {
    let env = Env::new();
    let r = add(&env, &[]);
    env.ok(&["agent", "add", "Paul"]);
    env.ok(&["agent", "add", "Marie"]);
    let workers: Vec<_> = ["Paul", "Marie"]
        .into_iter()
        .map(|agent| {
            let mut script = std::process::Command::new("bash");
            script
                .arg("-c")
                .arg(format!(
                    "for i in $(seq 1 2000); do \"$0\" --agent {agent} follow-up add {r} --text \"{agent} $i\" || exit 1; done"
                ))
                .arg(env!("CARGO_BIN_EXE_guichet"));
            let base = env.cmd();
            for (k, v) in base.get_envs() {
                match v {
                    Some(v) => script.env(k, v),
                    None => script.env_remove(k),
                };
            }
            script
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            script.spawn().unwrap()
        })
        .collect();
    for w in workers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "no error surfaced: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), 4000);
    assert_eq!(
        count(&env, "SELECT count(DISTINCT body) FROM follow_up"),
        4000
    );
}

#[test]
fn a_file_locked_by_another_writer_is_reported_after_waiting() {
    let env = Env::new();
    let r = add(&env, &[]);
    let holder = Connection::open(env.db()).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO meta VALUES ('lock', 'held');")
        .unwrap();
    let out = env
        .cmd()
        .env("GUICHET_BUSY_TIMEOUT_MS", "100")
        .args(["follow-up", "add", &r, "--text", "bloqué"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("occupé par un autre poste"), "{stderr}");
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), 0);
    // Released, the same command goes through.
    env.ok(&["follow-up", "add", &r, "--text", "débloqué"]);
}

#[test]
fn demo_is_deterministic_for_a_seed() {
    let a = Env::new();
    let b = Env::new();
    a.ok(&["demo", "--requests", "500", "--seed", "42"]);
    b.ok(&["demo", "--requests", "500", "--seed", "42"]);
    let dump = |env: &Env| {
        common::dump(
            &env.db(),
            &["person", "request", "follow_up", "referral", "event"],
        )
    };
    let (da, db) = (dump(&a), dump(&b));
    assert_eq!(da, db);
    // …and realistic: every status and outcome, overdue cases, accents and apostrophes.
    for status in [
        "a_qualifier",
        "nouvelle",
        "en_cours",
        "attente_demandeur",
        "attente_partenaire",
        "close",
    ] {
        assert!(
            count(
                &a,
                &format!("SELECT count(*) FROM request WHERE status = '{status}'")
            ) > 0,
            "{status}"
        );
    }
    for outcome in ["aboutie", "refusee", "sans_suite", "reorientee"] {
        assert!(
            count(
                &a,
                &format!("SELECT count(*) FROM request WHERE outcome = '{outcome}'")
            ) > 0,
            "{outcome}"
        );
    }
    assert!(
        count(
            &a,
            "SELECT count(*) FROM request WHERE status <> 'close' AND next_follow_up_on < '2026-11-22'"
        ) > 0
    );
    assert!(
        count(
            &a,
            "SELECT count(*) FROM person WHERE last_name LIKE '%''%'"
        ) > 0
    );
    assert!(
        count(
            &a,
            "SELECT count(*) FROM person WHERE first_name LIKE '%é%'"
        ) > 0
    );
    env_check(&a);
}

/// A second demo on the same file adds other requests (it used to fail on the same ids with
/// an English SQLite message), and the demo's housing register is there once, ready for the
/// *Logements* screen: places near Gien open next semester.
#[test]
fn demo_twice_adds_more_and_fills_the_housing_register_once() {
    let env = Env::new();
    let first = env.ok(&["demo", "--requests", "50"]);
    assert!(
        first.contains("50 demandes") && first.contains("14 logements"),
        "{first}"
    );
    let again = env.ok(&["demo", "--requests", "50"]);
    assert!(again.contains("0 logements"), "{again}");
    assert_eq!(count(&env, "SELECT count(*) FROM request"), 100);
    assert_eq!(count(&env, "SELECT count(*) FROM housing_place"), 14);
    let free = env.ok(&[
        "housing",
        "free",
        "--semestre",
        "été 2027",
        "--pres-de",
        "Gien",
        "--rayon",
        "15",
        "--format",
        "json",
    ]);
    let free: serde_json::Value = serde_json::from_str(&free).unwrap();
    let communes: Vec<&str> = free
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["commune"].as_str().unwrap())
        .collect();
    assert_eq!(
        communes,
        vec!["Gien", "Poilly-lez-Gien", "Briare"],
        "{free}"
    );
    env_check(&env);
}

fn env_check(env: &Env) {
    let out = env.ok(&["check"]);
    assert!(out.contains("Fichier intègre"), "{out}");
}

#[test]
fn init_is_idempotent_and_reference_lists_are_editable() {
    let env = Env::new();
    env.ok(&["init"]);
    let first = bytes(&env.db()).len();
    assert!(env.ok(&["init"]).contains("Fichier prêt"));
    assert!(first > 0);
    env.ok(&[
        "ref",
        "add-type",
        "conciergerie",
        "Conciergerie",
        "--alias",
        "aide administrative",
    ]);
    env.ok(&["ref", "disable", "types", "decouverte"]);
    let listed = env.ok(&["ref", "list", "types"]);
    let line = listed
        .lines()
        .find(|l| l.starts_with("conciergerie"))
        .expect("new type listed");
    assert!(
        line.contains("Conciergerie") && line.ends_with("oui"),
        "{line}"
    );
    let hidden = listed
        .lines()
        .find(|l| l.starts_with("decouverte"))
        .expect("kept in the list");
    assert!(hidden.ends_with("non"), "{hidden}");
    add(&env, &["--type", "Aide administrative"]);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM request WHERE type_code = 'conciergerie'"
        ),
        1
    );
    env.ok(&[
        "ref",
        "add-partner",
        "mission_locale",
        "Mission locale d'Orléans",
        "--kind",
        "emploi",
    ]);
    assert!(
        env.ok(&["ref", "list", "partenaires"])
            .contains("Mission locale d'Orléans")
    );
}

#[test]
fn closing_clears_the_follow_up_date_and_a_date_on_a_closed_request_is_refused() {
    let env = Env::new();
    let r = add(&env, &["--relance", "30/11/2026"]);
    assert_eq!(
        env.ok(&[
            "follow-up",
            "add",
            &r,
            "--kind",
            "appel_sortant",
            "--text",
            "Rappelée",
            "--relance",
            "+7"
        ]),
        format!("{r} : suivi ajouté, relance le 29/11/2026\n")
    );
    env.ok(&[
        "request", "update", &r, "--statut", "close", "--issue", "aboutie",
    ]);
    let json = |env: &Env| -> Value {
        serde_json::from_str(&env.ok(&["request", "show", &r, "--format", "json"])).unwrap()
    };
    let closed = json(&env);
    assert_eq!(
        closed["next_follow_up_on"],
        Value::Null,
        "closing cleared the date"
    );
    let shown = env.ok(&["request", "show", &r]);
    assert!(shown.contains("Relance du 29/11/2026 retirée"), "{shown}");
    let csv = env.ok(&["list", "--format", "csv"]);
    assert!(
        !csv.contains("2026-11-29") && !csv.contains("29/11/2026"),
        "{csv}"
    );

    // No new date on a closed request, by either command; a call after closing is still logged.
    let refused = "--relance : une demande close n'a pas de relance (le 02/12/2026) : seule une demande ouverte se relance";
    let err = env.fails(
        &[
            "follow-up",
            "add",
            &r,
            "--kind",
            "appel_entrant",
            "--text",
            "Merci",
            "--relance",
            "02/12/2026",
        ],
        2,
    );
    assert!(err.contains(refused), "{err}");
    let err = env.fails(&["request", "update", &r, "--relance", "02/12/2026"], 2);
    assert!(err.contains(refused), "{err}");
    assert_eq!(json(&env), closed, "nothing written");
    assert_eq!(
        env.ok(&[
            "follow-up",
            "add",
            &r,
            "--kind",
            "appel_entrant",
            "--text",
            "Merci"
        ]),
        format!("{r} : suivi ajouté\n")
    );
    // Reopened, it takes a date again.
    env.ok(&[
        "request",
        "update",
        &r,
        "--statut",
        "en_cours",
        "--relance",
        "02/12/2026",
    ]);
    assert_eq!(json(&env)["next_follow_up_on"], "2026-12-02");
    let err = env.fails(
        &[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "X",
            "--prenom",
            "Y",
            "--statut",
            "close",
            "--issue",
            "aboutie",
            "--date-cloture",
            "22/11/2026",
            "--relance",
            "30/11/2026",
        ],
        2,
    );
    assert!(
        err.contains("--relance : une demande close n'a pas de relance"),
        "{err}"
    );
}

#[test]
fn a_follow_up_with_a_stale_version_is_refused_naming_the_colleague() {
    let env = Env::new();
    env.ok(&["agent", "add", "Paul Martin"]);
    let r = add(&env, &[]);
    env.ok(&[
        "--agent",
        "Paul Martin",
        "request",
        "update",
        &r,
        "--relance",
        "05/12/2026",
    ]);
    let before = count(&env, "SELECT count(*) FROM follow_up");
    let err = env.fails(
        &[
            "follow-up",
            "add",
            &r,
            "--text",
            "Rappel",
            "--relance",
            "+3",
            "--if-version",
            "1",
        ],
        1,
    );
    assert!(
        err.contains("a été modifiée par Paul Martin") && err.contains("rien n'a été écrasé"),
        "{err}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM follow_up"), before);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM request WHERE next_follow_up_on = '2026-12-05'"
        ),
        1,
        "the colleague's date is kept"
    );
    assert_eq!(
        env.ok(&[
            "follow-up",
            "add",
            &r,
            "--text",
            "Rappel",
            "--relance",
            "+3",
            "--if-version",
            "2"
        ]),
        format!("{r} : suivi ajouté, relance le 25/11/2026\n")
    );
}

#[test]
fn the_history_names_types_and_channels_by_their_labels() {
    let env = Env::new();
    let r = add(&env, &["--canal", "telephone"]);
    env.ok(&[
        "request", "update", &r, "--type", "creche", "--canal", "email",
    ]);
    let shown = env.ok(&["request", "show", &r]);
    assert!(
        shown.contains("Type : Bourse d'études → Crèche")
            && shown.contains("Canal : Téléphone → E-mail"),
        "{shown}"
    );
    // JSON keeps the codes (the contract for scripts).
    let json: Value =
        serde_json::from_str(&env.ok(&["request", "show", &r, "--format", "json"])).unwrap();
    let types: Vec<&Value> = json["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["field"] == "type")
        .collect();
    assert_eq!(types[0]["new_value"], "creche");
}

#[test]
fn an_update_that_changes_nothing_says_so() {
    let env = Env::new();
    let r = add(&env, &[]);
    assert_eq!(
        env.ok(&["request", "update", &r, "--relance", "aucune"]),
        format!("{r} inchangée : elle avait déjà ces valeurs (version 1)\n")
    );
    assert_eq!(
        env.ok(&["request", "update", &r, "--relance", "30/11/2026"]),
        format!("{r} modifiée (version 2)\n")
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM history WHERE field = 'next_follow_up_on'"
        ),
        1
    );
}

#[test]
fn an_export_to_a_missing_folder_names_the_path_typed_and_its_folder() {
    let env = Env::new();
    env.ok(&["init"]);
    let out = env.path("cle-usb").join("x.json");
    let err = env.fails(
        &["list", "--format", "json", "--out", out.to_str().unwrap()],
        2,
    );
    assert!(
        err.contains(&format!(
            "{} : le dossier {} n'existe pas (créez-le d'abord : mkdir -p {})",
            out.display(),
            env.path("cle-usb").display(),
            env.path("cle-usb").display()
        )) && !err.contains("guichet-tmp"),
        "{err}"
    );
    let err = env.fails(
        &[
            "list",
            "--format",
            "csv",
            "--out",
            env.dir.path().to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("c'est un dossier"), "{err}");
    assert!(!env.path("cle-usb").exists());
}
