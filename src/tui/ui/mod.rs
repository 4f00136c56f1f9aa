//! Drawing. Rendering only reads the [`App`]; every text that comes from the file passes
//! [`safe`] (the one sanitiser) before it reaches a cell.

mod aids;
mod capture;
mod forms;
mod help;
mod housing;
mod queue;
mod request;
mod review;
mod wrap;

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

/// Styles, with and without colour (`NO_COLOR`), for a dark or a light terminal.
pub struct Theme {
    no_color: bool,
    light: bool,
}

/// Colours of the light theme, chosen for a contrast of at least 4.5:1 on white (WCAG AA).
pub mod light {
    use ratatui::style::Color;
    pub const TITLE: Color = Color::Rgb(0x00, 0x4E, 0x8A);
    pub const DIM: Color = Color::Rgb(0x59, 0x59, 0x59);
    pub const KEY: Color = Color::Rgb(0x7A, 0x3E, 0x00);
    pub const ERROR: Color = Color::Rgb(0xA3, 0x00, 0x1B);
    pub const OK: Color = Color::Rgb(0x1B, 0x5E, 0x20);
    pub const ALL: [Color; 5] = [TITLE, DIM, KEY, ERROR, OK];
}

impl Theme {
    pub fn of(app: &App) -> Theme {
        Theme {
            no_color: app.display.no_color,
            light: app.display.light,
        }
    }
    fn fg(&self, dark: Color, light: Color) -> Style {
        if self.no_color {
            Style::default()
        } else if self.light {
            Style::default().fg(light)
        } else {
            Style::default().fg(dark)
        }
    }
    pub fn title(&self) -> Style {
        self.fg(Color::Cyan, light::TITLE)
            .add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray, light::DIM)
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow, light::KEY)
            .add_modifier(Modifier::BOLD)
    }
    pub fn overdue(&self) -> Style {
        self.fg(Color::Red, light::ERROR)
            .add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red, light::ERROR)
            .add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green, light::OK)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn tab(&self, active: bool) -> Style {
        if active {
            self.fg(Color::Cyan, light::TITLE)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::default()
        }
    }
}

/// WCAG contrast ratio of two sRGB colours.
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    fn lum(c: (u8, u8, u8)) -> f64 {
        let ch = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c.0) + 0.7152 * ch(c.1) + 0.0722 * ch(c.2)
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
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

/// A status in at most 10 columns, for the queue on a narrow screen.
pub fn status_tiny(s: Status) -> &'static str {
    match s {
        Status::AQualifier => "À qualif.",
        Status::AttenteDemandeur => "Att. dem.",
        Status::AttentePartenaire => "Att. part.",
        other => status_short(other),
    }
}

pub fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map(fr_date).unwrap_or_else(|| "—".into())
}

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let theme = Theme::of(app);
    // A message longer than the screen is wide goes on under itself (up to 3 rows).
    let message_rows = app.message.as_ref().map_or(1, |m| {
        wrap::wrap(&safe(&m.text), frame.area().width as usize)
            .len()
            .clamp(1, 3) as u16
    });
    let [header, body, message, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(message_rows),
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
        frame.render_widget(
            Paragraph::new(Line::styled(safe(&m.text), style)).wrap(Wrap { trim: true }),
            message,
        );
    }
    render_footer(app, &theme, frame, footer);
    match &app.overlay {
        None => {}
        Some(Overlay::Help(ctx, _)) => {
            help::render(*ctx, app.salon, app.overlay_scroll, &theme, frame, body)
        }
        Some(Overlay::Offers(offers, _)) => {
            help::render_offers(offers, app.overlay_scroll, &theme, frame, body)
        }
        Some(Overlay::Form(f)) if matches!(f.kind, crate::tui::forms::FormKind::Capture(_)) => {
            forms::render_in_place(f, app.today(), &theme, frame, capture::form_area(body))
        }
        Some(Overlay::Form(f)) => forms::render(f, app.today(), &theme, frame, body),
        Some(Overlay::Picker(p)) => forms::render_picker(p, &theme, frame, body),
        Some(Overlay::Confirm(c, _)) => forms::render_confirm(c, &theme, frame, body),
        Some(Overlay::Conflict(v, _)) => forms::render_conflict(v, &theme, frame, body),
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
    let mut day = format!("{} {}", weekday(today), fr_date(today));
    let mut left = vec![
        Span::styled("guichet", theme.title()),
        Span::raw(" · "),
        Span::raw(who),
        Span::styled(format!(" · {file}"), theme.dim()),
    ];
    // A narrow screen drops the file's name, then the weekday, never running them together.
    let width = usize::from(area.width);
    let used = |left: &[Span], day: &str| {
        left.iter().map(|s| s.width()).sum::<usize>() + 1 + day.chars().count()
    };
    if used(&left, &day) > width {
        left.pop();
    }
    if used(&left, &day) > width {
        day = fr_date(today);
    }
    let [l, r] = Layout::horizontal([
        Constraint::Min(1),
        Constraint::Length(day.chars().count() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), l);
    frame.render_widget(Paragraph::new(day), r);
}

pub(super) fn weekday(d: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ][d.weekday().num_days_from_monday() as usize]
}

fn render_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    // Whole hints only: one that does not fit is left to the help (`?`, always first).
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, (key, desc)) in keymap::footer(app.context(), app.salon)
        .into_iter()
        .enumerate()
    {
        let sep = if i > 0 { " · " } else { "" };
        let desc = format!(" {desc}");
        let width = sep.chars().count() + key.chars().count() + desc.chars().count();
        if i > 0 && used + width > usize::from(area.width) {
            break;
        }
        used += width;
        if i > 0 {
            spans.push(Span::styled(sep, theme.dim()));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(desc));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_welcome(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    // The keys come from the keymap, like the footer and the help.
    let keys: Vec<Line> = keymap::bindings_for(keymap::Context::Welcome, app.salon)
        .filter(|b| b.footer.is_some())
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<8}", b.keys[0].label()), theme.key()),
                Span::raw(b.desc),
            ])
        })
        .collect();
    let mut lines = vec![
        Line::styled("Bienvenue dans guichet", theme.title()),
        Line::raw(""),
        Line::raw("Le fichier est vide : aucune demande n'est encore enregistrée."),
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
    lines.splice(4..4, keys);
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
    let visible = p.visible();
    for (i, a) in visible.iter().enumerate() {
        let style = if i == p.selected {
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
    } else if visible.is_empty() {
        lines.push(Line::styled("  aucun agent de ce nom", theme.dim()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::raw("Nom : "),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_light_theme_reads_on_white_at_4_5_to_1_or_more() {
        for c in light::ALL {
            let Color::Rgb(r, g, b) = c else {
                panic!("RGB colours")
            };
            let ratio = contrast((r, g, b), (255, 255, 255));
            assert!(ratio >= 4.5, "{c:?}: {ratio:.2}");
        }
        assert!(
            contrast((255, 255, 0), (255, 255, 255)) < 4.5,
            "yellow on white fails"
        );
    }
}
