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
pub fn render_pending(
    v: &crate::tui::app::PendingView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let mut lines = vec![Line::styled(
        format!("Fusions : {} élément(s) à décider", v.items.len()),
        theme.title(),
    )];
    if v.items.is_empty() {
        lines.push(Line::styled("Rien à décider.", theme.dim()));
    }
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
        lines.push(Line::styled(
            format!("{what} : {}", safe(&p.summary)),
            style,
        ));
        let more = if p.candidates.len() > 1 {
            format!(" (+{} autre(s) candidat(s))", p.candidates.len() - 1)
        } else {
            String::new()
        };
        lines.push(Line::styled(
            format!("    au bureau : {}{more}", safe(&p.office)),
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Doublon : f même personne (les demandes la rejoignent) · s deux personnes différentes · ← → autre candidat",
        theme.dim(),
    ));
    lines.push(Line::styled(
        "Modifiée des deux côtés : b garder le bureau · p appliquer le poste (l'autre reste dans l'historique) · u annuler",
        theme.dim(),
    ));
    let selected = v.items.get(v.selected).filter(|p| p.capture.is_some());
    let Some(p) = selected else {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
        return;
    };
    let list_height = (lines.len() as u16 + 1).min(area.height / 2);
    let [list, cards] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(4)]).areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), list);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(cards);
    if let Some(c) = &p.capture {
        card(frame, left, " Saisie du salon ", c);
    }
    let n = p.candidates.len();
    if let Some(c) = p.candidates.get(v.candidate.min(n.saturating_sub(1))) {
        let title = format!(
            " Au bureau : candidat {} sur {n} ",
            v.candidate.min(n - 1) + 1
        );
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
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title.to_string()),
        ),
        area,
    );
}
