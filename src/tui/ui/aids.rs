//! The *Aide* block of the request screen (see `tui::aids` for its lines and keys).

use super::{Theme, safe};
use crate::tui::app::RequestView;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

/// Draws the block above the journal when the person has aids; returns the area left.
pub fn render_block(
    v: &RequestView,
    today: NaiveDate,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) -> Rect {
    if v.aids.is_empty() {
        return area;
    }
    let lines: Vec<String> = crate::tui::aids::block_lines(&v.aids, &v.detail.request.id, today)
        .iter()
        .map(|l| safe(l))
        .collect();
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    // Leave the journal at least 4 rows.
    let room = usize::from(area.height.saturating_sub(4 + 2)).max(1);
    let rows = fit(&lines, width, room, &v.detail.request.reference);
    let height = rows.len() as u16 + 2;
    let [block, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    let text: Vec<Line> = rows
        .into_iter()
        .map(|(row, late)| {
            if late {
                Line::styled(row, theme.overdue())
            } else if row.starts_with('▼') {
                Line::styled(row, theme.dim()).right_aligned()
            } else {
                Line::raw(row)
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(text).block(Block::default().borders(Borders::ALL).title(" Aide ")),
        block,
    );
    rest
}

/// The block's lines wrapped to `width`, in at most `room` rows (each with whether it is an
/// overdue attestation's). When they do not fit, the details give way first — the payments
/// made (the total stays), the installments after the next, the person's other aids (named on
/// one line), then whole lines, least needed first — so that the aid, its commitment and a late
/// attestation stay in sight; a last row "▼ N ligne(s) de plus : guichet aid show REF" says
/// that something is hidden and where to read it all, never silently cut.
fn fit(lines: &[String], width: usize, room: usize, reference: &str) -> Vec<(String, bool)> {
    let wrapped = |ls: &[String]| -> Vec<(String, bool)> {
        ls.iter()
            .flat_map(|l| {
                let late = l.contains("EN RETARD");
                super::wrap::wrap(l, width)
                    .into_iter()
                    .map(move |r| (r, late))
            })
            .collect()
    };
    let all = wrapped(lines);
    if all.len() <= room {
        return all;
    }
    let mut short: Vec<String> = Vec::new();
    let mut to_come = 0;
    let mut others = Vec::new();
    let mut in_others = false;
    for l in lines {
        if l.starts_with("Autres aides de la personne") {
            in_others = true;
        } else if in_others {
            others.push(l.trim().split(' ').next().unwrap_or("").to_string());
        } else if l.starts_with("  versement du ") {
            continue;
        } else if l.starts_with("  à verser le ") {
            to_come += 1;
            if to_come == 1 {
                short.push(l.clone());
            }
        } else {
            short.push(l.clone());
        }
    }
    if to_come > 1
        && let Some(first) = short.iter_mut().find(|l| l.starts_with("  à verser le "))
    {
        first.push_str(&format!(" (puis {} autre(s))", to_come - 1));
    }
    if !others.is_empty() {
        short.push(format!(
            "Autres aides de la personne : {}",
            others.join(", ")
        ));
    }
    // Still too long: the least needed lines go, in this order, and the last row says so.
    const GIVE_WAY: [&str; 5] = [
        "Autres aides de la personne",
        "Attestations :",
        "  à verser le ",
        "Versé :",
        "Rompu le ",
    ];
    // Everything did not fit: one row is kept for saying so.
    for prefix in GIVE_WAY {
        if wrapped(&short).len() < room {
            break;
        }
        short.retain(|l| !l.starts_with(prefix));
    }
    let mut rows = wrapped(&short);
    rows.truncate(room.saturating_sub(1));
    let more = format!(
        "▼ {} ligne(s) de plus : guichet aid show {reference}",
        all.len().saturating_sub(rows.len())
    );
    rows.push((more, false));
    rows
}

/// The *Aides* part of the Bilan, below its other parts.
pub fn review_section(lines: &[String], theme: &Theme, width: u16) -> Vec<Line<'static>> {
    if lines.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Line::raw(""), Line::styled("Aides", theme.title())];
    out.extend(
        lines
            .iter()
            .flat_map(|l| super::wrap::wrap(&safe(l), usize::from(width)))
            .map(Line::raw),
    );
    out
}
