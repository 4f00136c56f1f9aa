//! Letters from templates and the agents' calendars, through the real binary: requests created
//! with the command line, letters written as Markdown, .docx and .odt, the .ics parsed back.

mod common;

use common::{Env, mode};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where the templates live for this environment (XDG_DATA_HOME/guichet/modeles).
fn templates(env: &Env) -> PathBuf {
    env.dir.path().join("data").join("guichet").join("modeles")
}

/// A file with an agent, a request assigned to her with a referral to CPTS'O.
fn setup(env: &Env) -> String {
    env.ok(&["init"]);
    env.ok(&["agent", "add", "Élodie Martin", "--initiales", "EM"]);
    let r = env
        .ok(&[
            "request",
            "add",
            "--type",
            "logement",
            "--nom",
            "Dupont",
            "--prenom",
            "Léa",
            "--email",
            "lea.dupont@example.fr",
            "--agent",
            "EM",
            "--date",
            "2026-11-03",
        ])
        .trim()
        .to_string();
    env.ok(&["referral", "add", &r, "--partenaire", "cpts_orleans"]);
    r
}

fn read_zip_entry(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("open zip");
    let mut zip = zip::ZipArchive::new(file).expect("a valid zip");
    let mut entry = zip.by_name(name).expect("entry in the zip");
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("utf-8 entry");
    text
}

#[test]
fn each_seeded_template_renders_with_the_request_fields() {
    let env = Env::new();
    let r = setup(&env);
    let list = env.ok(&["letter", "--liste"]);
    for name in [
        "accuse-reception",
        "pieces-manquantes",
        "orientation-partenaire",
    ] {
        assert!(list.contains(name), "{list}");
        let out = env.path(&format!("{name}.md"));
        let said = env.ok(&[
            "--agent",
            "EM",
            "letter",
            &r,
            "--modele",
            name,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(said.contains("Courrier écrit"), "{said}");
        let text = std::fs::read_to_string(&out).unwrap();
        for expected in [
            "Léa",
            "Dupont",
            r.as_str(),
            "Élodie Martin",
            "22 novembre 2026",
        ] {
            assert!(
                text.contains(expected),
                "{name}: {expected} missing in\n{text}"
            );
        }
        assert!(!text.contains('{'), "{name}: a field left unfilled\n{text}");
        assert_eq!(mode(&out), 0o600, "a letter is readable by its owner only");
    }
    let orientation = std::fs::read_to_string(env.path("orientation-partenaire.md")).unwrap();
    assert!(orientation.contains("CPTS'O (Orléans)"), "{orientation}");
    let receipt = std::fs::read_to_string(env.path("accuse-reception.md")).unwrap();
    assert!(
        receipt.contains("Logement") && receipt.contains("03/11/2026"),
        "{receipt}"
    );
    // The letter is a consultation of the request, in the access log.
    let log = env.ok(&["access-log", "--reference", &r, "--format", "json"]);
    assert!(log.contains("consultation"), "{log}");
}

#[test]
fn french_alias_and_markdown_on_screen() {
    let env = Env::new();
    let r = setup(&env);
    let text = env.ok(&["courrier", &r, "--modele", "accuse-reception"]);
    assert!(text.contains("Bonjour Léa Dupont"), "{text}");
    // No --agent: the assigned agent signs.
    assert!(text.contains("Élodie Martin"), "{text}");
}

#[test]
fn docx_and_odt_hold_the_text() {
    let env = Env::new();
    let r = setup(&env);
    let docx = env.path("lettre.docx");
    env.ok(&[
        "letter",
        &r,
        "--modele",
        "orientation-partenaire",
        "--out",
        docx.to_str().unwrap(),
    ]);
    let xml = read_zip_entry(&docx, "word/document.xml");
    // One piece of text, as a word processor writes it.
    assert!(xml.contains("Bonjour Léa Dupont,"), "{xml}");
    for expected in ["Dupont", "Léa", r.as_str(), "CPTS&apos;O (Orléans)"] {
        let plain = expected.replace("&apos;", "'");
        assert!(
            xml.contains(expected) || xml.contains(&plain),
            "{expected} missing in document.xml"
        );
    }
    assert_eq!(mode(&docx), 0o600);
    // Without --noter the case log is untouched; with it, one entry names the template.
    let before = env.ok(&["request", "show", &r, "--format", "json"]);
    assert!(!before.contains("orientation-partenaire"), "{before}");
    env.ok(&[
        "letter",
        &r,
        "--modele",
        "orientation-partenaire",
        "--out",
        docx.to_str().unwrap(),
        "--noter",
    ]);
    let shown: serde_json::Value =
        serde_json::from_str(&env.ok(&["request", "show", &r, "--format", "json"])).unwrap();
    let logged: Vec<&serde_json::Value> = shown["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["body"] == "Modèle « orientation-partenaire »")
        .collect();
    assert_eq!(logged.len(), 1, "{shown:#}");
    assert_eq!(logged[0]["kind"], "courrier");

    let odt = env.path("lettre.odt");
    env.ok(&[
        "letter",
        &r,
        "--modele",
        "accuse-reception",
        "--out",
        odt.to_str().unwrap(),
    ]);
    let file = std::fs::File::open(&odt).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    assert_eq!(zip.by_index(0).unwrap().name().unwrap(), "mimetype");
    drop(zip);
    assert_eq!(
        read_zip_entry(&odt, "mimetype"),
        "application/vnd.oasis.opendocument.text"
    );
    let content = read_zip_entry(&odt, "content.xml");
    assert!(content.contains("Bonjour Léa Dupont,"), "{content}");
    // Apostrophes stay as typed in element text.
    assert!(content.contains("Nous vous prions d'agréer"), "{content}");
    assert!(content.contains(&r), "{content}");
    // Nothing left behind under a temporary name.
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn an_unknown_field_is_an_error_naming_it_and_its_line() {
    let env = Env::new();
    let r = setup(&env);
    env.ok(&["letter", "--liste"]); // seeds the folder
    std::fs::write(
        templates(&env).join("relance.md"),
        "Bonjour {prenom},\n\nVotre dossier {reference} :\n{prenon} {nom}\n",
    )
    .unwrap();
    let out = env.path("relance.md");
    let err = env.fails(
        &[
            "letter",
            &r,
            "--modele",
            "relance",
            "--out",
            out.to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("ligne 4"), "{err}");
    assert!(err.contains("{prenon}"), "{err}");
    assert!(err.contains("vouliez-vous dire {prenom}"), "{err}");
    assert!(!out.exists(), "nothing written on an error");

    // A known field with no value is refused too: no referral, no partner.
    let bare = env
        .ok(&[
            "request", "add", "--type", "bourse", "--nom", "Roy", "--prenom", "Hugo",
        ])
        .trim()
        .to_string();
    let err = env.fails(&["letter", &bare, "--modele", "orientation-partenaire"], 2);
    assert!(
        err.contains("{partenaire}") && err.contains("ligne 3"),
        "{err}"
    );

    // An unknown template names the ones there are.
    let err = env.fails(&["letter", &r, "--modele", "inconnu"], 2);
    assert!(err.contains("accuse-reception"), "{err}");
    // A format the extension does not say.
    let err = env.fails(
        &[
            "letter",
            &r,
            "--modele",
            "accuse-reception",
            "--out",
            "x.pdf",
        ],
        2,
    );
    assert!(err.contains(".docx"), "{err}");
}

#[test]
fn templates_are_plain_files_the_team_edits() {
    let env = Env::new();
    let r = setup(&env);
    env.ok(&["letter", "--liste"]);
    let dir = templates(&env);
    assert_eq!(mode(&dir), 0o700);
    std::fs::write(
        dir.join("rdv.md"),
        "# Rendez-vous\n\nBonjour {Prénom}, votre dossier {{{reference}}} ({statut}).\n",
    )
    .unwrap();
    assert!(env.ok(&["letter", "--liste"]).contains("rdv"));
    let text = env.ok(&["letter", &r, "--modele", "rdv"]);
    assert!(text.starts_with("# Rendez-vous"), "{text}");
    // `{Prénom}` is `{prenom}`; `{{` and `}}` are braces.
    assert!(
        text.contains(&format!("Bonjour Léa, votre dossier {{{r}}} (")),
        "{text}"
    );
    assert!(!text.contains("statut"), "{text}");

    // A field of the team's own: given with --valeur, refused without.
    std::fs::write(dir.join("pieces.md"), "Il manque : {pieces}.\n").unwrap();
    let err = env.fails(&["letter", &r, "--modele", "pieces"], 2);
    assert!(
        err.contains("{pieces}") && err.contains("--valeur pieces=TEXTE"),
        "{err}"
    );
    let text = env.ok(&[
        "letter",
        &r,
        "--modele",
        "pieces",
        "--valeur",
        "pieces=RIB, attestation",
    ]);
    assert_eq!(text, "Il manque : RIB, attestation.\n");
}

/// The events of an .ics, parsed with the icalendar crate: (uid, summary, start).
fn events(ics: &str) -> Vec<(String, String, String)> {
    use icalendar::Component;
    let cal: icalendar::Calendar = ics.parse().expect("a valid iCalendar file");
    let mut out: Vec<(String, String, String)> = cal
        .events()
        .map(|e| {
            (
                e.get_uid().unwrap_or_default().to_string(),
                e.get_summary().unwrap_or_default().to_string(),
                format!("{:?}", e.get_start()),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn calendar_has_one_event_per_follow_up_and_attestation() {
    let env = Env::new();
    let r = setup(&env);
    env.ok(&[
        "follow-up",
        "add",
        &r,
        "--kind",
        "appel_sortant",
        "--relance",
        "2026-12-01",
    ]);
    let second = env
        .ok(&[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "Roy",
            "--prenom",
            "Hugo",
            "--agent",
            "EM",
            "--relance",
            "2026-11-30",
        ])
        .trim()
        .to_string();
    // Someone else's request stays out of this calendar.
    env.ok(&["agent", "add", "Paul Petit", "--initiales", "PP"]);
    env.ok(&[
        "request",
        "add",
        "--type",
        "bourse",
        "--nom",
        "Autre",
        "--prenom",
        "Zoé",
        "--agent",
        "PP",
        "--relance",
        "2026-11-29",
    ]);
    // An installation aid with a 5-year commitment, one attestation received.
    let inst = env
        .ok(&[
            "request",
            "add",
            "--type",
            "installation",
            "--nom",
            "Garnier",
            "--prenom",
            "Inès",
            "--agent",
            "EM",
            "--date",
            "2024-01-10",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "aid",
        "grant",
        &inst,
        "--dispositif",
        "aide_installation",
        "--montant",
        "10000",
        "--date",
        "2024-02-01",
    ]);
    env.ok(&["commitment", "start", &inst, "--date", "2024-03-01"]);
    env.ok(&["commitment", "attest", &inst, "--date", "2025-03-02"]);

    let ics = env.path("em.ics");
    let said = env.ok(&["calendar", "--agent", "EM", "--out", ics.to_str().unwrap()]);
    assert!(said.contains("2 relance(s), 4 attestation(s)"), "{said}");
    assert_eq!(mode(&ics), 0o600);
    let text = std::fs::read_to_string(&ics).unwrap();
    let ev = events(&text);
    assert_eq!(ev.len(), 6, "{ev:#?}");
    let relances: Vec<_> = ev.iter().filter(|e| e.1.starts_with("Relance")).collect();
    assert_eq!(relances.len(), 2, "{ev:#?}");
    assert!(
        relances
            .iter()
            .any(|e| e.1.contains(&r) && e.2.contains("2026-12-01")),
        "{ev:#?}"
    );
    assert!(relances.iter().any(|e| e.1.contains(&second)), "{ev:#?}");
    let attestations: Vec<_> = ev.iter().filter(|e| e.1.contains("Attestation")).collect();
    assert_eq!(attestations.len(), 4);
    assert!(attestations.iter().all(|e| e.1.contains(&inst)));
    assert!(
        attestations
            .iter()
            .any(|e| e.1.contains("2/5") && e.2.contains("2026-03-01")),
        "{ev:#?}"
    );
    // All-day events end the next day (exclusive end), so every calendar shows them.
    assert!(text.contains("DTSTART;VALUE=DATE:20261201\r\n"), "{text}");
    assert!(text.contains("DTEND;VALUE=DATE:20261202\r\n"), "{text}");
    // No personal data of the persons: references and types only.
    for name in [
        "Dupont",
        "Léa",
        "Roy",
        "Garnier",
        "Zoé",
        "Autre",
        "example.fr",
    ] {
        assert!(!text.contains(name), "{name} in the calendar");
    }

    // Moving a follow-up and exporting again keeps the same events (same UIDs).
    env.ok(&["request", "update", &r, "--relance", "2026-12-15"]);
    let again = env.ok(&["calendrier", "--agent", "Élodie Martin"]);
    let ev2 = events(&again);
    let uids = |v: &[(String, String, String)]| v.iter().map(|e| e.0.clone()).collect::<Vec<_>>();
    assert_eq!(uids(&ev), uids(&ev2));
    assert!(
        ev2.iter()
            .any(|e| e.1.contains(&r) && e.2.contains("2026-12-15")),
        "{ev2:#?}"
    );

    let err = env.fails(&["calendar", "--agent", "Inconnu"], 2);
    assert!(err.contains("--agent"), "{err}");
}
