//! Every user-facing string, in zh-CN and en (`locales/app.toml`).
//!
//! The language comes from `--lang`, else `BEIAN_LANG`, else the locale of the
//! environment (`LC_ALL`, `LC_MESSAGES`, `LANG`): Chinese locales get zh-CN, the rest en.

/// The languages beian speaks.
pub const LANGS: [&str; 2] = ["zh-CN", "en"];

/// Pick the language from an explicit choice or the environment.
pub fn init(explicit: Option<&str>) {
    let lang = explicit
        .map(str::to_string)
        .or_else(|| std::env::var("BEIAN_LANG").ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        })
        .or_else(sys_locale::get_locale)
        .unwrap_or_default();
    rust_i18n::set_locale(normalize(&lang));
}

/// `zh_CN.UTF-8`, `zh-Hans`, `zh` → zh-CN; everything else → en.
pub fn normalize(lang: &str) -> &'static str {
    if lang.to_ascii_lowercase().starts_with("zh") {
        "zh-CN"
    } else {
        "en"
    }
}

pub fn current() -> String {
    rust_i18n::locale().to_string()
}

pub fn set(lang: &str) {
    rust_i18n::set_locale(normalize(lang));
}

/// Look a key up in the current language, substituting `%{name}` placeholders.
/// A key missing from the table comes back as the key itself (and a test fails).
pub fn t(key: &str, args: &[(&str, String)]) -> String {
    let locale = rust_i18n::locale();
    let template = crate::_rust_i18n_try_translate(&locale, key)
        .map(|c| c.to_string())
        .unwrap_or_else(|| key.to_string());
    fill(&template, args)
}

/// Substitute `%{name}` placeholders in one pass over the template: a value is
/// never read again, so text typed by a user that happens to contain `%{when}`
/// stays as typed.
fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find("%{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}').and_then(|j| {
            let name = &after[..j];
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| (j, v))
        }) {
            Some((j, value)) => {
                out.push_str(value);
                rest = &after[j + 1..];
            }
            None => {
                out.push_str("%{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `key` in `lang` (not the current language), if the table has it.
pub fn t_in(lang: &str, key: &str) -> Option<String> {
    crate::_rust_i18n_try_translate(lang, key).map(|c| c.to_string())
}

/// `key` in `lang` (not the current language), with `%{name}` placeholders
/// filled: a document written in its own language whoever produces it (the
/// update notice). A key missing in `lang` comes back as the key itself.
pub fn t_lang(lang: &str, key: &str, args: &[(&str, String)]) -> String {
    let template = crate::_rust_i18n_try_translate(lang, key)
        .map(|c| c.to_string())
        .unwrap_or_else(|| key.to_string());
    fill(&template, args)
}

/// Does the table have `key` in `lang`?
pub fn has(lang: &str, key: &str) -> bool {
    crate::_rust_i18n_try_translate(lang, key).is_some()
}

/// The label of an enum value, e.g. `enum.PlanStatus.draft` → 草稿.
pub fn enum_label(ty: &str, value: &str) -> String {
    t(&format!("enum.{ty}.{value}"), &[])
}

/// Join items with the language's list separator.
pub fn list(items: impl Iterator<Item = String>) -> String {
    let sep = if rust_i18n::locale().starts_with("zh") {
        "、"
    } else {
        ", "
    };
    items.collect::<Vec<_>>().join(sep)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_filled_once() {
        let args = [("who", "%{when}".to_string()), ("when", "12:00".to_string())];
        assert_eq!(super::fill("%{who} at %{when}", &args), "%{when} at 12:00");
        assert_eq!(super::fill("%{x} 100%{", &args), "%{x} 100%{");
    }
}
