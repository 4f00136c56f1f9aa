//! Helpers shared by the integration tests: a private temporary directory and the real binary
//! pointed at a file in it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const TODAY: &str = "2026-11-22";

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("guichet.sqlite3")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The real `guichet` binary on this environment's file, with a fixed "today".
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.env("GUICHET_DB", self.db())
            .env("GUICHET_TODAY", TODAY)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("HOME", self.dir.path())
            .env_remove("GUICHET_AGENT")
            .env_remove("GUICHET_LOG");
        c
    }

    /// Runs `guichet ARGS…` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run guichet")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "guichet {args:?} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs and expects exit status `code`; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "guichet {args:?}: stdout {}\nstderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8 errors")
    }

    /// A follow-up of `kind` on day `on` in a request's log, through the command line.
    pub fn log(&self, reference: &str, kind: &str, on: &str) {
        self.ok(&[
            "follow-up",
            "add",
            reference,
            "--kind",
            kind,
            "--date",
            on,
            "--text",
            "x",
        ]);
    }

    /// `guichet ARGS…` started with the debug-build hook that pauses a long write of a kind
    /// (`IMPORT`, `MERGE`) between two transactions: in parts of `part` (its variable
    /// `GUICHET_TEST_{KIND}_{part_var}`), pausing at `pause_at` until `pause/continue` appears.
    pub fn start_paused(
        &self,
        kind: &str,
        (part_var, part): (&str, &str),
        pause_at: &str,
        args: &[&str],
    ) -> std::process::Child {
        self.cmd()
            .env(format!("GUICHET_TEST_{kind}_{part_var}"), part)
            .env(format!("GUICHET_TEST_{kind}_PAUSE"), self.path("pause"))
            .env(format!("GUICHET_TEST_{kind}_PAUSE_AT"), pause_at)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Waits until a write started by [`Env::start_paused`] says it is paused (between two
    /// transactions).
    pub fn wait_paused(&self, job: &mut std::process::Child) {
        while !self.path("pause").join("paused").exists() {
            if let Some(status) = job.try_wait().unwrap() {
                panic!("the job ended before pausing: {status:?}");
            }
            std::thread::yield_now();
        }
    }

    /// Lock files of running jobs of a kind (`import`, `merge`) beside the case file.
    pub fn lock_files(&self, kind: &str) -> Vec<String> {
        let marker = format!(".{kind}-");
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(&marker))
            .collect()
    }
}

/// A finished `guichet` run succeeded; its errors are shown when it did not.
pub fn assert_succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The number of rows of `table`, read without writing (no migration, no lock).
pub fn table_rows(path: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open");
    // Table names come from the tests, never from input.
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// Every row of `tables`, one line each (values in debug form), for before/after comparisons.
pub fn dump(path: &Path, tables: &[&str]) -> Vec<String> {
    let c = rusqlite::Connection::open(path).expect("open");
    let mut out = Vec::new();
    for t in tables {
        // Table names come from the tests, never from input.
        let mut st = c
            .prepare(&format!("SELECT * FROM {t} ORDER BY 1"))
            .expect("select");
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("rows");
        out.extend(rows.map(|r| format!("{t}|{}", r.expect("row").join("|"))));
    }
    out
}

pub mod figures;

/// The interface on a file of the tests' day, as Julien Moreau (the demo's first agent).
pub mod app {
    use super::Env;
    use chrono::NaiveDate;
    use guichet::Store;
    use guichet::tui::app::{App, Display, Overlay};
    use ratatui::crossterm::event::KeyCode;

    pub fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    pub fn store(env: &Env) -> Store {
        let mut s = Store::open(&env.db()).unwrap();
        s.set_today(today());
        s
    }

    pub fn app_on(env: &Env, size: (u16, u16)) -> App {
        let mut app = App::new(
            store(env),
            Some("Julien Moreau"),
            Display {
                utc: true,
                ..Default::default()
            },
        )
        .unwrap();
        app.resize(size.0, size.1);
        app
    }

    /// The open form's focused field's label.
    pub fn focused_label(app: &App) -> &'static str {
        match &app.overlay {
            Some(Overlay::Form(f)) => f.focused().label,
            other => panic!("a form is open: {other:?}"),
        }
    }

    /// Tab forward through the open form to the field labelled `label`.
    pub fn tab_to(app: &mut App, label: &str) {
        for _ in 0..20 {
            if focused_label(app) == label {
                return;
            }
            super::keys::key(app, KeyCode::Tab);
        }
        panic!("no field {label}");
    }
}

/// Keys into the interface, as a terminal would send them.
pub mod keys {
    use guichet::tui::app::App;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    pub fn key(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    pub fn ctrl(app: &mut App, c: char) {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    pub fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            key(app, KeyCode::Char(c));
        }
    }

    /// The screen at `size`, as text.
    pub fn screen_at(app: &App, size: (u16, u16)) -> String {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1))
            .expect("terminal");
        t.draw(|f| guichet::tui::ui::render(app, f)).expect("draw");
        format!("{}", t.backend())
    }
}
