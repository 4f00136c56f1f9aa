//! The `?` help: generated from the keymap, so it lists exactly the keys of the screen.

use super::{Theme, centered, popup};
use crate::tui::keymap::{self, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(
    ctx: Context,
    salon: bool,
    scroll: u16,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let bindings: Vec<_> = keymap::bindings_for(ctx, salon).collect();
    let width = area.width.saturating_sub(4).min(76);
    let key_width = bindings
        .iter()
        .map(|b| keymap::keys_label(b).chars().count())
        .max()
        .unwrap_or(0);
    // A description longer than the box goes on under itself, beside the keys' column.
    let room = usize::from(width.saturating_sub(2)).saturating_sub(key_width + 2);
    let binding_lines = |b: &keymap::Binding| -> Vec<Line<'static>> {
        let keys = keymap::keys_label(b);
        super::wrap::wrap(b.desc, room)
            .into_iter()
            .enumerate()
            .map(|(k, row)| {
                let head = if k == 0 { keys.clone() } else { String::new() };
                Line::from(vec![
                    Span::styled(format!("{head:<key_width$}"), theme.key()),
                    Span::raw(format!("  {row}")),
                ])
            })
            .collect()
    };
    let mut lines: Vec<Line> = bindings.iter().flat_map(|b| binding_lines(b)).collect();
    let height = (bindings.len() as u16 + 5)
        .max(lines.len() as u16 + 4)
        .min(area.height);
    let inner = popup(
        frame,
        centered(area, width, height),
        &format!("Aide — {}", ctx.title()),
    );
    if ctx == Context::Form {
        // The keys of a multi-line field (a note), under the form's.
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{} :", Context::Lines.title()),
            theme.dim(),
        ));
        for b in keymap::bindings_for(Context::Lines, salon) {
            lines.extend(binding_lines(b));
        }
    }
    if ctx.takes_text() {
        lines.push(Line::styled(
            "Les autres touches s'écrivent dans le champ.",
            theme.dim(),
        ));
    }
    lines.push(Line::styled("Échap ferme cette aide.", theme.dim()));
    show_scrolled(lines, scroll, false, theme, frame, inner);
}

/// What the département offers, to answer a visitor at once.
pub fn render_offers(
    offers: &[crate::store::Offer],
    scroll: u16,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let width = area.width.saturating_sub(2).min(100);
    let inner = popup(
        frame,
        centered(area, width, area.height),
        "Ce que propose le Département",
    );
    let mut lines = Vec::new();
    for o in offers {
        lines.push(Line::styled(super::safe(&o.title), theme.title()));
        lines.push(Line::raw(super::safe(&o.body)));
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled("Échap pour revenir.", theme.dim()));
    show_scrolled(lines, scroll, true, theme, frame, inner);
}

/// Lines in a box that may be shorter than them: scrolled, with "↓ suite" while more follows.
fn show_scrolled(
    lines: Vec<Line>,
    scroll: u16,
    wrap: bool,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let width = usize::from(area.width.max(1));
    let total: usize = lines
        .iter()
        .map(|l| {
            if wrap {
                super::wrap::wrap(&l.to_string(), width).len()
            } else {
                1
            }
        })
        .sum();
    let total = total as u16;
    let mut p = Paragraph::new(lines);
    if wrap {
        p = p.wrap(ratatui::widgets::Wrap { trim: true });
    }
    let max = total.saturating_sub(area.height);
    let scroll = scroll.min(max);
    frame.render_widget(p.scroll((scroll, 0)), area);
    // The hint sits on the box's bottom border, so it never hides a line of the text.
    if scroll < max && area.height > 0 && area.bottom() < frame.area().bottom() {
        let more = Rect {
            y: area.bottom(),
            height: 1,
            ..area
        };
        frame.render_widget(
            Paragraph::new(Line::styled("↓ suite (↓ ou Espace)", theme.key()))
                .alignment(ratatui::layout::Alignment::Right),
            more,
        );
    }
}
