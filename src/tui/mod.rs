//! The agents' terminal interface.

use crate::cli::Cli;
use crate::error::Result;

pub fn run(cli: &Cli) -> Result<()> {
    let _store = crate::cli::open_store(cli)?;
    Ok(())
}
