//! The real binary in a pseudo-terminal (portable-pty + vt100): it starts, shows, answers keys,
//! writes the file, follows other processes and gives the terminal back. Every wait is for a
//! text on the screen, with a generous deadline.

mod common;

use common::Env;
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use rusqlite::Connection;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The interface on `db`, as an agent starts it.
fn interface_command(env: &Env, db: &std::path::Path, agent: Option<&str>) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_guichet"));
    cmd.env("GUICHET_DB", db);
    cmd.env("GUICHET_TODAY", common::TODAY);
    cmd.env("XDG_DATA_HOME", env.path("data"));
    cmd.env("HOME", env.dir.path());
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("GUICHET_AGENT");
    if let Some(a) = agent {
        cmd.env("GUICHET_AGENT", a);
    }
    cmd
}

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
}

const DEADLINE: Duration = Duration::from_secs(20);

impl Term {
    fn start(env: &Env, agent: Option<&str>) -> Term {
        Term::start_on(env, &env.db(), agent)
    }

    fn start_on(env: &Env, db: &std::path::Path, agent: Option<&str>) -> Term {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let child = pty
            .slave
            .spawn_command(interface_command(env, db, agent))
            .expect("spawn guichet");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(30).unwrap(),
            NonZeroU16::new(100).unwrap(),
            0,
        )));
        let sink = Arc::clone(&parser);
        std::thread::spawn(move || {
            let _master = pty.master; // keep the pty open while reading
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            parser,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until `text` is on the screen; fails with the screen after the deadline.
    fn wait_for(&self, text: &str) -> Duration {
        self.wait_for_within(text, DEADLINE)
    }

    fn wait_for_within(&self, text: &str, deadline: Duration) -> Duration {
        let start = Instant::now();
        loop {
            if self.screen().contains(text) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < deadline,
                "«{text}» not shown within {deadline:?}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the program to end and returns whether it succeeded.
    fn wait_exit(&mut self) -> bool {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(
                start.elapsed() < DEADLINE,
                "guichet did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The terminal is given back: main screen, cursor shown.
    fn assert_restored(&self) {
        let start = Instant::now();
        loop {
            let (alt, hidden) = {
                let p = self.parser.lock().unwrap();
                (p.screen().alternate_screen(), p.screen().hide_cursor())
            };
            if !alt && !hidden {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "terminal not restored (alternate {alt}, cursor hidden {hidden})"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

const ESC: &str = "\x1b";
const ENTER: &str = "\r";
const TAB: &str = "\t";
const CTRL_S: &str = "\x13";

#[test]
fn an_empty_file_shows_the_welcome_and_q_gives_the_terminal_back() {
    let env = Env::new();
    let mut t = Term::start(&env, None);
    t.wait_for("Bienvenue dans guichet");
    t.wait_for("charger des données de démonstration");
    t.send("q");
    assert!(t.wait_exit());
    t.assert_restored();
}

#[test]
fn an_agent_finds_a_person_opens_the_request_and_logs_a_follow_up() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "300", "--seed", "3"]);
    let (reference, last, first): (String, String, String) = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT r.reference, p.last_name, p.first_name FROM request r JOIN person p ON p.id = r.person_id \
             WHERE r.status <> 'close' ORDER BY r.reference LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let mut t = Term::start(&env, Some("Julien Moreau"));
    t.wait_for("Ma file");
    t.wait_for("Toutes 300");
    t.send("/");
    t.wait_for("Rechercher :");
    t.send(&format!("{last} {first}"));
    t.wait_for(&reference);
    // Only that person is listed.
    let screen = t.screen();
    let listed: Vec<&str> = screen.lines().filter(|l| l.contains("A2")).collect();
    assert!(!listed.is_empty());
    assert!(
        listed.iter().all(|l| l.contains(&last.to_uppercase())),
        "only {last} {first}:\n{screen}"
    );
    let row = listed.iter().position(|l| l.contains(&reference)).unwrap();
    for _ in 0..row {
        t.send("\x1b[B"); // down
    }
    t.send(ENTER);
    t.wait_for("Journal (");
    t.wait_for(&format!("{reference} ·"));
    t.send("f");
    t.wait_for(&format!("Suivi — {reference}"));
    t.send(TAB);
    t.send(TAB);
    t.send("Appel de suivi depuis le terminal");
    t.send(CTRL_S);
    t.wait_for("Suivi enregistré.");
    t.wait_for("Appel de suivi depuis le terminal");
    let n: i64 = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM follow_up f JOIN request r ON r.id = f.request_id \
             WHERE r.reference = ?1 AND f.body = 'Appel de suivi depuis le terminal' AND f.created_by = 'Julien Moreau'",
            [&reference],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1, "the follow-up is in the file");
    t.send(ESC);
    // Back to the search results it was opened from, then to the queues.
    t.wait_for("Rechercher :");
    t.wait_for(&reference);
    t.send(ESC);
    t.wait_for("Tab file suivante");
    t.send("q");
    assert!(t.wait_exit());
    t.assert_restored();
}

#[test]
fn a_request_added_by_another_process_appears_within_two_seconds() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "50", "--seed", "5"]);
    let mut t = Term::start(&env, Some("Julien Moreau"));
    t.wait_for("Toutes 50");
    let reference = env.ok(&[
        "request", "add", "--type", "logement", "--nom", "Depuis", "--prenom", "Ailleurs",
    ]);
    assert!(reference.starts_with("A26-"));
    let waited = t.wait_for_within("Toutes 51", Duration::from_secs(2));
    eprintln!("shown after {waited:?}");
    t.send("q");
    assert!(t.wait_exit());
    t.assert_restored();
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "20", "--seed", "2"]);
    let mut t = Term::start(&env, Some("Karim Benali"));
    t.wait_for("Ma file");
    t.send("\x03");
    assert!(t.wait_exit());
    t.assert_restored();
}

#[test]
fn three_visitors_are_captured_with_the_keyboard_alone_on_a_salon_laptop() {
    let env = Env::new();
    env.ok(&["init"]);
    let laptop = env.path("portable.sqlite3");
    env.ok(&[
        "salon",
        "prepare",
        "--event",
        "Salon de l'étudiant",
        "--date",
        "22/11/2026",
        "--out",
        laptop.to_str().unwrap(),
    ]);
    let mut t = Term::start_on(&env, &laptop, Some("Karim Benali"));
    t.wait_for("Saisie rapide");
    t.wait_for("Aujourd'hui : 0 visiteur");
    let right = "\x1b[C";
    for (last, first, phone) in [
        ("Martin", "Zoé", "0611223344"),
        ("Dupont", "Jean", "0612345678"),
        ("Benali", "Inès", "0698765432"),
    ] {
        t.send(&format!(
            "{last}{TAB}{first}{TAB}{phone}{TAB}{TAB}{TAB}{TAB} {TAB}Stand{TAB}{right}"
        ));
        t.send(CTRL_S);
        t.wait_for(&format!("Enregistré : {}", last.to_uppercase()));
    }
    t.wait_for("Aujourd'hui : 3 visiteurs");
    let n: i64 = Connection::open(&laptop)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM request WHERE status = 'a_qualifier' AND channel_code = 'salon'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 3);
    t.send(ESC);
    t.wait_for("Entrée : saisir le visiteur suivant");
    t.send("q");
    assert!(t.wait_exit());
    t.assert_restored();
}

#[test]
fn sigterm_and_sighup_restore_the_terminal_like_ctrl_c() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "20", "--seed", "2"]);
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        let mut t = Term::start(&env, Some("Karim Benali"));
        t.wait_for("Ma file");
        let pid = t.child.process_id().expect("pid") as libc::pid_t;
        // SAFETY: sends a signal to the child process this test started.
        unsafe {
            libc::kill(pid, signal);
        }
        t.wait_exit();
        t.assert_restored();
    }
}

/// The interface, as Karim Benali, in a pseudo-terminal this test reads itself and can close
/// like a window (`Term` keeps its terminal open until the end).
struct Window {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    reader: Box<dyn Read + Send>,
    writer: Box<dyn Write + Send>,
    parser: vt100::Parser,
}

impl Window {
    fn open(env: &Env) -> Window {
        let size = PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pty = native_pty_system().openpty(size).expect("pty");
        let child = pty
            .slave
            .spawn_command(interface_command(env, &env.db(), Some("Karim Benali")))
            .expect("spawn guichet");
        drop(pty.slave);
        Window {
            child,
            reader: pty.master.try_clone_reader().expect("reader"),
            writer: pty.master.take_writer().expect("writer"),
            master: pty.master,
            parser: vt100::Parser::new(
                NonZeroU16::new(30).unwrap(),
                NonZeroU16::new(100).unwrap(),
                0,
            ),
        }
    }

    /// Reads until `text` is on the screen.
    fn wait(&mut self, text: &str) {
        let mut buf = [0u8; 8192];
        while !self.parser.screen().contents().contains(text) {
            let n = self.reader.read(&mut buf).expect("read the interface");
            assert!(n > 0, "the interface ended before showing «{text}»");
            self.parser.process(&buf[..n]);
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Closes the window, and waits for the interface to end.
    fn close(self) {
        let Window {
            mut child,
            master,
            reader,
            writer,
            ..
        } = self;
        drop(writer);
        drop(reader);
        drop(master);
        let start = Instant::now();
        while child.try_wait().expect("child status").is_none() {
            if start.elapsed() > DEADLINE {
                let _ = child.kill(); // leave no spinning process behind
                panic!("guichet still runs after its terminal was closed");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn a_closed_terminal_window_ends_the_interface_instead_of_spinning() {
    // A closed window or a dropped ssh: the tty is gone. crossterm's reader then spins on it
    // forever (100 % of a core, found in a tmux tour); the interface must end instead.
    let env = Env::new();
    env.ok(&["demo", "--requests", "20", "--seed", "2"]);
    let mut w = Window::open(&env);
    w.wait("Ma file");
    w.close();
}

#[test]
fn without_a_terminal_the_interface_says_so_in_french_and_exits_1() {
    let env = Env::new();
    env.ok(&["init"]);
    let out = env
        .cmd()
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run guichet");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("l'interface a besoin d'un terminal"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Counts what the agent presses: one call, one keystroke; typed text, one per character.
struct Keys<'a> {
    t: &'a mut Term,
    count: usize,
}

impl Keys<'_> {
    fn press(&mut self, key: &str) {
        self.t.send(key);
        self.count += 1;
    }
    fn type_text(&mut self, text: &str) {
        self.t.send(text);
        self.count += text.chars().count();
    }
}

#[test]
fn a_known_person_phones_about_a_creche_need_recorded_with_a_follow_up_in_35_keystrokes_at_most() {
    let env = Env::new();
    env.ok(&["init"]);
    for (nom, prenom) in [("Dupont", "Jeanne"), ("Martin", "Paul"), ("Durand", "Léa")] {
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
            "06 12 34 56 78",
        ]);
    }
    let mut t = Term::start(&env, Some("Julien Moreau"));
    t.wait_for("Ma file");
    let mut k = Keys {
        t: &mut t,
        count: 0,
    };
    k.press("/");
    k.t.wait_for("Rechercher :");
    k.type_text("dupont");
    k.t.wait_for("DUPONT Jeanne");
    k.press(ENTER);
    k.t.wait_for("Journal (");
    k.press("n");
    k.t.wait_for("Nouvelle demande pour Dupont Jeanne");
    k.press("c"); // the types: to "Crèche"
    k.press(" "); // ticked
    for _ in 0..5 {
        k.press(TAB); // to "Relance le"
    }
    k.type_text("+3");
    k.t.wait_for("mercredi 25/11/2026");
    k.press(CTRL_S);
    k.t.wait_for("Enregistrée : A26-00004");
    let count = k.count;
    eprintln!("{count} keystrokes");
    assert!(count <= 35, "{count} keystrokes");
    let (person_same, next, contacts): (i64, String, i64) = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT (SELECT person_id FROM request WHERE reference = 'A26-00001') = r.person_id, \
             r.next_follow_up_on, (SELECT count(*) FROM follow_up f WHERE f.request_id = r.id \
             AND f.kind = 'appel_entrant') FROM request r WHERE r.reference = 'A26-00004' \
             AND r.type_code = 'creche'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(person_same, 1, "the same person");
    assert_eq!(next, "2026-11-25");
    assert_eq!(contacts, 1, "the call counts as the first contact");
    t.send("q");
    t.send(ESC);
    t.send("q");
    assert!(t.wait_exit());
    t.assert_restored();
}

/// A closed window in the middle of a follow-up: what was typed is kept in the file, and the
/// same form opens again, filled, at the agent's next start (it was lost).
#[test]
fn a_form_being_typed_when_the_terminal_closes_opens_again_at_the_next_start() {
    let env = Env::new();
    env.ok(&["demo", "--requests", "20", "--seed", "2"]);
    let reference: String = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT reference FROM request WHERE status <> 'close' ORDER BY reference LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut w = Window::open(&env);
    w.wait("Ma file");
    w.send("/");
    w.wait("Rechercher :");
    w.send(&reference);
    w.wait(&format!("{reference} "));
    w.send(ENTER);
    w.wait("Journal (");
    w.send("f");
    w.wait(&format!("Suivi — {reference}"));
    w.send(TAB);
    w.send(TAB);
    w.send("Pièces reçues, rappeler lundi");
    w.wait("rappeler lundi");
    w.close();

    let mut t = Term::start(&env, Some("Karim Benali"));
    t.wait_for("Brouillon repris");
    t.wait_for(&format!("Suivi — {reference}"));
    t.wait_for("Pièces reçues, rappeler lundi");
    t.send(CTRL_S);
    t.wait_for("Suivi enregistré.");
    let c = Connection::open(env.db()).unwrap();
    let saved: i64 = c
        .query_row(
            "SELECT count(*) FROM follow_up f JOIN request r ON r.id = f.request_id \
             WHERE r.reference = ?1 AND f.body = 'Pièces reçues, rappeler lundi'",
            [&reference],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(saved, 1);
    let drafts: i64 = c
        .query_row("SELECT count(*) FROM draft", [], |r| r.get(0))
        .unwrap();
    assert_eq!(drafts, 0, "the draft is gone once taken back");
    t.send(ESC);
    t.send("q");
    assert!(t.wait_exit());
}
