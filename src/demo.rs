//! Realistic demonstration data: it writes the file in bulk, so it lives in the store,
//! `crate::store::demo`; this name stays for its callers.

pub use crate::store::demo::*;
