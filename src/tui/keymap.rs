//! Keymaps are files: `keymaps/{default,vim,emacs}.toml` are embedded in the
//! binary; `$XDG_CONFIG_HOME/beian/keymap.toml` picks a preset and overrides it
//! key by key per scope. Each table is a scope (`global`, `queue`, `plans`,
//! `tests`, `archive`, `reports`) mapping a key (`a`, `ctrl-r`, `g g`) to a command name
//! from the registry, or to `no_op` to unbind it.
//!
//! Problems (unparsable keys, unknown commands, a key that is also the start of a
//! longer sequence) are collected as [`KeymapIssue`]s naming file and line; the
//! UI shows them at start and `beian keymap check` exits non-zero on them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Layer, Pane, Scope};

/// Read a keymap file, refusing one larger than [`MAX_FILE`] before reading it whole.
fn read_bounded(p: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(p)?;
    let mut text = String::new();
    f.take(MAX_FILE as u64 + 1).read_to_string(&mut text)?;
    Ok(text)
}

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const VIM: &str = include_str!("../../keymaps/vim.toml");
pub const EMACS: &str = include_str!("../../keymaps/emacs.toml");

/// The shipped presets by name.
pub const PRESETS: [(&str, &str); 3] = [("default", DEFAULT), ("vim", VIM), ("emacs", EMACS)];

/// One key press, normalised: full-width `？：／` are their ASCII selves, and
/// shift is folded into the character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` restricted to what keymaps can name, with an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Insert,
}

/// Full-width punctuation typed with a Chinese input method acts as ASCII.
pub fn fold_fullwidth(c: char) -> char {
    match c {
        '？' => '?',
        '：' => ':',
        '／' => '/',
        '【' => '[',
        '】' => ']',
        '　' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        let code = match e.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(fold_fullwidth(c)),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Insert => KeyCodeOrd::Insert,
            _ => return None,
        };
        let mut ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let alt = e.modifiers.contains(KeyModifiers::ALT);
        // Ctrl-letter arrives lower-case; a control character (e.g. from some terminals) too.
        let code = match code {
            KeyCodeOrd::Char(c) if ctrl => KeyCodeOrd::Char(c.to_ascii_lowercase()),
            KeyCodeOrd::Char(c) if (c as u32) < 0x20 => {
                ctrl = true;
                KeyCodeOrd::Char((c as u8 + b'a' - 1) as char)
            }
            other => other,
        };
        Some(Key { code, ctrl, alt })
    }

    /// Parse one key: `a`, `A`, `?`, `ctrl-r`, `alt-x`, `enter`, `esc`, `tab`,
    /// `backtab`, `space`, `up`, `pgdown`, `f1`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").or_else(|| rest.strip_prefix("C-")) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").or_else(|| rest.strip_prefix("M-")) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" | "ret" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" | "shift-tab" => KeyCodeOrd::BackTab,
            "backspace" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "space" => KeyCodeOrd::Char(' '),
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pgup" | "pageup" => KeyCodeOrd::PageUp,
            "pgdown" | "pagedown" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "insert" => KeyCodeOrd::Insert,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) => {
                KeyCodeOrd::F(f[1..].parse().ok()?)
            }
            c => {
                let mut chars = c.chars();
                let ch = chars.next()?;
                if chars.next().is_some() || ch.is_control() {
                    return None;
                }
                let ch = fold_fullwidth(ch);
                KeyCodeOrd::Char(if ctrl { ch.to_ascii_lowercase() } else { ch })
            }
        };
        Some(Key { code, ctrl, alt })
    }

    /// How the key is written in keymap files and help.
    pub fn display(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "space".to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::F(n) => format!("f{n}"),
            KeyCodeOrd::Enter => "enter".into(),
            KeyCodeOrd::Esc => "esc".into(),
            KeyCodeOrd::Tab => "tab".into(),
            KeyCodeOrd::BackTab => "backtab".into(),
            KeyCodeOrd::Backspace => "backspace".into(),
            KeyCodeOrd::Delete => "delete".into(),
            KeyCodeOrd::Up => "up".into(),
            KeyCodeOrd::Down => "down".into(),
            KeyCodeOrd::Left => "left".into(),
            KeyCodeOrd::Right => "right".into(),
            KeyCodeOrd::PageUp => "pgup".into(),
            KeyCodeOrd::PageDown => "pgdown".into(),
            KeyCodeOrd::Home => "home".into(),
            KeyCodeOrd::End => "end".into(),
            KeyCodeOrd::Insert => "insert".into(),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("ctrl-");
        }
        if self.alt {
            s.push_str("alt-");
        }
        s + &base
    }
}

/// A key sequence, e.g. `g g`.
pub type Seq = Vec<Key>;

pub fn parse_seq(s: &str) -> Option<Seq> {
    let keys: Option<Vec<Key>> = s.split_whitespace().map(Key::parse).collect();
    keys.filter(|k| !k.is_empty() && k.len() <= 3)
}

pub fn display_seq(seq: &[Key]) -> String {
    seq.iter().map(Key::display).collect::<Vec<_>>().join(" ")
}

/// A problem found in a keymap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapIssue {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for KeymapIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Section names and file names come from the file: shown, not obeyed.
        use crate::sanitize::visible_line;
        write!(
            f,
            "{}:{}: {}",
            visible_line(&self.file),
            self.line,
            visible_line(&self.message)
        )
    }
}

/// The resolved bindings.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: HashMap<Scope, BTreeMap<Seq, Action>>,
}

/// What a key press means so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Action(Action),
    /// The keys are the start of a longer sequence.
    Pending,
    None,
}

type RawFile = BTreeMap<String, toml::Value>;

/// The largest keymap file read (a real one is a few kilobytes).
pub const MAX_FILE: usize = 64 * 1024;

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].lines().count().max(1)
}

impl Keymap {
    /// The preset named by the user file (or `default`), then the user file's bindings.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Vec<KeymapIssue>) {
        let mut issues = Vec::new();
        let user = user_file.and_then(|p| match read_bounded(p) {
            Ok(t) => Some((p.display().to_string(), t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                issues.push(KeymapIssue {
                    file: p.display().to_string(),
                    line: 0,
                    message: e.to_string(),
                });
                None
            }
        });
        let preset = user
            .as_ref()
            .and_then(|(_, t)| toml::from_str::<RawFile>(t).ok())
            .and_then(|f| f.get("preset").and_then(|v| v.as_str().map(String::from)))
            .unwrap_or_else(|| "default".into());
        let mut map = Keymap::default();
        let preset_text = match PRESETS.iter().find(|(n, _)| *n == preset) {
            Some((_, t)) => t,
            None => {
                issues.push(KeymapIssue {
                    file: user.as_ref().map(|(f, _)| f.clone()).unwrap_or_default(),
                    line: 1,
                    message: format!("unknown preset {preset:?}: default, vim or emacs"),
                });
                DEFAULT
            }
        };
        // Presets other than default build on it.
        if preset != "default" {
            issues.extend(map.merge("keymaps/default.toml", DEFAULT));
        }
        issues.extend(map.merge(&format!("keymaps/{preset}.toml"), preset_text));
        if let Some((name, text)) = &user {
            issues.extend(map.merge(name, text));
        }
        issues.extend(map.conflicts());
        (map, issues)
    }

    /// The default user keymap path: `$XDG_CONFIG_HOME/beian/keymap.toml`.
    pub fn user_path() -> Option<PathBuf> {
        use etcetera::BaseStrategy;
        etcetera::choose_base_strategy()
            .ok()
            .map(|s| s.config_dir().join("beian").join("keymap.toml"))
    }

    /// Apply one file's bindings over the current ones, key by key.
    pub fn merge(&mut self, file: &str, text: &str) -> Vec<KeymapIssue> {
        let mut issues = Vec::new();
        let issue = |line: usize, message: String| KeymapIssue {
            file: file.to_string(),
            line,
            message,
        };
        if text.len() > MAX_FILE {
            issues.push(issue(
                1,
                format!("the file is {} bytes; a keymap may have at most {MAX_FILE}", text.len()),
            ));
            return issues;
        }
        let doc: toml::Table = match text.parse::<toml::Table>() {
            Ok(d) => d,
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
                issues.push(issue(line, e.message().to_string()));
                return issues;
            }
        };
        // Line numbers of each `key = "command"` line, indexed once (the file is
        // read in one pass, however many keys it binds).
        let mut lines_of: HashMap<(String, String), usize> = HashMap::new();
        let mut section = String::new();
        for (i, l) in text.lines().enumerate() {
            let t = l.trim();
            if t.starts_with('[') {
                section = t.trim_matches(['[', ']', ' ']).to_string();
                lines_of.entry((section.clone(), String::new())).or_insert(i + 1);
            } else {
                let k = t.split('=').next().unwrap_or("").trim().trim_matches('"');
                lines_of.entry((section.clone(), k.to_string())).or_insert(i + 1);
            }
        }
        let find_line = |scope: &str, key: &str| -> usize {
            lines_of
                .get(&(scope.to_string(), key.to_string()))
                .copied()
                .unwrap_or(1)
        };
        for (scope_name, table) in &doc {
            if scope_name == "preset" {
                continue;
            }
            let Some(scope) = Scope::parse(scope_name) else {
                issues.push(issue(
                    find_line(scope_name, ""),
                    format!(
                        "unknown section [{scope_name}]: {}",
                        Scope::all().iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
                    ),
                ));
                continue;
            };
            let Some(table) = table.as_table() else {
                issues.push(issue(1, format!("[{scope_name}] must be a table of key = \"command\"")));
                continue;
            };
            for (key, cmd) in table {
                let line = find_line(scope_name, key);
                let Some(seq) = parse_seq(key) else {
                    issues.push(issue(line, format!("cannot read the key {key:?}")));
                    continue;
                };
                let Some(cmd) = cmd.as_str() else {
                    issues.push(issue(line, format!("the command for {key:?} must be a string")));
                    continue;
                };
                let entry = self.bindings.entry(scope).or_default();
                if cmd == "no_op" {
                    entry.remove(&seq);
                    continue;
                }
                match Action::from_name(cmd) {
                    Some(a)
                        if matches!(scope, Scope::Global | Scope::Layer(_)) && matches!(a.scope(), Scope::Global)
                            || a.scope() == scope =>
                    {
                        entry.insert(seq, a);
                    }
                    Some(a) => issues.push(issue(
                        line,
                        format!("{cmd} belongs to [{}], not [{scope_name}]", a.scope().name()),
                    )),
                    None => issues.push(issue(
                        line,
                        format!("unknown command {cmd:?} (see `beian keymap commands`)"),
                    )),
                }
            }
        }
        issues
    }

    /// A key bound alone and as the start of a sequence in the same scope (or
    /// the global scope and a pane) can never reach the sequence.
    fn conflicts(&self) -> Vec<KeymapIssue> {
        let mut out = Vec::new();
        for pane in Pane::ALL {
            let seqs: Vec<(&Seq, &Action)> = self
                .iter_scope(Scope::Global)
                .chain(self.iter_scope(Scope::Pane(pane)))
                .collect();
            for (a, act_a) in &seqs {
                for (b, act_b) in &seqs {
                    if a.len() < b.len() && b.starts_with(a) {
                        out.push(KeymapIssue {
                            file: "keymap".into(),
                            line: 0,
                            message: format!(
                                "in {}: {} ({}) hides {} ({})",
                                pane.as_str(),
                                display_seq(a),
                                act_a.name(),
                                display_seq(b),
                                act_b.name()
                            ),
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| a.message.cmp(&b.message));
        out.dedup();
        out
    }

    fn iter_scope(&self, scope: Scope) -> impl Iterator<Item = (&Seq, &Action)> {
        self.bindings.get(&scope).into_iter().flat_map(|m| m.iter())
    }

    /// What `keys` mean while the popup `layer` is on top: its own bindings first,
    /// then the global ones — except, in a popup that types, a printable key
    /// without ctrl or alt, which is typing.
    pub fn lookup_layer(&self, layer: Layer, keys: &[Key]) -> Lookup {
        let typing = |k: &Key| matches!(k.code, KeyCodeOrd::Char(_)) && !k.ctrl && !k.alt;
        let scopes: &[Scope] = if layer.types() && keys.first().is_some_and(typing) {
            &[Scope::Layer(layer)]
        } else {
            &[Scope::Layer(layer), Scope::Global]
        };
        for scope in scopes {
            if let Some(a) = self.bindings.get(scope).and_then(|m| m.get(keys)) {
                return Lookup::Action(*a);
            }
        }
        let pending = scopes
            .iter()
            .filter_map(|s| self.bindings.get(s))
            .any(|m| m.keys().any(|seq| seq.len() > keys.len() && seq.starts_with(keys)));
        if pending {
            Lookup::Pending
        } else {
            Lookup::None
        }
    }

    /// The keys bound to `action` in the popup `layer` (its own, then global ones it does not hide).
    pub fn keys_in_layer(&self, layer: Layer, action: Action) -> Vec<String> {
        let mut keys: Vec<Seq> = Vec::new();
        for scope in [Scope::Layer(layer), Scope::Global] {
            for (seq, a) in self.iter_scope(scope) {
                let hidden = scope == Scope::Global
                    && (self
                        .bindings
                        .get(&Scope::Layer(layer))
                        .is_some_and(|m| m.contains_key(seq))
                        || layer.types()
                            && seq.len() == 1
                            && !seq[0].ctrl
                            && !seq[0].alt
                            && matches!(seq[0].code, KeyCodeOrd::Char(_)));
                if *a == action && !hidden && !keys.contains(seq) {
                    keys.push(seq.clone());
                }
            }
        }
        keys.sort_by_key(|s| (s.len(), display_seq(s)));
        keys.iter().map(|s| display_seq(s)).collect()
    }

    /// What `keys` (pressed in this order) mean in `pane`: the pane's bindings first, then global.
    pub fn lookup(&self, pane: Pane, keys: &[Key]) -> Lookup {
        for scope in [Scope::Pane(pane), Scope::Global] {
            if let Some(m) = self.bindings.get(&scope) {
                if let Some(a) = m.get(keys) {
                    return Lookup::Action(*a);
                }
            }
        }
        let pending = [Scope::Pane(pane), Scope::Global]
            .iter()
            .filter_map(|s| self.bindings.get(s))
            .any(|m| m.keys().any(|seq| seq.len() > keys.len() && seq.starts_with(keys)));
        if pending {
            Lookup::Pending
        } else {
            Lookup::None
        }
    }

    /// The keys bound to `action` as seen from `pane`, shortest first.
    pub fn keys_for(&self, pane: Pane, action: Action) -> Vec<String> {
        let mut keys: Vec<Seq> = Vec::new();
        for scope in [Scope::Pane(pane), Scope::Global] {
            for (seq, a) in self.iter_scope(scope) {
                if *a == action && !keys.contains(seq) {
                    // A pane binding shadows the same key bound globally.
                    let shadowed = scope == Scope::Global
                        && self
                            .bindings
                            .get(&Scope::Pane(pane))
                            .is_some_and(|m| m.contains_key(seq));
                    if !shadowed {
                        keys.push(seq.clone());
                    }
                }
            }
        }
        keys.sort_by_key(|s| (s.len(), display_seq(s)));
        keys.iter().map(|s| display_seq(s)).collect()
    }

    /// Every binding visible in `pane`: (keys, action), in registry order.
    pub fn bindings_for(&self, pane: Pane) -> Vec<(String, Action)> {
        Action::ALL
            .iter()
            .filter(|a| a.applies_in(pane))
            .filter_map(|a| {
                let k = self.keys_for(pane, *a);
                (!k.is_empty()).then(|| (k.join(", "), *a))
            })
            .collect()
    }
}

/// The key tables of the user guide: for each pane, its keys from the default
/// keymap with the command name and description, as Markdown in the current
/// language. `tests/user_guide.rs` checks docs/user-guide.md contains exactly this.
pub fn guide_markdown() -> String {
    let mut m = Keymap::default();
    m.merge("keymaps/default.toml", DEFAULT);
    let t = |k: &str| crate::i18n::t(k, &[]);
    let mut out = String::new();
    for pane in Pane::ALL {
        out.push_str(&format!("\n#### {} ({})\n\n", pane.title(), pane.number()));
        out.push_str(&format!(
            "| {} | {} | {} |\n|---|---|---|\n",
            t("cli.keymap.keys"),
            t("cli.keymap.command"),
            t("cli.col.description")
        ));
        for (keys, a) in m
            .bindings_for(pane)
            .into_iter()
            .filter(|(_, a)| a.scope() == Scope::Pane(pane))
        {
            out.push_str(&format!(
                "| `{}` | `{}` | {} |\n",
                keys.replace('|', "\\|"),
                a.name(),
                a.describe()
            ));
        }
    }
    out.push_str(&format!("\n#### {}\n\n", t("tui.help.scope.global")));
    out.push_str(&format!(
        "| {} | {} | {} |\n|---|---|---|\n",
        t("cli.keymap.keys"),
        t("cli.keymap.command"),
        t("cli.col.description")
    ));
    for (keys, a) in m
        .bindings_for(Pane::Queue)
        .into_iter()
        .filter(|(_, a)| a.scope() == Scope::Global)
    {
        out.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            keys.replace('|', "\\|"),
            a.name(),
            a.describe()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_keymaps_parse_without_issues() {
        for (name, text) in PRESETS {
            let mut m = Keymap::default();
            if name != "default" {
                assert!(m.merge("default", DEFAULT).is_empty());
            }
            let issues = m.merge(name, text);
            assert!(issues.is_empty(), "{name}: {issues:?}");
            let c = m.conflicts();
            assert!(c.is_empty(), "{name}: {c:?}");
            // Every global command and every pane command is reachable by some key.
            for pane in Pane::ALL {
                let keyed = |a: &&Action| !super::super::action::PALETTE_ONLY.contains(a);
                for a in Action::ALL.iter().filter(|a| a.applies_in(pane)).filter(keyed) {
                    assert!(
                        !m.keys_for(pane, *a).is_empty(),
                        "{name}: {} has no key in {}",
                        a.name(),
                        pane.as_str()
                    );
                }
            }
            // Every popup can be moved in, accepted and left, and its own commands have keys.
            for layer in Layer::ALL {
                let needs: &[Action] = match layer {
                    Layer::Help | Layer::Message => &[Action::Down, Action::Up, Action::PageDown, Action::Back],
                    Layer::Palette => &[Action::Down, Action::Up, Action::Open, Action::Back],
                    Layer::Prompt => &[Action::Open, Action::Back],
                    Layer::Confirm => &[Action::ConfirmYes, Action::ConfirmNo],
                    Layer::Form => &[Action::Back],
                };
                let own = Action::ALL.iter().filter(|a| a.scope() == Scope::Layer(layer));
                for a in needs.iter().chain(own) {
                    assert!(
                        !m.keys_in_layer(layer, *a).is_empty(),
                        "{name}: {} has no key in the {} popup",
                        a.name(),
                        layer.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn fullwidth_and_keys() {
        assert_eq!(Key::parse("？"), Key::parse("?"));
        assert_eq!(Key::parse("ctrl-R").unwrap().display(), "ctrl-r");
        assert!(Key::parse("ctrl-").is_none());
        assert!(parse_seq("g g").is_some());
    }

    #[test]
    fn broken_user_file_names_the_line() {
        let mut m = Keymap::default();
        m.merge("default", DEFAULT);
        let issues = m.merge(
            "user.toml",
            "[queue]\na = \"queue.accept\"\n\"ctrl-\" = \"queue.reject\"\nz = \"no.such\"\n",
        );
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert_eq!(issues[0].line, 3);
        assert!(issues[1].message.contains("unknown command"));
        assert_eq!(issues[1].line, 4);
    }
}
