//! Helpers shared by the integration tests: a fresh database with a controllable
//! clock, the actors of the process, a fully written plan, and a driver that takes
//! a plan to any status through the real commands.
#![allow(dead_code)]

use std::cell::Cell;
use std::sync::{RwLock, RwLockReadGuard};

use beian::model::*;
use beian::service::{Command, NewRequest, Outcome, Service, Triage};
use beian::workflow::{self as wf, GoLiveMissing, PlanChange};
use beian::{Error, Result};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use tempfile::TempDir;

/// The year every test clock runs in; ids are `REQ-2026-0001`, ….
pub const YEAR: u16 = 2026;

/// The start of every test clock: a Monday in March, noon in Beijing.
pub fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap()
}

// ----- actors -----

/// The user who created the database: admin.
pub fn admin() -> Actor {
    Actor::new("root", &[Role::Admin])
}
/// Operator a.
pub fn op_a() -> Actor {
    Actor::new("wang", &[Role::Operator])
}
/// Operator b.
pub fn op_b() -> Actor {
    Actor::new("zhao", &[Role::Operator])
}
pub fn approver() -> Actor {
    Actor::new("li", &[Role::Approver])
}
/// Someone who both writes plans and sits in the Leading Group.
pub fn op_approver() -> Actor {
    Actor::new("sun", &[Role::Operator, Role::Approver])
}
pub fn supervisor() -> Actor {
    Actor::new("chen", &[Role::Supervisor])
}
pub fn viewer() -> Actor {
    Actor::new("liu", &[Role::Viewer])
}
/// A user the configuration gives no role.
pub fn nobody() -> Actor {
    Actor::new("guest", &[])
}

// ----- language -----

/// The locale of rust-i18n is global to the process. Tests that render messages
/// hold this lock for reading (in English); the one test that renders Chinese
/// holds it for writing, so no English test sees a Chinese label meanwhile.
static LANG: RwLock<()> = RwLock::new(());

/// Hold for the whole test: messages (and labels inside errors) are English.
pub fn english() -> RwLockReadGuard<'static, ()> {
    let g = LANG.read().unwrap_or_else(|e| e.into_inner());
    beian::i18n::set("en");
    g
}

/// Run `f` with messages in Chinese, then switch back to English. The caller
/// must not hold [`english`] (drop it first), or this waits for itself.
pub fn in_chinese<R>(f: impl FnOnce() -> R) -> R {
    let _g = LANG.write().unwrap_or_else(|e| e.into_inner());
    beian::i18n::set("zh-CN");
    let r = f();
    beian::i18n::set("en");
    r
}

// ----- ids -----

pub fn id(kind: IdKind, seq: u32) -> Id {
    Id::new(kind, YEAR, seq)
}
pub fn req_id(seq: u32) -> Id {
    id(IdKind::Request, seq)
}
pub fn plan_id(seq: u32) -> Id {
    id(IdKind::Plan, seq)
}
pub fn dossier_id(seq: u32) -> Id {
    id(IdKind::Dossier, seq)
}
pub fn sys_id(seq: u32) -> Id {
    Id::new(IdKind::System, 0, seq)
}

// ----- a database -----

/// A fresh database in a temporary directory, one system in it, and a clock
/// that moves one minute forward before every command.
pub struct World {
    pub svc: Service,
    pub system: Id,
    clock: Cell<Time>,
    /// Dropped last: the directory outlives the service.
    pub dir: TempDir,
}

impl World {
    pub fn new() -> World {
        let dir = TempDir::new().expect("temp dir");
        let svc = Service::create(&dir.path().join("data"), "root", false).expect("create database");
        let w = World {
            svc,
            system: sys_id(1),
            clock: Cell::new(t0()),
            dir,
        };
        let out = w.ok(
            &admin(),
            Command::SystemAdd {
                name: "教务管理系统".into(),
                department: "教务处".into(),
                vendor: "正方".into(),
                version: "V2.1".into(),
            },
        );
        assert_eq!(out.entity, w.system.to_string());
        w
    }

    /// The data directory of the database.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Close the database, run `f` on its data directory, and open it again.
    pub fn closed<R>(self, f: impl FnOnce(&std::path::Path) -> R) -> (World, R) {
        let World {
            svc,
            system,
            clock,
            dir,
        } = self;
        drop(svc);
        let data = dir.path().join("data");
        let r = f(&data);
        let svc = reopen(&data).expect("reopen the database");
        (
            World {
                svc,
                system,
                clock,
                dir,
            },
            r,
        )
    }

    pub fn now(&self) -> Time {
        self.clock.get()
    }
    pub fn set_now(&self, t: Time) {
        self.clock.set(t)
    }
    pub fn wait(&self, d: Duration) {
        self.clock.set(self.clock.get() + d)
    }

    /// Run a command one minute after the previous one.
    pub fn exec(&self, actor: &Actor, cmd: Command) -> Result<Outcome> {
        self.exec_rev(actor, cmd, None)
    }

    pub fn exec_rev(&self, actor: &Actor, cmd: Command, rev: Option<u64>) -> Result<Outcome> {
        self.wait(Duration::minutes(1));
        self.svc.execute_at(actor, cmd, rev, self.now())
    }

    /// Run a command that must succeed.
    #[track_caller]
    pub fn ok(&self, actor: &Actor, cmd: Command) -> Outcome {
        let what = format!("{cmd:?}");
        match self.exec(actor, cmd) {
            Ok(o) => o,
            Err(e) => panic!("{} refused {what}: {e:?} ({})", actor.name, e.message()),
        }
    }

    /// Run a command that must be refused by a rule of the process.
    #[track_caller]
    pub fn refused(&self, actor: &Actor, cmd: Command) -> wf::RuleError {
        let what = format!("{cmd:?}");
        let before = self.audit_len();
        match self.exec(actor, cmd) {
            Ok(o) => panic!("{} was allowed {what}: {o:?}", actor.name),
            Err(Error::Rule(r)) => {
                assert_eq!(Error::Rule(r.clone()).exit_code(), 3);
                assert_eq!(self.audit_len(), before, "a refused command wrote an audit event");
                r
            }
            Err(e) => panic!("{what}: expected a rule refusal, got {e:?}"),
        }
    }

    pub fn plan(&self, id: Id) -> Plan {
        self.svc.plan(&supervisor(), id).expect("plan")
    }
    pub fn request(&self, id: Id) -> Request {
        self.svc.request(&supervisor(), id).expect("request")
    }
    pub fn status(&self, id: Id) -> PlanStatus {
        self.plan(id).status
    }
    pub fn audit_len(&self) -> usize {
        self.svc.audit(&supervisor(), None, usize::MAX).expect("audit").len()
    }

    /// A new request from a teacher, by operator a.
    pub fn add_request(&self, title: &str) -> Id {
        let out = self.ok(&op_a(), new_request(title, Some(self.system)));
        out.entity.parse().unwrap()
    }

    /// Write a request's necessity and feasibility analysis (§3.1).
    pub fn analyse(&self, id: Id) {
        self.ok(&op_a(), analysis(id));
    }

    /// A new request, analysed and accepted for planning.
    pub fn accepted_request(&self, title: &str) -> Id {
        let id = self.add_request(title);
        self.analyse(id);
        self.ok(
            &op_a(),
            Command::RequestTriage {
                id,
                triage: Triage::Accept { outcome: None },
            },
        );
        id
    }

    /// A draft plan with nothing but its title.
    pub fn new_plan(&self, author: &Actor) -> Id {
        let out = self.ok(
            author,
            Command::PlanNew {
                system: self.system,
                title: "教务系统升级".into(),
                version_from: None,
                version_to: "V3.0".into(),
                class: Default::default(),
                template: None,
            },
        );
        out.entity.parse().unwrap()
    }

    /// A draft plan with every field the submit gate asks for, its window ten days ahead.
    pub fn written_plan(&self, author: &Actor) -> Id {
        let id = self.new_plan(author);
        self.ok(
            author,
            Command::PlanEdit {
                id,
                changes: full_changes(self.now()),
            },
        );
        id
    }

    /// Take a plan forward to `target` through the real commands (operator a and
    /// the approver act; the plan must not be written by the approver).
    #[track_caller]
    pub fn drive(&self, id: Id, target: PlanStatus) {
        use PlanStatus as S;
        let mut guard = 0;
        loop {
            guard += 1;
            assert!(guard < 100, "drive({id}, {target}) does not converge");
            let p = self.plan(id);
            if p.status == target {
                return;
            }
            match (target, p.status) {
                (S::Returned, S::Submitted) => {
                    self.ok(
                        &approver(),
                        Command::PlanReturn {
                            id,
                            reason: "补充回退方案细节".into(),
                            minutes_ref: "LG-2026-03".into(),
                        },
                    );
                    continue;
                }
                (S::Cancelled, _) => {
                    self.ok(
                        &op_a(),
                        Command::PlanCancel {
                            id,
                            reason: "需求变更".into(),
                        },
                    );
                    continue;
                }
                _ => {}
            }
            self.keep_time(&p);
            let (who, cmd) =
                next_step(&p, self.now()).unwrap_or_else(|| panic!("{id} is {}: cannot reach {target}", p.status));
            let actor = match who {
                Who::Operator => op_a(),
                Who::Approver => approver(),
            };
            self.ok(&actor, cmd);
        }
    }

    /// Move the clock as a real update's days pass: implementation starts an
    /// hour before the window (tests and the backup follow within minutes), and
    /// the go-live waits for the window.
    pub fn keep_time(&self, p: &Plan) {
        let Some(w) = &p.window else { return };
        let lead = w.start - Duration::hours(1);
        if p.status == PlanStatus::NoticePublished && self.now() < lead {
            self.set_now(lead);
        }
        let ready = matches!(p.status, PlanStatus::Testing | PlanStatus::Ready)
            && wf::golive_missing(p, self.now(), &rules()).is_empty();
        if ready && self.now() < w.start {
            self.set_now(w.start);
        }
    }

    /// A plan written by operator a, driven to `target`.
    pub fn plan_at(&self, target: PlanStatus) -> Id {
        let id = self.written_plan(&op_a());
        self.drive(id, target);
        id
    }
}

/// Is this sled's own file lock, still held for a moment by its background
/// threads after a database in this process was dropped?
pub fn sled_lock_lingers(detail: &str) -> bool {
    detail.contains("could not acquire lock")
}

/// `Service::open`, waiting up to two seconds for sled's background threads of a
/// just-dropped `Service` in this process to let go of the database file.
pub fn reopen(data: &std::path::Path) -> Result<Service> {
    let mut tries = 0;
    loop {
        match Service::open(data) {
            Err(Error::NotBeian { detail, .. }) if sled_lock_lingers(&detail) && tries < 200 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

// ----- values -----

pub fn new_request(title: &str, system: Option<Id>) -> Command {
    Command::RequestAdd {
        request: NewRequest {
            kind: RequestKind::Feature,
            title: title.into(),
            body: "选课高峰期系统响应慢".into(),
            system,
            submitter: Submitter {
                name: "张老师".into(),
                contact: "zhang@example.edu.cn".into(),
                kind: SubmitterType::Teacher,
            },
            department: "计算机学院".into(),
            channel: Channel::Questionnaire,
            received_at: None,
            priority: Priority::Normal,
            tags: vec!["选课".into()],
        },
    }
}

/// The analysis that lets a request be accepted (§3.1).
pub fn analysis(id: Id) -> Command {
    Command::RequestEdit {
        id,
        edit: beian::service::RequestEdit {
            necessity: Some("选课高峰期影响全校学生，有必要".into()),
            feasibility: Some("厂商已有补丁，两人天可完成".into()),
            ..Default::default()
        },
    }
}

/// A maintenance window `days` after `now`, four hours long.
pub fn window_after(now: Time, days: i64) -> Window {
    let start = now + Duration::days(days);
    Window {
        start,
        end: start + Duration::hours(4),
    }
}

pub fn staff() -> StaffAssignment {
    StaffAssignment {
        person: "王工".into(),
        role: "负责人".into(),
        duty: "部署与回退".into(),
    }
}

pub fn risk() -> Risk {
    Risk {
        description: "选课数据迁移失败".into(),
        likelihood: Level::Low,
        impact: Level::High,
        mitigation: "迁移前全量备份，失败即回退".into(),
    }
}

/// Every field the submit gate requires, with the window ten days after `now`.
pub fn full_changes(now: Time) -> Vec<PlanChange> {
    full_changes_with_window(window_after(now, 10))
}

pub fn full_changes_with_window(w: Window) -> Vec<PlanChange> {
    vec![
        PlanChange::Goals("提升选课并发能力".into()),
        PlanChange::Content("升级到 V3.0，更换选课模块".into()),
        PlanChange::Approach("灰度发布，数据库在线迁移".into()),
        PlanChange::Window(Some(w)),
        PlanChange::AddStaff(staff()),
        PlanChange::AddRisk(risk()),
        PlanChange::BackupPlan("全量备份数据库与附件".into()),
        PlanChange::MigratesData(true),
        PlanChange::MigrationPlan("脚本迁移".into()),
        PlanChange::RollbackPlan("恢复备份并切回旧版本".into()),
    ]
}

pub fn tester() -> Tester {
    Tester {
        name: "学生志愿者小张".into(),
        kind: TesterType::StudentVolunteer,
    }
}

pub fn backup() -> BackupConfirmation {
    BackupConfirmation {
        what: "教务数据库全量".into(),
        location: "/backup/jw/2026-03".into(),
        size: "12G".into(),
        checksum: "sha256:00ff".into(),
        verified_by: "wang".into(),
        time: t0(),
    }
}

pub fn golive(time: Time, outcome: GoLiveOutcome) -> GoLive {
    GoLive {
        time,
        deployer: "wang".into(),
        version: "V3.0".into(),
        steps: "停服、迁移、启动".into(),
        config_changes: String::new(),
        outcome,
        incidents: String::new(),
        deviation: None,
    }
}

pub fn comparison_row() -> ComparisonRow {
    ComparisonRow {
        function: "选课".into(),
        before: "单线程".into(),
        after: "并发".into(),
        change: ChangeType::Changed,
    }
}

pub fn training() -> Training {
    Training {
        format: TrainingFormat::Classroom,
        date: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
        trainer: "王工".into(),
        departments: vec!["教务处".into()],
        attendance: 30,
        audience: Vec::new(),
    }
}

pub fn test_item(plan: Id) -> Command {
    Command::TestItem {
        plan,
        category: TestCategory::Functional,
        description: "学生选课".into(),
        expected: "选课成功".into(),
        tester: tester(),
        retest: None,
    }
}

/// Item `no` of an earlier round, tested again in the latest round.
pub fn retest(plan: Id, no: u32) -> Command {
    Command::TestItem {
        plan,
        category: TestCategory::Functional,
        description: String::new(),
        expected: String::new(),
        tester: tester(),
        retest: Some(no),
    }
}

/// A new test round in the test environment.
pub fn round(plan: Id) -> Command {
    Command::TestRound {
        plan,
        copy_unfinished: false,
        environment: "测试环境 10.10.1.20".into(),
    }
}

/// The process settings the tests run with (`config.toml` defaults).
pub fn rules() -> beian::config::Process {
    Default::default()
}

pub fn pass(plan: Id, item: u32) -> Command {
    Command::TestResult {
        plan,
        item,
        result: TestResult::Pass,
        notes: None,
    }
}

// ----- the next step of a plan -----

/// Who should take a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Operator,
    Approver,
}

/// Was the latest round there before the last rolled-back go-live (so a new
/// round is needed)?
pub fn round_superseded(p: &Plan) -> bool {
    p.latest_round()
        .is_some_and(|r| p.retest_after_round.is_some_and(|n| r.no <= n))
}

/// The command that takes a plan one step further towards filing, or `None` for
/// a plan that is filed, cancelled or closed as failed. Draft and returned plans are (re)written in
/// full, with the window ten days after `now`.
pub fn next_step(p: &Plan, now: Time) -> Option<(Who, Command)> {
    use PlanStatus as S;
    let id = p.id;
    let step = match p.status {
        S::Draft | S::Returned => {
            if wf::submit_missing(p).is_empty() {
                (Who::Operator, Command::PlanSubmit { id })
            } else {
                (
                    Who::Operator,
                    Command::PlanEdit {
                        id,
                        changes: full_changes(now),
                    },
                )
            }
        }
        S::Submitted => (
            Who::Approver,
            Command::PlanApprove {
                id,
                comment: "同意".into(),
                minutes_ref: "LG-2026-03".into(),
            },
        ),
        S::Approved => (
            Who::Operator,
            Command::PlanNotice {
                id,
                text: None,
                audience: "全校师生".into(),
            },
        ),
        S::NoticePublished => (Who::Operator, Command::PlanImplement { id }),
        S::Implementing => (Who::Operator, round(id)),
        S::Testing | S::Ready => {
            let missing = wf::golive_missing(p, now, &rules());
            let cmd = match missing.first() {
                None => Command::GoLive {
                    plan: id,
                    golive: golive(now, GoLiveOutcome::Success),
                },
                Some(
                    GoLiveMissing::Backup
                    | GoLiveMissing::BackupStale { .. }
                    | GoLiveMissing::BackupBeforeRollback { .. },
                ) => Command::Backup {
                    plan: id,
                    backup: backup(),
                },
                Some(GoLiveMissing::TestRound) => {
                    if p.latest_round().is_some_and(|r| r.items.is_empty()) && !round_superseded(p) {
                        test_item(id)
                    } else {
                        round(id)
                    }
                }
                Some(GoLiveMissing::Items { items, .. }) => pass(id, items[0]),
                Some(GoLiveMissing::Unresolved { items }) => retest(id, items[0].0),
                Some(GoLiveMissing::Defects { defects }) => Command::DefectUpdate {
                    plan: id,
                    defect: defects[0].0,
                    status: Some(DefectStatus::Verified),
                    vendor_ref: None,
                },
            };
            (Who::Operator, cmd)
        }
        S::Live => {
            if p.comparison.is_empty() {
                (
                    Who::Operator,
                    Command::ComparisonAdd {
                        plan: id,
                        row: comparison_row(),
                    },
                )
            } else {
                (Who::Operator, Command::File { plan: id })
            }
        }
        S::Filed | S::Cancelled | S::Failed => return None,
    };
    Some(step)
}
