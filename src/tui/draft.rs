//! What an agent was typing when the terminal went away (a closed window, a dropped `ssh`, the
//! session ended): kept in the file as a draft, and the same form opens again, filled, at the
//! next start of the interface for the same agent.
//!
//! The event loop keeps a copy of the open form's values ([`Draft::of`]) after every key; the
//! thread that sees the terminal gone writes it before the process ends, and a stop by signal
//! with the terminal alive writes it from the loop. The draft stays in the file (owner-only,
//! like every other text typed), never in a temporary file; it is removed when the form opens
//! again, and a draft older than 30 days is dropped.

use crate::tui::app::{App, Overlay, Screen};
use crate::tui::forms::FieldKind;
use crate::tui::keymap::Action;
use serde::{Deserialize, Serialize};

/// A field's value as typed or chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Text(String),
    /// The option's label.
    Choice(String),
    /// The ticked options' labels.
    Checks(Vec<String>),
}

/// An unsaved form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The request the form was opened on (none: from a queue, or the quick capture).
    pub request_id: Option<String>,
    /// The key's action that opened it (one of [`OPENERS`]).
    pub opened_by: String,
    /// The form's title, said when it opens again.
    pub title: String,
    /// The fields the agent changed, by label, as they were left.
    pub fields: Vec<(String, Value)>,
    /// The same fields as the form showed them when it opened: a field whose value has changed
    /// since (a colleague's edit of the request) is not filled again over it.
    #[serde(default)]
    pub initial: Vec<(String, Value)>,
}

/// Where the form on screen came from, and what it showed when it opened.
#[derive(Debug, Clone)]
pub struct Origin {
    pub request_id: Option<String>,
    pub action: Action,
    pub initial: Vec<(String, Value)>,
}

/// The forms a draft brings back: those where an agent types.
const OPENERS: [(&str, Action); 7] = [
    ("suivi", Action::LogFollowUp),
    ("orientation", Action::Refer),
    ("reponse", Action::Answer),
    ("modifier", Action::EditRequest),
    ("personne", Action::EditPerson),
    ("nouvelle", Action::NewRequest),
    ("saisie", Action::Open),
];

/// Every field's value, by label; a date typed as a word or an offset ("demain", "+3") is kept
/// as the day it meant, so that a draft taken back another day keeps that day.
pub fn values(f: &crate::tui::forms::Form, today: chrono::NaiveDate) -> Vec<(String, Value)> {
    f.fields
        .iter()
        .map(|field| {
            let v = match &field.kind {
                FieldKind::Text(t) if field.date && !t.text().trim().is_empty() => Value::Text(
                    crate::domain::parse_date(t.text(), today)
                        .map(crate::domain::fr_date)
                        .unwrap_or_else(|_| t.text().to_string()),
                ),
                FieldKind::Text(t) => Value::Text(t.text().to_string()),
                FieldKind::Area { text, .. } => Value::Text(text.clone()),
                FieldKind::Choice { options, selected } => {
                    Value::Choice(options.get(*selected).cloned().unwrap_or_default())
                }
                FieldKind::Checks {
                    options, checked, ..
                } => Value::Checks(
                    options
                        .iter()
                        .zip(checked)
                        .filter(|(_, c)| **c)
                        .map(|(o, _)| o.clone())
                        .collect(),
                ),
            };
            (field.label.to_string(), v)
        })
        .collect()
}

fn get<'a>(values: &'a [(String, Value)], label: &str) -> Option<&'a Value> {
    values.iter().find(|(l, _)| l == label).map(|(_, v)| v)
}

fn shown(v: &Value) -> String {
    match v {
        Value::Text(s) | Value::Choice(s) => s.clone(),
        Value::Checks(v) => v.join(", "),
    }
}

impl Draft {
    /// The open form's changes, when it has some and was opened by one of [`OPENERS`].
    pub fn of(app: &App) -> Option<Draft> {
        let Some(Overlay::Form(f)) = &app.overlay else {
            return None;
        };
        let origin = app.form_opened_by.as_ref()?;
        let opened_by = OPENERS
            .iter()
            .find(|(_, a)| *a == origin.action)?
            .0
            .to_string();
        let now = values(f, app.today());
        let changed: Vec<(String, Value)> = now
            .into_iter()
            .filter(|(l, v)| get(&origin.initial, l) != Some(v))
            .collect();
        if changed.is_empty() {
            return None;
        }
        let initial = changed
            .iter()
            .filter_map(|(l, _)| Some((l.clone(), get(&origin.initial, l)?.clone())))
            .collect();
        Some(Draft {
            request_id: origin.request_id.clone(),
            opened_by,
            title: f.title.clone(),
            fields: changed,
            initial,
        })
    }

    /// Opens the same form again (on the same request) and fills the fields the agent had
    /// changed — except those changed since by someone else, returned as sentences (what the
    /// draft said, what the request says now). `Err` with the reason when the form cannot
    /// open (the request is gone…): the caller then shows what was typed.
    pub fn reopen(&self, app: &mut App) -> crate::error::Result<Vec<String>> {
        let action = OPENERS
            .iter()
            .find(|(n, _)| *n == self.opened_by)
            .map(|(_, a)| *a)
            .ok_or_else(|| crate::error::Error::input("formulaire inconnu"))?;
        if let Some(id) = &self.request_id {
            app.open_request(id)?;
        } else if action == Action::Open && !matches!(app.screen, Screen::Capture(_)) {
            return Err(crate::error::Error::input(
                "la saisie rapide n'est pas ouverte sur ce fichier",
            ));
        }
        app.try_update(action, None)?;
        let today = app.today();
        let Some(Overlay::Form(f)) = &mut app.overlay else {
            return Err(crate::error::Error::input(
                "le formulaire ne s'est pas ouvert",
            ));
        };
        let fresh = values(f, today);
        let mut changed_since = Vec::new();
        for field in f.fields.iter_mut() {
            let Some(v) = get(&self.fields, field.label) else {
                continue;
            };
            if let (Some(was), Some(now)) =
                (get(&self.initial, field.label), get(&fresh, field.label))
                && was != now
            {
                changed_since.push(format!(
                    "{} : votre brouillon « {} », modifié depuis en « {} »",
                    field.label,
                    shown(v),
                    shown(now)
                ));
                continue;
            }
            match (&mut field.kind, v) {
                (FieldKind::Text(t), Value::Text(s)) => {
                    let mut restored = crate::tui::input::TextField::new(s);
                    restored.multiline = t.multiline;
                    *t = restored;
                }
                (FieldKind::Area { area, text }, Value::Text(s)) => {
                    let mut a = ratatui_textarea::TextArea::from(s.split('\n'));
                    a.move_cursor(ratatui_textarea::CursorMove::Bottom);
                    a.move_cursor(ratatui_textarea::CursorMove::End);
                    **area = a;
                    *text = s.clone();
                }
                (FieldKind::Choice { options, selected }, Value::Choice(c)) => {
                    if let Some(i) = options.iter().position(|o| o == c) {
                        *selected = i;
                    }
                }
                (
                    FieldKind::Checks {
                        options, checked, ..
                    },
                    Value::Checks(ticked),
                ) => {
                    for (o, c) in options.iter().zip(checked.iter_mut()) {
                        *c = ticked.contains(o);
                    }
                }
                _ => {}
            }
        }
        f.dirty = true;
        // Kept again if the terminal closes again: compared with what the form showed now.
        app.form_opened_by = Some(Origin {
            request_id: self.request_id.clone(),
            action,
            initial: fresh,
        });
        Ok(changed_since)
    }

    /// What was typed, as one line (when the form cannot open again).
    pub fn typed(&self) -> String {
        self.fields
            .iter()
            .filter_map(|(label, v)| match v {
                Value::Text(s) if !s.trim().is_empty() => Some(format!("{label} : {s}")),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// Opens again the form `agent` left when the terminal went away, if any, and says so.
pub fn take_back(app: &mut App, agent: &str) {
    let payload = match app.store.take_draft(agent) {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(kind = e.kind(), "brouillon illisible");
            return;
        }
    };
    let Ok(draft) = serde_json::from_str::<Draft>(&payload) else {
        return;
    };
    let (text, error) = match draft.reopen(app) {
        Ok(changed_since) if changed_since.is_empty() => (
            format!(
                "Brouillon repris : « {} » était en cours de saisie quand la fenêtre s'est \
                 fermée. Ctrl-S l'enregistre, Échap l'abandonne.",
                draft.title
            ),
            false,
        ),
        Ok(changed_since) => (
            format!(
                "Brouillon repris : « {} ». Modifié depuis par un collègue, gardé : {}. \
                 Ctrl-S enregistre, Échap abandonne.",
                draft.title,
                changed_since.join(" ; ")
            ),
            true,
        ),
        Err(e) => (
            format!(
                "Un brouillon n'a pas pu être rouvert ({e}). Ce qui avait été tapé : {}",
                draft.typed()
            ),
            true,
        ),
    };
    app.message = Some(crate::tui::app::Message { text, error });
}
