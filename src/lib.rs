//! guichet — the case file of a département's one-stop desk for health students and health
//! professionals: storage, command line, reports and the terminal interface.

pub mod aid_text;
pub mod aids;
pub mod domain;
pub mod error;
pub mod store;
pub mod text;

pub use error::{Error, Result};
pub use store::Store;
pub mod calendar;
pub mod clap_fr;
pub mod cli;
pub mod cli_aids;
pub mod cli_backup;
pub mod cli_export;
pub mod cli_housing;
pub mod cli_import;
pub mod cli_letters;
pub mod cli_review;
pub mod cli_rgpd;
pub mod cli_salon;
pub mod cli_search;
pub mod demo;
pub mod demo_aids;
pub mod demo_housing;
pub mod history_text;
pub mod housing;
pub mod import;
pub mod import_aids;
pub mod import_cells;
pub mod letter;
pub mod logging;
pub mod output;
pub mod paths;
pub mod person_sheet;
pub mod report;
pub mod report_aids;
pub mod review;
pub mod salon;
pub mod sheet;
pub mod tabular;
pub mod tui;
