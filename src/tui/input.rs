//! Text fields and pickers.
//!
//! A [`Field`] is ratatui-textarea underneath (it scrolls by display columns, so
//! long Chinese lines keep their cursor), with the screen position of the edit
//! point exposed so the real terminal cursor — and the input method's candidate
//! window — sits there. Its keys are readline's: `ctrl-a`/`ctrl-e` start and end of
//! the line, `ctrl-u`/`ctrl-k` delete to the start/end, `ctrl-w` the word before
//! (Chinese runs, ASCII words and punctuation are words of their own), `ctrl-y`
//! puts back what they deleted, `ctrl-z` (or `ctrl-_`) undoes and `ctrl-r` redoes.
//!
//! A [`Picker`] chooses one of a list of [`Choice`]s: typing filters them by
//! either language's label, the code or an alias; Up/Down (`ctrl-p`/`ctrl-n`)
//! choose among what is left. Its value is always one of the choices.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

/// A text field, one line or several.
#[derive(Debug, Clone)]
pub struct Field {
    pub area: TextArea<'static>,
    /// Enter inserts a line break (alt-enter); otherwise Enter submits.
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
    /// A field drawn on one row (a filter, a prompt): a long line scrolls sideways.
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
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        Field { area, multiline }
    }

    /// A field of a form: a long line wraps onto the rows below (the form gives a
    /// one-line field as many rows as its text needs) instead of scrolling out of sight.
    pub fn wrapping(text: &str, multiline: bool) -> Field {
        let mut f = Field::new(text, multiline);
        f.area.set_wrap_mode(WrapMode::Glyph);
        f
    }

    /// Does a long line wrap (rather than scroll sideways)?
    pub fn wraps(&self) -> bool {
        self.area.wrap_mode() != WrapMode::None
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Replace the text (the undo history goes with it).
    pub fn set_text(&mut self, text: &str) {
        let wraps = self.wraps();
        let placeholder = self.area.placeholder_text().to_string();
        *self = Field::new(text, self.multiline);
        if wraps {
            self.area.set_wrap_mode(WrapMode::Glyph);
        }
        if !placeholder.is_empty() {
            self.area.set_placeholder_text(placeholder);
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match (key.code, key.modifiers) {
            (KeyCode::Esc, _) => return Edit::Cancel,
            (KeyCode::Enter, m) if !self.multiline || m.contains(KeyModifiers::ALT) => {
                return if self.multiline {
                    self.area.insert_newline();
                    Edit::Changed
                } else {
                    Edit::Submit
                };
            }
            (KeyCode::Char('s'), _) if ctrl => return Edit::Submit,
            (KeyCode::Tab | KeyCode::BackTab, _) => return Edit::Ignored,
            (KeyCode::Up | KeyCode::Down, _) if !self.multiline => return Edit::Ignored,
            _ => {}
        }
        let before = self.area.lines().to_vec();
        match key.code {
            // readline: ctrl-u deletes to the start of the line (the text area would undo).
            KeyCode::Char('u') if ctrl && !alt => {
                self.area.delete_line_by_head();
            }
            // ctrl-z, and ctrl-_ (which terminals send as 0x1f: ctrl-7, or ctrl-/).
            KeyCode::Char('z' | '_' | '7' | '/') if ctrl && !alt => {
                self.area.undo();
            }
            KeyCode::Char('w') if ctrl && !alt => self.delete_word_before(),
            KeyCode::Backspace if alt && !ctrl => self.delete_word_before(),
            _ => {
                self.area.input(*key);
            }
        }
        if self.area.lines() != before.as_slice() {
            Edit::Changed
        } else {
            Edit::Moved
        }
    }

    /// readline's `ctrl-w`: delete back over spaces, then over one word — a run of
    /// Chinese characters, of ASCII letters and digits, or of punctuation. At the
    /// start of a line, join it to the line before.
    fn delete_word_before(&mut self) {
        let ratatui_textarea::DataCursor(row, col) = self.area.cursor();
        let chars: Vec<char> = self.area.lines()[row].chars().collect();
        let col = col.min(chars.len());
        if col == 0 {
            self.area.delete_char();
            return;
        }
        let mut start = col;
        while start > 0 && word_class(chars[start - 1]) == WordClass::Space {
            start -= 1;
        }
        if start > 0 {
            let class = word_class(chars[start - 1]);
            while start > 0 && word_class(chars[start - 1]) == class {
                start -= 1;
            }
        }
        let (Ok(r), Ok(c)) = (u16::try_from(row), u16::try_from(start)) else {
            self.area.delete_word();
            return;
        };
        self.area.move_cursor(CursorMove::Jump(r, c));
        self.area.delete_str(col - start);
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordClass {
    Space,
    /// ASCII (and other alphabetic) letters, digits and `_`.
    Word,
    /// Chinese, Japanese and Korean characters.
    Cjk,
    /// ASCII and full-width punctuation, symbols.
    Punct,
}

fn word_class(c: char) -> WordClass {
    let u = c as u32;
    if c.is_whitespace() {
        WordClass::Space
    } else if c == '_' {
        WordClass::Word
    } else if c.is_ascii_punctuation()
        || (0x3000..=0x303f).contains(&u)
        || (0xff00..=0xff0f).contains(&u)
        || (0xff1a..=0xff20).contains(&u)
        || (0xff3b..=0xff40).contains(&u)
        || (0xff5b..=0xff65).contains(&u)
        || (0x2010..=0x205e).contains(&u)
    {
        WordClass::Punct
    } else if (0x2e80..=0x9fff).contains(&u)
        || (0xac00..=0xd7af).contains(&u)
        || (0xf900..=0xfaff).contains(&u)
        || (0x20000..=0x3ffff).contains(&u)
    {
        WordClass::Cjk
    } else if c.is_alphanumeric() {
        WordClass::Word
    } else {
        WordClass::Punct
    }
}

/// One option of a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What is stored (`staff`, `SYS-2026-0001`, `yes`; empty for "none").
    pub code: String,
    /// The label in the user's language.
    pub label: String,
    /// Shown dimmed beside the label: the label in the other language, or a
    /// system's department.
    pub note: String,
    /// More words that find it (老师 for teacher), besides label, note and code.
    pub aliases: Vec<String>,
}

impl Choice {
    /// How well `query` (lower-cased, trimmed) finds this choice: 0 is an exact
    /// match of a label, code or alias, 1 a prefix, 2 a part; None no match.
    fn rank(&self, query: &str) -> Option<u8> {
        let words = [&self.label, &self.note, &self.code]
            .into_iter()
            .chain(self.aliases.iter())
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase());
        words
            .filter_map(|w| {
                if w == query {
                    Some(0)
                } else if w.starts_with(query) {
                    Some(1)
                } else if w.contains(query) {
                    Some(2)
                } else {
                    None
                }
            })
            .min()
    }

    /// Is `text` exactly this choice's code, a label or an alias (any case)?
    pub fn is(&self, text: &str) -> bool {
        self.rank(&text.trim().to_lowercase()) == Some(0)
    }
}

/// A choice field: the chosen code, and what is typed to find another.
#[derive(Debug, Clone)]
pub struct Picker {
    pub value: String,
    pub query: Field,
}

impl Picker {
    pub fn new(value: &str) -> Picker {
        Picker {
            value: value.trim().to_string(),
            query: Field::new("", false),
        }
    }

    /// The choices the query finds, best first (all of them, in order, for no query).
    pub fn matches(&self, options: &[Choice]) -> Vec<usize> {
        let q = self.query.text().trim().to_lowercase();
        if q.is_empty() {
            return (0..options.len()).collect();
        }
        let mut ranked: Vec<(u8, usize)> = options
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.rank(&q).map(|r| (r, i)))
            .collect();
        ranked.sort();
        ranked.into_iter().map(|(_, i)| i).collect()
    }

    /// The chosen option, if the value is one of them.
    pub fn chosen<'a>(&self, options: &'a [Choice]) -> Option<&'a Choice> {
        options.iter().find(|c| c.code == self.value)
    }

    /// Forget the query (when the field loses focus): the value stays.
    pub fn reset_query(&mut self) {
        if !self.query.text().is_empty() {
            self.query.set_text("");
        }
    }

    pub fn handle(&mut self, key: &KeyEvent, options: &[Choice]) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let step = match key.code {
            KeyCode::Up => Some(-1),
            KeyCode::Down => Some(1),
            KeyCode::Char('p') if ctrl => Some(-1),
            KeyCode::Char('n') if ctrl => Some(1),
            KeyCode::PageUp => Some(-5),
            KeyCode::PageDown => Some(5),
            _ => None,
        };
        if let Some(d) = step {
            return self.step(d, options);
        }
        match key.code {
            // Esc first forgets what was typed; with nothing typed it is the form's.
            KeyCode::Esc if !self.query.text().is_empty() => {
                self.reset_query();
                return Edit::Moved;
            }
            KeyCode::Esc => return Edit::Cancel,
            KeyCode::Enter => return Edit::Submit,
            KeyCode::Tab | KeyCode::BackTab => return Edit::Ignored,
            _ => {}
        }
        match self.query.handle(key) {
            Edit::Changed => {
                let before = self.value.clone();
                // The best match is chosen as you type; erasing the query keeps the choice.
                if !self.query.text().trim().is_empty() {
                    if let Some(&best) = self.matches(options).first() {
                        self.value = options[best].code.clone();
                    }
                }
                if self.value != before {
                    Edit::Changed
                } else {
                    Edit::Moved
                }
            }
            other => other,
        }
    }

    /// Move the choice `d` places among the matches.
    fn step(&mut self, d: isize, options: &[Choice]) -> Edit {
        let m = self.matches(options);
        if m.is_empty() {
            return Edit::Moved;
        }
        let at = m.iter().position(|&i| options[i].code == self.value);
        let next = match at {
            Some(p) => (p as isize + d).clamp(0, m.len() as isize - 1) as usize,
            None => 0,
        };
        let code = options[m[next]].code.clone();
        if code == self.value {
            return Edit::Moved;
        }
        self.value = code;
        Edit::Changed
    }

    /// Paste into the query.
    pub fn paste(&mut self, text: &str, options: &[Choice]) {
        self.query.paste(text);
        if let Some(&best) = self.matches(options).first() {
            self.value = options[best].code.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn typed(f: &mut Field, text: &str) {
        for c in text.chars() {
            f.handle(&k(KeyCode::Char(c)));
        }
    }
    /// The edit point in display columns, as the terminal cursor is placed.
    fn col(f: &Field) -> u16 {
        f.cursor_position(Rect::new(0, 0, 200, 3)).expect("cursor in view").x
    }

    #[test]
    fn readline_keys_on_chinese_text() {
        let mut f = Field::new("", false);
        typed(&mut f, "一卡通V2.4升级 消费机");
        // 一卡通 (6) V2.4 (4) 升级 (4) space (1) 消费机 (6)
        assert_eq!(col(&f), 21);
        assert_eq!(f.handle(&ctrl('a')), Edit::Moved);
        assert_eq!(col(&f), 0);
        assert_eq!(f.handle(&ctrl('e')), Edit::Moved);
        assert_eq!(col(&f), 21);
        // ctrl-w: the Chinese run before the cursor, then the space and 升级.
        assert_eq!(f.handle(&ctrl('w')), Edit::Changed);
        assert_eq!(f.text(), "一卡通V2.4升级 ");
        f.handle(&ctrl('w'));
        assert_eq!(f.text(), "一卡通V2.4");
        assert_eq!(col(&f), 10);
        f.handle(&ctrl('w'));
        assert_eq!(f.text(), "一卡通V2.");
        // ctrl-b twice, ctrl-k: to the end of the line.
        f.handle(&ctrl('b'));
        f.handle(&ctrl('b'));
        assert_eq!(col(&f), 7);
        f.handle(&ctrl('k'));
        assert_eq!(f.text(), "一卡通V");
        // ctrl-u: to the start of the line, from the middle.
        f.handle(&k(KeyCode::Left));
        assert_eq!(col(&f), 6);
        assert_eq!(f.handle(&ctrl('u')), Edit::Changed);
        assert_eq!(f.text(), "V");
        assert_eq!(col(&f), 0);
        // ctrl-y puts back what ctrl-u took.
        f.handle(&ctrl('y'));
        assert_eq!(f.text(), "一卡通V");
        // Undo: ctrl-z, and ctrl-_ as the terminal sends it (ctrl-7).
        f.handle(&ctrl('z'));
        assert_eq!(f.text(), "V");
        f.handle(&ctrl('7'));
        assert_eq!(f.text(), "一卡通V");
        f.handle(&ctrl('r'));
        assert_eq!(f.text(), "V");
    }

    #[test]
    fn ctrl_u_in_a_multi_line_field_clears_the_line_only() {
        let mut f = Field::wrapping("第一行\n第二行", true);
        assert_eq!(f.handle(&ctrl('u')), Edit::Changed);
        assert_eq!(f.text(), "第一行\n");
        // Full-width punctuation ends a word.
        let mut f = Field::new("已联系厂商，等待回复", false);
        f.handle(&ctrl('w'));
        assert_eq!(f.text(), "已联系厂商，");
        f.handle(&ctrl('w'));
        assert_eq!(f.text(), "已联系厂商");
    }

    fn options() -> Vec<Choice> {
        let c = |code: &str, label: &str, note: &str, aliases: &[&str]| Choice {
            code: code.into(),
            label: label.into(),
            note: note.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        };
        vec![
            c("teacher", "教师", "teacher", &["老师"]),
            c("student", "学生", "student", &["同学"]),
            c("staff", "职工", "staff", &["教职工"]),
            c("department", "部门", "department", &["院系"]),
        ]
    }

    #[test]
    fn typing_filters_and_chooses_never_appends() {
        let opts = options();
        let mut p = Picker::new("staff");
        for c in "老师".chars() {
            p.handle(&k(KeyCode::Char(c)), &opts);
        }
        assert_eq!(p.value, "teacher");
        assert_eq!(p.matches(&opts), vec![0]);
        // ctrl-u clears the query; all the options are back, the value stays.
        p.handle(&ctrl('u'), &opts);
        assert_eq!(p.matches(&opts).len(), 4);
        assert_eq!(p.value, "teacher");
        // Down, ctrl-n, ctrl-p: among all of them.
        assert_eq!(p.handle(&k(KeyCode::Down), &opts), Edit::Changed);
        assert_eq!(p.value, "student");
        p.handle(&ctrl('n'), &opts);
        assert_eq!(p.value, "staff");
        p.handle(&ctrl('p'), &opts);
        assert_eq!(p.value, "student");
        // The English code finds it too; a query that finds nothing keeps the value.
        for c in "dep".chars() {
            p.handle(&k(KeyCode::Char(c)), &opts);
        }
        assert_eq!(p.value, "department");
        p.handle(&k(KeyCode::Char('x')), &opts);
        assert_eq!(p.matches(&opts), Vec::<usize>::new());
        assert_eq!(p.value, "department");
        // Esc forgets the query first, then is the form's.
        assert_eq!(p.handle(&k(KeyCode::Esc), &opts), Edit::Moved);
        assert_eq!(p.query.text(), "");
        assert_eq!(p.handle(&k(KeyCode::Esc), &opts), Edit::Cancel);
        // A prefix finds the first of the choices it starts; more letters narrow it.
        let mut p = Picker::new("teacher");
        p.handle(&k(KeyCode::Char('s')), &opts);
        assert_eq!(p.value, "student", "prefix of student and staff: the first");
        p.handle(&k(KeyCode::Char('t')), &opts);
        p.handle(&k(KeyCode::Char('a')), &opts);
        assert_eq!(p.value, "staff");
    }
}
