//! Typed errors. Every message is French and says what was wrong and where; the command line
//! maps them to exit status 2 (bad input or usage) or 1 (anything else).

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user typed or a file they gave is wrong. The message names it.
    #[error("{0}")]
    Input(String),

    /// A value the user typed is wrong; `field` says which, so a form shows it beside it.
    #[error("{msg}")]
    Invalid { field: Field, msg: String },

    /// A list of problems found in an input file (one line each), nothing written.
    #[error("{}", .0.join("\n"))]
    Rows(Vec<String>),

    /// A reference, agent, partner… that does not exist.
    #[error("{what} introuvable : « {value} »{hint}")]
    NotFound {
        what: &'static str,
        value: String,
        hint: String,
    },

    /// Someone else changed the record since it was read: nothing was overwritten.
    #[error(
        "{what} a été modifiée par {by} le {at} depuis votre lecture : rien n'a été écrasé, \
         rechargez-la puis refaites votre modification"
    )]
    Conflict {
        what: String,
        by: String,
        at: String,
    },

    #[error("{path} n'est pas un fichier guichet ({why}) : il n'a pas été modifié")]
    NotGuichet { path: PathBuf, why: String },

    #[error(
        "{path} a été écrit par une version plus récente de guichet (schéma {found}, \
         cette version connaît le schéma {supported}) : il n'a pas été modifié ; \
         mettez guichet à jour"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{path} : {why}")]
    File { path: PathBuf, why: String },

    /// A fault of the disk or the medium (full, read-only, permission, locked): not the user's
    /// input, not the file's content.
    #[error("{path} : {why}")]
    Fault { path: PathBuf, why: String },

    #[error(
        "le fichier est occupé par un autre poste depuis trop longtemps ; rien n'a été écrit, \
         réessayez dans un instant"
    )]
    Busy,

    /// The file was found damaged: it is used read-only, every write is refused.
    #[error(
        "{path} est abîmé ({why}) : il est ouvert en lecture seule et rien n'a été écrit. {advice}"
    )]
    DamagedFile {
        path: PathBuf,
        why: String,
        advice: String,
    },

    /// `guichet check` found problems in the file.
    #[error("le contrôle a trouvé des problèmes :\n{}", .0.join("\n"))]
    Damaged(Vec<String>),

    /// The interface was started with no terminal (cron, `ssh` without `-t`).
    #[error(
        "l'interface a besoin d'un terminal (lancez-la dans un terminal, ou `ssh -t`) ; \
         pour un script, utilisez une commande : guichet --help"
    )]
    NoTerminal,

    #[error("{}", sql_words(.0))]
    Sql(#[from] rusqlite::Error),

    #[error("{}", io_words(.0))]
    Io(#[from] std::io::Error),
}

const DISK_FULL: &str = "disque plein : rien n'a été écrit ; libérez de la place puis recommencez";

/// True when the file system holding `path` has (almost) no room left: SQLite reports a full
/// disk as an input/output error when it happens while growing its companion files.
pub fn disk_nearly_full(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
            return false;
        };
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statvfs.
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return false;
        }
        (st.f_bavail as u64).saturating_mul(st.f_frsize as u64) < 256 * 1024
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

impl Error {
    /// A fault met while working on `path`, named for what it is.
    pub fn fault(path: &std::path::Path, e: Error) -> Error {
        let full = match &e {
            Error::Sql(rusqlite::Error::SqliteFailure(f, _)) => {
                f.code == rusqlite::ErrorCode::DiskFull
                    || (matches!(
                        f.code,
                        rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::CannotOpen
                    ) && disk_nearly_full(path))
            }
            Error::Io(io) => {
                matches!(io.kind(), std::io::ErrorKind::StorageFull) || disk_nearly_full(path)
            }
            _ => return e,
        };
        let why = if full {
            DISK_FULL.to_string()
        } else {
            e.to_string()
        };
        Error::Fault {
            path: path.to_path_buf(),
            why,
        }
    }
}

/// What SQLite reports, in the user's words: the faults a desk meets are named for what they are.
fn sql_words(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    match e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            C::DiskFull => DISK_FULL.into(),
            C::ReadOnly => {
                "le fichier ou son support est en lecture seule : rien n'a été écrit".into()
            }
            C::DatabaseBusy | C::DatabaseLocked => "le fichier est verrouillé par un autre poste \
                                                    : rien n'a été écrit, réessayez dans un instant"
                .into(),
            C::PermissionDenied | C::AuthorizationForStatementDenied => {
                "permission refusée sur le fichier ou son dossier".into()
            }
            C::CannotOpen => "impossible d'ouvrir le fichier (dossier absent, permission refusée \
                              ou support en lecture seule)"
                .into(),
            C::SystemIoFailure => "erreur de lecture ou d'écriture sur le disque : rien n'a été \
                                   écrit"
                .into(),
            C::DatabaseCorrupt | C::NotADatabase => {
                "des pages du fichier sont illisibles (fichier abîmé)".into()
            }
            _ => format!("erreur de la base de données : {e}"),
        },
        // A stored text whose bytes are no longer UTF-8: damage, not the user's input.
        rusqlite::Error::Utf8Error(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
            "une valeur du fichier est illisible (octets abîmés) : lancez « guichet check »".into()
        }
        e => format!("erreur de la base de données : {e}"),
    }
}

/// An input/output error, in the user's words.
pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::StorageFull | K::QuotaExceeded => DISK_FULL.into(),
        K::ReadOnlyFilesystem => "support en lecture seule : rien n'a été écrit".into(),
        K::PermissionDenied => "permission refusée".into(),
        K::NotFound => "fichier ou dossier introuvable".into(),
        _ => format!("erreur d'entrée-sortie : {e}"),
    }
}

impl From<rusqlite::types::FromSqlError> for Error {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        Error::Sql(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    }
}

/// The field an [`Error::Invalid`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    LastName,
    FirstName,
    Phone,
    Email,
    BirthDate,
    ClosedOn,
    NextFollowUp,
    OccurredOn,
    ReceivedOn,
    /// An aid's amount, bonus, decision date or payment date.
    Amount,
    Bonus,
    DecidedOn,
    PaidOn,
    /// A commitment's length, attestation date, breach date and repayment asked.
    Years,
    AttestedOn,
    BrokenOn,
    Repayment,
}

impl Error {
    pub fn invalid(field: Field, msg: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            msg: msg.into(),
        }
    }

    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }

    /// Exit status of the command line: 2 for bad input or usage, 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_)
            | Error::Invalid { .. }
            | Error::Rows(_)
            | Error::NotFound { .. }
            | Error::NotGuichet { .. }
            | Error::NewerSchema { .. }
            | Error::File { .. }
            | Error::Busy => 2,
            Error::Conflict { .. }
            | Error::Fault { .. }
            | Error::NoTerminal
            | Error::Damaged(_)
            | Error::DamagedFile { .. }
            | Error::Sql(_)
            | Error::Io(_) => 1,
        }
    }

    /// The kind of error, without its message (which may quote what a user typed): what the
    /// log records.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input(_) => "input",
            Error::Invalid { .. } => "invalid",
            Error::Rows(_) => "rows",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::NotGuichet { .. } => "not_guichet",
            Error::NewerSchema { .. } => "newer_schema",
            Error::File { .. } => "file",
            Error::Fault { .. } => "fault",
            Error::Busy => "busy",
            Error::DamagedFile { .. } => "damaged_file",
            Error::Damaged(_) => "damaged",
            Error::Sql(_) => "sql",
            Error::Io(_) => "io",
            Error::NoTerminal => "no_terminal",
        }
    }

    /// True when SQLite said another connection holds the lock.
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Busy)
            || matches!(
                self,
                Error::Sql(rusqlite::Error::SqliteFailure(e, _))
                    if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy
                        | rusqlite::ErrorCode::DatabaseLocked)
            )
    }
}
