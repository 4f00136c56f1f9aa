//! The interface's state. Data flows one way: key -> [`Action`] -> [`App::update`] -> storage
//! call -> new state -> render. Rendering only reads the `App`.

use super::command::{Clash, Command, ConflictView, Edit, Patch, PatchField, Target};
use super::forms::{Form, FormKind};
use super::keymap::{Action, Context, action_for};
use crate::domain::Status;
use crate::error::{Error, Result};
use crate::store::{Agent, QueueOrder, RequestFilter, Store};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::screens::agent::AgentPicker;
pub use super::screens::capture::CaptureView;
pub use super::screens::pending::PendingView;
pub use super::screens::picker::{PickPurpose, Picker};
pub use super::screens::queue::{QueueState, Tab};
pub use super::screens::request::RequestView;
pub use super::screens::review::ReviewView;
pub use super::screens::search::SearchView;

#[derive(Debug, Clone)]
pub enum Screen {
    Welcome,
    PickAgent(AgentPicker),
    Queue,
    Request(Box<RequestView>),
    Review(Box<ReviewView>),
    Search(SearchView),
    Capture(Box<CaptureView>),
    Pending(PendingView),
    Housing(Box<super::screens::housing::HousingView>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Leave the program although a form holds unsaved input.
    Quit,
    /// Close a changed form without saving.
    Discard,
    /// A merge decision on the selected pending item.
    Decide(crate::salon::Decision),
    /// Create an agent with the name typed in the chooser (it matches nobody).
    NewAgent(String),
}

impl Confirm {
    /// The question, with the keys the keymap binds (the answers are in the footer).
    pub fn question(&self) -> String {
        use crate::salon::Decision;
        let text = match self {
            Confirm::NewAgent(name) => {
                return format!("Créer l'agent « {} » ?", crate::text::display_safe(name));
            }
            Confirm::Quit => "Un formulaire n'est pas enregistré. Quitter quand même ?",
            Confirm::Discard => "Abandonner ce qui a été saisi ?",
            Confirm::Decide(Decision::Merge) => {
                return format!(
                    "Même personne : ses demandes rejoignent le candidat affiché (les demandes \
                     identiques sont réunies). Confirmer ? ({} annule ensuite)",
                    super::keymap::key_of(Context::Pending, Action::UndoDecision)
                );
            }
            Confirm::Decide(Decision::KeepApart) => {
                "Deux personnes différentes : la saisie reste une personne à part. Confirmer ?"
            }
            Confirm::Decide(Decision::KeepOffice) => {
                "Garder la version du bureau ? (celle du poste reste dans l'historique)"
            }
            Confirm::Decide(Decision::ApplyLaptop) => {
                "Appliquer la version du poste ? (celle du bureau reste dans l'historique)"
            }
        };
        text.to_string()
    }
}

#[derive(Debug, Clone)]
pub enum Overlay {
    /// The keys of a context; what was open underneath comes back when it closes.
    Help(Context, Option<Box<Overlay>>),
    /// What the département offers; what was open underneath comes back when it closes.
    Offers(Vec<crate::store::Offer>, Option<Box<Overlay>>),
    Form(Box<Form>),
    Picker(Picker),
    /// A question; the form it is about (if any) stays underneath.
    Confirm(Confirm, Option<Box<Form>>),
    /// A save met a colleague's change on the same fields: mine or theirs, field by field.
    /// What was open underneath (the form) comes back on `Esc`.
    Conflict(Box<ConflictView>, Option<Box<Overlay>>),
}

/// What a command led to.
pub(crate) enum Applied {
    Done(String, Next),
    Clash(Box<ConflictView>),
}

/// What to show after a write.
pub(crate) enum Next {
    Request(String),
    Reload,
    Capture,
    Period(NaiveDate, NaiveDate),
    Filter(Box<RequestFilter>, String),
    /// The agent just created starts working.
    SignIn(Box<Agent>),
    /// Leave the welcome screen (demo data loaded).
    Start,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// How the interface shows things that do not come from the file.
#[derive(Debug, Clone, Default)]
pub struct Display {
    /// `NO_COLOR`: no colours, emphasis by bold and reverse video only.
    pub no_color: bool,
    /// Timestamps in UTC instead of local time (tests).
    pub utc: bool,
    /// Colours for a light terminal background (`GUICHET_THEME=clair`).
    pub light: bool,
}

pub struct App {
    pub store: Store,
    pub me: Option<Agent>,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub queue: QueueState,
    pub message: Option<Message>,
    pub quit: bool,
    pub display: Display,
    /// Terminal size (columns, rows), told by the event loop.
    pub size: (u16, u16),
    /// Where `x` writes exports (default: `exports` beside the default file).
    pub export_dir: Option<std::path::PathBuf>,
    /// The period of the review, kept while moving between tabs.
    pub review_period: Option<crate::review::Period>,
    /// Reviews already computed, until the file changes.
    review_cache: super::review_cache::ReviewCache,
    /// This file is a salon laptop's: it opens on the quick capture.
    pub salon: bool,
    /// How far the help or the offers are scrolled.
    pub overlay_scroll: u16,
    /// The settings file (last agent, theme); none in tests unless set.
    pub settings_path: Option<std::path::PathBuf>,
    pub(crate) data_version: i64,
    /// What opened the form on screen: the request it is about and the key's action (a draft
    /// of it can then be opened again, see `draft.rs`).
    pub(crate) form_opened_by: Option<super::draft::Origin>,
}

impl App {
    /// Builds the interface over an open file. `agent` is the `--agent` / `GUICHET_AGENT` name.
    pub fn new(store: Store, agent: Option<&str>, display: Display) -> Result<App> {
        let mut app = App {
            store,
            me: None,
            screen: Screen::Queue,
            overlay: None,
            queue: QueueState {
                tab: Tab::Today,
                counts: [0; Tab::ALL.len()],
                rows: Vec::new(),
                window_start: 0,
                selected: 0,
                scroll: 0,
                all_filter: RequestFilter::default(),
                all_filter_label: String::new(),
                attestations: Default::default(),
            },
            message: None,
            quit: false,
            display,
            size: (80, 24),
            export_dir: None,
            review_period: None,
            review_cache: Default::default(),
            salon: false,
            settings_path: None,
            overlay_scroll: 0,
            data_version: 0,
            form_opened_by: None,
        };
        if let Some(name) = agent.filter(|n| !n.trim().is_empty()) {
            let a = app.store.ensure_agent(name)?;
            app.set_me(a);
        }
        app.salon = app.store.meta("role")?.as_deref() == Some(crate::salon::ROLE_SALON);
        let empty = app.store.count(&RequestFilter::default())? == 0;
        if app.salon && app.me.is_some() {
            app.open_capture()?;
        } else if empty && !app.salon {
            app.screen = Screen::Welcome;
        } else if app.me.is_none() {
            app.screen = app.agent_picker()?;
        }
        app.refresh()?;
        app.data_version = app.store.data_version()?;
        Ok(app)
    }

    pub fn today(&self) -> NaiveDate {
        self.store.today()
    }

    /// The context of the keys, from the topmost thing on screen.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help(..) | Overlay::Offers(..)) => Context::Help,
            Some(Overlay::Form(f)) if f.focused().is_lines() => Context::Lines,
            Some(Overlay::Form(_)) => Context::Form,
            Some(Overlay::Picker(_)) => Context::Picker,
            Some(Overlay::Confirm(..)) => Context::Confirm,
            Some(Overlay::Conflict(..)) => Context::Conflict,
            None => match &self.screen {
                Screen::Welcome => Context::Welcome,
                Screen::PickAgent(_) => Context::PickAgent,
                Screen::Queue => Context::Queue,
                Screen::Request(_) => Context::Request,
                Screen::Review(_) => Context::Review,
                Screen::Capture(_) => Context::Capture,
                Screen::Pending(_) => Context::Pending,
                Screen::Search(_) => Context::Search,
                Screen::Housing(_) => Context::Housing,
            },
        }
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub(crate) fn error(&mut self, e: &Error) {
        tracing::warn!(kind = e.kind(), "action refused");
        self.message = Some(Message {
            text: e.to_string(),
            error: true,
        });
    }

    /// A key from the terminal.
    pub fn handle_key(&mut self, key: KeyEvent) {
        // AltGr on Windows arrives as Ctrl+Alt+char (`@`, `#`, `{` on AZERTY): a character.
        if key
            .modifiers
            .contains(KeyModifiers::CONTROL | KeyModifiers::ALT)
            && let KeyCode::Char(c) = key.code
            && !c.is_control()
        {
            let plain = key.modifiers - KeyModifiers::CONTROL - KeyModifiers::ALT;
            return self.handle_key(KeyEvent::new(KeyCode::Char(c), plain));
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.request_quit();
            return;
        }
        // A terminal sends Esc followed quickly by a letter as Alt+letter: take it as both.
        if key.modifiers.contains(KeyModifiers::ALT)
            && let KeyCode::Char(c) = key.code
        {
            self.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            self.handle_key(KeyEvent::new(
                KeyCode::Char(c),
                key.modifiers - KeyModifiers::ALT,
            ));
            return;
        }
        let context = self.context();
        match action_for(context, &key) {
            Some(action) => self.update(action, Some(&key)),
            None if context.takes_text() => self.type_key(&key),
            None => {}
        }
    }

    /// Quit now, or ask first when a form holds unsaved input.
    pub(crate) fn request_quit(&mut self) {
        match self.overlay.take() {
            Some(Overlay::Form(f)) if f.dirty => {
                self.overlay = Some(Overlay::Confirm(Confirm::Quit, Some(f)))
            }
            _ => self.quit = true,
        }
    }

    /// Applies one action. `key` is the key that asked for it (text fields need it).
    pub fn update(&mut self, action: Action, key: Option<&KeyEvent>) {
        let had_form = super::draft::form_under(self.overlay.as_ref()).is_some();
        if let Err(e) = self.try_update(action, key) {
            self.error(&e);
        }
        if !had_form && let Some(Overlay::Form(f)) = &self.overlay {
            let request_id = match &self.screen {
                Screen::Request(v) => Some(v.detail.request.id.clone()),
                _ => None,
            };
            self.form_opened_by = Some(super::draft::Origin {
                request_id,
                action,
                initial: super::draft::values(f),
                carried: Vec::new(),
                taken_on: self.today(),
            });
        }
    }

    pub(crate) fn try_update(&mut self, action: Action, key: Option<&KeyEvent>) -> Result<()> {
        if !matches!(action, Action::Refresh) && self.overlay.is_none() {
            self.message = None;
        }
        match self.context() {
            Context::Help => {
                // The help and the offers scroll (they are longer than 24 rows); any other
                // key closes them.
                let page = self.size.1.saturating_sub(8).max(1);
                match action {
                    Action::Up => self.overlay_scroll = self.overlay_scroll.saturating_sub(1),
                    Action::Down => self.overlay_scroll = self.overlay_scroll.saturating_add(1),
                    Action::PageUp => {
                        self.overlay_scroll = self.overlay_scroll.saturating_sub(page)
                    }
                    Action::PageDown => {
                        self.overlay_scroll = self.overlay_scroll.saturating_add(page)
                    }
                    _ => {
                        if let Some(Overlay::Help(_, under) | Overlay::Offers(_, under)) =
                            self.overlay.take()
                        {
                            self.overlay = under.map(|o| *o);
                        }
                        self.overlay_scroll = 0;
                    }
                }
                Ok(())
            }
            Context::Confirm => self.confirm(action),
            Context::Form | Context::Lines => self.form_action(action, key),
            Context::Picker => self.picker_action(action),
            Context::Conflict => self.conflict_action(action),
            _ => self.screen_action(action),
        }
    }

    pub(crate) fn confirm(&mut self, action: Action) -> Result<()> {
        let Some(Overlay::Confirm(what, form)) = self.overlay.take() else {
            return Ok(());
        };
        match (action, what) {
            (Action::Yes, Confirm::Quit) => self.quit = true,
            (Action::Yes, Confirm::Discard) => self.info("Saisie abandonnée."),
            (Action::Yes, Confirm::Decide(d)) => self.decide(d)?,
            (Action::Yes, Confirm::NewAgent(name)) => self.apply(Command::AddAgent(name), None),
            (_, _) => self.overlay = form.map(Overlay::Form),
        }
        Ok(())
    }

    pub(crate) fn screen_action(&mut self, action: Action) -> Result<()> {
        match action {
            Action::Help => {
                self.overlay = Some(Overlay::Help(self.context(), None));
                Ok(())
            }
            Action::Quit => {
                self.request_quit();
                Ok(())
            }
            Action::Refresh => {
                self.queue.rows.clear();
                self.refresh()?;
                self.info("Fichier relu.");
                Ok(())
            }
            Action::Search => {
                self.screen = Screen::Search(SearchView::default());
                Ok(())
            }
            Action::Capture if self.salon => self.open_capture(),
            Action::Housing => self.open_housing(),
            Action::Offers => {
                self.overlay = Some(Overlay::Offers(self.active_offers()?, None));
                Ok(())
            }
            Action::NewRequest => {
                // From a request: a new one for the same person.
                let form = match &self.screen {
                    Screen::Request(v) => {
                        Form::new_request_for(&self.store, self.me.as_ref(), &v.detail.person)?
                    }
                    _ => Form::new_request(&self.store, self.me.as_ref())?,
                };
                self.overlay = Some(Overlay::Form(Box::new(form)));
                Ok(())
            }
            _ => match &self.screen {
                Screen::Welcome => self.welcome_action(action),
                Screen::PickAgent(_) => self.pick_agent_action(action),
                Screen::Queue => self.queue_action(action),
                Screen::Request(_) => self.request_action(action),
                Screen::Review(_) => self.review_action(action),
                Screen::Capture(_) => self.capture_action(action),
                Screen::Pending(_) => self.pending_action(action),
                Screen::Search(_) => self.search_action(action),
                Screen::Housing(_) => self.housing_action(action),
            },
        }
    }

    /// The review of the last period looked at (the last complete week at first).
    pub fn open_review(&mut self) -> Result<()> {
        let period = self
            .review_period
            .unwrap_or_else(|| crate::review::Period::last_complete_week(self.today()));
        self.show_review(period)
    }

    pub(crate) fn show_review(&mut self, period: crate::review::Period) -> Result<()> {
        let (review, aids) = self.review_cache.get(&self.store, period)?;
        self.review_period = Some(period);
        self.screen = Screen::Review(Box::new(ReviewView {
            review,
            scroll: 0,
            aids,
        }));
        Ok(())
    }

    /// Writes the review on screen as a workbook in the export folder; returns its path.
    pub(crate) fn export_review(
        &self,
        review: &crate::review::Review,
    ) -> Result<std::path::PathBuf> {
        let dir = self.exports_folder()?;
        let stem = format!("bilan-{}-{}", review.period.from, review.period.to);
        let mut path = dir.join(format!("{stem}.xlsx"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stem}-{n}.xlsx"));
            n += 1;
        }
        crate::output::write_xlsx(&review.sheets(), &path)?;
        Ok(path)
    }

    /// The folder exports are written to (created owner-only).
    pub(crate) fn exports_folder(&self) -> Result<std::path::PathBuf> {
        let dir = match &self.export_dir {
            Some(d) => d.clone(),
            None => crate::paths::export_dir()?,
        };
        crate::paths::create_private_dir(&dir)?;
        Ok(dir)
    }

    pub(crate) fn type_key(&mut self, key: &KeyEvent) {
        let result = match (&mut self.overlay, &mut self.screen) {
            (Some(Overlay::Form(f)), _) => {
                if f.type_key(key) && matches!(f.kind, FormKind::NewRequest(_)) {
                    super::screens::form::refresh_matches(&self.store, f)
                } else {
                    Ok(())
                }
            }
            (Some(Overlay::Picker(p)), _) => {
                if let Some(i) = super::forms::jump(&p.options, p.selected, key, &mut p.letter) {
                    p.selected = i;
                }
                Ok(())
            }
            (None, Screen::Search(s)) => {
                if s.input.input(key) {
                    self.search_now()
                } else {
                    Ok(())
                }
            }
            (None, Screen::PickAgent(p)) => {
                if p.input.input(key) {
                    p.selected = 0;
                }
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.error(&e);
        }
    }

    /// Text pasted in the terminal (bracketed paste): into the field being typed, whole.
    pub fn paste(&mut self, text: &str) {
        let result = match (&mut self.overlay, &mut self.screen) {
            (Some(Overlay::Form(f)), _) => {
                if f.paste(text) && matches!(f.kind, FormKind::NewRequest(_)) {
                    super::screens::form::refresh_matches(&self.store, f)
                } else {
                    Ok(())
                }
            }
            (None, Screen::Search(s)) => {
                if s.input.insert(text) {
                    self.search_now()
                } else {
                    Ok(())
                }
            }
            (None, Screen::PickAgent(p)) => {
                p.input.insert(text);
                p.selected = 0;
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.error(&e);
        }
    }

    /// The only code of the interface that writes: runs a command through the storage API,
    /// then shows its result. A colleague's change on other fields is kept and the agent's
    /// fields are applied on top; a field both changed opens the side-by-side choice. On an
    /// error, `under` (the form or picker that asked) comes back with the message.
    pub fn apply(&mut self, cmd: Command, under: Option<Overlay>) {
        // A follow-up is written before its date or status is checked: after a clash, its form
        // does not come back (saving it again would log it twice).
        let logged = matches!(cmd, Command::LogFollowUp { .. });
        match self.run_command(cmd) {
            Ok(Applied::Done(msg, next)) => {
                self.overlay = None;
                if let Err(e) = self.finish(msg, next) {
                    self.error(&e);
                }
            }
            Ok(Applied::Clash(view)) => {
                self.message = Some(Message {
                    text: format!(
                        "{}Modifiée par {} le {} : votre valeur ou la sienne ?",
                        if logged { "Suivi enregistré. " } else { "" },
                        view.by,
                        view.at
                    ),
                    error: true,
                });
                let under = under.filter(|_| !logged);
                self.overlay = Some(Overlay::Conflict(view, under.map(Box::new)));
            }
            Err(e) => {
                self.overlay = match under {
                    Some(Overlay::Form(mut f)) => {
                        f.show_error(&e);
                        // A passphrase is typed again, never kept in the form after a refusal.
                        f.clear_secrets();
                        Some(Overlay::Form(f))
                    }
                    Some(Overlay::Picker(mut p)) => {
                        p.error = Some(e.to_string());
                        Some(Overlay::Picker(p))
                    }
                    Some(Overlay::Conflict(v, below)) => Some(Overlay::Conflict(v, below)),
                    other => other,
                };
                self.error(&e);
            }
        }
    }

    pub(crate) fn run_command(&mut self, cmd: Command) -> Result<Applied> {
        let done = |msg: String, next: Next| Ok(Applied::Done(msg, next));
        match cmd {
            Command::Patch(p) => self.write_patch(p),
            Command::Aid { request_id, op } => {
                let msg = crate::tui::aids::run(&mut self.store, &request_id, &op)?;
                done(msg, Next::Request(request_id))
            }
            Command::LogFollowUp {
                request_id,
                follow_up,
                also,
            } => {
                let (before, (by, at)) = self
                    .store
                    .log_follow_up_keeping_date(&request_id, &follow_up)?;
                let saved =
                    |request_id| done("Suivi enregistré.".into(), Next::Request(request_id));
                let Some(mut p) = also else {
                    return saved(request_id);
                };
                // The follow-up itself may have moved the request (first contact, a new request
                // now "en cours"): that is this agent's doing, and a field nobody else changed
                // since the form was read applies on top of it. A field a colleague changed
                // meanwhile (the follow-up date, the status) stays as it was read: the save then
                // shows both values instead of overwriting theirs, named as the colleague's.
                let colleague_wrote = p.version != before.version;
                let after = self.store.request_row(&p.id)?;
                for e in &mut p.edits {
                    if e.field.of_request(&before) == e.read {
                        e.read = e.field.of_request(&after);
                    }
                }
                p.edits.retain(|e| e.read != e.mine);
                if p.is_empty() {
                    return saved(request_id);
                }
                if !colleague_wrote {
                    p.version = after.version;
                }
                match self.write_patch(p)? {
                    Applied::Clash(mut view) if colleague_wrote => {
                        (view.by, view.at) = (by, at);
                        Ok(Applied::Clash(view))
                    }
                    applied => Ok(applied),
                }
            }
            Command::Refer {
                request_id,
                referral,
                partner,
            } => {
                self.store.refer(&request_id, &referral)?;
                done(
                    format!("Orientée vers {partner}."),
                    Next::Request(request_id),
                )
            }
            Command::Answer {
                request_id,
                referral_id,
                version,
                answer,
                partner,
            } => {
                self.store
                    .answer_referral(&referral_id, Some(version), &answer)?;
                done(
                    format!("Réponse de {partner} enregistrée."),
                    Next::Request(request_id),
                )
            }
            Command::Remind {
                request_id,
                referral_id,
                partner,
            } => {
                self.store.remind_referral(&referral_id)?;
                done(
                    format!("Relance de {partner} notée."),
                    Next::Request(request_id),
                )
            }
            Command::CreateRequests(requests) => {
                // A request taken on the phone: that call is the first contact.
                let call = requests
                    .first()
                    .is_some_and(|r| r.channel_code.as_deref() == Some("telephone"));
                let created = if call {
                    self.store.create_requests_on_a_call(&requests)?
                } else {
                    self.store.create_requests(&requests)?
                };
                let refs: Vec<&str> = created.iter().map(|c| c.reference.as_str()).collect();
                let first = created.first().map(|c| c.id.clone()).unwrap_or_default();
                done(
                    format!(
                        "Enregistrée : {}{}.",
                        refs.join(", "),
                        if call {
                            " (l'appel compte comme premier contact)"
                        } else {
                            ""
                        }
                    ),
                    Next::Request(first),
                )
            }
            Command::Capture { requests, who } => {
                let created = crate::salon::capture(&mut self.store, &requests, true)?;
                let refs: Vec<&str> = created.iter().map(|c| c.reference.as_str()).collect();
                done(
                    format!("Enregistré : {who} ({}).", refs.join(", ")),
                    Next::Capture,
                )
            }
            Command::Resolve {
                id,
                decision,
                candidate,
            } => {
                let message =
                    crate::salon::resolve_with(&mut self.store, &id, decision, candidate)?;
                if let Screen::Pending(v) = &mut self.screen {
                    v.last_decided = Some(id.clone());
                    v.candidate = 0;
                }
                let message = message.replace(
                    &format!("guichet resolve {id} --annuler"),
                    &format!(
                        "touche {}",
                        super::keymap::key_of(Context::Pending, Action::UndoDecision)
                    ),
                );
                done(message, Next::Reload)
            }
            Command::Merge(path, secret) => {
                if let Some(s) = &secret {
                    crate::store::give_passphrase(&path, &s.0);
                }
                let r = match crate::salon::merge(&mut self.store, &path) {
                    Ok(r) => r,
                    Err(e) => {
                        // A wrong passphrase is typed again, not kept for the next try.
                        crate::store::forget_passphrase(&path);
                        return Err(e);
                    }
                };
                let waiting = r.pending_duplicates + r.conflicts;
                done(
                    format!(
                        "Fusion : {} personne(s), {} demande(s) ajoutée(s), {} déjà présente(s){}",
                        r.added_persons,
                        r.added_requests,
                        r.already_present,
                        if waiting > 0 {
                            format!(
                                " ; {waiting} à décider (touche {}).",
                                super::keymap::key_of(Context::Queue, Action::Pending)
                            )
                        } else {
                            ".".into()
                        }
                    ),
                    Next::Reload,
                )
            }
            Command::LoadDemo => {
                let r = crate::demo::fill(&mut self.store, 2000, 1)?;
                done(
                    format!(
                        "Données de démonstration chargées : {} demandes, {} personnes.",
                        r.requests, r.persons
                    ),
                    Next::Start,
                )
            }
            Command::AddAgent(name) => {
                let agent = self.store.ensure_agent(&name)?;
                done(
                    format!("Agent « {} » créé.", agent.name),
                    Next::SignIn(Box::new(agent)),
                )
            }
            Command::UndoDecision(id) => {
                let id = match id {
                    Some(id) => id,
                    None => crate::salon::latest_decision(&self.store)?.ok_or_else(|| {
                        Error::input(
                            "aucune décision à annuler (rien n'a été décidé depuis la dernière fusion)",
                        )
                    })?,
                };
                let message = crate::salon::undo(&mut self.store, &id)?;
                done(message, Next::Reload)
            }
            Command::Place {
                request_id,
                place,
                period,
                reference,
            } => {
                self.store.place_request(&request_id, &place, &period)?;
                self.leave_housing();
                done(
                    format!("{reference} logée à {place} {}.", period.label()),
                    Next::Request(request_id),
                )
            }
            Command::ProposePlace {
                request_id,
                place,
                period,
                reference,
            } => {
                self.store.propose_place(&request_id, &place, &period, "")?;
                self.leave_housing();
                done(
                    format!(
                        "Intérêt de {reference} pour {place} noté : proposé au retour au bureau."
                    ),
                    Next::Capture,
                )
            }
            Command::ShowPeriod(from, to) => done(
                format!(
                    "Bilan du {} au {}.",
                    crate::domain::fr_date(from),
                    crate::domain::fr_date(to)
                ),
                Next::Period(from, to),
            ),
            Command::SetFilter(filter, label) => done(
                if label.is_empty() {
                    "Filtres retirés.".to_string()
                } else {
                    format!("Filtres : {label}.")
                },
                Next::Filter(filter, label),
            ),
        }
    }

    /// Sends the fields the agent changed, with the version read. On a colleague's change:
    /// fields only they changed are left alone (they are not in the patch), fields only the
    /// agent changed are sent again on the fresh version, fields both changed are returned
    /// for the agent to choose.
    pub(crate) fn write_patch(&mut self, mut p: Patch) -> Result<Applied> {
        loop {
            if p.is_empty() {
                return Ok(Applied::Done(
                    "Rien n'a changé : rien n'a été écrit.".into(),
                    Next::Request(p.request_id),
                ));
            }
            let written = match p.target {
                Target::Request => {
                    let change = p.request_change();
                    // Closing cancels the placements not started yet: the status line says so.
                    let cancelled = match change.status {
                        Some(Status::Close)
                            if self.store.request_row(&p.id)?.status != Status::Close =>
                        {
                            self.store.placements_cancelled_by_closing(&p.id)?
                        }
                        _ => Vec::new(),
                    };
                    self.store
                        .update_request_reception(
                            &p.id,
                            Some(p.version),
                            &change,
                            p.received_on(),
                            p.event(),
                        )
                        .map(|_| crate::store::Placement::cancelled_on_closing(&cancelled))
                }
                Target::Person => {
                    let fresh = self.store.person(&p.id)?;
                    self.store
                        .update_person(&p.id, Some(p.version), &p.person_after(&fresh))
                        .map(|_| None)
                }
            };
            let (by, at) = match written {
                Ok(said) => {
                    let done = match said {
                        Some(m) => format!("{} {m}", p.done),
                        None => p.done,
                    };
                    return Ok(Applied::Done(done, Next::Request(p.request_id)));
                }
                Err(Error::Conflict { by, at, .. }) => (by, at),
                Err(e) => return Err(e),
            };
            let (theirs, version): (Vec<String>, i64) = match p.target {
                Target::Request => {
                    let r = self.store.request_row(&p.id)?;
                    (
                        p.edits.iter().map(|e| e.field.of_request(&r)).collect(),
                        r.version,
                    )
                }
                Target::Person => {
                    let r = self.store.person(&p.id)?;
                    (
                        p.edits.iter().map(|e| e.field.of_person(&r)).collect(),
                        r.version,
                    )
                }
            };
            let mut clashes = Vec::new();
            let mut edits = Vec::new();
            for (e, theirs) in p.edits.into_iter().zip(theirs) {
                if theirs == e.read {
                    edits.push(e);
                } else if theirs != e.mine {
                    clashes.push(Clash {
                        field: e.field,
                        mine_label: self.show(e.field, &e.mine),
                        theirs_label: self.show(e.field, &theirs),
                        mine: e.mine.clone(),
                        theirs: theirs.clone(),
                        keep_mine: true,
                    });
                    edits.push(Edit {
                        field: e.field,
                        read: theirs,
                        mine: e.mine,
                    });
                }
                // Both wrote the same value: nothing left to send for it.
            }
            p.edits = edits;
            p.version = version;
            if !clashes.is_empty() {
                return Ok(Applied::Clash(Box::new(ConflictView {
                    patch: p,
                    clashes,
                    selected: 0,
                    by,
                    at,
                })));
            }
        }
    }

    /// After a placement: back to the screen *Logements* was opened from (the request keeps the
    /// search it came from).
    fn leave_housing(&mut self) {
        if let Screen::Housing(v) = &mut self.screen {
            self.screen = v.leave();
        }
    }

    /// A stored value as the agent reads it (labels, French dates, "—" for none).
    pub(crate) fn show(&self, field: PatchField, value: &str) -> String {
        if value.is_empty() {
            return "—".into();
        }
        let date = |v: &str| {
            v.parse::<NaiveDate>()
                .map(crate::domain::fr_date)
                .unwrap_or_else(|_| v.to_string())
        };
        let label = |codes: Result<Vec<crate::store::Code>>| {
            codes
                .ok()
                .and_then(|c| c.into_iter().find(|c| c.code == value).map(|c| c.label))
                .unwrap_or_else(|| value.to_string())
        };
        match field {
            PatchField::NextFollowUp | PatchField::BirthDate | PatchField::ReceivedOn => {
                date(value)
            }
            PatchField::Type => label(self.store.types()),
            PatchField::Channel => label(self.store.channels()),
            PatchField::Event => self
                .store
                .events()
                .ok()
                .and_then(|e| {
                    e.into_iter()
                        .find(|e| e.id == value)
                        .map(|e| event_label(&e))
                })
                .unwrap_or_else(|| value.to_string()),
            PatchField::Agent => self
                .store
                .agents()
                .ok()
                .and_then(|a| a.into_iter().find(|a| a.id == value).map(|a| a.name))
                .unwrap_or_else(|| value.to_string()),
            PatchField::Profile => crate::domain::Profile::from_code(value)
                .map_or_else(|| value.to_string(), |p| p.label().to_string()),
            PatchField::Status => {
                let mut parts = value.split('|');
                let status = parts
                    .next()
                    .and_then(Status::from_code)
                    .map_or(value, |s| s.label());
                match (
                    parts.next().and_then(crate::domain::Outcome::from_code),
                    parts.next(),
                ) {
                    (Some(o), Some(d)) => format!("{status} ({}, le {})", o.label(), date(d)),
                    _ => status.to_string(),
                }
            }
            _ => value.to_string(),
        }
    }

    /// Keys of the side-by-side choice after a conflict.
    pub(crate) fn conflict_action(&mut self, action: Action) -> Result<()> {
        let Some(Overlay::Conflict(mut v, under)) = self.overlay.take() else {
            return Ok(());
        };
        match action {
            Action::Up => v.selected = v.selected.saturating_sub(1),
            Action::Down => v.selected = (v.selected + 1).min(v.clashes.len().saturating_sub(1)),
            Action::Left | Action::Right | Action::Toggle => {
                if let Some(c) = v.clashes.get_mut(v.selected) {
                    c.keep_mine =
                        action == Action::Left || (action == Action::Toggle && !c.keep_mine);
                }
            }
            Action::Back => {
                self.overlay = under.map(|o| *o);
                return Ok(());
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help(
                    Context::Conflict,
                    Some(Box::new(Overlay::Conflict(v, under))),
                ));
                return Ok(());
            }
            Action::Save => {
                let patch = v.resolved();
                let below = under.map(|o| *o);
                self.apply(Command::Patch(patch), below);
                return Ok(());
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Conflict(v, under));
        Ok(())
    }

    /// What the département offers now (`i`, `Ctrl-O`).
    pub(crate) fn active_offers(&self) -> Result<Vec<crate::store::Offer>> {
        Ok(self
            .store
            .offers()?
            .into_iter()
            .filter(|o| o.active)
            .collect())
    }

    /// Carries out what a screen's key led to.
    pub(crate) fn go(&mut self, t: super::screens::Transition) -> Result<()> {
        use super::screens::Transition as T;
        match t {
            T::Stay => Ok(()),
            T::Moved => self.load_window(),
            T::Reload => self.refresh(),
            T::OpenRequest(id) => self.open_request(&id),
            T::Show(screen) => {
                self.screen = screen;
                self.reload_current()
            }
            T::Back(screen) => {
                self.screen = screen;
                // Reading wrote nothing the lists show: the interface's writes refresh them
                // (`finish`), other processes' are followed by `tick`. No recount here.
                self.load_window()
            }
            T::Review => self.open_review(),
            T::Overlay(o) => {
                self.overlay = Some(o);
                Ok(())
            }
            T::Command(cmd) => {
                self.apply(cmd, None);
                Ok(())
            }
            T::Period(period) => self.show_review(period),
            T::ExportReview => {
                let Screen::Review(v) = &self.screen else {
                    return Ok(());
                };
                let path = self.export_review(&v.review)?;
                self.info(format!("Bilan exporté : {}", path.display()));
                Ok(())
            }
            T::Tab(tab) => {
                self.queue.tab = tab;
                self.queue.selected = 0;
                self.queue.scroll = 0;
                self.queue.rows.clear();
                self.screen = Screen::Queue;
                self.refresh()
            }
            T::Info(text) => {
                self.info(text);
                Ok(())
            }
            T::Quit => {
                self.request_quit();
                Ok(())
            }
            T::SignIn(agent) => self.sign_in(agent),
            T::Start => self.after_welcome(),
        }
    }

    /// After a write: show what comes next, with fresh rows everywhere.
    pub(crate) fn finish(&mut self, msg: String, next: Next) -> Result<()> {
        match next {
            Next::Request(id) => self.open_request(&id)?,
            Next::Reload => self.reload_current()?,
            Next::Capture => self.open_capture()?,
            Next::Period(from, to) => {
                self.show_review(crate::review::Period::from_dates(from, to))?
            }
            Next::SignIn(agent) => {
                // Signing in refreshes and greets; the creation message comes first.
                self.sign_in(*agent)?;
                let hello = self.message.take().map(|m| m.text).unwrap_or_default();
                self.data_version = self.store.data_version()?;
                self.info(format!("{msg} {hello}"));
                return Ok(());
            }
            Next::Start => self.after_welcome()?,
            Next::Filter(filter, label) => {
                self.queue.all_filter = *filter;
                self.queue.all_filter_label = label;
                self.queue.tab = Tab::All;
                self.queue.selected = 0;
                self.queue.scroll = 0;
            }
        }
        self.data_version = self.store.data_version()?;
        self.queue.rows.clear();
        self.refresh_counts()?;
        self.load_window()?;
        self.info(msg);
        Ok(())
    }

    /// Re-reads what is on screen (another process changed the file, or a save).
    /// Rows already loaded stay: every write of this interface ([`App::apply`]) and every change
    /// by another process ([`App::tick`]) clears them, so they are never stale.
    pub fn refresh(&mut self) -> Result<()> {
        self.refresh_counts()?;
        self.load_window()?;
        self.reload_current()
    }

    pub(crate) fn reload_current(&mut self) -> Result<()> {
        match &mut self.screen {
            Screen::Request(v) => {
                let id = v.detail.request.id.clone();
                v.detail = self.store.request_detail(&id)?;
                v.aids = self.store.person_aids(&v.detail.person.id)?;
            }
            Screen::Search(_) => self.search_now()?,
            Screen::Housing(v) => super::screens::housing::search(&self.store, v)?,
            Screen::Review(v) => {
                (v.review, v.aids) = self.review_cache.get(&self.store, v.review.period)?;
            }
            Screen::Pending(v) => {
                v.items = crate::salon::pending(&self.store)?;
                v.selected = v.selected.min(v.items.len().saturating_sub(1));
            }
            Screen::Capture(v) => {
                let filter = RequestFilter {
                    event_id: self.store.meta("event_id")?,
                    received_from: Some(self.store.today()),
                    received_to: Some(self.store.today()),
                    ..Default::default()
                };
                v.visitors_today = self.store.count_persons(&filter)?;
                v.event = match &filter.event_id {
                    Some(id) => self
                        .store
                        .events()?
                        .into_iter()
                        .find(|e| &e.id == id)
                        .map(|e| format!("{} — {}", e.name, crate::domain::fr_date(e.held_on)))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                v.recent = self.store.queue(
                    &RequestFilter {
                        event_id: filter.event_id.clone(),
                        ..Default::default()
                    },
                    QueueOrder::Recent,
                    0,
                    12,
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Called by the event loop when idle: follows changes made by other processes.
    pub fn tick(&mut self) {
        match self.store.data_version() {
            Ok(v) if v != self.data_version => {
                self.data_version = v;
                self.queue.rows.clear();
                if let Err(e) = self.refresh() {
                    self.error(&e);
                }
            }
            Ok(_) => {}
            Err(e) => self.error(&e),
        }
    }

    /// The day of a stored UTC timestamp, in local time (UTC in tests).
    pub fn timestamp(&self, ts: &str) -> String {
        match chrono::DateTime::parse_from_rfc3339(ts) {
            Ok(t) if self.display.utc => {
                t.with_timezone(&chrono::Utc).format("%d/%m/%Y").to_string()
            }
            Ok(t) => t
                .with_timezone(&chrono::Local)
                .format("%d/%m/%Y")
                .to_string(),
            Err(_) => ts.to_string(),
        }
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.size = (cols, rows);
        if let Err(e) = self.load_window() {
            self.error(&e);
        }
    }
}

/// An event as a list shows it: "Salon de l'étudiant (22/11/2026)".
pub fn event_label(e: &crate::store::Event) -> String {
    format!("{} ({})", e.name, crate::domain::fr_date(e.held_on))
}
