//! Text fields: ratatui-textarea underneath (it scrolls by display columns, so
//! long Chinese lines keep their cursor), with the screen position of the edit
//! point exposed so the real terminal cursor — and the input method's candidate
//! window — sits there.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{TextArea, WrapMode};

/// A text field, one line or several.
#[derive(Debug, Clone)]
pub struct Field {
    pub area: TextArea<'static>,
    pub multiline: bool,
}

/// What a key did to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    /// Enter in a one-line field, or ctrl-s in a multi-line one.
    Submit,
    Cancel,
    Ignored,
}

impl Field {
    pub fn new(text: &str, multiline: bool) -> Field {
        let lines: Vec<String> = if multiline {
            crate::sanitize::clean(text).split('\n').map(String::from).collect()
        } else {
            vec![crate::sanitize::clean_line(text)]
        };
        let mut area = TextArea::new(lines);
        area.set_cursor_line_style(Style::default());
        area.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
        if multiline {
            area.set_wrap_mode(WrapMode::Glyph);
        }
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Field { area, multiline }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn set_text(&mut self, text: &str) {
        *self = Field::new(text, self.multiline);
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        match (key.code, key.modifiers) {
            (KeyCode::Esc, _) => Edit::Cancel,
            (KeyCode::Enter, m) if !self.multiline || m.contains(KeyModifiers::ALT) => {
                if self.multiline {
                    self.area.insert_newline();
                    Edit::Changed
                } else {
                    Edit::Submit
                }
            }
            (KeyCode::Char('s'), m) if m.contains(KeyModifiers::CONTROL) => Edit::Submit,
            (KeyCode::Tab | KeyCode::BackTab, _) => Edit::Ignored,
            (KeyCode::Up | KeyCode::Down, _) if !self.multiline => Edit::Ignored,
            _ => {
                let before = self.area.lines().to_vec();
                if self.area.input(*key) || self.area.lines() != before.as_slice() {
                    Edit::Changed
                } else {
                    Edit::Moved
                }
            }
        }
    }

    /// Insert pasted text (bracketed paste), cleaned of control characters.
    pub fn paste(&mut self, text: &str) {
        let text = if self.multiline {
            crate::sanitize::clean(text)
        } else {
            crate::sanitize::clean_line(text)
        };
        self.area.insert_str(text);
    }

    /// Where the terminal cursor goes when the field is drawn in `area`.
    pub fn cursor_position(&self, area: Rect) -> Option<Position> {
        let sc = self.area.screen_cursor();
        let (top, left) = self.area.scroll_offset();
        let row = sc.row.checked_sub(top as usize)?;
        let col = sc.col.checked_sub(left as usize)?;
        if row >= area.height as usize || col >= area.width as usize {
            return None;
        }
        Some(Position::new(area.x + col as u16, area.y + row as u16))
    }
}
