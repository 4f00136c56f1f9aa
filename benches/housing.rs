//! The search for a free housing place (issue #14): a register of 2,000 places and 20,000
//! placements, searched for one semester by commune, near a commune, and for the stand lookup
//! (`cargo bench --bench housing`). Target: under 50 ms.

use chrono::NaiveDate;
use guichet::housing::{Span, semester};
use guichet::store::{FreeQuery, Store};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const PLACES: usize = 2_000;
const PLACEMENTS: usize = 20_000;

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("housing.sqlite3");
        let mut store = Store::open(&path).expect("open");
        store.set_today(NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"));
        store
            .fill_housing_demo(PLACES, PLACEMENTS, 1)
            .expect("register");
        let n: usize = store
            .housing_rows(&Span {
                from: NaiveDate::from_ymd_opt(2000, 1, 1).expect("date"),
                to: NaiveDate::from_ymd_opt(2100, 1, 1).expect("date"),
            })
            .expect("rows")
            .placements
            .len();
        assert_eq!(n, PLACEMENTS, "the fixture holds every placement");
        Fixture { _dir: dir, path }
    })
}

fn store() -> Store {
    Store::open(&fixture().path).expect("open")
}

fn winter() -> Span {
    semester("hiver 2026").expect("semester")
}

#[divan::bench]
fn free_places_whole_register(bencher: divan::Bencher) {
    let s = store();
    let q = FreeQuery {
        period: Some(winter()),
        ..Default::default()
    };
    bencher.bench_local(|| s.free_places(&q).expect("search"));
}

#[divan::bench]
fn free_places_in_a_commune(bencher: divan::Bencher) {
    let s = store();
    let q = FreeQuery {
        period: Some(winter()),
        commune: Some("Gien".into()),
        ..Default::default()
    };
    bencher.bench_local(|| s.free_places(&q).expect("search"));
}

#[divan::bench]
fn free_places_near_montargis_stand_lookup(bencher: divan::Bencher) {
    let s = store();
    bencher.bench_local(|| {
        guichet::housing::stand::free_near(
            &s,
            "Montargis",
            semester("été 2027").expect("semester"),
            30.0,
        )
        .expect("search")
    });
}
