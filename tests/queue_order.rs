//! The queues read their pages along the due-order indexes ("Ma file", "Mes relances du jour":
//! overdue first, as three runs one after the other; see `store::requests::overdue_page`).
//! Every page must be the page of the plain ORDER BY over the whole filter, whatever the
//! offset — including pages that straddle two runs.

mod common;

use chrono::NaiveDate;
use guichet::domain::Status;
use guichet::store::{QueueOrder, RequestFilter, Store};
use rusqlite::Connection;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// The references of the filter's requests in the queue order, by the definition: overdue (a
/// follow-up date or an unanswered referral's expected date before today) first, then by
/// follow-up date (none last), reception date and reference.
fn by_definition(db: &Connection, order: QueueOrder, where_sql: &str) -> Vec<String> {
    let late = "(r.next_follow_up_on < '2026-11-22' OR EXISTS (SELECT 1 FROM referral f \
                WHERE f.request_id = r.id AND f.answered_on IS NULL \
                AND f.expected_by < '2026-11-22')) DESC, ";
    let sql = format!(
        "SELECT r.reference FROM request r WHERE {where_sql} ORDER BY {}\
         coalesce(r.next_follow_up_on, '9999-12-31'), r.received_on, r.reference",
        if order == QueueOrder::Overdue {
            late
        } else {
            ""
        }
    );
    let mut st = db.prepare(&sql).unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn every_page_of_every_queue_is_the_page_of_the_plain_order() {
    let env = common::Env::new();
    let mut store = Store::open(&env.db()).unwrap();
    store.set_today(today());
    guichet::demo::fill(&mut store, 1500, 7).unwrap();
    let db = Connection::open(env.db()).unwrap();
    let agent = store.resolve_agent("Karim Benali").unwrap();
    let mine = format!("r.status <> 'close' AND r.agent_id = '{}'", agent.id);

    let queues = [
        (
            "Ma file",
            RequestFilter {
                agent_id: Some(agent.id.clone()),
                open_only: true,
                ..Default::default()
            },
            QueueOrder::Overdue,
            mine.clone(),
        ),
        (
            "Mes relances du jour",
            RequestFilter {
                agent_id: Some(agent.id.clone()),
                open_only: true,
                due_by: Some(today()),
                ..Default::default()
            },
            QueueOrder::Overdue,
            format!("{mine} AND r.next_follow_up_on <= '2026-11-22'"),
        ),
        (
            "toutes les ouvertes, en retard d'abord",
            RequestFilter {
                open_only: true,
                ..Default::default()
            },
            QueueOrder::Overdue,
            "r.status <> 'close'".to_string(),
        ),
        (
            "Non attribuées",
            RequestFilter {
                unassigned: true,
                open_only: true,
                ..Default::default()
            },
            QueueOrder::Due,
            "r.status <> 'close' AND r.agent_id IS NULL".to_string(),
        ),
        (
            "Attente partenaire",
            RequestFilter {
                status: Some(Status::AttentePartenaire),
                open_only: true,
                ..Default::default()
            },
            QueueOrder::Due,
            "r.status = 'attente_partenaire'".to_string(),
        ),
    ];
    for (name, filter, order, where_sql) in queues {
        let expected = by_definition(&db, order, &where_sql);
        assert_eq!(store.count(&filter).unwrap(), expected.len(), "{name}");
        // The three runs are all there, so pages straddle them (a day's follow-ups have no
        // second run: their follow-up date is today at the latest).
        if order == QueueOrder::Overdue && filter.due_by.is_none() {
            // Which run each request of the expected order belongs to: 1 follow-up past,
            // 2 follow-up not past but a referral late, 3 the others.
            let runs: Vec<i64> = expected
                .iter()
                .map(|reference| {
                    db.query_row(
                        "SELECT CASE WHEN r.next_follow_up_on < '2026-11-22' THEN 1 \
                                WHEN EXISTS (SELECT 1 FROM referral f WHERE f.request_id = r.id \
                                  AND f.answered_on IS NULL AND f.expected_by < '2026-11-22') \
                                THEN 2 ELSE 3 END FROM request r WHERE r.reference = ?1",
                        [reference],
                        |r| r.get(0),
                    )
                    .unwrap()
                })
                .collect();
            let mut seen = runs.clone();
            seen.dedup();
            assert_eq!(seen, [1, 2, 3], "{name}: the three runs, in turn");
        }
        for page in [1, 7, 34] {
            for offset in (0..expected.len() + page).step_by(page.max(5)) {
                let got: Vec<String> = store
                    .queue(&filter, order, offset, page)
                    .unwrap()
                    .into_iter()
                    .map(|r| r.reference)
                    .collect();
                let want: Vec<String> = expected.iter().skip(offset).take(page).cloned().collect();
                assert_eq!(got, want, "{name}: page of {page} at {offset}");
            }
        }
    }
}
