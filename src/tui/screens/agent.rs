//! Who works: the agent chooser at start, and the last agent remembered in the settings.

use crate::error::{Error, Result};
use crate::store::Agent;
use crate::tui::app::{App, Confirm, Overlay, Screen};
use crate::tui::input::TextField;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;

/// Who works: the active agents, narrowed by what is typed; a name that matches nobody is
/// created only once the agent confirms it (a [`Confirm::NewAgent`] question).
#[derive(Debug, Clone)]
pub struct AgentPicker {
    pub agents: Vec<Agent>,
    /// Position in [`AgentPicker::visible`].
    pub selected: usize,
    pub input: TextField,
}

impl AgentPicker {
    /// The agents whose name or initials contain what is typed (accents and case aside).
    pub fn visible(&self) -> Vec<&Agent> {
        let typed = crate::text::fold(self.input.text().trim());
        self.agents
            .iter()
            .filter(|a| {
                typed.is_empty()
                    || crate::text::fold(&a.name).contains(&typed)
                    || crate::text::fold(&a.initials) == typed
            })
            .collect()
    }

    /// A key on the chooser: move, pick the agent shown, or ask before creating a new name.
    pub fn update(&mut self, action: Action) -> Result<Transition> {
        let n = self.visible().len();
        Ok(match action {
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Transition::Stay
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
                Transition::Stay
            }
            Action::Quit => Transition::Quit,
            Action::Open => {
                let typed = self.input.text().trim().to_string();
                if let Some(a) = self.visible().get(self.selected.min(n.saturating_sub(1))) {
                    Transition::SignIn((*a).clone())
                } else if !typed.is_empty() {
                    Transition::Overlay(Overlay::Confirm(Confirm::NewAgent(typed), None))
                } else {
                    return Err(Error::input("tapez votre nom puis Entrée"));
                }
            }
            _ => Transition::Stay,
        })
    }
}

impl App {
    pub(crate) fn set_me(&mut self, a: Agent) {
        self.store.ctx.actor = a.name.clone();
        self.me = Some(a);
    }

    pub(crate) fn agent_picker(&self) -> Result<Screen> {
        Ok(Screen::PickAgent(AgentPicker {
            agents: self
                .store
                .agents()?
                .into_iter()
                .filter(|a| a.active)
                .collect(),
            selected: 0,
            input: TextField::default(),
        }))
    }

    /// Puts the last agent of the settings first in the chooser (Enter confirms it).
    pub fn offer_last_agent(&mut self, name: Option<&str>) {
        if let (Screen::PickAgent(p), Some(name)) = (&mut self.screen, name)
            && let Some(i) = p.agents.iter().position(|a| a.name == name)
        {
            p.selected = i;
        }
    }

    /// Remembers the chosen agent in the settings file (when there is one).
    pub(crate) fn remember_agent(&mut self, name: &str) {
        let Some(path) = &self.settings_path else {
            return;
        };
        let mut s = crate::tui::settings::Settings::load(path);
        s.agent = Some(name.to_string());
        if let Err(e) = s.save(path) {
            tracing::warn!(error = %e, "settings not saved");
        }
    }

    pub(crate) fn pick_agent_action(&mut self, action: Action) -> Result<()> {
        let Screen::PickAgent(p) = &mut self.screen else {
            return Ok(());
        };
        let t = p.update(action)?;
        self.go(t)
    }

    /// The agent chosen (or just created) starts working: remembered for the next launch, then
    /// the queues (or the quick capture of a salon laptop).
    pub(crate) fn sign_in(&mut self, agent: Agent) -> Result<()> {
        let name = agent.name.clone();
        self.set_me(agent);
        self.remember_agent(&name);
        self.screen = Screen::Queue;
        self.refresh()?;
        if self.salon {
            self.open_capture()?;
        }
        self.info(format!("Bonjour {name}."));
        Ok(())
    }
}
