//! `guichet import csv` on spreadsheets as Excel and LibreOffice write them in France.

mod common;

use common::Env;
use rusqlite::Connection;

fn count(env: &Env, sql: &str) -> i64 {
    Connection::open(env.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// A real export: BOM, `;`, CRLF, French headers in any case and order, a quoted cell holding a
/// line break and a `;`, labels with accents in any case, both date forms.
const GOOD: &str = "\u{feff}Date;Nom;Prénom;TYPE;Téléphone;E-mail;Profil;Canal;Événement;Agent;Statut;Issue;Date de clôture;Partenaire;Commentaire\r\n\
05/06/2023;Dupont;Jean;Bourse d'études;06 12 34 56 78;jean.dupont@exemple.fr;Interne;Téléphone;;Élodie Martin;;;;;\"Appel du 5 juin ;\r\nrappeler en septembre\"\r\n\
2023-06-12;DUPONT;jean;CRÈCHE;+33 6 12 34 56 78;;famille;salon;Forum des internes;EM;En cours;;;CAF;\r\n\
14/06/2023;Lefèvre;Anaïs;Emploi du conjoint;;anais@exemple.fr;;E-mail;;Karim Benali;close;Aboutie;30/06/2023;;\r\n\
20/06/2023;N'Diaye;Maël;installation;07 00 00 00 01;;professionnel;Site web;;;;;;CPTS Sologne;Kiné, projet à Lamotte\r\n";

#[test]
fn a_french_spreadsheet_imports_once() {
    let env = Env::new();
    let file = env.path("demandes.csv");
    std::fs::write(&file, GOOD).unwrap();
    let out = env.ok(&["import", "csv", file.to_str().unwrap()]);
    assert!(out.contains("4 ligne(s) lue(s) : 4 demande(s) ajoutée(s), 0 déjà présente(s), 1 personne(s) déjà connue(s), 2 orientation(s)"), "{out}");
    assert_eq!(count(&env, "SELECT count(*) FROM request"), 4);
    assert_eq!(
        count(&env, "SELECT count(*) FROM person"),
        3,
        "Jean Dupont is one person (same name and phone)"
    );
    let c = Connection::open(env.db()).unwrap();
    let note: String = c
        .query_row("SELECT body FROM follow_up", [], |r| r.get(0))
        .unwrap();
    assert_eq!(note, "Appel du 5 juin ;\r\nrappeler en septembre");
    let (status, outcome, closed): (String, String, String) = c
        .query_row(
            "SELECT status, outcome, closed_on FROM request WHERE type_code = 'emploi_conjoint'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), outcome.as_str(), closed.as_str()),
        ("close", "aboutie", "2023-06-30")
    );
    // A referral without explicit status holds the case; with one, the status stays as given.
    let statuses: Vec<String> = c
        .prepare("SELECT status FROM request WHERE type_code IN ('creche', 'installation') ORDER BY type_code")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(statuses, ["en_cours", "attente_partenaire"]);
    let event: (String, String) = c
        .query_row("SELECT name, held_on FROM event", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        event,
        ("Forum des internes".to_string(), "2023-06-12".to_string())
    );
    assert_eq!(
        count(&env, "SELECT count(*) FROM agent"),
        2,
        "EM is Élodie Martin's initials"
    );

    // The second time adds nothing.
    let before = count(&env, "SELECT count(*) FROM history");
    let out = env.ok(&["import", "csv", file.to_str().unwrap()]);
    assert!(
        out.contains("0 demande(s) ajoutée(s), 4 déjà présente(s)"),
        "{out}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM request"), 4);
    assert_eq!(count(&env, "SELECT count(*) FROM history"), before);
    common::figures::assert_counts_equal(&env.db(), "imported");
}

#[test]
fn a_comma_separated_file_without_bom_imports_too() {
    let env = Env::new();
    let file = env.path("export.csv");
    std::fs::write(&file, "nom,prenom,date,type,email\nMartin,Zoé,2024-01-15,logement,zoe@exemple.fr\n\"Le Goff, dit Yann\",Yann,16/01/2024,autre,\n").unwrap();
    env.ok(&["import", "csv", file.to_str().unwrap()]);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM person WHERE last_name = 'Le Goff, dit Yann'"
        ),
        1
    );
}

#[test]
fn one_wrong_row_and_nothing_is_written_every_problem_reported_with_its_line() {
    let env = Env::new();
    env.ok(&["init"]);
    let file = env.path("erreurs.csv");
    // Row 2 holds a quoted cell over two lines: the next row is still row 3, as the
    // spreadsheet shows it (file line 4).
    let text = "date;type;nom;prenom;statut;issue;date_cloture;canal;partenaire;email\r\n\
05/06/2023;bourse;Dupont;Jean;;;;;;\"deux\r\nlignes\"\r\n\
31/02/2024;bourse;Martin;Zoé;;;;;;\r\n\
05/06/2023;voyage;Petit;Loïc;;;;;;\r\n\
05/06/2023;logement;;Loïc;close;;;;;\r\n\
05/06/2023;logement;Roux;Léa;close;aboutie;01/06/2023;pigeon;Inconnu SA;pas-un-mail\r\n\
05/06/2023;creche;Blanc;Inès;;;;;;\r\n";
    std::fs::write(&file, text).unwrap();
    let stderr = env.fails(&["import", "csv", file.to_str().unwrap()], 2);
    let expected = [
        "rien n'a été importé",
        "ligne 2, colonne « email » (« deux⏎lignes ») : adresse e-mail invalide",
        "ligne 3, colonne « date » (« 31/02/2024 ») : date invalide : « 31/02/2024 » (le 31 février 2024 n'existe pas)",
        "ligne 4, colonne « type » (« voyage ») : type de demande inconnu ; vouliez-vous dire",
        "ligne 5, colonne « nom » : le nom est vide",
        "ligne 5, colonne « issue » : une demande close doit avoir une issue",
        "ligne 5, colonne « date_cloture » : une demande close doit avoir une date de clôture",
        "ligne 6, colonne « date_cloture » (« 01/06/2023 ») : la date de clôture 01/06/2023 est antérieure à la date de réception 05/06/2023",
        "ligne 6, colonne « canal » (« pigeon ») : canal inconnu",
        "ligne 6, colonne « partenaire » (« Inconnu SA ») : partenaire inconnu ; vouliez-vous dire",
        "ligne 6, colonne « email » (« pas-un-mail ») : adresse e-mail invalide",
    ];
    for e in expected {
        assert!(stderr.contains(e), "missing «{e}» in:\n{stderr}");
    }
    assert!(!stderr.contains("ligne 7"), "row 7 is fine:\n{stderr}");
    assert_eq!(count(&env, "SELECT count(*) FROM request"), 0);
    assert_eq!(count(&env, "SELECT count(*) FROM person"), 0);
    assert_eq!(count(&env, "SELECT count(*) FROM history"), 0);
}

#[test]
fn missing_columns_are_explained_and_windows_1252_is_read() {
    let env = Env::new();
    let file = env.path("incomplet.csv");
    std::fs::write(&file, "date;nom\n05/06/2023;Dupont\n").unwrap();
    let stderr = env.fails(&["import", "csv", file.to_str().unwrap()], 2);
    assert!(
        stderr.contains("ligne 1 : colonne obligatoire absente : « type »"),
        "{stderr}"
    );
    assert!(stderr.contains("« prenom »"), "{stderr}");
    let latin1 = env.path("latin1.csv");
    std::fs::write(
        &latin1,
        b"date;type;nom;prenom\n05/06/2023;cr\xe8che;Dupont;Jean\n",
    )
    .unwrap();
    // Excel's "CSV (séparateur : point-virgule)" is Windows-1252: read as such.
    let out = env.ok(&["import", "csv", latin1.to_str().unwrap()]);
    assert!(out.contains("1 demande(s) ajoutée(s)"), "{out}");
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM request WHERE type_code = 'creche'"
        ),
        1
    );
    let empty = env.path("vide.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(
        env.fails(&["import", "csv", empty.to_str().unwrap()], 2)
            .contains("le fichier est vide")
    );
}

#[test]
fn a_closed_row_with_a_follow_up_date_is_reported_with_its_row() {
    let env = Env::new();
    let file = env.path("closes.csv");
    std::fs::write(
        &file,
        "Date;Nom;Prénom;Type;Statut;Issue;Date de clôture;Relance le\n\
         05/06/2023;Dupont;Jean;Logement;close;aboutie;30/06/2023;15/07/2023\n\
         06/06/2023;Martin;Léa;Logement;en_cours;;;15/07/2023\n",
    )
    .unwrap();
    let err = env.fails(&["import", "csv", file.to_str().unwrap()], 2);
    assert!(
        err.contains("ligne 2, colonne « date_relance » (« 15/07/2023 ») : une demande close n'a pas de relance (le 15/07/2023) : seule une demande ouverte se relance"),
        "{err}"
    );
    assert!(err.contains("1 problème(s)"), "{err}");
    assert_eq!(count(&env, "SELECT count(*) FROM request"), 0);
}

#[test]
fn a_file_that_cannot_be_read_is_named_and_said_in_french() {
    let env = Env::new();
    env.ok(&["init"]);
    let missing = env.path("absent.csv");
    let err = env.fails(&["import", missing.to_str().unwrap()], 2);
    assert!(
        err.contains(&format!("{} : fichier introuvable", missing.display()))
            && !err.contains("os error"),
        "{err}"
    );
    let folder = env.dir.path().to_str().unwrap();
    let err = env.fails(&["import", folder], 2);
    assert!(
        err.contains(&format!("{folder} : c'est un dossier")) && !err.contains("os error"),
        "{err}"
    );
    let empty = env.path("vide.csv");
    std::fs::write(&empty, "").unwrap();
    let err = env.fails(&["import", empty.to_str().unwrap()], 2);
    assert!(
        err.contains(&format!("{} : le fichier est vide", empty.display())),
        "{err}"
    );
}

#[test]
fn an_imports_problems_come_in_the_order_of_the_files_lines() {
    let env = Env::new();
    env.ok(&["init"]);
    let file = env.path("melange.csv");
    // Line 4 is wrong as read (a cell too many), line 2 in its values.
    std::fs::write(
        &file,
        "date;type;nom;prenom\n\
         32/13/2026;logement;Dupont;Jean\n\
         01/10/2026;logement;Martin;Léa\n\
         01/10/2026;logement;Petit;Paul;de trop\n",
    )
    .unwrap();
    let err = env.fails(&["import", file.to_str().unwrap()], 2);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("ligne ")).collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].trim_start().starts_with("ligne 2"), "{err}");
    assert!(lines[1].trim_start().starts_with("ligne 4"), "{err}");
}
