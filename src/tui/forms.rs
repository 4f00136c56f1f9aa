//! The interface's forms: what they hold, how they check it, and how they save through the
//! storage API. A failed save keeps every field as typed and says what is wrong beside it.

use super::command::{Command, Patch, PatchField, Target};
use super::input::TextField;
use crate::domain::{Answer, FollowUpKind, Outcome, Profile, Status, parse_date};
use crate::error::{Error, Field as ErrField, Result};
use crate::store::{
    Agent, Code, Event, NewFollowUp, NewPerson, NewReferral, NewRequest, Partner, Person,
    ReferralAnswer, ReferralRow, RequestDetail, RequestFilter, RequestRow, Store,
};
use crate::text::fold;
use chrono::NaiveDate;

/// Which field of a form. Forms read their fields by name, never by position, and a typed
/// error of the store ([`Error::Invalid`]) is shown beside the field it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    LastName,
    FirstName,
    Phone,
    Email,
    BirthDate,
    Profile,
    Profession,
    /// The request types ticked (new request).
    Types,
    Type,
    Channel,
    Event,
    Summary,
    Agent,
    NextFollowUp,
    /// What a salon visitor is interested in.
    Interests,
    Note,
    /// The information notice handed to a salon visitor.
    Notice,
    Kind,
    OccurredOn,
    Body,
    Status,
    Referral,
    Partner,
    SentOn,
    ExpectedBy,
    Answer,
    AnsweredOn,
    ReceivedOn,
    Outcome,
    ClosedOn,
    File,
    /// The passphrase of an encrypted salon file (shown as dots).
    Passphrase,
    From,
    To,
    /// Aid forms (`tui::aids`): the scheme, amounts and dates of a grant, a payment, a
    /// commitment and its breach.
    Scheme,
    Amount,
    Bonus,
    DecidedOn,
    PaidOn,
    StartOn,
    Commune,
    Years,
    AttestedOn,
    BrokenOn,
    Repayment,
    /// A field no code reads by name.
    Other,
}

impl Name {
    /// The field a typed store error names.
    pub fn of_error(field: ErrField) -> Name {
        match field {
            ErrField::LastName => Name::LastName,
            ErrField::FirstName => Name::FirstName,
            ErrField::Phone => Name::Phone,
            ErrField::Email => Name::Email,
            ErrField::BirthDate => Name::BirthDate,
            ErrField::ClosedOn => Name::ClosedOn,
            ErrField::NextFollowUp => Name::NextFollowUp,
            ErrField::OccurredOn => Name::OccurredOn,
            ErrField::ReceivedOn => Name::ReceivedOn,
            ErrField::Amount => Name::Amount,
            ErrField::Bonus => Name::Bonus,
            ErrField::DecidedOn => Name::DecidedOn,
            ErrField::PaidOn => Name::PaidOn,
            ErrField::Years => Name::Years,
            ErrField::AttestedOn => Name::AttestedOn,
            ErrField::BrokenOn => Name::BrokenOn,
            ErrField::Repayment => Name::Repayment,
        }
    }
}

/// One line of a form.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: Name,
    pub label: &'static str,
    pub kind: FieldKind,
    /// A date: the form shows the day a relative value (`+7`, `demain`) means as it is typed.
    pub date: bool,
    /// The message shown beside the field after a failed save.
    pub error: Option<String>,
    /// A passphrase: drawn as dots, never as typed.
    pub secret: bool,
}

#[derive(Debug, Clone)]
pub enum FieldKind {
    Text(TextField),
    /// Several lines of text (a note, a follow-up): lines, undo, a cursor that moves between
    /// lines. `text` is the lines joined, kept in step after every edit.
    Area {
        area: Box<ratatui_textarea::TextArea<'static>>,
        text: String,
    },
    /// One of `options` (labels); `←`/`→` choose.
    Choice {
        options: Vec<String>,
        selected: usize,
    },
    /// Several of `options`; `←`/`→` move, `Ctrl-T` ticks.
    Checks {
        options: Vec<String>,
        checked: Vec<bool>,
        cursor: usize,
    },
}

impl Field {
    pub fn text(label: &'static str, value: &str) -> Field {
        Field {
            label,
            name: Name::Other,
            kind: FieldKind::Text(TextField::new(value)),
            date: false,
            error: None,
            secret: false,
        }
    }
    /// A passphrase field: typed like text, drawn as dots.
    pub fn secret(label: &'static str) -> Field {
        Field {
            secret: true,
            ..Field::text(label, "")
        }
    }
    pub fn date(label: &'static str, value: &str) -> Field {
        Field {
            date: true,
            ..Field::text(label, value)
        }
    }
    pub fn multiline(label: &'static str) -> Field {
        Field {
            name: Name::Other,
            label,
            kind: FieldKind::Area {
                area: Box::default(),
                text: String::new(),
            },
            date: false,
            error: None,
            secret: false,
        }
    }
    pub fn choice(label: &'static str, options: Vec<String>, selected: usize) -> Field {
        Field {
            name: Name::Other,
            label,
            kind: FieldKind::Choice { options, selected },
            date: false,
            error: None,
            secret: false,
        }
    }
    pub fn checks(label: &'static str, options: Vec<String>) -> Field {
        let checked = vec![false; options.len()];
        Field {
            name: Name::Other,
            label,
            kind: FieldKind::Checks {
                options,
                checked,
                cursor: 0,
            },
            date: false,
            error: None,
            secret: false,
        }
    }

    /// A field of several lines (its keys: `Context::Lines`).
    pub fn is_lines(&self) -> bool {
        match &self.kind {
            FieldKind::Area { .. } => true,
            FieldKind::Text(t) => t.multiline,
            _ => false,
        }
    }

    /// The same field, with its name.
    pub fn named(self, name: Name) -> Field {
        Field { name, ..self }
    }

    pub fn value(&self) -> &str {
        match &self.kind {
            FieldKind::Text(t) => t.text(),
            FieldKind::Area { text, .. } => text,
            FieldKind::Choice { options, selected } => {
                options.get(*selected).map_or("", String::as_str)
            }
            FieldKind::Checks { .. } => "",
        }
    }

    pub fn selected(&self) -> usize {
        match &self.kind {
            FieldKind::Choice { selected, .. } => *selected,
            FieldKind::Checks { cursor, .. } => *cursor,
            FieldKind::Text(_) | FieldKind::Area { .. } => 0,
        }
    }

    pub fn checked(&self) -> Vec<usize> {
        match &self.kind {
            FieldKind::Checks { checked, .. } => checked
                .iter()
                .enumerate()
                .filter(|(_, c)| **c)
                .map(|(i, _)| i)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// What a form is for; decides its fields and its save.
#[derive(Debug, Clone)]
pub enum FormKind {
    FollowUp {
        base: Box<RequestRow>,
    },
    Remind {
        request_id: String,
        referrals: Vec<ReferralRow>,
    },
    Referral {
        request_id: String,
        partners: Vec<Partner>,
    },
    Answer {
        request_id: String,
        referrals: Vec<ReferralRow>,
    },
    /// `base` is the request as the agent read it: the save sends only what differs from it.
    EditRequest {
        base: Box<RequestRow>,
        types: Vec<Code>,
        channels: Vec<Code>,
        events: Vec<Event>,
    },
    EditPerson {
        base: Box<Person>,
        request_id: String,
    },
    Close {
        base: Box<RequestRow>,
    },
    NewRequest(Box<NewRequestLists>),
    /// Filters of the "Toutes" queue.
    Filter(Box<FilterLists>),
    /// Another period for the review.
    Period,
    /// A visitor at a salon stand.
    Capture(Box<CaptureLists>),
    /// The laptop file to merge.
    MergeFile,
    /// Grant, payment, commitment start, attestation, breach (`tui::aids`).
    Aid(Box<crate::tui::aids::AidForm>),
}

/// What the quick capture offers, and where the captures go.
#[derive(Debug, Clone)]
pub struct CaptureLists {
    pub types: Vec<Code>,
    pub event_id: Option<String>,
    pub channel: Option<String>,
}

/// What the filters of the "Toutes" queue choose from.
#[derive(Debug, Clone)]
pub struct FilterLists {
    pub types: Vec<Code>,
    pub channels: Vec<Code>,
    pub agents: Vec<Agent>,
    pub events: Vec<Event>,
}

/// The lists the new-request form offers, and the likely matches found so far.
#[derive(Debug, Clone)]
pub struct NewRequestLists {
    pub types: Vec<Code>,
    pub channels: Vec<Code>,
    pub events: Vec<Event>,
    pub agents: Vec<Agent>,
    pub matches: Vec<Person>,
    /// The match the agent chose to reuse (index in `matches`).
    pub reuse: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub dirty: bool,
    /// A message for the whole form (a colleague's change, a refused save).
    pub error: Option<String>,
    /// The letter last typed on a list, so that the same letter again goes to the next choice
    /// starting with it (a new letter goes to the first).
    pub letter: Option<char>,
    /// The day a new request or a capture was taken, when not today: a draft taken back on a
    /// later day (see `draft.rs`).
    pub taken_on: Option<NaiveDate>,
}

/// The person's fields that open the capture and new-request forms: names, contacts,
/// (birth date,) profile, profession.
fn person_fields(birth_date: bool, profession: &'static str) -> Vec<Field> {
    let mut fields = vec![
        Field::text("Nom", "").named(Name::LastName),
        Field::text("Prénom", "").named(Name::FirstName),
        Field::text("Téléphone", "").named(Name::Phone),
        Field::text("E-mail", "").named(Name::Email),
    ];
    if birth_date {
        fields.push(Field::date("Né(e) le", "").named(Name::BirthDate));
    }
    fields.push(
        Field::choice(
            "Profil",
            PROFILES.iter().map(|s| s.to_string()).collect(),
            0,
        )
        .named(Name::Profile),
    );
    fields.push(Field::text(profession, "").named(Name::Profession));
    fields
}

/// The referrals still waiting for the partner's answer.
fn awaiting_answer(referrals: Vec<ReferralRow>) -> Vec<ReferralRow> {
    referrals
        .into_iter()
        .filter(|r| r.answered_on.is_none())
        .collect()
}

/// The statuses a follow-up may set (closing has its own form).
const FOLLOW_UP_STATUSES: [Status; 4] = [
    Status::EnCours,
    Status::AttenteDemandeur,
    Status::AttentePartenaire,
    Status::Nouvelle,
];

const PROFILES: [&str; 5] = [
    "—",
    "Étudiant",
    "Interne",
    "Professionnel de santé",
    "Famille",
];

fn profile_index(p: Option<Profile>) -> usize {
    p.map_or(0, |p| {
        Profile::ALL
            .iter()
            .position(|x| *x == p)
            .map_or(0, |i| i + 1)
    })
}

/// The choice a typed letter goes to: the first one starting with it, or, when the same letter
/// was typed just before, the next one after `at` (so `l` on the types is Logement, `l` again
/// Lieu d'exercice).
pub(crate) fn jump(
    options: &[String],
    at: usize,
    key: &ratatui::crossterm::event::KeyEvent,
    letter: &mut Option<char>,
) -> Option<usize> {
    let ratatui::crossterm::event::KeyCode::Char(c) = key.code else {
        return None;
    };
    let again = letter.replace(c) == Some(c);
    let folded = fold(&c.to_string());
    let n = options.len();
    let start = if again { at + 1 } else { 0 };
    (0..n)
        .map(|k| (start + k) % n)
        .find(|i| fold(&options[*i]).starts_with(&folded))
}

impl Form {
    fn new(title: String, kind: FormKind, fields: Vec<Field>) -> Form {
        Form {
            title,
            kind,
            fields,
            focus: 0,
            dirty: false,
            taken_on: None,
            error: None,
            letter: None,
        }
    }

    /// A follow-up, and with it (if chosen) a new status: one form for "called, waiting for
    /// the papers".
    pub fn follow_up(base: &RequestRow) -> Form {
        let kinds = FollowUpKind::ALL
            .iter()
            .map(|k| k.label().to_string())
            .collect();
        let mut statuses = vec!["inchangé".to_string()];
        statuses.extend(FOLLOW_UP_STATUSES.iter().map(|s| s.label().to_string()));
        Form::new(
            format!("Suivi — {}", base.reference),
            FormKind::FollowUp {
                base: Box::new(base.clone()),
            },
            vec![
                Field::choice("Type", kinds, 1).named(Name::Kind),
                Field::date("Date", "aujourd'hui").named(Name::OccurredOn),
                Field::multiline("Texte").named(Name::Body),
                Field::date("Relance le", "").named(Name::NextFollowUp),
                Field::choice("Statut", statuses, 0).named(Name::Status),
            ],
        )
    }

    /// A reminder sent to a partner that has not answered.
    pub fn remind(request_id: &str, reference: &str, referrals: Vec<ReferralRow>) -> Form {
        let open = awaiting_answer(referrals);
        let labels = open
            .iter()
            .map(|r| {
                format!(
                    "{} (réponse attendue le {})",
                    r.partner,
                    r.expected_by
                        .map(crate::domain::fr_date)
                        .unwrap_or_else(|| "—".into())
                )
            })
            .collect();
        Form::new(
            format!("Relance d'un partenaire — {reference}"),
            FormKind::Remind {
                request_id: request_id.into(),
                referrals: open,
            },
            vec![Field::choice("Orientation", labels, 0).named(Name::Referral)],
        )
    }

    pub fn referral(request_id: &str, reference: &str, partners: Vec<Partner>) -> Form {
        let names = partners
            .iter()
            .filter(|p| p.active)
            .map(|p| p.name.clone())
            .collect();
        let partners = partners.into_iter().filter(|p| p.active).collect();
        Form::new(
            format!("Orientation — {reference}"),
            FormKind::Referral {
                request_id: request_id.into(),
                partners,
            },
            vec![
                Field::choice("Partenaire", names, 0).named(Name::Partner),
                Field::date("Envoyée le", "aujourd'hui").named(Name::SentOn),
                Field::date("Réponse attendue le", "+30").named(Name::ExpectedBy),
                Field::multiline("Note").named(Name::Note),
            ],
        )
    }

    pub fn answer(request_id: &str, reference: &str, referrals: Vec<ReferralRow>) -> Form {
        let open = awaiting_answer(referrals);
        let labels = open
            .iter()
            .map(|r| {
                format!(
                    "{} (envoyée le {})",
                    r.partner,
                    crate::domain::fr_date(r.sent_on)
                )
            })
            .collect();
        // No answer chosen beforehand: saving too fast must not record a favourable one.
        let answers = std::iter::once("— à choisir (← →) —".to_string())
            .chain(Answer::ALL.iter().map(|a| a.label().to_string()))
            .collect();
        Form::new(
            format!("Réponse d'un partenaire — {reference}"),
            FormKind::Answer {
                request_id: request_id.into(),
                referrals: open,
            },
            vec![
                Field::choice("Orientation", labels, 0).named(Name::Referral),
                Field::choice("Réponse", answers, 0).named(Name::Answer),
                Field::date("Reçue le", "aujourd'hui").named(Name::AnsweredOn),
                Field::multiline("Note").named(Name::Note),
            ],
        )
    }

    pub fn edit_request(
        d: &RequestDetail,
        types: Vec<Code>,
        channels: Vec<Code>,
        events: Vec<Event>,
    ) -> Form {
        let r = &d.request;
        let type_labels = types.iter().map(|t| t.label.clone()).collect();
        let type_idx = types
            .iter()
            .position(|t| t.code == r.type_code)
            .unwrap_or(0);
        let mut channel_labels = vec!["—".to_string()];
        channel_labels.extend(channels.iter().map(|c| c.label.clone()));
        let channel_idx = r
            .channel
            .as_ref()
            .and_then(|c| channels.iter().position(|x| &x.code == c))
            .map_or(0, |i| i + 1);
        let mut event_labels = vec!["—".to_string()];
        event_labels.extend(events.iter().map(crate::tui::app::event_label));
        let event_idx = r
            .event_id
            .as_ref()
            .and_then(|id| events.iter().position(|e| &e.id == id))
            .map_or(0, |i| i + 1);
        Form::new(
            format!("Modifier la demande {}", r.reference),
            FormKind::EditRequest {
                base: Box::new(r.clone()),
                types,
                channels,
                events,
            },
            vec![
                Field::text("Résumé", &r.summary).named(Name::Summary),
                Field::text(
                    "Relance le",
                    &r.next_follow_up_on
                        .map(crate::domain::fr_date)
                        .unwrap_or_default(),
                )
                .named(Name::NextFollowUp),
                Field::choice("Type", type_labels, type_idx).named(Name::Type),
                Field::choice("Canal", channel_labels, channel_idx).named(Name::Channel),
                Field::date("Reçue le", &crate::domain::fr_date(r.received_on))
                    .named(Name::ReceivedOn),
                Field::choice("Événement", event_labels, event_idx).named(Name::Event),
            ],
        )
    }

    pub fn edit_person(p: &Person, request_id: &str) -> Form {
        Form::new(
            format!("Modifier {} {}", p.last_name, p.first_name),
            FormKind::EditPerson {
                base: Box::new(p.clone()),
                request_id: request_id.to_string(),
            },
            vec![
                Field::text("Nom", &p.last_name).named(Name::LastName),
                Field::text("Prénom", &p.first_name).named(Name::FirstName),
                Field::text("Téléphone", &p.phone).named(Name::Phone),
                Field::text("E-mail", &p.email).named(Name::Email),
                Field::choice(
                    "Profil",
                    PROFILES.iter().map(|s| s.to_string()).collect(),
                    profile_index(p.profile),
                )
                .named(Name::Profile),
                Field::text("Profession", &p.profession).named(Name::Profession),
                Field::text(
                    "Né(e) le",
                    &p.birth_date.map(crate::domain::fr_date).unwrap_or_default(),
                )
                .named(Name::BirthDate),
            ],
        )
    }

    /// The filters of the "Toutes" queue, showing the current ones.
    pub fn filter(store: &Store, current: &RequestFilter) -> Result<Form> {
        let lists = FilterLists {
            types: store.types()?,
            channels: store.channels()?,
            agents: store.agents()?,
            events: store.events()?,
        };
        let with_any = |items: Vec<String>| {
            let mut v = vec!["Tous".to_string()];
            v.extend(items);
            v
        };
        let pos = |found: Option<usize>, shift: usize| found.map_or(0, |i| i + shift);
        let type_idx = pos(
            lists
                .types
                .iter()
                .position(|t| Some(&t.code) == current.type_code.as_ref()),
            1,
        );
        let status_idx = if current.open_only {
            1
        } else {
            pos(
                current
                    .status
                    .and_then(|st| Status::ALL.iter().position(|x| *x == st)),
                2,
            )
        };
        let agent_idx = if current.unassigned {
            1
        } else {
            pos(
                lists
                    .agents
                    .iter()
                    .position(|a| Some(&a.id) == current.agent_id.as_ref()),
                2,
            )
        };
        let channel_idx = pos(
            lists
                .channels
                .iter()
                .position(|c| Some(&c.code) == current.channel_code.as_ref()),
            1,
        );
        let event_idx = pos(
            lists
                .events
                .iter()
                .position(|e| Some(&e.id) == current.event_id.as_ref()),
            1,
        );
        let mut statuses = vec!["Tous".to_string(), "Ouvertes".to_string()];
        statuses.extend(Status::ALL.iter().map(|st| st.label().to_string()));
        let mut agents = vec!["Tous".to_string(), "Non attribuée".to_string()];
        agents.extend(lists.agents.iter().map(|a| a.name.clone()));
        let fields = vec![
            Field::choice(
                "Type",
                with_any(lists.types.iter().map(|t| t.label.clone()).collect()),
                type_idx,
            )
            .named(Name::Type),
            Field::choice("Statut", statuses, status_idx).named(Name::Status),
            Field::choice("Agent", agents, agent_idx).named(Name::Agent),
            Field::choice(
                "Canal",
                with_any(lists.channels.iter().map(|c| c.label.clone()).collect()),
                channel_idx,
            )
            .named(Name::Channel),
            Field::choice(
                "Événement",
                with_any(
                    lists
                        .events
                        .iter()
                        .map(crate::tui::app::event_label)
                        .collect(),
                ),
                event_idx,
            )
            .named(Name::Event),
            Field::date(
                "Reçues du",
                &current
                    .received_from
                    .map(crate::domain::fr_date)
                    .unwrap_or_default(),
            )
            .named(Name::From),
            Field::date(
                "au",
                &current
                    .received_to
                    .map(crate::domain::fr_date)
                    .unwrap_or_default(),
            )
            .named(Name::To),
        ];
        Ok(Form::new(
            "Filtrer la file « Toutes »".into(),
            FormKind::Filter(Box::new(lists)),
            fields,
        ))
    }

    /// The quick capture of a salon laptop: under 30 seconds a visitor.
    pub fn capture(store: &Store) -> Result<Form> {
        let types: Vec<Code> = store.types()?.into_iter().filter(|t| t.active).collect();
        let event_id = store.meta("event_id")?;
        let channel = store
            .channels()?
            .into_iter()
            .find(|c| c.code == "salon")
            .map(|c| c.code);
        let mut fields = person_fields(false, "Études / profession");
        fields.extend([
            Field::checks(
                "Intéressé(e) par",
                types.iter().map(|t| t.label.clone()).collect(),
            )
            .named(Name::Interests),
            Field::text("Note", "").named(Name::Note),
            Field::choice(
                "Mention d'info.",
                vec!["pas encore remise".into(), "remise à la personne".into()],
                0,
            )
            .named(Name::Notice),
        ]);
        Ok(Form::new(
            "Saisie rapide".into(),
            FormKind::Capture(Box::new(CaptureLists {
                types,
                event_id,
                channel,
            })),
            fields,
        ))
    }

    /// Asks for the salon laptop file to merge.
    pub fn merge_file() -> Form {
        Form::new(
            "Fusionner un fichier de salon".into(),
            FormKind::MergeFile,
            vec![
                Field::text("Fichier du portable", "").named(Name::File),
                Field::secret("Phrase de passe").named(Name::Passphrase),
            ],
        )
    }

    /// A custom period for the review.
    pub fn period(from: NaiveDate, to: NaiveDate) -> Form {
        Form::new(
            "Période du bilan".into(),
            FormKind::Period,
            vec![
                Field::date("Du", &crate::domain::fr_date(from)).named(Name::From),
                Field::date("Au", &crate::domain::fr_date(to)).named(Name::To),
            ],
        )
    }

    /// Closing: the outcome starts on "—", so a hurried save cannot record one by chance.
    pub fn close(base: &RequestRow) -> Form {
        let mut outcomes = vec!["—".to_string()];
        outcomes.extend(Outcome::ALL.iter().map(|o| o.label().to_string()));
        Form::new(
            format!("Clore la demande {}", base.reference),
            FormKind::Close {
                base: Box::new(base.clone()),
            },
            vec![
                Field::choice("Issue", outcomes, 0).named(Name::Outcome),
                Field::date("Close le", "aujourd'hui").named(Name::ClosedOn),
            ],
        )
    }

    pub fn new_request(store: &Store, me: Option<&Agent>) -> Result<Form> {
        let types: Vec<Code> = store.types()?.into_iter().filter(|t| t.active).collect();
        let channels: Vec<Code> = store.channels()?.into_iter().filter(|c| c.active).collect();
        let events = store.events()?;
        let agents: Vec<Agent> = store.agents()?.into_iter().filter(|a| a.active).collect();
        let mut channel_labels = vec!["—".to_string()];
        channel_labels.extend(channels.iter().map(|c| c.label.clone()));
        let phone = channels
            .iter()
            .position(|c| c.code == "telephone")
            .map_or(0, |i| i + 1);
        let mut event_labels = vec!["—".to_string()];
        event_labels.extend(events.iter().take(30).map(crate::tui::app::event_label));
        let mut agent_labels = vec!["Non attribuée".to_string()];
        agent_labels.extend(agents.iter().map(|a| a.name.clone()));
        let me_idx = me
            .and_then(|m| agents.iter().position(|a| a.id == m.id))
            .map_or(0, |i| i + 1);
        let mut fields = person_fields(true, "Profession / études");
        fields.extend([
            Field::checks(
                "Demande(s)",
                types.iter().map(|t| t.label.clone()).collect(),
            )
            .named(Name::Types),
            Field::choice("Canal", channel_labels, phone).named(Name::Channel),
            Field::choice("Événement", event_labels, 0).named(Name::Event),
            Field::text("Résumé", "").named(Name::Summary),
            Field::choice("Agent", agent_labels, me_idx).named(Name::Agent),
            Field::date("Relance le", "").named(Name::NextFollowUp),
        ]);
        Ok(Form::new(
            "Nouvelle demande".into(),
            FormKind::NewRequest(Box::new(NewRequestLists {
                types,
                channels,
                events,
                agents,
                matches: Vec::new(),
                reuse: None,
            })),
            fields,
        ))
    }

    /// A new request for a known person (`n` from a request): the person is taken as is, the
    /// form opens on the types.
    pub fn new_request_for(store: &Store, me: Option<&Agent>, p: &Person) -> Result<Form> {
        let mut f = Form::new_request(store, me)?;
        let set = |f: &mut Form, n: Name, v: &str| {
            if let FieldKind::Text(t) = &mut f.field_mut(n).kind {
                t.set(v);
            }
        };
        set(&mut f, Name::LastName, &p.last_name);
        set(&mut f, Name::FirstName, &p.first_name);
        set(&mut f, Name::Phone, &p.phone);
        set(&mut f, Name::Email, &p.email);
        set(
            &mut f,
            Name::BirthDate,
            &p.birth_date.map(crate::domain::fr_date).unwrap_or_default(),
        );
        set(&mut f, Name::Profession, &p.profession);
        if let FieldKind::Choice { selected, .. } = &mut f.field_mut(Name::Profile).kind {
            *selected = profile_index(p.profile);
        }
        if let FormKind::NewRequest(lists) = &mut f.kind {
            lists.matches = vec![p.clone()];
            lists.reuse = Some(0);
        }
        f.title = format!("Nouvelle demande pour {} {}", p.last_name, p.first_name);
        f.focus = f.at(Name::Types);
        Ok(f)
    }

    /// `↑`/`↓` in a multi-line field move between its lines (and leave it from its first or
    /// last line); returns whether the field took the key.
    pub fn line_move(&mut self, down: bool) -> bool {
        let FieldKind::Area { area, .. } = &mut self.fields[self.focus].kind else {
            return false;
        };
        let row = area.cursor().0;
        let last = area.lines().len().saturating_sub(1);
        if (down && row >= last) || (!down && row == 0) {
            return false;
        }
        area.move_cursor(if down {
            ratatui_textarea::CursorMove::Down
        } else {
            ratatui_textarea::CursorMove::Up
        });
        true
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
        self.letter = None;
    }

    pub fn prev_field(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        self.letter = None;
    }

    /// `←`/`→`: choose in a list field, move the cursor in a text field.
    pub fn step(&mut self, forward: bool, key: &ratatui::crossterm::event::KeyEvent) {
        self.letter = None;
        match &mut self.fields[self.focus].kind {
            FieldKind::Text(t) => {
                t.input(key);
            }
            FieldKind::Area { area, .. } => {
                area.input(*key);
            }
            FieldKind::Choice { options, selected } if !options.is_empty() => {
                let n = options.len();
                *selected = if forward {
                    (*selected + 1) % n
                } else {
                    (*selected + n - 1) % n
                };
                self.dirty = true;
            }
            FieldKind::Checks {
                options, cursor, ..
            } if !options.is_empty() => {
                let n = options.len();
                *cursor = if forward {
                    (*cursor + 1) % n
                } else {
                    (*cursor + n - 1) % n
                };
            }
            _ => {}
        }
    }

    /// `Ctrl-T` or a space on a check list.
    pub fn toggle(&mut self) {
        if let FieldKind::Checks {
            checked, cursor, ..
        } = &mut self.fields[self.focus].kind
            && let Some(c) = checked.get_mut(*cursor)
        {
            *c = !*c;
            self.dirty = true;
        }
    }

    /// Pasted text into the focused text field; returns whether it changed.
    pub fn paste(&mut self, pasted: &str) -> bool {
        let changed = match &mut self.fields[self.focus].kind {
            FieldKind::Text(t) => t.insert(pasted),
            FieldKind::Area { area, text } => {
                let clean: String = pasted
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .chars()
                    .filter(|c| *c == '\n' || !c.is_control())
                    .collect();
                let changed = area.insert_str(clean);
                *text = area.lines().join("\n");
                changed
            }
            _ => false,
        };
        if changed {
            self.dirty = true;
            self.fields[self.focus].error = None;
        }
        changed
    }

    /// Empties the passphrase fields (after a refusal: typed again).
    pub fn clear_secrets(&mut self) {
        for field in self.fields.iter_mut().filter(|f| f.secret) {
            field.kind = FieldKind::Text(TextField::new(""));
        }
    }

    /// A typed key; returns whether a text changed (the new-request form then looks for
    /// likely matches).
    pub fn type_key(&mut self, key: &ratatui::crossterm::event::KeyEvent) -> bool {
        use ratatui::crossterm::event::KeyCode;
        match &mut self.fields[self.focus].kind {
            FieldKind::Text(t) => {
                let changed = t.input(key);
                if changed {
                    self.dirty = true;
                    self.fields[self.focus].error = None;
                }
                changed
            }
            FieldKind::Area { area, text } => {
                use ratatui::crossterm::event::KeyModifiers;
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                let changed = match key.code {
                    KeyCode::Char('z') if ctrl => area.undo(),
                    KeyCode::Char('y') if ctrl => area.redo(),
                    _ => area.input(*key),
                };
                if changed {
                    *text = area.lines().join("\n");
                    self.dirty = true;
                    self.fields[self.focus].error = None;
                }
                changed
            }
            FieldKind::Checks { .. } if key.code == KeyCode::Char(' ') => {
                self.toggle();
                false
            }
            FieldKind::Checks {
                options, cursor, ..
            } => {
                if let Some(i) = jump(options, *cursor, key, &mut self.letter) {
                    *cursor = i;
                }
                false
            }
            FieldKind::Choice { options, selected } => {
                if let Some(i) = jump(options, *selected, key, &mut self.letter) {
                    *selected = i;
                    self.dirty = true;
                }
                false
            }
        }
    }

    fn clear_errors(&mut self) {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// The position of a field in this form. Every name a form's code reads is one of its
    /// fields (see the constructors); a missing one falls back on the first field.
    fn at(&self, name: Name) -> usize {
        let i = self.fields.iter().position(|f| f.name == name);
        debug_assert!(i.is_some(), "{name:?} is not a field of {}", self.title);
        i.unwrap_or(0)
    }

    /// A field by its name.
    pub fn field(&self, name: Name) -> &Field {
        &self.fields[self.at(name)]
    }

    pub fn field_mut(&mut self, name: Name) -> &mut Field {
        let i = self.at(name);
        &mut self.fields[i]
    }

    fn fail(&mut self, name: Name, e: Error) -> Error {
        let i = self.at(name);
        self.fields[i].error = Some(e.to_string());
        self.focus = i;
        self.letter = None;
        e
    }

    fn date(&mut self, name: Name, today: NaiveDate, required: bool) -> Result<Option<NaiveDate>> {
        let v = self.field(name).value().trim().to_string();
        if v.is_empty() {
            if required {
                return Err(self.fail(name, Error::input("date obligatoire")));
            }
            return Ok(None);
        }
        parse_date(&v, today)
            .map(Some)
            .map_err(|e| self.fail(name, e))
    }

    /// Checks and saves. On success returns a message for the status line; on failure the
    /// fields keep what was typed and carry the error.
    /// Checks what was typed and turns it into a [`Command`], touching no store. On failure the
    /// fields keep what was typed and the one at fault carries the error.
    pub fn submit(&mut self, today: NaiveDate, me: Option<&Agent>) -> Result<Command> {
        self.clear_errors();
        let result = self.submit_inner(today, me);
        if let Err(e) = &result {
            self.show_error(e);
        }
        result
    }

    /// Puts an error beside its field (typed errors), else on the whole form.
    pub fn show_error(&mut self, e: &Error) {
        if let Error::Invalid { field, .. } = e
            && let Some(i) = self.index_of(*field)
        {
            self.fields[i].error = Some(e.to_string());
            self.focus = i;
            self.letter = None;
            return;
        }
        if self.fields.iter().all(|f| f.error.is_none()) {
            self.error = Some(e.to_string());
        }
    }

    /// The position of the field a typed error names, if this form has it.
    fn index_of(&self, field: ErrField) -> Option<usize> {
        let name = Name::of_error(field);
        self.fields.iter().position(|f| f.name == name)
    }

    /// The person as typed in the fields named for a person (names, contacts, profile,
    /// profession), with `birth_date`.
    fn person(&self, birth_date: Option<NaiveDate>) -> NewPerson {
        NewPerson {
            last_name: self.text(Name::LastName),
            first_name: self.text(Name::FirstName),
            phone: self.text(Name::Phone),
            email: self.text(Name::Email),
            profile: self
                .field(Name::Profile)
                .selected()
                .checked_sub(1)
                .map(|i| Profile::ALL[i]),
            profession: self.text(Name::Profession),
            birth_date,
        }
    }

    fn text(&self, name: Name) -> String {
        self.field(name).value().trim().to_string()
    }

    /// Every field of a person's form checked at once (names, contacts, dates, the ticked
    /// needs), so that one save shows every mistake beside its field, the focus on the first;
    /// `person` false when an existing person is taken over (their fields are not saved).
    fn check_every_field(
        &mut self,
        today: NaiveDate,
        person: bool,
        kept_phone: &str,
    ) -> Result<()> {
        use crate::store::validate;
        let mut first: Option<(usize, Error)> = None;
        for i in 0..self.fields.len() {
            let f = &self.fields[i];
            let v = f.value().trim().to_string();
            let date = |v: &str| match v {
                "" => Ok(None),
                v => parse_date(v, today).map(Some),
            };
            let check = match f.name {
                Name::LastName if person && v.is_empty() => Err(Error::input("le nom est vide")),
                Name::FirstName if person && v.is_empty() => {
                    Err(Error::input("le prénom est vide"))
                }
                Name::Phone if person && v != kept_phone => validate::check_phone(&v),
                Name::Email if person => validate::check_email(&v),
                Name::BirthDate if person => date(&v).and_then(|d| {
                    validate::birth_date(d, today).map_err(|e| Error::input(e.to_string()))
                }),
                Name::NextFollowUp => date(&v).map(|_| ()),
                Name::Types if f.checked().is_empty() => Err(Error::input(format!(
                    "cochez au moins un type de demande ({} ou Espace)",
                    crate::tui::keymap::key_of(
                        crate::tui::keymap::Context::Form,
                        crate::tui::keymap::Action::Toggle
                    )
                ))),
                Name::Interests if f.checked().is_empty() => {
                    Err(Error::input("cochez au moins un intérêt (Espace)"))
                }
                _ => Ok(()),
            };
            if let Err(e) = check {
                self.fields[i].error = Some(e.to_string());
                first.get_or_insert((i, e));
            }
        }
        match first {
            Some((i, e)) => {
                self.focus = i;
                self.letter = None;
                Err(e)
            }
            None => Ok(()),
        }
    }

    fn submit_inner(&mut self, today: NaiveDate, me: Option<&Agent>) -> Result<Command> {
        match self.kind.clone() {
            FormKind::Remind {
                request_id,
                referrals,
            } => {
                let Some(r) = referrals.get(self.field(Name::Referral).selected()) else {
                    return Err(self.fail(
                        Name::Referral,
                        Error::input("aucune orientation n'attend de réponse"),
                    ));
                };
                Ok(Command::Remind {
                    request_id,
                    referral_id: r.id.clone(),
                    partner: r.partner.clone(),
                })
            }
            FormKind::FollowUp { base } => {
                let request_id = base.id.clone();
                let mut also = self
                    .field(Name::Status)
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| FOLLOW_UP_STATUSES.get(i))
                    // The status it already had, as read: nothing to change (and a colleague's
                    // status set meanwhile stays, without this form claiming its own).
                    .filter(|st| **st != base.status)
                    .map(|st| {
                        Patch::status(
                            &base,
                            *st,
                            None,
                            None,
                            &format!("Suivi enregistré ; statut : {}.", st.label()),
                        )
                    });
                let kind = FollowUpKind::ALL[self.field(Name::Kind).selected()];
                let occurred_on = self.date(Name::OccurredOn, today, true)?.unwrap_or(today);
                if occurred_on > today {
                    return Err(self.fail(
                        Name::OccurredOn,
                        Error::input("ce suivi est daté dans le futur"),
                    ));
                }
                let body = self.field(Name::Body).value().to_string();
                let next = self.date(Name::NextFollowUp, today, false)?;
                if also.is_none() {
                    // No reopening chosen: a closed request takes no follow-up date.
                    crate::store::no_follow_up_once_closed(base.status, next)
                        .map_err(|e| self.fail(Name::NextFollowUp, e))?;
                }
                if kind == FollowUpKind::Note && body.trim().is_empty() {
                    return Err(self.fail(Name::Body, Error::input("la note est vide")));
                }
                // The request's follow-up date moves with the same check as any edit of it.
                if let Some(next) = next {
                    also.get_or_insert_with(|| Patch::on_request(&base, "Suivi enregistré."))
                        .set(
                            PatchField::NextFollowUp,
                            PatchField::NextFollowUp.of_request(&base),
                            next.to_string(),
                        );
                }
                Ok(Command::LogFollowUp {
                    request_id,
                    follow_up: NewFollowUp {
                        kind,
                        occurred_on,
                        body,
                        next_follow_up_on: next,
                    },
                    also,
                })
            }
            FormKind::Referral {
                request_id,
                partners,
            } => {
                let Some(partner) = partners.get(self.field(Name::Partner).selected()) else {
                    return Err(self.fail(
                        Name::Partner,
                        Error::input("aucun partenaire dans la liste"),
                    ));
                };
                let sent_on = self.date(Name::SentOn, today, true)?.unwrap_or(today);
                let expected = match self.field(Name::ExpectedBy).value().trim() {
                    "" => None,
                    v => Some(parse_date(v, sent_on).map_err(|e| self.fail(Name::ExpectedBy, e))?),
                };
                Ok(Command::Refer {
                    request_id,
                    referral: NewReferral {
                        partner_id: partner.id.clone(),
                        sent_on,
                        expected_by: expected,
                        note: self.field(Name::Note).value().to_string(),
                    },
                    partner: partner.name.clone(),
                })
            }
            FormKind::Answer {
                request_id,
                referrals,
            } => {
                let Some(referral) = referrals.get(self.field(Name::Referral).selected()) else {
                    return Err(self.fail(
                        Name::Referral,
                        Error::input("aucune orientation n'attend de réponse"),
                    ));
                };
                let Some(answer) = self
                    .field(Name::Answer)
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| Answer::ALL.get(i).copied())
                else {
                    return Err(self.fail(
                        Name::Answer,
                        Error::input("choisissez la réponse du partenaire (← →)"),
                    ));
                };
                let answered_on = self.date(Name::AnsweredOn, today, true)?.unwrap_or(today);
                Ok(Command::Answer {
                    request_id,
                    referral_id: referral.id.clone(),
                    version: referral.version,
                    answer: ReferralAnswer {
                        answered_on,
                        answer,
                        note: self.field(Name::Note).value().to_string(),
                    },
                    partner: referral.partner.clone(),
                })
            }
            FormKind::EditRequest {
                base,
                types,
                channels,
                events,
            } => {
                let next = self.date(Name::NextFollowUp, today, false)?;
                let mut p = Patch::on_request(&base, "Demande modifiée.");
                let of = |f: PatchField| f.of_request(&base);
                p.set(
                    PatchField::Summary,
                    of(PatchField::Summary),
                    self.text(Name::Summary),
                );
                p.set(
                    PatchField::NextFollowUp,
                    of(PatchField::NextFollowUp),
                    next.map(|d| d.to_string()).unwrap_or_default(),
                );
                if let Some(t) = types.get(self.field(Name::Type).selected()) {
                    p.set(PatchField::Type, of(PatchField::Type), t.code.clone());
                }
                let channel = match self.field(Name::Channel).selected() {
                    0 => String::new(),
                    i => channels
                        .get(i - 1)
                        .map(|c| c.code.clone())
                        .unwrap_or_default(),
                };
                p.set(PatchField::Channel, of(PatchField::Channel), channel);
                let received = self
                    .date(Name::ReceivedOn, today, true)?
                    .unwrap_or(base.received_on);
                p.set(
                    PatchField::ReceivedOn,
                    of(PatchField::ReceivedOn),
                    received.to_string(),
                );
                let event = match self.field(Name::Event).selected() {
                    0 => String::new(),
                    i => events.get(i - 1).map(|e| e.id.clone()).unwrap_or_default(),
                };
                p.set(PatchField::Event, of(PatchField::Event), event);
                Ok(Command::Patch(p))
            }
            FormKind::EditPerson { base, request_id } => {
                self.check_every_field(today, true, &base.phone)?;
                let birth = self.date(Name::BirthDate, today, false)?;
                let mut person = self.person(birth);
                person.validate_keeping(&base.phone)?;
                let mut p = Patch::new(
                    Target::Person,
                    &base.id,
                    &request_id,
                    base.version,
                    "Personne modifiée.",
                );
                let of = |f: PatchField| f.of_person(&base);
                let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
                let pairs = [
                    (PatchField::LastName, person.last_name.clone()),
                    (PatchField::FirstName, person.first_name.clone()),
                    (PatchField::Phone, person.phone.clone()),
                    (PatchField::Email, person.email.clone()),
                    (
                        PatchField::Profile,
                        person
                            .profile
                            .map(|p| p.code().to_string())
                            .unwrap_or_default(),
                    ),
                    (PatchField::Profession, person.profession.clone()),
                    (PatchField::BirthDate, date(person.birth_date)),
                ];
                for (field, mine) in pairs {
                    p.set(field, of(field), mine);
                }
                Ok(Command::Patch(p))
            }
            FormKind::Close { base } => {
                // The first choice is "—": the agent must pick an outcome.
                let Some(outcome) = self
                    .field(Name::Outcome)
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| Outcome::ALL.get(i).copied())
                else {
                    return Err(self.fail(
                        Name::Outcome,
                        Error::input("choisissez l'issue (← →) : rien n'est choisi d'avance"),
                    ));
                };
                let closed_on = self.date(Name::ClosedOn, today, true)?.unwrap_or(today);
                crate::store::validate::closed_on(Some(closed_on), today)?;
                if closed_on < base.received_on {
                    return Err(self.fail(
                        Name::ClosedOn,
                        Error::input(format!(
                            "la date de clôture est antérieure à la réception ({})",
                            crate::domain::fr_date(base.received_on)
                        )),
                    ));
                }
                let p = Patch::status(
                    &base,
                    Status::Close,
                    Some(outcome),
                    Some(closed_on),
                    &format!("Demande close : {}.", outcome.label()),
                );
                Ok(Command::Patch(p))
            }
            FormKind::Aid(a) => crate::tui::aids::command(&a, &mut self.fields, today),
            FormKind::Capture(lists) => {
                self.check_every_field(today, true, "")?;
                let mut person = self.person(None);
                person.validate()?;
                if person.phone.is_empty() && person.email.is_empty() {
                    return Err(self.fail(
                        Name::Phone,
                        Error::input("un téléphone ou un e-mail, pour recontacter la personne"),
                    ));
                }
                let types: Vec<String> = self
                    .field(Name::Interests)
                    .checked()
                    .iter()
                    .filter_map(|i| lists.types.get(*i))
                    .map(|t| t.code.clone())
                    .collect();
                if self.field(Name::Notice).selected() != 1 {
                    return Err(self.fail(
                        Name::Notice,
                        Error::input(
                            "remettez la mention d'information, puis choisissez « remise » (→)",
                        ),
                    ));
                }
                let note = self.field(Name::Note).value().to_string();
                let requests: Vec<NewRequest> = types
                    .iter()
                    .map(|t| {
                        let mut r =
                            NewRequest::new(person.clone(), t, self.taken_on.unwrap_or(today));
                        r.status = Status::AQualifier;
                        r.channel_code = lists.channel.clone();
                        r.event_id = lists.event_id.clone();
                        r.agent_id = me.map(|a| a.id.clone());
                        r.summary = note.clone();
                        r
                    })
                    .collect();
                Ok(Command::Capture {
                    requests,
                    who: format!("{} {}", person.last_name.to_uppercase(), person.first_name),
                })
            }
            FormKind::MergeFile => {
                let path = std::path::PathBuf::from(self.text(Name::File));
                if path.as_os_str().is_empty() {
                    return Err(
                        self.fail(Name::File, Error::input("le chemin du fichier est vide"))
                    );
                }
                let pass = self.text(Name::Passphrase);
                let secret = if crate::store::is_encrypted(&path) {
                    if pass.is_empty() {
                        return Err(self.fail(
                            Name::Passphrase,
                            Error::input("ce fichier est chiffré : tapez sa phrase de passe"),
                        ));
                    }
                    Some(crate::tui::command::Secret(pass))
                } else {
                    None
                };
                Ok(Command::Merge(path, secret))
            }
            FormKind::Period => {
                let from = self.date(Name::From, today, true)?.unwrap_or(today);
                let to = self.date(Name::To, today, true)?.unwrap_or(today);
                if to < from {
                    return Err(self.fail(
                        Name::To,
                        Error::input("la fin de la période est avant son début"),
                    ));
                }
                crate::report::check_range(from, to).map_err(|e| self.fail(Name::To, e))?;
                Ok(Command::ShowPeriod(from, to))
            }
            FormKind::Filter(lists) => {
                let from = self.date(Name::From, today, false)?;
                let to = self.date(Name::To, today, false)?;
                if let (Some(f), Some(t)) = (from, to)
                    && t < f
                {
                    return Err(self.fail(
                        Name::To,
                        Error::input("la fin de la période est avant son début"),
                    ));
                }
                let pick = |n: Name, shift: usize| self.field(n).selected().checked_sub(shift);
                let mut filter = RequestFilter {
                    type_code: pick(Name::Type, 1)
                        .and_then(|i| lists.types.get(i))
                        .map(|t| t.code.clone()),
                    channel_code: pick(Name::Channel, 1)
                        .and_then(|i| lists.channels.get(i))
                        .map(|c| c.code.clone()),
                    event_id: pick(Name::Event, 1)
                        .and_then(|i| lists.events.get(i))
                        .map(|e| e.id.clone()),
                    received_from: from,
                    received_to: to,
                    ..Default::default()
                };
                match self.field(Name::Status).selected() {
                    0 => {}
                    1 => filter.open_only = true,
                    i => filter.status = Status::ALL.get(i - 2).copied(),
                }
                match self.field(Name::Agent).selected() {
                    0 => {}
                    1 => filter.unassigned = true,
                    i => filter.agent_id = lists.agents.get(i - 2).map(|a| a.id.clone()),
                }
                let label: Vec<String> = [
                    Name::Type,
                    Name::Status,
                    Name::Agent,
                    Name::Channel,
                    Name::Event,
                ]
                .iter()
                .filter(|n| self.field(**n).selected() > 0)
                .map(|n| self.field(*n).value().to_string())
                .chain(from.map(|d| format!("du {}", crate::domain::fr_date(d))))
                .chain(to.map(|d| format!("au {}", crate::domain::fr_date(d))))
                .collect();
                Ok(Command::SetFilter(Box::new(filter), label.join(" · ")))
            }
            FormKind::NewRequest(lists) => {
                let reuse = lists
                    .reuse
                    .and_then(|i| lists.matches.get(i))
                    .map(|p| p.id.clone());
                self.check_every_field(today, reuse.is_none(), "")?;
                let birth = self.date(Name::BirthDate, today, false)?;
                let mut person = self.person(birth);
                if reuse.is_none() {
                    person.validate()?;
                }
                // Ticked types, names and dates were checked above with every other field.
                let types: Vec<String> = self
                    .field(Name::Types)
                    .checked()
                    .iter()
                    .filter_map(|i| lists.types.get(*i))
                    .map(|t| t.code.clone())
                    .collect();
                let channel = self
                    .field(Name::Channel)
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| lists.channels.get(i))
                    .map(|c| c.code.clone());
                let event = self
                    .field(Name::Event)
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| lists.events.get(i))
                    .map(|e| e.id.clone());
                let agent = self
                    .field(Name::Agent)
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| lists.agents.get(i))
                    .map(|a| a.id.clone());
                let next = self.date(Name::NextFollowUp, today, false)?;
                let requests: Vec<NewRequest> = types
                    .iter()
                    .map(|t| {
                        let mut r =
                            NewRequest::new(person.clone(), t, self.taken_on.unwrap_or(today));
                        r.person_id = reuse.clone();
                        r.channel_code = channel.clone();
                        r.event_id = event.clone();
                        r.agent_id = agent.clone();
                        r.summary = self.field(Name::Summary).value().to_string();
                        r.next_follow_up_on = next;
                        r
                    })
                    .collect();
                Ok(Command::CreateRequests(requests))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Person {
        Person {
            id: "p1".into(),
            last_name: "Dupont".into(),
            first_name: "Jean".into(),
            birth_date: None,
            phone: String::new(),
            email: String::new(),
            profile: None,
            profession: String::new(),
            version: 1,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    /// A typed error of the store goes beside the field it names, whatever its words.
    #[test]
    fn a_typed_error_is_shown_beside_the_field_it_names() {
        let mut f = Form::edit_person(&person(), "r1");
        f.show_error(&Error::invalid(ErrField::Email, "n'importe quel texte"));
        assert_eq!(
            f.field(Name::Email).error.as_deref(),
            Some("n'importe quel texte")
        );
        assert_eq!(f.focused().name, Name::Email);
        assert!(f.error.is_none());

        // What the agent typed is checked by the store's rules: the field at fault is named.
        f.field_mut(Name::FirstName).kind = FieldKind::Text(TextField::new(""));
        assert!(f.submit(today(), None).is_err());
        assert_eq!(f.focused().name, Name::FirstName);
        assert!(f.field(Name::FirstName).error.is_some());
        assert!(f.field(Name::Email).error.is_none(), "errors cleared first");
    }

    /// A form without the named field shows the error on the whole form: the answer's
    /// "Reçue le" (the partner's answer) is not the request's reception date.
    #[test]
    fn an_error_about_a_field_the_form_lacks_goes_on_the_whole_form() {
        let mut f = Form::answer("r1", "A26-0001", Vec::new());
        f.show_error(&Error::invalid(ErrField::ReceivedOn, "date de réception"));
        assert!(f.fields.iter().all(|x| x.error.is_none()));
        assert_eq!(f.error.as_deref(), Some("date de réception"));
    }
}
