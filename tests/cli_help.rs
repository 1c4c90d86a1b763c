//! Every piece of CLI help exists in Chinese: each command's about and each
//! argument's help has a `cli.help.*` key with a zh-CN text (src/cli/help_i18n.rs).

#[test]
fn every_help_text_has_a_chinese_translation() {
    let keys = beian::cli::help_keys();
    assert!(keys.len() > 100, "{} help texts", keys.len());
    let missing: Vec<String> = keys
        .iter()
        .filter(|(k, _)| !beian::i18n::has("zh-CN", k))
        .map(|(k, en)| format!("{k}\t{en}"))
        .collect();
    assert!(missing.is_empty(), "help without zh-CN text:\n{}", missing.join("\n"));
}
