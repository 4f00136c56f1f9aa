//! Spreadsheets both ways (issue #13): the team's data as CSV (UTF-8 and Windows-1252), .xlsx
//! and .ods imports to the same file; what LibreOffice or Excel does to a file on a round trip
//! (phones as numbers, dates as date cells or serial numbers, times added) adds nothing; what
//! `list` exports imports back unchanged; unknown values are suggested, mapped and remembered.

mod common;

use chrono::NaiveDate;
use common::Env;
use rusqlite::Connection;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A cell of the team's spreadsheet.
#[derive(Clone, Copy)]
enum Cell {
    Text(&'static str),
    Date(i32, u32, u32),
    Empty,
}
use Cell::{Date, Empty, Text};

const HEADERS: [&str; 16] = [
    "Date",
    "Type",
    "Nom",
    "Prénom",
    "Téléphone",
    "E-mail",
    "Profil",
    "Profession",
    "Canal",
    "Événement",
    "Agent",
    "Statut",
    "Issue",
    "Date de clôture",
    "Partenaire",
    "Commentaire",
];

/// Six rows as the Loiret team keeps them: labels in French, accents (all of them in
/// Windows-1252), a comment over two lines, a `+33` phone, French status and outcome variants.
fn team() -> Vec<[Cell; 16]> {
    vec![
        [
            Date(2025, 10, 3),
            Text("Bourse d'études"),
            Text("D'Aubigné"),
            Text("Hélène"),
            Text("06 12 34 56 78"),
            Text("helene@exemple.fr"),
            Text("Interne"),
            Text("Interne en médecine générale"),
            Text("Téléphone"),
            Empty,
            Text("Élodie Martin"),
            Text("En cours"),
            Empty,
            Empty,
            Empty,
            Text("Premier appel ;\nrappeler en décembre"),
        ],
        [
            Date(2025, 10, 6),
            Text("Logement"),
            Text("Lefèvre"),
            Text("Anaïs"),
            Text("07 11 22 33 44"),
            Empty,
            Text("Étudiant"),
            Text("Kinésithérapie"),
            Text("salon"),
            Text("Forum des internes"),
            Text("Karim Benali"),
            Empty,
            Empty,
            Empty,
            Text("CAF"),
            Empty,
        ],
        [
            Date(2025, 10, 8),
            Text("Aide à l'installation"),
            Text("N'Diaye"),
            Text("Maël"),
            Text("+33 6 98 76 54 32"),
            Text("mael@exemple.fr"),
            Text("Professionnel"),
            Text("Médecin généraliste"),
            Text("E-mail"),
            Empty,
            Text("Élodie Martin"),
            Text("Terminé"),
            Text("Accordée"),
            Date(2025, 11, 2),
            Empty,
            Text("Installation à Ormes"),
        ],
        [
            Date(2025, 10, 9),
            Text("Crèche"),
            Text("Cœurdevey"),
            Text("Françoise"),
            Text("06 55 44 33 22"),
            Empty,
            Text("Famille"),
            Empty,
            Text("Rendez-vous"),
            Empty,
            Empty,
            Text("En attente"),
            Empty,
            Empty,
            Empty,
            Empty,
        ],
        [
            Date(2025, 10, 10),
            Text("Emploi du conjoint"),
            Text("Girard"),
            Text("Loïc"),
            Empty,
            Text("loic.girard@exemple.fr"),
            Empty,
            Empty,
            Text("Site web"),
            Empty,
            Text("Karim Benali"),
            Text("Close"),
            Text("Abandon"),
            Date(2025, 10, 31),
            Empty,
            Empty,
        ],
        [
            Date(2025, 10, 13),
            Text("installation"),
            Text("Roux"),
            Text("Zoé"),
            Text("02 38 12 34 56"),
            Empty,
            Text("professionnel"),
            Text("Chirurgien-dentiste"),
            Empty,
            Empty,
            Empty,
            Empty,
            Empty,
            Empty,
            Text("CPAM du Loiret"),
            Text("Cabinet à Gien"),
        ],
    ]
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The rows as CSV text, each cell through `text`; `;`-separated, CRLF, quoted where needed.
fn csv_text(rows: &[[Cell; 16]], text: impl Fn(usize, Cell) -> String) -> String {
    let quote = |s: String| {
        if s.contains([';', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = HEADERS.join(";") + "\r\n";
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| quote(text(i, *c)))
            .collect();
        out += &(cells.join(";") + "\r\n");
    }
    out
}

fn as_typed(_: usize, c: Cell) -> String {
    match c {
        Text(t) => t.to_string(),
        Date(y, m, d) => date(y, m, d).format("%d/%m/%Y").to_string(),
        Empty => String::new(),
    }
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable, "the team data fits Windows-1252");
    bytes.into_owned()
}

/// The team data as an .xlsx written by a spreadsheet: dates as date cells, or through `cell`.
fn write_xlsx(
    path: &Path,
    sheets: &[(&str, &[[Cell; 16]])],
    cell: impl Fn(&mut rust_xlsxwriter::Worksheet, u32, u16, usize, Cell),
) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                cell(ws, r as u32 + 1, c as u16, r, *v);
            }
        }
    }
    wb.save(path).unwrap();
}

fn xlsx_cell(ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, _: usize, v: Cell) {
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    match v {
        Text(t) => {
            ws.write_string(r, c, t).unwrap();
        }
        Date(y, m, d) => {
            ws.write_date_with_format(r, c, date(y, m, d), &fmt)
                .unwrap();
        }
        Empty => {}
    }
}

/// A minimal valid OpenDocument spreadsheet (what calamine and LibreOffice need: the
/// `mimetype` first and stored, the manifest, the content), dates as date cells, a cell over
/// two lines as two paragraphs.
fn write_ods(path: &Path, rows: &[[Cell; 16]]) {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let string_cell = |s: &str| {
        let paras: String = s
            .split('\n')
            .map(|p| format!("<text:p>{}</text:p>", esc(p)))
            .collect();
        format!("<table:table-cell office:value-type=\"string\">{paras}</table:table-cell>")
    };
    let mut table = String::from("<table:table table:name=\"Demandes\"><table:table-row>");
    for h in HEADERS {
        table += &string_cell(h);
    }
    table += "</table:table-row>";
    for row in rows {
        table += "<table:table-row>";
        for c in row {
            table += &match c {
                Text(t) => string_cell(t),
                Date(y, m, d) => {
                    let dd = date(*y, *m, *d);
                    format!(
                        "<table:table-cell office:value-type=\"date\" office:date-value=\"{}\"><text:p>{}</text:p></table:table-cell>",
                        dd,
                        dd.format("%d/%m/%Y")
                    )
                }
                Empty => "<table:table-cell/>".into(),
            };
        }
        table += "</table:table-row>";
    }
    table += "</table:table>";
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
<office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
</manifest:manifest>";
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// Everything an import wrote that an agent would see, in reference order, without the
/// generated ids and timestamps: requests, persons, events, agents, case-log notes, referrals.
fn content(db: &Path) -> Vec<String> {
    let c = Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT r.reference, r.type_code, r.status, r.outcome, r.channel_code, e.name, e.held_on,
                    a.name, r.received_on, r.closed_on, r.next_follow_up_on, r.import_key,
                    p.last_name, p.first_name, p.phone, p.email, p.profile, p.profession,
                    (SELECT group_concat(f.kind || ':' || f.body, '|') FROM follow_up f
                      WHERE f.request_id = r.id),
                    (SELECT group_concat(pa.code || '@' || rf.sent_on, '|') FROM referral rf
                      JOIN partner pa ON pa.id = rf.partner_id WHERE rf.request_id = r.id)
               FROM request r JOIN person p ON p.id = r.person_id
               LEFT JOIN event e ON e.id = r.event_id LEFT JOIN agent a ON a.id = r.agent_id
              ORDER BY r.reference",
        )
        .unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        Ok((0..n)
            .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// `guichet import FILE ARGS…` on the file `db`.
fn run_import(env: &Env, db: &Path, file: &Path, args: &[&str]) -> std::process::Output {
    env.cmd()
        .env("GUICHET_DB", db)
        .arg("import")
        .arg(file)
        .args(args)
        .output()
        .unwrap()
}

/// `guichet import FILE ARGS…` expected to succeed; stdout.
fn import(env: &Env, db: &Path, file: &Path, args: &[&str]) -> String {
    let out = run_import(env, db, file, args);
    assert!(
        out.status.success(),
        "import {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `guichet import FILE ARGS…` expected to fail with status 2; stderr.
fn import_fails(env: &Env, db: &Path, file: &Path, args: &[&str]) -> String {
    let out = run_import(env, db, file, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout {}\nstderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

fn team_files(env: &Env) -> Vec<PathBuf> {
    let rows = team();
    let utf8 = env.path("equipe-utf8.csv");
    std::fs::write(&utf8, format!("\u{feff}{}", csv_text(&rows, as_typed))).unwrap();
    let cp1252 = env.path("equipe-excel.csv");
    std::fs::write(&cp1252, windows_1252(&csv_text(&rows, as_typed))).unwrap();
    let xlsx = env.path("equipe.xlsx");
    write_xlsx(&xlsx, &[("Demandes", &rows)], xlsx_cell);
    let ods = env.path("equipe.ods");
    write_ods(&ods, &rows);
    vec![utf8, cp1252, xlsx, ods]
}

#[test]
fn the_same_team_data_as_csv_utf8_csv_1252_xlsx_and_ods_imports_to_identical_files() {
    let env = Env::new();
    let files = team_files(&env);
    let mut contents = Vec::new();
    for f in &files {
        let db = env.path(&format!(
            "{}.sqlite3",
            f.file_name().unwrap().to_string_lossy()
        ));
        let out = import(&env, &db, f, &[]);
        assert!(
            out.contains("6 ligne(s) lue(s) : 6 demande(s) ajoutée(s), 0 déjà présente(s)"),
            "{}: {out}",
            f.display()
        );
        contents.push((f.clone(), content(&db)));
    }
    let (first, expected) = &contents[0];
    assert_eq!(expected.len(), 6);
    // What the rows hold, read once by hand from the UTF-8 file.
    let all = expected.join("\n");
    for part in [
        "Text(\"Cœurdevey\")|Text(\"Françoise\")",
        "Text(\"note:Premier appel ;\\nrappeler en décembre\")",
        "Text(\"close\")|Text(\"aboutie\")",
        "Text(\"close\")|Text(\"sans_suite\")",
        "Text(\"attente_demandeur\")",
        "Text(\"caf@2025-10-06\")",
        "Text(\"Forum des internes\")|Text(\"2025-10-06\")",
        "Text(\"+33 6 98 76 54 32\")",
    ] {
        assert!(all.contains(part), "{part} missing from\n{all}");
    }
    for (f, c) in &contents[1..] {
        assert_eq!(
            c,
            expected,
            "{} and {} differ",
            f.display(),
            first.display()
        );
    }
}

/// The team's file opened in LibreOffice (or Excel) and saved again: phones read as numbers
/// lost their zero, dates became date cells, serial numbers or gained a time, the CSV became
/// Windows-1252 without BOM. Imported into the file that holds the original: nothing is added.
#[test]
fn a_libreoffice_round_trip_reimported_adds_nothing() {
    let env = Env::new();
    let db = env.db();
    let rows = team();
    let original = env.path("equipe.csv");
    std::fs::write(&original, csv_text(&rows, as_typed)).unwrap();
    import(&env, &db, &original, &[]);
    let before = content(&db);
    let referrals = count(&db, "SELECT count(*) FROM referral");

    // CSV saved again: "0612345678" -> "612345678", dates with a time, Windows-1252.
    let resaved = env.path("equipe-resaved.csv");
    let lo = |i: usize, c: Cell| match c {
        Text(t) if i == 4 && t.starts_with('0') => t.replace(' ', "")[1..].to_string(),
        Date(y, m, d) => format!("{} 00:00:00", date(y, m, d).format("%d/%m/%Y")),
        c => as_typed(i, c),
    };
    std::fs::write(&resaved, windows_1252(&csv_text(&rows, lo))).unwrap();
    let out = import(&env, &db, &resaved, &[]);
    assert!(
        out.contains("0 demande(s) ajoutée(s), 6 déjà présente(s)"),
        "{out}"
    );
    assert!(
        out.contains(
            "ligne 2 : téléphone « 612345678 » lu « 06 12 34 56 78 » (zéro initial rétabli)"
        ),
        "{out}"
    );

    // Workbook: phones as numbers, dates as date cells on even rows and bare serials on odd ones.
    let xlsx = env.path("equipe-resaved.xlsx");
    write_xlsx(&xlsx, &[("Feuille1", &rows)], |ws, r, c, i, v| match v {
        Text(t) if c == 4 && t.starts_with('0') => {
            ws.write_number(r, c, t.replace(' ', "").parse::<f64>().unwrap())
                .unwrap();
        }
        Date(y, m, d) if i % 2 == 1 => {
            let serial = (date(y, m, d) - date(1899, 12, 30)).num_days();
            ws.write_number(r, c, serial as f64).unwrap();
        }
        v => xlsx_cell(ws, r, c, i, v),
    });
    let out = import(&env, &db, &xlsx, &[]);
    assert!(
        out.contains("0 demande(s) ajoutée(s), 6 déjà présente(s)"),
        "{out}"
    );
    assert_eq!(content(&db), before, "nothing changed");
    assert_eq!(count(&db, "SELECT count(*) FROM referral"), referrals);
    assert_eq!(count(&db, "SELECT count(*) FROM person"), 6);
}

/// `list --format csv` and `--format xlsx` import back into an empty file giving the same
/// requests: the same `list` again, guarded cells (`'+33 6…`) included.
#[test]
fn list_csv_and_xlsx_round_trips_are_lossless() {
    let env = Env::new();
    let db = env.db();
    let file = env.path("equipe.csv");
    std::fs::write(&file, csv_text(&team(), as_typed)).unwrap();
    import(&env, &db, &file, &[]);
    // A follow-up date, shown by `list` as "Relance le", travels too.
    env.ok(&["request", "update", "A25-00001", "--relance", "01/12/2026"]);
    let list_of = |db: &Path| {
        let out = env
            .cmd()
            .env("GUICHET_DB", db)
            .args(["list", "--format", "csv"])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let expected = list_of(&db);
    assert!(expected.contains(";'+33 6 98 76 54 32;"), "{expected}");
    assert!(expected.contains(";Crèche;"), "labels: {expected}");
    assert!(expected.contains(";01/12/2026;"), "{expected}");

    let csv = env.path("liste.csv");
    env.ok(&["list", "--format", "csv", "--out", csv.to_str().unwrap()]);
    let xlsx = env.path("liste.xlsx");
    let out = env.run(&["list", "--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2), "xlsx needs --out");
    env.ok(&["list", "--format", "xlsx", "--out", xlsx.to_str().unwrap()]);
    assert_eq!(common::mode(&xlsx), 0o600);
    for export in [csv, xlsx] {
        let empty = env.path(&format!(
            "vide-{}.sqlite3",
            export.extension().unwrap().to_string_lossy()
        ));
        let out = import(&env, &empty, &export, &[]);
        assert!(out.contains("6 demande(s) ajoutée(s)"), "{out}");
        assert_eq!(list_of(&empty), expected, "{}", export.display());
        // And once more: the export of the copy is recognised row for row.
        let out = import(&env, &empty, &export, &[]);
        assert!(
            out.contains("0 demande(s) ajoutée(s), 6 déjà présente(s)"),
            "{out}"
        );
    }
}

#[test]
fn cpts_o_is_suggested_mapped_remembered_and_read_next_time() {
    let env = Env::new();
    let db = env.db();
    env.ok(&["init"]);
    let file = env.path("salon.csv");
    std::fs::write(
        &file,
        "date;type;nom;prenom;partenaire;statut\n\
         03/10/2025;installation;Petit;Jules;CPTS'O;Bouclé\n\
         04/10/2025;logement;Blanc;Inès;;\n",
    )
    .unwrap();
    let before = common::dump(&db, &["request", "person", "history", "import_alias"]);
    let err = import_fails(&env, &db, &file, &[]);
    assert!(
        err.contains("ligne 2, colonne « partenaire » (« CPTS'O ») : partenaire inconnu ; vouliez-vous dire « CPTS'O (Orléans) » (cpts_orleans)"),
        "{err}"
    );
    assert!(
        err.contains("--correspondance \"partenaire:CPTS'O=cpts_orleans\""),
        "{err}"
    );
    assert!(
        err.contains("ligne 2, colonne « statut » (« Bouclé ») : statut inconnu"),
        "{err}"
    );
    assert_eq!(
        common::dump(&db, &["request", "person", "history", "import_alias"]),
        before
    );

    // A code that does not exist is refused before anything is read.
    let err = import_fails(
        &env,
        &db,
        &file,
        &["--correspondance", "partenaire:CPTS'O=cpts_nulle_part"],
    );
    assert!(
        err.contains("--correspondance « partenaire:CPTS'O=cpts_nulle_part »"),
        "{err}"
    );

    // One value read two ways is refused.
    let err = import_fails(
        &env,
        &db,
        &file,
        &[
            "--correspondance",
            "statut:Bouclé=close",
            "--correspondance",
            "Statut:bouclé=en_cours",
        ],
    );
    assert!(
        err.contains("« bouclé » de la colonne statut est déjà lu comme close"),
        "{err}"
    );

    let out = import(
        &env,
        &db,
        &file,
        &[
            "--correspondance",
            "partenaire:CPTS'O=cpts_orleans",
            "--correspondance",
            "Statut:bouclé=En cours",
            "--retenir",
        ],
    );
    assert!(out.contains("2 demande(s) ajoutée(s)"), "{out}");
    assert!(out.contains("correspondance(s) retenue(s)"), "{out}");
    let partner: String = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT p.code FROM referral r JOIN partner p ON p.id = r.partner_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(partner, "cpts_orleans");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM request WHERE status = 'en_cours'"
        ),
        1,
        "« Bouclé » read as en_cours"
    );

    // Next month's file, same spellings, no option: read with the remembered mappings.
    let next = env.path("salon-2.csv");
    std::fs::write(
        &next,
        "date;type;nom;prenom;partenaire;statut\n05/11/2025;bourse;Morel;Lina;cpts'o;BOUCLÉ\n",
    )
    .unwrap();
    let out = import(&env, &db, &next, &[]);
    assert!(out.contains("1 demande(s) ajoutée(s)"), "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM referral"), 2);
}

/// Bad rows in a workbook and a CSV: every one reported with the row number the spreadsheet
/// shows, the column and the reason; status 2; nothing written. `--simuler` writes nothing
/// either.
#[test]
fn bad_input_is_reported_by_row_column_and_reason_and_nothing_is_written() {
    let env = Env::new();
    let db = env.db();
    env.ok(&["init"]);
    let tables = [
        "request",
        "person",
        "history",
        "follow_up",
        "referral",
        "agent",
        "event",
    ];
    let before = common::dump(&db, &tables);

    let mut rows = team();
    rows[1][0] = Text("31/02/2025"); // row 3
    rows[3][1] = Text("voyage"); // row 5
    rows[4][12] = Empty; // row 6: closed without outcome
    rows[5][4] = Text("06 12"); // row 7
    let xlsx = env.path("erreurs.xlsx");
    write_xlsx(&xlsx, &[("Demandes", &rows)], xlsx_cell);
    let err = import_fails(&env, &db, &xlsx, &[]);
    for e in [
        "erreurs.xlsx : rien n'a été importé, 4 problème(s) à corriger :",
        "ligne 3, colonne « date » (« 31/02/2025 ») : date invalide",
        "ligne 5, colonne « type » (« voyage ») : type de demande inconnu ; vouliez-vous dire",
        "ligne 6, colonne « issue » : une demande close doit avoir une issue",
        "ligne 7, colonne « telephone » (« 06 12 ») : numéro de téléphone incomplet",
    ] {
        assert!(err.contains(e), "missing «{e}» in:\n{err}");
    }
    // The same rows as CSV: the two-line comment of row 2 does not shift the numbers.
    let csv = env.path("erreurs.csv");
    std::fs::write(&csv, csv_text(&rows, as_typed)).unwrap();
    let err = import_fails(&env, &db, &csv, &[]);
    assert!(err.contains("ligne 7, colonne « telephone »"), "{err}");
    assert!(err.contains("ligne 3, colonne « date »"), "{err}");
    let err = import_fails(&env, &db, &csv, &["--simuler"]);
    assert!(err.contains("4 problème(s)"), "{err}");

    // A zip that is no workbook is not called "not UTF-8".
    let zip = env.path("archive.xlsx");
    std::fs::write(&zip, b"PK\x03\x04 not a workbook at all").unwrap();
    let err = import_fails(&env, &db, &zip, &[]);
    assert!(err.contains("pas un classeur lisible"), "{err}");
    assert!(!err.contains("UTF-8"), "{err}");

    // A good file simulated: said, not written.
    let good = env.path("equipe.csv");
    std::fs::write(&good, csv_text(&team(), as_typed)).unwrap();
    let out = import(&env, &db, &good, &["--simuler"]);
    assert!(
        out.contains("Simulation, rien n'a été écrit : 6 ligne(s) lue(s) : 6 demande(s) à ajouter, 0 déjà présente(s), 2 orientation(s)."),
        "{out}"
    );
    assert_eq!(common::dump(&db, &tables), before, "nothing written");
}

#[test]
fn a_sheet_is_chosen_by_name_or_number() {
    let env = Env::new();
    let db = env.db();
    let rows = team();
    let notes: Vec<[Cell; 16]> = Vec::new();
    let xlsx = env.path("classeur.xlsx");
    write_xlsx(
        &xlsx,
        &[("Notes", &notes), ("Demandes 2025", &rows)],
        xlsx_cell,
    );
    let err = import_fails(&env, &db, &xlsx, &["--feuille", "Budget"]);
    assert!(
        err.contains(
            "pas de feuille « Budget » dans ce classeur (feuilles : « Notes », « Demandes 2025 »)"
        ),
        "{err}"
    );
    let out = import(
        &env,
        &db,
        &xlsx,
        &["--feuille", "demandes 2025", "--simuler"],
    );
    assert!(out.contains("6 demande(s) à ajouter"), "{out}");
    let out = import(&env, &db, &xlsx, &["--feuille", "2"]);
    assert!(out.contains("6 demande(s) ajoutée(s)"), "{out}");
    // The older form still works, on any spreadsheet.
    let out = env.ok(&["import", "csv", xlsx.to_str().unwrap(), "--feuille", "2"]);
    assert!(out.contains("6 déjà présente(s)"), "{out}");
}

#[test]
fn human_formats_show_labels_and_request_show_speaks_md_and_json_only() {
    let env = Env::new();
    let db = env.db();
    let file = env.path("equipe.csv");
    std::fs::write(&file, csv_text(&team(), as_typed)).unwrap();
    import(&env, &db, &file, &[]);
    let period = ["--from", "01/10/2025", "--to", "31/10/2025"];
    let weekly = env.ok(&[&["report", "weekly"][..], &period].concat());
    assert!(weekly.contains("Crèche"), "{weekly}");
    assert!(!weekly.contains(" creche "), "{weekly}");
    let summary = env.ok(&[&["report", "summary", "--format", "csv"][..], &period].concat());
    for label in [
        "Par type;Crèche;1",
        "Par canal;Rendez-vous;1",
        "Par statut;En attente du demandeur;1",
        "Par issue;Sans suite;1",
        "Orientations par partenaire;CPAM du Loiret;1",
    ] {
        assert!(summary.contains(label), "{label} missing: {summary}");
    }
    let json = env.ok(&[&["report", "summary", "--format", "json"][..], &period].concat());
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["by_channel"]["rendez_vous"], 1, "JSON keeps the codes");

    let list = env.ok(&["list", "--format", "md"]);
    assert!(
        list.contains("| A25-00004 | Crèche | En attente du demandeur |"),
        "{list}"
    );
    let md = env.ok(&["request", "show", "A25-00001", "--format", "md"]);
    assert!(md.starts_with("# A25-00001 — Bourse d'études\n"), "{md}");
    assert!(md.contains("- **Demandeur** : D'Aubigné Hélène"), "{md}");
    assert!(md.contains("## Journal"), "{md}");
    let json = env.ok(&["request", "show", "A25-00001", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["type"], "bourse");
    for format in ["csv", "xlsx"] {
        let err = env.fails(&["request", "show", "A25-00001", "--format", format], 2);
        assert!(
            err.contains("la fiche d'une demande s'affiche en table (défaut), md"),
            "{err}"
        );
    }
}
