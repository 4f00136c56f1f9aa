//! Who works: the agent chooser at start, and the last agent remembered in the settings.

use crate::error::{Error, Result};
use crate::store::Agent;
use crate::tui::app::{App, Screen};
use crate::tui::input::TextField;
use crate::tui::keymap::Action;

/// Who works: the active agents, narrowed by what is typed; a name that matches nobody is
/// created only once the agent confirms it.
#[derive(Debug, Clone)]
pub struct AgentPicker {
    pub agents: Vec<Agent>,
    /// Position in [`AgentPicker::visible`].
    pub selected: usize,
    pub input: TextField,
    /// A new name waiting for "o" (create) or "n".
    pub confirm_new: Option<String>,
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
            confirm_new: None,
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
        let n = p.visible().len();
        let agent = match action {
            Action::Up => {
                p.selected = p.selected.saturating_sub(1);
                return Ok(());
            }
            Action::Down => {
                p.selected = (p.selected + 1).min(n.saturating_sub(1));
                return Ok(());
            }
            Action::Quit if p.confirm_new.is_some() => {
                p.confirm_new = None;
                return Ok(());
            }
            Action::Quit => {
                self.quit = true;
                return Ok(());
            }
            Action::Open => {
                let typed = p.input.text().trim().to_string();
                if let Some(name) = p.confirm_new.take() {
                    self.store.ensure_agent(&name)?
                } else if let Some(a) = p.visible().get(p.selected.min(n.saturating_sub(1))) {
                    (*a).clone()
                } else if !typed.is_empty() {
                    p.confirm_new = Some(typed);
                    return Ok(());
                } else {
                    return Err(Error::input("tapez votre nom puis Entrée"));
                }
            }
            _ => return Ok(()),
        };
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
