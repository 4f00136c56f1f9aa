//! The `?` help: generated from the keymap, so it lists exactly the keys of the screen.

use super::{Theme, centered, popup};
use crate::tui::keymap::{self, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(ctx: Context, theme: &Theme, frame: &mut Frame, area: Rect) {
    let bindings: Vec<_> = keymap::bindings_for(ctx).collect();
    let width = area.width.saturating_sub(4).min(76);
    let height = (bindings.len() as u16 + 4).min(area.height);
    let inner = popup(
        frame,
        centered(area, width, height),
        &format!("Aide — {}", ctx.title()),
    );
    let key_width = bindings
        .iter()
        .map(|b| keymap::keys_label(b).chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = bindings
        .iter()
        .map(|b| {
            let keys = keymap::keys_label(b);
            Line::from(vec![
                Span::styled(format!("{keys:<key_width$}"), theme.key()),
                Span::raw(format!("  {}", b.desc)),
            ])
        })
        .collect();
    if ctx.takes_text() {
        lines.push(Line::styled(
            "Les autres touches s'écrivent dans le champ.",
            theme.dim(),
        ));
    }
    lines.push(Line::styled("Échap ferme cette aide.", theme.dim()));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What the département offers, to answer a visitor at once.
pub fn render_offers(offers: &[crate::store::Offer], theme: &Theme, frame: &mut Frame, area: Rect) {
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
    lines.push(Line::styled("Une touche pour revenir.", theme.dim()));
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        inner,
    );
}
