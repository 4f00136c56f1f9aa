//! A text field: single- or multi-line, with a cursor. What the agent typed is never lost: the
//! forms keep their fields across errors and conflicts.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
    pub multiline: bool,
}

impl TextField {
    pub fn new(text: &str) -> Self {
        TextField {
            text: text.to_string(),
            cursor: text.chars().count(),
            multiline: false,
        }
    }

    pub fn multiline() -> Self {
        TextField {
            multiline: true,
            ..Default::default()
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = text.chars().count();
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts pasted text at the cursor; a single-line field gets its line breaks as spaces
    /// (three pasted lines into "Nom" do not run together). Returns whether the text changed.
    pub fn insert(&mut self, pasted: &str) -> bool {
        let text: String = if self.multiline {
            pasted.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            let joined: Vec<&str> = pasted
                .split(['\r', '\n'])
                .filter(|l| !l.trim().is_empty())
                .collect();
            joined.join(" ")
        };
        let text: String = text
            .chars()
            .filter(|c| *c == '\n' || !c.is_control())
            .collect();
        if text.is_empty() {
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &text);
        self.cursor += text.chars().count();
        true
    }

    /// Applies an editing key; returns whether the text changed.
    pub fn input(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let changed = !self.text.is_empty();
                self.set("");
                changed
            }
            KeyCode::Char('w') if ctrl => {
                let before: String = self.text.chars().take(self.cursor).collect();
                let trimmed = before.trim_end();
                let keep = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                let kept = trimmed[..keep].chars().count();
                let start = self.byte_at(kept);
                let end = self.byte_at(self.cursor);
                self.text.replace_range(start..end, "");
                self.cursor = kept;
                start != end
            }
            KeyCode::Char(c) if !ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
                true
            }
            KeyCode::Enter if self.multiline => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, '\n');
                self.cursor += 1;
                true
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
                true
            }
            KeyCode::Delete if self.cursor < self.text.chars().count() => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.text.chars().count());
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = self.text.chars().count();
                false
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_at_the_cursor_with_accents() {
        let mut f = TextField::new("Hélne");
        f.input(&k(KeyCode::Left));
        f.input(&k(KeyCode::Left));
        f.input(&k(KeyCode::Char('è')));
        assert_eq!(f.text(), "Hélène");
        f.input(&k(KeyCode::End));
        f.input(&k(KeyCode::Backspace));
        assert_eq!(f.text(), "Hélèn");
        f.input(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(f.text(), "");
    }

    #[test]
    fn enter_is_a_new_line_only_in_multiline_fields() {
        let mut one = TextField::new("a");
        assert!(!one.input(&k(KeyCode::Enter)));
        let mut many = TextField::multiline();
        many.input(&k(KeyCode::Char('a')));
        many.input(&k(KeyCode::Enter));
        many.input(&k(KeyCode::Char('b')));
        assert_eq!(many.text(), "a\nb");
    }

    #[test]
    fn a_paste_keeps_its_lines_apart() {
        let mut one = TextField::new("");
        one.insert("Dupont\nJean\r\n06 12 34 56 78\n");
        assert_eq!(one.text(), "Dupont Jean 06 12 34 56 78");
        let mut many = TextField::multiline();
        many.insert("ligne 1\r\nligne 2");
        assert_eq!(many.text(), "ligne 1\nligne 2");
    }
}
