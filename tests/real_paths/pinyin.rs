//! Issue 16 §6: a system named on the command line by the pinyin of its name
//! (`--system jwgl` for 教务管理系统), as the TUI's prompts take it; a literal
//! name still wins, and a pinyin key naming several systems says which.

use super::cli::Demo;

#[test]
fn system_options_take_the_pinyin_of_a_name() {
    let d = Demo::new();
    for args in [["archive", "list", "--system"], ["request", "list", "--system"]] {
        let by = |key: &str| d.ok("zhangwei", &[args[0], args[1], args[2], key]);
        let named = by("教务管理系统");
        assert!(named.contains("教务管理系统"), "{args:?}: {named}");
        // Initials, full syllables and a mix name the same system.
        for key in ["jwgl", "jiaowuguanli", "jiaowgl", "JWGL"] {
            assert_eq!(by(key), named, "{args:?} --system {key}");
        }
    }
    // A key that names several systems by pinyin (every 管理系统) names them.
    let many = d.refused("zhangwei", &["archive", "list", "--system", "glxt"]);
    assert!(many.contains("教务管理系统") && many.contains("财务管理系统"), "{many}");
    // Nothing by that pinyin: not found, naming the key.
    let none = d.refused("zhangwei", &["archive", "list", "--system", "qqqq"]);
    assert!(none.contains("qqqq"), "{none}");
}
