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
    /// The fields kept, by label: those the agent changed, and every date (kept as the day it
    /// meant, so that "aujourd'hui" taken back tomorrow is still today's call).
    pub fields: Vec<(String, Value)>,
    /// The same fields as the form showed them when it opened, as shown (a date as typed):
    /// a field whose starting value has changed since (a colleague's edit) is not filled
    /// again over it.
    #[serde(default)]
    pub initial: Vec<(String, Value)>,
    /// The labels of the fields the agent changed.
    #[serde(default)]
    pub touched: Vec<String>,
    /// The day the form was opened: a new request or a capture taken back later is received
    /// that day.
    #[serde(default)]
    pub taken_on: Option<chrono::NaiveDate>,
}

/// Where the form on screen came from, and what it showed when it opened.
#[derive(Debug, Clone)]
pub struct Origin {
    pub request_id: Option<String>,
    pub action: Action,
    /// Every field as the form showed it when it opened (dates as typed).
    pub initial: Vec<(String, Value)>,
    /// Fields of a draft taken back but not filled (changed since by a colleague): kept as
    /// they were in the draft, so that a second closed terminal loses them no more than the
    /// first. (value, starting value)
    pub carried: Vec<(String, Value, Value)>,
    /// The day the form was first opened.
    pub taken_on: chrono::NaiveDate,
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

/// Every field's value, by label, as shown (a date as typed: "aujourd'hui", "+3").
pub fn values(f: &crate::tui::forms::Form) -> Vec<(String, Value)> {
    f.fields
        .iter()
        .map(|field| {
            let v = match &field.kind {
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

/// A date as typed, as the day it means today (other values as they are).
fn pinned(v: &Value, today: chrono::NaiveDate) -> Value {
    match v {
        Value::Text(t) if !t.trim().is_empty() => crate::domain::parse_date(t, today)
            .map(|d| Value::Text(crate::domain::fr_date(d)))
            .unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    }
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

/// The form on screen, also while a question, the help, the offers or the side-by-side choice
/// of a clash is shown over it.
pub fn form_under(overlay: Option<&Overlay>) -> Option<&crate::tui::forms::Form> {
    match overlay? {
        Overlay::Form(f) => Some(f),
        Overlay::Confirm(_, f) => f.as_deref(),
        Overlay::Help(_, below) | Overlay::Offers(_, below) | Overlay::Conflict(_, below) => {
            form_under(below.as_deref())
        }
        Overlay::Picker(_) => None,
    }
}

impl Draft {
    /// The open form's changes, when it has some and was opened by one of [`OPENERS`].
    pub fn of(app: &App) -> Option<Draft> {
        let f = form_under(app.overlay.as_ref())?;
        let origin = app.form_opened_by.as_ref()?;
        let opened_by = OPENERS
            .iter()
            .find(|(_, a)| *a == origin.action)?
            .0
            .to_string();
        let today = app.today();
        let (mut fields, mut initial, mut touched) = (Vec::new(), Vec::new(), Vec::new());
        for (field, (label, now)) in f.fields.iter().zip(values(f)) {
            let was = get(&origin.initial, &label)
                .cloned()
                .unwrap_or(Value::Text(String::new()));
            let changed = was != now;
            // The edit form's follow-up date is plain text (it takes "aucune"): a date too.
            let date = field.date || field.name == crate::tui::forms::Name::NextFollowUp;
            if !changed && !date {
                continue;
            }
            if changed {
                touched.push(label.clone());
            }
            let kept = if date { pinned(&now, today) } else { now };
            fields.push((label.clone(), kept));
            initial.push((label, was));
        }
        for (label, v, was) in &origin.carried {
            if !touched.contains(label) {
                fields.retain(|(l, _)| l != label);
                initial.retain(|(l, _)| l != label);
                fields.push((label.clone(), v.clone()));
                initial.push((label.clone(), was.clone()));
                touched.push(label.clone());
            }
        }
        if touched.is_empty() {
            return None;
        }
        Some(Draft {
            request_id: origin.request_id.clone(),
            opened_by,
            title: f.title.clone(),
            fields,
            initial,
            touched,
            taken_on: Some(origin.taken_on),
        })
    }

    /// Opens the same form again (on the same request) and fills the fields kept — except
    /// those whose starting value changed since (someone else's edit): a field the agent had
    /// changed is then returned as a sentence (what the draft said, what the request says now)
    /// and kept for a later draft; one they had not is left as it is now. `Err` with the reason
    /// when the form cannot open (the request is gone…): the caller shows what was typed.
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
        let today = app.today();
        app.try_update(action, None)?;
        let Some(Overlay::Form(f)) = &mut app.overlay else {
            return Err(crate::error::Error::input(
                "le formulaire ne s'est pas ouvert",
            ));
        };
        let fresh = values(f);
        let (mut changed_since, mut carried) = (Vec::new(), Vec::new());
        let mut missing = None;
        for field in f.fields.iter_mut() {
            let Some(v) = get(&self.fields, field.label) else {
                continue;
            };
            let touched = self.touched.iter().any(|l| l == field.label);
            // What was chosen is no longer offered (a partner's referral answered meanwhile):
            // the form is not opened on another choice.
            if let (FieldKind::Choice { options, .. }, Value::Choice(c)) = (&field.kind, v)
                && touched
                && !options.contains(c)
            {
                missing = Some(format!("{} : « {c} » n'est plus proposé", field.label));
                continue;
            }
            if let (Some(was), Some(now)) =
                (get(&self.initial, field.label), get(&fresh, field.label))
                && was != now
            {
                if touched {
                    changed_since.push(format!(
                        "{} : votre brouillon « {} », modifié depuis en « {} »",
                        field.label,
                        shown(v),
                        shown(now)
                    ));
                    carried.push((field.label.to_string(), v.clone(), was.clone()));
                }
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
        if let Some(why) = missing {
            app.overlay = None;
            return Err(crate::error::Error::input(why));
        }
        f.dirty = true;
        let taken_on = self.taken_on.unwrap_or(today);
        if taken_on != today {
            f.taken_on = Some(taken_on);
        }
        // Kept again if the terminal closes again: compared with what the form showed now,
        // plus what could not be filled.
        app.form_opened_by = Some(Origin {
            request_id: self.request_id.clone(),
            action,
            initial: fresh,
            carried,
            taken_on,
        });
        Ok(changed_since)
    }

    /// What was typed, as one line (when the form cannot open again).
    pub fn typed(&self) -> String {
        self.fields
            .iter()
            .filter(|(label, _)| self.touched.contains(label))
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
    let payload = match app.store.find_draft(agent) {
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
    // About a person anonymised since (the form was open meanwhile): dropped, never shown.
    if let Some(id) = &draft.request_id
        && app.store.person_anonymised(id).unwrap_or(false)
    {
        if let Err(e) = app.store.drop_draft(agent) {
            tracing::warn!(kind = e.kind(), "brouillon non effacé");
        }
        app.message = Some(crate::tui::app::Message {
            text: "Un brouillon laissé à la fermeture de la fenêtre portait sur une personne \
                   anonymisée depuis : il a été effacé sans être rouvert."
                .into(),
            error: true,
        });
        return;
    }
    let reopened = draft.reopen(app);
    if reopened.is_ok()
        && let Err(e) = app.store.drop_draft(agent)
    {
        tracing::warn!(kind = e.kind(), "brouillon non effacé");
    }
    let (text, error) = match reopened {
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
                "Brouillon repris : « {} ». Modifié depuis par un collègue (sa valeur est à l'écran, la vôtre ici) : {}. \
                 Ctrl-S enregistre, Échap abandonne.",
                draft.title,
                changed_since.join(" ; ")
            ),
            true,
        ),
        Err(e) => (
            format!(
                "Un brouillon n'a pas pu être rouvert ({e}) ; il reste gardé et sera montré de \
                 nouveau au prochain lancement. Ce qui avait été tapé : {}",
                draft.typed()
            ),
            true,
        ),
    };
    app.message = Some(crate::tui::app::Message { text, error });
}
