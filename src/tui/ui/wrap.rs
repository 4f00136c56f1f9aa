//! Text on a narrow screen: lines wrapped at spaces instead of cut, and the window of rows a
//! scrolled body shows around what must stay visible.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` (one paragraph) in lines of at most `width` columns, broken at spaces; a word longer
/// than a line is split. Every character but the spaces at a break is kept, in order, so a
/// cursor bar typed into the text stays where it was.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    let mut push = |line: &mut String, used: &mut usize| {
        lines.push(line.trim_end_matches(' ').to_string());
        line.clear();
        *used = 0;
    };
    for token in text.split_inclusive(' ') {
        let word = token.trim_end_matches(' ');
        let spaces = token.len() - word.len();
        if used > 0 && used + word.width() > width {
            push(&mut line, &mut used);
        }
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if used > 0 && used + w > width {
                push(&mut line, &mut used);
            }
            line.push(c);
            used += w;
        }
        line.extend(std::iter::repeat_n(' ', spaces));
        used += spaces;
    }
    if !line.is_empty() {
        push(&mut line, &mut used);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Items joined by `sep` in lines of at most `width` columns, an item never split between two
/// lines unless it is longer than a line by itself.
pub fn wrap_items(items: &[String], sep: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && line.width() + sep.width() + item.width() <= width {
            line.push_str(sep);
            line.push_str(item);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut parts = wrap(item, width);
        line = parts.pop().unwrap_or_default();
        lines.extend(parts);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Which rows of a body taller than its area are shown: `first` is the first row shown,
/// `rows` how many, `above`/`below` whether a "more" sign takes the area's first/last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub first: usize,
    pub rows: usize,
    pub above: bool,
    pub below: bool,
}

impl Window {
    /// The window of `height` rows over `total` rows that shows rows `start..end` (the focused
    /// part: a field, its error), or at least row `must` (a cursor) when they do not all fit.
    /// Stateless: the same state always shows the same rows; the focused part sits as low as
    /// it can, so moving down slides the body up one field at a time.
    pub fn around(total: usize, height: usize, start: usize, end: usize, must: usize) -> Window {
        let end = end.max(start + 1).min(total.max(1));
        let must = must.clamp(start, end.saturating_sub(1));
        if total <= height {
            return Window {
                first: 0,
                rows: total,
                above: false,
                below: false,
            };
        }
        if height < 3 {
            // No room for signs: the cursor's row.
            let first = must.saturating_sub(height.saturating_sub(1));
            return Window {
                first,
                rows: height,
                above: false,
                below: false,
            };
        }
        // At the top: only the sign below.
        if end < height || (must + 1 < height && end - start >= height) {
            return Window {
                first: 0,
                rows: height - 1,
                above: false,
                below: true,
            };
        }
        // At the bottom: only the sign above.
        let rows = height - 1;
        let first = total - rows;
        if first <= start.min(must) || (first <= must && end - start > rows) {
            return Window {
                first,
                rows,
                above: true,
                below: false,
            };
        }
        // In between: both signs.
        let rows = height - 2;
        let mut first = end.saturating_sub(rows).max(1);
        if must < first {
            first = must;
        }
        Window {
            first: first.min(total - rows),
            rows,
            above: true,
            below: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_wraps_at_spaces_and_keeps_its_characters() {
        assert_eq!(wrap("un deux trois", 7), ["un deux", "trois"]);
        assert_eq!(wrap("un deux trois", 8), ["un deux", "trois"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("élève ▏", 5), ["élève", "▏"]);
        assert_eq!(wrap("a  b", 10), ["a  b"]);
        for w in 1..12 {
            for l in wrap("Premier contact : médiane 2 j, 90 % sous 5 j", w) {
                assert!(l.width() <= w, "{l:?} in {w}");
            }
        }
    }

    #[test]
    fn items_stay_whole_on_their_line() {
        let items: Vec<String> = ["Téléphone 5", "E-mail 5", "Site web 4"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            wrap_items(&items, " · ", 22),
            ["Téléphone 5 · E-mail 5", "Site web 4"]
        );
        assert_eq!(wrap_items(&[], " · ", 10), [""]);
    }

    #[test]
    fn the_window_shows_the_focused_rows_with_signs_where_rows_are_hidden() {
        // Everything fits.
        assert_eq!(Window::around(5, 10, 4, 5, 4).first, 0);
        // Top: a sign below only.
        let w = Window::around(30, 10, 2, 4, 2);
        assert_eq!((w.first, w.rows, w.above, w.below), (0, 9, false, true));
        // Bottom: a sign above only, the last rows shown.
        let w = Window::around(30, 10, 28, 30, 28);
        assert_eq!((w.first, w.rows, w.above, w.below), (21, 9, true, false));
        // Middle: the focused part at the bottom of the window.
        let w = Window::around(30, 10, 14, 16, 14);
        assert_eq!((w.first, w.rows, w.above, w.below), (8, 8, true, true));
        // A part taller than the window: its cursor row is shown.
        let w = Window::around(40, 10, 5, 30, 7);
        assert!(w.first <= 7 && 7 < w.first + w.rows, "{w:?}");
        // Every focused row of every field is inside the window.
        for total in 1..40 {
            for height in 1..20 {
                for start in 0..total {
                    for end in start + 1..=total.min(start + 3) {
                        let w = Window::around(total, height, start, end, start);
                        assert!(w.rows <= height);
                        assert!(w.first + w.rows <= total);
                        if end - start <= height.saturating_sub(2) {
                            assert!(
                                w.first <= start && end <= w.first + w.rows,
                                "{total} {height} {start} {end}: {w:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
