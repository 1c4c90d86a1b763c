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
    let mut s = crate::_rust_i18n_try_translate(&locale, key)
        .map(|c| c.to_string())
        .unwrap_or_else(|| key.to_string());
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
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
