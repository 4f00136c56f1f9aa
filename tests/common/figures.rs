//! The counts kept per day (`figure_count`) against a recount of the tables: shared by the
//! tests of every write path (command line, import, salon merges, migrations).

use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;

/// What `figure_count` must hold: the same rows recounted from the tables (zeros dropped).
const RECOUNT: &str = "
SELECT 'rx', received_on, type_code, coalesce(channel_code, ''), 0, count(*) FROM request
 GROUP BY 2, 3, 4
UNION ALL
SELECT 'rs', received_on, status, '', 0, count(*) FROM request GROUP BY 2, 3
UNION ALL
SELECT 'ao', coalesce(next_follow_up_on, ''), coalesce(agent_id, ''), '', 0, count(*) FROM request
 WHERE status <> 'close' GROUP BY 2, 3
UNION ALL
SELECT 'fc', received_on, '', '', CAST(julianday(first_contact_on) - julianday(received_on) AS INTEGER),
       count(*) FROM request WHERE first_contact_on IS NOT NULL GROUP BY 2, 5
UNION ALL
SELECT 'cx', closed_on, type_code, outcome, 0, count(*) FROM request WHERE closed_on IS NOT NULL
 GROUP BY 2, 3, 4
UNION ALL
SELECT 'cd', closed_on, '', '', CAST(julianday(closed_on) - julianday(received_on) AS INTEGER),
       count(*) FROM request WHERE closed_on IS NOT NULL GROUP BY 2, 5
UNION ALL
SELECT 'fs', sent_on, partner_id, '', 0, count(*) FROM referral GROUP BY 2, 3
UNION ALL
SELECT 'fa', answered_on, partner_id, '', CAST(julianday(answered_on) - julianday(sent_on) AS INTEGER),
       count(*) FROM referral WHERE answered_on IS NOT NULL GROUP BY 2, 3, 5
UNION ALL
SELECT 'aw', coalesce(expected_by, ''), partner_id, '', 0, count(*) FROM referral
 WHERE answered_on IS NULL GROUP BY 2, 3";

type Row = (String, String, String, String, i64);

fn rows(c: &Connection, sql: &str) -> BTreeMap<Row, i64> {
    let mut st = c.prepare(sql).unwrap();
    st.query_map([], |r| {
        Ok((
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// Requests treated in [from, to] by the definition (a contact or a closing in it), from the
/// tables, and from the counts kept per day.
fn treated(c: &Connection, from: &str, to: &str) -> (i64, i64) {
    let by_tables: i64 = c
        .query_row(
            "SELECT count(*) FROM request r WHERE r.closed_on BETWEEN ?1 AND ?2 OR EXISTS \
             (SELECT 1 FROM follow_up f WHERE f.request_id = r.id AND f.kind <> 'note' \
               AND f.occurred_on BETWEEN ?1 AND ?2)",
            [from, to],
            |r| r.get(0),
        )
        .unwrap();
    let kept: i64 = c
        .query_row(
            "SELECT coalesce(sum(n), 0) FROM figure_count WHERE kind = 'tr' \
              AND day BETWEEN ?1 AND ?2 AND (k1 = '' OR k1 < ?1)",
            [from, to],
            |r| r.get(0),
        )
        .unwrap();
    (kept, by_tables)
}

/// Every count kept per day equals a recount of the tables, and so does the number of requests
/// treated over periods starting and ending on, before and after every activity day of the file.
pub fn assert_counts_equal(db: &Path, what: &str) {
    let c = Connection::open(db).unwrap();
    let kept = rows(
        &c,
        "SELECT kind, day, k1, k2, d, sum(n) FROM figure_count WHERE kind <> 'tr' \
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0",
    );
    assert_eq!(kept, rows(&c, RECOUNT), "{what}: figure counts differ");
    let mut st = c
        .prepare(
            "WITH act(a) AS ( \
               SELECT occurred_on FROM follow_up WHERE kind <> 'note' \
               UNION SELECT closed_on FROM request WHERE closed_on IS NOT NULL) \
             SELECT date(a, '-1 day') AS d FROM act UNION SELECT a FROM act \
             UNION SELECT date(a, '+1 day') FROM act ORDER BY d",
        )
        .unwrap();
    let days: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    // At most about 60 starts and 60 ends each: a few thousand periods.
    let step = (days.len() / 60).max(1);
    for (i, from) in days.iter().enumerate().step_by(step) {
        for to in days[i..].iter().step_by(step) {
            let (kept, by_tables) = treated(&c, from, to);
            assert_eq!(kept, by_tables, "{what}: treated from {from} to {to}");
        }
    }
}
