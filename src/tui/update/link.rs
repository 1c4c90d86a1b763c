//! Linking requests from the plan editor (the plans pane's `plan.link`, §3.1 →
//! §3.2): a picker over the requests that could serve the plan, filtered as
//! typed (fuzzy, as the palette), several marked with Tab; Enter links the
//! marked ones, or the one under the cursor. Each link is the same command as
//! linking from the queue (`request.link`), decided by the core; a request the
//! core will not link (still new, triaged or in joint review: it must be
//! accepted first) is listed with the core's reason and cannot be marked.

use crossterm::event::{KeyCode, KeyEvent};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::super::action::Action;
use super::super::input::Edit;
use super::super::state::*;
use super::super::worker::Job;
use super::Effect;
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

/// The statuses the picker lists: accepted (linkable), then those still to be
/// decided, which the core asks to accept first.
const LISTED: &[RequestStatus] = &[
    RequestStatus::Accepted,
    RequestStatus::New,
    RequestStatus::Triaged,
    RequestStatus::JointReview,
];

/// Open the picker for the plan shown in the plans pane.
pub fn open(s: &mut State, plan: Id) {
    let Some(p) = s.plans.all.iter().find(|p| p.id == plan) else {
        return;
    };
    let label = format!("{} {}", p.id, crate::sanitize::clean_line(&p.title));
    let system = p.system;
    s.popups.push(Popup::LinkPicker(LinkPicker {
        plan,
        system,
        label,
        query: Default::default(),
        cursor: Default::default(),
        marked: Vec::new(),
    }));
}

/// The rows the picker lists for its query, as indices into the queue's list:
/// accepted requests first, then the undecided ones; the plan's system first
/// within each, newest first. A query keeps the rows it finds (id, title,
/// department, system, status), best match first.
pub fn candidates(s: &State, p: &LinkPicker) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..s.queue.all.len())
        .filter(|&i| LISTED.contains(&s.queue.all[i].status))
        .collect();
    let rank = |r: &RequestSummary| {
        (
            LISTED.iter().position(|x| *x == r.status).unwrap_or(LISTED.len()) > 0,
            r.system != Some(p.system),
            std::cmp::Reverse(r.received_at),
        )
    };
    rows.sort_by_key(|&i| rank(&s.queue.all[i]));
    let q = p.query.text();
    if q.trim().is_empty() {
        return rows;
    }
    let pattern = Pattern::parse(&q, CaseMatching::Ignore, Normalization::Smart);
    let mut m = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize, usize)> = rows
        .into_iter()
        .enumerate()
        .filter_map(|(order, i)| {
            let r = &s.queue.all[i];
            let hay = format!(
                "{} {} {} {} {}",
                r.id,
                r.title,
                r.department,
                s.system_name(r.system),
                r.status.label()
            );
            pattern
                .score(Utf32Str::new(&hay, &mut buf), &mut m)
                .map(|sc| (sc, order, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, i)| i).collect()
}

/// Why the core will not link this request (it must be accepted first), or
/// None when it would.
pub fn refusal(r: &RequestSummary) -> Option<String> {
    crate::workflow::linkable(&crate::workflow::request_of_summary(r))
        .err()
        .map(|e| e.message())
}

/// Keys of the picker: typing filters, Tab marks (and moves on), the motions
/// move, Enter links, Esc clears the query, then closes.
pub fn key(s: &mut State, mut p: LinkPicker, action: Option<Action>, k: KeyEvent, fx: &mut Vec<Effect>) {
    let rows = candidates(s, &p);
    let n = rows.len();
    p.cursor.clamp(n);
    let under = rows.get(p.cursor.selected).map(|&i| s.queue.all[i].clone());
    match (k.code, action) {
        (KeyCode::Tab, _) => {
            if let Some(r) = &under {
                if let Some(pos) = p.marked.iter().position(|x| *x == r.id) {
                    p.marked.remove(pos);
                } else if let Some(why) = refusal(r) {
                    s.toast(why, true);
                } else {
                    p.marked.push(r.id);
                }
            }
            p.cursor.step(1, n);
        }
        (KeyCode::BackTab, _) => p.cursor.step(-1, n),
        (KeyCode::Esc, _) if !p.query.text().is_empty() => {
            p.query.set_text("");
            p.cursor.selected = 0;
        }
        (KeyCode::Esc, _) | (_, Some(Action::Back)) => return,
        (KeyCode::Enter, _) | (_, Some(Action::Open)) => {
            let ids: Vec<Id> = if p.marked.is_empty() {
                match &under {
                    Some(r) => match refusal(r) {
                        Some(why) => {
                            s.toast(why, true);
                            s.popups.push(Popup::LinkPicker(p));
                            return;
                        }
                        None => vec![r.id],
                    },
                    None => Vec::new(),
                }
            } else {
                p.marked.clone()
            };
            if ids.is_empty() {
                s.toast(t("tui.link.none", &[]), true);
                s.popups.push(Popup::LinkPicker(p));
                return;
            }
            let rev = |id: Id| s.queue.all.iter().find(|r| r.id == id).map(|r| r.rev);
            let cmds = ids
                .iter()
                .map(|id| (Command::RequestLink { id: *id, plan: p.plan }, rev(*id)))
                .collect();
            fx.push(Effect::Job(Job::ExecuteMany {
                cmds,
                label: t("tui.done.linked", &[]),
            }));
            return;
        }
        (_, Some(Action::Down)) if !is_text(&k) => p.cursor.step(1, n),
        (_, Some(Action::Up)) if !is_text(&k) => p.cursor.step(-1, n),
        (_, Some(Action::PageDown)) if !is_text(&k) => p.cursor.step(10, n),
        (_, Some(Action::PageUp)) if !is_text(&k) => p.cursor.step(-10, n),
        _ => match p.query.handle(&k) {
            Edit::Changed => p.cursor.selected = 0,
            Edit::Cancel => return,
            _ => {}
        },
    }
    s.popups.push(Popup::LinkPicker(p));
}

/// A key that types a character (never a motion while typing the query).
fn is_text(k: &KeyEvent) -> bool {
    matches!(k.code, KeyCode::Char(_))
        && !k
            .modifiers
            .intersects(crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT)
}

/// The joint review meetings (§3.1) as text to read: each with its day,
/// status, departments, requests, topic and the position it reached.
pub fn reviews_text(list: &[JointMeeting]) -> String {
    if list.is_empty() {
        return t("tui.reviews.none", &[]);
    }
    let mut out = Vec::new();
    for m in list.iter().rev() {
        out.push(format!(
            "{} {} · {} · {}",
            m.id,
            m.date,
            m.status_label(),
            m.departments.join("、")
        ));
        out.push(format!(
            "  {}: {}",
            t("cli.col.requests", &[]),
            m.requests.iter().map(Id::to_string).collect::<Vec<_>>().join(" ")
        ));
        out.push(format!("  {}: {}", t("cli.col.topic", &[]), m.topic));
        if let Some(p) = &m.position {
            out.push(format!("  {}: {}", t("cli.col.position", &[]), p.text));
        }
        out.push(String::new());
    }
    crate::sanitize::clean(out.join("\n").trim_end())
}

/// Show the list of joint reviews (the queue's `queue.reviews`).
pub fn show_reviews(s: &mut State, list: &[JointMeeting]) {
    s.popups.push(Popup::Message {
        title: t("tui.reviews.title", &[("n", list.len().to_string())]),
        text: reviews_text(list),
        scroll: 0,
    });
}
