//! The *Logements* screen (issue #14): places free for a whole semester, in the register or near
//! a commune, nearest first. Opened with `L` from anywhere; from a housing request's file it
//! places that request (`Entrée`), from the salon quick capture it notes the last visitor's
//! interest in a place (brought back by the merge as a proposal).

use crate::error::{Error, Result};
use crate::housing::{Span, communes, semester_of};
use crate::store::{FreePlace, FreeQuery, HOUSING_TYPE};
use crate::tui::app::{App, Overlay, PickPurpose, Picker, Screen};
use crate::tui::command::Command;
use crate::tui::keymap::Action;
use crate::tui::screens::Transition;
use chrono::Days;

/// What `Entrée` does on a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HousingPurpose {
    /// Just looking.
    Browse,
    /// Place this request (opened from its file).
    Place {
        request_id: String,
        reference: String,
    },
    /// Note this visitor's interest (opened from the quick capture).
    Interest {
        request_id: String,
        reference: String,
    },
}

#[derive(Debug, Clone)]
pub struct HousingView {
    pub period: Span,
    /// Near this commune (None: the whole register).
    pub commune: Option<String>,
    pub radius_km: f64,
    pub results: Vec<FreePlace>,
    pub selected: usize,
    pub purpose: HousingPurpose,
    /// The profile of the person to house: places reserved to other profiles are left out.
    pub profile: Option<crate::domain::Profile>,
    /// The screen to go back to.
    pub back: Box<Screen>,
}

impl HousingView {
    /// A key on the free places: move, change the semester or the radius, choose a commune,
    /// place the request or note the visitor's interest (a command for `App::apply`), go back.
    pub fn update(&mut self, action: Action, store: &crate::store::Store) -> Result<Transition> {
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.results.len().saturating_sub(1))
            }
            Action::Left | Action::Right => {
                // The semester before or after.
                let day = if action == Action::Left {
                    self.period.from - Days::new(1)
                } else {
                    self.period.to + Days::new(1)
                };
                self.period = semester_of(day);
                self.selected = 0;
                search(store, self)?;
            }
            Action::Wider | Action::Narrower if self.commune.is_some() => {
                self.radius_km = if action == Action::Wider {
                    (self.radius_km + 10.0).min(200.0)
                } else {
                    (self.radius_km - 10.0).max(10.0)
                };
                search(store, self)?;
            }
            Action::Filter => {
                let mut options = vec!["(tout le registre)".to_string()];
                options.extend(communes::all().iter().map(|c| c.name.to_string()));
                let selected = self
                    .commune
                    .as_ref()
                    .and_then(|c| options.iter().position(|o| o == c))
                    .unwrap_or(0);
                return Ok(Transition::Overlay(Overlay::Picker(Picker {
                    title: "Près de quelle commune ?".into(),
                    options,
                    selected,
                    purpose: PickPurpose::HousingCommune,
                    error: None,
                    letter: None,
                })));
            }
            Action::Open => {
                let Some(place) = self.results.get(self.selected) else {
                    return Err(Error::input("aucun logement libre sur cette période"));
                };
                let place = place.code.clone();
                return Ok(match self.purpose.clone() {
                    HousingPurpose::Browse => Transition::Info(
                        "Pour loger quelqu'un, ouvrez sa demande de logement puis L.".into(),
                    ),
                    HousingPurpose::Place {
                        request_id,
                        reference,
                    } => Transition::Command(Command::Place {
                        request_id,
                        place,
                        period: self.period,
                        reference,
                    }),
                    HousingPurpose::Interest {
                        request_id,
                        reference,
                    } => Transition::Command(Command::ProposePlace {
                        request_id,
                        place,
                        period: self.period,
                        reference,
                    }),
                });
            }
            Action::Back => return Ok(Transition::Show(self.leave())),
            _ => {}
        }
        Ok(Transition::Stay)
    }

    /// The screen this one was opened from (the view is left).
    pub fn leave(&mut self) -> Screen {
        *std::mem::replace(&mut self.back, Box::new(Screen::Queue))
    }
}

/// The semester after the one `today` falls in: what students look for.
fn upcoming(today: chrono::NaiveDate) -> Span {
    let now = semester_of(today);
    semester_of(now.to + Days::new(1))
}

/// "semestre d'hiver 2026–2027 (du 01/11/2026 au 30/04/2027)"
pub fn period_label(p: &Span) -> String {
    use chrono::Datelike;
    let name = if p.from.month() == 11 {
        format!("semestre d'hiver {}–{}", p.from.year(), p.from.year() + 1)
    } else {
        format!("semestre d'été {}", p.from.year())
    };
    format!("{name} ({})", p.label())
}

/// The free places of the view's period and commune (again after a colleague's change).
pub fn search(store: &crate::store::Store, v: &mut HousingView) -> Result<()> {
    let near = match &v.commune {
        Some(c) => {
            let (_, lat, lon) = store.commune_coordinates(c)?;
            Some((lat, lon, v.radius_km))
        }
        None => None,
    };
    v.results = store.free_places(&FreeQuery {
        period: Some(v.period),
        near,
        profile: v.profile,
        ..Default::default()
    })?;
    v.selected = v.selected.min(v.results.len().saturating_sub(1));
    Ok(())
}

impl App {
    /// `L`: the screen of free places, for the request or the visitor on screen if any.
    pub fn open_housing(&mut self) -> Result<()> {
        let (purpose, person) = match &self.screen {
            Screen::Request(v) if v.detail.request.type_code == HOUSING_TYPE => (
                HousingPurpose::Place {
                    request_id: v.detail.request.id.clone(),
                    reference: v.detail.request.reference.clone(),
                },
                v.detail.person.profile,
            ),
            Screen::Capture(v) => match v.recent.iter().find(|r| r.type_code == HOUSING_TYPE) {
                Some(r) => (
                    HousingPurpose::Interest {
                        request_id: r.id.clone(),
                        reference: r.reference.clone(),
                    },
                    self.store.person(&r.person_id)?.profile,
                ),
                None => (HousingPurpose::Browse, None),
            },
            Screen::Housing(_) => return Ok(()),
            _ => (HousingPurpose::Browse, None),
        };
        let mut v = HousingView {
            period: upcoming(self.store.today()),
            commune: None,
            radius_km: crate::housing::stand::DEFAULT_RADIUS_KM,
            results: Vec::new(),
            selected: 0,
            purpose,
            profile: person,
            back: Box::new(self.screen.clone()),
        };
        search(&self.store, &mut v)?;
        self.screen = Screen::Housing(Box::new(v));
        Ok(())
    }

    /// A key on the *Logements* screen. The view is taken out of the screen while the key is
    /// handled (no copy per key) and put back unless the key leaves it.
    pub fn housing_action(&mut self, action: Action) -> Result<()> {
        let Screen::Housing(v) = &mut self.screen else {
            return Ok(());
        };
        let t = v.update(action, &self.store)?;
        self.go(t)
    }

    /// The commune chosen in the picker (index 0: the whole register).
    pub fn housing_commune_picked(&mut self, selected: usize) -> Result<()> {
        let Screen::Housing(v) = &mut self.screen else {
            return Ok(());
        };
        v.commune = selected
            .checked_sub(1)
            .and_then(|i| communes::all().get(i))
            .map(|c| c.name.to_string());
        v.selected = 0;
        search(&self.store, v)
    }
}
