//! Drawing. Rendering only reads the [`App`]; every text that comes from the file passes
//! [`safe`] (the one sanitiser) before it reaches a cell.

mod capture;
mod forms;
mod help;
mod housing;
mod queue;
mod request;
mod review;

use super::app::{App, Overlay, Screen};
use super::keymap;
use crate::domain::{Status, fr_date};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Stored text made safe for the terminal.
pub fn safe(s: &str) -> String {
    crate::text::display_safe(s).into_owned()
}

/// Styles, with and without colour (`NO_COLOR`).
pub struct Theme {
    no_color: bool,
}

impl Theme {
    pub fn of(app: &App) -> Theme {
        Theme {
            no_color: app.display.no_color,
        }
    }
    fn fg(&self, c: Color) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }
    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn overdue(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn tab(&self, active: bool) -> Style {
        if active {
            self.fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::default()
        }
    }
}

pub fn status_short(s: Status) -> &'static str {
    match s {
        Status::AQualifier => "À qualifier",
        Status::Nouvelle => "Nouvelle",
        Status::EnCours => "En cours",
        Status::AttenteDemandeur => "Att. demandeur",
        Status::AttentePartenaire => "Att. partenaire",
        Status::Close => "Close",
    }
}

pub fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map(fr_date).unwrap_or_else(|| "—".into())
}

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let theme = Theme::of(app);
    let [header, body, message, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    render_header(app, &theme, frame, header);
    match &app.screen {
        Screen::Welcome => render_welcome(app, &theme, frame, body),
        Screen::PickAgent(p) => render_pick_agent(p, &theme, frame, body),
        Screen::Queue => queue::render(app, &theme, frame, body),
        Screen::Request(v) => request::render(app, v, &theme, frame, body),
        Screen::Review(v) => review::render(app, v, &theme, frame, body),
        Screen::Capture(v) => capture::render(app, v, &theme, frame, body),
        Screen::Pending(v) => capture::render_pending(v, &theme, frame, body),
        Screen::Search(s) => queue::render_search(app, s, &theme, frame, body),
        Screen::Housing(v) => housing::render(v, &theme, frame, body),
    }
    if let Some(m) = &app.message {
        let style = if m.error { theme.error() } else { theme.ok() };
        frame.render_widget(Paragraph::new(Line::styled(safe(&m.text), style)), message);
    }
    render_footer(app, &theme, frame, footer);
    match &app.overlay {
        None => {}
        Some(Overlay::Help(ctx, _)) => help::render(*ctx, &theme, frame, body),
        Some(Overlay::Offers(offers, _)) => help::render_offers(offers, &theme, frame, body),
        Some(Overlay::Form(f)) if matches!(f.kind, crate::tui::forms::FormKind::Capture(_)) => {
            forms::render_in_place(f, &theme, frame, capture::form_area(body))
        }
        Some(Overlay::Form(f)) => forms::render(f, &theme, frame, body),
        Some(Overlay::Picker(p)) => forms::render_picker(p, &theme, frame, body),
        Some(Overlay::Confirm(c, _)) => forms::render_confirm(*c, &theme, frame, body),
    }
}

fn render_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let who = app
        .me
        .as_ref()
        .map_or_else(|| "agent non choisi".to_string(), |a| safe(&a.name));
    let file = app
        .store
        .path()
        .and_then(|p| p.file_name())
        .map_or_else(|| "(mémoire)".to_string(), |n| safe(&n.to_string_lossy()));
    let today = app.today();
    let day = format!("{} {}", weekday(today), fr_date(today));
    let left = vec![
        Span::styled("guichet", theme.title()),
        Span::raw(" · "),
        Span::raw(who),
        Span::styled(format!(" · {file}"), theme.dim()),
    ];
    let [l, r] = Layout::horizontal([
        Constraint::Min(1),
        Constraint::Length(day.chars().count() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), l);
    frame.render_widget(Paragraph::new(day), r);
}

fn weekday(d: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ][d.weekday().num_days_from_monday() as usize]
}

fn render_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (i, (key, desc)) in keymap::footer(app.context()).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {desc}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_welcome(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let lines = vec![
        Line::styled("Bienvenue dans guichet", theme.title()),
        Line::raw(""),
        Line::raw("Le fichier est vide : aucune demande n'est encore enregistrée."),
        Line::raw(""),
        Line::from(vec![
            Span::styled("d", theme.key()),
            Span::raw("       charger des données de démonstration (2 000 demandes fictives)"),
        ]),
        Line::from(vec![
            Span::styled("n", theme.key()),
            Span::raw("       enregistrer une première demande"),
        ]),
        Line::from(vec![
            Span::styled("Entrée", theme.key()),
            Span::raw("  commencer avec le fichier vide"),
        ]),
        Line::from(vec![
            Span::styled("?", theme.key()),
            Span::raw("       aide"),
        ]),
        Line::raw(""),
        Line::styled(
            format!(
                "Fichier : {}",
                app.store
                    .path()
                    .map_or_else(|| "(mémoire)".into(), |p| safe(&p.display().to_string()))
            ),
            theme.dim(),
        ),
    ];
    let block = Block::default().borders(Borders::ALL).title(" Accueil ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn render_pick_agent(p: &super::app::AgentPicker, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::styled("Qui travaille ?", theme.title()),
        Line::raw(""),
    ];
    for (i, a) in p.agents.iter().enumerate() {
        let style = if i == p.selected && p.input.text().is_empty() {
            theme.selected()
        } else {
            Style::default()
        };
        lines.push(Line::styled(
            format!("  {}  ({})", safe(&a.name), safe(&a.initials)),
            style,
        ));
    }
    if p.agents.is_empty() {
        lines.push(Line::raw(
            "Aucun agent dans ce fichier : tapez votre nom pour le créer.",
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::raw("Autre nom : "),
        Span::styled(format!("{}▏", safe(p.input.text())), theme.key()),
    ]));
    let block = Block::default().borders(Borders::ALL).title(" Agent ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A centred rectangle for pop-ups.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub fn popup(frame: &mut Frame, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", safe(title)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
