//! Reopening a request, unlinking it from its plan, and undo as the inverse
//! command (issue 13 §1, issue 15 §4): each decision withdrawn returns the
//! request to the status it had before; each refusal says why with labels; only
//! the roles that may decide may withdraw; everything is audited; and
//! `workflow::inverse` of a command, sent with the revision the command left,
//! restores the record — or is refused as a conflict when someone else changed
//! it since.

mod common;

use beian::model::*;
use beian::service::{Command, RequestEdit, Triage};
use beian::workflow::{inverse, RuleError};
use beian::Error;
use common::*;

use RequestStatus as R;

fn reopen(id: Id, reason: &str) -> Command {
    Command::RequestReopen {
        id,
        reason: reason.into(),
    }
}

fn unlink(id: Id, reason: &str) -> Command {
    Command::RequestUnlink {
        id,
        reason: reason.into(),
    }
}

fn triage(id: Id, triage: Triage) -> Command {
    Command::RequestTriage { id, triage }
}

/// The latest audit event (newest first from the service).
fn last_event(w: &World) -> AuditEvent {
    w.svc.audit(&supervisor(), None, 1).unwrap().remove(0)
}

/// What a reopen or an undo must give back: the decision's whole trace.
fn decision_fields(r: &Request) -> impl PartialEq + std::fmt::Debug {
    (
        r.status,
        r.plan,
        r.reject_reason.clone(),
        r.duplicate_of,
        // The position a joint review reached; when it was sent is checked apart.
        r.joint_review.as_ref().map(|j| (j.outcome.clone(), j.decided_at)),
        r.tags.clone(),
        r.priority,
    )
}

// ===== reopen: back to the status before the latest decision =====

/// A request taken to `path` (decisions in order, from new), then reopened
/// once per decision: each reopen returns exactly one step, and the record is
/// as it was before that decision.
fn reopen_walks_back(path: &[Triage]) {
    let _en = english();
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    w.analyse(id);
    let original = w.add_request("原始需求");
    let mut seen = vec![w.request(id)];
    for t in path {
        let t = match t {
            Triage::Duplicate { .. } => Triage::Duplicate { of: original },
            t => t.clone(),
        };
        w.ok(&op_a(), triage(id, t));
        seen.push(w.request(id));
    }
    seen.pop();
    while let Some(before) = seen.pop() {
        let from = w.request(id).status;
        let out = w.ok(&op_b(), reopen(id, "重新评估"));
        let now = w.request(id);
        assert_eq!(decision_fields(&now), decision_fields(&before), "reopening from {from}");
        let e = last_event(&w);
        assert_eq!(e.action, "request.reopen");
        assert_eq!(e.actor, "zhao");
        assert_eq!(e.summary, format!("{from} → {}: 重新评估", before.status));
        assert_eq!(out.rev, Some(now.meta.rev));
    }
    assert_eq!(w.request(id).status, R::New);
    assert!(w.request(id).decided_from.is_empty());
}

#[test]
fn reopening_a_triaged_request_makes_it_new() {
    reopen_walks_back(&[Triage::Triage]);
}

#[test]
fn reopening_an_acceptance_returns_to_new_or_triaged() {
    reopen_walks_back(&[Triage::Accept { outcome: None }]);
    reopen_walks_back(&[Triage::Triage, Triage::Accept { outcome: None }]);
}

#[test]
fn reopening_a_rejection_clears_its_reason() {
    reopen_walks_back(&[Triage::Reject {
        reason: "不在规划内".into(),
    }]);
    reopen_walks_back(&[
        Triage::Triage,
        Triage::Reject {
            reason: "不在规划内".into(),
        },
    ]);
}

#[test]
fn reopening_a_duplicate_clears_its_original() {
    let of = req_id(99); // replaced by the real original
    reopen_walks_back(&[Triage::Duplicate { of }]);
    reopen_walks_back(&[Triage::Triage, Triage::Duplicate { of }]);
}

#[test]
fn reopening_a_joint_review_decision_returns_to_the_review_then_before_it() {
    reopen_walks_back(&[Triage::JointReview]);
    reopen_walks_back(&[
        Triage::Triage,
        Triage::JointReview,
        Triage::Accept {
            outcome: Some("研讨同意".into()),
        },
    ]);
    reopen_walks_back(&[
        Triage::JointReview,
        Triage::Reject {
            reason: "研讨不同意".into(),
        },
    ]);
}

/// A position reached in a joint review goes with the decision; the review
/// stays, and the request can be decided there again.
#[test]
fn a_reopened_joint_review_can_decide_again() {
    let _en = english();
    let w = World::new();
    let id = w.add_request("跨部门数据共享");
    w.analyse(id);
    w.ok(&op_a(), triage(id, Triage::JointReview));
    w.ok(
        &op_a(),
        triage(
            id,
            Triage::Accept {
                outcome: Some("研讨同意".into()),
            },
        ),
    );
    w.ok(&op_a(), reopen(id, "研讨结论有误"));
    let r = w.request(id);
    assert_eq!(r.status, R::JointReview);
    let j = r.joint_review.unwrap();
    assert_eq!((j.outcome, j.decided_at), (None, None));
    assert_eq!(j.sent_by, "wang");
    w.ok(
        &op_a(),
        triage(
            id,
            Triage::Reject {
                reason: "研讨不同意".into(),
            },
        ),
    );
    assert_eq!(w.request(id).status, R::Rejected);
}

#[test]
fn reopen_needs_a_reason() {
    let _en = english();
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    w.ok(
        &op_a(),
        triage(
            id,
            Triage::Reject {
                reason: "不在规划内".into(),
            },
        ),
    );
    let e = w.refused(&op_a(), reopen(id, "  "));
    assert_eq!(
        e,
        RuleError::ReasonRequired {
            action: "reopen".into()
        }
    );
    assert_eq!(e.message(), "a reason is required to reopen");
    assert_eq!(w.request(id).status, R::Rejected);
}

/// A new request has no decision to withdraw; a planned one is unlinked
/// first; a done one stays done. The refusals name the statuses by label.
#[test]
fn reopen_is_refused_for_new_planned_and_done_requests() {
    let _en = english();
    let w = World::new();
    let new = w.add_request("新需求");
    let e = w.refused(&op_a(), reopen(new, "重新评估"));
    assert_eq!(
        e.message(),
        format!("{new} is new: cannot reopen (only when triaged, accepted, rejected, duplicate, joint review)")
    );

    let planned = w.accepted_request("已排入计划的需求");
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: planned, plan });
    let e = w.refused(&op_a(), reopen(planned, "重新评估"));
    assert_eq!(
        e,
        RuleError::RequestPlanned {
            request: planned.to_string(),
            plan: plan.to_string()
        }
    );
    assert_eq!(
        e.message(),
        format!("{planned} is linked to {plan}: unlink it from the plan first, then reopen it")
    );

    w.drive(plan, PlanStatus::Filed);
    assert_eq!(w.request(planned).status, R::Done);
    assert!(w.request(planned).decided_from.is_empty());
    let e = w.refused(&op_a(), reopen(planned, "重新评估"));
    assert!(
        e.message()
            .starts_with(&format!("{planned} is done: cannot reopen (only when triaged")),
        "{}",
        e.message()
    );
    let e = w.refused(&op_a(), unlink(planned, "重新评估"));
    assert_eq!(
        e.message(),
        format!("{planned} is done: cannot unlink from its plan (only when planned)")
    );
    drop(_en);

    // In Chinese, labels only: no internal status or command names.
    let (m1, m2) = in_chinese(|| {
        (
            w.refused(&op_a(), reopen(planned, "重新评估")).message(),
            w.refused(&op_a(), unlink(new, "重新评估")).message(),
        )
    });
    // The refusal says where the step is possible (what to do next).
    assert!(
        m1.starts_with(&format!("{planned} 当前状态为「已完成」，不能执行 重新打开（")),
        "{m1}"
    );
    assert!(
        m2.starts_with(&format!("{new} 当前状态为「新建」，不能执行 取消关联计划（")),
        "{m2}"
    );
    for m in [m1, m2] {
        for internal in ["done", "new", "reopen", "unlink", "request."] {
            assert!(!m.contains(internal), "{m:?} names {internal:?}");
        }
    }
}

// ===== unlink: planned → accepted while the plan is being written =====

#[test]
fn unlink_takes_the_request_off_a_plan_being_written() {
    let _en = english();
    let w = World::new();
    let a = w.accepted_request("选课页面加载慢");
    let b = w.accepted_request("成绩导出乱码");
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: a, plan });
    w.ok(&op_a(), Command::RequestLink { id: b, plan });
    assert_eq!(w.plan(plan).requests, vec![a, b]);

    let out = w.ok(&op_b(), unlink(a, "并入下学期计划"));
    let r = w.request(a);
    assert_eq!((r.status, r.plan), (R::Accepted, None));
    assert_eq!(out.rev, Some(r.meta.rev));
    let p = w.plan(plan);
    assert_eq!(p.requests, vec![b]);
    // Taking a request off shapes the plan: zhao contributed and may not decide on it.
    assert!(beian::workflow::contribution(&p, "zhao").contains(&"link".to_string()));
    let e = last_event(&w);
    assert_eq!(e.action, "request.unlink");
    assert_eq!(e.entity, format!("{a} {plan}"));
    assert_eq!(e.summary, format!("planned → accepted ← {plan}: 并入下学期计划"));
    // The plan's history shows it too.
    let plan_events = w.svc.audit(&supervisor(), Some(&plan.to_string()), 1).unwrap();
    assert_eq!(plan_events[0].action, "request.unlink");

    // A returned plan is being written again.
    w.drive(plan, PlanStatus::Returned);
    w.ok(&op_a(), unlink(b, "需求已撤回"));
    assert!(w.plan(plan).requests.is_empty());
    // And the request can go to another plan, or be reopened.
    w.ok(&op_a(), reopen(b, "需求已撤回"));
    assert_eq!(w.request(b).status, R::New);
}

#[test]
fn unlink_needs_a_reason_and_a_planned_request() {
    let _en = english();
    let w = World::new();
    let id = w.accepted_request("选课页面加载慢");
    let e = w.refused(&op_a(), unlink(id, "x"));
    assert_eq!(
        e.message(),
        format!("{id} is accepted: cannot unlink from its plan (only when planned)")
    );
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id, plan });
    let e = w.refused(&op_a(), unlink(id, ""));
    assert_eq!(e.message(), "a reason is required to unlink from its plan");
    assert_eq!(w.request(id).status, R::Planned);
}

/// Once approved, the plan's scope is what the Leading Group decided: it is
/// returned first (a submitted plan before any approval still takes the
/// change). Once implementation starts, the request stays with the update.
/// Nothing changes on a refusal.
#[test]
fn unlink_is_refused_once_the_plan_is_approved_and_says_what_to_do() {
    let _en = english();
    for (status, returnable) in [
        (PlanStatus::Approved, true),
        (PlanStatus::NoticePublished, true),
        (PlanStatus::Implementing, false),
        (PlanStatus::Testing, false),
        (PlanStatus::Live, false),
    ] {
        let w = World::new();
        let id = w.accepted_request("选课页面加载慢");
        let plan = w.written_plan(&op_a());
        w.ok(&op_a(), Command::RequestLink { id, plan });
        w.drive(plan, status);
        let before = (w.request(id), w.plan(plan));
        let e = w.refused(&op_a(), unlink(id, "并入下学期计划"));
        assert_eq!(
            e,
            RuleError::UnlinkPlanClosed {
                request: id.to_string(),
                plan: plan.to_string(),
                status: status.label(),
                returnable,
            }
        );
        let m = e.message();
        assert!(m.starts_with(&format!("{plan} is {}: ", status.label())), "{m}");
        if returnable {
            assert!(m.contains("the Leading Group returns it for revision first"), "{m}");
        } else {
            assert!(m.contains("cancel the plan, which releases its requests"), "{m}");
        }
        assert_eq!((w.request(id), w.plan(plan)), before);
        if status == PlanStatus::Approved {
            // What the message says works: returned, then unlinked.
            w.ok(
                &approver(),
                Command::PlanReturn {
                    id: plan,
                    reason: "调整范围".into(),
                    minutes_ref: String::new(),
                },
            );
            w.ok(&op_a(), unlink(id, "并入下学期计划"));
            assert_eq!(w.request(id).status, R::Accepted);
        }
    }
    // Submitted, before any approval: unlinked (the mirror of linking then).
    let w = World::new();
    let id = w.accepted_request("选课页面加载慢");
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id, plan });
    w.drive(plan, PlanStatus::Submitted);
    w.ok(&op_a(), unlink(id, "并入下学期计划"));
    assert_eq!(w.request(id).status, R::Accepted);
    assert!(w.plan(plan).requests.is_empty());
    drop(_en);
    let m = in_chinese(|| {
        RuleError::UnlinkPlanClosed {
            request: "REQ-2026-0001".into(),
            plan: "PLAN-2026-0001".into(),
            status: PlanStatus::Approved.label(),
            returnable: true,
        }
        .message()
    });
    assert!(m.starts_with("PLAN-2026-0001 当前状态为「已批准」"), "{m}");
    assert!(!m.contains("approved") && !m.contains("unlink"), "{m}");
}

// ===== permissions =====

/// Withdrawing a decision is deciding (§2.2: the IMC triages): operators and
/// the admin may, the Leading Group, the supervisors and viewers may not.
#[test]
fn only_those_who_triage_and_link_may_reopen_and_unlink() {
    let _en = english();
    let w = World::new();
    let id = w.accepted_request("选课页面加载慢");
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id, plan });
    for who in [approver(), supervisor(), viewer(), nobody()] {
        for cmd in [unlink(id, "x"), reopen(id, "x")] {
            let e = w.refused(&who, cmd.clone());
            assert!(matches!(e, RuleError::Forbidden { .. }), "{} {cmd:?}: {e:?}", who.name);
        }
    }
    let e = w.refused(&approver(), reopen(id, "x"));
    assert_eq!(e.message(), "li may not triage requests (roles: approver)");
    let e = w.refused(&viewer(), unlink(id, "x"));
    assert_eq!(e.message(), "liu may not link requests to plans (roles: viewer)");
    w.ok(&admin(), unlink(id, "并入下学期计划"));
    w.ok(&op_approver(), reopen(id, "重新评估"));
    assert_eq!(w.request(id).status, R::New);
}

// ===== undo: the inverse command =====

/// Run `cmd` as op_a, then its inverse with the revision `cmd` left: the
/// request (and its plan's requests) are as before, and both are audited.
fn undone(w: &World, id: Id, cmd: Command) {
    let before = w.request(id);
    let plan = match &cmd {
        Command::RequestLink { plan, .. } => Some(*plan),
        _ => before.plan,
    };
    let plan_before = plan.map(|p| w.plan(p).requests);
    let events = w.audit_len();
    let out = w.ok(&op_a(), cmd.clone());
    let after = w.request(id);
    assert_ne!(
        decision_fields(&after),
        decision_fields(&before),
        "{cmd:?} changed nothing"
    );
    let back = inverse(&before, &cmd).unwrap_or_else(|| panic!("no inverse for {cmd:?}"));
    w.exec_rev(&op_a(), back.clone(), out.rev)
        .unwrap_or_else(|e| panic!("{back:?} refused: {}", e.message()));
    let now = w.request(id);
    assert_eq!(decision_fields(&now), decision_fields(&before), "{cmd:?} then {back:?}");
    if let Some(p) = plan {
        assert_eq!(
            Some(w.plan(p).requests),
            plan_before,
            "{cmd:?} then {back:?}: the plan's requests"
        );
    }
    assert_eq!(w.audit_len(), events + 2);
    let e = last_event(w);
    assert_eq!(e.action, back.name());
    assert_eq!(e.actor, "wang");
}

#[test]
fn every_triage_decision_is_undone_by_its_inverse() {
    let _en = english();
    let w = World::new();
    let original = w.add_request("原始需求");
    let decisions = [
        Triage::Triage,
        Triage::Accept { outcome: None },
        Triage::Reject {
            reason: "不在规划内".into(),
        },
        Triage::Duplicate { of: original },
        Triage::JointReview,
    ];
    for t in decisions.clone() {
        let id = w.add_request("选课页面加载慢");
        w.analyse(id);
        undone(&w, id, triage(id, t.clone()));
        // From triaged too.
        w.ok(&op_a(), triage(id, Triage::Triage));
        if t != Triage::Triage {
            undone(&w, id, triage(id, t));
        }
    }
    // Decisions of a joint review.
    let id = w.add_request("跨部门数据共享");
    w.analyse(id);
    w.ok(&op_a(), triage(id, Triage::JointReview));
    undone(
        &w,
        id,
        triage(
            id,
            Triage::Accept {
                outcome: Some("研讨同意".into()),
            },
        ),
    );
    undone(
        &w,
        id,
        triage(
            id,
            Triage::Reject {
                reason: "研讨不同意".into(),
            },
        ),
    );
}

#[test]
fn a_link_is_undone_by_unlinking() {
    let _en = english();
    let w = World::new();
    let other = w.accepted_request("成绩导出乱码");
    let id = w.accepted_request("选课页面加载慢");
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: other, plan });
    undone(&w, id, Command::RequestLink { id, plan });
    assert_eq!(w.plan(plan).requests, vec![other]);
    assert_eq!(last_event(&w).summary, format!("planned → accepted ← {plan}: undo"));
}

/// Tags and priority are set back with `RequestEdit`: a smaller set of tags
/// removes a tag, and the priority returns.
#[test]
fn tags_and_priority_are_set_back() {
    let _en = english();
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    assert_eq!(w.request(id).tags, vec!["选课".to_string()]);
    let edit = |tags: Option<Vec<&str>>, priority: Option<Priority>| Command::RequestEdit {
        id,
        edit: RequestEdit {
            tags: tags.map(|t| t.into_iter().map(String::from).collect()),
            priority,
            ..Default::default()
        },
    };
    undone(&w, id, edit(Some(vec!["选课", "性能"]), None));
    undone(&w, id, edit(None, Some(Priority::Urgent)));
    undone(&w, id, edit(Some(vec![]), Some(Priority::Low)));
    // Removing a tag directly is an edit like any other.
    w.ok(&op_a(), edit(Some(vec!["选课", "性能"]), None));
    w.ok(&op_a(), edit(Some(vec!["性能"]), None));
    assert_eq!(w.request(id).tags, vec!["性能".to_string()]);
    // On an accepted and a planned request too.
    let id = w.accepted_request("成绩导出乱码");
    let edit = Command::RequestEdit {
        id,
        edit: RequestEdit {
            priority: Some(Priority::High),
            tags: Some(vec!["成绩".into()]),
            ..Default::default()
        },
    };
    undone(&w, id, edit.clone());
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id, plan });
    undone(&w, id, edit);
}

#[test]
fn other_fields_are_set_back_and_what_cannot_be_is_not_offered() {
    let _en = english();
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    let before = w.request(id);
    let edit = RequestEdit {
        title: Some("选课卡顿".into()),
        body: Some("新描述".into()),
        department: Some("教务处".into()),
        necessity: Some("有必要".into()),
        feasibility: Some("可行".into()),
        ..Default::default()
    };
    let cmd = Command::RequestEdit { id, edit };
    let out = w.ok(&op_a(), cmd.clone());
    let back = inverse(&before, &cmd).unwrap();
    w.exec_rev(&op_a(), back, out.rev).unwrap();
    let now = w.request(id);
    assert_eq!(
        (&now.title, &now.body, &now.department, &now.necessity, &now.feasibility),
        (
            &before.title,
            &before.body,
            &before.department,
            &before.necessity,
            &before.feasibility
        )
    );
    // A system can be changed, not removed: no inverse for setting one on a
    // request that had none.
    let mut none = before.clone();
    none.system = None;
    let set_system = Command::RequestEdit {
        id,
        edit: RequestEdit {
            system: Some(w.system),
            ..Default::default()
        },
    };
    assert_eq!(inverse(&none, &set_system), None);
    assert!(inverse(&before, &set_system).is_some());
    // Comments stay; other records' commands are not this record's inverse.
    let comment = Command::RequestComment {
        id,
        text: "已联系厂商".into(),
    };
    assert_eq!(inverse(&before, &comment), None);
    let other = triage(req_id(42), Triage::Triage);
    assert_eq!(inverse(&before, &other), None);
    assert_eq!(inverse(&before, &Command::PlanSubmit { id: plan_id(1) }), None);
}

/// The inverses of reopen and unlink take the decision and the link again:
/// undo can itself be undone.
#[test]
fn reopen_and_unlink_are_undone_too() {
    let _en = english();
    let w = World::new();
    let original = w.add_request("原始需求");
    let id = w.add_request("选课页面加载慢");
    w.analyse(id);
    for t in [
        Triage::Triage,
        Triage::Reject {
            reason: "不在规划内".into(),
        },
        Triage::Duplicate { of: original },
        Triage::JointReview,
        Triage::Accept { outcome: None },
    ] {
        w.ok(&op_a(), triage(id, t));
        undone(&w, id, reopen(id, "重新评估"));
        w.ok(&op_a(), reopen(id, "重新评估"));
    }
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), triage(id, Triage::Accept { outcome: None }));
    w.ok(&op_a(), Command::RequestLink { id, plan });
    undone(&w, id, unlink(id, "并入下学期计划"));
    assert_eq!(w.plan(plan).requests, vec![id]);
}

/// "While nobody else has changed the record since": the inverse carries the
/// revision the command left; a change by someone else in between makes it a
/// conflict (exit 4) that changes nothing.
#[test]
fn undo_is_refused_once_someone_else_changed_the_record() {
    let _en = english();
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    let before = w.request(id);
    let cmd = triage(
        id,
        Triage::Reject {
            reason: "不在规划内".into(),
        },
    );
    let out = w.ok(&op_a(), cmd.clone());
    w.ok(
        &op_b(),
        Command::RequestComment {
            id,
            text: "提交人补充了材料".into(),
        },
    );
    let events = w.audit_len();
    let back = inverse(&before, &cmd).unwrap();
    let e = w.exec_rev(&op_a(), back.clone(), out.rev).unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
    assert_eq!(e.exit_code(), 4);
    assert_eq!(w.audit_len(), events);
    assert_eq!(w.request(id).status, R::Rejected);
    // With the current revision (the user has seen the change) it goes through.
    let rev = w.request(id).meta.rev;
    w.exec_rev(&op_a(), back, Some(rev)).unwrap();
    assert_eq!(w.request(id).status, R::New);

    // The same for a link: someone else's change to the request blocks the unlink.
    let id = w.accepted_request("成绩导出乱码");
    let plan = w.written_plan(&op_a());
    let before = w.request(id);
    let cmd = Command::RequestLink { id, plan };
    let out = w.ok(&op_a(), cmd.clone());
    w.ok(
        &op_b(),
        Command::RequestEdit {
            id,
            edit: RequestEdit {
                priority: Some(Priority::Urgent),
                ..Default::default()
            },
        },
    );
    let e = w
        .exec_rev(&op_a(), inverse(&before, &cmd).unwrap(), out.rev)
        .unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
    assert_eq!(w.request(id).status, R::Planned);
}

/// The reason of an undo is a locale string.
#[test]
fn the_undo_reason_is_in_the_interface_language() {
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    let before = w.request(id);
    let cmd = triage(id, Triage::Triage);
    let zh = in_chinese(|| inverse(&before, &cmd));
    assert_eq!(zh, Some(reopen(id, "撤销")));
    let _en = english();
    assert_eq!(inverse(&before, &cmd), Some(reopen(id, "undo")));
    let out = w.ok(&op_a(), cmd.clone());
    w.exec_rev(&op_a(), zh.unwrap(), out.rev).unwrap();
    assert_eq!(last_event(&w).summary, "triaged → new: 撤销");
}

// ===== the command line =====

mod cli {
    use std::path::Path;
    use std::process::Command;

    fn beian(db: &Path, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_beian"))
            .env("BEIAN_NO_SERVER", "1")
            .args(args)
            .env("BEIAN_DB", db)
            .env("BEIAN_LANG", "en")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(db: &Path, args: &[&str]) -> String {
        let (code, out, err) = beian(db, args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        out
    }

    #[test]
    fn request_reopen_and_unlink() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("data");
        ok(&db, &["init"]);
        ok(
            &db,
            &[
                "system",
                "add",
                "--name",
                "教务管理系统",
                "--department",
                "教务处",
                "--version",
                "5.0",
            ],
        );
        for title in ["选课页面加载慢", "成绩导出乱码"] {
            ok(
                &db,
                &[
                    "request",
                    "add",
                    "--title",
                    title,
                    "--submitter",
                    "张同学",
                    "--system",
                    "教务管理系统",
                ],
            );
        }
        ok(
            &db,
            &["request", "triage", "REQ-2026-0001", "reject", "--reason", "不在规划内"],
        );
        let out = ok(
            &db,
            &["request", "reopen", "REQ-2026-0001", "--reason", "提交人补充了材料"],
        );
        assert!(out.contains("REQ-2026-0001") && out.contains("rejected → new"), "{out}");
        let json = ok(&db, &["--json", "request", "show", "REQ-2026-0001"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["status"], "new");
        assert!(v["reject_reason"].is_null());

        // The reason is required by the command line too.
        let (code, _, err) = beian(&db, &["request", "reopen", "REQ-2026-0001"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--reason"), "{err}");
        // A rule refusal: exit 3, the message on stderr.
        let (code, out, err) = beian(&db, &["request", "reopen", "REQ-2026-0001", "--reason", "x"]);
        assert_eq!((code, out.as_str()), (3, ""), "{err}");
        assert!(
            err.contains(
                "REQ-2026-0001 is new: cannot reopen (only when triaged, accepted, rejected, duplicate, joint review)"
            ),
            "{err}"
        );

        ok(
            &db,
            &[
                "request",
                "edit",
                "REQ-2026-0002",
                "--necessity",
                "影响选课",
                "--feasibility",
                "可行",
            ],
        );
        ok(&db, &["request", "triage", "REQ-2026-0002", "accept"]);
        ok(
            &db,
            &[
                "plan",
                "new",
                "--system",
                "教务管理系统",
                "--title",
                "选课优化",
                "--to",
                "5.1",
            ],
        );
        ok(&db, &["request", "link", "REQ-2026-0002", "PLAN-2026-0001"]);
        let (code, _, err) = beian(&db, &["request", "reopen", "REQ-2026-0002", "--reason", "x"]);
        assert_eq!(code, 3);
        assert!(err.contains("unlink it from the plan first"), "{err}");
        let out = ok(
            &db,
            &["request", "unlink", "REQ-2026-0002", "--reason", "并入下学期计划"],
        );
        assert!(out.contains("planned → accepted ← PLAN-2026-0001"), "{out}");
        let json = ok(&db, &["--json", "plan", "show", "PLAN-2026-0001"]);
        assert!(!json.contains("REQ-2026-0002"), "{json}");
        // A stale revision is a conflict (exit 4).
        ok(&db, &["request", "link", "REQ-2026-0002", "PLAN-2026-0001"]);
        let (code, _, err) = beian(
            &db,
            &[
                "--expect-rev",
                "1",
                "request",
                "unlink",
                "REQ-2026-0002",
                "--reason",
                "x",
            ],
        );
        assert_eq!(code, 4, "{err}");
    }
}
