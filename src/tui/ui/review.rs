//! The review ("Bilan"): figures of a period for the team lead, as text, bars and sparklines.

use super::queue::tabs_line;
use super::{Theme, safe};
use crate::domain::fr_date;
use crate::review::Review;
use crate::tui::app::{App, ReviewView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A 12-week trend as one character per week.
pub fn sparkline(values: &[i64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|v| {
            if max == 0 {
                ' '
            } else {
                SPARKS[((*v * 7 + max / 2) / max).clamp(0, 7) as usize]
            }
        })
        .collect()
}

fn bar(value: i64, max: i64, width: usize) -> String {
    if max <= 0 || value <= 0 {
        return String::new();
    }
    let n = ((value as usize * width) as f64 / max as f64)
        .round()
        .max(1.0) as usize;
    "█".repeat(n.min(width))
}

fn change(now: i64, before: i64) -> String {
    match now - before {
        0 => "=".into(),
        d if d > 0 => format!("+{d}"),
        d => d.to_string(),
    }
}

fn days(v: Option<f64>) -> String {
    v.map_or_else(
        || "—".into(),
        |d| crate::output::Value::Num(d).display() + " j",
    )
}

/// `s` in `width` columns: padded, or cut with "…" when longer.
fn pad(s: &str, width: usize) -> String {
    let mut out: String = if s.chars().count() > width && width > 0 {
        let mut cut: String = s.chars().take(width - 1).collect();
        cut.push('…');
        cut
    } else {
        s.to_string()
    };
    let n = out.chars().count();
    out.push_str(&" ".repeat(width.saturating_sub(n)));
    out
}

/// The review's body as lines (scrolled by the screen).
fn body(r: &Review, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let wide = width >= 100;
    let label_w = if wide { 26 } else { 16 };
    let bar_w = if wide { 14 } else { 8 };
    let mut lines = Vec::new();
    let title = |t: &str| Line::styled(t.to_string(), theme.title());
    lines.push(title("Par type de demande"));
    lines.push(Line::styled(
        format!(
            "{}{:>7} {:>5} {:>7} {:>5} {:>8}  {}{}",
            pad("", label_w),
            "Reçues",
            "évol.",
            "Closes",
            "évol.",
            "Ouvertes",
            pad("", bar_w + 2),
            "12 semaines"
        ),
        theme.dim(),
    ));
    let max = r.by_type.iter().map(|t| t.received).max().unwrap_or(0);
    for t in &r.by_type {
        let mut spans = vec![
            Span::raw(pad(&safe(&t.label), label_w)),
            Span::raw(format!(
                "{:>7} {:>5} {:>7} {:>5} {:>8}  ",
                t.received,
                change(t.received, t.previous_received),
                t.closed,
                change(t.closed, t.previous_closed),
                t.open_at_end
            )),
        ];
        spans.push(Span::styled(
            pad(&bar(t.received, max, bar_w), bar_w + 2),
            theme.key(),
        ));
        spans.push(Span::styled(sparkline(&t.trend), theme.ok()));
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(format!(
        "{}{:>7} {:>5} {:>7} {:>5} {:>8}",
        pad("Total", label_w),
        r.received,
        change(
            r.received,
            r.by_type.iter().map(|t| t.previous_received).sum()
        ),
        r.closed,
        change(r.closed, r.by_type.iter().map(|t| t.previous_closed).sum()),
        r.open_at_end
    )));
    lines.push(Line::raw(""));

    let inline = |items: Vec<String>| Line::raw(items.join(" · "));
    lines.push(title("Par canal"));
    lines.push(inline(
        r.by_channel
            .iter()
            .map(|c| format!("{} {}", safe(&c.label), c.count))
            .collect(),
    ));
    lines.push(title("Issues des demandes closes"));
    lines.push(inline(
        r.by_outcome
            .iter()
            .map(|c| format!("{} {}", c.label, c.count))
            .collect(),
    ));
    lines.push(title("Délais"));
    lines.push(Line::raw(format!(
        "Premier contact : médiane {}, 90 % sous {} ({} sans contact) · Clôture : médiane {}, 90 % sous {}",
        days(r.first_contact.median_days),
        days(r.first_contact.p90_days),
        r.without_contact,
        days(r.time_to_close.median_days),
        days(r.time_to_close.p90_days)
    )));
    lines.push(Line::raw(""));

    lines.push(title(&format!(
        "Événements de la période ({})",
        r.events.len()
    )));
    if r.events.is_empty() {
        lines.push(Line::styled("Aucun événement.", theme.dim()));
    }
    for e in &r.events {
        lines.push(Line::raw(format!(
            "{}  {} : {} demande(s)",
            fr_date(e.held_on),
            safe(&e.name),
            e.requests
        )));
    }
    lines.push(Line::raw(""));

    lines.push(title("Orientations par partenaire"));
    let name_w = if wide { 34 } else { 22 };
    lines.push(Line::styled(
        format!(
            "{}{:>8} {:>8} {:>8} {:>8} {:>12}",
            pad("", name_w),
            "Envoyées",
            "Réponses",
            "Attente",
            "Retard",
            "Délai méd."
        ),
        theme.dim(),
    ));
    for p in &r.partners {
        let line = format!(
            "{}{:>8} {:>8} {:>8} {:>8} {:>12}",
            pad(&safe(&p.name), name_w),
            p.sent,
            p.answered,
            p.awaited,
            p.overdue,
            days(p.median_days_to_answer)
        );
        lines.push(if p.overdue > 0 {
            Line::styled(line, theme.overdue())
        } else {
            Line::raw(line)
        });
    }
    lines.push(Line::raw(""));

    // Housing places (issue #14), when the register offered some in the period.
    if let Some(line) = r.housing.line() {
        lines.push(title("Logements"));
        lines.push(Line::raw(line));
        lines.push(Line::raw(""));
    }

    lines.push(title(
        "Charge actuelle par agent (ouvertes · relance dépassée)",
    ));
    for w in &r.workload {
        let who = w
            .agent
            .as_deref()
            .map_or_else(|| "Non attribuées".to_string(), safe);
        lines.push(Line::raw(format!(
            "{}{:>6} · {}",
            pad(&who, name_w),
            w.open,
            w.overdue
        )));
    }
    lines
}

pub fn render(app: &App, v: &ReviewView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let r = &v.review;
    let [tabs, period, headline, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(1),
    ])
    .areas(area);
    tabs_line(app, theme, frame, tabs, true);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("◀ ", theme.key()),
            Span::styled(format!("Bilan : {}", r.period.label()), theme.title()),
            Span::styled(" ▶", theme.key()),
            Span::styled(
                format!("  (comparé à : {})", r.previous.label()),
                theme.dim(),
            ),
        ])),
        period,
    );
    frame.render_widget(
        Paragraph::new(Line::raw(safe(&r.headline))).wrap(Wrap { trim: true }),
        headline,
    );
    let mut lines = body(r, theme, area.width);
    lines.extend(super::aids::review_section(&v.aids, theme));
    let max_scroll = lines.len().saturating_sub(usize::from(rest.height));
    frame.render_widget(
        Paragraph::new(lines).scroll((v.scroll.min(max_scroll) as u16, 0)),
        rest,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_highest_week() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), "▁▂▃▅█");
        assert_eq!(sparkline(&[0, 0]), "  ");
        assert_eq!(bar(5, 10, 10), "█████");
        assert_eq!(bar(1, 1000, 10), "█");
    }
}
