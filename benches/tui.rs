//! Interface latency with 100,000 requests (`cargo bench --bench tui`).
//!
//! - start to first frame: open the file, build the `App`, draw once;
//! - key to frame: `App::handle_key` + a full draw on ratatui's `TestBackend` (120×40), for
//!   moving, paging, switching tab (also right after a colleague's save, when the tab counts
//!   are asked of the file again), opening a request and a search keystroke; p50 / p99 / max;
//! - the same in a real pseudo-terminal: the binary started until its first screen, and a key
//!   until the screen it leads to.
//!
//! Targets (issue 3): first frame under 200 ms; p99 key to frame under 16 ms; a tab switch
//! under 30 ms (issue 10, also at a million requests: `GUICHET_BENCH_FILE=FILE` on a file of
//! `demo --requests 1000000`).

use chrono::NaiveDate;
use guichet::store::Store;
use guichet::tui::app::{App, Display};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

const REQUESTS: usize = 100_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name:<34} n={:<5} p50 {:>8.2?}  p99 {:>8.2?}  max {:>8.2?}",
        samples.len(),
        at(0.50),
        at(0.99),
        samples[samples.len() - 1]
    );
}

fn open(path: &std::path::Path) -> Store {
    let mut s = Store::open(path).expect("open");
    s.set_today(today());
    s
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this too: keep that quick.
    if std::env::args().all(|a| a != "--bench") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    // GUICHET_BENCH_FILE=PATH keeps the fixture between runs (built there when absent).
    let path = std::env::var_os("GUICHET_BENCH_FILE").map_or_else(
        || dir.path().join("bench.sqlite3"),
        std::path::PathBuf::from,
    );
    if path.exists() {
        println!("fixture: {}", path.display());
    } else {
        let t = Instant::now();
        guichet::demo::fill(&mut open(&path), REQUESTS, 1).expect("demo");
        println!("fixture: {REQUESTS} requests in {:.1?}", t.elapsed());
    }

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut starts = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let mut app = App::new(open(&path), Some("Karim Benali"), Display::default()).expect("app");
        app.resize(120, 40);
        terminal
            .draw(|f| guichet::tui::ui::render(&app, f))
            .expect("draw");
        starts.push(t.elapsed());
    }
    report("start to first frame", starts);

    let mut app = App::new(open(&path), Some("Karim Benali"), Display::default()).expect("app");
    app.resize(120, 40);
    let mut measure = |app: &mut App, code: KeyCode| {
        let t = Instant::now();
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        terminal
            .draw(|f| guichet::tui::ui::render(app, f))
            .expect("draw");
        t.elapsed()
    };

    for _ in 0..5 {
        app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)); // to all requests
    }
    report(
        "move down (all requests)",
        (0..2000)
            .map(|_| measure(&mut app, KeyCode::Char('j')))
            .collect(),
    );
    report(
        "page down (all requests)",
        (0..300)
            .map(|_| measure(&mut app, KeyCode::PageDown))
            .collect(),
    );
    // Every 8th Tab lands on the Bilan (the review of the last complete week).
    let (mut to_review, mut to_queue) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        let d = measure(&mut app, KeyCode::Tab);
        match app.screen {
            guichet::tui::app::Screen::Review(_) => to_review.push(d),
            _ => to_queue.push(d),
        }
    }
    report(
        "switch tab",
        to_review.iter().chain(&to_queue).copied().collect(),
    );
    report("switch tab: to the Bilan", to_review);
    report("switch tab: to a queue", to_queue);

    // A colleague's save between two switches: the tab counts are asked of the file again.
    let colleague = open(&path);
    let mut after_save = Vec::new();
    for _ in 0..100 {
        colleague
            .log_access(guichet::store::AccessAction::ListExport, None)
            .expect("a colleague's write");
        let d = measure(&mut app, KeyCode::Tab);
        if !matches!(app.screen, guichet::tui::app::Screen::Review(_)) {
            after_save.push(d);
        }
    }
    report("switch tab after a colleague's save", after_save);

    app.handle_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::NONE));
    let mut open_close = Vec::new();
    for _ in 0..200 {
        open_close.push(measure(&mut app, KeyCode::Enter));
        open_close.push(measure(&mut app, KeyCode::Esc));
        measure(&mut app, KeyCode::Char('j'));
    }
    report("open a request / back to the queue", open_close);

    let mut search = Vec::new();
    for word in [
        "martin",
        "dupont jean",
        "a26-001",
        "0612",
        "lef",
        "benali",
        "kine",
    ]
    .iter()
    .cycle()
    .take(60)
    {
        measure(&mut app, KeyCode::Char('/'));
        for c in word.chars() {
            search.push(measure(&mut app, KeyCode::Char(c)));
        }
        measure(&mut app, KeyCode::Esc);
    }
    report("search keystroke", search);

    pty_measure(&path);
}

/// The real binary in a pseudo-terminal on the same file.
fn pty_measure(path: &std::path::Path) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};

    let mut starts = Vec::new();
    let mut opens = Vec::new();
    for _ in 0..5 {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_guichet"));
        cmd.env("GUICHET_DB", path);
        cmd.env("GUICHET_TODAY", "2026-11-22");
        cmd.env("GUICHET_AGENT", "Karim Benali");
        cmd.env("TERM", "xterm-256color");
        let t = Instant::now();
        let mut child = pty.slave.spawn_command(cmd).expect("spawn");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let mut writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(40).expect("rows"),
            std::num::NonZeroU16::new(120).expect("cols"),
            0,
        )));
        let sink = Arc::clone(&parser);
        std::thread::spawn(move || {
            let _master = pty.master;
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("parser").process(&buf[..n]);
            }
        });
        let wait = |text: &str| {
            let start = Instant::now();
            while !parser
                .lock()
                .expect("parser")
                .screen()
                .contents()
                .contains(text)
            {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "«{text}» never shown"
                );
                std::thread::sleep(Duration::from_micros(200));
            }
        };
        wait("Toutes 100000");
        starts.push(t.elapsed());
        let t = Instant::now();
        writer.write_all(b"\r").expect("key");
        writer.flush().expect("flush");
        wait("Journal (");
        opens.push(t.elapsed());
        writer.write_all(b"\x1b").expect("key");
        writer.flush().expect("flush");
        wait("Tab file suivante");
        writer.write_all(b"q").expect("key");
        writer.flush().expect("flush");
        let _ = child.wait();
    }
    report("pty: start to first screen", starts);
    report("pty: Enter to request screen", opens);
}
