//! `guichet`: with a subcommand, the command line; without, the terminal interface.

use guichet::clap_fr::Parsed;
use guichet::cli;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Every file this process creates (database, companions, exports, backups, logs) is
    // readable by its owner only.
    #[cfg(unix)]
    // SAFETY: umask only changes this process's file-creation mask; no memory is involved.
    unsafe {
        libc::umask(0o077);
    }
    // Usage errors and help in French (exit 2 on a usage error, as clap does).
    let cli = match guichet::clap_fr::parse_from(std::env::args_os()) {
        Parsed::Run(cli) => *cli,
        Parsed::Exit { text, code } => {
            if code == 0 {
                print!("{text}");
            } else {
                eprint!("{text}");
            }
            return ExitCode::from(code);
        }
    };
    guichet::logging::init();
    let result = match &cli.command {
        Some(command) => {
            // Stdout is line-buffered: a long list would cost one system call per line.
            // Every byte passes the sanitiser, whatever the command prints.
            let mut out = guichet::text::SafeWrite::new(std::io::BufWriter::with_capacity(
                64 * 1024,
                std::io::stdout().lock(),
            ));
            let r = cli::run(&cli, command, &mut out);
            let _ = out.flush();
            r
        }
        None => cli::open_store(&cli).and_then(|s| guichet::tui::run(s, cli.me.as_deref())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `guichet list | head`: the reader left, which is not an error.
        Err(guichet::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            // The message may quote what was typed or read: only its kind is logged.
            tracing::error!(kind = e.kind(), exit = e.exit_code(), "command failed");
            // Messages may quote what a file held: every line passes the sanitiser.
            let message = e.to_string();
            let mut lines = message.split('\n').map(guichet::text::display_safe);
            eprintln!("guichet : {}", lines.next().unwrap_or_default());
            for line in lines {
                eprintln!("{line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
