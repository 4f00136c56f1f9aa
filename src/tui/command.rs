//! What the interface asks the file to do. Forms and pickers build a [`Command`] without touching
//! the store; [`App::apply`](super::app::App::apply) is the only code that writes, and the only
//! place that handles a colleague's change.
//!
//! An edit is a [`Patch`]: the fields the agent changed, each with the value read and the value
//! wanted, and the version read. Nothing the agent did not change is ever sent.

use crate::domain::{Outcome, Profile, Status};
use crate::store::{
    NewFollowUp, NewPerson, NewReferral, NewRequest, Person, ReferralAnswer, RequestChange,
    RequestFilter, RequestRow,
};
use chrono::NaiveDate;

/// A field an agent can change on a request or a person. Values travel as stored text (codes,
/// ISO dates, ids; "" for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchField {
    Summary,
    NextFollowUp,
    Type,
    Channel,
    /// Status, outcome and closing date together: `close|aboutie|2026-11-22`.
    Status,
    Agent,
    ReceivedOn,
    /// The event (salon) the request came from: its id, "" for none.
    Event,
    LastName,
    FirstName,
    Phone,
    Email,
    Profile,
    Profession,
    BirthDate,
}

impl PatchField {
    pub fn label(self) -> &'static str {
        match self {
            PatchField::Summary => "Résumé",
            PatchField::NextFollowUp => "Relance le",
            PatchField::Type => "Type",
            PatchField::Channel => "Canal",
            PatchField::Status => "Statut",
            PatchField::Agent => "Agent",
            PatchField::ReceivedOn => "Reçue le",
            PatchField::Event => "Événement",
            PatchField::LastName => "Nom",
            PatchField::FirstName => "Prénom",
            PatchField::Phone => "Téléphone",
            PatchField::Email => "E-mail",
            PatchField::Profile => "Profil",
            PatchField::Profession => "Profession",
            PatchField::BirthDate => "Né(e) le",
        }
    }

    /// The field's value in a request row (stored text).
    pub fn of_request(self, r: &RequestRow) -> String {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        match self {
            PatchField::Summary => r.summary.trim().to_string(),
            PatchField::NextFollowUp => date(r.next_follow_up_on),
            PatchField::Type => r.type_code.clone(),
            PatchField::Channel => r.channel.clone().unwrap_or_default(),
            PatchField::Status => status_value(r.status, r.outcome, r.closed_on),
            PatchField::Agent => r.agent_id.clone().unwrap_or_default(),
            PatchField::ReceivedOn => r.received_on.to_string(),
            PatchField::Event => r.event_id.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The field's value in a person (stored text).
    pub fn of_person(self, p: &Person) -> String {
        match self {
            PatchField::LastName => p.last_name.trim().to_string(),
            PatchField::FirstName => p.first_name.trim().to_string(),
            PatchField::Phone => p.phone.trim().to_string(),
            PatchField::Email => p.email.trim().to_string(),
            PatchField::Profile => p.profile.map(|p| p.code().to_string()).unwrap_or_default(),
            PatchField::Profession => p.profession.trim().to_string(),
            PatchField::BirthDate => p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// `close|aboutie|2026-11-22`, or the status code alone for an open request.
pub fn status_value(
    status: Status,
    outcome: Option<Outcome>,
    closed_on: Option<NaiveDate>,
) -> String {
    if status == Status::Close {
        format!(
            "{}|{}|{}",
            status.code(),
            outcome.map(|o| o.code()).unwrap_or_default(),
            closed_on.map(|d| d.to_string()).unwrap_or_default()
        )
    } else {
        status.code().to_string()
    }
}

/// One changed field: the value the agent read and the value they want.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub field: PatchField,
    pub read: String,
    pub mine: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Request,
    Person,
}

/// The fields an agent changed on one record, with the version they read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    pub target: Target,
    pub id: String,
    /// The request to show afterwards.
    pub request_id: String,
    pub version: i64,
    pub edits: Vec<Edit>,
    /// The status line after the save.
    pub done: String,
}

impl Patch {
    pub fn new(target: Target, id: &str, request_id: &str, version: i64, done: &str) -> Patch {
        Patch {
            target,
            id: id.to_string(),
            request_id: request_id.to_string(),
            version,
            edits: Vec::new(),
            done: done.to_string(),
        }
    }

    /// A patch of the request `base`, as the agent read it.
    pub fn on_request(base: &RequestRow, done: &str) -> Patch {
        Patch::new(Target::Request, &base.id, &base.id, base.version, done)
    }

    /// A status change of the request `base` (with the outcome and date of a closing).
    pub fn status(
        base: &RequestRow,
        status: Status,
        outcome: Option<Outcome>,
        closed_on: Option<NaiveDate>,
        done: &str,
    ) -> Patch {
        let mut p = Patch::on_request(base, done);
        p.set(
            PatchField::Status,
            PatchField::Status.of_request(base),
            status_value(status, outcome, closed_on),
        );
        p
    }

    /// Adds the field when the agent's value differs from what they read.
    pub fn set(&mut self, field: PatchField, read: String, mine: String) {
        if read != mine {
            self.edits.push(Edit { field, read, mine });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The request change these edits make.
    pub fn request_change(&self) -> RequestChange {
        let date = |s: &str| s.parse::<NaiveDate>().ok();
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let mut c = RequestChange::default();
        for e in &self.edits {
            let v = e.mine.as_str();
            match e.field {
                PatchField::Summary => c.summary = Some(v.to_string()),
                PatchField::NextFollowUp => c.next_follow_up_on = Some(date(v)),
                PatchField::Type => c.type_code = Some(v.to_string()),
                PatchField::Channel => c.channel_code = Some(opt(v)),
                PatchField::Agent => c.agent_id = Some(opt(v)),
                PatchField::Status => {
                    let mut parts = v.split('|');
                    c.status = parts.next().and_then(Status::from_code);
                    c.outcome = parts.next().and_then(Outcome::from_code);
                    c.closed_on = parts.next().and_then(date);
                }
                _ => {}
            }
        }
        c
    }

    /// The new reception date, if the agent changed it.
    pub fn received_on(&self) -> Option<NaiveDate> {
        self.edits
            .iter()
            .find(|e| e.field == PatchField::ReceivedOn)
            .and_then(|e| e.mine.parse().ok())
    }

    /// The new event (`Some(None)`: none), if the agent changed it.
    pub fn event(&self) -> Option<Option<&str>> {
        self.edits
            .iter()
            .find(|e| e.field == PatchField::Event)
            .map(|e| (!e.mine.is_empty()).then_some(e.mine.as_str()))
    }

    /// The person as it will be: `fresh` with these edits applied.
    pub fn person_after(&self, fresh: &Person) -> NewPerson {
        let mut p = NewPerson {
            last_name: fresh.last_name.clone(),
            first_name: fresh.first_name.clone(),
            phone: fresh.phone.clone(),
            email: fresh.email.clone(),
            profile: fresh.profile,
            profession: fresh.profession.clone(),
            birth_date: fresh.birth_date,
        };
        for e in &self.edits {
            let v = e.mine.clone();
            match e.field {
                PatchField::LastName => p.last_name = v,
                PatchField::FirstName => p.first_name = v,
                PatchField::Phone => p.phone = v,
                PatchField::Email => p.email = v,
                PatchField::Profile => p.profile = Profile::from_code(&v),
                PatchField::Profession => p.profession = v,
                PatchField::BirthDate => p.birth_date = v.parse().ok(),
                _ => {}
            }
        }
        p
    }
}

/// A field changed both by the agent and by a colleague: the agent chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub field: PatchField,
    /// The agent's value and the colleague's, as shown.
    pub mine_label: String,
    pub theirs_label: String,
    /// The agent's value and the colleague's, as stored.
    pub mine: String,
    pub theirs: String,
    pub keep_mine: bool,
}

/// A save that met a colleague's change on the same fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictView {
    /// The agent's patch, already moved onto the colleague's version: the fields only the agent
    /// changed, plus the clashing fields (resolved by the agent's choices).
    pub patch: Patch,
    pub clashes: Vec<Clash>,
    pub selected: usize,
    pub by: String,
    pub at: String,
}

impl ConflictView {
    /// The patch with the agent's choices: a field where the colleague's value is kept is not
    /// sent at all.
    pub fn resolved(&self) -> Patch {
        let mut p = self.patch.clone();
        p.edits.retain(|e| {
            self.clashes
                .iter()
                .find(|c| c.field == e.field)
                .is_none_or(|c| c.keep_mine)
        });
        p
    }
}

/// A passphrase typed in a form: never printed, not even by `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// What the interface asks the file to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Change some fields of a request or a person.
    Patch(Patch),
    LogFollowUp {
        request_id: String,
        follow_up: NewFollowUp,
        /// A status change or reassignment recorded with the note.
        also: Option<Patch>,
    },
    Refer {
        request_id: String,
        referral: NewReferral,
        partner: String,
    },
    Answer {
        request_id: String,
        referral_id: String,
        version: i64,
        answer: ReferralAnswer,
        partner: String,
    },
    Remind {
        request_id: String,
        referral_id: String,
        partner: String,
    },
    CreateRequests(Vec<NewRequest>),
    Capture {
        requests: Vec<NewRequest>,
        who: String,
    },
    /// A salon laptop's file, with the passphrase typed for it when it is encrypted.
    Merge(std::path::PathBuf, Option<Secret>),
    /// Record something about the request's aid (grant, payment, commitment…).
    Aid {
        request_id: String,
        op: Box<crate::tui::aids::AidOp>,
    },
    /// A decision on what a merge left (duplicate or conflicting edit); `candidate` picks one
    /// of several office persons (1-based).
    Resolve {
        id: String,
        decision: crate::salon::Decision,
        candidate: Option<usize>,
    },
    /// Fill an empty file with demonstration data (the welcome screen).
    LoadDemo,
    /// Create an agent (a new name confirmed in the agent chooser).
    AddAgent(String),
    /// Undo the last merge decision taken on the pending screen.
    /// Undo a decision: the one named, else the latest one still undoable.
    UndoDecision(Option<String>),
    /// Place a housing request in a place for a period (*Logements*, from the request).
    Place {
        request_id: String,
        place: String,
        period: crate::housing::Span,
        reference: String,
    },
    /// Note a salon visitor's interest in a place (*Logements*, from the quick capture).
    ProposePlace {
        request_id: String,
        place: String,
        period: crate::housing::Span,
        reference: String,
    },
    /// Not a write: show the review of this period.
    ShowPeriod(NaiveDate, NaiveDate),
    /// Not a write: filter the "Toutes" queue.
    SetFilter(Box<RequestFilter>, String),
}
