//! The update notice as a document (§3.2 "when, what and the expected impact",
//! §4.2 arrangements and compensation for students): its own fields, its
//! language, a draft edited before publishing, and every publication kept —
//! first, corrected (after a return or a reschedule, saying what changed),
//! cancellation (when a plan whose notice was published is cancelled).
//!
//! The text is generated here, from the notice's fields, the window and the
//! milestones, in the plan's notice language whatever the language of the
//! person publishing it — never from the risk register, which is the IMC's
//! internal assessment.

use serde::{Deserialize, Serialize};

use super::{expect, RuleError, S};
use crate::model::{
    fmt_time, Milestones, NoticeDraft, NoticeField, NoticeLanguage, Plan, Publication, PublicationKind as K, System,
    Time, Window,
};
use crate::workflow::{non_empty, Ctx};

/// Statuses in which the notice's fields, language and draft may be edited:
/// until it is published, and again after a return or a reschedule (for the
/// corrected notice).
pub const NOTICE_EDITABLE: &[S] = &[S::Draft, S::Submitted, S::Approved, S::Returned];

/// One change to the notice document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum NoticeChange {
    /// Set a field; empty text clears it.
    Field {
        field: NoticeField,
        value: String,
    },
    Language {
        language: NoticeLanguage,
    },
    /// Save a draft text; none discards the draft (the generated text is published).
    Text {
        text: Option<String>,
    },
}

impl NoticeChange {
    pub fn name(&self) -> String {
        match self {
            NoticeChange::Field { field, .. } => field.as_str().to_string(),
            NoticeChange::Language { language } => format!("language {language}"),
            NoticeChange::Text { text: Some(_) } => "text".into(),
            NoticeChange::Text { text: None } => "text discarded".into(),
        }
    }
}

/// A key in the plan's notice language.
fn tl(p: &Plan, key: &str, args: &[(&str, String)]) -> String {
    crate::i18n::t_lang(p.notice_language.as_str(), key, args)
}

fn window_text(p: &Plan, w: Option<&Window>) -> String {
    match w {
        Some(w) => tl(
            p,
            "notice.doc.window",
            &[("start", fmt_time(w.start)), ("end", fmt_time(w.end))],
        ),
        None => tl(p, "notice.doc.no_window", &[]),
    }
}

/// Records from before publications were kept hold their notices in `notice`
/// and `withdrawn_notices`: move them into `publications` before adding one.
pub(crate) fn adopt_legacy(p: &mut Plan) {
    if p.has_legacy_notices() {
        p.publications = p.all_publications();
        p.withdrawn_notices.clear();
    }
}

/// The latest publication that announced the update (first or corrected).
pub fn last_announced(p: &Plan) -> Option<Publication> {
    p.all_publications()
        .into_iter()
        .rev()
        .find(|x| x.kind != K::Cancellation)
}

/// What publishing the notice now would be: the first, or a correction of one
/// published before.
pub fn next_kind(p: &Plan) -> K {
    if last_announced(p).is_some() {
        K::Corrected
    } else {
        K::First
    }
}

/// The subject line of a notice of `kind` about `system_name`'s update.
pub fn notice_subject(p: &Plan, system_name: &str, kind: K) -> String {
    tl(
        p,
        &format!("notice.doc.title.{kind}"),
        &[
            ("system", system_name.to_string()),
            ("title", p.title.clone()),
            ("from", p.version_from.clone()),
            ("to", p.version_to.clone()),
        ],
    )
}

/// The milestones that matter to users: the go-live time once fixed, the
/// planned training sessions.
fn milestone_lines(p: &Plan, m: &Milestones) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(g) = &m.golive {
        out.push(tl(p, "notice.doc.golive", &[("time", fmt_time(g.time))]));
    }
    if !m.training.is_empty() {
        let mut s = tl(p, "notice.doc.training", &[]);
        for tr in &m.training {
            let format = crate::i18n::t_lang(
                p.notice_language.as_str(),
                &format!("enum.TrainingFormat.{}", tr.format.as_str()),
                &[],
            );
            let detail = [tr.place.trim(), tr.audience.trim()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(&tl(p, "notice.doc.sep", &[]));
            s.push('\n');
            s.push_str(&tl(
                p,
                if detail.is_empty() {
                    "notice.doc.training_item_short"
                } else {
                    "notice.doc.training_item"
                },
                &[("date", tr.date.to_string()), ("format", format), ("detail", detail)],
            ));
        }
        out.push(s);
    }
    out
}

/// The text a publication of the notice would have now, generated from the
/// notice's fields, the window and the milestones, in the plan's notice
/// language: the first notice, or a correction that says what changed since
/// the last one (the window before and now).
pub fn generated_text(p: &Plan, sys: &System) -> String {
    let kind = next_kind(p);
    let info = &p.notice_info;
    let or = |v: &str, default: String| {
        if v.trim().is_empty() {
            default
        } else {
            v.trim().to_string()
        }
    };
    let mut parts = vec![notice_subject(p, &sys.name, kind)];
    if kind == K::Corrected {
        if let Some(last) = last_announced(p) {
            let published = fmt_time(last.published_at);
            let now = window_text(p, p.window.as_ref());
            parts.push(match &last.window {
                Some(old) if Some(old) != p.window.as_ref() => tl(
                    p,
                    "notice.doc.corrected_window",
                    &[
                        ("published", published),
                        ("old", window_text(p, Some(old))),
                        ("new", now),
                    ],
                ),
                Some(_) => tl(
                    p,
                    "notice.doc.corrected_same",
                    &[("published", published), ("new", now)],
                ),
                None => tl(
                    p,
                    "notice.doc.corrected_unknown",
                    &[("published", published), ("new", now)],
                ),
            });
        }
    }
    parts.push(tl(
        p,
        "notice.doc.intro",
        &[
            ("system", sys.name.clone()),
            ("from", p.version_from.clone()),
            ("to", p.version_to.clone()),
            ("window", window_text(p, p.window.as_ref())),
        ],
    ));
    if !p.content.trim().is_empty() {
        parts.push(tl(p, "notice.doc.content", &[("v", p.content.trim().to_string())]));
    }
    parts.push(tl(
        p,
        "notice.doc.services",
        &[("v", or(&info.services, sys.name.clone()))],
    ));
    if !info.user_groups.trim().is_empty() {
        parts.push(tl(
            p,
            "notice.doc.user_groups",
            &[("v", info.user_groups.trim().to_string())],
        ));
    }
    parts.push(tl(
        p,
        "notice.doc.impact",
        &[(
            "v",
            or(
                &info.impact,
                tl(p, "notice.doc.impact_default", &[("system", sys.name.clone())]),
            ),
        )],
    ));
    parts.extend(milestone_lines(p, &p.milestones));
    if !info.user_action.trim().is_empty() {
        parts.push(tl(
            p,
            "notice.doc.user_action",
            &[("v", info.user_action.trim().to_string())],
        ));
    }
    if !info.student_arrangements.trim().is_empty() {
        parts.push(tl(
            p,
            "notice.doc.students",
            &[("v", info.student_arrangements.trim().to_string())],
        ));
    }
    parts.push(tl(
        p,
        "notice.doc.contact",
        &[(
            "v",
            or(
                &info.contact,
                tl(
                    p,
                    "notice.doc.contact_default",
                    &[("department", sys.department.clone())],
                ),
            ),
        )],
    ));
    parts.push(tl(p, "notice.doc.signature", &[]));
    parts.join("\n\n")
}

/// The cancellation notice of a plan whose notice was published: the update
/// the last notice announced does not take place. In the plan's notice
/// language; made of the plan and its last publication only.
pub fn cancellation_text(p: &Plan, last: &Publication) -> String {
    let info = &p.notice_info;
    let w = last.window.as_ref().or(p.window.as_ref());
    let mut parts = vec![
        tl(p, "notice.doc.title.cancellation", &[("title", p.title.clone())]),
        tl(
            p,
            "notice.doc.cancelled",
            &[
                ("published", fmt_time(last.published_at)),
                ("title", p.title.clone()),
                ("from", p.version_from.clone()),
                ("to", p.version_to.clone()),
                ("window", window_text(p, w)),
            ],
        ),
    ];
    let contact = if info.contact.trim().is_empty() {
        tl(p, "notice.doc.contact_imc", &[])
    } else {
        info.contact.trim().to_string()
    };
    parts.push(tl(p, "notice.doc.contact", &[("v", contact)]));
    parts.push(tl(p, "notice.doc.signature", &[]));
    parts.join("\n\n")
}

// ===== the rules =====

/// Edit the notice document: its fields, its language, its draft text.
pub fn edit_notice(p: &mut Plan, changes: &[NoticeChange], ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, NOTICE_EDITABLE, "notice.draft")?;
    for c in changes {
        match c {
            NoticeChange::Field { field, value } => {
                *p.notice_info.field_mut(*field) = value.trim().to_string();
            }
            NoticeChange::Language { language } => p.notice_language = *language,
            NoticeChange::Text { text: Some(text) } => {
                p.notice_draft = Some(NoticeDraft {
                    text: non_empty(text, "notice.text")?,
                    by: ctx.actor.name.clone(),
                    at: ctx.now,
                    window: p.window.clone(),
                });
            }
            NoticeChange::Text { text: None } => p.notice_draft = None,
        }
    }
    Ok(())
}

/// The text a publication uses: the one given, else the draft (if it was
/// written for the window the plan has now).
fn publication_text(p: &Plan, text: Option<&str>) -> Result<String, RuleError> {
    if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(t.to_string());
    }
    match &p.notice_draft {
        Some(d) if d.window != p.window => Err(RuleError::NoticeDraftStale {
            plan: p.id.to_string(),
            drafted: d.window.as_ref().map(fmt_window).unwrap_or_default(),
            window: p.window.as_ref().map(fmt_window).unwrap_or_default(),
        }),
        Some(d) => Ok(d.text.clone()),
        None => Err(RuleError::Empty {
            field: "notice.text".into(),
        }),
    }
}

/// `2026-03-05 22:00 — 2026-03-06 06:00`.
pub fn fmt_window(w: &Window) -> String {
    format!("{} — {}", fmt_time(w.start), fmt_time(w.end))
}

/// Record a publication of the notice (first or corrected) and make it the
/// notice in force; the draft is used up.
pub(super) fn publish(p: &mut Plan, text: Option<&str>, audience: &str, ctx: &Ctx) -> Result<(), RuleError> {
    let text = publication_text(p, text)?;
    let audience = non_empty(audience, "notice.audience")?;
    adopt_legacy(p);
    let kind = next_kind(p);
    let previous_window = match kind {
        K::Corrected => last_announced(p).and_then(|x| x.window),
        _ => None,
    };
    let publication = Publication {
        kind,
        text,
        audience,
        published_at: ctx.now,
        published_by: ctx.actor.name.clone(),
        language: p.notice_language,
        window: p.window.clone(),
        previous_window,
        legacy: false,
    };
    p.notice = Some(publication.notice());
    p.publications.push(publication);
    p.notice_draft = None;
    Ok(())
}

/// The notice is no longer in force (the plan was returned or rescheduled);
/// its publication stays on record.
pub(super) fn withdraw(p: &mut Plan) {
    adopt_legacy(p);
    p.notice = None;
}

/// A plan whose notice was published is cancelled: publish the cancellation,
/// to the audience of the last notice, in the same step.
pub(super) fn publish_cancellation(p: &mut Plan, ctx: &Ctx) {
    let Some(last) = last_announced(p) else { return };
    adopt_legacy(p);
    let publication = Publication {
        kind: K::Cancellation,
        text: cancellation_text(p, &last),
        audience: last.audience.clone(),
        published_at: ctx.now,
        published_by: ctx.actor.name.clone(),
        language: p.notice_language,
        window: last.window.clone().or_else(|| p.window.clone()),
        previous_window: None,
        legacy: false,
    };
    p.publications.push(publication);
    p.notice = None;
    p.notice_draft = None;
}

/// When the latest publication went out, if any.
pub fn last_published_at(p: &Plan) -> Option<Time> {
    p.all_publications().last().map(|x| x.published_at)
}
