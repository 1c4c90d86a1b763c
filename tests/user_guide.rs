//! docs/user-guide.md cannot drift from the keymap: its key tables (between the
//! `keys:LANG` markers) must be exactly what the default keymap and the command
//! registry produce. To regenerate after changing keys, run this test with
//! BEIAN_WRITE_GUIDE=1 and review the diff.

const GUIDE: &str = "docs/user-guide.md";

fn section(lang: &str) -> (String, String) {
    (
        format!("<!-- keys:{lang}:begin -->\n"),
        format!("<!-- keys:{lang}:end -->"),
    )
}

#[test]
fn key_tables_match_the_keymap_in_both_languages() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GUIDE);
    let mut text = std::fs::read_to_string(&path).unwrap();
    let mut stale = Vec::new();
    for lang in ["zh-CN", "en"] {
        beian::i18n::set(lang);
        let want = beian::tui::keymap::guide_markdown();
        let (begin, end) = section(lang);
        let a = text.find(&begin).unwrap_or_else(|| panic!("{GUIDE} lacks {begin}")) + begin.len();
        let b = a + text[a..].find(&end).unwrap_or_else(|| panic!("{GUIDE} lacks {end}"));
        if text[a..b] != want {
            stale.push(lang);
            text.replace_range(a..b, &want);
        }
    }
    if !stale.is_empty() && std::env::var_os("BEIAN_WRITE_GUIDE").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "{GUIDE}: key tables out of date for {stale:?}; run with BEIAN_WRITE_GUIDE=1"
    );
}
