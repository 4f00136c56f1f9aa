//! Forms, choice lists and questions, drawn over the screen.

use super::{Theme, centered, popup, safe};
use crate::tui::app::{Confirm, Picker};
use crate::tui::forms::{FieldKind, Form, FormKind};
use crate::tui::keymap;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

const LABEL: usize = 20;

/// The day a relative date means (`+7`, `demain`, `15/12`), to show as it is typed; `None` for
/// a full date (already explicit) or what does not read as a date.
fn meant_day(text: &str, today: NaiveDate) -> Option<String> {
    let text = text.trim();
    let full = text.len() == 10 && text.chars().filter(|c| c.is_ascii_digit()).count() == 8;
    if text.is_empty() || full {
        return None;
    }
    let d = crate::domain::parse_date(text, today).ok()?;
    Some(format!(
        "{} {}",
        super::weekday(d),
        crate::domain::fr_date(d)
    ))
}

/// A text field's content with the cursor shown as a bar, on one or several lines.
fn text_lines(text: &str, cursor: usize, focused: bool) -> Vec<String> {
    let mut s = String::new();
    for (i, c) in text.chars().enumerate() {
        if focused && i == cursor {
            s.push('▏');
        }
        s.push(c);
    }
    if focused && cursor >= text.chars().count() {
        s.push('▏');
    }
    s.split('\n').map(safe).collect()
}

/// A single-line value in `width` columns, scrolled so that the cursor (a bar, when given) is
/// always visible; "…" marks where the value is cut. Without a cursor it shows the start.
pub fn single_line(text: &str, cursor: Option<usize>, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let w: Vec<usize> = chars.iter().map(|c| c.width().unwrap_or(0)).collect();
    let bar = usize::from(cursor.is_some());
    let c = cursor.unwrap_or(0).min(n);
    let with_bar = |from: usize, to: usize| -> String {
        let mut s = String::new();
        for (i, ch) in chars.iter().enumerate().take(to).skip(from) {
            if cursor.is_some() && i == c {
                s.push('▏');
            }
            s.push(*ch);
        }
        if cursor.is_some() && c == to {
            s.push('▏');
        }
        safe(&s)
    };
    if w.iter().sum::<usize>() + bar <= width {
        return with_bar(0, n);
    }
    let width = width.max(4);
    let cols = |from: usize, to: usize| w[from..to].iter().sum::<usize>();
    let right = usize::from(c < n);
    // The start: the beginning if the cursor fits, else as far left as the cursor allows.
    let mut start = 0;
    if cols(0, c) + bar + right > width {
        start = c;
        while start > 0 && 1 + cols(start - 1, c) + bar + right <= width {
            start -= 1;
        }
    }
    let mut used = usize::from(start > 0) + cols(start, c) + bar;
    let mut end = c;
    while end < n {
        let marker = usize::from(end + 1 < n);
        if used + w[end] + marker > width {
            break;
        }
        used += w[end];
        end += 1;
    }
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        with_bar(start, end),
        if end < n { "…" } else { "" }
    )
}

pub fn render(f: &Form, today: NaiveDate, theme: &Theme, frame: &mut Frame, area: Rect) {
    let big = matches!(f.kind, FormKind::NewRequest(_));
    let width = if big {
        area.width
    } else {
        area.width.saturating_sub(4).min(80)
    };
    let height = if big {
        area.height
    } else {
        (f.fields.len() as u16 * 2 + 6).min(area.height)
    };
    let inner = popup(frame, centered(area, width, height), &f.title);
    render_fields(f, today, theme, frame, inner);
}

/// A form drawn where it stands (the quick capture), not as a pop-up.
pub fn render_in_place(f: &Form, today: NaiveDate, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inner = popup(frame, area, &f.title);
    render_fields(f, today, theme, frame, inner);
}

fn render_fields(f: &Form, today: NaiveDate, theme: &Theme, frame: &mut Frame, inner: Rect) {
    let (form_area, side) = match &f.kind {
        FormKind::NewRequest(_) if inner.width >= 100 => {
            let [l, r] =
                Layout::horizontal([Constraint::Min(60), Constraint::Length(38)]).areas(inner);
            (l, Some(r))
        }
        _ => (inner, None),
    };
    let mut lines: Vec<Line> = Vec::new();
    for (i, field) in f.fields.iter().enumerate() {
        let focused = i == f.focus;
        let label_style = if focused {
            theme.key()
        } else {
            Style::default()
        };
        let label = format!("{:<LABEL$}", field.label);
        match &field.kind {
            FieldKind::Text(t) if !t.multiline => {
                // One line that scrolls sideways: the cursor stays in view.
                let hint = if field.date {
                    meant_day(t.text(), today).map(|day| format!("  → {day}"))
                } else {
                    None
                };
                let room = usize::from(form_area.width)
                    .saturating_sub(LABEL + hint.as_ref().map_or(0, |h| h.chars().count()));
                let shown = single_line(t.text(), focused.then(|| t.cursor()), room);
                let mut spans = vec![Span::styled(label, label_style), Span::raw(shown)];
                if let Some(h) = hint {
                    spans.push(Span::styled(h, theme.dim()));
                }
                lines.push(Line::from(spans));
            }
            FieldKind::Text(t) => {
                let content = text_lines(t.text(), t.cursor(), focused);
                for (k, line) in content.iter().enumerate() {
                    let head = if k == 0 {
                        label.clone()
                    } else {
                        " ".repeat(LABEL)
                    };
                    let mut spans = vec![Span::styled(head, label_style), Span::raw(line.clone())];
                    if k == 0
                        && field.date
                        && let Some(day) = meant_day(t.text(), today)
                    {
                        spans.push(Span::styled(format!("  → {day}"), theme.dim()));
                    }
                    lines.push(Line::from(spans));
                }
                if t.multiline && focused {
                    lines.push(Line::styled(
                        format!(
                            "{}({})",
                            " ".repeat(LABEL),
                            keymap::hint(keymap::Context::Lines)
                        ),
                        theme.dim(),
                    ));
                }
            }
            FieldKind::Area { area, .. } => {
                let (row, col) = (area.cursor().0, area.cursor().1);
                for (k, line) in area.lines().iter().enumerate() {
                    let head = if k == 0 {
                        label.clone()
                    } else {
                        " ".repeat(LABEL)
                    };
                    let shown = if focused && k == row {
                        let mut l: String = line.chars().take(col).collect();
                        l.push('▏');
                        l.extend(line.chars().skip(col));
                        l
                    } else {
                        line.clone()
                    };
                    lines.push(Line::from(vec![
                        Span::styled(head, label_style),
                        Span::raw(safe(&shown)),
                    ]));
                }
                if focused {
                    lines.push(Line::styled(
                        format!(
                            "{}({})",
                            " ".repeat(LABEL),
                            keymap::hint(keymap::Context::Lines)
                        ),
                        theme.dim(),
                    ));
                }
            }
            FieldKind::Choice { options, selected } => {
                let value = options
                    .get(*selected)
                    .map_or_else(|| "—".to_string(), |o| safe(o));
                let shown = if focused {
                    format!("◀ {value} ▶")
                } else {
                    value
                };
                lines.push(Line::from(vec![
                    Span::styled(label, label_style),
                    Span::raw(shown),
                ]));
            }
            FieldKind::Checks {
                options,
                checked,
                cursor,
            } => {
                let mut spans = vec![Span::styled(label, label_style)];
                for (k, o) in options.iter().enumerate() {
                    let mark = if checked[k] { "[x]" } else { "[ ]" };
                    let style = if focused && k == *cursor {
                        theme.selected()
                    } else {
                        Style::default()
                    };
                    spans.push(Span::styled(format!("{mark} {}", safe(o)), style));
                    spans.push(Span::raw("  "));
                }
                lines.push(Line::from(spans));
            }
        }
        if let Some(e) = &field.error {
            lines.push(Line::styled(
                format!("{}⚠ {}", " ".repeat(LABEL), safe(e)),
                theme.error(),
            ));
        }
    }
    if let Some(e) = &f.error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("⚠ {}", safe(e)), theme.error()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), form_area);

    if let FormKind::NewRequest(lists) = &f.kind {
        let mut side_lines = vec![Line::styled("Personnes déjà connues", theme.title())];
        if lists.matches.is_empty() {
            side_lines.push(Line::styled(
                "Aucune (nom + prénom, e-mail ou téléphone)",
                theme.dim(),
            ));
        }
        for (i, p) in lists.matches.iter().enumerate() {
            let chosen = lists.reuse == Some(i);
            let style = if chosen {
                theme.selected()
            } else {
                Style::default()
            };
            side_lines.push(Line::styled(
                format!(
                    "{} {} {}",
                    if chosen { "▶" } else { " " },
                    safe(&p.last_name).to_uppercase(),
                    safe(&p.first_name)
                ),
                style,
            ));
            let contact = [p.phone.as_str(), p.email.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| safe(s))
                .collect::<Vec<_>>()
                .join(" · ");
            side_lines.push(Line::styled(format!("  {contact}"), theme.dim()));
        }
        if !lists.matches.is_empty() {
            side_lines.push(Line::styled(
                format!(
                    "{} : reprendre cette personne",
                    crate::tui::keymap::key_of(
                        crate::tui::keymap::Context::Form,
                        crate::tui::keymap::Action::ReuseMatch
                    )
                ),
                theme.key(),
            ));
        }
        if let Some(p) = lists.reuse.and_then(|i| lists.matches.get(i)) {
            side_lines.push(Line::styled(
                format!(
                    "Rattachée à {} {}",
                    safe(&p.last_name).to_uppercase(),
                    safe(&p.first_name)
                ),
                theme.ok(),
            ));
        }
        match side {
            Some(side) => {
                frame.render_widget(Paragraph::new(side_lines).wrap(Wrap { trim: true }), side)
            }
            None => {
                // Narrow screen: the matches go under the form.
                let used = f.fields.len() as u16 + 2;
                if inner.height > used {
                    let below = Rect {
                        y: inner.y + used,
                        height: inner.height - used,
                        ..inner
                    };
                    let compact: Vec<Line> = side_lines
                        .into_iter()
                        .take(usize::from(below.height))
                        .collect();
                    frame.render_widget(Paragraph::new(compact), below);
                }
            }
        }
    }
}

pub fn render_picker(p: &Picker, theme: &Theme, frame: &mut Frame, area: Rect) {
    let height = (p.options.len() as u16 + 4).min(area.height);
    let inner = popup(frame, centered(area, 48, height), &p.title);
    let mut lines: Vec<Line> = p
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let style = if i == p.selected {
                theme.selected()
            } else {
                Style::default()
            };
            Line::styled(format!(" {} ", safe(o)), style)
        })
        .collect();
    if let Some(e) = &p.error {
        lines.push(Line::styled(format!("⚠ {}", safe(e)), theme.error()));
    }
    let visible = usize::from(inner.height);
    let scroll = p.selected.saturating_sub(visible.saturating_sub(1));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        inner,
    );
}

pub fn render_confirm(c: &Confirm, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inner = popup(frame, centered(area, 60, 5), "Confirmation");
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(c.question()),
            Line::raw(""),
            Line::from(
                crate::tui::keymap::bindings_for(crate::tui::keymap::Context::Confirm, false)
                    .flat_map(|b| {
                        [
                            Span::styled(b.keys[0].label(), theme.key()),
                            Span::raw(format!(" {}   ", b.desc)),
                        ]
                    })
                    .collect::<Vec<_>>(),
            ),
        ])
        .wrap(Wrap { trim: true }),
        inner,
    );
}

/// A save met a colleague's change on the same fields: each field side by side, mine and
/// theirs, with who and when; the chosen value is highlighted.
pub fn render_conflict(
    v: &crate::tui::command::ConflictView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let width = area.width.min(96);
    let height = (v.clashes.len() as u16 * 2 + 7).min(area.height);
    let inner = popup(frame, centered(area, width, height), "Modifiée entre-temps");
    let col = usize::from(inner.width.saturating_sub(16) / 2).max(8);
    let cut = |s: &str| {
        let s = safe(s).replace('\n', " ");
        if s.chars().count() > col {
            format!("{}…", s.chars().take(col - 1).collect::<String>())
        } else {
            s
        }
    };
    let mut lines = vec![
        Line::raw(format!("{} l'a modifiée le {}.", safe(&v.by), safe(&v.at))),
        Line::styled(
            "Ses autres changements sont gardés. Pour ces champs, choisissez :",
            theme.dim(),
        ),
        Line::from(vec![
            Span::styled(format!("{:<14}", ""), theme.dim()),
            Span::styled(format!(" {:<col$} ", "la vôtre"), theme.dim()),
            Span::styled(
                format!(" {}", cut(&format!("la sienne ({})", v.by))),
                theme.dim(),
            ),
        ]),
    ];
    for (i, c) in v.clashes.iter().enumerate() {
        let pick = |chosen: bool| {
            if chosen {
                theme.selected()
            } else {
                Style::default()
            }
        };
        let marker = if i == v.selected { "▶ " } else { "  " };
        lines.push(Line::from(vec![
            Span::raw(format!("{marker}{:<12}", c.field.label())),
            Span::styled(format!(" {:<col$} ", cut(&c.mine_label)), pick(c.keep_mine)),
            Span::styled(format!(" {} ", cut(&c.theirs_label)), pick(!c.keep_mine)),
        ]));
        lines.push(Line::raw(""));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::single_line;

    #[test]
    fn a_long_value_scrolls_around_its_cursor() {
        let text: String = ('a'..='z').collect();
        assert_eq!(single_line("court", Some(5), 10), "court▏");
        assert_eq!(single_line(&text, Some(26), 10), "…stuvwxyz▏");
        assert_eq!(single_line(&text, Some(0), 10), "▏abcdefgh…");
        assert_eq!(single_line(&text, Some(13), 10), "…ghijklm▏…");
        assert_eq!(single_line(&text, None, 10), "abcdefghi…");
        assert_eq!(single_line("élève", Some(2), 10), "él▏ève");
    }
}
