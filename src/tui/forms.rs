//! The interface's forms: what they hold, how they check it, and how they save through the
//! storage API. A failed save keeps every field as typed and says what is wrong beside it.

use super::input::TextField;
use crate::domain::{Answer, FollowUpKind, Outcome, Profile, Status, parse_date};
use crate::error::{Error, Result};
use crate::store::{
    Agent, Code, Event, NewFollowUp, NewPerson, NewReferral, NewRequest, Partner, Person,
    ReferralAnswer, ReferralRow, RequestChange, RequestDetail, RequestFilter, Store,
};
use crate::text::fold;
use chrono::NaiveDate;

/// One line of a form.
#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub kind: FieldKind,
    /// The message shown beside the field after a failed save.
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum FieldKind {
    Text(TextField),
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
            kind: FieldKind::Text(TextField::new(value)),
            error: None,
        }
    }
    pub fn multiline(label: &'static str) -> Field {
        Field {
            label,
            kind: FieldKind::Text(TextField::multiline()),
            error: None,
        }
    }
    pub fn choice(label: &'static str, options: Vec<String>, selected: usize) -> Field {
        Field {
            label,
            kind: FieldKind::Choice { options, selected },
            error: None,
        }
    }
    pub fn checks(label: &'static str, options: Vec<String>) -> Field {
        let checked = vec![false; options.len()];
        Field {
            label,
            kind: FieldKind::Checks {
                options,
                checked,
                cursor: 0,
            },
            error: None,
        }
    }

    pub fn value(&self) -> &str {
        match &self.kind {
            FieldKind::Text(t) => t.text(),
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
            FieldKind::Text(_) => 0,
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
        request_id: String,
    },
    Referral {
        request_id: String,
        partners: Vec<Partner>,
    },
    Answer {
        request_id: String,
        referrals: Vec<ReferralRow>,
    },
    EditRequest {
        request_id: String,
        version: i64,
        types: Vec<Code>,
        channels: Vec<Code>,
    },
    EditPerson {
        person_id: String,
        version: i64,
    },
    Close {
        request_id: String,
        version: i64,
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

/// Field positions of the quick-capture form.
pub mod cap {
    pub const LAST: usize = 0;
    pub const FIRST: usize = 1;
    pub const PHONE: usize = 2;
    pub const EMAIL: usize = 3;
    pub const PROFILE: usize = 4;
    pub const PROFESSION: usize = 5;
    pub const INTERESTS: usize = 6;
    pub const NOTE: usize = 7;
    pub const NOTICE: usize = 8;
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
}

/// Field positions of the new-request form.
pub mod nr {
    pub const LAST: usize = 0;
    pub const FIRST: usize = 1;
    pub const PHONE: usize = 2;
    pub const EMAIL: usize = 3;
    pub const BIRTH: usize = 4;
    pub const PROFILE: usize = 5;
    pub const PROFESSION: usize = 6;
    pub const TYPES: usize = 7;
    pub const CHANNEL: usize = 8;
    pub const EVENT: usize = 9;
    pub const SUMMARY: usize = 10;
    pub const AGENT: usize = 11;
}

/// The person's fields that open the capture and new-request forms: names, contacts,
/// (birth date,) profile, profession.
fn person_fields(birth_date: bool, profession: &'static str) -> Vec<Field> {
    let mut fields = vec![
        Field::text("Nom", ""),
        Field::text("Prénom", ""),
        Field::text("Téléphone", ""),
        Field::text("E-mail", ""),
    ];
    if birth_date {
        fields.push(Field::text("Né(e) le", ""));
    }
    fields.push(Field::choice(
        "Profil",
        PROFILES.iter().map(|s| s.to_string()).collect(),
        0,
    ));
    fields.push(Field::text(profession, ""));
    fields
}

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

impl Form {
    fn new(title: String, kind: FormKind, fields: Vec<Field>) -> Form {
        Form {
            title,
            kind,
            fields,
            focus: 0,
            dirty: false,
            error: None,
        }
    }

    pub fn follow_up(request_id: &str, reference: &str) -> Form {
        let kinds = FollowUpKind::ALL
            .iter()
            .map(|k| k.label().to_string())
            .collect();
        Form::new(
            format!("Suivi — {reference}"),
            FormKind::FollowUp {
                request_id: request_id.into(),
            },
            vec![
                Field::choice("Type", kinds, 1),
                Field::text("Date", "aujourd'hui"),
                Field::multiline("Texte"),
                Field::text("Relance le", ""),
            ],
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
                Field::choice("Partenaire", names, 0),
                Field::text("Envoyée le", "aujourd'hui"),
                Field::text("Réponse attendue le", "+30"),
                Field::multiline("Note"),
            ],
        )
    }

    pub fn answer(request_id: &str, reference: &str, referrals: Vec<ReferralRow>) -> Form {
        let open: Vec<ReferralRow> = referrals
            .into_iter()
            .filter(|r| r.answered_on.is_none())
            .collect();
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
        let answers = Answer::ALL.iter().map(|a| a.label().to_string()).collect();
        Form::new(
            format!("Réponse d'un partenaire — {reference}"),
            FormKind::Answer {
                request_id: request_id.into(),
                referrals: open,
            },
            vec![
                Field::choice("Orientation", labels, 0),
                Field::choice("Réponse", answers, 0),
                Field::text("Reçue le", "aujourd'hui"),
                Field::multiline("Note"),
            ],
        )
    }

    pub fn edit_request(d: &RequestDetail, types: Vec<Code>, channels: Vec<Code>) -> Form {
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
        Form::new(
            format!("Modifier la demande {}", r.reference),
            FormKind::EditRequest {
                request_id: r.id.clone(),
                version: r.version,
                types,
                channels,
            },
            vec![
                Field::text("Résumé", &r.summary),
                Field::text(
                    "Relance le",
                    &r.next_follow_up_on
                        .map(crate::domain::fr_date)
                        .unwrap_or_default(),
                ),
                Field::choice("Type", type_labels, type_idx),
                Field::choice("Canal", channel_labels, channel_idx),
            ],
        )
    }

    pub fn edit_person(p: &Person) -> Form {
        Form::new(
            format!("Modifier {} {}", p.last_name, p.first_name),
            FormKind::EditPerson {
                person_id: p.id.clone(),
                version: p.version,
            },
            vec![
                Field::text("Nom", &p.last_name),
                Field::text("Prénom", &p.first_name),
                Field::text("Téléphone", &p.phone),
                Field::text("E-mail", &p.email),
                Field::choice(
                    "Profil",
                    PROFILES.iter().map(|s| s.to_string()).collect(),
                    profile_index(p.profile),
                ),
                Field::text("Profession", &p.profession),
                Field::text(
                    "Né(e) le",
                    &p.birth_date.map(crate::domain::fr_date).unwrap_or_default(),
                ),
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
            ),
            Field::choice("Statut", statuses, status_idx),
            Field::choice("Agent", agents, agent_idx),
            Field::choice(
                "Canal",
                with_any(lists.channels.iter().map(|c| c.label.clone()).collect()),
                channel_idx,
            ),
            Field::choice(
                "Événement",
                with_any(
                    lists
                        .events
                        .iter()
                        .map(|e| format!("{} ({})", e.name, crate::domain::fr_date(e.held_on)))
                        .collect(),
                ),
                event_idx,
            ),
            Field::text(
                "Reçues du",
                &current
                    .received_from
                    .map(crate::domain::fr_date)
                    .unwrap_or_default(),
            ),
            Field::text(
                "au",
                &current
                    .received_to
                    .map(crate::domain::fr_date)
                    .unwrap_or_default(),
            ),
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
            ),
            Field::text("Note", ""),
            Field::choice(
                "Mention d'info.",
                vec!["pas encore remise".into(), "remise à la personne".into()],
                0,
            ),
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
            vec![Field::text("Fichier du portable", "")],
        )
    }

    /// A custom period for the review.
    pub fn period(from: NaiveDate, to: NaiveDate) -> Form {
        Form::new(
            "Période du bilan".into(),
            FormKind::Period,
            vec![
                Field::text("Du", &crate::domain::fr_date(from)),
                Field::text("Au", &crate::domain::fr_date(to)),
            ],
        )
    }

    pub fn close(request_id: &str, reference: &str, version: i64) -> Form {
        Form::new(
            format!("Clore la demande {reference}"),
            FormKind::Close {
                request_id: request_id.into(),
                version,
            },
            vec![
                Field::choice(
                    "Issue",
                    Outcome::ALL.iter().map(|o| o.label().to_string()).collect(),
                    0,
                ),
                Field::text("Close le", "aujourd'hui"),
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
        event_labels.extend(
            events
                .iter()
                .take(30)
                .map(|e| format!("{} ({})", e.name, crate::domain::fr_date(e.held_on))),
        );
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
            ),
            Field::choice("Canal", channel_labels, phone),
            Field::choice("Événement", event_labels, 0),
            Field::text("Résumé", ""),
            Field::choice("Agent", agent_labels, me_idx),
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

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
    }

    pub fn prev_field(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }

    /// `←`/`→`: choose in a list field, move the cursor in a text field.
    pub fn step(&mut self, forward: bool, key: &ratatui::crossterm::event::KeyEvent) {
        match &mut self.fields[self.focus].kind {
            FieldKind::Text(t) => {
                t.input(key);
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
            FieldKind::Checks { .. } if key.code == KeyCode::Char(' ') => {
                self.toggle();
                false
            }
            FieldKind::Choice { options, selected } => {
                // Typing a letter jumps to the next option starting with it.
                if let KeyCode::Char(c) = key.code {
                    let c = fold(&c.to_string());
                    let n = options.len();
                    if let Some(i) = (1..=n)
                        .map(|k| (*selected + k) % n)
                        .find(|i| fold(&options[*i]).starts_with(&c))
                    {
                        *selected = i;
                        self.dirty = true;
                    }
                }
                false
            }
            _ => false,
        }
    }

    fn clear_errors(&mut self) {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    fn fail(&mut self, index: usize, e: Error) -> Error {
        self.fields[index].error = Some(e.to_string());
        self.focus = index;
        e
    }

    fn date(
        &mut self,
        index: usize,
        today: NaiveDate,
        required: bool,
    ) -> Result<Option<NaiveDate>> {
        let v = self.fields[index].value().trim().to_string();
        if v.is_empty() {
            if required {
                return Err(self.fail(index, Error::input("date obligatoire")));
            }
            return Ok(None);
        }
        parse_date(&v, today)
            .map(Some)
            .map_err(|e| self.fail(index, e))
    }

    /// Checks and saves. On success returns a message for the status line; on failure the
    /// fields keep what was typed and carry the error.
    pub fn save(&mut self, store: &mut Store, me: Option<&Agent>) -> Result<Saved> {
        self.clear_errors();
        let today = store.today();
        let result = self.save_inner(store, me, today);
        if let Err(e) = &result
            && self.fields.iter().all(|f| f.error.is_none())
        {
            self.error = Some(e.to_string());
        }
        result
    }

    fn save_inner(
        &mut self,
        store: &mut Store,
        me: Option<&Agent>,
        today: NaiveDate,
    ) -> Result<Saved> {
        match self.kind.clone() {
            FormKind::FollowUp { request_id } => {
                let kind = FollowUpKind::ALL[self.fields[0].selected()];
                let occurred_on = self.date(1, today, true)?.unwrap_or(today);
                let body = self.fields[2].value().to_string();
                let next = self.date(3, today, false)?;
                if kind == FollowUpKind::Note && body.trim().is_empty() {
                    return Err(self.fail(2, Error::input("la note est vide")));
                }
                store
                    .log_follow_up(
                        &request_id,
                        &NewFollowUp {
                            kind,
                            occurred_on,
                            body,
                            next_follow_up_on: next,
                        },
                    )
                    .map_err(|e| self.fail_on_date(e, 1))?;
                Ok(Saved::Request(request_id, "Suivi enregistré.".into()))
            }
            FormKind::Referral {
                request_id,
                partners,
            } => {
                let Some(partner) = partners.get(self.fields[0].selected()) else {
                    return Err(self.fail(0, Error::input("aucun partenaire dans la liste")));
                };
                let sent_on = self.date(1, today, true)?.unwrap_or(today);
                let expected = match self.fields[2].value().trim() {
                    "" => None,
                    v => Some(parse_date(v, sent_on).map_err(|e| self.fail(2, e))?),
                };
                let note = self.fields[3].value().to_string();
                let name = partner.name.clone();
                store.refer(
                    &request_id,
                    &NewReferral {
                        partner_id: partner.id.clone(),
                        sent_on,
                        expected_by: expected,
                        note,
                    },
                )?;
                Ok(Saved::Request(request_id, format!("Orientée vers {name}.")))
            }
            FormKind::Answer {
                request_id,
                referrals,
            } => {
                let Some(referral) = referrals.get(self.fields[0].selected()) else {
                    return Err(
                        self.fail(0, Error::input("aucune orientation n'attend de réponse"))
                    );
                };
                let answer = Answer::ALL[self.fields[1].selected()];
                let answered_on = self.date(2, today, true)?.unwrap_or(today);
                let note = self.fields[3].value().to_string();
                store.answer_referral(
                    &referral.id,
                    Some(referral.version),
                    &ReferralAnswer {
                        answered_on,
                        answer,
                        note,
                    },
                )?;
                Ok(Saved::Request(
                    request_id,
                    format!("Réponse de {} enregistrée.", referral.partner),
                ))
            }
            FormKind::EditRequest {
                request_id,
                version,
                types,
                channels,
            } => {
                let next = self.date(1, today, false)?;
                let change = RequestChange {
                    summary: Some(self.fields[0].value().to_string()),
                    next_follow_up_on: Some(next),
                    type_code: types.get(self.fields[2].selected()).map(|t| t.code.clone()),
                    channel_code: Some(match self.fields[3].selected() {
                        0 => None,
                        i => channels.get(i - 1).map(|c| c.code.clone()),
                    }),
                    ..Default::default()
                };
                store.update_request(&request_id, Some(version), &change)?;
                Ok(Saved::Request(request_id, "Demande modifiée.".into()))
            }
            FormKind::EditPerson { person_id, version } => {
                let p = self.person_from(0, today)?;
                store
                    .update_person(&person_id, Some(version), &p)
                    .map_err(|e| self.fail_person(e))?;
                Ok(Saved::Reload("Personne modifiée.".into()))
            }
            FormKind::Aid(a) => crate::tui::aids::save(&a, &mut self.fields, store),
            FormKind::Close {
                request_id,
                version,
            } => {
                let outcome = Outcome::ALL[self.fields[0].selected()];
                let closed_on = self.date(1, today, true)?;
                let change = RequestChange {
                    status: Some(Status::Close),
                    outcome: Some(outcome),
                    closed_on,
                    ..Default::default()
                };
                store
                    .update_request(&request_id, Some(version), &change)
                    .map_err(|e| self.fail_on_date(e, 1))?;
                Ok(Saved::Request(
                    request_id,
                    format!("Demande close : {}.", outcome.label()),
                ))
            }
            FormKind::Capture(lists) => {
                let mut person = NewPerson {
                    last_name: self.fields[cap::LAST].value().to_string(),
                    first_name: self.fields[cap::FIRST].value().to_string(),
                    phone: self.fields[cap::PHONE].value().to_string(),
                    email: self.fields[cap::EMAIL].value().to_string(),
                    profile: self.fields[cap::PROFILE]
                        .selected()
                        .checked_sub(1)
                        .map(|i| Profile::ALL[i]),
                    profession: self.fields[cap::PROFESSION].value().to_string(),
                    birth_date: None,
                };
                person.validate().map_err(|e| self.fail_person(e))?;
                if person.phone.is_empty() && person.email.is_empty() {
                    return Err(self.fail(
                        cap::PHONE,
                        Error::input("un téléphone ou un e-mail, pour recontacter la personne"),
                    ));
                }
                let types: Vec<String> = self.fields[cap::INTERESTS]
                    .checked()
                    .iter()
                    .filter_map(|i| lists.types.get(*i))
                    .map(|t| t.code.clone())
                    .collect();
                if types.is_empty() {
                    return Err(self.fail(
                        cap::INTERESTS,
                        Error::input("cochez au moins un intérêt (Espace)"),
                    ));
                }
                if self.fields[cap::NOTICE].selected() != 1 {
                    return Err(self.fail(
                        cap::NOTICE,
                        Error::input(
                            "remettez la mention d'information, puis choisissez « remise » (→)",
                        ),
                    ));
                }
                let note = self.fields[cap::NOTE].value().to_string();
                let requests: Vec<NewRequest> = types
                    .iter()
                    .map(|t| {
                        let mut r = NewRequest::new(person.clone(), t, today);
                        r.status = Status::AQualifier;
                        r.channel_code = lists.channel.clone();
                        r.event_id = lists.event_id.clone();
                        r.agent_id = me.map(|a| a.id.clone());
                        r.summary = note.clone();
                        r
                    })
                    .collect();
                let created = crate::salon::capture(store, &requests, true)?;
                let refs: Vec<&str> = created.iter().map(|c| c.reference.as_str()).collect();
                Ok(Saved::Capture(format!(
                    "Enregistré : {} {} ({}).",
                    person.last_name.to_uppercase(),
                    person.first_name,
                    refs.join(", ")
                )))
            }
            FormKind::MergeFile => {
                let path = std::path::PathBuf::from(self.fields[0].value().trim());
                if path.as_os_str().is_empty() {
                    return Err(self.fail(0, Error::input("le chemin du fichier est vide")));
                }
                let r = crate::salon::merge(store, &path).map_err(|e| self.fail(0, e))?;
                let waiting = r.pending_duplicates + r.conflicts;
                Ok(Saved::Reload(format!(
                    "Fusion : {} personne(s), {} demande(s) ajoutée(s), {} déjà présente(s){}",
                    r.added_persons,
                    r.added_requests,
                    r.already_present,
                    if waiting > 0 {
                        format!(" ; {waiting} à décider (touche R).")
                    } else {
                        ".".into()
                    }
                )))
            }
            FormKind::Period => {
                let from = self.date(0, today, true)?.unwrap_or(today);
                let to = self.date(1, today, true)?.unwrap_or(today);
                if to < from {
                    return Err(
                        self.fail(1, Error::input("la fin de la période est avant son début"))
                    );
                }
                crate::report::check_range(from, to).map_err(|e| self.fail(1, e))?;
                Ok(Saved::Period(from, to))
            }
            FormKind::Filter(lists) => {
                let from = self.date(5, today, false)?;
                let to = self.date(6, today, false)?;
                if let (Some(f), Some(t)) = (from, to)
                    && t < f
                {
                    return Err(
                        self.fail(6, Error::input("la fin de la période est avant son début"))
                    );
                }
                let pick = |i: usize, shift: usize| self.fields[i].selected().checked_sub(shift);
                let mut filter = RequestFilter {
                    type_code: pick(0, 1)
                        .and_then(|i| lists.types.get(i))
                        .map(|t| t.code.clone()),
                    channel_code: pick(3, 1)
                        .and_then(|i| lists.channels.get(i))
                        .map(|c| c.code.clone()),
                    event_id: pick(4, 1)
                        .and_then(|i| lists.events.get(i))
                        .map(|e| e.id.clone()),
                    received_from: from,
                    received_to: to,
                    ..Default::default()
                };
                match self.fields[1].selected() {
                    0 => {}
                    1 => filter.open_only = true,
                    i => filter.status = Status::ALL.get(i - 2).copied(),
                }
                match self.fields[2].selected() {
                    0 => {}
                    1 => filter.unassigned = true,
                    i => filter.agent_id = lists.agents.get(i - 2).map(|a| a.id.clone()),
                }
                let label: Vec<String> = [0, 1, 2, 3, 4]
                    .iter()
                    .filter(|i| self.fields[**i].selected() > 0)
                    .map(|i| self.fields[*i].value().to_string())
                    .chain(from.map(|d| format!("du {}", crate::domain::fr_date(d))))
                    .chain(to.map(|d| format!("au {}", crate::domain::fr_date(d))))
                    .collect();
                Ok(Saved::Filter(Box::new(filter), label.join(" · ")))
            }
            FormKind::NewRequest(lists) => {
                let mut person = NewPerson {
                    last_name: self.fields[nr::LAST].value().to_string(),
                    first_name: self.fields[nr::FIRST].value().to_string(),
                    phone: self.fields[nr::PHONE].value().to_string(),
                    email: self.fields[nr::EMAIL].value().to_string(),
                    profile: self.fields[nr::PROFILE]
                        .selected()
                        .checked_sub(1)
                        .map(|i| Profile::ALL[i]),
                    profession: self.fields[nr::PROFESSION].value().to_string(),
                    birth_date: self.date(nr::BIRTH, today, false)?,
                };
                let reuse = lists
                    .reuse
                    .and_then(|i| lists.matches.get(i))
                    .map(|p| p.id.clone());
                if reuse.is_none() {
                    person.validate().map_err(|e| self.fail_person(e))?;
                }
                let types: Vec<String> = self.fields[nr::TYPES]
                    .checked()
                    .iter()
                    .filter_map(|i| lists.types.get(*i))
                    .map(|t| t.code.clone())
                    .collect();
                if types.is_empty() {
                    return Err(self.fail(
                        nr::TYPES,
                        Error::input("cochez au moins un type de demande (Ctrl-T ou Espace)"),
                    ));
                }
                let channel = self.fields[nr::CHANNEL]
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| lists.channels.get(i))
                    .map(|c| c.code.clone());
                let event = self.fields[nr::EVENT]
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| lists.events.get(i))
                    .map(|e| e.id.clone());
                let agent = self.fields[nr::AGENT]
                    .selected()
                    .checked_sub(1)
                    .and_then(|i| lists.agents.get(i))
                    .map(|a| a.id.clone());
                let requests: Vec<NewRequest> = types
                    .iter()
                    .map(|t| {
                        let mut r = NewRequest::new(person.clone(), t, today);
                        r.person_id = reuse.clone();
                        r.channel_code = channel.clone();
                        r.event_id = event.clone();
                        r.agent_id = agent.clone();
                        r.summary = self.fields[nr::SUMMARY].value().to_string();
                        r
                    })
                    .collect();
                let created = store.create_requests(&requests)?;
                let refs: Vec<&str> = created.iter().map(|c| c.reference.as_str()).collect();
                let first = created.first().map(|c| c.id.clone()).unwrap_or_default();
                Ok(Saved::Request(
                    first,
                    format!("Enregistrée : {}.", refs.join(", ")),
                ))
            }
        }
    }

    /// Reads person fields starting at `first` (the edit-person layout).
    fn person_from(&mut self, first: usize, today: NaiveDate) -> Result<NewPerson> {
        let birth = self.date(first + 6, today, false)?;
        Ok(NewPerson {
            last_name: self.fields[first].value().to_string(),
            first_name: self.fields[first + 1].value().to_string(),
            phone: self.fields[first + 2].value().to_string(),
            email: self.fields[first + 3].value().to_string(),
            profile: self.fields[first + 4]
                .selected()
                .checked_sub(1)
                .map(|i| Profile::ALL[i]),
            profession: self.fields[first + 5].value().to_string(),
            birth_date: birth,
        })
    }

    /// Puts a person-validation error beside the field it is about.
    fn fail_person(&mut self, e: Error) -> Error {
        let msg = e.to_string();
        let index = if msg.contains("prénom") {
            1
        } else if msg.contains("nom") {
            0
        } else if msg.contains("téléphone") {
            2
        } else if msg.contains("e-mail") {
            3
        } else {
            return e;
        };
        self.fail(index, e)
    }

    /// A date the store refused (future, before reception…) goes beside the date field.
    fn fail_on_date(&mut self, e: Error, index: usize) -> Error {
        match &e {
            Error::Input(m)
                if m.contains("date") || m.contains("futur") || m.contains("antérieure") =>
            {
                self.fail(index, e)
            }
            _ => e,
        }
    }
}

/// What a successful save leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Show that request, with a message.
    Request(String, String),
    /// Reload the current screen, with a message.
    Reload(String),
    /// New filters for the "Toutes" queue, and how to describe them.
    Filter(Box<RequestFilter>, String),
    /// A custom period for the review.
    Period(NaiveDate, NaiveDate),
    /// A visitor captured: the form starts again, empty.
    Capture(String),
}
