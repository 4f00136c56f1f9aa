//! guichet — the case file of a département's one-stop desk for health students and health
//! professionals: storage, command line, reports and the terminal interface.

pub mod domain;
pub mod error;
pub mod store;
pub mod text;

pub use error::{Error, Result};
pub use store::Store;
pub mod cli;
pub mod cli_housing;
pub mod demo;
pub mod housing;
pub mod import;
pub mod logging;
pub mod output;
pub mod report;
pub mod review;
pub mod salon;
pub mod tabular;
pub mod tui;
