//! Keys in a form: moving between fields, choosing, ticking; `Ctrl-S` turns the form into a
//! [`Command`](crate::tui::command::Command) for [`App::apply`], which alone writes.

use crate::error::Result;
use crate::store::Store;
use crate::tui::app::{App, Confirm, Overlay};
use crate::tui::forms::{Form, FormKind};
use crate::tui::keymap::{Action, Context};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    pub(crate) fn form_action(&mut self, action: Action, key: Option<&KeyEvent>) -> Result<()> {
        let Some(Overlay::Form(mut f)) = self.overlay.take() else {
            return Ok(());
        };
        match action {
            // A multi-line field (`Context::Lines`): ↑/↓ move between its lines, and leave it
            // from its first or last line; the editing keys go to the field.
            Action::Up | Action::Down => {
                let down = key.is_some_and(|k| k.code == KeyCode::Down);
                if !f.line_move(down) {
                    if down { f.next_field() } else { f.prev_field() }
                }
            }
            Action::NewLine | Action::Undo | Action::Redo => {
                if let Some(k) = key {
                    f.type_key(k);
                }
            }
            Action::NextField => f.next_field(),
            Action::PrevField => f.prev_field(),
            Action::Left | Action::Right => {
                let fallback = KeyEvent::new(
                    if action == Action::Left {
                        KeyCode::Left
                    } else {
                        KeyCode::Right
                    },
                    KeyModifiers::NONE,
                );
                f.step(action == Action::Right, key.unwrap_or(&fallback));
            }
            Action::Toggle => f.toggle(),
            Action::ReuseMatch => {
                let mut reused = false;
                if let FormKind::NewRequest(lists) = &mut f.kind {
                    let n = lists.matches.len();
                    lists.reuse = match (lists.reuse, n) {
                        (_, 0) => None,
                        (None, _) => Some(0),
                        (Some(i), _) if i + 1 < n => Some(i + 1),
                        (Some(_), _) => None,
                    };
                    reused = lists.reuse.is_some();
                }
                // The person's fields are the proposed person's now: their earlier errors
                // ("le nom est vide") no longer apply.
                if reused {
                    use crate::tui::forms::Name;
                    for field in f.fields.iter_mut().filter(|x| {
                        matches!(
                            x.name,
                            Name::LastName
                                | Name::FirstName
                                | Name::Phone
                                | Name::Email
                                | Name::BirthDate
                                | Name::Profile
                                | Name::Profession
                        )
                    }) {
                        field.error = None;
                    }
                }
            }
            Action::Offers => {
                let offers = self.active_offers()?;
                self.overlay = Some(Overlay::Offers(offers, Some(Box::new(Overlay::Form(f)))));
                return Ok(());
            }
            Action::Help => {
                // The form waits underneath and comes back when the help closes.
                self.overlay = Some(Overlay::Help(
                    Context::Form,
                    Some(Box::new(Overlay::Form(f))),
                ));
                return Ok(());
            }
            Action::Back => {
                if f.dirty {
                    self.overlay = Some(Overlay::Confirm(Confirm::Discard, Some(f)));
                } else {
                    self.overlay = None;
                }
                return Ok(());
            }
            Action::Save => {
                let me = self.me.clone();
                match f.submit(self.today(), me.as_ref()) {
                    Ok(cmd) => self.apply(cmd, Some(Overlay::Form(f))),
                    Err(e) => {
                        // Several fields at fault: the status line says how many.
                        let faults = f.fields.iter().filter(|f| f.error.is_some()).count();
                        if faults > 1 {
                            self.error(&crate::error::Error::input(format!(
                                "{faults} champs à corriger — {e}"
                            )));
                        } else {
                            self.error(&e);
                        }
                        self.overlay = Some(Overlay::Form(f));
                    }
                }
                return Ok(());
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Form(f));
        Ok(())
    }
}

/// Likely matches for the new-request form, from what is typed so far.
pub(crate) fn refresh_matches(store: &Store, f: &mut Form) -> Result<()> {
    use crate::tui::forms::Name;
    let value = |n: Name| f.field(n).value().trim().to_string();
    let person = crate::store::NewPerson {
        last_name: value(Name::LastName),
        first_name: value(Name::FirstName),
        phone: value(Name::Phone),
        email: value(Name::Email),
        birth_date: crate::domain::parse_date(&value(Name::BirthDate), store.today()).ok(),
        ..Default::default()
    };
    let searchable = (!person.last_name.is_empty() && !person.first_name.is_empty())
        || crate::text::phone_key(&person.phone).len() >= 10
        || person.email.contains('@');
    let matches = if searchable {
        store.likely_matches(&person, 5)?
    } else {
        Vec::new()
    };
    if let FormKind::NewRequest(lists) = &mut f.kind {
        if lists.matches != matches {
            lists.reuse = None;
        }
        lists.matches = matches;
    }
    Ok(())
}
