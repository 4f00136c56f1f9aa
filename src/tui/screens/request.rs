//! The request screen: one request, its person, follow-ups, referrals and history, and the
//! forms and pickers opened from it.

use crate::domain::{Role, Status};
use crate::error::{Error, Result};
use crate::store::{Agent, RequestDetail};
use crate::tui::app::SearchView;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::app::{PickPurpose, Picker};
use crate::tui::forms::Form;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;

#[derive(Debug, Clone)]
pub struct RequestView {
    pub detail: RequestDetail,
    /// Rows of the journal (or of the accesses) hidden above the box; [`usize::MAX`] on
    /// opening: the end of the journal, its newest entries, is what an agent reads first.
    pub scroll: usize,
    /// The largest useful `scroll`, as the last drawing found it.
    pub max_scroll: std::cell::Cell<usize>,
    /// The file's labels of types and channels, for the history's lines.
    pub labels: crate::history_text::Labels,
    /// Shown instead of the journal: who consulted or changed the request (`t`).
    pub accesses: Option<Vec<crate::store::AccessEntry>>,
    /// The search it was opened from, shown again on `Esc`.
    pub from_search: Option<Box<SearchView>>,
    /// The person's aids, across their requests (this one's included).
    pub aids: Vec<crate::store::AidDetail>,
}

impl RequestView {
    /// The keys that move on the request screen itself (the others open forms and pickers).
    pub fn update(&mut self, action: Action) -> Transition {
        match action {
            Action::Up => self.scroll = self.scroll.min(self.max_scroll.get()).saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1).min(self.max_scroll.get()),
            // Back where the request was opened from: the search keeps its results.
            Action::Back => {
                return Transition::Back(match self.from_search.take() {
                    Some(search) => Screen::Search(*search),
                    None => Screen::Queue,
                });
            }
            _ => {}
        }
        Transition::Stay
    }
}

impl App {
    pub fn open_request(&mut self, id: &str) -> Result<()> {
        let detail = self.store.consult_request(id)?;
        let aids = self.store.person_aids(&detail.person.id)?;
        let labels = crate::history_text::Labels::of(&self.store)?;
        let from_search = match &mut self.screen {
            Screen::Request(v) => v.from_search.take(),
            _ => None,
        };
        self.screen = Screen::Request(Box::new(RequestView {
            detail,
            scroll: usize::MAX,
            max_scroll: std::cell::Cell::new(0),
            labels,
            from_search,
            aids,
            accesses: None,
        }));
        Ok(())
    }

    pub(crate) fn request_action(&mut self, action: Action) -> Result<()> {
        let Screen::Request(v) = &mut self.screen else {
            return Ok(());
        };
        match v.update(action) {
            Transition::Stay if matches!(action, Action::Up | Action::Down | Action::Back) => {
                return Ok(());
            }
            Transition::Stay => {}
            t => return self.go(t),
        }
        let Screen::Request(v) = &self.screen else {
            return Ok(());
        };
        let v = v.as_ref();
        let r = &v.detail.request;
        let (id, reference) = (r.id.clone(), r.reference.clone());
        match action {
            Action::LogFollowUp => {
                self.overlay = Some(Overlay::Form(Box::new(Form::follow_up(&v.detail.request))))
            }
            Action::Remind => {
                if v.detail.referrals.iter().all(|r| r.answered_on.is_some()) {
                    return Err(Error::input(
                        "aucune orientation de cette demande n'attend de réponse",
                    ));
                }
                let refs = v.detail.referrals.clone();
                self.overlay = Some(Overlay::Form(Box::new(Form::remind(&id, &reference, refs))));
            }
            Action::OtherRequests => {
                if v.detail.others.is_empty() {
                    return Err(Error::input("cette personne n'a pas d'autre demande"));
                }
                self.overlay = Some(Overlay::Picker(Picker {
                    title: "Autres demandes de la personne".into(),
                    options: v
                        .detail
                        .others
                        .iter()
                        .map(|o| {
                            format!("{} · {} · {}", o.reference, o.type_label, o.status.label())
                        })
                        .collect(),
                    selected: 0,
                    purpose: PickPurpose::Open {
                        ids: v.detail.others.iter().map(|o| o.id.clone()).collect(),
                    },
                    error: None,
                    letter: None,
                }));
            }
            Action::Refer => {
                let partners = self.store.partners()?;
                self.overlay = Some(Overlay::Form(Box::new(Form::referral(
                    &id, &reference, partners,
                ))));
            }
            Action::Answer => {
                if v.detail.referrals.iter().all(|r| r.answered_on.is_some()) {
                    return Err(Error::input(
                        "aucune orientation de cette demande n'attend de réponse",
                    ));
                }
                let refs = v.detail.referrals.clone();
                self.overlay = Some(Overlay::Form(Box::new(Form::answer(&id, &reference, refs))));
            }
            Action::EditRequest => {
                let f = Form::edit_request(
                    &v.detail,
                    self.store.types()?,
                    self.store.channels()?,
                    self.store.events()?,
                );
                self.overlay = Some(Overlay::Form(Box::new(f)));
            }
            Action::EditPerson => {
                self.overlay = Some(Overlay::Form(Box::new(Form::edit_person(
                    &v.detail.person,
                    &id,
                ))))
            }
            Action::Aid => {
                self.overlay = Some(Overlay::Picker(crate::tui::aids::picker(&reference)))
            }
            Action::Accesses => {
                let accesses = match v.accesses {
                    Some(_) => None,
                    None => Some(self.store.request_accesses(&id, 200)?),
                };
                if let Screen::Request(v) = &mut self.screen {
                    // The accesses from the top, the journal from its end.
                    v.scroll = if accesses.is_some() { 0 } else { usize::MAX };
                    v.accesses = accesses;
                }
            }
            Action::ExportPerson => {
                let path = self
                    .exports_folder()?
                    .join(format!("personne-{reference}.json"));
                let export = self.store.person_export(&id)?;
                let labels = crate::history_text::Labels::default();
                crate::person_sheet::write(&export, crate::output::Format::Json, &labels, &path)?;
                self.info(format!("Export de la personne : {}", path.display()));
            }
            Action::ChangeStatus => {
                let current = v.detail.request.status;
                self.overlay = Some(Overlay::Picker(Picker {
                    title: format!("Statut de {reference}"),
                    options: Status::ALL.iter().map(|s| s.label().to_string()).collect(),
                    selected: Status::ALL.iter().position(|s| *s == current).unwrap_or(0),
                    purpose: PickPurpose::Status {
                        base: Box::new(v.detail.request.clone()),
                    },
                    error: None,
                    letter: None,
                }));
            }
            Action::Assign => {
                let agents: Vec<Agent> = self
                    .store
                    .agents()?
                    .into_iter()
                    .filter(|a| a.active)
                    .collect();
                let mut options = vec!["Non attribuée".to_string()];
                options.extend(agents.iter().map(|a| {
                    if a.role == Role::Responsable.code() {
                        format!("{} (responsable)", a.name)
                    } else {
                        a.name.clone()
                    }
                }));
                let mut agent_ids = vec![None];
                agent_ids.extend(agents.iter().map(|a| Some(a.id.clone())));
                let selected = agent_ids
                    .iter()
                    .position(|a| *a == v.detail.request.agent_id)
                    .unwrap_or(0);
                self.overlay = Some(Overlay::Picker(Picker {
                    title: format!("Attribuer {reference}"),
                    options,
                    selected,
                    purpose: PickPurpose::Assign {
                        base: Box::new(v.detail.request.clone()),
                        agent_ids,
                    },
                    error: None,
                    letter: None,
                }));
            }
            _ => {}
        }
        Ok(())
    }
}
