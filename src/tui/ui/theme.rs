//! Colours and borders in one place. `NO_COLOR` keeps only bold/reverse;
//! `--ascii` draws borders with `+-|` for terminals that draw box characters double-width.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::{bar, border};
use ratatui::widgets::{Block, Borders};

use super::super::state::State;

const ASCII_BARS: bar::Set<'static> = bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "#",
    five_eighths: "=",
    half: "=",
    three_eighths: "-",
    one_quarter: "-",
    one_eighth: ".",
    empty: " ",
};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
    ascii: bool,
}

impl Theme {
    pub fn of(s: &State) -> Theme {
        Theme {
            color: !s.theme.no_color,
            ascii: s.theme.ascii,
        }
    }
    fn c(&self, fg: Color) -> Style {
        if self.color {
            Style::default().fg(fg)
        } else {
            Style::default()
        }
    }
    pub fn tab(&self) -> Style {
        self.c(Color::Gray)
    }
    pub fn tab_active(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        self.c(Color::DarkGray)
    }
    pub fn warn(&self) -> Style {
        self.c(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.c(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.c(Color::Green)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn marked(&self) -> Style {
        self.c(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// A word of the search in a snippet or the open dossier (bold and
    /// underlined without colour too).
    pub fn matched(&self) -> Style {
        self.c(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn heading(&self) -> Style {
        self.c(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn status_user(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    /// The bars of charts and sparklines.
    pub fn bar(&self) -> Style {
        self.c(Color::Cyan)
    }
    /// A value drawn on its bar.
    pub fn bar_value(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Black).bg(Color::Cyan)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }
    /// Bar chart cells: block elements, or `#`, `=`, `-`, `.` with `--ascii`.
    pub fn bar_set(&self) -> bar::Set<'static> {
        if self.ascii {
            ASCII_BARS
        } else {
            bar::NINE_LEVELS
        }
    }
    /// Sparkline cells, the same way.
    pub fn spark_set(&self) -> bar::Set<'static> {
        self.bar_set()
    }
    /// A bordered block; the title is drawn without control or bidi characters.
    pub fn block(&self, title: &str) -> Block<'static> {
        let b = Block::default()
            .borders(Borders::ALL)
            .title(crate::sanitize::visible_line(title));
        if self.ascii {
            b.border_set(border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            })
        } else {
            b
        }
    }
}
