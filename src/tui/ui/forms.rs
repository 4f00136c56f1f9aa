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
        // As tall as its rows need (a long note grows it), up to the screen.
        let rows = form_rows(f, today, theme, width.saturating_sub(2))
            .lines
            .len() as u16;
        (f.fields.len() as u16 * 2 + 6)
            .max(rows + 3)
            .min(area.height)
    };
    let inner = popup(frame, centered(area, width, height), &f.title);
    render_fields(f, today, theme, frame, inner);
}

/// A form drawn where it stands (the quick capture), not as a pop-up.
pub fn render_in_place(f: &Form, today: NaiveDate, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inner = popup(frame, area, &f.title);
    render_fields(f, today, theme, frame, inner);
}

/// A form's rows, one screen row each, and where the focused field is among them.
struct FormRows {
    lines: Vec<Line<'static>>,
    /// The focused field's rows (with its error line) …
    focus: std::ops::Range<usize>,
    /// … and the one that must be seen when they do not all fit (a note's cursor line).
    cursor: usize,
}

/// `text` wrapped in the value column, the first row after `head`, the next ones indented.
fn value_rows(head: Span<'static>, text: &str, room: usize, style: Style) -> Vec<Line<'static>> {
    super::wrap::wrap(text, room)
        .into_iter()
        .enumerate()
        .map(|(k, row)| {
            let head = if k == 0 {
                head.clone()
            } else {
                Span::raw(" ".repeat(LABEL))
            };
            Line::from(vec![head, Span::styled(row, style)])
        })
        .collect()
}

fn form_rows(f: &Form, today: NaiveDate, theme: &Theme, width: u16) -> FormRows {
    let room = usize::from(width).saturating_sub(LABEL).max(1);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let (mut focus, mut cursor) = (0..0, 0);
    for (i, field) in f.fields.iter().enumerate() {
        let focused = i == f.focus;
        let start = lines.len();
        let mut cursor_row = start;
        let label_style = if focused {
            theme.key()
        } else {
            Style::default()
        };
        let label = Span::styled(format!("{:<LABEL$}", field.label), label_style);
        match &field.kind {
            FieldKind::Text(t) if !t.multiline => {
                // One line that scrolls sideways: the cursor stays in view.
                let hint = if field.date {
                    meant_day(t.text(), today).map(|day| format!("  → {day}"))
                } else {
                    None
                };
                let room = room.saturating_sub(hint.as_ref().map_or(0, |h| h.chars().count()));
                let dots;
                let text = if field.secret {
                    dots = "•".repeat(t.text().chars().count());
                    dots.as_str()
                } else {
                    t.text()
                };
                let shown = single_line(text, focused.then(|| t.cursor()), room);
                let mut spans = vec![label, Span::raw(shown)];
                if let Some(h) = hint {
                    spans.push(Span::styled(h, theme.dim()));
                }
                lines.push(Line::from(spans));
            }
            FieldKind::Text(_) | FieldKind::Area { .. } => {
                // Several lines, each wrapped in the value column; the cursor's row is kept.
                let content: Vec<String> = match &field.kind {
                    FieldKind::Text(t) => text_lines(t.text(), t.cursor(), focused),
                    FieldKind::Area { area, .. } => {
                        let (row, col) = (area.cursor().0, area.cursor().1);
                        area.lines()
                            .iter()
                            .enumerate()
                            .map(|(k, line)| {
                                if focused && k == row {
                                    let mut l: String = line.chars().take(col).collect();
                                    l.push('▏');
                                    l.extend(line.chars().skip(col));
                                    safe(&l)
                                } else {
                                    safe(line)
                                }
                            })
                            .collect()
                    }
                    _ => unreachable!("a field of several lines"),
                };
                for (k, line) in content.iter().enumerate() {
                    let head = if k == 0 {
                        label.clone()
                    } else {
                        Span::raw(" ".repeat(LABEL))
                    };
                    for row in value_rows(head, line, room, Style::default()) {
                        if focused && row.to_string().contains('▏') {
                            cursor_row = lines.len();
                        }
                        lines.push(row);
                    }
                }
                if focused {
                    lines.extend(value_rows(
                        Span::raw(" ".repeat(LABEL)),
                        &format!("({})", keymap::hint(keymap::Context::Lines)),
                        room,
                        theme.dim(),
                    ));
                }
            }
            FieldKind::Choice { options, selected } => {
                let value = options
                    .get(*selected)
                    .map_or_else(|| "—".to_string(), |o| safe(o));
                let shown = if focused {
                    let value = crate::output::truncate(&value, room.saturating_sub(4));
                    format!("◀ {value} ▶")
                } else {
                    crate::output::truncate(&value, room).into_owned()
                };
                lines.push(Line::from(vec![label, Span::raw(shown)]));
            }
            FieldKind::Checks {
                options,
                checked,
                cursor,
            } => {
                // The boxes in rows of the value column, a box never split.
                use unicode_width::UnicodeWidthStr;
                let mut row = vec![label];
                let mut used = 0;
                for (k, o) in options.iter().enumerate() {
                    let mark = if checked[k] { "[x]" } else { "[ ]" };
                    let item = format!("{mark} {}", safe(o));
                    if used > 0 && used + item.width() > room {
                        lines.push(Line::from(std::mem::take(&mut row)));
                        row.push(Span::raw(" ".repeat(LABEL)));
                        used = 0;
                    }
                    if focused && k == *cursor {
                        cursor_row = lines.len();
                    }
                    let style = if focused && k == *cursor {
                        theme.selected()
                    } else {
                        Style::default()
                    };
                    used += item.width() + 2;
                    row.push(Span::styled(item, style));
                    row.push(Span::raw("  "));
                }
                lines.push(Line::from(row));
            }
        }
        if let Some(e) = &field.error {
            lines.extend(value_rows(
                Span::raw(" ".repeat(LABEL)),
                &format!("⚠ {}", safe(e)),
                room,
                theme.error(),
            ));
        }
        if focused {
            focus = start..lines.len();
            cursor = cursor_row;
        }
    }
    if let Some(e) = &f.error {
        lines.push(Line::raw(""));
        for row in super::wrap::wrap(&format!("⚠ {}", safe(e)), usize::from(width)) {
            lines.push(Line::styled(row, theme.error()));
        }
    }
    FormRows {
        lines,
        focus,
        cursor,
    }
}

/// `rows` in `area`, scrolled so that the focused field is seen, with a sign where rows are
/// hidden above or below.
fn render_scrolled(rows: FormRows, theme: &Theme, frame: &mut Frame, area: Rect) {
    let total = rows.lines.len();
    let w = super::wrap::Window::around(
        total,
        usize::from(area.height),
        rows.focus.start,
        rows.focus.end,
        rows.cursor,
    );
    let mut shown: Vec<Line> = Vec::with_capacity(usize::from(area.height));
    if w.above {
        shown.push(Line::styled("▲ plus haut", theme.dim()).right_aligned());
    }
    shown.extend(rows.lines.into_iter().skip(w.first).take(w.rows));
    if w.below {
        shown.push(Line::styled("▼ plus bas", theme.dim()).right_aligned());
    }
    frame.render_widget(Paragraph::new(shown), area);
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
    let rows = form_rows(f, today, theme, form_area.width);
    let FormKind::NewRequest(lists) = &f.kind else {
        render_scrolled(rows, theme, frame, form_area);
        return;
    };
    let side_lines = known_persons(lists, theme);
    match side {
        Some(side) => {
            render_scrolled(rows, theme, frame, form_area);
            frame.render_widget(Paragraph::new(side_lines).wrap(Wrap { trim: true }), side)
        }
        None => {
            // Narrow screen: the matches go under the form, below its rows when all fit;
            // else the persons found keep a few rows at the bottom and the fields scroll.
            let height = usize::from(inner.height);
            let total = rows.lines.len();
            let keep = if total + 1 + side_lines.len() <= height {
                side_lines.len()
            } else if !lists.matches.is_empty() {
                side_lines
                    .len()
                    .min((height / 3).max(3))
                    .min(height.saturating_sub(4))
            } else {
                0
            };
            let fields_h = if total + 1 + side_lines.len() <= height {
                total as u16
            } else {
                (height - keep) as u16
            };
            let [top, below] = Layout::vertical([Constraint::Length(fields_h), Constraint::Min(0)])
                .areas(form_area);
            render_scrolled(rows, theme, frame, top);
            let below = Rect {
                y: below.y + below.height.saturating_sub(keep as u16),
                height: below.height.min(keep as u16),
                ..below
            };
            let compact: Vec<Line> = side_lines.into_iter().take(keep).collect();
            frame.render_widget(Paragraph::new(compact), below);
        }
    }
}

/// The persons already known that the typed name, e-mail or phone find.
fn known_persons(lists: &crate::tui::forms::NewRequestLists, theme: &Theme) -> Vec<Line<'static>> {
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
    side_lines
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

/// `s` padded with spaces to `width` columns.
fn pad_to(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

/// A save met a colleague's change on the same fields: each field side by side, mine and
/// theirs, with who and when; the chosen value is highlighted. A long value wraps in its
/// column; when the fields do not all fit, the window scrolls to the one chosen.
pub fn render_conflict(
    v: &crate::tui::command::ConflictView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    use super::wrap::wrap;
    let width = area.width.min(96);
    let iw = usize::from(width.saturating_sub(2));
    // Two value columns of `col`, after the field's name (14) and three spaces.
    let col = (iw.saturating_sub(17) / 2).max(4);
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.extend(
        wrap(
            &format!("{} l'a modifiée le {}.", safe(&v.by), safe(&v.at)),
            iw,
        )
        .into_iter()
        .map(Line::raw),
    );
    lines.extend(
        wrap(
            "Ses autres changements sont gardés. Pour ces champs, choisissez :",
            iw,
        )
        .into_iter()
        .map(|l| Line::styled(l, theme.dim())),
    );
    lines.push(Line::from(vec![
        Span::styled(format!("{:<14}", ""), theme.dim()),
        Span::styled(format!(" {} ", pad_to("la vôtre", col)), theme.dim()),
        Span::styled(
            format!(
                " {}",
                crate::output::truncate(&format!("la sienne ({})", safe(&v.by)), col)
            ),
            theme.dim(),
        ),
    ]));
    let (mut focus, mut cursor) = (0..0, 0);
    for (i, c) in v.clashes.iter().enumerate() {
        let pick = |chosen: bool| {
            if chosen {
                theme.selected()
            } else {
                Style::default()
            }
        };
        let mine = wrap(&safe(&c.mine_label).replace('\n', " "), col);
        let theirs = wrap(&safe(&c.theirs_label).replace('\n', " "), col);
        let start = lines.len();
        for k in 0..mine.len().max(theirs.len()) {
            let head = if k == 0 {
                let marker = if i == v.selected { "▶ " } else { "  " };
                format!("{marker}{:<12}", c.field.label())
            } else {
                " ".repeat(14)
            };
            let cell = |rows: &[String]| pad_to(rows.get(k).map_or("", |s| s.as_str()), col);
            lines.push(Line::from(vec![
                Span::raw(head),
                Span::styled(format!(" {} ", cell(&mine)), pick(c.keep_mine)),
                Span::styled(format!(" {} ", cell(&theirs)), pick(!c.keep_mine)),
            ]));
        }
        if i == v.selected {
            focus = start..lines.len();
            cursor = start;
        }
        lines.push(Line::raw(""));
    }
    let height = (lines.len() as u16 + 4).min(area.height);
    let inner = popup(frame, centered(area, width, height), "Modifiée entre-temps");
    render_scrolled(
        FormRows {
            lines,
            focus,
            cursor,
        },
        theme,
        frame,
        inner,
    );
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
