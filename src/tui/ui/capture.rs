//! The quick capture of a salon laptop: the form (drawn by `forms`), today's count and the
//! latest captures.

use super::{Theme, safe};
use crate::tui::app::{App, CaptureView};
use crate::tui::keymap::{Action, Context, key_of};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Where the form goes: the left part when wide, the top part when narrow.
pub fn form_area(area: Rect) -> Rect {
    split(area).0
}

fn split(area: Rect) -> (Rect, Rect) {
    if area.width >= 100 {
        let [l, r] = Layout::horizontal([Constraint::Min(60), Constraint::Length(40)]).areas(area);
        (l, r)
    } else {
        let [t, b] = Layout::vertical([Constraint::Min(14), Constraint::Length(6)]).areas(area);
        (t, b)
    }
}

pub fn render(app: &App, v: &CaptureView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (form, side) = split(area);
    if app.overlay.is_none() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(""),
                Line::raw(format!(
                    "{} : saisir le visiteur suivant",
                    key_of(Context::Capture, Action::Open)
                )),
                Line::raw(format!(
                    "{} : voir les demandes saisies (pour les corriger)",
                    key_of(Context::Capture, Action::NextTab)
                )),
            ])
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Saisie rapide "),
            ),
            form,
        );
    }
    let mut lines = vec![];
    if !v.event.is_empty() {
        lines.push(Line::styled(
            format!("Événement : {}", safe(&v.event)),
            theme.title(),
        ));
    }
    lines.push(Line::styled(
        format!(
            "Aujourd'hui : {} visiteur{}",
            v.visitors_today,
            if v.visitors_today > 1 { "s" } else { "" }
        ),
        theme.title(),
    ));
    for r in &v.recent {
        lines.push(Line::raw(format!(
            "{} {} {} — {}",
            safe(&r.reference),
            safe(&r.last_name).to_uppercase(),
            safe(&r.first_name),
            safe(&r.type_label)
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(" Saisies ")),
        side,
    );
}

/// What merges left to decide: each held capture or conflicting edit; for the selected
/// duplicate, the capture and the office candidate side by side (← → for the next candidate).
/// The keys of the selected item stay on the last rows, wrapped, at any width; the list shows
/// the rows around the selected item when it is longer than its part of the screen.
pub fn render_pending(
    v: &crate::tui::app::PendingView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    use super::wrap::{wrap, wrap_items};
    let width = usize::from(area.width).max(1);
    let k = |a: Action| key_of(Context::Pending, a);
    let selected = v.items.get(v.selected);
    let keys: Vec<String> = match selected.map(|p| p.kind.as_str()) {
        Some("duplicate") => vec![
            format!(
                "{} même personne (ses demandes la rejoignent)",
                k(Action::DecideMerge)
            ),
            format!("{} deux personnes différentes", k(Action::DecideApart)),
            "← → autre candidat".to_string(),
            format!("{} annuler la dernière décision", k(Action::UndoDecision)),
        ],
        Some(_) => vec![
            format!("{} garder le bureau", k(Action::DecideOffice)),
            format!(
                "{} appliquer le poste (l'autre version reste dans l'historique)",
                k(Action::DecideLaptop)
            ),
            format!("{} annuler la dernière décision", k(Action::UndoDecision)),
        ],
        None => vec![format!(
            "{} annuler la dernière décision",
            k(Action::UndoDecision)
        )],
    };
    let key_rows: Vec<Line> = wrap_items(&keys, " · ", width)
        .into_iter()
        .map(|l| Line::styled(l, theme.dim()))
        .collect();

    // The list: two rows per item (what, and the office side), wrapped.
    let mut rows: Vec<Line> = Vec::new();
    let mut selected_rows = 0..0;
    for (i, p) in v.items.iter().enumerate() {
        let style = if i == v.selected {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        let what = if p.kind == "duplicate" {
            "Doublon probable"
        } else {
            "Modifiée des deux côtés"
        };
        let more = if p.candidates.len() > 1 {
            format!(" (+{} autre(s) candidat(s))", p.candidates.len() - 1)
        } else {
            String::new()
        };
        let start = rows.len();
        for l in wrap(&format!("{what} : {}", safe(&p.summary)), width) {
            rows.push(Line::styled(l, style));
        }
        for l in wrap(&format!("    au bureau : {}{more}", safe(&p.office)), width) {
            rows.push(Line::styled(l, theme.dim()));
        }
        if i == v.selected {
            selected_rows = start..rows.len();
        }
    }
    let mut head = vec![Line::styled(
        format!("Fusions : {} élément(s) à décider", v.items.len()),
        theme.title(),
    )];
    if v.items.is_empty() {
        head.push(Line::styled("Rien à décider.", theme.dim()));
    }

    let with_cards = selected.filter(|p| p.capture.is_some());
    let keys_height = (key_rows.len() as u16).min(area.height.saturating_sub(2));
    let room = area.height.saturating_sub(keys_height);
    let list_room = if with_cards.is_some() {
        // Half for the list, the rest for the two cards (at least 4 rows when there is room).
        (room / 2).min(room.saturating_sub(4)).max(2).min(room)
    } else {
        room
    };
    let list_height = ((head.len() + rows.len()) as u16).min(list_room);
    let [list, middle, bottom] = Layout::vertical([
        Constraint::Length(list_height),
        Constraint::Min(0),
        Constraint::Length(keys_height),
    ])
    .areas(area);
    // The rows shown: from the title on, or a window that keeps the selected item in view.
    let body = usize::from(list_height).saturating_sub(head.len());
    let first = selected_rows.end.saturating_sub(body);
    let mut shown = head;
    shown.extend(rows.into_iter().skip(first).take(body));
    frame.render_widget(Paragraph::new(shown), list);
    frame.render_widget(Paragraph::new(key_rows), bottom);

    let Some(p) = with_cards else {
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(middle);
    if let Some(c) = &p.capture {
        let title = if left.width >= 19 {
            " Saisie du salon "
        } else {
            " Salon "
        };
        card(frame, left, title, c);
    }
    let n = p.candidates.len();
    if let Some(c) = p.candidates.get(v.candidate.min(n.saturating_sub(1))) {
        let i = v.candidate.min(n - 1) + 1;
        let long = format!(" Au bureau : candidat {i} sur {n} ");
        let title = if usize::from(right.width) >= long.chars().count() + 2 {
            long
        } else {
            format!(" Bureau {i}/{n} ")
        };
        card(frame, right, &title, c);
    }
}

/// One person as a decision compares them: identity, contacts, requests.
fn card(frame: &mut Frame, area: Rect, title: &str, c: &crate::store::PersonCard) {
    let mut lines = vec![Line::raw(format!(
        "{} {}",
        safe(&c.last_name).to_uppercase(),
        safe(&c.first_name)
    ))];
    if let Some(b) = c.birth_date {
        lines.push(Line::raw(format!("né(e) le {}", crate::domain::fr_date(b))));
    }
    for (label, v) in [
        ("tél.", &c.phone),
        ("e-mail", &c.email),
        ("profession", &c.profession),
    ] {
        if !v.is_empty() {
            lines.push(Line::raw(format!("{label} : {}", safe(v))));
        }
    }
    lines.push(Line::raw(format!("{} demande(s) :", c.requests.len())));
    for r in &c.requests {
        lines.push(Line::raw(format!("  {}", safe(r))));
    }
    // Wrapped here, so that what does not fit is counted rather than hidden.
    let inner = usize::from(area.width.saturating_sub(2)).max(1);
    let height = usize::from(area.height.saturating_sub(2));
    let mut rows: Vec<Line> = lines
        .iter()
        .flat_map(|l| super::wrap::wrap(&l.to_string(), inner))
        .map(Line::raw)
        .collect();
    if rows.len() > height && height > 0 {
        let hidden = rows.len() - (height - 1);
        rows.truncate(height - 1);
        rows.push(Line::raw(format!("▼ {hidden} ligne(s) de plus")));
    }
    frame.render_widget(
        Paragraph::new(rows).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title.to_string()),
        ),
        area,
    );
}
