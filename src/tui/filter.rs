//! The queue filter: `status:new system:教务 channel:email` field filters plus
//! fuzzy words (nucleo-matcher) over id, title, department, system and tags.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::model::RequestSummary;

#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub fields: Vec<(String, String)>,
    pub words: String,
}

pub fn parse(q: &str) -> Parsed {
    let mut p = Parsed::default();
    let mut words = Vec::new();
    for tok in crate::search::normalize(q).split(' ').filter(|t| !t.is_empty()) {
        match tok.split_once(':') {
            Some((k, v)) if !k.is_empty() && !v.is_empty() && FIELDS.contains(&k) => {
                p.fields.push((k.to_string(), v.to_string()))
            }
            _ => words.push(tok.to_string()),
        }
    }
    p.words = words.join(" ");
    p
}

pub const FIELDS: &[&str] = &[
    "status",
    "system",
    "channel",
    "kind",
    "dept",
    "department",
    "tag",
    "priority",
    "plan",
];

/// Indices of `rows` that match `q`, best fuzzy matches first when there are words.
pub fn apply(rows: &[RequestSummary], system_name: impl Fn(&RequestSummary) -> String, q: &str) -> Vec<usize> {
    let p = parse(q);
    let field_ok = |r: &RequestSummary| {
        p.fields.iter().all(|(k, v)| {
            let has = |s: &str| crate::search::normalize(s).contains(v.as_str());
            match k.as_str() {
                "status" => has(r.status.as_str()) || has(&r.status.label()),
                "system" => has(&system_name(r)),
                "channel" => has(r.channel.as_str()) || has(&r.channel.label()),
                "kind" => has(r.kind.as_str()) || has(&r.kind.label()),
                "dept" | "department" => has(&r.department),
                "tag" => r.tags.iter().any(|t| has(t)),
                "priority" => has(r.priority.as_str()) || has(&r.priority.label()),
                "plan" => r.plan.is_some_and(|p| has(&p.to_string())),
                _ => true,
            }
        })
    };
    let candidates: Vec<usize> = (0..rows.len()).filter(|&i| field_ok(&rows[i])).collect();
    if p.words.is_empty() {
        return candidates;
    }
    let pattern = Pattern::parse(&p.words, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize)> = candidates
        .into_iter()
        .filter_map(|i| {
            let r = &rows[i];
            let hay = format!(
                "{} {} {} {} {}",
                r.id,
                r.title,
                r.department,
                system_name(r),
                r.tags.join(" ")
            );
            pattern
                .score(Utf32Str::new(&hay, &mut buf), &mut matcher)
                .map(|s| (s, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}
