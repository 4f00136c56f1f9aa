//! The interface's state. Data flows one way: key -> [`Action`] -> [`App::update`] -> storage
//! call -> new state -> render. Rendering only reads the `App`.

use super::forms::{Form, FormKind, Saved};
use super::input::TextField;
use super::keymap::{Action, Context, action_for};
use crate::domain::{Role, Status};
use crate::error::{Error, Result};
use crate::store::{Agent, QueueOrder, RequestDetail, RequestFilter, RequestRow, Store};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The queues, as tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Mine,
    Unassigned,
    Due,
    Partner,
    All,
}

impl Tab {
    pub const ALL: [Tab; 5] = [Tab::Mine, Tab::Unassigned, Tab::Due, Tab::Partner, Tab::All];

    pub fn label(self, narrow: bool) -> &'static str {
        match (self, narrow) {
            (Tab::Mine, _) => "Ma file",
            (Tab::Unassigned, false) => "Non attribuées",
            (Tab::Unassigned, true) => "Non attr.",
            (Tab::Due, _) => "À relancer",
            (Tab::Partner, false) => "Attente partenaire",
            (Tab::Partner, true) => "Partenaires",
            (Tab::All, _) => "Toutes",
        }
    }

    /// The filter and order of a queue. "Ma file" without a known agent is empty.
    pub fn filter(self, me: Option<&Agent>, today: NaiveDate) -> (RequestFilter, QueueOrder) {
        let open = RequestFilter {
            open_only: true,
            ..Default::default()
        };
        match self {
            Tab::Mine => (
                RequestFilter {
                    agent_id: Some(me.map_or_else(|| "-".to_string(), |a| a.id.clone())),
                    ..open
                },
                QueueOrder::Due,
            ),
            Tab::Unassigned => (
                RequestFilter {
                    unassigned: true,
                    ..open
                },
                QueueOrder::Due,
            ),
            Tab::Due => (
                RequestFilter {
                    due_by: Some(today),
                    ..open
                },
                QueueOrder::Due,
            ),
            Tab::Partner => (
                RequestFilter {
                    status: Some(Status::AttentePartenaire),
                    ..open
                },
                QueueOrder::Due,
            ),
            Tab::All => (RequestFilter::default(), QueueOrder::Recent),
        }
    }
}

/// Rows kept in memory around the visible part of a queue: the list pages through the file.
const WINDOW: usize = 120;

#[derive(Debug, Clone)]
pub struct QueueState {
    pub tab: Tab,
    pub counts: [usize; 5],
    /// Loaded rows, starting at `window_start` in the queue.
    pub rows: Vec<RequestRow>,
    pub window_start: usize,
    pub selected: usize,
    /// First visible row.
    pub scroll: usize,
    /// Filters of the "Toutes" queue, and their description ("" when none).
    pub all_filter: RequestFilter,
    pub all_filter_label: String,
}

impl QueueState {
    pub fn total(&self) -> usize {
        self.counts[Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0)]
    }

    pub fn row(&self, index: usize) -> Option<&RequestRow> {
        index
            .checked_sub(self.window_start)
            .and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&RequestRow> {
        self.row(self.selected)
    }
}

#[derive(Debug, Clone)]
pub struct RequestView {
    pub detail: RequestDetail,
    pub scroll: usize,
}

#[derive(Debug, Clone)]
pub struct ReviewView {
    pub review: crate::review::Review,
    pub scroll: usize,
}

/// What merges left to decide.
#[derive(Debug, Clone, Default)]
pub struct PendingView {
    pub items: Vec<crate::salon::Pending>,
    pub selected: usize,
}

/// The quick-capture screen of a salon laptop: today's count and the latest captures (its form
/// is the overlay).
#[derive(Debug, Clone, Default)]
pub struct CaptureView {
    pub visitors_today: usize,
    pub recent: Vec<RequestRow>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchView {
    pub input: TextField,
    pub results: Vec<RequestRow>,
    pub selected: usize,
}

#[derive(Debug, Clone)]
pub struct AgentPicker {
    pub agents: Vec<Agent>,
    pub selected: usize,
    pub input: TextField,
}

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
    Housing(Box<super::housing::HousingView>),
}

#[derive(Debug, Clone)]
pub enum PickPurpose {
    Status {
        request_id: String,
        reference: String,
        version: i64,
    },
    Assign {
        request_id: String,
        version: i64,
        agent_ids: Vec<Option<String>>,
    },
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Leave the program although a form holds unsaved input.
    Quit,
    /// Close a changed form without saving.
    Discard,
}

impl Confirm {
    pub fn question(self) -> &'static str {
        match self {
            Confirm::Quit => "Un formulaire n'est pas enregistré. Quitter quand même ?",
            Confirm::Discard => "Abandonner ce qui a été saisi ?",
        }
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
    /// This file is a salon laptop's: it opens on the quick capture.
    pub salon: bool,
    data_version: i64,
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
                tab: Tab::Mine,
                counts: [0; 5],
                rows: Vec::new(),
                window_start: 0,
                selected: 0,
                scroll: 0,
                all_filter: RequestFilter::default(),
                all_filter_label: String::new(),
            },
            message: None,
            quit: false,
            display,
            size: (80, 24),
            export_dir: None,
            review_period: None,
            salon: false,
            data_version: 0,
        };
        if let Some(name) = agent.filter(|n| !n.trim().is_empty()) {
            let a = app.store.ensure_agent(name)?;
            app.set_me(a);
        }
        app.salon = app.store.meta("role")?.as_deref() == Some(crate::salon::ROLE_SALON);
        let empty = app.store.count(&RequestFilter::default())? == 0;
        app.screen = if app.salon && app.me.is_some() {
            app.open_capture()?;
            app.screen.clone()
        } else if empty && !app.salon {
            Screen::Welcome
        } else if app.me.is_none() {
            app.agent_picker()?
        } else {
            Screen::Queue
        };
        app.refresh()?;
        app.data_version = app.store.data_version()?;
        Ok(app)
    }

    fn set_me(&mut self, a: Agent) {
        self.store.ctx.actor = a.name.clone();
        self.me = Some(a);
    }

    fn agent_picker(&self) -> Result<Screen> {
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

    pub fn today(&self) -> NaiveDate {
        self.store.today()
    }

    /// The filter and order of a queue, with the agent's filters on "Toutes".
    pub fn filter_of(&self, tab: Tab) -> (RequestFilter, QueueOrder) {
        match tab {
            Tab::All => (self.queue.all_filter.clone(), QueueOrder::Recent),
            _ => tab.filter(self.me.as_ref(), self.today()),
        }
    }

    /// Rows of the queue table that fit on screen.
    pub fn viewport(&self) -> usize {
        usize::from(self.size.1).saturating_sub(6).max(1)
    }

    /// The context of the keys, from the topmost thing on screen.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help(..) | Overlay::Offers(..)) => Context::Help,
            Some(Overlay::Form(_)) => Context::Form,
            Some(Overlay::Picker(_)) => Context::Picker,
            Some(Overlay::Confirm(..)) => Context::Confirm,
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

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, e: &Error) {
        tracing::warn!(error = %e, "action refused");
        self.message = Some(Message {
            text: e.to_string(),
            error: true,
        });
    }

    /// A key from the terminal.
    pub fn handle_key(&mut self, key: KeyEvent) {
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
    fn request_quit(&mut self) {
        match self.overlay.take() {
            Some(Overlay::Form(f)) if f.dirty => {
                self.overlay = Some(Overlay::Confirm(Confirm::Quit, Some(f)))
            }
            _ => self.quit = true,
        }
    }

    /// Applies one action. `key` is the key that asked for it (text fields need it).
    pub fn update(&mut self, action: Action, key: Option<&KeyEvent>) {
        if let Err(e) = self.try_update(action, key) {
            self.error(&e);
        }
    }

    fn try_update(&mut self, action: Action, key: Option<&KeyEvent>) -> Result<()> {
        if !matches!(action, Action::Refresh) && self.overlay.is_none() {
            self.message = None;
        }
        match self.context() {
            Context::Help => {
                if let Some(Overlay::Help(_, under) | Overlay::Offers(_, under)) =
                    self.overlay.take()
                {
                    self.overlay = under.map(|o| *o);
                }
                Ok(())
            }
            Context::Confirm => self.confirm(action),
            Context::Form => self.form_action(action, key),
            Context::Picker => self.picker_action(action),
            _ => self.screen_action(action),
        }
    }

    fn confirm(&mut self, action: Action) -> Result<()> {
        let Some(Overlay::Confirm(what, form)) = self.overlay.take() else {
            return Ok(());
        };
        match (action, what) {
            (Action::Yes, Confirm::Quit) => self.quit = true,
            (Action::Yes, Confirm::Discard) => self.info("Saisie abandonnée."),
            (_, _) => self.overlay = form.map(Overlay::Form),
        }
        Ok(())
    }

    fn screen_action(&mut self, action: Action) -> Result<()> {
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
                let offers = self
                    .store
                    .offers()?
                    .into_iter()
                    .filter(|o| o.active)
                    .collect();
                self.overlay = Some(Overlay::Offers(offers, None));
                Ok(())
            }
            Action::NewRequest => {
                self.overlay = Some(Overlay::Form(Box::new(Form::new_request(
                    &self.store,
                    self.me.as_ref(),
                )?)));
                Ok(())
            }
            _ => match self.screen.clone() {
                Screen::Welcome => self.welcome_action(action),
                Screen::PickAgent(p) => self.pick_agent_action(action, p),
                Screen::Queue => self.queue_action(action),
                Screen::Request(v) => self.request_action(action, *v),
                Screen::Review(v) => self.review_action(action, *v),
                Screen::Capture(_) => self.capture_action(action),
                Screen::Pending(_) => self.pending_action(action),
                Screen::Search(_) => self.search_action(action),
                Screen::Housing(_) => self.housing_action(action),
            },
        }
    }

    fn welcome_action(&mut self, action: Action) -> Result<()> {
        match action {
            Action::LoadDemo => {
                let r = crate::demo::fill(&mut self.store, 2000, 1)?;
                self.after_welcome()?;
                self.info(format!(
                    "Données de démonstration chargées : {} demandes, {} personnes.",
                    r.requests, r.persons
                ));
            }
            Action::Open => self.after_welcome()?,
            _ => {}
        }
        Ok(())
    }

    fn after_welcome(&mut self) -> Result<()> {
        self.screen = if self.me.is_none() {
            self.agent_picker()?
        } else {
            Screen::Queue
        };
        self.refresh()
    }

    fn pick_agent_action(&mut self, action: Action, mut p: AgentPicker) -> Result<()> {
        match action {
            Action::Up => p.selected = p.selected.saturating_sub(1),
            Action::Down => p.selected = (p.selected + 1).min(p.agents.len().saturating_sub(1)),
            Action::Open => {
                let typed = p.input.text().trim().to_string();
                let agent = if !typed.is_empty() {
                    self.store.ensure_agent(&typed)?
                } else if let Some(a) = p.agents.get(p.selected) {
                    a.clone()
                } else {
                    return Err(Error::input("tapez votre nom puis Entrée"));
                };
                let name = agent.name.clone();
                self.set_me(agent);
                self.screen = Screen::Queue;
                self.refresh()?;
                if self.salon {
                    self.open_capture()?;
                }
                self.info(format!("Bonjour {name}."));
                return Ok(());
            }
            _ => {}
        }
        self.screen = Screen::PickAgent(p);
        Ok(())
    }

    fn queue_action(&mut self, action: Action) -> Result<()> {
        let total = self.queue.total();
        let page = self.viewport();
        let q = &mut self.queue;
        match action {
            Action::Up => q.selected = q.selected.saturating_sub(1),
            Action::Down => q.selected = (q.selected + 1).min(total.saturating_sub(1)),
            Action::PageUp => q.selected = q.selected.saturating_sub(page),
            Action::PageDown => q.selected = (q.selected + page).min(total.saturating_sub(1)),
            Action::Top => q.selected = 0,
            Action::Bottom => q.selected = total.saturating_sub(1),
            // The review comes after the last queue, and before the first.
            Action::NextTab if q.tab == Tab::All => return self.open_review(),
            Action::PrevTab if q.tab == Tab::Mine => return self.open_review(),
            Action::NextTab | Action::PrevTab => {
                let i = Tab::ALL.iter().position(|t| *t == q.tab).unwrap_or(0);
                let n = Tab::ALL.len();
                q.tab = Tab::ALL[if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                q.selected = 0;
                q.scroll = 0;
                q.rows.clear();
                return self.refresh();
            }
            Action::Open => {
                if let Some(id) = q.selected_row().map(|r| r.id.clone()) {
                    self.open_request(&id)?;
                }
                return Ok(());
            }
            Action::MergeFile => {
                self.overlay = Some(Overlay::Form(Box::new(Form::merge_file())));
                return Ok(());
            }
            Action::Pending => {
                self.screen = Screen::Pending(PendingView::default());
                return self.reload_current();
            }
            Action::Filter => {
                let form = Form::filter(&self.store, &self.queue.all_filter)?;
                self.overlay = Some(Overlay::Form(Box::new(form)));
                return Ok(());
            }
            _ => return Ok(()),
        }
        self.load_window()
    }

    /// The quick capture of a salon laptop, with an empty form.
    pub fn open_capture(&mut self) -> Result<()> {
        self.screen = Screen::Capture(Box::default());
        self.reload_current()?;
        self.overlay = Some(Overlay::Form(Box::new(Form::capture(&self.store)?)));
        Ok(())
    }

    fn pending_action(&mut self, action: Action) -> Result<()> {
        use crate::salon::Decision;
        let Screen::Pending(v) = &mut self.screen else {
            return Ok(());
        };
        let decision = match action {
            Action::Up => {
                v.selected = v.selected.saturating_sub(1);
                return Ok(());
            }
            Action::Down => {
                v.selected = (v.selected + 1).min(v.items.len().saturating_sub(1));
                return Ok(());
            }
            Action::Back => {
                self.screen = Screen::Queue;
                return self.refresh();
            }
            Action::DecideMerge => Decision::Merge,
            Action::DecideApart => Decision::KeepApart,
            Action::DecideOffice => Decision::KeepOffice,
            Action::DecideLaptop => Decision::ApplyLaptop,
            _ => return Ok(()),
        };
        let Some(item) = v.items.get(v.selected).cloned() else {
            return Err(Error::input("rien à décider"));
        };
        let message = crate::salon::resolve(&mut self.store, &item.id, decision)?;
        self.reload_current()?;
        self.refresh_counts()?;
        self.info(message);
        Ok(())
    }

    fn capture_action(&mut self, action: Action) -> Result<()> {
        match action {
            Action::Open => self.open_capture(),
            Action::NextTab | Action::PrevTab => {
                self.screen = Screen::Queue;
                self.queue.tab = Tab::All;
                self.queue.rows.clear();
                self.refresh()
            }
            Action::Quit => {
                self.request_quit();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The review of the last period looked at (the last complete week at first).
    pub fn open_review(&mut self) -> Result<()> {
        let period = self
            .review_period
            .unwrap_or_else(|| crate::review::Period::last_complete_week(self.today()));
        self.show_review(period)
    }

    fn show_review(&mut self, period: crate::review::Period) -> Result<()> {
        let review = crate::review::compute(&self.store, period)?;
        self.review_period = Some(period);
        self.screen = Screen::Review(Box::new(ReviewView { review, scroll: 0 }));
        Ok(())
    }

    fn review_action(&mut self, action: Action, mut v: ReviewView) -> Result<()> {
        let period = v.review.period;
        match action {
            Action::Left => return self.show_review(period.shift(-1)),
            Action::Right => return self.show_review(period.shift(1)),
            Action::PeriodKind => {
                let kind = period.kind.next();
                return self.show_review(crate::review::Period::containing(kind, period.to));
            }
            Action::CustomPeriod => {
                self.overlay = Some(Overlay::Form(Box::new(Form::period(
                    period.from,
                    period.to,
                ))));
                return Ok(());
            }
            Action::Export => {
                let path = self.export_review(&v.review)?;
                self.info(format!("Bilan exporté : {}", path.display()));
                return Ok(());
            }
            Action::Up => v.scroll = v.scroll.saturating_sub(1),
            Action::Down => v.scroll += 1,
            Action::NextTab | Action::PrevTab => {
                self.queue.tab = if action == Action::NextTab {
                    Tab::Mine
                } else {
                    Tab::All
                };
                self.queue.selected = 0;
                self.queue.scroll = 0;
                self.queue.rows.clear();
                self.screen = Screen::Queue;
                return self.refresh();
            }
            Action::Quit => {
                self.request_quit();
                return Ok(());
            }
            _ => {}
        }
        self.screen = Screen::Review(Box::new(v));
        Ok(())
    }

    /// Writes the review on screen as a workbook in the export folder; returns its path.
    fn export_review(&self, review: &crate::review::Review) -> Result<std::path::PathBuf> {
        let dir = match &self.export_dir {
            Some(d) => d.clone(),
            None => crate::cli::default_db_path()?
                .parent()
                .map(|p| p.join("exports"))
                .unwrap_or_else(|| std::path::PathBuf::from("exports")),
        };
        crate::cli::create_private_dir(&dir)?;
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

    pub fn open_request(&mut self, id: &str) -> Result<()> {
        let detail = self.store.request_detail(id)?;
        self.screen = Screen::Request(Box::new(RequestView { detail, scroll: 0 }));
        Ok(())
    }

    fn request_action(&mut self, action: Action, mut v: RequestView) -> Result<()> {
        let r = &v.detail.request;
        let (id, reference, version) = (r.id.clone(), r.reference.clone(), r.version);
        match action {
            Action::Up => v.scroll = v.scroll.saturating_sub(1),
            Action::Down => v.scroll += 1,
            Action::Back => {
                self.screen = Screen::Queue;
                return self.refresh();
            }
            Action::LogFollowUp => {
                self.overlay = Some(Overlay::Form(Box::new(Form::follow_up(&id, &reference))))
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
                let f = Form::edit_request(&v.detail, self.store.types()?, self.store.channels()?);
                self.overlay = Some(Overlay::Form(Box::new(f)));
            }
            Action::EditPerson => {
                self.overlay = Some(Overlay::Form(Box::new(Form::edit_person(&v.detail.person))))
            }
            Action::ChangeStatus => {
                let current = v.detail.request.status;
                self.overlay = Some(Overlay::Picker(Picker {
                    title: format!("Statut de {reference}"),
                    options: Status::ALL.iter().map(|s| s.label().to_string()).collect(),
                    selected: Status::ALL.iter().position(|s| *s == current).unwrap_or(0),
                    purpose: PickPurpose::Status {
                        request_id: id,
                        reference,
                        version,
                    },
                    error: None,
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
                        request_id: id,
                        version,
                        agent_ids,
                    },
                    error: None,
                }));
            }
            _ => {}
        }
        if let Screen::Request(_) = self.screen {
            self.screen = Screen::Request(Box::new(v));
        }
        Ok(())
    }

    fn search_action(&mut self, action: Action) -> Result<()> {
        let Screen::Search(s) = &mut self.screen else {
            return Ok(());
        };
        match action {
            Action::Up => s.selected = s.selected.saturating_sub(1),
            Action::Down => s.selected = (s.selected + 1).min(s.results.len().saturating_sub(1)),
            Action::Open => {
                if let Some(id) = s.results.get(s.selected).map(|r| r.id.clone()) {
                    self.open_request(&id)?;
                }
            }
            Action::Back => {
                self.screen = Screen::Queue;
                self.refresh()?;
            }
            _ => {}
        }
        Ok(())
    }

    fn type_key(&mut self, key: &KeyEvent) {
        let result = match (&mut self.overlay, &mut self.screen) {
            (Some(Overlay::Form(f)), _) => {
                if f.type_key(key) && matches!(f.kind, FormKind::NewRequest(_)) {
                    refresh_matches(&self.store, f)
                } else {
                    Ok(())
                }
            }
            (Some(Overlay::Picker(p)), _) => {
                // A letter jumps to the next choice starting with it.
                if let KeyCode::Char(c) = key.code {
                    let c = crate::text::fold(&c.to_string());
                    let n = p.options.len();
                    if let Some(i) = (1..=n)
                        .map(|k| (p.selected + k) % n)
                        .find(|i| crate::text::fold(&p.options[*i]).starts_with(&c))
                    {
                        p.selected = i;
                    }
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
                p.input.input(key);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.error(&e);
        }
    }

    /// Runs the search as typed: the first 50 matches, most recent first.
    fn search_now(&mut self) -> Result<()> {
        let Screen::Search(s) = &mut self.screen else {
            return Ok(());
        };
        let text = s.input.text().trim().to_string();
        s.results = if crate::store::match_query(&text).is_some() {
            let filter = RequestFilter {
                search: Some(text),
                ..Default::default()
            };
            self.store.queue(&filter, QueueOrder::Recent, 0, 50)?
        } else {
            Vec::new()
        };
        s.selected = 0;
        Ok(())
    }

    fn form_action(&mut self, action: Action, key: Option<&KeyEvent>) -> Result<()> {
        let Some(Overlay::Form(mut f)) = self.overlay.take() else {
            return Ok(());
        };
        match action {
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
                if let FormKind::NewRequest(lists) = &mut f.kind {
                    let n = lists.matches.len();
                    lists.reuse = match (lists.reuse, n) {
                        (_, 0) => None,
                        (None, _) => Some(0),
                        (Some(i), _) if i + 1 < n => Some(i + 1),
                        (Some(_), _) => None,
                    };
                }
            }
            Action::Offers => {
                let offers = self
                    .store
                    .offers()?
                    .into_iter()
                    .filter(|o| o.active)
                    .collect();
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
                match f.save(&mut self.store, me.as_ref()) {
                    Ok(saved) => return self.after_save(saved),
                    Err(e) => {
                        // The input stays; a colleague's change is shown with the fresh data.
                        if matches!(e, Error::Conflict { .. }) {
                            self.reload_current()?;
                            refresh_versions(&self.screen, &mut f);
                        }
                        self.error(&e);
                    }
                }
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Form(f));
        Ok(())
    }

    fn picker_action(&mut self, action: Action) -> Result<()> {
        let Some(Overlay::Picker(mut p)) = self.overlay.take() else {
            return Ok(());
        };
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
                let result = match &p.purpose {
                    PickPurpose::HousingCommune => return self.housing_commune_picked(p.selected),
                    PickPurpose::Status {
                        request_id,
                        reference,
                        version,
                    } => {
                        let status = Status::ALL[p.selected];
                        if status == Status::Close {
                            self.overlay = Some(Overlay::Form(Box::new(Form::close(
                                request_id, reference, *version,
                            ))));
                            return Ok(());
                        }
                        let change = crate::store::RequestChange {
                            status: Some(status),
                            ..Default::default()
                        };
                        self.store
                            .update_request(request_id, Some(*version), &change)
                            .map(|_| (request_id.clone(), format!("Statut : {}.", status.label())))
                    }
                    PickPurpose::Assign {
                        request_id,
                        version,
                        agent_ids,
                    } => {
                        let agent = agent_ids.get(p.selected).cloned().flatten();
                        let change = crate::store::RequestChange {
                            agent_id: Some(agent),
                            ..Default::default()
                        };
                        let label = p.options[p.selected].clone();
                        self.store
                            .update_request(request_id, Some(*version), &change)
                            .map(|_| (request_id.clone(), format!("Attribuée : {label}.")))
                    }
                };
                match result {
                    Ok((id, msg)) => return self.after_save(Saved::Request(id, msg)),
                    Err(e) => {
                        if matches!(e, Error::Conflict { .. }) {
                            self.reload_current()?;
                            if let (
                                Screen::Request(v),
                                PickPurpose::Status { version, .. }
                                | PickPurpose::Assign { version, .. },
                            ) = (&self.screen, &mut p.purpose)
                            {
                                *version = v.detail.request.version;
                            }
                        }
                        p.error = Some(e.to_string());
                        self.error(&e);
                    }
                }
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Picker(p));
        Ok(())
    }

    fn after_save(&mut self, saved: Saved) -> Result<()> {
        self.overlay = None;
        let msg = match saved {
            Saved::Request(id, msg) => {
                self.open_request(&id)?;
                msg
            }
            Saved::Reload(msg) => {
                self.reload_current()?;
                msg
            }
            Saved::Capture(msg) => {
                self.open_capture()?;
                msg
            }
            Saved::Period(from, to) => {
                self.show_review(crate::review::Period::custom(from, to))?;
                format!(
                    "Bilan du {} au {}.",
                    crate::domain::fr_date(from),
                    crate::domain::fr_date(to)
                )
            }
            Saved::Filter(filter, label) => {
                self.queue.all_filter = *filter;
                self.queue.all_filter_label = label.clone();
                self.queue.tab = Tab::All;
                self.queue.selected = 0;
                self.queue.scroll = 0;
                self.queue.rows.clear();
                self.refresh()?;
                if label.is_empty() {
                    "Filtres retirés.".to_string()
                } else {
                    format!("Filtres : {label}.")
                }
            }
        };
        self.data_version = self.store.data_version()?;
        self.refresh_counts()?;
        self.info(msg);
        Ok(())
    }

    /// Re-reads what is on screen (another process changed the file, or a save).
    pub fn refresh(&mut self) -> Result<()> {
        self.refresh_counts()?;
        self.load_window()?;
        self.reload_current()
    }

    pub(super) fn reload_current(&mut self) -> Result<()> {
        match &mut self.screen {
            Screen::Request(v) => {
                let id = v.detail.request.id.clone();
                v.detail = self.store.request_detail(&id)?;
            }
            Screen::Search(_) => self.search_now()?,
            Screen::Housing(v) => super::housing::search(&self.store, v)?,
            Screen::Review(v) => {
                v.review = crate::review::compute(&self.store, v.review.period)?;
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

    fn refresh_counts(&mut self) -> Result<()> {
        for (i, tab) in Tab::ALL.iter().enumerate() {
            let (filter, _) = self.filter_of(*tab);
            self.queue.counts[i] = self.store.count(&filter)?;
        }
        let total = self.queue.total();
        if self.queue.selected >= total {
            self.queue.selected = total.saturating_sub(1);
        }
        Ok(())
    }

    /// Keeps the selection visible and the rows around it loaded (one page from the file).
    fn load_window(&mut self) -> Result<()> {
        let page = self.viewport();
        let total = self.queue.total();
        let q = &mut self.queue;
        if q.selected < q.scroll {
            q.scroll = q.selected;
        } else if q.selected >= q.scroll + page {
            q.scroll = q.selected + 1 - page;
        }
        q.scroll = q.scroll.min(total.saturating_sub(page));
        let wanted = q.scroll..(q.scroll + page).min(total);
        let loaded = q.window_start..q.window_start + q.rows.len();
        if wanted.start >= loaded.start && wanted.end <= loaded.end && !q.rows.is_empty() {
            return Ok(());
        }
        let start = q.scroll.saturating_sub(WINDOW / 4);
        let tab = q.tab;
        let (filter, order) = self.filter_of(tab);
        let rows = self
            .store
            .queue(&filter, order, start, WINDOW.max(page * 2))?;
        self.queue.rows = rows;
        self.queue.window_start = start;
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

/// Likely matches for the new-request form, from what is typed so far.
fn refresh_matches(store: &Store, f: &mut Form) -> Result<()> {
    use super::forms::nr;
    let value = |i: usize| f.fields[i].value().trim().to_string();
    let person = crate::store::NewPerson {
        last_name: value(nr::LAST),
        first_name: value(nr::FIRST),
        phone: value(nr::PHONE),
        email: value(nr::EMAIL),
        birth_date: crate::domain::parse_date(&value(nr::BIRTH), store.today()).ok(),
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

/// After a colleague's change, the form re-applies the agent's input on the fresh version.
fn refresh_versions(screen: &Screen, f: &mut Form) {
    let Screen::Request(v) = screen else { return };
    match &mut f.kind {
        FormKind::EditRequest { version, .. } | FormKind::Close { version, .. } => {
            *version = v.detail.request.version
        }
        FormKind::EditPerson { version, .. } => *version = v.detail.person.version,
        _ => {}
    }
}
