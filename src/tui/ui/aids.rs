//! The *Aide* block of the request screen (see `tui::aids` for its lines and keys).

use super::{Theme, safe};
use crate::tui::app::RequestView;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

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
    let lines = crate::tui::aids::block_lines(&v.aids, &v.detail.request.id, today);
    // Leave the journal at least 4 rows.
    let height = (lines.len() as u16 + 2)
        .min(area.height.saturating_sub(4))
        .max(3);
    let [block, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    let text: Vec<Line> = lines
        .iter()
        .map(|l| {
            if l.contains("EN RETARD") {
                Line::styled(safe(l), theme.overdue())
            } else {
                Line::raw(safe(l))
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(text)
            .block(Block::default().borders(Borders::ALL).title(" Aide "))
            .wrap(Wrap { trim: false }),
        block,
    );
    rest
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
