//! Storage that survives real use, through the real binary in separate processes: backups while
//! a colleague writes, killed backups, damaged files, restore.

mod common;

use common::Env;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn integrity(path: &Path) -> String {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn count(path: &Path, table: &str) -> i64 {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Files the tests write themselves get the mode guichet expects of a private file.
fn private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A file with `n` requests entered through the command line's import.
fn with_requests(env: &Env, n: usize) {
    let mut csv = String::from("date;type;nom;prenom;email;commentaire\n");
    for i in 0..n {
        csv.push_str(&format!(
            "{:02}/0{}/2026;bourse;Nom{i};Prénom{i};p{i}@exemple.fr;Premier appel {i}\n",
            1 + i % 28,
            1 + i % 9
        ));
    }
    std::fs::write(env.path("in.csv"), csv).unwrap();
    env.ok(&["import", "csv", env.path("in.csv").to_str().unwrap()]);
}

#[test]
fn ten_backups_succeed_while_another_process_writes_every_100_ms() {
    let env = Env::new();
    with_requests(&env, 50);
    let reference = env.ok(&[
        "request", "add", "--type", "bourse", "--nom", "Roux", "--prenom", "Léa",
    ]);
    let reference = reference.trim().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let writes = {
        let stop = stop.clone();
        let db = env.db();
        let data = env.path("data");
        let reference = reference.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"))
                    .env("GUICHET_DB", &db)
                    .env("XDG_DATA_HOME", &data)
                    .args([
                        "follow-up",
                        "add",
                        &reference,
                        "--kind",
                        "note",
                        "--text",
                        "suivi",
                    ])
                    .output()
                    .unwrap();
                common::assert_succeeded(&out);
                n += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            n
        })
    };
    let mut previous = 0;
    for i in 0..10 {
        let out = env.path(&format!("copie-{i}.sqlite3"));
        env.ok(&["backup", out.to_str().unwrap()]);
        assert_eq!(integrity(&out), "ok");
        // The rows of its snapshot: every follow-up of the copy has its request, and the copies
        // grow as the colleague writes.
        let follow_ups = count(&out, "follow_up");
        assert!(
            follow_ups >= previous,
            "copy {i}: {follow_ups} < {previous}"
        );
        previous = follow_ups;
        env.ok(&["--db", out.to_str().unwrap(), "check"]);
    }
    stop.store(true, Ordering::Relaxed);
    let written = writes.join().unwrap();
    assert!(
        written >= 3,
        "the colleague wrote {written} times during the backups"
    );
    assert!(
        previous > 50,
        "the last copy holds the colleague's follow-ups"
    );
}

#[test]
fn a_killed_backup_leaves_nothing_behind_after_the_next_run() {
    let env = Env::new();
    with_requests(&env, 1500);
    let copies = env.path("copies");
    std::fs::create_dir(&copies).unwrap();
    // 30 backups killed at different moments (-9: no clean-up code runs).
    for i in 0..30u64 {
        let out = copies.join(format!("copie-{i}.sqlite3"));
        let mut child = env
            .cmd()
            .args(["backup", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis((i * 7) % 45));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // The next run into the folder removes what the killed ones left.
    env.ok(&["backup", copies.join("finale.sqlite3").to_str().unwrap()]);
    for name in names_in(&copies) {
        assert!(!name.contains("tmp"), "left behind: {name}");
        assert!(
            !name.ends_with("-wal") && !name.ends_with("-shm") && !name.ends_with("-journal"),
            "left behind: {name}"
        );
        // A run that finished before its kill left a whole, verified copy.
        assert_eq!(integrity(&copies.join(&name)), "ok", "{name}");
    }
    assert!(names_in(&copies).contains(&"finale.sqlite3".to_string()));
}

#[test]
fn backups_into_a_folder_keep_the_newest_and_the_daily_setting_is_kept() {
    let env = Env::new();
    with_requests(&env, 3);
    let dir = env.path("sauvegardes");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "à garder").unwrap();
    for _ in 0..4 {
        let out = env.ok(&[
            "backup",
            dir.to_str().unwrap(),
            "--garder",
            "2",
            "--chaque-jour",
        ]);
        assert!(out.contains("Copie vérifiée"), "{out}");
    }
    let names = names_in(&dir);
    let copies: Vec<&String> = names.iter().filter(|n| n.starts_with("guichet-")).collect();
    assert_eq!(copies.len(), 2, "{names:?}");
    assert!(
        names.contains(&"notes.txt".to_string()),
        "other files are left alone"
    );
    // --garder without a folder is refused.
    let err = env.fails(
        &[
            "backup",
            env.path("x.sqlite3").to_str().unwrap(),
            "--garder",
            "2",
        ],
        2,
    );
    assert!(err.contains("dossier"), "{err}");
    // A folder that does not exist is named as typed, never the hidden temporary file.
    let missing = env.path("cle-usb").join("copie.sqlite3");
    let err = env.fails(&["backup", missing.to_str().unwrap()], 2);
    assert!(
        err.contains(&format!(
            "{} : le dossier {} n'existe pas (créez-le d'abord : mkdir -p",
            missing.display(),
            env.path("cle-usb").display()
        )) && !err.contains("guichet-tmp"),
        "{err}"
    );
    let folder = format!("{}/", env.path("cle-usb").display());
    let err = env.fails(&["backup", &folder], 2);
    assert!(
        err.contains(&format!(
            "le dossier {} n'existe pas",
            env.path("cle-usb").display()
        )) && !err.contains("os error"),
        "{err}"
    );
    // A folder with a space: the mkdir to paste is quoted.
    let spaced = env.path("Mes copies").join("copie.sqlite3");
    let err = env.fails(&["backup", spaced.to_str().unwrap()], 2);
    assert!(
        err.contains(&format!("mkdir -p '{}'", env.path("Mes copies").display())),
        "{err}"
    );
    // A file given as a folder.
    let file = env.path("notes.csv");
    std::fs::write(&file, "x").unwrap();
    let err = env.fails(&["backup", &format!("{}/", file.display())], 2);
    assert!(err.contains("n'est pas un dossier"), "{err}");
}

#[test]
fn restore_puts_a_verified_copy_back_and_keeps_the_current_file_aside() {
    let env = Env::new();
    with_requests(&env, 5);
    let copy = env.path("copie.sqlite3");
    env.ok(&["backup", copy.to_str().unwrap()]);
    env.ok(&[
        "request", "add", "--type", "bourse", "--nom", "Après", "--prenom", "Copie",
    ]);
    let out = env.ok(&["restore", copy.to_str().unwrap()]);
    assert!(out.contains("gardé"), "{out}");
    assert_eq!(count(&env.db(), "request"), 5);
    let aside: Vec<String> = names_in(env.dir.path())
        .into_iter()
        .filter(|n| {
            n.starts_with("guichet.sqlite3.abime-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", names_in(env.dir.path()));
    assert_eq!(
        count(&env.path(&aside[0]), "request"),
        6,
        "the replaced file is kept whole"
    );
    // A file that is not a verified guichet copy is refused, nothing moved.
    std::fs::write(env.path("faux.sqlite3"), "pas une base").unwrap();
    let err = env.fails(&["restore", env.path("faux.sqlite3").to_str().unwrap()], 2);
    assert!(err.contains("pas un fichier guichet"), "{err}");
    assert_eq!(count(&env.db(), "request"), 5);
}

/// xorshift: the same damaged copies on every run.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn no_write_is_accepted_on_a_file_that_check_calls_damaged() {
    let env = Env::new();
    with_requests(&env, 40);
    let clean = env.path("propre.sqlite3");
    env.ok(&["backup", clean.to_str().unwrap()]);
    let bytes = std::fs::read(&clean).unwrap();
    let (mut damaged, mut accepted_on_damaged, mut refused) = (0, 0, 0);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..100 {
        let mut copy = bytes.clone();
        let at = (next(&mut seed) as usize) % copy.len();
        copy[at] ^= 1 << (next(&mut seed) % 8);
        let path = env.path(&format!("abime-{i}.sqlite3"));
        std::fs::write(&path, &copy).unwrap();
        private(&path);
        let p = path.to_str().unwrap();
        let checked = env.run(&["--db", p, "check"]);
        // Alterations only the hash chains see (a flipped bit in a sealed history or access-log
        // value) are reported for the data-protection officer but do not make the file
        // read-only: damage is what SQLite's own checks find.
        let problems = String::from_utf8_lossy(&checked.stderr).into_owned();
        let chains_only = problems.contains("le contrôle a trouvé")
            && problems.lines().skip(1).all(|l| {
                l.trim().is_empty()
                    || l.starts_with("historique :")
                    || l.starts_with("journal des accès :")
            });
        let says_damaged = checked.status.code() == Some(1) && !chains_only;
        assert!(
            checked.status.success() || checked.status.code() == Some(1),
            "{problems}"
        );
        // A flipped bit in a stored text is named by the check, not a raw decoding error.
        assert!(!problems.contains("invalid utf-8"), "{problems}");
        let add = env.run(&[
            "--db", p, "request", "add", "--type", "bourse", "--nom", "Neuf", "--prenom", "Ana",
        ]);
        if says_damaged {
            damaged += 1;
            if add.status.success() {
                accepted_on_damaged += 1;
            } else {
                let err = String::from_utf8_lossy(&add.stderr);
                assert!(!err.contains("database disk image"), "raw English: {err}");
                if err.contains("abîmé") {
                    refused += 1;
                    assert!(err.contains("guichet restore"), "{err}");
                }
            }
        }
    }
    assert_eq!(accepted_on_damaged, 0, "{damaged} damaged copies");
    assert!(damaged >= 5, "the flips damaged only {damaged} copies");
    assert!(refused >= 1);
}

#[test]
fn a_damaged_file_is_found_at_open_and_every_write_names_the_newest_backup() {
    let env = Env::new();
    with_requests(&env, 40);
    let copy = env.path("copie.sqlite3");
    env.ok(&["backup", copy.to_str().unwrap()]);
    // Damage the file the team works on: a table page of the requests scrambled.
    env.ok(&["backup", env.path("travail.sqlite3").to_str().unwrap()]);
    let work = env.path("travail.sqlite3");
    let mut bytes = std::fs::read(&work).unwrap();
    let page = 4096;
    let pages = bytes.len() / page;
    // Two pages that hold the requests' rows, not the schema nor an empty table's root (whose
    // places move as migrations add tables; a scrambled schema is refused before the check
    // that records the damage, a scrambled empty page may go unnoticed).
    let row_pages: Vec<usize> = rusqlite::Connection::open(&work)
        .unwrap()
        .prepare("SELECT pageno FROM dbstat WHERE name = 'request' AND ncell > 0 ORDER BY pageno")
        .unwrap()
        .query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|p| p.unwrap() as usize - 1)
        .collect();
    let middle: Vec<usize> = row_pages
        .into_iter()
        .filter(|p| *p < pages)
        .take(2)
        .collect();
    assert!(!middle.is_empty(), "the requests' pages");
    for p in middle {
        for b in &mut bytes[p * page + 8..p * page + 40] {
            *b ^= 0x5a;
        }
    }
    std::fs::write(&work, &bytes).unwrap();
    let w = work.to_str().unwrap();
    // The newest verified copy this file knows of: recorded by a backup made from it before.
    let err = env.fails(
        &[
            "--db", w, "request", "add", "--type", "bourse", "--nom", "A", "--prenom", "B",
        ],
        1,
    );
    assert!(
        err.contains("abîmé") && err.contains("lecture seule"),
        "{err}"
    );
    assert!(err.contains("guichet restore"), "{err}");
    assert!(env.path("travail.sqlite3.abime").exists());
    // Reading still works where the pages allow it; writes stay refused.
    let err = env.fails(&["--db", w, "agent", "add", "Zoé Tran"], 1);
    assert!(err.contains("abîmé"), "{err}");
    // Restored from the copy, the file takes writes again and the damaged one is kept aside.
    env.ok(&["--db", w, "restore", copy.to_str().unwrap()]);
    assert!(!env.path("travail.sqlite3.abime").exists());
    env.ok(&[
        "--db", w, "request", "add", "--type", "bourse", "--nom", "A", "--prenom", "B",
    ]);
}

#[test]
fn the_interface_makes_one_verified_copy_a_day_when_a_folder_is_set() {
    let env = Env::new();
    with_requests(&env, 3);
    let dir = env.path("quotidien");
    std::fs::create_dir(&dir).unwrap();
    let mut store = guichet::Store::open(&env.db()).unwrap();
    assert_eq!(store.startup_notice(), None, "no folder set: nothing to do");
    store.set_daily_backup(&dir, Some(5)).unwrap();
    let (text, error) = store.startup_notice().expect("a copy today");
    assert!(
        !error && text.contains("Sauvegarde du jour vérifiée"),
        "{text}"
    );
    assert_eq!(store.startup_notice(), None, "one a day");
    let names = names_in(&dir);
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(integrity(&dir.join(&names[0])), "ok");
}

/// Escape payloads: CSI, OSC 0 / 8 / 52, DCS, BEL, C1, NUL (from a file only: arguments cannot
/// hold it), bidi override and isolate.
const PAYLOAD: &str = "X\u{1b}[2J\u{1b}]0;titre\u{7}\u{1b}]8;;http://x\u{1b}\\lien\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}P1$r\u{1b}\\\u{9b}31m\u{202e}\u{2066}Y";

/// Raw bytes a terminal would act on: C0 controls but line breaks and tabs, DEL, C1 (as UTF-8),
/// bidi controls.
fn raw_controls(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.char_indices()
        .filter(|(_, c)| {
            let u = *c as u32;
            (u < 0x20 && !matches!(c, '\n' | '\r' | '\t'))
                || u == 0x7f
                || (0x80..=0x9f).contains(&u)
                || matches!(u, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c)
        })
        .map(|(i, c)| {
            format!(
                "U+{:04X} at {i}: {:?}",
                c as u32,
                &text[i.saturating_sub(20)..i]
            )
        })
        .collect()
}

#[test]
fn no_command_or_export_lets_a_raw_control_byte_out() {
    let env = Env::new();
    let p = PAYLOAD;
    let reference = env.ok(&[
        "request",
        "add",
        "--type",
        "bourse",
        "--nom",
        &format!("Nom{p}"),
        "--prenom",
        "Ana",
        "--email",
        "ana@exemple.fr",
        "--commentaire",
        p,
    ]);
    let reference = reference.trim().to_string();
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut run = |args: &[&str]| {
        let out = env.run(args);
        outputs.push((format!("{args:?} stdout"), out.stdout));
        outputs.push((format!("{args:?} stderr"), out.stderr));
    };
    run(&["agent", "add", &format!("Agent{p}")]);
    run(&["event", "add", &format!("Salon{p}"), "--date", "01/11/2026"]);
    run(&[
        "ref",
        "add-partner",
        "hostile",
        &format!("Partenaire{p}"),
        "--phone",
        p,
    ]);
    run(&[
        "referral",
        "add",
        &reference,
        "--partenaire",
        "hostile",
        "--note",
        p,
        "--date",
        "01/11/2026",
    ]);
    run(&[
        "referral",
        "answer",
        &reference,
        "--partenaire",
        "hostile",
        "--reponse",
        "favorable",
    ]);
    run(&[
        "follow-up",
        "add",
        &reference,
        "--kind",
        "note",
        "--text",
        p,
    ]);
    run(&["request", "update", &reference, "--resume", p]);
    // A value stored by an older version or a merged file, never checked at the door.
    {
        let c = Connection::open(env.db()).unwrap();
        c.execute(
            "UPDATE request_type SET label = ?1 WHERE code = 'bourse'",
            [format!("Bourse\0{p}")],
        )
        .unwrap();
        c.execute("UPDATE person SET first_name = ?1", [format!("Ana\0{p}")])
            .unwrap();
    }
    let files = env.path("exports");
    std::fs::create_dir(&files).unwrap();
    let f = |name: &str| files.join(name).to_str().unwrap().to_string();
    for format in ["table", "csv", "json"] {
        run(&["list", "--format", format]);
        run(&[
            "report",
            "summary",
            "--from",
            "01/01/2026",
            "--to",
            "30/11/2026",
            "--format",
            format,
        ]);
    }
    for kind in ["review", "partners", "backlog", "weekly"] {
        for format in ["table", "csv", "json", "md"] {
            if kind == "weekly" && format == "md" {
                continue;
            }
            run(&[
                "report",
                kind,
                "--from",
                "01/10/2026",
                "--to",
                "30/11/2026",
                "--format",
                format,
            ]);
        }
    }
    run(&["list", "--format", "csv", "--out", &f("liste.csv")]);
    run(&["list", "--format", "json", "--out", &f("liste.json")]);
    run(&[
        "report",
        "review",
        "--from",
        "01/10/2026",
        "--to",
        "30/11/2026",
        "--format",
        "md",
        "--out",
        &f("bilan.md"),
    ]);
    run(&[
        "report",
        "partners",
        "--from",
        "01/10/2026",
        "--to",
        "30/11/2026",
        "--format",
        "csv",
        "--out",
        &f("partenaires.csv"),
    ]);
    run(&["request", "show", &reference]);
    run(&["request", "show", &reference, "--format", "json"]);
    run(&["agent", "list"]);
    run(&["event", "list"]);
    for list in ["types", "canaux", "partenaires", "offres"] {
        run(&["ref", "list", list]);
    }
    run(&[
        "salon",
        "prepare",
        "--event",
        &format!("Salon{p}"),
        "--date",
        "01/12/2026",
        "--out",
        &f("portable.sqlite3"),
    ]);
    run(&["pending"]);
    run(&["check"]);
    run(&[
        "request",
        "add",
        "--type",
        &format!("inconnu{p}"),
        "--nom",
        "A",
        "--prenom",
        "B",
    ]);
    for entry in std::fs::read_dir(&files).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e != "sqlite3") {
            outputs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    let logs = env.path("data").join("guichet");
    let mut logged = 0;
    for entry in std::fs::read_dir(&logs).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with(".log")
        {
            logged += 1;
            outputs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    assert!(logged >= 1, "a dated log file");
    // The checker sees what it looks for.
    assert!(!raw_controls(PAYLOAD.as_bytes()).is_empty());
    let mut leaks = Vec::new();
    for (what, bytes) in &outputs {
        for l in raw_controls(bytes) {
            leaks.push(format!("{what}: {l}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} raw control bytes:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    // The payload really went through: the names are there, neutralised.
    let shown = String::from_utf8_lossy(
        &outputs
            .iter()
            .find(|(w, _)| w.contains("\"show\""))
            .unwrap()
            .1,
    )
    .into_owned();
    assert!(shown.contains("Ana^@X^[[2J"), "{shown}");
}

#[test]
fn a_rejected_value_never_reaches_the_log() {
    let env = Env::new();
    let marker = "MARQUEUR-7f3a";
    env.fails(
        &[
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "A",
            "--prenom",
            "B",
            "--email",
            &format!("{marker}@@"),
        ],
        2,
    );
    std::fs::write(
        env.path("rejet.csv"),
        format!("date;type;nom;prenom;email\n32/13/2026;bourse;{marker};B;{marker}@@\n"),
    )
    .unwrap();
    env.fails(
        &["import", "csv", env.path("rejet.csv").to_str().unwrap()],
        2,
    );
    env.fails(&["request", "show", marker], 2);
    let logs = env.path("data").join("guichet");
    let mut text = String::new();
    for entry in std::fs::read_dir(&logs).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    assert!(
        text.contains("command failed"),
        "the failures are logged: {text}"
    );
    assert_eq!(text.matches(marker).count(), 0, "{text}");
}

/// A small tmpfs mounted for one test (root only), unmounted when dropped.
struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).ok()?;
        let ok = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Some(Mount(at.to_path_buf()))
        } else {
            eprintln!("skipped: mounting a tmpfs needs root");
            None
        }
    }

    fn read_only(&self) -> bool {
        std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_full_disk_is_named_and_leaves_nothing_behind() {
    let env = Env::new();
    let disk = env.path("petit");
    let Some(_mount) = Mount::tmpfs(&disk, "1m") else {
        return;
    };
    let db = disk.join("guichet.sqlite3");
    let d = db.to_str().unwrap();
    env.ok(&[
        "--db", d, "request", "add", "--type", "bourse", "--nom", "Avant", "--prenom", "Ana",
    ]);
    // Fill the disk.
    {
        use std::io::Write;
        let mut filler = std::fs::File::create(disk.join("remplissage")).unwrap();
        let chunk = vec![0u8; 4096];
        while filler
            .write_all(&chunk)
            .and_then(|()| filler.sync_all())
            .is_ok()
        {}
    }
    let err = env.fails(
        &[
            "--db",
            d,
            "request",
            "add",
            "--type",
            "bourse",
            "--nom",
            "Plein",
            "--prenom",
            "Disque",
            "--commentaire",
            &"texte ".repeat(2000),
        ],
        1,
    );
    assert!(err.contains("disque plein"), "{err}");
    assert!(
        !err.contains("pas un fichier guichet") && !err.contains("disk is full"),
        "{err}"
    );
    // Reading still works; an export that cannot be written leaves no file.
    let listed = env.run(&["--db", d, "list"]);
    let listed_err = String::from_utf8_lossy(&listed.stderr);
    assert!(
        !listed_err.contains("pas un fichier guichet"),
        "{listed_err}"
    );
    let out = disk.join("export.csv");
    let err = env.run(&[
        "--db",
        d,
        "list",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    if !err.status.success() {
        let text = String::from_utf8_lossy(&err.stderr);
        assert!(text.contains("disque plein"), "{text}");
        assert!(!out.exists(), "a truncated export under its final name");
    }
    let leftovers: Vec<String> = names_in(&disk)
        .into_iter()
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_file(disk.join("remplissage")).unwrap();
    assert_eq!(count(&db, "request"), 1, "nothing half-written");
    env.ok(&["--db", d, "check"]);
}

/// A laptop file prepared for a fair with one visitor captured, closed cleanly.
fn laptop_with_one_capture(env: &Env) -> std::path::PathBuf {
    env.ok(&["init"]);
    let laptop = env.path("portable.sqlite3");
    let l = laptop.to_str().unwrap();
    env.ok(&[
        "salon",
        "prepare",
        "--event",
        "Forum",
        "--date",
        "12/11/2026",
        "--out",
        l,
    ]);
    env.ok(&[
        "--db", l, "request", "add", "--type", "bourse", "--nom", "Salon", "--prenom", "Léa",
    ]);
    assert!(!env.path("portable.sqlite3-wal").exists(), "closed cleanly");
    laptop
}

/// `file` copied onto a tmpfs remounted read-only (root only; `None` elsewhere).
fn on_write_protected_key(env: &Env, file: &Path) -> Option<(Mount, std::path::PathBuf)> {
    let key = env.path("cle");
    let mount = Mount::tmpfs(&key, "4m")?;
    let on_key = key.join(file.file_name().unwrap());
    std::fs::copy(file, &on_key).unwrap();
    private(&on_key);
    if !mount.read_only() {
        eprintln!("skipped: cannot remount read-only");
        return None;
    }
    Some((mount, on_key))
}

#[test]
fn foreign_and_laptop_files_are_read_without_companions_even_on_a_write_protected_key() {
    let env = Env::new();
    let laptop = laptop_with_one_capture(&env);
    // From a writable folder: nothing written beside the laptop file.
    let copy = env.path("copie-portable.sqlite3");
    std::fs::copy(&laptop, &copy).unwrap();
    let before = names_in(env.dir.path());
    guichet::store::open_immutable(&copy).unwrap();
    let shown = guichet::Store::open_read_only(&copy).unwrap();
    assert!(shown.meta("file_id").unwrap().is_some());
    drop(shown);
    assert_eq!(
        names_in(env.dir.path()),
        before,
        "no -wal or -shm beside a foreign file"
    );
    // A refused file gets no companion either.
    let foreign = env.path("autre.sqlite3");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x);")
        .unwrap();
    let before = names_in(env.dir.path());
    let err = env.fails(&["merge", foreign.to_str().unwrap()], 2);
    assert!(err.contains("pas un fichier guichet"), "{err}");
    assert_eq!(names_in(env.dir.path()), before);
    // On a write-protected medium.
    let Some((_mount, on_key)) = on_write_protected_key(&env, &laptop) else {
        return;
    };
    let store = guichet::Store::open_read_only(&on_key).expect("readable on a read-only key");
    assert!(store.meta("file_id").unwrap().is_some());
    drop(store);
    assert_eq!(
        names_in(on_key.parent().unwrap()),
        vec!["portable.sqlite3".to_string()]
    );
}

/// Enable once the merge opens the laptop file through `store::open_immutable` (the merge
/// code in `salon.rs` still opens it with a plain read-only connection, which SQLite cannot do
/// for a WAL file on a write-protected medium).
#[test]
fn guichet_merge_reads_a_laptop_file_on_a_write_protected_key() {
    let env = Env::new();
    let laptop = laptop_with_one_capture(&env);
    let Some((_mount, on_key)) = on_write_protected_key(&env, &laptop) else {
        return;
    };
    let out = env.ok(&["merge", on_key.to_str().unwrap()]);
    assert!(out.contains("1 demande(s) ajoutée(s)"), "{out}");
    assert_eq!(
        names_in(on_key.parent().unwrap()),
        vec!["portable.sqlite3".to_string()]
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn a_file_open_to_others_is_refused_with_the_chmod_and_companions_stay_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    with_requests(&env, 2);
    let db = env.db();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let err = env.fails(&["list"], 2);
    assert!(err.contains("chmod 600"), "{err}");
    assert_eq!(mode(&db), 0o666, "the mode is the user's to change");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = env.fails(
        &[
            "request", "add", "--type", "bourse", "--nom", "A", "--prenom", "B",
        ],
        2,
    );
    assert!(err.contains("chmod 600"), "{err}");
    assert_eq!(count(&db, "request"), 2);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.ok(&["list"]);
    // Companions: 0600 whatever the umask of the process that opens the file.
    let old = unsafe { libc::umask(0) };
    let mut store = guichet::Store::open(&db).unwrap();
    unsafe { libc::umask(old) };
    store
        .add_agent("Zoé Tran", None, guichet::domain::Role::Agent)
        .unwrap();
    for c in ["guichet.sqlite3-wal", "guichet.sqlite3-shm"] {
        assert_eq!(mode(&env.path(c)), 0o600, "{c}");
    }
    drop(store);
}

#[cfg(unix)]
#[test]
fn a_set_group_id_team_folder_shares_the_file_with_the_group() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let team = env.path("equipe");
    std::fs::create_dir(&team).unwrap();
    std::fs::set_permissions(&team, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let db = team.join("guichet.sqlite3");
    let d = db.to_str().unwrap();
    env.ok(&["--db", d, "init"]);
    assert_eq!(mode(&db), 0o600, "created private");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    env.ok(&[
        "--db", d, "request", "add", "--type", "bourse", "--nom", "A", "--prenom", "B",
    ]);
    let store = guichet::Store::open(&db).unwrap();
    store.data_version().unwrap();
    assert_eq!(
        mode(&team.join("guichet.sqlite3-shm")),
        0o660,
        "the group's companions"
    );
    drop(store);
    // Others are never let in, even in a team folder.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o664)).unwrap();
    env.fails(&["--db", d, "list"], 2);
}

#[test]
fn text_is_normalised_at_the_door_and_absurd_dates_refused() {
    let env = Env::new();
    // Decomposed accents, a zero-width space, a soft hyphen and a bidi isolate in a name.
    let typed = "He\u{301}le\u{300}ne";
    env.ok(&[
        "request",
        "add",
        "--type",
        "bourse",
        "--nom",
        "Du\u{200b}pon\u{ad}t\u{2066}",
        "--prenom",
        typed,
        "--email",
        "he\u{200d}lene@exemple.fr",
    ]);
    let c = Connection::open(env.db()).unwrap();
    let (last, first, email): (String, String, String) = c
        .query_row("SELECT last_name, first_name, email FROM person", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(
        (last.as_str(), first.as_str(), email.as_str()),
        ("Dupont", "Hélène", "helene@exemple.fr")
    );
    // Every visible spelling finds her.
    let store = guichet::Store::open(&env.db()).unwrap();
    for q in [
        "Dupont",
        "dupont",
        "Hélène",
        "He\u{301}le\u{300}ne",
        "Du\u{200b}pont",
        "helene@exemple.fr",
    ] {
        let filter = guichet::store::RequestFilter {
            search: Some(q.to_string()),
            ..Default::default()
        };
        let found = store
            .queue(&filter, guichet::store::QueueOrder::Reference, 0, 10)
            .unwrap();
        assert_eq!(found.len(), 1, "{q:?}");
    }
    drop(store);
    // Free text keeps what was typed (shown neutralised), composed.
    env.ok(&[
        "follow-up",
        "add",
        "A26-00001",
        "--kind",
        "note",
        "--text",
        "re\u{301}ponse \u{202e}",
    ]);
    let body: String = c
        .query_row("SELECT body FROM follow_up", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "réponse \u{202e}");
    for bad in ["01/01/0000", "31/12/1899", "01/01/2101", "+40000"] {
        let err = env.fails(
            &[
                "request", "add", "--type", "bourse", "--nom", "A", "--prenom", "B", "--date", bad,
            ],
            2,
        );
        assert!(err.contains("date invalide"), "{bad}: {err}");
    }
    env.ok(&[
        "request",
        "add",
        "--type",
        "bourse",
        "--nom",
        "A",
        "--prenom",
        "B",
        "--date",
        "01/01/1900",
    ]);
}

#[test]
fn a_clean_check_lifts_a_damage_marker_left_by_a_file_put_back_by_hand() {
    let env = Env::new();
    with_requests(&env, 2);
    std::fs::write(env.path("guichet.sqlite3.abime"), "contrôle en échec\n").unwrap();
    let add = [
        "request", "add", "--type", "bourse", "--nom", "A", "--prenom", "B",
    ];
    let err = env.fails(&add, 1);
    assert!(err.contains("lecture seule"), "{err}");
    assert_eq!(count(&env.db(), "request"), 2);
    env.ok(&["check"]);
    assert!(!env.path("guichet.sqlite3.abime").exists());
    env.ok(&add);
}

/// A file of an older schema on a write-protected medium cannot be brought up to date: it is
/// refused at opening, saying why and what to do, instead of lists and counts reading tables
/// it does not have yet. The same file, writable, is migrated and listed.
#[cfg(unix)]
#[test]
fn an_older_file_that_cannot_be_written_is_refused_with_what_to_do() {
    let env = Env::new();
    let writable = env.path("ancien.sqlite3");
    std::fs::copy("tests/fixtures/schema1.sqlite3", &writable).unwrap();
    private(&writable);
    let Some((_mount, on_key)) = on_write_protected_key(&env, &writable) else {
        return;
    };
    let out = env.run(&["--db", on_key.to_str().unwrap(), "list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // Like every file the user names that cannot be used as it is (open to others, foreign).
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("lecture seule"), "{err}");
    assert!(err.contains("version antérieure"), "{err}");
    assert!(err.contains("ouvrez-le une fois"), "{err}");
    assert!(out.stdout.is_empty());

    env.ok(&["--db", writable.to_str().unwrap(), "list"]);
}
