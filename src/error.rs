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

    #[error(
        "le fichier est occupé par un autre poste depuis trop longtemps ; rien n'a été écrit, \
         réessayez dans un instant"
    )]
    Busy,

    /// `guichet check` found problems in the file.
    #[error("le contrôle a trouvé des problèmes :\n{}", .0.join("\n"))]
    Damaged(Vec<String>),

    /// The interface was started with no terminal (cron, `ssh` without `-t`).
    #[error(
        "l'interface a besoin d'un terminal (lancez-la dans un terminal, ou `ssh -t`) ; \
         pour un script, utilisez une commande : guichet --help"
    )]
    NoTerminal,

    #[error("erreur de la base de données : {0}")]
    Sql(#[from] rusqlite::Error),

    #[error("erreur d'entrée-sortie : {0}")]
    Io(#[from] std::io::Error),
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
            | Error::NoTerminal
            | Error::Damaged(_)
            | Error::Sql(_)
            | Error::Io(_) => 1,
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
