//! Counts the interface asks for again and again (the queue's tabs), kept until the file
//! changes: `PRAGMA data_version` moves when another connection commits, and every write of
//! this connection goes through `Store::write`, which forgets them too.

use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub(crate) struct CountCache {
    inner: RefCell<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    data_version: i64,
    counts: HashMap<String, usize>,
}

impl CountCache {
    /// The count stored under `key` while the file is at `data_version`.
    pub(crate) fn get(&self, data_version: i64, key: &str) -> Option<usize> {
        let inner = self.inner.borrow();
        (inner.data_version == data_version)
            .then(|| inner.counts.get(key).copied())
            .flatten()
    }

    pub(crate) fn put(&self, data_version: i64, key: String, n: usize) {
        let mut inner = self.inner.borrow_mut();
        if inner.data_version != data_version {
            inner.counts.clear();
            inner.data_version = data_version;
        }
        inner.counts.insert(key, n);
    }

    /// This connection wrote: every count may have changed.
    pub(crate) fn clear(&self) {
        self.inner.borrow_mut().counts.clear();
    }
}
