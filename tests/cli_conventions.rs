//! The conventions of a well-made command-line tool, in French: usage errors and help without
//! clap's English boilerplate, shell completions, a man page.

mod common;

use common::Env;

/// Words of clap's English templates and messages that must never reach an agent.
const ENGLISH: [&str; 12] = [
    "error:",
    "Usage:",
    "Print help",
    "Print version",
    "unexpected argument",
    "possible values",
    "[default:",
    "[env:",
    "Commands:",
    "Options:",
    "Arguments:",
    "For more information",
];

fn assert_french(text: &str) {
    for english in ENGLISH {
        assert!(!text.contains(english), "« {english} » in:\n{text}");
    }
}

#[test]
fn an_unknown_option_is_explained_in_french_with_exit_2() {
    let env = Env::new();
    let err = env.fails(&["request", "add", "--typo"], 2);
    assert_french(&err);
    assert!(err.contains("option inconnue : « --typo »"), "{err}");
    assert!(err.contains("vouliez-vous dire « --type » ?"), "{err}");
    assert!(err.contains("Utilisation : guichet request add"), "{err}");
    assert!(err.contains("guichet request add --help"), "{err}");
    // Nothing was created by a usage error.
    assert!(!env.db().exists());
}

#[test]
fn other_usage_errors_are_french() {
    let env = Env::new();
    let err = env.fails(&["request", "add", "--type", "logement"], 2);
    assert_french(&err);
    assert!(err.contains("manquant"), "{err}");
    assert!(err.contains("--nom"), "{err}");

    let err = env.fails(&["list", "--format", "pdf"], 2);
    assert_french(&err);
    assert!(
        err.contains("valeur « pdf » invalide pour --format"),
        "{err}"
    );
    assert!(err.contains("valeurs possibles : "), "{err}");
    assert!(err.contains("json"), "{err}");

    let err = env.fails(&["requst"], 2);
    assert_french(&err);
    assert!(err.contains("commande inconnue : « requst »"), "{err}");
    assert!(err.contains("« request »"), "{err}");

    let err = env.fails(&["demo", "--requests", "beaucoup"], 2);
    assert_french(&err);
    assert!(err.contains("nombre entier attendu"), "{err}");

    // A group without its subcommand names them, exit 2.
    let err = env.fails(&["request"], 2);
    assert_french(&err);
    assert!(
        err.contains("« guichet request » attend une commande : add, update, show"),
        "{err}"
    );
}

#[test]
fn usage_hints_are_ones_that_work() {
    let env = Env::new();
    env.ok(&["init"]);
    // A value that starts with "-": the hint is the form that works, and it does.
    let err = env.fails(
        &[
            "request",
            "add",
            "--type",
            "logement",
            "--nom",
            "Dupont",
            "--prenom",
            "Jean",
            "--commentaire",
            "-2+3",
        ],
        2,
    );
    assert_french(&err);
    assert!(err.contains("écrivez « --commentaire=-2+3 »"), "{err}");
    assert!(!err.contains("« -- -2+3 »"), "{err}");
    let reference = env.ok(&[
        "request",
        "add",
        "--type",
        "logement",
        "--nom",
        "Dupont",
        "--prenom",
        "Jean",
        "--commentaire=-2+3",
    ]);
    let shown = env.ok(&["request", "show", reference.trim()]);
    assert!(shown.contains("-2+3"), "{shown}");

    // A search of several words just works.
    let found = env.ok(&["search", "dupont", "jean", "--format", "json"]);
    assert!(found.contains(reference.trim()), "{found}");
    // A word too many elsewhere is named as such.
    let err = env.fails(&["list", "dupont"], 2);
    assert_french(&err);
    assert!(err.contains("mot en trop : « dupont »"), "{err}");
    assert!(!err.contains("option inconnue"), "{err}");

    // A command of guichet typed under another is pointed to.
    let err = env.fails(&["salon", "merge", "portable.sqlite3"], 2);
    assert_french(&err);
    assert!(err.contains("commande inconnue : « merge »"), "{err}");
    assert!(err.contains("« guichet merge »"), "{err}");

    // Options a command does not require are in brackets in the usage line, also when the
    // environment gives them (GUICHET_DB is set by the tests).
    let err = env.fails(&["request", "add", "--type", "logement"], 2);
    let usage = err
        .lines()
        .find(|l| l.starts_with("Utilisation : "))
        .expect("a usage line");
    assert!(usage.contains("--nom <NOM>"), "{usage}");
    assert!(
        !usage.contains(" --db") || usage.contains("[--db <FICHIER>]"),
        "{usage}"
    );
    let err = env.fails(&["list", "--frob"], 2);
    assert!(err.contains("guichet list [--from <DATE>]"), "{err}");
}

#[test]
fn help_and_version_are_french() {
    let env = Env::new();
    for args in [
        &["--help"][..],
        &["-h"],
        &["request", "add", "--help"],
        &["list", "--help"],
        &["help", "request"],
        &["aide", "letter"],
    ] {
        let out = env.ok(args);
        assert_french(&out);
        assert!(out.contains("Utilisation : guichet"), "{args:?}\n{out}");
        assert!(out.contains("Options :"), "{args:?}\n{out}");
        assert!(out.contains("Affiche cette aide"), "{args:?}\n{out}");
    }
    let top = env.ok(&["--help"]);
    assert!(top.contains("Commandes :"), "{top}");
    assert!(top.contains("Affiche la version"), "{top}");
    assert!(top.contains("[variable GUICHET_DB]"), "{top}");
    // Help lines wrap at the terminal's width: read them as one text.
    let list = env.ok(&["list", "--help"]);
    let list = list.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(list.contains("[valeurs : table, csv, json"), "{list}");
    assert!(list.contains("par défaut : table"), "{list}");
    let version = env.ok(&["--version"]);
    assert!(version.starts_with("guichet "), "{version}");
}

#[test]
fn completions_name_the_subcommands() {
    let env = Env::new();
    let bash = env.ok(&["completions", "bash"]);
    for word in [
        "guichet",
        "request",
        "letter",
        "calendar",
        "completions",
        "--modele",
    ] {
        assert!(bash.contains(word), "{word} missing from the bash script");
    }
    for shell in ["zsh", "fish", "powershell"] {
        let script = env.ok(&["completions", shell]);
        assert!(script.contains("request"), "{shell}");
    }
    let err = env.fails(&["completions", "tcsh"], 2);
    assert!(err.contains("bash"), "{err}");
    // No data file is needed, none is created.
    assert!(!env.db().exists());
}

#[test]
fn man_page_is_french_roff() {
    let env = Env::new();
    let man = env.ok(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH guichet"),
        "{man}"
    );
    assert!(man.contains(".SH NOM"), "{man}");
    assert!(man.contains(".SH COMMANDES"), "{man}");
    assert!(man.contains("request"), "{man}");
    assert_french(&man);
}

#[test]
fn man_pages_for_every_command_in_a_folder() {
    let env = Env::new();
    let dir = env.path("man");
    let said = env.ok(&["man", "--dossier", dir.to_str().unwrap()]);
    assert!(said.contains("pages de manuel"), "{said}");
    for page in ["guichet.1", "guichet-request-add.1", "guichet-letter.1"] {
        let text = std::fs::read_to_string(dir.join(page)).expect(page);
        assert!(text.contains(".SH NOM"), "{page}");
        assert_french(&text);
    }
    let add = std::fs::read_to_string(dir.join("guichet-request-add.1")).unwrap();
    assert!(add.contains("prenom"), "{add}");
}

/// Every option of every command says in French what it takes: `--help` is how an agent
/// learns a command without the README.
#[test]
fn every_option_has_its_help() {
    fn walk(cmd: &clap::Command, path: String, out: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            let Some(long) = a.get_long() else { continue };
            if a.is_hide_set() || long == "help" || long == "version" {
                continue;
            }
            if a.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                out.push(format!("{path} --{long}"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut missing = Vec::new();
    walk(
        &<guichet::cli::Cli as clap::CommandFactory>::command(),
        "guichet".into(),
        &mut missing,
    );
    assert!(
        missing.is_empty(),
        "options without help:\n{}",
        missing.join("\n")
    );
}
