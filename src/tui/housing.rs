//! The *Logements* screen (issue #14): places free for a whole semester, in the register or near
//! a commune, nearest first. Opened with `L` from anywhere; from a housing request's file it
//! places that request (`Entrée`), from the salon quick capture it notes the last visitor's
//! interest in a place (brought back by the merge as a proposal).

use super::app::{App, Message, PickPurpose, Picker, Screen};
use super::keymap::Action;
use crate::error::{Error, Result};
use crate::housing::{Span, communes, semester_of};
use crate::store::{FreePlace, FreeQuery, HOUSING_TYPE};
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
    /// The screen to go back to.
    pub back: Box<Screen>,
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
        ..Default::default()
    })?;
    v.selected = v.selected.min(v.results.len().saturating_sub(1));
    Ok(())
}

impl App {
    /// `L`: the screen of free places, for the request or the visitor on screen if any.
    pub fn open_housing(&mut self) -> Result<()> {
        let purpose = match &self.screen {
            Screen::Request(v) if v.detail.request.type_code == HOUSING_TYPE => {
                HousingPurpose::Place {
                    request_id: v.detail.request.id.clone(),
                    reference: v.detail.request.reference.clone(),
                }
            }
            Screen::Capture(v) => match v.recent.iter().find(|r| r.type_code == HOUSING_TYPE) {
                Some(r) => HousingPurpose::Interest {
                    request_id: r.id.clone(),
                    reference: r.reference.clone(),
                },
                None => HousingPurpose::Browse,
            },
            Screen::Housing(_) => return Ok(()),
            _ => HousingPurpose::Browse,
        };
        let mut v = HousingView {
            period: upcoming(self.store.today()),
            commune: None,
            radius_km: crate::housing::stand::DEFAULT_RADIUS_KM,
            results: Vec::new(),
            selected: 0,
            purpose,
            back: Box::new(self.screen.clone()),
        };
        self.search_housing(&mut v)?;
        self.screen = Screen::Housing(Box::new(v));
        Ok(())
    }

    fn search_housing(&self, v: &mut HousingView) -> Result<()> {
        search(&self.store, v)
    }

    /// A key on the *Logements* screen. The view is taken out of the screen while the key is
    /// handled (no copy per key) and put back unless the key leaves it.
    pub fn housing_action(&mut self, action: Action) -> Result<()> {
        if !matches!(self.screen, Screen::Housing(_)) {
            return Ok(());
        }
        let Screen::Housing(mut v) = std::mem::replace(&mut self.screen, Screen::Queue) else {
            return Ok(());
        };
        match self.housing_key(&mut v, action) {
            Ok(Some(next)) => {
                self.screen = next;
                self.reload_current()
            }
            Ok(None) => {
                self.screen = Screen::Housing(v);
                Ok(())
            }
            Err(e) => {
                self.screen = Screen::Housing(v);
                Err(e)
            }
        }
    }

    /// Handles a key; returns the screen to show when the key leaves this one.
    fn housing_key(&mut self, v: &mut HousingView, action: Action) -> Result<Option<Screen>> {
        let back = |v: &mut HousingView| *std::mem::replace(&mut v.back, Box::new(Screen::Queue));
        match action {
            Action::Up => v.selected = v.selected.saturating_sub(1),
            Action::Down => v.selected = (v.selected + 1).min(v.results.len().saturating_sub(1)),
            Action::Left | Action::Right => {
                // The semester before or after.
                let day = if action == Action::Left {
                    v.period.from - Days::new(1)
                } else {
                    v.period.to + Days::new(1)
                };
                v.period = semester_of(day);
                v.selected = 0;
                self.search_housing(v)?;
            }
            Action::Wider | Action::Narrower if v.commune.is_some() => {
                v.radius_km = if action == Action::Wider {
                    (v.radius_km + 10.0).min(200.0)
                } else {
                    (v.radius_km - 10.0).max(10.0)
                };
                self.search_housing(v)?;
            }
            Action::Filter => {
                let mut options = vec!["(tout le registre)".to_string()];
                options.extend(communes::all().iter().map(|c| c.name.to_string()));
                let selected = v
                    .commune
                    .as_ref()
                    .and_then(|c| options.iter().position(|o| o == c))
                    .unwrap_or(0);
                self.overlay = Some(super::app::Overlay::Picker(Picker {
                    title: "Près de quelle commune ?".into(),
                    options,
                    selected,
                    purpose: PickPurpose::HousingCommune,
                    error: None,
                }));
            }
            Action::Open => {
                let Some(place) = v.results.get(v.selected).cloned() else {
                    return Err(Error::input("aucun logement libre sur cette période"));
                };
                match v.purpose.clone() {
                    HousingPurpose::Browse => {
                        self.message = Some(Message {
                            text: "Pour loger quelqu'un, ouvrez sa demande de logement puis L."
                                .into(),
                            error: false,
                        });
                    }
                    HousingPurpose::Place {
                        request_id,
                        reference,
                    } => {
                        self.store
                            .place_request(&request_id, &place.code, &v.period)?;
                        self.message = Some(Message {
                            text: format!(
                                "{reference} logée à {} {}.",
                                place.code,
                                v.period.label()
                            ),
                            error: false,
                        });
                        return Ok(Some(back(v)));
                    }
                    HousingPurpose::Interest {
                        request_id,
                        reference,
                    } => {
                        self.store
                            .propose_place(&request_id, &place.code, &v.period, "")?;
                        self.message = Some(Message {
                            text: format!(
                                "Intérêt de {reference} pour {} noté : proposé au retour au bureau.",
                                place.code
                            ),
                            error: false,
                        });
                        return Ok(Some(back(v)));
                    }
                }
            }
            Action::Back => return Ok(Some(back(v))),
            _ => {}
        }
        Ok(None)
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
