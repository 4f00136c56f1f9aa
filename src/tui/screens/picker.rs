//! A choice list over a screen (status, agent, the person's other requests, aid, commune):
//! the choice becomes a [`Command`] for [`App::apply`].

use crate::domain::Status;
use crate::error::Result;
use crate::store::RequestRow;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::command::{Command, Patch, PatchField};
use crate::tui::forms::Form;
use crate::tui::keymap::{Action, Context};

/// What a picker chooses; `base` is the request as the agent read it.
#[derive(Debug, Clone)]
pub enum PickPurpose {
    Status {
        base: Box<RequestRow>,
    },
    Assign {
        base: Box<RequestRow>,
        agent_ids: Vec<Option<String>>,
    },
    /// Open one of these requests (the person's others).
    Open {
        ids: Vec<String>,
    },
    /// What to record about the request's aid (`tui::aids`).
    Aid,
    /// The commune of the *Logements* screen.
    HousingCommune,
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub options: Vec<String>,
    pub selected: usize,
    pub purpose: PickPurpose,
    pub error: Option<String>,
    /// The letter last typed (see [`crate::tui::forms::jump`]).
    pub letter: Option<char>,
}

impl App {
    pub(crate) fn picker_action(&mut self, action: Action) -> Result<()> {
        let Some(Overlay::Picker(mut p)) = self.overlay.take() else {
            return Ok(());
        };
        p.letter = None;
        match action {
            Action::Up => p.selected = p.selected.saturating_sub(1),
            Action::Down => p.selected = (p.selected + 1).min(p.options.len().saturating_sub(1)),
            Action::Back => return Ok(()),
            Action::Help => {
                self.overlay = Some(Overlay::Help(
                    Context::Picker,
                    Some(Box::new(Overlay::Picker(p))),
                ));
                return Ok(());
            }
            Action::Save => {
                if let PickPurpose::Open { ids } = &p.purpose {
                    if let Some(id) = ids.get(p.selected).cloned() {
                        self.open_request(&id)?;
                    }
                    return Ok(());
                }
                let cmd = match &p.purpose {
                    PickPurpose::HousingCommune => return self.housing_commune_picked(p.selected),
                    PickPurpose::Status { base } => {
                        let status = Status::ALL[p.selected];
                        if status == Status::Close {
                            self.overlay = Some(Overlay::Form(Box::new(Form::close(base))));
                            return Ok(());
                        }
                        Patch::status(
                            base,
                            status,
                            None,
                            None,
                            &format!("Statut : {}.", status.label()),
                        )
                    }
                    PickPurpose::Assign { base, agent_ids } => {
                        let agent = agent_ids.get(p.selected).cloned().flatten();
                        let mut patch = Patch::on_request(
                            base,
                            &format!("Attribuée : {}.", p.options[p.selected]),
                        );
                        patch.set(
                            PatchField::Agent,
                            PatchField::Agent.of_request(base),
                            agent.unwrap_or_default(),
                        );
                        patch
                    }
                    PickPurpose::Open { .. } => return Ok(()),
                    PickPurpose::Aid => {
                        let Screen::Request(v) = &self.screen else {
                            return Ok(());
                        };
                        let step = crate::tui::aids::AidStep::ALL[p.selected];
                        // A refused step (paying before any grant…) keeps the chooser open
                        // with the reason.
                        match crate::tui::aids::form(step, &self.store, &v.detail) {
                            Ok(f) => self.overlay = Some(Overlay::Form(Box::new(f))),
                            Err(e) => {
                                p.error = Some(e.to_string());
                                self.error(&e);
                                self.overlay = Some(Overlay::Picker(p));
                            }
                        }
                        return Ok(());
                    }
                };
                self.apply(Command::Patch(cmd), Some(Overlay::Picker(p)));
                return Ok(());
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Picker(p));
        Ok(())
    }
}
