//! Every user-facing string exists in both languages (locales/app.toml).

use std::collections::BTreeSet;
use std::path::Path;

use beian::i18n::{has, LANGS};
use beian::model::*;
use beian::workflow::PlanField;

fn table() -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/app.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `%{name}` placeholders of a message.
fn placeholders(s: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(i) = rest.find("%{") {
        rest = &rest[i + 2..];
        if let Some(j) = rest.find('}') {
            out.insert(&rest[..j]);
            rest = &rest[j + 1..];
        }
    }
    out
}

#[test]
fn every_key_has_both_languages_with_the_same_placeholders() {
    let table = table();
    let mut keys = 0;
    for (key, value) in &table {
        if key == "_version" {
            continue;
        }
        keys += 1;
        let entry = value.as_table().unwrap_or_else(|| panic!("{key} is not a table"));
        for lang in LANGS {
            let text = entry.get(lang).and_then(|v| v.as_str()).unwrap_or_default();
            assert!(!text.trim().is_empty(), "{key} has no {lang} text");
            assert!(
                has(lang, key),
                "{key} ({lang}) is in the file but not in the compiled table"
            );
        }
        let unknown: Vec<&String> = entry.keys().filter(|l| !LANGS.contains(&l.as_str())).collect();
        assert!(unknown.is_empty(), "{key} has texts for unknown languages {unknown:?}");
        let en = placeholders(entry["en"].as_str().unwrap());
        let zh = placeholders(entry["zh-CN"].as_str().unwrap());
        assert_eq!(en, zh, "{key}: the languages use different placeholders");
    }
    assert!(keys > 100, "only {keys} keys: is this the right file?");
}

/// Every value of every enum shown to users has a label in both languages.
#[test]
fn every_enum_value_has_a_label() {
    macro_rules! values {
        ($($ty:ident),+ $(,)?) => {
            vec![$((stringify!($ty), $ty::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())),+]
        };
    }
    let mut enums = values![
        RequestKind,
        SubmitterType,
        Channel,
        Priority,
        RequestStatus,
        PlanStatus,
        Level,
        Decision,
        TestCategory,
        TesterType,
        TestResult,
        Severity,
        DefectStatus,
        GoLiveOutcome,
        TrainingFormat,
        ChangeType,
        IncidentOutcome,
        GoalVerdict,
        OrderStatus,
        ReportStatus,
        RecognitionKind,
        Role,
        NoticeLanguage,
        PublicationKind,
        NoticeField,
        ChangeClass,
        TemplateStatus,
    ];
    let fields = [
        PlanField::Title,
        PlanField::Goals,
        PlanField::Content,
        PlanField::Approach,
        PlanField::EmergencyReason,
        PlanField::Window,
        PlanField::Staff,
        PlanField::Risks,
        PlanField::BackupPlan,
        PlanField::RollbackPlan,
    ];
    enums.push(("PlanField", fields.iter().map(|f| f.as_str()).collect()));
    let mut missing = Vec::new();
    for (ty, values) in &enums {
        assert!(!values.is_empty(), "{ty} has no values");
        for v in values {
            for lang in LANGS {
                let key = format!("enum.{ty}.{v}");
                if !has(lang, &key) {
                    missing.push(format!("{key} ({lang})"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "labels missing: {missing:#?}");
}

/// The English and Chinese labels of a status differ (a copy-paste would not).
#[test]
fn labels_are_translated() {
    let t = table();
    let same: Vec<&String> = t
        .iter()
        .filter(|(k, _)| k.starts_with("enum.PlanStatus.") || k.starts_with("enum.RequestStatus."))
        .filter(|(_, v)| v.get("en").and_then(|v| v.as_str()) == v.get("zh-CN").and_then(|v| v.as_str()))
        .map(|(k, _)| k)
        .collect();
    assert!(same.is_empty(), "not translated: {same:?}");
}

/// The keys the code names literally, `t("rule.forbidden", …)`, are all in the
/// table (a missing one shows the user the bare key).
#[test]
fn every_key_the_code_names_is_in_the_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut missing = BTreeSet::new();
    let mut seen = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for key in literal_keys(&text) {
            seen += 1;
            for lang in LANGS {
                if !has(lang, &key) {
                    missing.insert(format!("{key} ({lang}) in {}", f.display()));
                }
            }
        }
    }
    assert!(seen > 20, "found only {seen} literal keys: is the scan broken?");
    assert!(
        missing.is_empty(),
        "keys named in the code but missing from locales/app.toml: {missing:#?}"
    );
}

/// The string literals passed first to a function called `t`, that look like keys
/// (`word.word…`).
fn literal_keys(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = text[i..].find("t(") {
        let at = i + off;
        i = at + 2;
        let ident_before = at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_');
        if ident_before {
            continue;
        }
        let rest = text[i..].trim_start();
        let Some(rest) = rest.strip_prefix('"') else { continue };
        let Some(end) = rest.find('"') else { continue };
        let key = &rest[..end];
        let looks_like_key = key.contains('.')
            && !key.starts_with('.')
            && !key.ends_with('.')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if looks_like_key {
            out.push(key.to_string());
        }
    }
    out
}

#[test]
fn the_literal_key_scan_finds_keys() {
    let keys = literal_keys(
        "let a = t(\"rule.forbidden\", &[]); let b = crate::i18n::t(\n  \"error.io\", x); format!(\"x\"); split(\"a.b\");",
    );
    assert_eq!(keys, vec!["rule.forbidden", "error.io"]);
}

/// Every kind of the attention list (issue 17 §1) has its label and its text in
/// both languages, and the text of a kind with a deadline, once overdue, too.
#[test]
fn every_attention_kind_has_its_label_and_text() {
    use beian::workflow::AttentionKind;
    let mut missing = Vec::new();
    for k in AttentionKind::ALL {
        let mut keys = vec![
            format!("attention.kind.{}", k.as_str()),
            format!("attention.why.{}", k.as_str()),
        ];
        if matches!(k, AttentionKind::NoticeDue | AttentionKind::ReviewMissing) {
            keys.push(format!("attention.why.{}_overdue", k.as_str()));
        }
        for key in keys {
            for lang in LANGS {
                if !has(lang, &key) {
                    missing.push(format!("{key} ({lang})"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
