//! The review ("Bilan"): figures of a period for the team lead, as text, bars and sparklines.

use super::queue::tabs_line;
use super::{Theme, safe};
use crate::domain::fr_date;
use crate::review::Review;
use crate::tui::app::{App, ReviewView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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

use super::wrap::{wrap, wrap_items};
use crate::review::{change, days_text as days};

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
    let w = usize::from(width);
    // Every column of a row fits or is left out whole, in this order: the bars, then the
    // comparisons (préc., N-1); the counts and the 12-week trend always stay.
    const TREND: usize = 12;
    let (full, counts_only) = (50, 26);
    let compare = label_w + full + TREND <= w;
    let spare = w.saturating_sub(label_w + if compare { full } else { counts_only } + TREND + 2);
    let bar_w = if spare >= 6 { spare.min(14) } else { 0 };
    let mut lines = Vec::new();
    // Sentences and lists wrap at the screen's width; tables drop columns instead.
    let wrapped = |rows: Vec<String>, style: ratatui::style::Style| {
        rows.into_iter()
            .map(move |r| Line::styled(r, style))
            .collect::<Vec<_>>()
    };
    let title = |t: &str| wrapped(wrap(t, w), theme.title());
    lines.extend(title(if compare {
        "Par type de demande (évolution : préc. = période précédente, N-1 = l'an dernier)"
    } else {
        "Par type de demande"
    }));
    let figures = |received: i64, closed: i64, open: i64, t: (i64, i64, i64, i64)| {
        if compare {
            format!(
                "{received:>7} {:>5} {:>5} {closed:>7} {:>5} {:>5} {open:>8}  ",
                change(received, t.0),
                change(received, t.1),
                change(closed, t.2),
                change(closed, t.3),
            )
        } else {
            format!("{received:>7} {closed:>7} {open:>8}  ")
        }
    };
    let columns = if bar_w > 0 {
        pad("", bar_w + 2)
    } else {
        String::new()
    };
    let head = if compare {
        format!(
            "{:>7} {:>5} {:>5} {:>7} {:>5} {:>5} {:>8}  ",
            "Reçues", "préc.", "N-1", "Closes", "préc.", "N-1", "Ouvertes",
        )
    } else {
        format!("{:>7} {:>7} {:>8}  ", "Reçues", "Closes", "Ouvertes")
    };
    lines.push(Line::styled(
        format!("{}{head}{columns}12 semaines", pad("", label_w)),
        theme.dim(),
    ));
    let max = r.by_type.iter().map(|t| t.received).max().unwrap_or(0);
    for t in &r.by_type {
        let mut spans = vec![
            Span::raw(pad(&safe(&t.label), label_w)),
            Span::raw(figures(
                t.received,
                t.closed,
                t.open_at_end,
                (
                    t.previous_received,
                    t.last_year_received,
                    t.previous_closed,
                    t.last_year_closed,
                ),
            )),
        ];
        if bar_w > 0 {
            spans.push(Span::styled(
                pad(&bar(t.received, max, bar_w), bar_w + 2),
                theme.key(),
            ));
        }
        spans.push(Span::styled(sparkline(&t.trend), theme.ok()));
        lines.push(Line::from(spans));
    }
    let sum = |f: fn(&crate::review::TypeFigures) -> i64| r.by_type.iter().map(f).sum::<i64>();
    lines.push(Line::raw(
        format!(
            "{}{}",
            pad("Total", label_w),
            figures(
                r.received,
                r.closed,
                r.open_at_end,
                (
                    sum(|t| t.previous_received),
                    sum(|t| t.last_year_received),
                    sum(|t| t.previous_closed),
                    sum(|t| t.last_year_closed),
                ),
            )
        )
        .trim_end()
        .to_string(),
    ));
    lines.push(Line::raw(""));

    // A list longer than the screen goes on the next line, an item never split.
    let inline = |items: Vec<String>| wrapped(wrap_items(&items, " · ", w), Style::default());
    lines.extend(title("Par canal"));
    lines.extend(inline(
        r.by_channel
            .iter()
            .map(|c| format!("{} {}", safe(&c.label), c.count))
            .collect(),
    ));
    lines.extend(title("Issues des demandes closes"));
    lines.extend(inline(
        r.by_outcome
            .iter()
            .map(|c| format!("{} {}", c.label, c.count))
            .collect(),
    ));
    // By type: how many grants were actually granted.
    let closed_types: Vec<_> = r.by_type.iter().filter(|t| t.closed > 0).collect();
    if !closed_types.is_empty() {
        let outcomes = crate::domain::Outcome::ALL;
        // The type's label gives way to the four outcomes on a narrow screen.
        let label_w = label_w.min(w.saturating_sub(12 * outcomes.len())).max(6);
        let mut head = pad("", label_w);
        for o in outcomes {
            head.push_str(&format!(" {:>11}", o.label()));
        }
        lines.push(Line::styled(head, theme.dim()));
        for t in closed_types {
            let mut line = pad(&safe(&t.label), label_w);
            for o in outcomes {
                let n = t.outcomes.get(o.code()).copied().unwrap_or(0);
                line.push_str(&format!(" {n:>11}"));
            }
            lines.push(Line::raw(line));
        }
    }
    lines.extend(title("Délais"));
    lines.extend(inline(vec![
        format!(
            "Premier contact : médiane {}, 90 % sous {} ({} sans contact)",
            days(r.first_contact.median_days),
            days(r.first_contact.p90_days),
            r.without_contact,
        ),
        format!(
            "Clôture : médiane {}, 90 % sous {}",
            days(r.time_to_close.median_days),
            days(r.time_to_close.p90_days)
        ),
    ]));
    lines.push(Line::raw(""));

    lines.extend(title(&format!(
        "Événements de la période ({})",
        r.events.len()
    )));
    if r.events.is_empty() {
        lines.push(Line::styled("Aucun événement.", theme.dim()));
    }
    for e in &r.events {
        lines.extend(inline(vec![format!(
            "{}  {} : {} demande(s)",
            fr_date(e.held_on),
            safe(&e.name),
            e.requests
        )]));
    }
    lines.push(Line::raw(""));

    lines.extend(title("Orientations par partenaire"));
    let name_w = if wide { 34 } else { 22 };
    // Too narrow for the name beside its figures: the name on a line of its own, above them.
    let (name_w, own_line) = if name_w + 48 <= w {
        (name_w, false)
    } else {
        (2, true)
    };
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
        let style = if p.overdue > 0 {
            theme.overdue()
        } else {
            Style::default()
        };
        let figures = format!(
            "{:>8} {:>8} {:>8} {:>8} {:>12}",
            p.sent,
            p.answered,
            p.awaited,
            p.overdue,
            days(p.median_days_to_answer)
        );
        if own_line {
            lines.push(Line::styled(pad(&safe(&p.name), w), style));
            lines.push(Line::styled(format!("{}{figures}", pad("", name_w)), style));
        } else {
            lines.push(Line::styled(
                format!("{}{figures}", pad(&safe(&p.name), name_w)),
                style,
            ));
        }
    }
    lines.push(Line::raw(""));

    // Housing places (issue #14), when the register offered some in the period.
    if let Some(line) = r.housing.line() {
        lines.extend(title("Logements"));
        lines.extend(inline(vec![line]));
        lines.push(Line::raw(""));
    }

    lines.extend(title(
        "Charge actuelle par agent (ouvertes · relance dépassée)",
    ));
    let who_w = (if wide { 34 } else { 22 }).min(w.saturating_sub(12));
    for w in &r.workload {
        let who = w
            .agent
            .as_deref()
            .map_or_else(|| "Non attribuées".to_string(), safe);
        lines.push(Line::raw(format!(
            "{}{:>6} · {}",
            pad(&who, who_w),
            w.open,
            w.overdue
        )));
    }
    lines
}

pub fn render(app: &App, v: &ReviewView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let r = &v.review;
    let w = usize::from(area.width);
    // The comparison and the headline wrap; the figures below scroll.
    let compared_rows = wrap_items(
        &[
            format!("comparé à : {} (préc.)", r.previous.short_label()),
            format!("{} (N-1)", r.last_year.short_label()),
        ],
        " · ",
        w,
    );
    let headline_rows = wrap(&safe(&r.headline), w);
    let title = vec![
        Span::styled("◀ ", theme.key()),
        Span::styled(format!("Bilan : {}", r.period.label()), theme.title()),
        Span::styled(" ▶", theme.key()),
    ];
    // "In progress" beside the period, or under it when the line is full.
    let progress = r.in_progress().then(|| {
        Span::styled(
            format!("  en cours, compté jusqu'au {}", fr_date(r.through)),
            theme.dim(),
        )
    });
    let mut period_lines = vec![Line::from(title)];
    if let Some(p) = progress {
        if period_lines[0].width() + p.width() <= w {
            period_lines[0].spans.push(p);
        } else {
            period_lines.push(Line::from(Span::styled(
                p.content.trim_start().to_string(),
                p.style,
            )));
        }
    }
    let [tabs, period, compared, headline, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(period_lines.len() as u16),
        Constraint::Length(compared_rows.len().min(3) as u16),
        Constraint::Length(headline_rows.len().clamp(2, 4) as u16),
        Constraint::Min(1),
    ])
    .areas(area);
    tabs_line(app, theme, frame, tabs, true);
    frame.render_widget(Paragraph::new(period_lines), period);
    frame.render_widget(
        Paragraph::new(
            compared_rows
                .into_iter()
                .map(|l| Line::styled(l, theme.dim()))
                .collect::<Vec<_>>(),
        ),
        compared,
    );
    frame.render_widget(
        Paragraph::new(headline_rows.into_iter().map(Line::raw).collect::<Vec<_>>()),
        headline,
    );
    let mut lines = body(r, theme, area.width);
    lines.extend(super::aids::review_section(&v.aids, theme, area.width));
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
