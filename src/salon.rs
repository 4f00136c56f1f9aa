//! Salon mode (a laptop file for a fair, merged back into the office file): it reads and writes
//! the file, so it lives in the store, `crate::store::salon`; this name stays for its callers.

pub use crate::store::salon::*;
