//! The read side as one enum, and the [`Backend`] every interface talks to.
//!
//! [`Query`] names every read of [`Service`] (and `Whoami`); [`Answer`] holds one
//! result per query. Together with [`Command`] they are the whole API: the CLI,
//! the TUI and the server protocol carry these values and nothing else, so there
//! is no second implementation of any rule. A [`Backend`] runs them either in this
//! process ([`Local`]) or through `beian serve` (`crate::server::Remote`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ArchiveFilter, Command, DossierView, Outcome, Overview, PlanFilter, RequestFilter, Service};
use crate::error::{Error, Result};
use crate::model::*;
use crate::report::{Contributions, Report};

/// Every read of the records, as a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "query", content = "args")]
pub enum Query {
    /// Who the caller is, with the roles the database's config gives them.
    Whoami,
    Overview,
    /// The systems, the overview and the newest requests: the first screen.
    FirstScreen {
        rows: usize,
    },
    Systems,
    System(Id),
    /// A system by id or by exact or unique partial name.
    ResolveSystem(String),
    Requests(RequestFilter),
    Request(Id),
    Plans(PlanFilter),
    Plan(Id),
    /// Every gate of a plan as of now (`workflow::Gates`).
    PlanGates(Id),
    /// The templates of standard changes.
    Templates,
    Template(Id),
    /// The steps the caller may take on a template now.
    TemplateOffers(Id),
    Archive(ArchiveFilter),
    Dossier(Id),
    Calendar,
    /// The substitutes named in the Leading Group (§2.1).
    Substitutes,
    Orders,
    Order(Id),
    /// Confidential reports (supervisors; the read is audited).
    Reports,
    Report(Id),
    /// The audit log, newest first (supervisors): the events the filter
    /// selects, at most `limit`.
    Audit {
        #[serde(default)]
        filter: AuditFilter,
        limit: usize,
    },
    /// The periodic evaluation (§4.3) of the days `from..=to`.
    Evaluation {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Contributions (§5.2) in the days `from..=to`.
    Contributions {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Names in the records the register does not settle (issue 18 §3);
    /// `submitters`: also submitters nobody of the register carries.
    UnresolvedNames {
        #[serde(default)]
        submitters: bool,
    },
    /// Awards and penalties, oldest first.
    Recognitions,
    /// Joint review meetings (§3.1), in id order.
    JointReviews,
    JointReview(Id),
    /// Recompute the hash chain; `expect` is a head kept outside the system.
    Verify {
        expect: Option<crate::store::chain::ChainHead>,
    },
    /// Write a backup into `dir` (a directory the serving process can write).
    Backup {
        dir: std::path::PathBuf,
        keep: Option<usize>,
    },
    /// The files attached to a record (issue 18).
    Attachments(Id),
    /// One attached file with its content, by name or `#N`.
    Attachment {
        entity: Id,
        name: String,
    },
    /// What seals a dossier in the chain (its package, issue 18 §2).
    DossierSeal(Id),
    /// The start-up integrity check, run where the database lives: the events
    /// since the last head found intact, answered from a cache by head
    /// (protocol 9; answered with `Answer::Verify`).
    Integrity,
    /// The register: people, departments and vendors (issue 17).
    Register,
    /// The outbox, newest first.
    Outbox,
    /// Deliver the due messages of the outbox now (`beian mail send`);
    /// `retry`: also those whose attempts ran out.
    MailSend {
        #[serde(default)]
        retry: bool,
    },
    /// What needs someone now (issue 17 §1: `workflow::attention`).
    Attention,
    // issue 16 (idx): the ranked archive search and the changes of a period.
    /// Search the archive: ranked hits with snippets, a page of them (protocol 9).
    ArchiveSearch(crate::search::archive::SearchRequest),
    /// Every go-live, rollback and incident since a day, filed or not, and the
    /// implementations under way (protocol 9).
    Changes {
        system: Option<Id>,
        since: Option<NaiveDate>,
    },
}

impl Query {
    /// The name used in logs and messages.
    pub fn name(&self) -> &'static str {
        match self {
            Query::Whoami => "whoami",
            Query::Overview => "overview",
            Query::FirstScreen { .. } => "first_screen",
            Query::Systems => "systems",
            Query::System(_) => "system",
            Query::ResolveSystem(_) => "resolve_system",
            Query::Requests(_) => "requests",
            Query::Request(_) => "request",
            Query::Plans(_) => "plans",
            Query::Plan(_) => "plan",
            Query::PlanGates(_) => "plan_gates",
            Query::Templates => "templates",
            Query::Template(_) => "template",
            Query::TemplateOffers(_) => "template_offers",
            Query::Archive(_) => "archive",
            Query::Dossier(_) => "dossier",
            Query::Calendar => "calendar",
            Query::Substitutes => "substitutes",
            Query::Orders => "orders",
            Query::Order(_) => "order",
            Query::Reports => "reports",
            Query::Report(_) => "report",
            Query::Audit { .. } => "audit",
            Query::Verify { .. } => "verify",
            Query::Backup { .. } => "backup",
            Query::Integrity => "integrity",
            Query::Evaluation { .. } => "evaluation",
            Query::Contributions { .. } => "contributions",
            Query::UnresolvedNames { .. } => "unresolved_names",
            Query::Recognitions => "recognitions",
            Query::JointReviews => "joint_reviews",
            Query::JointReview(_) => "joint_review",
            Query::Attachments(_) => "attachments",
            Query::Attachment { .. } => "attachment",
            Query::DossierSeal(_) => "dossier_seal",
            Query::Register => "register",
            Query::Outbox => "outbox",
            Query::MailSend { .. } => "mail_send",
            Query::Attention => "attention",
            Query::ArchiveSearch(_) => "archive_search",
            Query::Changes { .. } => "changes",
        }
    }
}

/// The caller as the database sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoamiInfo {
    /// Who acts: the user, or the demo person they act as.
    pub user: String,
    pub roles: Vec<Role>,
    /// The real user, while acting as a demo person ([`Backend::act_as`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The data directory of the database.
    pub db: String,
    pub demo: bool,
}

/// The result of a [`Query`]: one variant per query.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "answer", content = "data")]
pub enum Answer {
    Whoami(WhoamiInfo),
    Overview(Overview),
    FirstScreen(super::FirstScreen),
    Systems(Vec<System>),
    System(System),
    ResolveSystem(Id),
    Requests(Vec<RequestSummary>),
    Request(Request),
    Plans(Vec<PlanSummary>),
    Plan(Plan),
    PlanGates(crate::workflow::Gates),
    Templates(Vec<TemplateSummary>),
    Template(Template),
    TemplateOffers(crate::workflow::Offers),
    Archive(Vec<DossierSummary>),
    Dossier(DossierView),
    Calendar(Vec<Blackout>),
    Substitutes(Vec<Substitute>),
    Orders(Vec<RectificationOrder>),
    Order(RectificationOrder),
    Reports(Vec<ConfidentialReport>),
    Report(ConfidentialReport),
    Audit(Vec<AuditEvent>),
    Evaluation(Box<Report>),
    Contributions(Box<Contributions>),
    UnresolvedNames(Vec<crate::workflow::people::Unresolved>),
    Recognitions(Vec<Recognition>),
    JointReviews(Vec<JointMeeting>),
    JointReview(JointMeeting),
    Verify(crate::store::chain::VerifyReport),
    Backup(crate::store::backup::BackupReport),
    Attachments(Vec<AttachmentEntry>),
    Attachment(Box<AttachmentFile>),
    DossierSeal(crate::store::files::DossierSeal),
    Register(Register),
    Outbox(Vec<MailMessage>),
    MailSend(super::mail::SendReport),
    Attention(super::Attention),
    // issue 16 (idx)
    ArchiveSearch(crate::search::archive::SearchAnswer),
    Changes(Vec<super::Change>),
}

impl Answer {
    pub fn name(&self) -> &'static str {
        match self {
            Answer::Whoami(_) => "whoami",
            Answer::Overview(_) => "overview",
            Answer::FirstScreen(_) => "first_screen",
            Answer::Systems(_) => "systems",
            Answer::System(_) => "system",
            Answer::ResolveSystem(_) => "resolve_system",
            Answer::Requests(_) => "requests",
            Answer::Request(_) => "request",
            Answer::Plans(_) => "plans",
            Answer::Plan(_) => "plan",
            Answer::PlanGates(_) => "plan_gates",
            Answer::Templates(_) => "templates",
            Answer::Template(_) => "template",
            Answer::TemplateOffers(_) => "template_offers",
            Answer::Archive(_) => "archive",
            Answer::Dossier(_) => "dossier",
            Answer::Calendar(_) => "calendar",
            Answer::Substitutes(_) => "substitutes",
            Answer::Orders(_) => "orders",
            Answer::Order(_) => "order",
            Answer::Reports(_) => "reports",
            Answer::Report(_) => "report",
            Answer::Audit(_) => "audit",
            Answer::Verify(_) => "verify",
            Answer::Backup(_) => "backup",
            Answer::Evaluation(_) => "evaluation",
            Answer::Contributions(_) => "contributions",
            Answer::UnresolvedNames(_) => "unresolved_names",
            Answer::Recognitions(_) => "recognitions",
            Answer::JointReviews(_) => "joint_reviews",
            Answer::JointReview(_) => "joint_review",
            Answer::Attachments(_) => "attachments",
            Answer::Attachment(_) => "attachment",
            Answer::DossierSeal(_) => "dossier_seal",
            Answer::Register(_) => "register",
            Answer::Outbox(_) => "outbox",
            Answer::MailSend(_) => "mail_send",
            Answer::Attention(_) => "attention",
            Answer::ArchiveSearch(_) => "archive_search",
            Answer::Changes(_) => "changes",
        }
    }
}

impl Service {
    /// Answer a query by calling the read method it names.
    pub fn query(&self, actor: &Actor, q: Query) -> Result<Answer> {
        use Answer as A;
        Ok(match q {
            Query::Whoami => A::Whoami(WhoamiInfo {
                user: actor.name.clone(),
                roles: actor.roles.clone(),
                via: actor.via.clone(),
                db: self.dir().display().to_string(),
                demo: self.is_demo()?,
            }),
            Query::Overview => A::Overview(self.overview(actor)?),
            Query::FirstScreen { rows } => A::FirstScreen(self.first_screen(actor, rows)?),
            Query::Systems => A::Systems(self.systems(actor)?),
            Query::System(id) => A::System(self.system(actor, id)?),
            Query::ResolveSystem(key) => A::ResolveSystem(self.resolve_system(actor, &key)?),
            Query::Requests(f) => A::Requests(self.requests(actor, &f)?),
            Query::Request(id) => A::Request(self.request(actor, id)?),
            Query::Plans(f) => A::Plans(self.plans(actor, &f)?),
            Query::Plan(id) => A::Plan(self.plan(actor, id)?),
            Query::PlanGates(id) => A::PlanGates(self.plan_gates(actor, id)?),
            Query::Templates => A::Templates(self.templates(actor)?),
            Query::Template(id) => A::Template(self.template(actor, id)?),
            Query::TemplateOffers(id) => A::TemplateOffers(self.template_offers(actor, id)?),
            Query::Archive(f) => A::Archive(self.archive(actor, &f)?),
            Query::Dossier(id) => A::Dossier(self.dossier(actor, id)?),
            Query::Calendar => A::Calendar(self.calendar(actor)?),
            Query::Substitutes => A::Substitutes(self.substitutes(actor)?),
            Query::Orders => A::Orders(self.orders(actor)?),
            Query::Order(id) => A::Order(self.order(actor, id)?),
            Query::Reports => A::Reports(self.reports(actor)?),
            Query::Report(id) => A::Report(self.report(actor, id)?),
            Query::Audit { filter, limit } => A::Audit(self.audit_where(actor, &filter, limit)?),
            Query::Evaluation { from, to } => A::Evaluation(Box::new(self.evaluation(actor, from, to)?)),
            Query::Contributions { from, to } => A::Contributions(Box::new(self.contributions(actor, from, to)?)),
            Query::UnresolvedNames { submitters } => A::UnresolvedNames(self.unresolved_names(actor, submitters)?),
            Query::Recognitions => A::Recognitions(self.recognitions(actor)?),
            Query::JointReviews => A::JointReviews(self.joint_reviews(actor)?),
            Query::JointReview(id) => A::JointReview(self.joint_review(actor, id)?),
            Query::Verify { expect } => A::Verify(self.verify(actor, expect.as_ref())?),
            Query::Backup { dir, keep } => A::Backup(self.backup(actor, &dir, keep)?),
            Query::Attachments(id) => A::Attachments(self.attachments(actor, id)?),
            Query::Attachment { entity, name } => {
                A::Attachment(Box::new(self.attachment_content(actor, entity, &name)?))
            }
            Query::DossierSeal(id) => {
                self.can_read(actor)?;
                A::DossierSeal(self.store().dossier_seal(id)?)
            }
            Query::Integrity => A::Verify(self.integrity(actor)?),
            Query::Register => A::Register(self.register(actor)?),
            Query::Outbox => A::Outbox(self.mail_list(actor)?),
            Query::MailSend { retry } => A::MailSend(self.mail_send(actor, retry)?),
            Query::Attention => A::Attention(self.attention(actor)?),
            Query::ArchiveSearch(r) => A::ArchiveSearch(self.archive_search(actor, &r)?),
            Query::Changes { system, since } => A::Changes(self.changes(actor, system, since)?),
        })
    }
}

/// The receiving end of an import of any size: items go in batches as they are
/// read; [`ImportSink::finish`] commits them all; dropping it unfinished rolls
/// back everything (see `service/import.rs`).
pub trait ImportSink {
    fn add(&mut self, items: Vec<super::ImportItem>) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<Outcome>;
}

impl ImportSink for super::ImportSession {
    fn add(&mut self, items: Vec<super::ImportItem>) -> Result<()> {
        super::ImportSession::add(self, items)
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        super::ImportSession::finish(*self)
    }
}

/// Where commands and queries go: this process's own [`Service`] or a server.
pub trait Backend: Send + Sync {
    /// Who is acting (for a server: as the server established from the kernel;
    /// after [`Backend::act_as`], the demo person).
    fn actor(&self) -> Actor;
    /// Act as the demo person `person` for every later command and query of
    /// this backend (the real user's own name: back to them). Decided where the
    /// database lives ([`Service::act_as`]): only in a database `beian demo`
    /// created, only for the user who owns its files; audited. Answers who acts now.
    fn act_as(&self, person: &str) -> Result<WhoamiInfo>;
    fn execute(&self, cmd: Command, expect_rev: Option<u64>) -> Result<Outcome>;
    /// Start an import (all or nothing); other writes wait until it ends.
    fn import(&self, dry_run: bool) -> Result<Box<dyn ImportSink + '_>>;
    fn query(&self, q: Query) -> Result<Answer>;
    /// The database directory (local) or the server's socket, for messages.
    fn location(&self) -> String;
    /// The server's status; a local backend has no server.
    fn server_status(&self) -> Result<crate::server::StatusReport> {
        Err(Error::NoServer {
            socket: self.location(),
        })
    }
    /// True when this backend talks to `beian serve`.
    fn is_remote(&self) -> bool {
        false
    }
    /// Every change committed by anyone from now on, when the backend can tell
    /// (a server pushes them; a database of this process's own has no one else).
    fn subscribe(&self) -> Option<std::sync::mpsc::Receiver<crate::server::Changed>> {
        None
    }
}

/// The error for an answer of the wrong kind (a server bug or a version skew).
pub fn unexpected(a: Answer) -> Error {
    Error::Protocol {
        detail: format!("unexpected answer: {}", a.name()),
    }
}

macro_rules! typed {
    ($($(#[$m:meta])* $f:ident($($a:ident: $t:ty),*) -> $r:ty = $q:expr, $v:ident;)+) => {
        impl dyn Backend + '_ {
            $(
                $(#[$m])*
                pub fn $f(&self $(, $a: $t)*) -> Result<$r> {
                    match self.query($q)? {
                        Answer::$v(v) => Ok(v),
                        other => Err(unexpected(other)),
                    }
                }
            )+
        }
    };
}

typed! {
    whoami() -> WhoamiInfo = Query::Whoami, Whoami;
    overview() -> Overview = Query::Overview, Overview;
    first_screen(rows: usize) -> super::FirstScreen = Query::FirstScreen { rows }, FirstScreen;
    systems() -> Vec<System> = Query::Systems, Systems;
    system(id: Id) -> System = Query::System(id), System;
    /// A system by id (`SYS-0003`) or by exact or unique partial name.
    resolve_system(key: &str) -> Id = Query::ResolveSystem(key.to_string()), ResolveSystem;
    requests(f: &RequestFilter) -> Vec<RequestSummary> = Query::Requests(f.clone()), Requests;
    request(id: Id) -> Request = Query::Request(id), Request;
    plans(f: &PlanFilter) -> Vec<PlanSummary> = Query::Plans(f.clone()), Plans;
    plan(id: Id) -> Plan = Query::Plan(id), Plan;
    plan_gates(id: Id) -> crate::workflow::Gates = Query::PlanGates(id), PlanGates;
    templates() -> Vec<TemplateSummary> = Query::Templates, Templates;
    template(id: Id) -> Template = Query::Template(id), Template;
    template_offers(id: Id) -> crate::workflow::Offers = Query::TemplateOffers(id), TemplateOffers;
    archive(f: &ArchiveFilter) -> Vec<DossierSummary> = Query::Archive(f.clone()), Archive;
    dossier(id: Id) -> DossierView = Query::Dossier(id), Dossier;
    calendar() -> Vec<Blackout> = Query::Calendar, Calendar;
    substitutes() -> Vec<Substitute> = Query::Substitutes, Substitutes;
    orders() -> Vec<RectificationOrder> = Query::Orders, Orders;
    order(id: Id) -> RectificationOrder = Query::Order(id), Order;
    reports() -> Vec<ConfidentialReport> = Query::Reports, Reports;
    report(id: Id) -> ConfidentialReport = Query::Report(id), Report;
    audit(entity: Option<&str>, limit: usize) -> Vec<AuditEvent>
        = Query::Audit { filter: AuditFilter::entity(entity), limit }, Audit;
    /// The events `filter` selects, newest first, at most `limit`.
    audit_where(filter: &AuditFilter, limit: usize) -> Vec<AuditEvent>
        = Query::Audit { filter: filter.clone(), limit }, Audit;
    recognitions() -> Vec<Recognition> = Query::Recognitions, Recognitions;
    /// Names the register does not settle (issue 18 §3).
    unresolved_names(submitters: bool) -> Vec<crate::workflow::people::Unresolved>
        = Query::UnresolvedNames { submitters }, UnresolvedNames;
    joint_reviews() -> Vec<JointMeeting> = Query::JointReviews, JointReviews;
    joint_review(id: Id) -> JointMeeting = Query::JointReview(id), JointReview;
    verify(expect: Option<&crate::store::chain::ChainHead>) -> crate::store::chain::VerifyReport
        = Query::Verify { expect: expect.cloned() }, Verify;
    backup(dir: &std::path::Path, keep: Option<usize>) -> crate::store::backup::BackupReport
        = Query::Backup { dir: dir.to_path_buf(), keep }, Backup;
    /// The files attached to a record (issue 18).
    attachments(entity: Id) -> Vec<AttachmentEntry> = Query::Attachments(entity), Attachments;
    /// What seals a dossier in the chain (issue 18 §2).
    dossier_seal(id: Id) -> crate::store::files::DossierSeal = Query::DossierSeal(id), DossierSeal;
    /// The start-up integrity check (incremental, cached by head where the database lives).
    integrity() -> crate::store::chain::VerifyReport = Query::Integrity, Verify;
    register() -> Register = Query::Register, Register;
    outbox() -> Vec<MailMessage> = Query::Outbox, Outbox;
    mail_send(retry: bool) -> super::mail::SendReport = Query::MailSend { retry }, MailSend;
    /// What needs someone now (issue 17 §1).
    attention() -> super::Attention = Query::Attention, Attention;
    /// Search the archive: ranked hits with snippets, one page.
    archive_search(r: &crate::search::archive::SearchRequest) -> crate::search::archive::SearchAnswer
        = Query::ArchiveSearch(r.clone()), ArchiveSearch;
    /// Go-lives, rollbacks and incidents since `since`, and implementations under way.
    changes(system: Option<Id>, since: Option<NaiveDate>) -> Vec<super::Change>
        = Query::Changes { system, since }, Changes;
}

impl dyn Backend + '_ {
    /// One attached file with its content, by name or `#N` (issue 18).
    pub fn attachment(&self, entity: Id, name: &str) -> Result<AttachmentFile> {
        match self.query(Query::Attachment {
            entity,
            name: name.to_string(),
        })? {
            Answer::Attachment(f) => Ok(*f),
            other => Err(unexpected(other)),
        }
    }

    /// The periodic evaluation (§4.3) of `from..=to`.
    pub fn evaluation(&self, from: NaiveDate, to: NaiveDate) -> Result<Report> {
        match self.query(Query::Evaluation { from, to })? {
            Answer::Evaluation(r) => Ok(*r),
            other => Err(unexpected(other)),
        }
    }

    /// Contributions (§5.2) in `from..=to`.
    pub fn contributions(&self, from: NaiveDate, to: NaiveDate) -> Result<Contributions> {
        match self.query(Query::Contributions { from, to })? {
            Answer::Contributions(r) => Ok(*r),
            other => Err(unexpected(other)),
        }
    }
}

/// The database opened by this process.
pub struct Local {
    service: Service,
    /// The user running this process (or the one a test names).
    real: Actor,
    /// Who acts: `real`, or the demo person `real` acts as.
    actor: std::sync::RwLock<Actor>,
}

impl Local {
    /// Act as the OS user running this process.
    pub fn new(service: Service) -> Local {
        let actor = service.local_actor();
        Local::with_actor(service, actor)
    }

    pub fn with_actor(service: Service, actor: Actor) -> Local {
        Local {
            service,
            actor: std::sync::RwLock::new(actor.clone()),
            real: actor,
        }
    }

    fn current(&self) -> Actor {
        self.actor.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    pub fn into_service(self) -> Service {
        self.service
    }
}

impl Backend for Local {
    fn actor(&self) -> Actor {
        self.current()
    }

    /// The real user is this process's: the kernel's effective uid is compared
    /// with the owner of the database's files.
    fn act_as(&self, person: &str) -> Result<WhoamiInfo> {
        let uid = nix::unistd::geteuid().as_raw();
        let next = self.service.act_as(&self.real, uid, person)?;
        *self.actor.write().unwrap_or_else(|e| e.into_inner()) = next.clone();
        self.service.query(&next, Query::Whoami).and_then(|a| match a {
            Answer::Whoami(w) => Ok(w),
            other => Err(unexpected(other)),
        })
    }

    fn execute(&self, cmd: Command, expect_rev: Option<u64>) -> Result<Outcome> {
        self.service.execute(&self.current(), cmd, expect_rev)
    }

    fn import(&self, dry_run: bool) -> Result<Box<dyn ImportSink + '_>> {
        Ok(Box::new(self.service.import_session(&self.current(), dry_run)?))
    }

    fn query(&self, q: Query) -> Result<Answer> {
        self.service.query(&self.current(), q)
    }

    fn location(&self) -> String {
        self.service.dir().display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_answers_round_trip_through_json() {
        let qs = [
            Query::Whoami,
            Query::System("SYS-0003".parse::<Id>().unwrap()),
            Query::ResolveSystem("教务".into()),
            Query::Plans(PlanFilter::default()),
            Query::Attention,
            Query::Audit {
                filter: AuditFilter {
                    entity: Some("PLAN-2026-0001".into()),
                    actor: Some("zhaomin".into()),
                    actions: vec!["plan.approve".into()],
                    since: Some(chrono::Utc::now()),
                    until: None,
                },
                limit: 5,
            },
        ];
        for q in qs {
            let text = serde_json::to_string(&q).unwrap();
            assert_eq!(serde_json::from_str::<Query>(&text).unwrap(), q, "{text}");
        }
        let a = Answer::ResolveSystem("SYS-0003".parse::<Id>().unwrap());
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Answer>(&text).unwrap(), a);
    }
}
