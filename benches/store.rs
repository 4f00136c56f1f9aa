//! Storage and report timings on a 100,000-request file (`cargo bench --bench store`).
//! The file is generated once per run with the demo generator (seed 1, today 22/11/2026).
//! Whole-process timings of the same operations: `scripts/bench-cli.sh`.

use chrono::{Days, NaiveDate};
use guichet::store::{QueueOrder, RequestFilter, Store};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const REQUESTS: usize = 100_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("bench.sqlite3");
        let mut store = Store::open(&path).expect("open");
        store.set_today(today());
        guichet::demo::fill(&mut store, REQUESTS, 1).expect("demo data");
        Fixture { _dir: dir, path }
    })
}

fn store() -> Store {
    let mut s = Store::open(&fixture().path).expect("open");
    s.set_today(today());
    s
}

#[divan::bench]
fn open_file(bencher: divan::Bencher) {
    fixture();
    bencher.bench_local(store);
}

#[divan::bench]
fn weekly_report_one_year(bencher: divan::Bencher) {
    let s = store();
    bencher.bench_local(|| {
        guichet::report::weekly(&s, today() - Days::new(365), today()).expect("weekly")
    });
}

#[divan::bench]
fn summary_report_one_year(bencher: divan::Bencher) {
    let s = store();
    bencher.bench_local(|| {
        guichet::report::summary(&s, today() - Days::new(365), today()).expect("summary")
    });
}

fn agent_filter(s: &Store) -> RequestFilter {
    let agent = s.resolve_agent("Karim Benali").expect("demo agent");
    RequestFilter {
        agent_id: Some(agent.id),
        open_only: true,
        ..Default::default()
    }
}

#[divan::bench]
fn agent_open_requests_all(bencher: divan::Bencher) {
    let s = store();
    let f = agent_filter(&s);
    bencher.bench_local(|| {
        let mut n = 0;
        s.for_each_request(&f, QueueOrder::Due, |_| {
            n += 1;
            Ok(())
        })
        .expect("list");
        n
    });
}

#[divan::bench]
fn agent_queue_first_page_and_count(bencher: divan::Bencher) {
    let s = store();
    let f = agent_filter(&s);
    bencher.bench_local(|| {
        (
            s.queue(&f, QueueOrder::Due, 0, 50).expect("page"),
            s.count(&f).expect("count"),
        )
    });
}

#[divan::bench]
fn all_requests_page_deep_in_the_list(bencher: divan::Bencher) {
    let s = store();
    let f = RequestFilter::default();
    bencher.bench_local(|| s.queue(&f, QueueOrder::Recent, 90_000, 50).expect("page"));
}

/// Reading one request's whole case, without and with the consultation written to the access
/// log (the interface's Enter): the difference is the cost of the trace.
#[divan::bench(args = [false, true])]
fn open_one_request(bencher: divan::Bencher, logged: bool) {
    let s = store();
    let ids: Vec<String> = s
        .queue(&RequestFilter::default(), QueueOrder::Recent, 0, 200)
        .expect("page")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % ids.len();
        if logged {
            s.consult_request(&ids[i]).expect("consult")
        } else {
            s.request_detail(&ids[i]).expect("detail")
        }
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn demo_10000_requests(bencher: divan::Bencher) {
    bencher.bench_local(|| {
        let mut s = Store::open_in_memory().expect("memory");
        s.set_today(today());
        guichet::demo::fill(&mut s, 10_000, 2).expect("demo")
    });
}

#[divan::bench]
fn review_one_year(bencher: divan::Bencher) {
    let s = store();
    let period = guichet::review::Period::custom(today() - Days::new(364), today());
    bencher.bench_local(|| guichet::review::compute(&s, period).expect("review"));
}

#[divan::bench]
fn review_last_week(bencher: divan::Bencher) {
    let s = store();
    let period = guichet::review::Period::last_complete_week(today());
    bencher.bench_local(|| guichet::review::compute(&s, period).expect("review"));
}

/// A fresh laptop file with 500 captures, prepared from the office (not timed).
fn laptop_with_captures(office: &mut Store, n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    static TAG: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let tag = TAG.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("portable.sqlite3");
    guichet::salon::prepare(office, "Salon de l'étudiant", today(), "", &path, false)
        .expect("prepare");
    let mut l = Store::open(&path).expect("open laptop");
    l.set_today(today());
    let event = l.meta("event_id").expect("meta");
    for i in 0..n {
        let mut r = guichet::store::NewRequest::new(
            guichet::store::NewPerson {
                last_name: format!("Visiteur{tag}"),
                first_name: format!("N{i}"),
                email: format!("b{tag}.{i}@exemple.fr"),
                ..Default::default()
            },
            "logement",
            today(),
        );
        r.status = guichet::domain::Status::AQualifier;
        r.channel_code = Some("salon".into());
        r.event_id = event.clone();
        guichet::salon::capture(&mut l, &[r], true).expect("capture");
    }
    (dir, path)
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn merge_500_captures_into_100000(bencher: divan::Bencher) {
    let mut office = store();
    let mut laptops = Vec::new();
    for _ in 0..5 {
        laptops.push(laptop_with_captures(&mut office, 500));
    }
    let mut next = laptops.into_iter();
    bencher.bench_local(|| {
        let (_dir, path) = next.next().expect("one laptop per sample");
        let r = guichet::salon::merge(&mut office, &path).expect("merge");
        assert_eq!(r.added_requests, 500);
    });
}

/// The million-request figures, on a file generated once and reused (a million rows take
/// minutes on a shared 2-core machine):
///
/// ```sh
/// GUICHET_TODAY=2026-11-22 target/release/guichet --db /tmp/guichet-million.sqlite3 \
///     demo --requests 1000000 --seed 1
/// GUICHET_BENCH_MILLION=/tmp/guichet-million.sqlite3 cargo bench --bench store -- million
/// ```
///
/// Without `GUICHET_BENCH_MILLION` these benchmarks measure nothing.
mod million {
    use super::today;
    use chrono::Days;
    use guichet::store::{QueueOrder, RequestFilter, Store};

    fn store() -> Option<Store> {
        let path = std::env::var_os("GUICHET_BENCH_MILLION")?;
        let mut s = Store::open(std::path::Path::new(&path)).expect("open the million file");
        s.set_today(today());
        Some(s)
    }

    #[divan::bench(sample_count = 10)]
    fn open_file(bencher: divan::Bencher) {
        bencher.bench_local(store);
    }

    /// `list --agent X --open --limit 50`: only the printed rows are read.
    #[divan::bench(sample_count = 20)]
    fn list_agent_open_limit_50(bencher: divan::Bencher) {
        let Some(s) = store() else { return };
        let agent = s.resolve_agent("Karim Benali").expect("demo agent");
        let f = RequestFilter {
            agent_id: Some(agent.id),
            open_only: true,
            ..Default::default()
        };
        bencher.bench_local(|| {
            let mut n = 0;
            s.for_each_request_up_to(&f, QueueOrder::Reference, Some(50), |_| {
                n += 1;
                Ok(())
            })
            .expect("list");
            n
        });
    }

    /// One keystroke of the interface's search (the first 500 matches, a page of 50 shown).
    #[divan::bench(sample_count = 20, args = ["d", "dupont", "06 12", "3456"])]
    fn search_keystroke(bencher: divan::Bencher, text: &str) {
        let Some(s) = store() else { return };
        let f = RequestFilter {
            search: Some(text.to_string()),
            ..Default::default()
        };
        bencher.bench_local(|| s.queue(&f, QueueOrder::Recent, 0, 50).expect("search"));
    }

    /// A tab switch asks the five tab counts again: kept until the file changes.
    #[divan::bench(sample_count = 20)]
    fn tab_counts_unchanged_file(bencher: divan::Bencher) {
        let Some(s) = store() else { return };
        let filters = [
            RequestFilter {
                open_only: true,
                ..Default::default()
            },
            RequestFilter {
                unassigned: true,
                open_only: true,
                ..Default::default()
            },
            RequestFilter {
                due_by: Some(today()),
                open_only: true,
                ..Default::default()
            },
            RequestFilter::default(),
        ];
        bencher.bench_local(|| {
            filters
                .iter()
                .map(|f| s.count(f).expect("count"))
                .sum::<usize>()
        });
    }

    #[divan::bench(sample_count = 5)]
    fn review_one_year(bencher: divan::Bencher) {
        let Some(s) = store() else { return };
        let period = guichet::review::Period::custom(today() - Days::new(364), today());
        bencher.bench_local(|| guichet::review::compute(&s, period).expect("review"));
    }

    #[divan::bench(sample_count = 5)]
    fn summary_one_year(bencher: divan::Bencher) {
        let Some(s) = store() else { return };
        bencher.bench_local(|| {
            guichet::report::summary(&s, today() - Days::new(365), today()).expect("summary")
        });
    }
}
