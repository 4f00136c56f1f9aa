//! Logs go to `guichet.AAAA-MM-JJ.log` in the data directory, never to the screen: one file a
//! day, the 14 newest kept, every line through the sanitiser. What is logged: actions and error
//! kinds, never a value typed or read (no names, e-mails, cells of a rejected file).

use tracing_appender::rolling::{RollingFileAppender, RollingWriter};
use tracing_subscriber::fmt::MakeWriter;

/// Starts file logging. Without a writable data directory, nothing is logged (the program still
/// works).
///
/// Lines are written as they come, by the thread that logs them: a handful per run, each one
/// `write` to a file opened for appending. (A background writer thread cost every command
/// milliseconds to start — its queue reserves 128,000 lines — for nothing the log needs.)
pub fn init() {
    let Some(dirs) = directories::ProjectDirs::from("fr", "guichet", "guichet") else {
        return;
    };
    let dir = dirs.data_dir();
    if crate::cli::create_private_dir(dir).is_err() {
        return;
    }
    let Ok(appender) = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("guichet")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir)
    else {
        return;
    };
    let fmt = tracing_subscriber::fmt()
        .with_writer(Sanitised(appender))
        .with_ansi(false);
    // A filter from GUICHET_LOG; otherwise the plain level, without building an EnvFilter on
    // every start (milliseconds of a command's time).
    let _ = match tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG") {
        Ok(filter) => fmt.with_env_filter(filter).try_init(),
        Err(_) => fmt.with_max_level(tracing::Level::INFO).try_init(),
    };
}

/// The daily log file, every line through [`crate::text::SafeWrite`].
struct Sanitised(RollingFileAppender);

impl<'a> MakeWriter<'a> for Sanitised {
    type Writer = crate::text::SafeWrite<RollingWriter<'a>>;

    fn make_writer(&'a self) -> Self::Writer {
        crate::text::SafeWrite::new(self.0.make_writer())
    }
}
