//! Waiting for another process's write: a connection that finds the file locked polls it every
//! 2 ms for up to [`busy_timeout`](super::busy_timeout) (SQLite's own handler, after its first
//! tries, sleeps 100 ms between two looks). A long import or salon merge writes in short
//! transactions with a short pause between two (`YIELD`): a colleague's save that polls often
//! takes the lock in that pause instead of missing it and waiting for the next one.

use rusqlite::Connection;
use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Between two looks at a locked file.
const POLL: Duration = Duration::from_millis(2);

/// What a long write leaves between two of its transactions: a few polls of a waiting
/// colleague.
pub(super) const YIELD: Duration = Duration::from_millis(6);

thread_local! {
    /// When this thread's current wait began.
    static SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
}

fn timeout() -> Duration {
    static T: OnceLock<Duration> = OnceLock::new();
    *T.get_or_init(super::busy_timeout)
}

/// SQLite's busy handler: `count` is how many times it was called for this wait.
fn poll(count: i32) -> bool {
    let now = Instant::now();
    let since = match SINCE.get() {
        Some(s) if count > 0 => s,
        _ => {
            SINCE.set(Some(now));
            now
        }
    };
    if now.duration_since(since) >= timeout() {
        return false;
    }
    std::thread::sleep(POLL);
    true
}

/// Makes `conn` wait for a locked file by polling it often.
pub(super) fn wait_politely(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_handler(Some(poll))
}
