//! The quick capture of a salon laptop: the form (drawn by `forms`), today's count and the
//! latest captures.

use super::{Theme, safe};
use crate::tui::app::{App, CaptureView};
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
                Line::raw("Entrée : saisir le visiteur suivant"),
                Line::raw("Tab : voir les demandes saisies (pour les corriger)"),
            ])
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Saisie rapide "),
            ),
            form,
        );
    }
    let mut lines = vec![Line::styled(
        format!(
            "Aujourd'hui : {} visiteur{}",
            v.visitors_today,
            if v.visitors_today > 1 { "s" } else { "" }
        ),
        theme.title(),
    )];
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

/// What merges left to decide: each held capture or conflicting edit, beside the office record.
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
        lines.push(Line::styled(
            format!("    au bureau : {}", safe(&p.office)),
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Doublon : f même personne (les demandes la rejoignent) · s deux personnes différentes",
        theme.dim(),
    ));
    lines.push(Line::styled(
        "Modifiée des deux côtés : b garder le bureau · p appliquer le poste (l'autre reste dans l'historique)",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}
