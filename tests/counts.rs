//! Counts are kept between tab switches, and follow every change: another process's (the
//! file's `data_version` moves) and this connection's own writes.

mod common;

use common::Env;
use guichet::store::{NewPerson, NewRequest, RequestFilter, Store};

fn request(last: &str) -> NewRequest {
    NewRequest::new(
        NewPerson {
            last_name: last.into(),
            first_name: "Test".into(),
            ..Default::default()
        },
        "logement",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    )
}

#[test]
fn kept_counts_follow_every_change() {
    let env = Env::new();
    let mut mine = Store::open(&env.db()).unwrap();
    let all = RequestFilter::default();
    assert_eq!(mine.count(&all).unwrap(), 0);
    mine.create_request(&request("Un")).unwrap();
    assert_eq!(
        mine.count(&all).unwrap(),
        1,
        "after this connection's write"
    );
    assert_eq!(mine.count(&all).unwrap(), 1, "asked again, unchanged");
    // Another process adds one.
    env.ok(&[
        "request", "add", "--type", "bourse", "--nom", "Deux", "--prenom", "Test",
    ]);
    assert_eq!(
        mine.count(&all).unwrap(),
        2,
        "after another process's write"
    );
    let open = RequestFilter {
        open_only: true,
        ..Default::default()
    };
    assert_eq!(mine.count(&open).unwrap(), 2);
}
