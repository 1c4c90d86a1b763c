//! Which actions the current record allows, as the core answers it: the status
//! bar shows these, and a prompt or confirmation opens only for them. The UI
//! keeps no table of its own: each action names the step it takes
//! ([`Action::step`]) and the core's offers ([`crate::workflow::Offers`]) say
//! whether that step is open to this user on this record now, and if not, why.

use super::super::action::{Action, Pane};
use super::super::state::State;
use crate::model::Actor;
use crate::workflow::Offers;

/// The actor the UI runs as, for the decisions taken here.
fn actor(s: &State) -> Actor {
    Actor::new(s.user.clone(), &s.roles)
}

/// The core's offers for the current record of the pane; `None` while the
/// record (or its gates) is still being loaded, or when there is none.
pub fn current(s: &State) -> Option<Offers> {
    match s.pane {
        Pane::Queue => {
            let actor = actor(s);
            let ctx = crate::workflow::Ctx {
                actor: &actor,
                now: chrono::Utc::now(),
                rules: Default::default(),
                on_behalf_of: None,
            };
            let rows = super::queue::target_rows(s);
            if rows.is_empty() {
                return None;
            }
            // Marked requests: a step is offered when it is open on any of them
            // (the core decides each; the prompt lists them all).
            let mut all: Vec<Offers> = rows
                .iter()
                .map(|r| match s.queue.detail.as_ref().filter(|d| d.id == r.id) {
                    Some(full) => crate::workflow::request_offers(full, &ctx),
                    None => crate::workflow::summary_offers(r, &ctx),
                })
                .collect();
            let mut first = all.remove(0);
            for other in all {
                for o in &mut first.0 {
                    if o.refusal.is_some() && other.offered(&o.step) {
                        o.refusal = None;
                    }
                }
            }
            Some(first)
        }
        Pane::Plans => {
            // Only once the selected plan's own gates are in.
            let sel = super::plans::selected(s)?.id;
            s.plans.detail.as_ref().filter(|p| p.id == sel)?;
            s.plans.detail_gates.as_ref().map(|g| g.offers.clone())
        }
        Pane::Tests => s
            .tests
            .plan
            .as_ref()
            .and(s.tests.gates.as_ref())
            .map(|g| g.offers.clone()),
        Pane::Supervision => super::supervision::offers(s),
        Pane::Templates => {
            let sel = super::templates::selected(s)?.id;
            s.templates.detail.as_ref().filter(|x| x.id == sel)?;
            s.templates.offers.clone()
        }
        Pane::Archive | Pane::Reports | Pane::Schedule | Pane::Register | Pane::Attention => None,
    }
}

/// Whether `a` can be taken now: `Ok(true)` yes, `Ok(false)` not known yet
/// (the record is loading: the core decides when it is sent), `Err` the core's
/// reason why not.
pub fn check(s: &State, a: Action) -> Result<bool, String> {
    check_with(s, a, current(s).as_ref())
}

/// [`check`] against offers already asked for (the status bar asks once per frame).
pub fn check_with(s: &State, a: Action, offers: Option<&Offers>) -> Result<bool, String> {
    if let Some(op) = a.op() {
        let actor = actor(s);
        return crate::workflow::check(&actor, op)
            .map(|()| true)
            .map_err(|e| e.message());
    }
    let Some(step) = a.step() else { return Ok(true) };
    match offers {
        None => Ok(false),
        Some(o) => match o.refusal(step) {
            Some(e) => Err(e.message()),
            None if o.offered(step) => Ok(true),
            None => Ok(false),
        },
    }
}

/// Is `a` offered now (for the hints): a step the core offers, or an action
/// that takes no step.
pub fn offered(s: &State, a: Action) -> bool {
    check(s, a) == Ok(true)
}

/// [`offered`] against offers already asked for.
pub fn offered_with(s: &State, a: Action, offers: Option<&Offers>) -> bool {
    check_with(s, a, offers) == Ok(true)
}
