//! What an actor may do with a record now, for the interfaces to offer: each
//! step is decided by the same functions that decide the command (the
//! permission table, then [`super::decide_plan`] / [`super::decide_request`]
//! on a copy of the record with representative arguments). A step is *offered*
//! when that decision passes or fails only on what the step itself asks for (a
//! reason, a time, the analysis the accept form collects); otherwise the
//! refusal says why not, and the interfaces show it instead of opening a
//! prompt. Nothing here changes a record.

use serde::{Deserialize, Serialize};

use super::command::{Command, RequestEdit, Triage};
use super::{check, Ctx, PlanChange, RuleError};
use crate::model::{
    Blackout, ComparisonRow, ConfidentialReport, DefectStatus, GoLive, GoLiveOutcome, Id, IdKind, Plan,
    RectificationOrder, Request, Severity, TestCategory, TestResult, Tester, TesterType, Training, TrainingFormat,
};

/// One step on a record: its name (a command's audit name, or `request.<triage>`
/// for the triage decisions) and, when it is not offered, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub step: String,
    #[serde(default)]
    pub refusal: Option<RuleError>,
}

/// The steps of one record, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offers(pub Vec<Offer>);

impl Offers {
    /// Is `step` offered now?
    pub fn offered(&self, step: &str) -> bool {
        self.0.iter().any(|o| o.step == step && o.refusal.is_none())
    }
    /// Why `step` is not offered (`None`: it is, or it is not a step of this record).
    pub fn refusal(&self, step: &str) -> Option<&RuleError> {
        self.0.iter().find(|o| o.step == step).and_then(|o| o.refusal.as_ref())
    }
    /// The names of the steps offered.
    pub fn names(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|o| o.refusal.is_none())
            .map(|o| o.step.as_str())
            .collect()
    }
}

/// Does this refusal depend only on what the step asks the user for? Then the
/// step is still offered: the prompt or form collects it and the core decides.
fn depends_on_arguments(e: &RuleError) -> bool {
    use RuleError as E;
    matches!(
        e,
        E::ReasonRequired { .. }
            | E::Empty { .. }
            | E::DateInPast { .. }
            | E::DateOrder { .. }
            | E::GoLiveInFuture { .. }
            | E::GoLiveBeforeApproval { .. }
            | E::GoLiveBeforeNotice { .. }
            | E::GoLiveInBlackout { .. }
            | E::GoLiveBeforeStep { .. }
            | E::GoLiveOutsideWindow { .. }
            | E::NoDeviation { .. }
            | E::AnalysisMissing { .. }
            | E::DuplicateOfSelf
            | E::DuplicateChain { .. }
            | E::AlreadyInRound { .. }
            | E::NotInRound { .. }
            | E::WindowOrder
            | E::DeadlineNotLater { .. }
            | E::NoOrderTarget { .. }
            | E::RecordInFuture { .. }
            | E::BeforeGoLive { .. }
            | E::GoalsMismatch { .. }
    )
}

pub(super) fn offer(step: &str, ctx: &Ctx, cmd: &Command, decide: impl FnOnce() -> Result<(), RuleError>) -> Offer {
    let refusal = check(ctx.actor, cmd.op()).and_then(|()| decide()).err();
    Offer {
        step: step.to_string(),
        refusal: refusal.filter(|e| !depends_on_arguments(e)),
    }
}

/// The steps on a plan, decided for `ctx.actor` at `ctx.now`.
pub fn plan_offers(p: &Plan, calendar: &[Blackout], ctx: &Ctx) -> Offers {
    let id = p.id;
    let probe = "-".to_string();
    let me = Tester {
        name: ctx.actor.name.clone(),
        kind: TesterType::Technician,
    };
    let round = p.rounds.last();
    let item = round.and_then(|r| r.items.first()).map_or(1, |i| i.no);
    let defect = p.defects.first().map_or(1, |d| d.no);
    let blocking = p
        .defects
        .iter()
        .find(|d| super::defect_blocks(d))
        .map_or(defect, |d| d.no);
    let cmds = vec![
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Title(p.title.clone())],
        },
        Command::PlanSubmit { id },
        Command::PlanApprove {
            id,
            comment: String::new(),
            minutes_ref: probe.clone(),
        },
        Command::PlanReturn {
            id,
            reason: probe.clone(),
            minutes_ref: String::new(),
        },
        Command::PlanNotice {
            id,
            text: Some(probe.clone()),
            audience: probe.clone(),
        },
        Command::PlanImplement { id },
        Command::PlanCancel {
            id,
            reason: probe.clone(),
        },
        Command::PlanReschedule {
            id,
            window: p.window.clone().unwrap_or(crate::model::Window {
                start: ctx.now,
                end: ctx.now,
            }),
            reason: probe.clone(),
            justification: None,
        },
        Command::PlanNoticeDraft {
            id,
            changes: vec![super::NoticeChange::Language {
                language: p.notice_language,
            }],
        },
        Command::PlanMilestone {
            id,
            changes: Vec::new(),
        },
        Command::TestRound {
            plan: id,
            copy_unfinished: true,
            environment: probe.clone(),
        },
        Command::TestItem {
            plan: id,
            category: TestCategory::Functional,
            description: probe.clone(),
            expected: probe.clone(),
            tester: me.clone(),
            retest: None,
        },
        Command::TestResult {
            plan: id,
            item,
            result: TestResult::Pass,
            notes: None,
        },
        Command::TestWaive {
            plan: id,
            item,
            reason: probe.clone(),
        },
        Command::DefectAdd {
            plan: id,
            severity: Severity::Minor,
            description: probe.clone(),
            found_by: me.clone(),
            item: None,
            vendor_ref: None,
        },
        Command::DefectUpdate {
            plan: id,
            defect,
            status: Some(DefectStatus::Verified),
            vendor_ref: None,
        },
        Command::DefectAccept {
            plan: id,
            defect: blocking,
            reason: probe.clone(),
        },
        Command::Backup {
            plan: id,
            backup: crate::model::BackupConfirmation {
                what: probe.clone(),
                location: probe.clone(),
                size: probe.clone(),
                checksum: probe.clone(),
                verified_by: ctx.actor.name.clone(),
                time: ctx.now,
            },
        },
        Command::GoLive {
            plan: id,
            golive: GoLive {
                time: ctx.now,
                deployer: ctx.actor.name.clone(),
                version: p.version_to.clone(),
                outcome: GoLiveOutcome::Success,
                steps: probe.clone(),
                config_changes: String::new(),
                incidents: String::new(),
                deviation: None,
            },
        },
        Command::PlanDeviation {
            plan: id,
            time: ctx.now,
            reason: probe.clone(),
        },
        Command::DeviationAccept {
            plan: id,
            reason: probe.clone(),
        },
        Command::Training {
            plan: id,
            training: Training {
                format: TrainingFormat::OnSite,
                date: ctx.today(),
                trainer: ctx.actor.name.clone(),
                departments: Vec::new(),
                attendance: 0,
                audience: Vec::new(),
            },
        },
        Command::ComparisonAdd {
            plan: id,
            row: ComparisonRow {
                function: probe.clone(),
                before: String::new(),
                after: probe.clone(),
                change: crate::model::ChangeType::Changed,
            },
        },
        Command::File { plan: id },
        // Linking requests from the plan: whether the plan takes links now.
        Command::RequestLink {
            id: Id::new(IdKind::Request, 0, 0),
            plan: id,
        },
        // After go-live (§3.4, §4.3).
        Command::PlanIncident {
            plan: id,
            outcome: crate::model::IncidentOutcome::Incident,
            time: ctx.now,
            by: ctx.actor.name.clone(),
            what: probe.clone(),
        },
        Command::PlanFail {
            plan: id,
            reason: probe.clone(),
        },
        super::after::review_probe(p),
    ];
    Offers(
        cmds.iter()
            .map(|cmd| {
                offer(cmd.name(), ctx, cmd, || {
                    let mut copy = p.clone();
                    match cmd {
                        // Filing is decided by `file` (the dossier is the service's).
                        Command::File { .. } => super::file(&mut copy, Id::new(IdKind::Dossier, 0, 0), ctx),
                        // The new window is what the form asks for: offered by status.
                        Command::PlanReschedule { .. } => super::reschedulable(&copy),
                        // Each milestone has its own statuses: offered while any may change.
                        Command::PlanMilestone { .. } => super::milestones_open(&copy),
                        Command::RequestLink { .. } => super::links_open(p, false),
                        _ => super::decide_plan(&mut copy, cmd, calendar, ctx).map(|_| ()),
                    }
                })
            })
            .collect(),
    )
}

/// The steps on a request, decided for `ctx.actor`. Linking is offered when
/// the request may be linked to some plan still being written.
pub fn request_offers(r: &Request, ctx: &Ctx) -> Offers {
    let id = r.id;
    let triage = |t: Triage| Command::RequestTriage { id, triage: t };
    // A stand-in original for the duplicate step: another request, not a duplicate.
    let mut original = r.clone();
    original.id = Id::new(IdKind::Request, r.id.year, r.id.seq.wrapping_add(1));
    original.status = crate::model::RequestStatus::New;
    let steps: Vec<(&str, Command)> = vec![
        ("request.triage", triage(Triage::Triage)),
        (
            "request.accept",
            triage(Triage::Accept {
                outcome: Some("-".into()),
            }),
        ),
        ("request.reject", triage(Triage::Reject { reason: "-".into() })),
        ("request.duplicate", triage(Triage::Duplicate { of: original.id })),
        ("request.joint_review", triage(Triage::JointReview)),
        (
            "request.edit",
            Command::RequestEdit {
                id,
                edit: RequestEdit {
                    priority: Some(r.priority),
                    ..Default::default()
                },
            },
        ),
        ("request.comment", Command::RequestComment { id, text: "-".into() }),
        ("request.reopen", Command::RequestReopen { id, reason: "-".into() }),
    ];
    let mut out: Vec<Offer> = steps
        .iter()
        .map(|(step, cmd)| {
            offer(step, ctx, cmd, || {
                let mut copy = r.clone();
                super::decide_request(&mut copy, cmd, Some(&original), ctx).map(|_| ())
            })
        })
        .collect();
    let link = Command::RequestLink {
        id,
        plan: Id::new(IdKind::Plan, 0, 0),
    };
    out.push(offer("request.link", ctx, &link, || super::linkable(r)));
    let unlink = Command::RequestUnlink { id, reason: "-".into() };
    out.push(offer("request.unlink", ctx, &unlink, || {
        super::linked_plan(r).map(|_| ())
    }));
    let convene = Command::JointReviewNew {
        topic: "-".into(),
        requests: vec![id],
        departments: vec!["-".into(), "+".into()],
        date: ctx.today(),
    };
    out.push(offer("joint_review.new", ctx, &convene, || super::reviewable(r)));
    let decide = Command::JointReviewDecide {
        id: Id::new(IdKind::JointReview, 0, 0),
        position: "-".into(),
        minutes_ref: String::new(),
        reject: Vec::new(),
    };
    out.push(offer(
        "joint_review.decide",
        ctx,
        &decide,
        || match super::deciding_review(r) {
            Some(_) => Ok(()),
            None => Err(RuleError::NotInJointReview {
                request: id.to_string(),
                review: String::new(),
            }),
        },
    ));
    let feedback = Command::RequestFeedback {
        id,
        plan: Id::new(IdKind::Plan, 0, 0),
    };
    out.push(offer("request.feedback", ctx, &feedback, || {
        super::feedback_linkable(r)
    }));
    Offers(out)
}

/// [`request_offers`] for a request known only by its list row.
pub fn summary_offers(r: &crate::model::RequestSummary, ctx: &Ctx) -> Offers {
    request_offers(&request_of_summary(r), ctx)
}

/// A request as its list row knows it: what the request steps depend on
/// (status, priority, tags, plan, whether the analysis is written) is the
/// record's; the rest (body, submitter, comments) is left empty. For deciding
/// what to offer and what undoes a step on the row, never for saving.
pub fn request_of_summary(r: &crate::model::RequestSummary) -> Request {
    let filled = if r.analysed { "-" } else { "" };
    Request {
        id: r.id,
        kind: r.kind,
        title: r.title.clone(),
        body: String::new(),
        system: r.system,
        submitter: crate::model::Submitter {
            name: String::new(),
            kind: crate::model::SubmitterType::Staff,
            contact: String::new(),
        },
        department: r.department.clone(),
        channel: r.channel,
        received_at: r.received_at,
        priority: r.priority,
        tags: r.tags.clone(),
        status: r.status,
        decided_from: Vec::new(),
        necessity: filled.into(),
        feasibility: filled.into(),
        reject_reason: None,
        duplicate_of: None,
        similar_to: r.similar_to,
        // What decides it: the meeting that covers it while it waits there.
        joint_review: r
            .review
            .filter(|_| r.status == crate::model::RequestStatus::JointReview)
            .map(|review| crate::model::JointReview {
                sent_by: String::new(),
                sent_at: r.received_at,
                outcome: None,
                decided_at: None,
                review: Some(review),
            }),
        plan: r.plan,
        feedback_on: None,
        comments: Vec::new(),
        source: None,
        meta: crate::model::Meta::new("", r.received_at),
    }
}

/// The steps on a rectification order (§5.1), decided for `ctx.actor` at
/// `ctx.now`: respond (the department), close, extend, send back, reopen (a
/// supervisor).
pub fn order_offers(o: &RectificationOrder, ctx: &Ctx) -> Offers {
    let id = o.id;
    let probe = "-".to_string();
    // A deadline an extension could take: after the one in force, from today on.
    let later = (o.deadline + chrono::Duration::days(1)).max(ctx.today());
    let cmds = [
        Command::OrderRespond {
            id,
            response: probe.clone(),
        },
        Command::OrderExtend {
            id,
            deadline: later,
            reason: probe.clone(),
        },
        Command::OrderSendBack {
            id,
            reason: probe.clone(),
        },
        Command::OrderClose { id },
        Command::OrderReopen { id, reason: probe },
    ];
    Offers(
        cmds.iter()
            .map(|cmd| offer(cmd.name(), ctx, cmd, || super::decide_order(&mut o.clone(), cmd, ctx)))
            .collect(),
    )
}

/// The steps on a confidential report, decided for `ctx.actor`: investigate,
/// link to a plan (the plan is the step's argument), turn into an order, reply.
pub fn report_offers(r: &ConfidentialReport, ctx: &Ctx) -> Offers {
    let id = r.id;
    let probe = "-".to_string();
    let cmds = [
        Command::ReportInvestigate {
            id,
            notes: probe.clone(),
        },
        Command::ReportLink {
            id,
            plan: Id::new(IdKind::Plan, 0, 0),
        },
        Command::ReportToOrder {
            id,
            target: None,
            finding: None,
            required_action: probe.clone(),
            deadline: ctx.today(),
        },
        Command::ReportReply { id, reply: probe },
    ];
    Offers(
        cmds.iter()
            .map(|cmd| offer(cmd.name(), ctx, cmd, || super::decide_report(&mut r.clone(), cmd, ctx)))
            .collect(),
    )
}
