//! Logs go to `guichet.AAAA-MM-JJ.log` in the data directory, never to the screen: one file a
//! day, the 14 newest kept, every line through the sanitiser. What is logged: actions and error
//! kinds, never a value typed or read (no names, e-mails, cells of a rejected file).

use tracing_appender::non_blocking::WorkerGuard;

/// Starts file logging; keep the guard alive for the whole run. Without a writable data
/// directory, nothing is logged (the program still works).
pub fn init() -> Option<WorkerGuard> {
    let dirs = directories::ProjectDirs::from("fr", "guichet", "guichet")?;
    let dir = dirs.data_dir();
    crate::cli::create_private_dir(dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("guichet")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let writer = move || crate::text::SafeWrite::new(writer.clone());
    let fmt = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false);
    // A filter from GUICHET_LOG; otherwise the plain level, without building an EnvFilter on
    // every start (milliseconds of a command's time).
    match tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG") {
        Ok(filter) => fmt.with_env_filter(filter).try_init(),
        Err(_) => fmt.with_max_level(tracing::Level::INFO).try_init(),
    }
    .ok()?;
    Some(guard)
}
