//! `beian demo`: fill a fresh database with a believable semester of a Chinese
//! university's information-system updates (版本更新备案).
//!
//! Everything goes through [`Service::execute_at`] with explicit past times, so
//! the demo obeys the same rules as real use: the calendar check at submission,
//! approval by someone other than the author, the notice period, the go-live and
//! filing gates. The script is built first (with a seeded RNG, so the content is
//! the same every time apart from `now`), then sorted by time and run, so audit
//! events, ids and record times all move forward together.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, Local, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::config::{Config, Roles, CONFIG_FILE};
use crate::error::{Error, Result};
use crate::model::AttachmentKind;
use crate::model::{
    Actor, Audience, BackupConfirmation, Blackout, ChangeClass, ChangeType, Channel, ComparisonRow, DefectStatus,
    GoLive, GoLiveOutcome, GoalVerdict, Id, IdKind, IncidentOutcome, Level, NoticeField, OrderTarget, PlanStatus,
    PlannedTraining, Priority, Recipient, RecognitionKind, RequestKind, RequestStatus, Risk, Role, Severity,
    StaffAssignment, Submitter, SubmitterType, TestCategory, TestResult, Tester, TesterType, Time, Training,
    TrainingFormat, Window,
};
use crate::service::{Command, NewRequest, PlanFilter, RequestEdit, RequestFilter, Service, Triage};
use crate::workflow::attach::NewAttachment;
use crate::workflow::command::GoalInput;

/// The demo's attached files (issue 18): small texts, the same every run.
const VENDOR_TEST_REPORT: &str = "厂商测试报告\n\n一、测试范围：功能、性能、兼容性、安全。\n二、测试结论：全部测试项通过，无遗留严重缺陷。\n三、性能：并发 500 用户，平均响应 0.8 秒。\n";
const SIGN_IN_SHEET: &str =
    "序号,姓名,部门,签到时间\n1,王芳,后勤保障处,09:02\n2,李强,饮食服务中心,09:05\n3,赵丽,饮食服务中心,09:07\n";
const MAKEUP_SIGN_IN_SHEET: &str = "序号,姓名,部门,签到时间\n1,陈刚,饮食服务中心,14:01\n2,孙敏,饮食服务中心,14:03\n";
use crate::workflow::{Milestone, NoticeChange, PlanChange};

/// What [`populate`] produced.
#[derive(Debug, Clone, Serialize)]
pub struct DemoStats {
    pub systems: usize,
    pub requests: usize,
    pub plans: usize,
    pub dossiers: usize,
    pub plans_by_status: Vec<(PlanStatus, usize)>,
    pub requests_by_status: Vec<(RequestStatus, usize)>,
    pub audit_events: usize,
}

/// Fill a freshly created (empty) database with a semester of demo records.
///
/// Writes `<dir>/config.toml` first, giving the demo people their roles and the
/// creating user operator, approver and supervisor (it is admin already), and
/// loads it into `service`. Then runs the whole script inside [`Service::bulk`],
/// so there is one flush at the end. Refuses a database that already has records.
pub fn populate(service: &mut Service, now: Time) -> Result<DemoStats> {
    let creator = service.creator().to_string();
    let admin = Actor::new(creator.clone(), &[Role::Admin]);
    let o = service.overview(&admin)?;
    if o.systems + o.requests + o.plans + o.dossiers > 0 {
        return Err(Error::input(
            "database",
            &service.dir().display().to_string(),
            "a freshly created, empty database",
        ));
    }
    let script = Demo::new(&creator, now).build()?;
    // The roles are recorded in the chain before the semester's first event.
    write_config(service, script.evs.iter().map(|e| e.at).min().unwrap_or(now))?;
    let actors = script.actors.clone();
    service.bulk(|s| run(s, &actors, script.evs, now))?;
    stats(service, &creator)
}

/// A demo session's audience: `attendance` shared among the departments (the
/// first takes the remainder), each targeting more people than came, at a
/// rate fixed by its position (92%, 80%, 68%, …).
fn demo_audience(departments: &str, attendance: u32) -> Vec<crate::model::Audience> {
    let names: Vec<&str> = departments
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let n = names.len() as u32;
    if n == 0 {
        return Vec::new();
    }
    names
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let attended = attendance / n + if i == 0 { attendance % n } else { 0 };
            let rate = 92u32.saturating_sub(12 * i as u32).max(50);
            crate::model::Audience {
                department: d.to_string(),
                targeted: (attended * 100).div_ceil(rate).max(attended),
                attended,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// People and configuration

const ADMIN: usize = 0;
const WANG: usize = 1;
const LIU: usize = 2;
const CHEN: usize = 3;
const SUN: usize = 4;
const ZHANG: usize = 5;
const ZHAO: usize = 6;
/// A second member of the Leading Group: a major change needs two approvers.
const LI: usize = 7;

/// Login name and the name people know them by.
pub(crate) const PEOPLE: [(&str, &str); 8] = [
    ("", "系统管理员"),
    ("wanglei", "王磊"),
    ("liuyang", "刘洋"),
    ("chenjing", "陈静"),
    ("sunhao", "孙浩"),
    ("zhangwei", "张伟"),
    ("zhaomin", "赵敏"),
    ("liqiang", "李强"),
];

fn actors(creator: &str) -> Vec<Actor> {
    vec![
        Actor::new(creator, &[Role::Admin]),
        Actor::new(PEOPLE[WANG].0, &[Role::Operator]),
        Actor::new(PEOPLE[LIU].0, &[Role::Operator]),
        Actor::new(PEOPLE[CHEN].0, &[Role::Operator]),
        Actor::new(PEOPLE[SUN].0, &[Role::Operator]),
        Actor::new(PEOPLE[ZHANG].0, &[Role::Approver]),
        Actor::new(PEOPLE[ZHAO].0, &[Role::Supervisor]),
        Actor::new(PEOPLE[LI].0, &[Role::Approver]),
    ]
}

/// The departments of the demo's systems and colleges, each with a
/// distribution list at example.edu.cn.
const DEMO_DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("教务处", "jwc", "周建国"),
    ("研究生院", "yjsy", "吴海燕"),
    ("人事处", "rsc", "郑立新"),
    ("信息化管理中心", "imc", "王磊"),
    ("党委宣传部", "xcb", "冯晓梅"),
    ("党政办公室", "dzb", "陈志强"),
    ("后勤保障处（一卡通中心）", "hqc", "褚卫东"),
    ("国有资产管理处", "gzc", "卫国平"),
    ("图书馆", "lib", "蒋文华"),
    ("学生工作部", "xgb", "沈丽娟"),
    ("科研处", "kyc", "韩永刚"),
    ("计划财务处", "cwc", "杨秀英"),
    ("计算机科学与技术学院", "cs", "朱明"),
    ("外国语学院", "sfl", "秦雪"),
];

/// The demo's register: its departments, the IMC staff and the Leading Group
/// with their logins, and one person reachable only by phone.
fn demo_register() -> Command {
    use crate::model::{DepartmentFields, Labelled, PersonFields};
    let departments = DEMO_DEPARTMENTS
        .iter()
        .enumerate()
        .map(|(i, (name, slug, head))| Labelled {
            label: format!("demo:{}", i + 1),
            row: DepartmentFields {
                name: name.to_string(),
                head: head.to_string(),
                distribution: vec![
                    format!("{slug}@example.edu.cn"),
                    format!("{slug}-office@example.edu.cn"),
                ],
            },
        })
        .collect();
    let mut people: Vec<Labelled<PersonFields>> = PEOPLE[1..]
        .iter()
        .enumerate()
        .map(|(i, (login, name))| Labelled {
            label: format!("demo:{}", i + 1),
            row: PersonFields {
                name: name.to_string(),
                department: if *login == "zhaomin" {
                    "纪检监察室"
                } else {
                    "信息化管理中心"
                }
                .into(),
                email: format!("{login}@example.edu.cn"),
                phone: format!("010-6278{:04}", 1000 + i),
                lang: String::new(),
                login: login.to_string(),
            },
        })
        .collect();
    // A namesake of the IMC's 陈静: a bare 陈静 in the records is ambiguous
    // until an operator says which one it is (issue 18 §3, `demo_resolutions`).
    people.push(Labelled {
        label: "demo:namesake".into(),
        row: PersonFields {
            name: "陈静".into(),
            department: "图书馆".into(),
            email: "chenjing.lib@example.edu.cn".into(),
            phone: "010-62785120".into(),
            lang: String::new(),
            login: String::new(),
        },
    });
    people.push(Labelled {
        label: "demo:phone".into(),
        row: PersonFields {
            name: "周建国".into(),
            department: "教务处".into(),
            email: String::new(),
            phone: "010-62781234".into(),
            lang: String::new(),
            login: String::new(),
        },
    });
    Command::RegisterImport {
        people,
        departments,
        vendors: vec![Labelled {
            label: "demo:vendor".into(),
            row: crate::model::VendorFields {
                name: "正方软件".into(),
                contacts: vec!["李工 support@zfsoft.example.com".into()],
                support: "support@zfsoft.example.com".into(),
            },
        }],
    }
}

/// How an operator resolved names the records write that the register's rule
/// does not settle (issue 18 §3): offices and teams to their departments, a
/// vendor's engineers to the vendor, the trainer 陈静 to the IMC's 陈静 (the
/// library has one too). The demo leaves a few open for `beian people resolve`.
fn demo_resolutions() -> Vec<Command> {
    let dept = |n: &str| {
        let i = DEMO_DEPARTMENTS
            .iter()
            .position(|d| d.0 == n)
            .expect("a demo department") as u32;
        Id::new(IdKind::Department, 0, i + 1)
    };
    vec![
        ("教务处运行科", dept("教务处")),
        ("一卡通中心", dept("后勤保障处（一卡通中心）")),
        ("图书馆读者服务部", dept("图书馆")),
        ("计划财务处会计核算科", dept("计划财务处")),
        ("正方软件实施工程师", Id::new(IdKind::Vendor, 0, 1)),
        ("陈静", Id::new(IdKind::Person, 0, CHEN as u32)),
    ]
    .into_iter()
    .map(|(text, target)| Command::NameResolve {
        text: text.into(),
        target,
    })
    .collect()
}

/// An IMC colleague as written in staff, tester and deployer fields.
fn imc(who: usize) -> String {
    format!("{}（信息化管理中心）", PEOPLE[who].1)
}

/// The demo configuration: the demo people's roles, and operator, approver and
/// supervisor for the user who created the database.
pub fn demo_config(creator: &str) -> Config {
    let mut users: BTreeMap<String, Vec<Role>> = BTreeMap::new();
    for (who, role) in [
        (WANG, Role::Operator),
        (LIU, Role::Operator),
        (CHEN, Role::Operator),
        (SUN, Role::Operator),
        (ZHANG, Role::Approver),
        (ZHAO, Role::Supervisor),
        (LI, Role::Approver),
    ] {
        users.entry(PEOPLE[who].0.to_string()).or_default().push(role);
    }
    users.entry("huangli".into()).or_default().push(Role::Viewer);
    users
        .entry(creator.to_string())
        .or_default()
        .extend([Role::Operator, Role::Approver, Role::Supervisor]);
    for roles in users.values_mut() {
        roles.sort();
        roles.dedup();
    }
    Config {
        roles: Roles {
            users,
            groups: BTreeMap::new(),
        },
        ..Default::default()
    }
}

/// Write the demo's config.toml and take it up, its roles recorded in the
/// chain as of `at` (`store/config_log.rs`).
pub(crate) fn write_config(service: &mut Service, at: Time) -> Result<()> {
    write_config_with(service, at, |_| {})
}

/// [`write_config`] with the demo configuration changed by `adjust`.
pub(crate) fn write_config_with(service: &mut Service, at: Time, adjust: impl FnOnce(&mut Config)) -> Result<()> {
    let dir = service.dir().to_path_buf();
    let path = dir.join(CONFIG_FILE);
    let mut config = demo_config(service.creator());
    adjust(&mut config);
    let body = toml::to_string(&config).map_err(|e| Error::Config {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    let text = format!(
        "# beian demo database (beian demo). {} created it and is always admin.\n\
         # Demo people: wanglei, liuyang, chenjing, sunhao (operators, IMC),\n\
         # zhangwei and liqiang (approvers, Informatization Leading Group), zhaomin (supervisor),\n\
         # huangli (viewer). Roles: admin, operator, approver, supervisor, viewer.\n\n{body}",
        service.creator()
    );
    // `Service::create` wrote the template with the right mode; replacing the
    // contents keeps it.
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    let config = Config::load(&dir)?;
    service.record_config(&config, at)?;
    service.set_config(config);
    Ok(())
}

fn stats(service: &Service, creator: &str) -> Result<DemoStats> {
    let reader = Actor::new(creator, &[Role::Admin, Role::Supervisor]);
    let requests = service.requests(&reader, &RequestFilter::default())?;
    let plans = service.plans(&reader, &PlanFilter::default())?;
    let count_plans = |s: PlanStatus| plans.iter().filter(|p| p.status == s).count();
    let count_requests = |s: RequestStatus| requests.iter().filter(|r| r.status == s).count();
    Ok(DemoStats {
        systems: service.systems(&reader)?.len(),
        requests: requests.len(),
        plans: plans.len(),
        dossiers: service.archive(&reader, &Default::default())?.len(),
        plans_by_status: PlanStatus::ALL.iter().map(|s| (*s, count_plans(*s))).collect(),
        requests_by_status: RequestStatus::ALL.iter().map(|s| (*s, count_requests(*s))).collect(),
        audit_events: service.audit(&reader, None, usize::MAX)?.len(),
    })
}

// ---------------------------------------------------------------------------
// The script: commands with their time and actor, run in time order

/// A record created by the script, known by its place in the script until it
/// exists and has an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    System(usize),
    Request(usize),
    Plan(usize),
    Template(usize),
    Dossier(usize),
    Order(usize),
    Report(usize),
    JointReview(usize),
    /// A request the after-go-live script adds (post-update feedback).
    Feedback(usize),
}

#[derive(Default)]
struct Refs {
    ids: HashMap<Slot, Id>,
}

impl Refs {
    fn id(&self, s: Slot) -> Result<Id> {
        self.ids
            .get(&s)
            .copied()
            .ok_or_else(|| Error::input("demo", &format!("{s:?}"), "a record created earlier in the script"))
    }
}

type Build = Box<dyn Fn(&Refs) -> Result<Command>>;

struct Ev {
    at: Time,
    who: usize,
    sink: Option<Slot>,
    build: Build,
}

struct Script {
    actors: Vec<Actor>,
    evs: Vec<Ev>,
}

fn run(service: &Service, actors: &[Actor], mut evs: Vec<Ev>, now: Time) -> Result<()> {
    evs.sort_by_key(|e| e.at);
    let mut refs = Refs::default();
    for ev in &evs {
        if ev.at > now {
            return Err(Error::input("demo", &ev.at.to_rfc3339(), "a time before now"));
        }
        let cmd = (ev.build)(&refs)?;
        let name = cmd.name();
        let out = service.execute_at(&actors[ev.who], cmd, None, ev.at).inspect_err(|e| {
            if cfg!(test) {
                eprintln!("demo: {name} by {} at {} failed: {e:?}", actors[ev.who].name, ev.at);
            }
        })?;
        if let Some(slot) = ev.sink {
            let id: Id = out
                .entity
                .parse()
                .map_err(|_| Error::input("entity", &out.entity, "an id"))?;
            refs.ids.insert(slot, id);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Time

struct Clock {
    now: Time,
    today: NaiveDate,
    /// Monday of the first week of the semester, 13–14 weeks ago.
    sem: NaiveDate,
}

impl Clock {
    fn new(now: Time) -> Clock {
        let today = now.with_timezone(&Local).date_naive();
        let d0 = today - Duration::days(91);
        let sem = d0 - Duration::days(d0.weekday().num_days_from_monday() as i64);
        Clock { now, today, sem }
    }
    /// A day relative to the start of the semester.
    fn s(&self, d: i64) -> NaiveDate {
        self.sem + Duration::days(d)
    }
    /// A day relative to today.
    fn t(&self, d: i64) -> NaiveDate {
        self.today + Duration::days(d)
    }
}

/// A local wall-clock time on a day.
fn at(date: NaiveDate, h: u32, m: u32) -> Time {
    let naive = date.and_hms_opt(h.min(23), m.min(59), 0).unwrap_or_default();
    match Local.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => Utc.from_utc_datetime(&naive),
    }
}

fn day_of(t: Time) -> NaiveDate {
    t.with_timezone(&Local).date_naive()
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn days(d: i64) -> Duration {
    Duration::days(d)
}

/// `from + (to - from) * frac`.
fn between(from: Time, to: Time, frac: f64) -> Time {
    from + mins(((to - from).num_minutes() as f64 * frac) as i64)
}

fn fmt_hm(t: Time) -> String {
    t.with_timezone(&Local).format("%H:%M").to_string()
}

/// The academic calendar around now (§3.2): the semester started on a Monday
/// 13–14 weeks ago.
fn calendar(c: &Clock) -> Vec<Blackout> {
    let b = |name: &str, start: i64, end: i64, hard: bool| Blackout {
        name: name.to_string(),
        start: c.s(start),
        end: c.s(end),
        hard,
        systems: Vec::new(),
    };
    vec![
        b("新生报到与开学注册", -3, 4, false),
        b("本科生选课补退选", 7, 18, false),
        b("本科教学审核评估专家进校考察", 36, 38, true),
        b("期中考试", 63, 76, false),
        b("全国硕士研究生招生考试", 103, 105, true),
        b("全国大学英语四、六级考试", 110, 110, true),
        b("下学期预选课", 112, 123, false),
        b("期末考试", 126, 139, true),
        b("期末成绩录入与学籍处理", 140, 146, false),
    ]
}

/// The term a day falls in, as a questionnaire names it.
fn term_label(d: NaiveDate) -> String {
    let y = d.year();
    match d.month() {
        8..=12 => format!("{y}—{}学年第一学期", y + 1),
        1 => format!("{}—{y}学年第一学期", y - 1),
        _ => format!("{}—{y}学年第二学期", y - 1),
    }
}

// ---------------------------------------------------------------------------
// Small random helpers

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn weighted(rng: &mut StdRng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.random_range(0..total.max(1));
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

// ---------------------------------------------------------------------------
// Data: systems, people, departments

struct Sys {
    name: &'static str,
    dept: &'static str,
    vendor: &'static str,
    /// What people call the vendor.
    short: &'static str,
    /// Prefix of the vendor's ticket numbers.
    code: &'static str,
    version: &'static str,
    /// Do students use it?
    students: bool,
    /// Share of the request traffic.
    weight: u32,
}

const SYSTEMS: &[Sys] = &[
    Sys {
        name: "教务管理系统",
        dept: "教务处",
        vendor: "正方软件股份有限公司",
        short: "正方软件",
        code: "ZF",
        version: "V9.0.3",
        students: true,
        weight: 24,
    },
    Sys {
        name: "一卡通系统",
        dept: "后勤保障处（一卡通中心）",
        vendor: "哈尔滨新中新电子股份有限公司",
        short: "新中新",
        code: "XZX",
        version: "V5.2.1",
        students: true,
        weight: 15,
    },
    Sys {
        name: "图书馆管理系统",
        dept: "图书馆",
        vendor: "江苏汇文软件有限公司",
        short: "汇文软件",
        code: "HW",
        version: "Libsys 5.6",
        students: true,
        weight: 10,
    },
    Sys {
        name: "学工管理系统",
        dept: "学生工作部",
        vendor: "江苏金智教育信息股份有限公司",
        short: "金智教育",
        code: "WISEDU",
        version: "V4.1.0",
        students: true,
        weight: 10,
    },
    Sys {
        name: "人事管理系统",
        dept: "人事处",
        vendor: "上海树维信息科技有限公司",
        short: "树维信息",
        code: "SW",
        version: "V3.8.2",
        students: false,
        weight: 5,
    },
    Sys {
        name: "财务管理系统",
        dept: "计划财务处",
        vendor: "浪潮通用软件有限公司",
        short: "浪潮",
        code: "INSPUR",
        version: "GS 7.2",
        students: false,
        weight: 7,
    },
    Sys {
        name: "科研管理系统",
        dept: "科研处",
        vendor: "北京科研在线信息技术有限公司",
        short: "科研在线",
        code: "KYZX",
        version: "V6.0",
        students: false,
        weight: 5,
    },
    Sys {
        name: "统一身份认证平台",
        dept: "信息化管理中心",
        vendor: "江苏金智教育信息股份有限公司",
        short: "金智教育",
        code: "WISEDU",
        version: "CAS 4.2",
        students: true,
        weight: 8,
    },
    Sys {
        name: "校园网门户",
        dept: "党委宣传部",
        vendor: "南京大汉网络有限公司",
        short: "大汉网络",
        code: "HANWEB",
        version: "JCMS 7.3",
        students: true,
        weight: 5,
    },
    Sys {
        name: "办公自动化系统",
        dept: "党政办公室",
        vendor: "北京致远互联软件股份有限公司",
        short: "致远互联",
        code: "SEEYON",
        version: "A8+ V8.0",
        students: false,
        weight: 5,
    },
    Sys {
        name: "研究生管理系统",
        dept: "研究生院",
        vendor: "正方软件股份有限公司",
        short: "正方软件",
        code: "ZF",
        version: "V5.3",
        students: true,
        weight: 4,
    },
    Sys {
        name: "资产管理系统",
        dept: "国有资产管理处",
        vendor: "杭州天宽科技有限公司",
        short: "天宽科技",
        code: "TK",
        version: "V2.6",
        students: false,
        weight: 2,
    },
];

pub(crate) const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("袁", "yuan"),
    ("潘", "pan"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("苏", "su"),
    ("魏", "wei"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("沈", "shen"),
    ("姚", "yao"),
    ("卢", "lu"),
];

pub(crate) const GIVEN: &[(&str, &str)] = &[
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("雨桐", "yutong"),
    ("思远", "siyuan"),
    ("一鸣", "yiming"),
    ("欣怡", "xinyi"),
    ("梓轩", "zixuan"),
    ("佳琪", "jiaqi"),
    ("宇航", "yuhang"),
    ("晨曦", "chenxi"),
    ("诗涵", "shihan"),
    ("俊杰", "junjie"),
    ("文博", "wenbo"),
    ("嘉怡", "jiayi"),
    ("志强", "zhiqiang"),
    ("海燕", "haiyan"),
    ("建华", "jianhua"),
    ("丹", "dan"),
    ("婷", "ting"),
    ("鹏", "peng"),
    ("晓东", "xiaodong"),
    ("慧", "hui"),
    ("琳", "lin"),
    ("明", "ming"),
    ("磊", "lei"),
    ("静", "jing"),
    ("芳", "fang"),
    ("军", "jun"),
    ("涛", "tao"),
    ("超", "chao"),
    ("霞", "xia"),
    ("敏", "min"),
    ("杰", "jie"),
    ("颖", "ying"),
    ("博文", "bowen"),
    ("雪", "xue"),
    ("振华", "zhenhua"),
    ("国庆", "guoqing"),
    ("秀英", "xiuying"),
    ("立新", "lixin"),
];

pub(crate) const FOREIGN: &[&str] = &[
    "Anna Müller",
    "James Wilson",
    "Tanaka Yuki",
    "Mohammed Al-Farsi",
    "Olga Petrova",
    "Kim Min-jun",
    "Pierre Dubois",
    "Aisha Bello",
    "Carlos Mendes",
    "Emily Clarke",
];

pub(crate) const COLLEGES: &[&str] = &[
    "计算机科学与技术学院",
    "外国语学院",
    "机械工程学院",
    "经济管理学院",
    "马克思主义学院",
    "化学化工学院",
    "文学院",
    "数学与统计学院",
    "物理与电子工程学院",
    "土木工程学院",
    "艺术学院",
    "体育学院",
    "医学院",
    "法学院",
    "材料科学与工程学院",
    "国际教育学院",
];

pub(crate) const OFFICES: &[&str] = &[
    "教务处",
    "学生工作部",
    "人事处",
    "计划财务处",
    "科研处",
    "图书馆",
    "后勤保障处",
    "研究生院",
    "国际交流处",
    "保卫处",
    "校医院",
    "校团委",
    "党政办公室",
    "国有资产管理处",
];

// ---------------------------------------------------------------------------
// Data: what people write to the IMC (§3.1)

struct Tpl {
    sys: usize,
    feature: bool,
    /// Ways people phrase the title, separated by `|`.
    titles: &'static str,
    detail: &'static str,
    /// Comma-separated.
    tags: &'static str,
}

const fn p(sys: usize, titles: &'static str, detail: &'static str, tags: &'static str) -> Tpl {
    Tpl {
        sys,
        feature: false,
        titles,
        detail,
        tags,
    }
}

const fn f(sys: usize, titles: &'static str, detail: &'static str, tags: &'static str) -> Tpl {
    Tpl {
        sys,
        feature: true,
        titles,
        detail,
        tags,
    }
}

const TPLS: &[Tpl] = &[
    // 0 教务管理系统
    p(0, "选课高峰期系统响应缓慢|选课时页面长时间无响应|抢课时一直提示“服务器繁忙”", "选课开放后的前半小时，页面频繁提示“服务器繁忙，请稍后再试”，提交选课后长时间转圈，刷新后发现课程并未选上。", "选课,性能"),
    p(0, "课表导出PDF中文乱码|个人课表导出后显示乱码", "在“我的课表”中点击导出PDF，打开后课程名称和教室均显示为方框，换了两台电脑都一样。", "课表,导出"),
    p(0, "成绩录入保存时提示会话超时|录入成绩时被强制退出登录", "录入一个教学班的平时成绩和期末成绩需要较长时间，点击保存时提示会话已超时，之前录入的内容全部丢失。", "成绩,会话"),
    p(0, "调停课申请一直显示学院审核中|调课申请审批流程卡住", "上周提交的调课申请，学院教学秘书已审批通过，但系统中仍显示“学院审核中”，教务处看不到该申请。", "调停课,流程"),
    p(0, "培养方案完成情况学分统计不正确", "培养方案完成情况页面中，已修的公共选修课学分没有计入总学分，导致显示毕业学分不足。", "培养方案,学分"),
    p(0, "空教室查询结果与实际占用不符|教室借用通过后又被排了考试", "查询显示空闲的教室，到现场发现正在上课；教室借用申请审批通过后，同一时段又被排了考试。", "教室,排课"),
    f(0, "希望增加选课志愿排序功能|建议热门课程采用志愿加抽签方式选课", "目前热门通识课采用先到先得，网络条件差的同学很难选上。希望改为按志愿填报、系统抽签的方式，减少高峰期拥堵。", "选课,建议"),
    f(0, "成绩录入支持从Excel批量导入|希望成绩可以用模板批量导入", "希望成绩录入页面支持按模板从Excel批量导入，并在导入前做学号和分数范围校验。", "成绩,导入"),
    f(0, "教务系统移动端适配|希望能在手机上查询课表和成绩", "目前教务系统在手机浏览器上显示错位，希望提供移动端页面或接入学校微信服务号。", "移动端"),
    f(0, "考试安排增加冲突自动检测|排考时希望自动提示考试时间冲突", "补考和重修考试安排时经常出现同一学生同一时间两场考试，希望排考时自动检测冲突并提示。", "考试,排考"),
    f(0, "English interface for course registration", "As an international student I cannot read the course registration pages. An English version of the course list and the timetable would help a lot.", "国际化,选课"),
    // 1 一卡通系统
    p(1, "食堂刷卡消费重复扣款|在食堂吃饭被扣了两次钱", "中午在二食堂刷卡消费一次，流水中出现两笔相同金额的扣款，窗口工作人员说只收到一笔。", "消费,扣款"),
    p(1, "微信充值成功但卡内余额未到账|充值后余额没有变化", "通过微信服务号充值50元，微信已经扣款，但到圈存机上领取时提示无待领款项。", "充值"),
    p(1, "宿舍门禁刷卡无反应|宿舍楼门禁经常刷不开", "宿舍楼北门门禁刷卡经常无反应，需要多刷几次或者等宿管开门，晚上回来很不方便。", "门禁"),
    p(1, "挂失补卡后原卡余额未转移", "校园卡丢失后挂失并补办了新卡，但原卡内的余额没有转到新卡上。", "挂失,补卡"),
    p(1, "虚拟校园卡二维码经常失效", "用手机虚拟校园卡付款时，二维码刷新后仍提示“码已失效”，排队时很尴尬。", "虚拟卡,二维码"),
    p(1, "浴室水控计费异常", "浴室水控设备在没有用水的情况下也在持续计费，一次洗澡扣了十几元。", "水控,计费"),
    f(1, "希望支持消费限额自定义设置|校园卡能否自己设置每日消费上限", "希望可以自己设定单笔和每日消费限额，超过限额需要输入密码，防止卡丢失后被盗刷。", "消费,安全"),
    f(1, "校园卡消费记录支持导出", "希望能导出一段时间内的消费明细，方便申请困难补助时提供消费证明。", "消费,导出"),
    f(1, "访客临时卡在线申请", "举办学术会议时需要为校外嘉宾办理临时卡，希望能在线提交申请并自动开通会场门禁。", "访客,门禁"),
    f(1, "Top-up with international bank cards", "International students cannot top up the campus card because only domestic bank cards are accepted. Please consider supporting Visa/Mastercard or other international payment methods.", "充值,国际化"),
    // 2 图书馆管理系统
    p(2, "续借时提示超出续借次数|图书无法续借", "图书只续借过一次，但系统提示已超出续借次数，无法续借。", "借阅,续借"),
    p(2, "馆藏检索显示在架但实际找不到", "检索显示该书在三楼社科区在架，按索书号找了很久没有找到，询问工作人员也查不到。", "检索,馆藏"),
    p(2, "电子资源校外访问无法登录|在校外访问知网提示无权限", "在校外通过VPN访问知网时提示无权限，之前可以正常使用。", "电子资源,校外访问"),
    p(2, "座位预约签到定位失败", "在图书馆内使用座位预约签到时，总是提示“不在签到范围内”，导致预约被取消并记违约。", "座位预约"),
    p(2, "逾期罚款金额计算错误", "还书时显示逾期罚款，但借阅记录显示在应还日期之前已经续借。", "借阅,罚款"),
    f(2, "希望增加图书荐购功能|建议开通读者荐购图书入口", "希望在检索不到的图书页面直接提供荐购入口，并能查看荐购处理进度。", "荐购"),
    f(2, "研讨间在线预约|希望研讨间可以在网上预约", "图书馆研讨间目前需要到服务台登记，希望可以在线预约并查看空闲时段。", "预约"),
    f(2, "借阅到期提前微信提醒", "希望在图书到期前三天通过微信推送提醒，避免逾期。", "借阅,提醒"),
    f(2, "Library catalogue in English", "Search results and account pages are only in Chinese. Please add an English interface for foreign faculty and students.", "国际化,检索"),
    // 3 学工管理系统
    p(3, "奖学金申请材料上传失败|综测佐证材料无法上传", "上传综合测评佐证材料时，PDF超过2MB就提示上传失败，很多证书扫描件都超过这个大小。", "奖学金,上传"),
    p(3, "请假审批后销假按钮不可用", "请假已审批通过，返校后点击销假提示“无权限操作”，辅导员那边也看不到销假申请。", "请假"),
    p(3, "困难生认定结果与上学期不一致", "家庭经济困难认定结果页面显示的等级和上学期认定结果不一致，但本学期并未重新申请。", "资助,数据"),
    p(3, "辅导员端学生名单缺少转专业学生", "本学期转专业进入我院的学生没有出现在辅导员端学生名单中，无法进行谈心谈话记录。", "学籍,数据同步"),
    p(3, "心理健康测评问卷提交后仍显示未完成", "完成新生心理健康测评问卷并提交后，系统仍显示“未完成”，辅导员催促重新填写。", "心理测评"),
    f(3, "晚归数据与宿舍门禁系统联动", "希望学工系统能自动获取宿舍门禁的晚归记录，减少宿管人工统计上报。", "宿舍,门禁"),
    f(3, "奖助学金评审支持线上公示", "目前评审结果需要另行在学院网站公示，希望系统直接生成公示页面并支持异议反馈。", "奖学金,公示"),
    f(3, "勤工助学岗位在线申请与考勤", "希望勤工助学岗位发布、学生申请、用工部门考勤和酬金核算都能在系统内完成。", "勤工助学"),
    // 4 人事管理系统
    p(4, "个人信息维护页面学历信息无法保存", "在个人信息维护中新增博士学历信息后点击保存，提示“数据校验失败”，没有具体原因。", "个人信息"),
    p(4, "年度考核表导出格式错乱", "导出的年度考核登记表打印时表格跨页错位，需要手工调整后才能提交。", "考核,导出"),
    p(4, "职称申报材料上传后无法预览", "职称申报系统中已上传的论文PDF点击预览显示空白，评审专家反映无法查看。", "职称"),
    p(4, "已退休人员仍显示在在职名单中", "本学期已办理退休手续的教职工仍出现在学院在职教职工名单中。", "数据"),
    f(4, "职称评审支持线上专家评议", "希望职称评审增加专家线上打分和评议意见汇总功能，减少纸质材料流转。", "职称,评审"),
    f(4, "教职工个人数据一表通", "希望把人事、科研、教学工作量数据汇总成一张个人数据表，各类填报时自动带出，避免重复填报。", "数据共享"),
    f(4, "电子工资条推送|希望每月推送电子工资条", "希望每月通过企业微信推送电子工资条，并能查询近两年的工资明细。", "工资"),
    // 5 财务管理系统
    p(5, "网上报销上传发票时查验失败", "上传增值税电子普通发票后提示“发票查验失败”，但在税务局网站可以正常查验。", "报销,发票"),
    p(5, "报销单退回修改后附件丢失", "报销单被财务退回修改后，再次打开发现之前上传的附件全部丢失，需要重新上传。", "报销,附件"),
    p(5, "项目经费余额显示与财务账不符", "科研项目经费余额在网上报销系统中的显示比财务处提供的账面余额少了一万多元。", "经费"),
    p(5, "学费微信缴费后状态未更新", "学费通过微信缴费后已扣款，但缴费平台显示“未缴费”，影响注册。", "缴费"),
    f(5, "报销审批增加移动端签批", "希望项目负责人和分管领导能在手机上签批报销单，出差期间也不耽误报销。", "报销,移动端"),
    f(5, "电子发票重复报销自动校验", "希望系统在上传发票时自动检查该发票是否已在其他报销单中使用过。", "发票,风控"),
    f(5, "差旅费标准自动计算", "希望按出差地点和职级自动计算住宿费和伙食补助标准，减少人工核对。", "差旅"),
    // 6 科研管理系统
    p(6, "科研成果认定后积分未更新", "论文成果已由学院和科研处审核通过，但个人科研积分没有变化。", "成果,积分"),
    p(6, "横向项目合同上传提示格式不支持", "上传扫描的横向项目合同（PDF）时提示格式不支持，换成图片格式后也失败。", "项目,合同"),
    p(6, "项目结题报告提交后无法撤回修改", "结题报告提交后发现附件传错，系统没有撤回功能，学院也无法退回。", "项目,结题"),
    f(6, "预算调整申请线上审批", "纵向项目预算调整目前需要纸质审批单逐级签字，希望改为线上审批并与财务系统同步。", "经费,审批"),
    f(6, "科研成果从学术数据库自动认领", "希望系统能从Web of Science、知网等数据库自动抓取本校作者成果，教师只需确认认领。", "成果,数据"),
    f(6, "科研绩效分学院统计报表", "希望提供按学院、按年度的科研项目与成果统计报表，并支持导出Excel。", "统计,报表"),
    // 7 统一身份认证平台
    p(7, "统一身份认证登录后跳转空白页", "在门户登录后点击教务系统会跳转到空白页，需要重新登录一次才能进入。", "单点登录"),
    p(7, "修改密码后部分系统仍需旧密码", "通过统一身份认证修改密码后，邮箱客户端和VPN仍然要求输入旧密码。", "密码,同步"),
    p(7, "找回密码收不到短信验证码", "找回密码时多次点击发送验证码，手机一直收不到短信。", "验证码"),
    p(7, "新入职教师账号未开通", "新入职教师已办完入职手续两周，统一身份认证账号仍未开通，无法使用办公系统。", "账号"),
    f(7, "支持微信扫码登录|希望增加扫码登录方式", "希望统一身份认证支持企业微信或微信扫码登录，不用每次输入账号密码。", "登录"),
    f(7, "异地登录提醒与双因素认证", "最近收到钓鱼邮件，希望在异地登录时发送提醒，并对重要系统启用双因素认证。", "安全,双因素"),
    f(7, "Password reset without a Chinese mobile number", "Foreign visiting scholars do not have a Chinese mobile number, so SMS-based password reset does not work. Please support e-mail verification.", "密码,国际化"),
    // 8 校园网门户
    p(8, "门户网站通知公告附件无法下载", "学校主页通知公告中的附件点击后提示404，部分附件是上周刚发布的。", "附件"),
    p(8, "手机访问门户页面排版错乱", "用手机打开学校门户网站，首页图片和导航栏重叠，部分栏目无法点击。", "移动端"),
    p(8, "站内搜索搜不到近期新闻", "使用站内搜索查找本月发布的新闻，搜索结果中没有，只能找到去年的内容。", "搜索"),
    f(8, "门户网站支持IPv6访问", "根据上级主管部门要求，学校门户网站需要支持IPv6访问，请尽快改造。", "IPv6"),
    f(8, "网站适老化与无障碍改造", "希望门户网站提供字号调整、读屏支持等无障碍功能，方便离退休教职工浏览。", "无障碍"),
    f(8, "二级单位网站统一纳入站群管理", "学院网站分散托管，存在安全隐患，建议统一纳入学校站群系统管理。", "站群,安全"),
    // 9 办公自动化系统
    p(9, "公文流转附件在线预览失败", "OA中收到的公文附件（OFD格式）无法在线预览，只能下载后用专门的阅读器打开。", "公文,预览"),
    p(9, "会议室预约冲突未提示", "两个部门在OA中预约了同一时段的行政楼第三会议室，系统没有任何冲突提示。", "会议室"),
    p(9, "首页待办数量显示不准确", "首页待办显示有5条，但点进去列表为空，已经持续一周。", "待办"),
    f(9, "OA接入企业微信移动办公", "希望OA待办、公文签批能在企业微信中处理，出差期间可以及时审批。", "移动端"),
    f(9, "公文电子签章", "希望OA支持电子签章和电子印章用印申请，减少纸质用印流程。", "签章,公文"),
    f(9, "督办事项到期自动提醒", "党政办督办事项希望在到期前自动提醒承办部门，并生成办结率统计。", "督办"),
    // 10 研究生管理系统
    p(10, "学位论文送审状态不更新", "论文已在外审平台返回评阅意见，但研究生系统中仍显示“送审中”。", "学位,送审"),
    p(10, "导师名下学生名单不全", "导师端只能看到两名学生，今年新入学的一名学生没有显示。", "导师,数据"),
    p(10, "研究生选课时登录排队时间过长", "研究生选课开放时间与本科生选课重叠，系统登录排队时间很长。", "选课,性能"),
    f(10, "学位论文查重结果自动同步", "希望学位论文查重结果自动同步到研究生系统，避免人工上传查重报告。", "学位,查重"),
    f(10, "导师招生资格在线审核", "希望导师招生资格申请、学院审核、研究生院审批全部线上完成。", "导师"),
    // 11 资产管理系统
    p(11, "资产验收单打印缺少二维码", "新购设备验收单打印出来后没有资产二维码标签，无法粘贴到设备上。", "验收"),
    p(11, "资产调拨后使用人未变更", "设备已经从学院实验室调拨到公共平台，但系统中使用人仍是原来的老师。", "调拨"),
    f(11, "资产盘点支持手机扫码", "希望年度资产清查时可以用手机扫描资产二维码完成盘点，自动生成盘点报告。", "盘点,移动端"),
    f(11, "公物仓闲置资产共享", "各学院闲置设备希望通过公物仓在线发布，其他单位可以申请调剂使用。", "公物仓"),
];

const PROBLEM_TAILS: &[&str] = &[
    "请尽快排查处理，谢谢！",
    "麻烦帮忙看看是什么原因。",
    "希望尽快修复，已经影响到正常工作。",
    "请问是系统问题还是我操作有误？",
    "盼复。",
];

const FEATURE_TAILS: &[&str] = &[
    "希望在后续版本中考虑。",
    "不知是否可行，供参考。",
    "建议信息化管理中心统筹考虑。",
    "这个需求身边很多老师同学都有，希望能采纳。",
];

const STUDENT_EXTRAS: &[&str] = &[
    "",
    "",
    "我们班有好几位同学都遇到了同样的情况。",
    "用手机和电脑都试过，都不行。",
    "问题从上周开始出现。",
];

const STAFF_EXTRAS: &[&str] = &[
    "",
    "",
    "使用的是Chrome浏览器，已经清过缓存。",
    "身边同事也反映过类似问题。",
    "截图已通过邮件另行发送。",
];

const REJECT_PROBLEM: &[&str] = &[
    "经核实为操作问题，已电话指导提交人按正确步骤操作，问题已解决。",
    "无法复现，已请提交人提供截图及操作时间，两周内未收到回复，暂作关闭处理。",
    "经排查为提交人所用浏览器版本过旧所致，已告知升级浏览器，不属于系统缺陷。",
    "该问题由校外网络运营商线路故障引起，已恢复，无需系统更新。",
];

const REJECT_FEATURE: &[&str] = &[
    "属于个性化需求，受益面小、投入产出比低，暂不纳入更新计划。",
    "与学校信息化建设规划中的数据中台项目重叠，将在该项目中统一考虑。",
    "需求与现行管理制度不符，需业务部门先行修订相关办法，暂不实施。",
    "厂商标准产品暂不支持，定制开发费用较高，经评估暂不实施。",
];

const OP_COMMENTS: &[&str] = &[
    "已电话联系提交人，确认问题可稳定复现。",
    "临时解决办法：清除浏览器缓存后使用Chrome或Edge浏览器访问。",
    "已回复提交人：问题已记录，将在后续版本更新中统一处理。",
    "补充：本周又收到同类反馈3条，建议提高优先级。",
    "已与业务部门确认，该需求符合本学期工作安排。",
];

// ---------------------------------------------------------------------------
// Data: the update plans of the semester (§3.2–§3.5)

/// Which day a window is counted from.
#[derive(Clone, Copy)]
enum Base {
    /// The Monday the semester started.
    Sem,
    /// Today.
    Today,
}

#[derive(Clone, Copy)]
enum Win {
    /// The first window from that day on that touches no blackout period;
    /// `weekend` windows start on a Friday.
    Scan {
        base: Base,
        day: i64,
        hour: u32,
        hours: i64,
        weekend: bool,
    },
    /// Exactly this window.
    Fixed {
        base: Base,
        day: i64,
        hour: u32,
        hours: i64,
    },
    /// No window yet.
    None,
}

/// When the plan was written, submitted, decided and noticed.
#[derive(Clone, Copy)]
enum Pre {
    /// Days before the window start.
    Window([i64; 4]),
    /// Days relative to today (entries after the plan's last step are unused).
    Today([i64; 4]),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Story {
    /// One test round, all pass (or one waived).
    Clean,
    /// Items fail, defects go to the vendor, fixed, retested in round 2, pass.
    FixRetest,
    /// Tests pass, the go-live is rolled back, a fix and a regression round, then success.
    Rollback,
    /// Items fail, a major defect stays open with the vendor.
    OpenDefect,
    /// Rolled back; the regression round is still running.
    RolledBackPending,
    /// Tests pass and it goes live; rolled back the next morning (§3.4), fixed,
    /// retested, a new backup, and a second go-live outside the window with an
    /// accepted deviation.
    LiveRollback,
}

type Item3 = (TestCategory, &'static str, &'static str);

struct PlanSpec {
    sys: usize,
    author: usize,
    title: &'static str,
    from: &'static str,
    to: &'static str,
    /// The status the plan ends in.
    target: PlanStatus,
    /// For cancelled plans: how far it got before being cancelled.
    cancel_from: PlanStatus,
    /// Cancelled on this day (relative to today), with this reason.
    cancel: Option<(i64, &'static str)>,
    win: Win,
    pre: Pre,
    /// Only goals and content written so far.
    partial: bool,
    story: Story,
    goals: &'static str,
    content: &'static str,
    /// Empty: the usual approach.
    approach: &'static str,
    /// Empty: the usual migration note.
    migration: &'static str,
    risk: (&'static str, Level, Level, &'static str),
    /// Empty: the system is unavailable during the window.
    impact: &'static str,
    audience: &'static str,
    tests: &'static [Item3],
    /// Round-1 item that fails, defect severity, defect, test note.
    fails: &'static [(u32, Severity, &'static str, &'static str)],
    /// What went wrong at the rolled-back go-live, and the defect it revealed.
    incident: (&'static str, &'static str),
    /// The regression round after a rollback.
    retest: &'static [Item3],
    waive: Option<(u32, &'static str)>,
    compare: &'static [(&'static str, &'static str, &'static str, ChangeType)],
    /// Format, days after go-live, trainer, departments (comma-separated), attendance.
    training: &'static [(TrainingFormat, i64, &'static str, &'static str, u32)],
    /// Requests linked to the plan, by a piece of their template title.
    links: &'static [&'static str],
    override_reason: Option<&'static str>,
    /// Returned once by the Leading Group with this reason.
    return_reason: Option<&'static str>,
    config_changes: &'static str,
    /// The arrangements and compensation for students whose study the update
    /// disrupts (§4.2), as the notice states them; empty: none needed.
    students: &'static str,
    /// Training sessions planned for users before the notice (shown in it):
    /// format, days after the window ends, place, for whom.
    planned_training: &'static [(TrainingFormat, i64, &'static str, &'static str)],
    /// Rescheduled after its notice was published: on this day (relative to
    /// today), to this window, for this reason; approved again and announced
    /// by a corrected notice.
    reschedule: Option<(i64, Win, &'static str)>,
    /// The change class (a major change is approved by zhangwei and liqiang).
    class: ChangeClass,
    /// An emergency change: why it cannot wait.
    emergency: &'static str,
    /// A standard change: the template (by its place in [`TEMPLATES`]); its
    /// content and approach are the template's.
    template: Option<usize>,
}

const BASE: PlanSpec = PlanSpec {
    sys: 0,
    author: WANG,
    title: "",
    from: "",
    to: "",
    target: PlanStatus::Draft,
    cancel_from: PlanStatus::Draft,
    cancel: None,
    win: Win::None,
    pre: Pre::Window([21, 14, 10, 7]),
    partial: false,
    story: Story::Clean,
    goals: "",
    content: "",
    approach: "",
    migration: "",
    risk: ("", Level::Low, Level::Low, ""),
    impact: "",
    audience: "全校师生",
    tests: &[],
    fails: &[],
    incident: ("", ""),
    retest: &[],
    waive: None,
    compare: &[],
    training: &[],
    links: &[],
    override_reason: None,
    return_reason: None,
    config_changes: "",
    students: "",
    planned_training: &[],
    reschedule: None,
    class: ChangeClass::Normal,
    emergency: "",
    template: None,
};

use ChangeType::{Added, Changed, Removed};
use Level::{High, Low, Medium};
use TestCategory::{Compatibility, DataMigration, Functional, Performance, Security};
use TrainingFormat::{Classroom, OnSite, OnlineVideo};

const PLANS: &[PlanSpec] = &[
    // ----- filed -----
    PlanSpec {
        sys: 0,
        author: WANG,
        title: "教务管理系统暑期版本升级（新版排课引擎）",
        from: "V9.0.3",
        to: "V9.1.0",
        target: PlanStatus::Filed,
        win: Win::Scan { base: Base::Sem, day: -38, hour: 18, hours: 62, weekend: true },
        goals: "1. 升级至厂商V9.1.0标准版本，修复上学期累计反馈的23个已知问题；\n2. 启用新版智能排课引擎，将全校排课时间由3天缩短至1天以内；\n3. 为秋季学期选课做好性能准备，支持5000人同时在线选课。",
        content: "1. 应用服务器由2台扩容至4台，部署V9.1.0应用包；\n2. 数据库结构升级（新增排课约束、教室特征等12张表）；\n3. 启用新版排课引擎与教室资源管理模块；\n4. 课表查询页面改版，支持按周次查看；\n5. 修复成绩录入会话超时、课表导出乱码等已知问题。",
        migration: "排课基础数据（课程、教师、教室、时间模式）由旧排课模块导出，经厂商转换工具导入新引擎，转换后由教务处运行科抽查50个教学班的排课条件；历史课表数据保留原表，仅建立只读视图。",
        risk: ("新排课引擎结果与旧版差异较大，教师对课表有异议", Medium, Medium, "教务处先以上学期数据试排并与实际课表比对，差异超过5%的学院单独沟通；正式排课结果发布前留出一周调整期"),
        impact: "教务管理系统暂停访问，课表查询、成绩查询、教室借用等功能不可用",
        tests: &[
            (Functional, "按学院运行新排课引擎，对全校1260个教学班自动排课", "排课成功率≥98%，无教师、教室时间冲突"),
            (Functional, "学生端课表查询（按周次、按学期）", "显示与排课结果一致，单双周课程正确"),
            (Functional, "教师连续录入成绩40分钟后保存", "保存成功，不出现会话超时"),
            (Functional, "个人课表导出PDF", "中文及表格显示正常"),
        ],
        compare: &[
            ("排课方式", "旧排课模块，人工为主、逐学院排课，全校排课约3天", "新版智能排课引擎自动求解约束，全校排课约6小时", Changed),
            ("课表查询", "仅能按学期查看整表", "支持按周次查看，单双周课程分开显示", Changed),
            ("成绩录入会话", "20分钟无操作即超时，未保存内容丢失", "录入页面自动保存草稿，会话延长至60分钟", Changed),
            ("教室资源管理", "无", "新增教室特征（多媒体、容量、座位类型）维护与查询", Added),
            ("课表PDF导出", "缺少中文字体，导出后乱码", "内嵌中文字体，导出正常", Changed),
        ],
        training: &[
            (Classroom, 3, "王磊、正方软件实施工程师", "教务处,各学院教学秘书", 62),
            (OnlineVideo, 5, "教务处运行科", "全校教师", 415),
        ],
        links: &["课表导出PDF", "成绩录入保存时"],
        config_changes: "应用服务器由2台扩容至4台；Nginx上游服务器列表更新；数据库连接池上限由150调整为300。",
        ..BASE
    },
    PlanSpec {
        sys: 7,
        author: CHEN,
        title: "统一身份认证平台升级（双因素认证与扫码登录）",
        from: "CAS 4.2",
        to: "CAS 4.3",
        target: PlanStatus::Filed,
        win: Win::Scan { base: Base::Sem, day: -28, hour: 22, hours: 32, weekend: true },
        goals: "1. 为教务、人事、财务等重要系统启用双因素认证，降低账号被盗用风险；\n2. 支持企业微信扫码登录，提升登录便捷性；\n3. 新增异地登录提醒。",
        content: "1. CAS服务端升级至4.3；\n2. 新增短信及企业微信动态口令作为第二因素；\n3. 新增企业微信扫码登录；\n4. 登录日志增加IP归属地分析与异地登录提醒；\n5. 修改密码后自动同步至邮箱、VPN。",
        migration: "账号、密码散列与授权数据无需迁移；新增第二因素绑定表，用户首次登录时由平台引导绑定。",
        risk: ("部分老旧业务系统与新版CAS协议不兼容，导致无法单点登录", Medium, High, "在测试环境逐一联调已接入的37个业务系统；保留CAS 2.0协议兼容端点三个月"),
        impact: "统一身份认证暂停服务，期间无法登录教务、OA、邮箱等需统一认证的系统",
        tests: &[
            (Functional, "账号密码登录后依次访问教务、OA、图书馆系统", "单点登录成功，无需二次登录"),
            (Functional, "企业微信扫码登录", "扫码确认后3秒内完成登录"),
            (Security, "财务系统登录时要求动态口令", "未输入正确口令不能登录"),
            (Functional, "修改密码后使用VPN与邮箱客户端登录", "新密码可用，旧密码失效"),
        ],
        compare: &[
            ("登录方式", "仅账号密码", "账号密码、企业微信扫码", Changed),
            ("双因素认证", "无", "重要系统强制启用短信或企业微信动态口令", Added),
            ("异地登录提醒", "无", "检测到异地登录时通过企业微信提醒本人", Added),
            ("密码同步", "邮箱、VPN密码需单独修改", "修改后自动同步至邮箱、VPN", Changed),
        ],
        training: &[
            (OnlineVideo, 1, "陈静", "全校师生", 1260),
            (Classroom, 4, "陈静", "各单位信息员", 57),
        ],
        links: &["支持微信扫码登录", "异地登录提醒"],
        ..BASE
    },
    PlanSpec {
        sys: 1,
        author: WANG,
        title: "一卡通系统升级（虚拟校园卡与聚合支付）",
        from: "V5.2.1",
        to: "V5.3.0",
        target: PlanStatus::Filed,
        story: Story::Rollback,
        win: Win::Scan { base: Base::Sem, day: -21, hour: 20, hours: 60, weekend: true },
        goals: "1. 上线手机虚拟校园卡（二维码），实现食堂、超市、图书馆扫码消费与通行；\n2. 接入聚合支付，支持微信、支付宝、银行卡在线充值；\n3. 解决充值次日到账问题。",
        content: "1. 一卡通核心平台升级至V5.3.0；\n2. 部署虚拟校园卡服务及二维码前置；\n3. 升级食堂、超市POS终端固件（共312台）；\n4. 对接聚合支付通道，替换原银行圈存；\n5. 历史消费流水表按学年分区改造。",
        migration: "历史消费流水（约1.8亿条）按学年分区迁移；持卡人信息、账户余额逐账户核对，迁移前后全部账户余额总额必须一致（差额为0）。",
        risk: ("历史流水表分区改造耗时超出维护窗口", Medium, High, "以生产数据副本在测试环境演练两次并记录耗时；设定回退决策点，超时即按回退方案执行"),
        impact: "全校刷卡消费、充值及门禁暂停，请提前备好现金或在窗口前完成就餐",
        tests: &[
            (Functional, "虚拟校园卡二维码在食堂POS消费", "扣款成功，流水实时可查"),
            (Functional, "微信充值后余额到账", "1分钟内到账"),
            (DataMigration, "迁移前后全部账户余额总额比对", "差额为0"),
            (Compatibility, "312台POS终端新固件兼容性抽测（每个食堂各抽5台）", "刷卡、扫码均正常"),
        ],
        incident: (
            "历史消费流水分区脚本处理至2019学年数据时出现长时间锁等待，到达回退决策点时仍未完成；按回退方案停止脚本，恢复升级前数据库备份及V5.2.1应用，约80分钟后恢复刷卡服务。回退期间食堂未营业，未影响师生消费。",
            "历史流水分区迁移脚本在生产数据量下出现锁等待，执行时间超出维护窗口",
        ),
        retest: &[
            (DataMigration, "优化后的分区迁移脚本在生产数据副本上完整执行", "执行时间≤90分钟，无锁等待"),
            (DataMigration, "迁移前后全部账户余额总额比对", "差额为0"),
            (Functional, "虚拟校园卡二维码在食堂POS消费", "扣款成功，流水实时可查"),
        ],
        compare: &[
            ("校园卡形态", "仅实体卡", "实体卡与手机虚拟校园卡（二维码）并行", Added),
            ("充值方式", "银行圈存机、服务大厅现金充值", "微信、支付宝、银行卡在线充值", Changed),
            ("充值到账时间", "圈存后次日到账", "实时到账", Changed),
            ("银行圈存机", "校内18台", "停用，改为自助服务终端", Removed),
        ],
        training: &[
            (OnSite, 1, "新中新实施工程师、一卡通中心", "后勤保障处,饮食服务中心", 85),
            (OnlineVideo, 2, "一卡通中心", "全校师生", 2300),
        ],
        links: &["微信充值成功", "Top-up with international"],
        config_changes: "消费流水表改为按学年分区；聚合支付回调地址配置为新前置服务器；POS终端心跳间隔由60秒调整为30秒。",
        ..BASE
    },
    PlanSpec {
        sys: 0,
        author: WANG,
        title: "教务管理系统选课模块并发性能补丁",
        from: "V9.1.0",
        to: "V9.1.2",
        target: PlanStatus::Filed,
        win: Win::Fixed { base: Base::Sem, day: 9, hour: 23, hours: 6 },
        pre: Pre::Window([6, 5, 5, 4]),
        goals: "解决补退选高峰期选课请求积压、页面提示“服务器繁忙”的问题，保障剩余补退选时段正常进行。",
        content: "1. 应用V9.1.2性能补丁：选课提交改为异步排队处理；\n2. 课程余量查询增加缓存；\n3. 数据库连接池由200调整为500；\n4. 负载均衡增加会话保持策略。",
        approach: "选课关闭时段停服实施：23:00关闭选课入口，23:10备份数据库，23:30部署补丁，00:30起进行压力测试，04:00前恢复服务；补丁已由厂商在测试环境以本次补退选的真实访问日志回放验证。",
        risk: ("补丁引入新问题导致次日选课无法进行", Low, High, "保留V9.1.0应用包，回退时间不超过30分钟；次日选课开放前由教务处抽查选课流程"),
        impact: "选课系统在凌晨关闭，不影响白天补退选时段",
        audience: "全校本科生及各学院教学秘书",
        tests: &[
            (Performance, "模拟5000并发用户选课提交", "平均响应时间≤2秒，不出现“服务器繁忙”提示"),
            (Functional, "选课、退选及课程余量显示", "选退课结果正确，余量实时更新"),
            (Functional, "选课结果与教学班名单一致性核对", "完全一致"),
        ],
        compare: &[
            ("选课提交处理", "同步写库，高峰期请求积压", "异步排队处理，提交后返回排队号", Changed),
            ("课程余量查询", "每次直接查询数据库", "缓存5秒，降低数据库压力", Changed),
            ("数据库连接池", "200", "500", Changed),
        ],
        training: &[(OnlineVideo, 1, "教务处运行科", "全校本科生", 3560)],
        links: &["选课高峰期", "选课高峰期"],
        override_reason: Some("性能问题本身发生在补退选期间，必须在补退选结束前修复；实施安排在23:00至次日05:00选课关闭时段，不占用选课开放时间，且已向全校发布预告。"),
        config_changes: "数据库连接池上限200→500；负载均衡启用基于Cookie的会话保持；课程余量缓存5秒。",
        ..BASE
    },
    PlanSpec {
        sys: 2,
        author: LIU,
        title: "图书馆管理系统升级（座位预约与电子资源统一检索）",
        from: "Libsys 5.6",
        to: "Libsys 5.7",
        target: PlanStatus::Filed,
        win: Win::Scan { base: Base::Sem, day: 22, hour: 20, hours: 36, weekend: true },
        goals: "1. 上线座位预约与签到，解决占座问题；\n2. 实现纸本馆藏与电子资源统一检索；\n3. 支持通过CARSI联盟认证在校外访问电子资源。",
        content: "1. Libsys升级至5.7；\n2. 部署座位预约模块（三个阅览区共1260个座位）；\n3. 部署统一检索（发现系统）接口；\n4. 接入CARSI联盟认证。",
        migration: "读者数据、借阅记录由5.6直接升级，无需转换；座位数据由图书馆读者服务部按楼层整理后导入。",
        risk: ("座位预约签到定位不准确导致误判违约", Medium, Medium, "试运行两周内不记违约；签到范围按实测结果调整"),
        impact: "图书馆管理系统暂停服务，期间借还书改为人工登记，馆藏检索不可用",
        tests: &[
            (Functional, "座位预约、签到、暂离、释放全流程", "各状态切换正确"),
            (Functional, "统一检索同时返回纸本与电子资源结果", "结果合并去重，显示馆藏状态"),
            (Functional, "校外通过CARSI访问知网、万方", "认证成功后可下载全文"),
            (Compatibility, "微信小程序端座位预约", "iOS与安卓均正常"),
        ],
        compare: &[
            ("座位管理", "无，存在占座现象", "在线预约、扫码签到、超时自动释放", Added),
            ("检索范围", "仅纸本馆藏OPAC", "纸本与电子资源统一检索", Changed),
            ("校外访问电子资源", "仅VPN", "VPN或CARSI联盟认证", Changed),
        ],
        training: &[
            (Classroom, 4, "图书馆读者服务部", "图书馆", 86),
            (OnlineVideo, 4, "图书馆", "全校师生", 1850),
        ],
        links: &["研讨间在线预约", "电子资源校外访问"],
        ..BASE
    },
    PlanSpec {
        sys: 3,
        author: CHEN,
        title: "学工管理系统升级（奖助学金评审模块上线）",
        from: "V4.1.0",
        to: "V4.2.0",
        target: PlanStatus::Filed,
        story: Story::FixRetest,
        win: Win::Scan { base: Base::Sem, day: 41, hour: 18, hours: 62, weekend: true },
        goals: "1. 奖助学金申请、评审、公示全流程线上办理；\n2. 综合测评材料在线上传，并与成绩数据自动关联；\n3. 评审周期由4周缩短至2周。",
        content: "1. 学工系统升级至V4.2.0；\n2. 上线奖助学金评审模块（申请、学院评审、学校审批、公示、异议处理）；\n3. 综合测评材料上传容量提升至20MB；\n4. 对接教务系统成绩接口。",
        migration: "近三学年困难生认定数据迁移至新模块，迁移后按学院抽查；往年奖学金获奖名单作为历史数据导入，只读。",
        risk: ("评审期间系统故障影响奖学金评定进度", Low, High, "上线时间避开评审开放期；评审开放前完成压力测试；准备纸质评审应急预案"),
        tests: &[
            (Functional, "学生提交奖学金申请并上传20MB以内材料", "提交成功，材料可在线预览"),
            (Functional, "学院评审、学校审批、公示流程", "各环节状态流转正确，公示页面自动生成"),
            (Functional, "综测成绩从教务系统自动获取", "与教务系统成绩一致"),
            (DataMigration, "困难生认定数据迁移核对", "各学院认定人数与原数据一致"),
        ],
        fails: &[
            (2, Severity::Major, "学院评审通过的申请在学校审批列表中不显示（流程节点配置错误）", "学院评审通过后，学生工作部审批列表为空"),
            (3, Severity::Major, "综测成绩取数未包含重修及补考成绩", "抽查20名学生，其中3人综测成绩缺少重修成绩"),
        ],
        compare: &[
            ("奖助学金申请", "纸质申请表，学院汇总后报送", "线上申请，材料在线上传", Changed),
            ("评审流程", "线下评审会，结果手工录入", "学院评审、学校审批线上流转", Changed),
            ("结果公示", "学院网站另行发布", "系统自动生成公示页面并支持异议反馈", Added),
            ("材料上传大小限制", "2MB", "20MB", Changed),
        ],
        training: &[
            (Classroom, 3, "陈静、金智教育实施工程师", "学生工作部,各学院学工办", 58),
            (OnlineVideo, 6, "学生工作部", "全校本科生", 4120),
        ],
        links: &["奖学金申请材料上传失败", "奖助学金评审支持线上公示"],
        return_reason: Some("奖助学金评审涉及学生切身利益，请补充评审数据的备份与回退方案，并说明与现有困难生认定数据的衔接方式。"),
        ..BASE
    },
    PlanSpec {
        sys: 5,
        author: LIU,
        title: "财务网上报销系统升级（电子发票查验与移动审批）",
        from: "GS 7.2",
        to: "GS 7.3",
        target: PlanStatus::Filed,
        win: Win::Scan { base: Base::Sem, day: 48, hour: 20, hours: 36, weekend: true },
        goals: "1. 接入税务部门电子发票查验接口，实现发票自动查验与重复报销校验；\n2. 报销单支持企业微信移动审批；\n3. 解决报销单退回修改后附件丢失问题。",
        content: "1. 浪潮GS升级至7.3；\n2. 新增电子发票查验、验重服务；\n3. 新增企业微信移动审批；\n4. 修复报销单退回后附件丢失缺陷。",
        risk: ("发票查验接口依赖外部服务，可能出现查验超时", Medium, Low, "查验失败时允许财务人员人工复核后继续提交，并记录日志"),
        impact: "网上报销、缴费平台暂停服务",
        audience: "全校教职工",
        tests: &[
            (Functional, "上传增值税电子普通发票自动查验", "查验结果与税务平台一致"),
            (Functional, "同一发票在第二张报销单中再次上传", "系统提示已报销并阻止提交"),
            (Functional, "项目负责人在企业微信中审批报销单", "审批结果实时同步"),
            (Security, "移动审批接口越权访问测试", "无法审批非本人待办"),
        ],
        compare: &[
            ("发票查验", "人工登录税务平台逐张查验", "上传即自动查验", Changed),
            ("重复报销校验", "人工核对", "系统按发票号码自动校验", Added),
            ("审批方式", "仅PC端", "PC端与企业微信移动审批", Changed),
        ],
        training: &[
            (Classroom, 2, "计划财务处会计核算科", "计划财务处,各学院财务助理", 74),
            (OnlineVideo, 3, "计划财务处", "全校教职工", 960),
        ],
        links: &["网上报销上传发票", "报销审批增加移动端签批"],
        ..BASE
    },
    PlanSpec {
        sys: 8,
        author: CHEN,
        title: "校园网门户改版（IPv6支持与适老化无障碍改造）",
        from: "JCMS 7.3",
        to: "JCMS 7.4",
        target: PlanStatus::Filed,
        win: Win::Scan { base: Base::Sem, day: 77, hour: 22, hours: 8, weekend: false },
        goals: "1. 按上级主管部门要求实现门户网站IPv6访问；\n2. 完成适老化与无障碍改造；\n3. 修复移动端排版错乱问题。",
        content: "1. 站群系统升级至JCMS 7.4；\n2. 启用IPv4/IPv6双栈访问；\n3. 上线无障碍辅助工具条（字号、对比度、读屏）；\n4. 首页响应式改版。",
        risk: ("IPv6解析配置错误导致部分用户无法访问", Low, Medium, "先在测试域名验证双栈；DNS记录TTL提前调低至300秒，出错可快速恢复"),
        impact: "学校门户网站及各学院网站暂停访问约2小时",
        tests: &[
            (Compatibility, "IPv6环境访问首页及二级页面", "访问正常"),
            (Functional, "无障碍工具条字号放大、高对比度、读屏", "功能正常"),
            (Compatibility, "手机浏览器访问首页", "排版正常，导航可点击"),
        ],
        compare: &[
            ("IPv6访问", "不支持", "IPv4/IPv6双栈", Added),
            ("无障碍功能", "无", "字号调整、高对比度、读屏支持", Added),
            ("移动端首页", "图片与导航重叠", "响应式布局", Changed),
        ],
        training: &[(Classroom, 3, "陈静", "党委宣传部,各学院网站管理员", 41)],
        links: &["门户网站支持IPv6", "网站适老化"],
        config_changes: "DNS新增AAAA记录；负载均衡开启IPv6监听；CDN回源改为双栈。",
        ..BASE
    },
    PlanSpec {
        sys: 9,
        author: CHEN,
        title: "办公自动化系统升级（电子签章与OFD公文预览）",
        from: "A8+ V8.0",
        to: "A8+ V8.1",
        target: PlanStatus::Filed,
        win: Win::Scan { base: Base::Sem, day: 82, hour: 22, hours: 8, weekend: false },
        goals: "1. 公文流转支持电子签章，减少纸质用印；\n2. 支持OFD版式文件在线预览；\n3. 修复首页待办数量显示不准确问题。",
        content: "1. 致远A8+升级至V8.1；\n2. 部署电子签章服务（对接学校CA证书）；\n3. 部署OFD在线预览组件；\n4. 修复首页待办计数缺陷。",
        risk: ("电子签章证书配置错误导致已签公文验章失败", Low, High, "上线前由党政办公室对测试公文逐份验章；保留纸质用印流程作为应急"),
        impact: "办公自动化系统暂停服务，公文流转顺延",
        audience: "全校各单位",
        tests: &[
            (Functional, "公文拟稿、核稿、签发、电子签章全流程", "签章位置正确，验章通过"),
            (Functional, "OFD附件在线预览（Windows）", "正常显示"),
            (Compatibility, "OFD附件在macOS浏览器中在线预览", "正常显示"),
            (Functional, "首页待办数量与待办列表一致", "一致"),
        ],
        waive: Some((3, "macOS终端在全校办公电脑中占比不足1%，厂商承诺下一版本支持；经党政办公室同意，本次豁免。")),
        compare: &[
            ("公文用印", "纸质用印申请，人工盖章", "电子签章，在线用印审批", Changed),
            ("OFD预览", "需下载后用专用阅读器打开", "在线预览", Added),
            ("待办计数", "与待办列表不一致", "实时计算，与列表一致", Changed),
        ],
        training: &[
            (OnSite, 1, "致远互联实施工程师", "党政办公室", 12),
            (Classroom, 2, "陈静", "各单位机要员", 38),
        ],
        links: &["公文电子签章", "公文流转附件在线预览"],
        ..BASE
    },
    // ----- live -----
    PlanSpec {
        sys: 4,
        author: LIU,
        title: "人事管理系统升级（职称评审线上评议）",
        from: "V3.8.2",
        to: "V3.9.0",
        target: PlanStatus::Live,
        win: Win::Fixed { base: Base::Today, day: -14, hour: 20, hours: 36 },
        goals: "1. 职称评审专家线上打分与评议意见汇总；\n2. 申报材料在线预览；\n3. 修复个人信息维护中学历信息无法保存的问题。",
        content: "1. 人事系统升级至V3.9.0；\n2. 新增职称评审专家端；\n3. 部署PDF在线预览服务；\n4. 修复个人信息维护数据校验缺陷。",
        risk: ("评审专家集中访问导致专家端卡顿", Low, Medium, "评审前一天进行压力测试；专家端独立部署"),
        audience: "全校教职工",
        tests: &[
            (Functional, "评审专家登录后查看申报材料并在线打分", "打分提交成功，汇总表实时更新"),
            (Functional, "申报材料PDF在线预览", "正常显示"),
            (Functional, "个人信息维护中新增博士学历", "保存成功"),
        ],
        compare: &[
            ("职称评审", "纸质材料传阅，专家现场打分", "专家线上评议打分，自动汇总", Changed),
            ("申报材料查看", "下载后查看", "在线预览", Added),
        ],
        training: &[(Classroom, 2, "人事处师资科", "人事处,各学院人事秘书", 35)],
        links: &["职称评审支持线上专家评议", "学历信息无法保存"],
        ..BASE
    },
    PlanSpec {
        sys: 6,
        author: LIU,
        title: "科研管理系统升级（预算调整线上审批）",
        from: "V6.0",
        to: "V6.1",
        target: PlanStatus::Live,
        story: Story::LiveRollback,
        win: Win::Fixed { base: Base::Today, day: -12, hour: 22, hours: 8 },
        goals: "实现纵向项目预算调整的线上申请与逐级审批，并将调整后的预算同步至财务系统。",
        content: "1. 科研系统升级至V6.1；\n2. 新增预算调整申请与审批流程；\n3. 新增与财务系统的预算同步接口。",
        risk: ("预算同步接口数据不一致", Medium, High, "同步结果每日自动对账，差异由科研处与计划财务处共同核对"),
        audience: "全校科研人员",
        tests: &[
            (Functional, "教师提交预算调整申请，学院、科研处、财务处逐级审批", "流程流转正确"),
            (Functional, "审批通过后预算同步至财务系统", "财务系统项目预算与科研系统一致"),
        ],
        compare: &[
            ("预算调整审批", "纸质审批单逐级签字", "线上申请与逐级审批", Changed),
            ("预算同步", "财务处人工录入", "审批通过后自动同步至财务系统", Added),
        ],
        training: &[(OnlineVideo, 2, "科研处", "全校科研人员", 380)],
        links: &["预算调整申请线上审批"],
        ..BASE
    },
    // ----- ready -----
    PlanSpec {
        sys: 10,
        author: WANG,
        title: "研究生管理系统升级（学位论文送审与查重结果同步）",
        from: "V5.3",
        to: "V5.4",
        target: PlanStatus::Ready,
        win: Win::Fixed { base: Base::Today, day: -2, hour: 20, hours: 75 },
        goals: "1. 学位论文送审状态与外审平台自动同步；\n2. 查重结果自动同步至研究生系统；\n3. 修复导师名下学生名单不全问题。",
        content: "1. 研究生系统升级至V5.4；\n2. 新增外审平台、查重平台数据接口；\n3. 修复导师—学生关系同步缺陷。",
        risk: ("外审平台接口变更导致送审状态同步失败", Medium, Medium, "保留人工更新送审状态功能；接口失败自动告警"),
        audience: "全校研究生及导师",
        tests: &[
            (Functional, "外审平台返回评阅意见后送审状态自动更新", "10分钟内同步"),
            (Functional, "查重报告自动同步并关联学位申请", "查重结果与查重平台一致"),
            (Functional, "导师端学生名单", "包含全部在读研究生"),
        ],
        compare: &[
            ("论文送审状态", "研究生院人工更新", "与外审平台自动同步", Changed),
            ("查重报告", "学生手工上传", "自动同步", Added),
        ],
        training: &[(OnlineVideo, 1, "研究生院培养办", "全校研究生导师", 126)],
        links: &["学位论文送审状态不更新", "学位论文查重结果自动同步"],
        ..BASE
    },
    // ----- testing -----
    PlanSpec {
        sys: 1,
        author: WANG,
        title: "一卡通系统补丁升级（宿舍门禁对接与消费限额）",
        from: "V5.3.0",
        to: "V5.3.2",
        target: PlanStatus::Testing,
        story: Story::OpenDefect,
        win: Win::Fixed { base: Base::Today, day: -6, hour: 20, hours: 36 },
        goals: "1. 修复宿舍门禁刷卡无反应问题；\n2. 支持持卡人自定义单笔及每日消费限额；\n3. 向学工系统提供宿舍门禁晚归数据。",
        content: "1. 一卡通平台升级至V5.3.2；\n2. 门禁前置通讯协议升级；\n3. 新增消费限额设置（服务号、自助终端）；\n4. 新增门禁数据接口。",
        risk: ("门禁控制器固件与新协议不兼容导致宿舍门禁失效", Medium, High, "先在两栋宿舍楼试点；门禁保留机械钥匙与宿管人工开门应急"),
        impact: "宿舍门禁切换为宿管人工值守，刷卡消费不受影响",
        audience: "全校住校学生及宿管人员",
        tests: &[
            (Functional, "宿舍门禁连续刷卡100次", "全部开门，响应时间≤1秒"),
            (Functional, "持卡人设置每日消费限额后超额消费", "超额时要求输入密码"),
            (Functional, "学工系统获取前一日晚归记录", "与门禁流水一致"),
        ],
        fails: &[
            (1, Severity::Major, "门禁控制器固件与新版前置通讯协议不兼容，约8%的刷卡无响应", "100次刷卡中8次无响应"),
            (3, Severity::Minor, "晚归数据接口时间字段未带时区，跨零点记录归属日期错误", "跨零点的2条记录日期错误"),
        ],
        compare: &[("消费限额", "固定每日300元", "持卡人可自定义单笔及每日限额", Changed)],
        links: &["宿舍门禁刷卡无反应", "希望支持消费限额"],
        ..BASE
    },
    PlanSpec {
        sys: 3,
        author: CHEN,
        title: "学工管理系统补丁升级（心理测评与请假销假修复）",
        from: "V4.2.0",
        to: "V4.2.1",
        target: PlanStatus::Testing,
        story: Story::RolledBackPending,
        win: Win::Fixed { base: Base::Today, day: -9, hour: 22, hours: 8 },
        goals: "修复心理健康测评问卷提交状态错误和请假销假权限错误两个缺陷。",
        content: "1. 学工系统升级至V4.2.1；\n2. 修复心理测评问卷提交状态回写；\n3. 修复销假权限判断；\n4. 请假接口增加移动端字段。",
        risk: ("请假接口变更影响移动端App", Medium, Medium, "上线前与移动端App联调；保留旧接口一周"),
        tests: &[
            (Functional, "学生提交心理测评问卷", "状态显示“已完成”"),
            (Functional, "请假审批通过后学生销假", "销假成功，辅导员端可见"),
            (Compatibility, "移动端App提交请假", "提交成功"),
        ],
        incident: (
            "上线后验证发现移动端App提交请假失败（App仍调用旧版接口字段），影响面较大；按回退方案恢复至V4.2.0，约40分钟后服务恢复。",
            "V4.2.1请假接口字段变更未同步至移动端App，App端提交请假失败",
        ),
        retest: &[
            (Compatibility, "移动端App（iOS、安卓）提交请假", "提交成功"),
            (Functional, "学生提交心理测评问卷", "状态显示“已完成”"),
            (Functional, "请假审批通过后学生销假", "销假成功，辅导员端可见"),
        ],
        links: &["心理健康测评问卷", "请假审批后销假"],
        ..BASE
    },
    // ----- implementing -----
    PlanSpec {
        sys: 2,
        author: LIU,
        title: "图书馆管理系统与统一身份认证对接改造",
        from: "Libsys 5.7",
        to: "Libsys 5.7.1",
        target: PlanStatus::Implementing,
        win: Win::Fixed { base: Base::Today, day: -1, hour: 20, hours: 60 },
        goals: "1. 图书馆系统改为统一身份认证登录，取消独立账号；\n2. 借阅到期前通过微信服务号提醒；\n3. 修复续借次数判断错误。",
        content: "1. Libsys升级至5.7.1；\n2. 对接统一身份认证（CAS）；\n3. 对接学校微信服务号消息推送；\n4. 修复续借规则判断缺陷。",
        risk: ("独立账号停用后部分校外读者无法登录", Medium, Medium, "校友及校外读者保留独立账号登录入口"),
        impact: "图书馆系统登录方式切换，期间借还书正常，在线续借暂停",
        tests: &[
            (Functional, "统一身份认证登录图书馆系统", "登录成功，读者信息正确"),
            (Functional, "到期前三天微信提醒", "按时推送"),
        ],
        links: &["续借时提示", "借阅到期提前微信提醒"],
        ..BASE
    },
    // ----- notice published -----
    PlanSpec {
        sys: 0,
        author: WANG,
        title: "教务管理系统升级（成绩Excel导入与移动端适配）",
        from: "V9.1.2",
        to: "V9.2.0",
        target: PlanStatus::NoticePublished,
        win: Win::Scan { base: Base::Today, day: 4, hour: 22, hours: 8, weekend: false },
        pre: Pre::Today([-20, -10, -6, -2]),
        goals: "1. 期末成绩录入前上线Excel批量导入，减轻教师录入负担；\n2. 课表、成绩查询适配手机端。",
        content: "1. 教务系统升级至V9.2.0；\n2. 成绩录入支持模板导入及导入前校验；\n3. 学生端课表、成绩、考试安排页面移动端适配并接入微信服务号。",
        risk: ("批量导入校验不严导致错误成绩入库", Low, High, "导入前校验学号与分数范围；导入结果需教师逐班确认后提交"),
        impact: "教务管理系统暂停访问，课表、成绩查询不可用",
        tests: &[(Functional, "按模板导入一个教学班成绩", "导入成功，错误行给出提示")],
        links: &["成绩录入支持从Excel", "教务系统移动端适配"],
        students: "维护窗口避开考试与选课时段；如因本次更新导致在线作业提交或成绩查询受影响，相关截止时间顺延一天，由开课学院通知到学生；受影响学生可凭开课学院证明申请缓考。",
        planned_training: &[
            (OnlineVideo, 1, "教务处网站“教师培训”栏目", "全体任课教师"),
            (Classroom, 3, "图书馆报告厅", "各学院教学秘书"),
        ],
        ..BASE
    },
    PlanSpec {
        sys: 8,
        author: CHEN,
        title: "校园网门户安全加固补丁",
        from: "JCMS 7.4",
        to: "JCMS 7.4.1",
        target: PlanStatus::NoticePublished,
        win: Win::Scan { base: Base::Today, day: 5, hour: 23, hours: 5, weekend: false },
        pre: Pre::Today([-15, -9, -6, -5]),
        reschedule: Some((
            -3,
            Win::Scan { base: Base::Today, day: 12, hour: 23, hours: 5, weekend: false },
            "上级通报新增一个高危漏洞须一并修补，厂商合并补丁包延至下周提供；原窗口取消，改在新窗口一次完成。",
        )),
        goals: "修复上级通报的站群系统中危漏洞两个，并修复站内搜索索引不更新问题。",
        content: "1. 站群系统升级至JCMS 7.4.1安全补丁版本；\n2. 重建站内搜索索引并启用增量索引。",
        risk: ("补丁导致部分学院网站模板显示异常", Low, Medium, "补丁前对全部学院网站截图，补丁后逐站比对"),
        impact: "学校门户网站及各学院网站暂停访问约1小时",
        links: &["站内搜索搜不到近期新闻"],
        ..BASE
    },
    // ----- approved -----
    PlanSpec {
        sys: 7,
        author: CHEN,
        title: "统一身份认证平台国密算法改造",
        from: "CAS 4.3",
        to: "CAS 4.4",
        target: PlanStatus::Approved,
        class: ChangeClass::Major,
        win: Win::Scan { base: Base::Today, day: 8, hour: 22, hours: 8, weekend: false },
        pre: Pre::Today([-16, -9, -3, 0]),
        goals: "按密码应用安全性评估要求，将统一身份认证的密码存储与传输改造为国密算法（SM2/SM3/SM4），并更换短信网关。",
        content: "1. CAS升级至4.4；\n2. 密码散列改为SM3，用户下次登录时自动转换；\n3. 传输证书更换为SM2双证书；\n4. 短信网关切换至新运营商。",
        risk: ("部分老旧浏览器不支持国密证书", Medium, Medium, "保留RSA证书双轨运行；对不支持的浏览器给出升级提示"),
        impact: "统一身份认证暂停服务，期间无法登录各业务系统",
        links: &["收不到短信验证码"],
        ..BASE
    },
    PlanSpec {
        sys: 5,
        author: LIU,
        title: "财务管理系统升级（差旅费标准自动计算与工资数据接口）",
        from: "GS 7.3",
        to: "GS 7.4",
        target: PlanStatus::Approved,
        win: Win::Scan { base: Base::Today, day: 9, hour: 22, hours: 8, weekend: false },
        pre: Pre::Today([-14, -7, -2, 0]),
        goals: "1. 差旅费报销按出差地点与职级自动计算标准；\n2. 与人事系统建立工资数据接口，取消人工导入。",
        content: "1. 浪潮GS升级至7.4；\n2. 新增差旅标准库及自动计算；\n3. 新增人事—财务工资数据接口。",
        risk: ("工资数据接口错误导致工资发放差错", Low, High, "首月新旧两种方式并行，逐人比对后再停用人工导入"),
        impact: "网上报销系统暂停服务",
        audience: "全校教职工",
        links: &["差旅费标准自动计算"],
        ..BASE
    },
    // ----- submitted -----
    PlanSpec {
        sys: 9,
        author: CHEN,
        title: "办公自动化系统接入企业微信移动办公",
        from: "A8+ V8.1",
        to: "A8+ V8.2",
        target: PlanStatus::Submitted,
        win: Win::Scan { base: Base::Today, day: 10, hour: 22, hours: 8, weekend: false },
        pre: Pre::Today([-12, -3, 0, 0]),
        goals: "OA待办、公文签批、会议通知在企业微信中处理，实现移动办公。",
        content: "1. 致远A8+升级至V8.2；\n2. 部署企业微信集成组件；\n3. 移动端公文签批与会议室预约冲突检测。",
        risk: ("企业微信端公文泄密风险", Low, High, "涉密公文不推送至移动端；移动端水印及禁止转发"),
        impact: "办公自动化系统暂停服务",
        audience: "全校各单位",
        links: &["OA接入企业微信移动办公"],
        ..BASE
    },
    PlanSpec {
        sys: 4,
        author: LIU,
        title: "人事管理系统升级（年度考核线上化与电子工资条）",
        from: "V3.9.0",
        to: "V3.10.0",
        target: PlanStatus::Submitted,
        // The same night as the OA plan, which depends on it: a conflict on the schedule (§3.2).
        win: Win::Scan { base: Base::Today, day: 10, hour: 22, hours: 8, weekend: false },
        pre: Pre::Today([-9, -1, 0, 0]),
        goals: "1. 年度考核登记表线上填报、审核与归档；\n2. 每月通过企业微信推送电子工资条。",
        content: "1. 人事系统升级至V3.10.0；\n2. 新增年度考核模块；\n3. 新增电子工资条推送。",
        risk: ("工资条推送错发导致个人信息泄露", Low, High, "推送前按工号与企业微信账号双重校验；首月先向人事处工作人员试推送"),
        audience: "全校教职工",
        links: &["电子工资条推送", "年度考核表导出格式错乱"],
        ..BASE
    },
    // ----- returned -----
    PlanSpec {
        sys: 6,
        author: LIU,
        title: "科研管理系统大版本升级（成果自动认领与绩效核算）",
        from: "V6.1",
        to: "V7.0",
        target: PlanStatus::Returned,
        win: Win::Scan { base: Base::Sem, day: 147, hour: 18, hours: 86, weekend: true },
        pre: Pre::Today([-25, -15, -12, 0]),
        goals: "1. 成果从学术数据库自动抓取、教师确认认领；\n2. 按学院、年度的科研绩效自动核算与统计报表；\n3. 系统架构升级为微服务。",
        content: "1. 科研系统升级至V7.0（大版本）；\n2. 新增成果自动认领；\n3. 新增绩效核算与统计报表；\n4. 数据库由单机迁移至集群。",
        migration: "全部项目、成果、经费数据由V6数据库迁移至V7集群，厂商提供迁移工具。",
        risk: ("大版本迁移后历史数据缺失", Medium, High, "迁移后按年度抽查项目与成果数据"),
        impact: "科研管理系统暂停服务四天",
        audience: "全校科研人员",
        links: &["科研成果从学术数据库自动认领", "科研绩效分学院统计报表"],
        return_reason: Some("1. 实施窗口安排在寒假，但未说明与财务年终决算的衔接；2. 回退方案缺少数据回迁步骤及耗时评估；3. 风险评估未包含大版本升级后旧接口停用对财务、人事系统的影响。请补充完善后重新提交。"),
        ..BASE
    },
    // ----- draft -----
    PlanSpec {
        sys: 1,
        author: WANG,
        title: "一卡通系统信创适配（国产数据库迁移）",
        from: "V5.3.2",
        to: "V6.0.0",
        target: PlanStatus::Draft,
        pre: Pre::Today([-4, 0, 0, 0]),
        partial: true,
        goals: "按学校信创工作安排，将一卡通核心数据库由Oracle迁移至国产数据库，应用服务器迁移至国产操作系统。",
        content: "1. 一卡通平台升级至信创版V6.0.0；\n2. 数据库迁移；\n3. 应用服务器操作系统迁移；\n4. （待补充：POS终端、门禁控制器兼容性评估）",
        ..BASE
    },
    PlanSpec {
        sys: 0,
        author: WANG,
        title: "教务管理系统新一代版本升级（选课志愿抽签与排考冲突检测）",
        from: "V9.2.0",
        to: "V10.0.0",
        target: PlanStatus::Draft,
        win: Win::Scan { base: Base::Sem, day: 158, hour: 18, hours: 110, weekend: true },
        pre: Pre::Today([-10, 0, 0, 0]),
        goals: "1. 热门课程改为志愿填报加抽签，缓解选课高峰压力；\n2. 排考自动检测学生考试时间冲突；\n3. 提供英文界面。",
        content: "1. 教务系统升级至V10.0.0；\n2. 新增志愿选课与抽签；\n3. 新增排考冲突检测；\n4. 学生端提供英文界面。",
        migration: "V9全部业务数据由厂商工具迁移至V10，迁移演练不少于两次。",
        risk: ("新选课方式学生不适应", Medium, Medium, "提前一个月发布选课指南与模拟选课"),
        impact: "教务管理系统暂停服务四天",
        links: &["希望增加选课志愿排序", "考试安排增加冲突自动检测", "English interface for course"],
        ..BASE
    },
    PlanSpec {
        sys: 11,
        author: SUN,
        title: "资产管理系统升级（手机扫码盘点与公物仓）",
        from: "V2.6",
        to: "V3.0",
        target: PlanStatus::Draft,
        pre: Pre::Today([-6, 0, 0, 0]),
        partial: true,
        goals: "年度资产清查前上线手机扫码盘点，并上线公物仓闲置资产共享。",
        content: "1. 资产系统升级至V3.0；\n2. 新增移动盘点；\n3. 新增公物仓模块。",
        links: &["资产盘点支持手机扫码"],
        ..BASE
    },
    // ----- cancelled -----
    PlanSpec {
        sys: 2,
        author: LIU,
        title: "图书馆移动服务平台升级（独立APP）",
        from: "Libsys 5.7",
        to: "Libsys 5.8",
        target: PlanStatus::Cancelled,
        cancel_from: PlanStatus::NoticePublished,
        cancel: Some((-22, "经与图书馆协商，移动端服务统一并入学校微信服务号（见信息化建设规划），独立APP方案取消；已链接的需求退回待规划。")),
        win: Win::Scan { base: Base::Today, day: -15, hour: 22, hours: 8, weekend: false },
        pre: Pre::Today([-45, -35, -30, -26]),
        goals: "上线图书馆独立移动APP，提供检索、借阅、荐购、座位预约等服务。",
        content: "1. Libsys升级至5.8；\n2. 发布图书馆APP（iOS、安卓）；\n3. 新增读者荐购。",
        risk: ("APP下载量低，使用率不高", Medium, Low, "通过新生入馆教育推广"),
        links: &["希望增加图书荐购功能"],
        ..BASE
    },
    PlanSpec {
        sys: 9,
        author: CHEN,
        title: "办公自动化系统全文检索组件替换",
        from: "A8+ V8.1",
        to: "A8+ V8.1.1",
        target: PlanStatus::Cancelled,
        cancel_from: PlanStatus::Draft,
        cancel: Some((-33, "与办公自动化系统信创适配改造合并实施，本方案作废。")),
        pre: Pre::Today([-40, 0, 0, 0]),
        partial: true,
        goals: "将OA全文检索组件由Elasticsearch开源版替换为厂商商用检索组件。",
        content: "1. 部署新检索组件；\n2. 重建全文索引。",
        ..BASE
    },
];

/// The plans that show the change classes besides the normal and major ones
/// above: an emergency security patch and a standard change of a template.
/// Built after the semester's requests, so the demo's random draws for
/// everything else stay as they were.
const CLASS_PLANS: &[PlanSpec] = &[
    PlanSpec {
        sys: 7,
        author: CHEN,
        title: "统一身份认证平台紧急安全补丁（CAS反序列化远程代码执行漏洞）",
        from: "CAS 4.3",
        to: "CAS 4.3.1",
        target: PlanStatus::Live,
        class: ChangeClass::Emergency,
        emergency: "国家信息安全漏洞共享平台通报CAS反序列化远程代码执行漏洞（高危），已出现针对高校的在野利用，攻击者可绕过认证接管各业务系统账号。按学校网络安全应急预案须在48小时内修复，不能等待3天的更新预告期。",
        win: Win::Fixed { base: Base::Today, day: -2, hour: 22, hours: 6 },
        pre: Pre::Today([-3, -2, -2, -2]),
        goals: "修复统一身份认证平台高危远程代码执行漏洞，消除账号被批量接管的风险。",
        content: "1. CAS服务端安装厂商安全补丁4.3.1；\n2. 关闭不再使用的CAS 2.0兼容端点；\n3. 更换票据签名密钥，强制全部会话重新登录。",
        approach: "采用“测试环境验证、生产环境停机补丁”方式：\n1. 在测试环境安装补丁并以漏洞验证脚本确认修复；\n2. 维护窗口内停止认证服务并备份配置与数据库；\n3. 安装补丁、关闭兼容端点、更换签名密钥；\n4. 验证单点登录与漏洞修复后恢复服务。",
        risk: ("更换签名密钥后部分业务系统会话失效", High, Low, "提前通知用户需重新登录；值守人员协助处理个别系统票据校验失败"),
        impact: "统一身份认证暂停服务约4小时，期间无法登录各业务系统；恢复后所有用户需重新登录",
        tests: &[
            (Security, "以漏洞验证脚本对生产同版本测试环境发起利用尝试", "利用失败，服务端拒绝反序列化请求"),
            (Functional, "账号密码登录后依次访问教务、OA、图书馆系统", "单点登录成功，无需二次登录"),
            (Functional, "企业微信扫码登录", "扫码确认后3秒内完成登录"),
        ],
        compare: &[
            ("CAS 2.0兼容端点", "开放", "关闭（已无业务系统使用）", Removed),
            ("票据签名密钥", "上线时生成，未更换", "更换为新密钥，旧票据全部失效", Changed),
        ],
        ..BASE
    },
    PlanSpec {
        sys: 9,
        author: SUN,
        title: "办公自动化系统月度安全补丁（本月例行）",
        from: "A8+ V8.1",
        to: "A8+ V8.1 SP7",
        target: PlanStatus::NoticePublished,
        class: ChangeClass::Standard,
        template: Some(0),
        win: Win::Scan { base: Base::Today, day: 3, hour: 22, hours: 4, weekend: false },
        pre: Pre::Today([-2, -1, -1, -1]),
        goals: "安装厂商本月发布的安全补丁包，修复本月通报的OA中低危漏洞。",
        content: OA_PATCH_CONTENT,
        approach: OA_PATCH_APPROACH,
        risk: ("补丁与已安装的电子签章组件不兼容", Low, Medium, "补丁先在测试环境与电子签章联调；不兼容时回退并报厂商"),
        impact: "办公自动化系统暂停服务约2小时",
        audience: "全校教职工",
        ..BASE
    },
];

/// What the OA's monthly patch changes, as its template says.
const OA_PATCH_CONTENT: &str = "安装致远A8+厂商当月发布的安全补丁包（SP），不涉及功能变更与数据结构变更。";
/// How, as its template says.
const OA_PATCH_APPROACH: &str = "1. 补丁包在测试环境安装并完成模板中的测试项；\n2. 维护窗口内停止OA服务，备份应用目录与数据库；\n3. 安装补丁包并重启服务；\n4. 按测试项验证后恢复服务，异常时按回退方案恢复备份。";

/// A template of standard changes in the demo: who wrote it, when (days
/// relative to today) it was written, submitted and approved.
struct TemplateSpec {
    sys: usize,
    author: usize,
    title: &'static str,
    content: &'static str,
    approach: &'static str,
    items: &'static [Item3],
    written: i64,
    submitted: Option<i64>,
    approved: Option<i64>,
}

const TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        sys: 9,
        author: SUN,
        title: "办公自动化系统月度安全补丁",
        content: OA_PATCH_CONTENT,
        approach: OA_PATCH_APPROACH,
        items: &[
            (Functional, "公文起草、签批、分发全流程", "流程正常流转，签批意见完整"),
            (Functional, "电子签章盖章与验章", "盖章成功，验章通过"),
            (Security, "补丁所修复漏洞的验证脚本", "漏洞不可利用"),
        ],
        written: -70,
        submitted: Some(-69),
        approved: Some(-66),
    },
    TemplateSpec {
        sys: 2,
        author: LIU,
        title: "图书馆管理系统季度数据库补丁",
        content: "安装数据库厂商季度累积补丁（CPU），不涉及应用程序与数据结构变更。",
        approach: "1. 测试环境安装补丁并执行测试项；\n2. 维护窗口内停止图书馆管理系统，全量备份数据库；\n3. 安装补丁、重启数据库；\n4. 验证借还书与检索后恢复服务。",
        items: &[
            (Functional, "借书、还书、续借", "操作成功，读者记录正确"),
            (Functional, "馆藏检索与OPAC查询", "检索结果与补丁前一致"),
            (Performance, "借还高峰模拟（200并发）", "平均响应时间≤1秒"),
        ],
        written: -6,
        submitted: Some(-5),
        approved: None,
    },
];

// ---------------------------------------------------------------------------
// Building the script

/// A request as the script generates it.
struct ReqGen {
    tpl: usize,
    entered: Time,
}

#[derive(Clone)]
struct Item {
    cat: TestCategory,
    desc: String,
    expected: String,
    tester: Tester,
}

/// What happened to a request that is not linked to a plan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    New,
    Triaged,
    Accepted,
    Rejected,
    Duplicate,
    Joint,
    JointAccepted,
    JointRejected,
}

const TOTAL_REQUESTS: usize = 300;
const OPERATORS: [usize; 4] = [WANG, LIU, CHEN, SUN];

struct Demo {
    rng: StdRng,
    c: Clock,
    cal: Vec<Blackout>,
    actors: Vec<Actor>,
    evs: Vec<Ev>,
    reqs: Vec<ReqGen>,
    /// Non-duplicate requests per template, as originals for duplicates.
    originals: HashMap<usize, Vec<usize>>,
    filed_at: HashMap<usize, Time>,
    /// When each plan was created and submitted (for the paths of requests).
    plan_times: HashMap<usize, (Time, Time)>,
    /// When each plan last went live (the go-live the review is due after).
    live_at: HashMap<usize, Time>,
}

impl Demo {
    fn new(creator: &str, now: Time) -> Demo {
        let c = Clock::new(now);
        let cal = calendar(&c);
        Demo {
            rng: StdRng::seed_from_u64(0x0062_6569_616e),
            c,
            cal,
            actors: actors(creator),
            evs: Vec::new(),
            reqs: Vec::new(),
            originals: HashMap::new(),
            filed_at: HashMap::new(),
            plan_times: HashMap::new(),
            live_at: HashMap::new(),
        }
    }

    fn build(mut self) -> Result<Script> {
        self.setup();
        self.templates();
        for (i, spec) in PLANS.iter().enumerate() {
            self.plan(i, spec)?;
        }
        self.request_paths()?;
        self.random_requests();
        self.supervision();
        self.after_golive();
        self.recognitions();
        for (i, spec) in CLASS_PLANS.iter().enumerate() {
            self.plan(PLANS.len() + i, spec)?;
        }
        Ok(Script {
            actors: self.actors,
            evs: self.evs,
        })
    }

    /// Awards of §5.2 from the supervision group: the project team of the
    /// first filed update (its staff), and the IMC technician who found a
    /// critical defect in testing.
    fn recognitions(&mut self) {
        let Some(&filed) = self.filed_at.get(&0) else {
            return;
        };
        self.push(filed + days(2), ZHAO, None, |r| {
            Ok(Command::RecognitionAdd {
                kind: RecognitionKind::Award,
                recipient: Recipient::Team {
                    name: "教务管理系统升级项目组".into(),
                    members: Vec::new(),
                },
                reason: "选课高峰前按期完成升级，上线后无回退、无重大事件".into(),
                related: vec![r.id(Slot::Dossier(0))?],
                date: None,
            })
        });
        self.cmd(
            filed + days(2) + mins(10),
            ZHAO,
            Command::RecognitionAdd {
                kind: RecognitionKind::Award,
                recipient: Recipient::Person(imc(LIU)),
                reason: "测试中发现数据迁移的严重缺陷，避免了上线后的成绩数据错误".into(),
                related: Vec::new(),
                date: None,
            },
        );
    }

    // ----- script primitives -----

    fn push(&mut self, at: Time, who: usize, sink: Option<Slot>, build: impl Fn(&Refs) -> Result<Command> + 'static) {
        self.evs.push(Ev {
            at,
            who,
            sink,
            build: Box::new(build),
        });
    }

    fn cmd(&mut self, at: Time, who: usize, cmd: Command) {
        self.push(at, who, None, move |_| Ok(cmd.clone()));
    }

    /// A command about a record created earlier in the script.
    fn on(&mut self, at: Time, who: usize, target: Slot, f: impl Fn(Id) -> Command + 'static) {
        self.push(at, who, None, move |r| Ok(f(r.id(target)?)));
    }

    fn op(&mut self) -> usize {
        OPERATORS[weighted(&mut self.rng, &[30, 30, 30, 10])]
    }

    fn person(&mut self) -> (&'static str, &'static str, &'static str, &'static str) {
        let (s, sp) = *pick(&mut self.rng, SURNAMES);
        let (g, gp) = *pick(&mut self.rng, GIVEN);
        (s, g, sp, gp)
    }

    fn name(&mut self) -> String {
        let (s, g, _, _) = self.person();
        format!("{s}{g}")
    }

    // ----- systems and calendar -----

    /// What the systems depend on (§3.2): most on 统一身份认证平台 for login;
    /// 办公自动化系统 also on 人事管理系统 (its staff and departments), and
    /// 研究生管理系统 on 教务管理系统 (courses and grades).
    fn dependencies(&mut self, t: Time) {
        let auth = SYSTEMS.iter().position(|s| s.name == "统一身份认证平台").unwrap_or(0);
        let by_name = |n: &str| SYSTEMS.iter().position(|s| s.name == n);
        let extra = [("办公自动化系统", "人事管理系统"), ("研究生管理系统", "教务管理系统")];
        for (i, s) in SYSTEMS.iter().enumerate() {
            if i == auth {
                continue;
            }
            let mut deps = vec![auth];
            deps.extend(
                extra
                    .iter()
                    .filter(|(a, _)| *a == s.name)
                    .filter_map(|(_, b)| by_name(b)),
            );
            self.push(t + mins(2 * i as i64), ADMIN, None, move |r| {
                Ok(Command::SystemEdit {
                    id: r.id(Slot::System(i))?,
                    name: None,
                    department: None,
                    vendor: None,
                    version: None,
                    depends_on: Some(
                        deps.iter()
                            .map(|d| r.id(Slot::System(*d)))
                            .collect::<Result<Vec<_>>>()?,
                    ),
                })
            });
        }
    }

    fn setup(&mut self) {
        let t0 = at(self.c.s(-120), 9, 0);
        // The register mail is addressed from (issue 17), before anything
        // that causes mail; the progress report of the last week at the end.
        self.cmd(t0 - mins(30), ADMIN, demo_register());
        for (i, c) in demo_resolutions().into_iter().enumerate() {
            self.cmd(t0 - mins(29) + mins(i as i64) / 10, WANG, c);
        }
        let (from, to) = (self.c.t(-7), self.c.t(-1));
        self.cmd(at(to, 18, 0), ZHAO, Command::MailReport { from, to });
        self.cmd(at(to, 18, 5), ADMIN, Command::MailDigest {});
        for (i, s) in SYSTEMS.iter().enumerate() {
            self.push(t0 + mins(4 * i as i64), ADMIN, Some(Slot::System(i)), move |_| {
                Ok(Command::SystemAdd {
                    name: s.name.into(),
                    department: s.dept.into(),
                    vendor: s.vendor.into(),
                    version: s.version.into(),
                })
            });
        }
        self.dependencies(at(self.c.s(-119), 9, 0));
        let t1 = at(self.c.s(-70), 10, 0);
        for (k, period) in self.cal.clone().into_iter().enumerate() {
            self.cmd(t1 + mins(3 * k as i64), ADMIN, Command::CalendarAdd { period });
        }
    }

    fn window(&self, w: Win) -> Result<Option<Window>> {
        let base = |b: Base, d: i64| match b {
            Base::Sem => self.c.s(d),
            Base::Today => self.c.t(d),
        };
        match w {
            Win::None => Ok(None),
            Win::Fixed {
                base: b,
                day,
                hour,
                hours: h,
            } => {
                let start = at(base(b, day), hour, 0);
                Ok(Some(Window {
                    start,
                    end: start + hours(h),
                }))
            }
            Win::Scan {
                base: b,
                day,
                hour,
                hours: h,
                weekend,
            } => {
                let from = base(b, day);
                for k in 0..150 {
                    let d = from + days(k);
                    if weekend && d.weekday() != Weekday::Fri {
                        continue;
                    }
                    let start = at(d, hour, 0);
                    let w = Window {
                        start,
                        end: start + hours(h),
                    };
                    if self.cal.iter().all(|b| {
                        let (s, e) = (day_of(w.start), day_of(w.end));
                        e < b.start || s > b.end
                    }) {
                        return Ok(Some(w));
                    }
                }
                Err(Error::input(
                    "demo window",
                    &from.to_string(),
                    "a free window within 150 days",
                ))
            }
        }
    }

    // ----- requests -----

    /// Compose a request from a template, schedule its entry, and return its index.
    /// It is entered no later than `before`.
    fn new_request(&mut self, tpl_i: usize, received: Time, before: Time) -> usize {
        let tpl = &TPLS[tpl_i];
        let sys = &SYSTEMS[tpl.sys];
        let en = tpl.titles.is_ascii();
        let rng = &mut self.rng;
        use SubmitterType as K;
        let kind = if en {
            if rng.random_bool(0.6) {
                K::Student
            } else {
                K::Teacher
            }
        } else if sys.students {
            [K::Student, K::Teacher, K::Staff, K::Department][weighted(rng, &[55, 25, 10, 10])]
        } else {
            [K::Teacher, K::Staff, K::Department][weighted(rng, &[45, 35, 20])]
        };
        let channel = match kind {
            K::Student => [
                Channel::Website,
                Channel::Counsellor,
                Channel::Questionnaire,
                Channel::Other,
            ][weighted(rng, &[45, 30, 20, 5])],
            K::Teacher => [Channel::Email, Channel::Questionnaire, Channel::Website, Channel::Other]
                [weighted(rng, &[50, 30, 10, 10])],
            K::Staff | K::Department => {
                // Offices call the service desk.
                [Channel::Email, Channel::Phone, Channel::Questionnaire][weighted(rng, &[55, 28, 17])]
            }
        };
        let dept = match kind {
            K::Student | K::Teacher if en => *pick(rng, &["国际教育学院", "外国语学院"]),
            K::Student | K::Teacher => *pick(rng, COLLEGES),
            // Staff and offices mostly write about the systems they run.
            K::Staff if rng.random_bool(0.6) => sys.dept,
            K::Staff => *pick(rng, OFFICES),
            K::Department if rng.random_bool(0.5) => sys.dept,
            K::Department => *pick(rng, COLLEGES),
        };
        let (s, g, sp, gp) = self.person();
        let rng = &mut self.rng;
        let grade = rng.random_range(2021..=2025);
        let phone = format!("校内电话 8{:04}", rng.random_range(1000..9999));
        let (name, contact) = match kind {
            K::Student if en => (
                pick(rng, FOREIGN).to_string(),
                format!("{grade}9{:05}@stu.example.edu.cn", rng.random_range(0..99999)),
            ),
            K::Student => (
                format!("{s}{g}"),
                format!(
                    "{grade}{:02}{:04}@stu.example.edu.cn",
                    rng.random_range(1..40),
                    rng.random_range(0..9999)
                ),
            ),
            K::Teacher if en => (
                pick(rng, FOREIGN).to_string(),
                format!("intl{:03}@example.edu.cn", rng.random_range(1..999)),
            ),
            K::Teacher => {
                let n = if rng.random_bool(0.3) {
                    format!("{}", rng.random_range(1..9))
                } else {
                    String::new()
                };
                (format!("{s}{g}"), format!("{sp}{gp}{n}@example.edu.cn"))
            }
            K::Staff => (format!("{s}{g}"), phone),
            K::Department => (format!("{dept}综合办公室"), phone),
        };
        let titles: Vec<&str> = tpl.titles.split('|').collect();
        let mut title = pick(rng, &titles).to_string();
        let priority = if tpl.feature {
            [Priority::High, Priority::Normal, Priority::Low][weighted(rng, &[10, 60, 30])]
        } else {
            [Priority::Urgent, Priority::High, Priority::Normal, Priority::Low][weighted(rng, &[5, 25, 55, 15])]
        };
        if priority == Priority::Urgent && !en {
            title = format!("【紧急】{title}");
        }
        let term = term_label(day_of(received));
        let counsellor = format!("{}{}", pick(rng, SURNAMES).0, pick(rng, GIVEN).0);
        let body = if en {
            let open = match (kind, channel) {
                (_, Channel::Counsellor) => {
                    format!("(Forwarded by the counsellor of {dept}, {counsellor}) ")
                }
                (K::Student, _) => "Hello, I am an international student. ".to_string(),
                _ => "Dear IMC, I am a foreign teacher. ".to_string(),
            };
            format!(
                "{open}{}\n\n{}",
                tpl.detail,
                pick(rng, &["Thank you!", "Thanks in advance.", "Best regards."])
            )
        } else {
            let open = match (kind, channel) {
                (_, Channel::Questionnaire) => format!("【{term}信息化服务满意度问卷·开放题】"),
                (K::Student, Channel::Counsellor) => {
                    format!("（{dept}辅导员{counsellor}老师转达）{name}同学反映：")
                }
                (K::Student, Channel::Website) => format!("老师您好，我是{dept}{grade}级学生。"),
                (K::Student, _) => "（服务台电话记录）学生来电反映：".to_string(),
                (K::Teacher, Channel::Email) => {
                    format!("信息化管理中心：您好！我是{dept}教师{name}。")
                }
                (K::Teacher, Channel::Website) => format!("我是{dept}教师。"),
                (K::Teacher, _) => "（服务台电话记录）教师来电反映：".to_string(),
                (K::Staff, Channel::Email) => format!("信息化管理中心：我是{dept}工作人员{name}。"),
                (K::Staff, _) => format!("（服务台电话记录）{dept}工作人员来电反映："),
                (K::Department, Channel::Email) => format!("信息化管理中心：{dept}反映如下情况。"),
                (K::Department, _) => format!("（{dept}来函）"),
            };
            let extra = match kind {
                _ if tpl.feature => "",
                K::Student => *pick(rng, STUDENT_EXTRAS),
                _ => *pick(rng, STAFF_EXTRAS),
            };
            let tail = if tpl.feature {
                pick(rng, FEATURE_TAILS)
            } else {
                pick(rng, PROBLEM_TAILS)
            };
            format!("{open}{}{extra}{tail}", tpl.detail)
        };
        let delay = match channel {
            Channel::Website | Channel::Questionnaire => rng.random_range(30..2880),
            Channel::Email => rng.random_range(10..360),
            Channel::Counsellor => rng.random_range(720..4320),
            Channel::Phone | Channel::Other => rng.random_range(2..20),
        };
        let entered = (received + mins(delay)).min(before).max(received);
        let request = NewRequest {
            kind: if tpl.feature {
                RequestKind::Feature
            } else {
                RequestKind::Problem
            },
            title,
            body,
            system: None,
            submitter: Submitter { name, contact, kind },
            department: dept.to_string(),
            channel,
            received_at: Some(received),
            priority,
            tags: tpl.tags.split(',').map(String::from).collect(),
        };
        let i = self.reqs.len();
        self.reqs.push(ReqGen { tpl: tpl_i, entered });
        let by = self.op();
        let sys_slot = Slot::System(tpl.sys);
        self.push(entered, by, Some(Slot::Request(i)), move |r| {
            let mut request = request.clone();
            request.system = Some(r.id(sys_slot)?);
            Ok(Command::RequestAdd { request })
        });
        i
    }

    fn triage(&mut self, at: Time, who: usize, i: usize, triage: Triage) {
        self.on(at, who, Slot::Request(i), move |id| Command::RequestTriage {
            id,
            triage: triage.clone(),
        });
    }

    fn analyse(&mut self, at: Time, who: usize, i: usize) {
        let tpl = &TPLS[self.reqs[i].tpl];
        let sys = &SYSTEMS[tpl.sys];
        let n = self.rng.random_range(2..15);
        let effort = self.rng.random_range(3..40);
        let necessity = if tpl.feature {
            format!(
                "涉及{}日常使用，近一个月同类建议{n}条，需求合理、受益面广，有必要实施。",
                sys.name
            )
        } else {
            format!(
                "涉及{}日常使用，近一个月同类反馈{n}条，影响正常业务，有必要修复。",
                sys.name
            )
        };
        let feasibility = format!(
            "经与{}沟通，可在后续版本中实现，预计工作量{effort}人天，无需追加经费，技术上可行。",
            sys.short
        );
        self.on(at, who, Slot::Request(i), move |id| Command::RequestEdit {
            id,
            edit: RequestEdit {
                necessity: Some(necessity.clone()),
                feasibility: Some(feasibility.clone()),
                ..Default::default()
            },
        });
    }

    fn joint_outcome(&mut self, i: usize, accept: bool) -> String {
        let sys = &SYSTEMS[TPLS[self.reqs[i].tpl].sys];
        let mut other = *pick(&mut self.rng, OFFICES);
        if other == sys.dept {
            other = "学生工作部";
        }
        if accept {
            format!(
                "经{}、{other}及信息化管理中心专题研讨，同意纳入{}后续版本更新计划，由信息化管理中心牵头、{}配合实施。",
                sys.dept, sys.name, sys.dept
            )
        } else {
            format!(
                "经{}、{other}及信息化管理中心专题研讨，认为该需求涉及现行管理办法调整，需由{}先行修订相关制度，本次暂不实施。",
                sys.dept, sys.dept
            )
        }
    }

    fn comment(&mut self, i: usize) {
        let e = self.reqs[i].entered;
        let latest = self.c.now - hours(1);
        if e + hours(2) > latest {
            return;
        }
        let t = between(e + hours(1), latest, self.rng.random_range(0.05..0.5));
        let (who, text) = match self.rng.random_range(0..10) {
            0 => (
                ZHANG,
                "请信息化管理中心评估影响范围，在下次领导小组会议上汇报。".to_string(),
            ),
            1 => (ZHAO, "请按规定时限向提交人反馈处理结果。".to_string()),
            2 => {
                let code = SYSTEMS[TPLS[self.reqs[i].tpl].sys].code;
                let n = self.rng.random_range(100..999);
                (
                    self.op(),
                    format!(
                        "已转厂商工程师分析，厂商工单号 {code}-{}-{n}。",
                        day_of(t).format("%Y%m%d")
                    ),
                )
            }
            _ => (self.op(), pick(&mut self.rng, OP_COMMENTS).to_string()),
        };
        self.on(t, who, Slot::Request(i), move |id| Command::RequestComment {
            id,
            text: text.clone(),
        });
    }

    /// The requests not linked to plans, received over the last 90 days.
    fn random_requests(&mut self) {
        let now = self.c.now;
        let by_sys: Vec<Vec<usize>> = (0..SYSTEMS.len())
            .map(|s| (0..TPLS.len()).filter(|t| TPLS[*t].sys == s).collect())
            .collect();
        let weights: Vec<u32> = SYSTEMS.iter().map(|s| s.weight).collect();
        let n = TOTAL_REQUESTS.saturating_sub(self.reqs.len());
        let mut todo: Vec<(Time, usize)> = (0..n)
            .map(|_| {
                let s = weighted(&mut self.rng, &weights);
                let tpl = *pick(&mut self.rng, &by_sys[s]);
                let received = if self.rng.random_bool(0.25) {
                    // the rush of the first weeks of the semester
                    let d = self.c.s(self.rng.random_range(0..21));
                    at(d, self.rng.random_range(8..23), self.rng.random_range(0..60))
                } else {
                    now - mins(self.rng.random_range(40..90 * 1440))
                };
                (received.min(now - mins(40)), tpl)
            })
            .collect();
        todo.sort_by_key(|(t, _)| *t);
        for (received, tpl) in todo {
            let i = self.new_request(tpl, received, now - mins(3));
            let entered = self.reqs[i].entered;
            let fates = [
                Fate::New,
                Fate::Triaged,
                Fate::Accepted,
                Fate::Rejected,
                Fate::Duplicate,
                Fate::Joint,
                Fate::JointAccepted,
                Fate::JointRejected,
            ];
            let mut fate = fates[weighted(&mut self.rng, &[30, 14, 14, 14, 13, 6, 5, 4])];
            let original = self
                .originals
                .get(&tpl)
                .and_then(|v| v.iter().copied().find(|o| self.reqs[*o].entered + hours(1) < entered));
            if fate == Fate::Duplicate && original.is_none() {
                fate = Fate::Triaged;
            }
            if fate != Fate::Duplicate {
                self.originals.entry(tpl).or_default().push(i);
            }
            if self.rng.random_bool(0.12) {
                self.comment(i);
            }
            if fate == Fate::New {
                continue;
            }
            let limit = now - mins(20);
            let who = self.op();
            let t1 = entered + mins(self.rng.random_range(60..2880));
            if t1 > limit {
                continue;
            }
            if let (Fate::Duplicate, Some(o)) = (fate, original) {
                self.push(t1, who, None, move |r| {
                    Ok(Command::RequestTriage {
                        id: r.id(Slot::Request(i))?,
                        triage: Triage::Duplicate {
                            of: r.id(Slot::Request(o))?,
                        },
                    })
                });
                continue;
            }
            self.triage(t1, who, i, Triage::Triage);
            let t2 = t1 + mins(self.rng.random_range(240..7200));
            if fate == Fate::Triaged || t2 + mins(15) > limit {
                continue;
            }
            match fate {
                Fate::Accepted => {
                    self.analyse(t2, who, i);
                    self.triage(t2 + mins(15), who, i, Triage::Accept { outcome: None });
                }
                Fate::Rejected => {
                    let reason = if TPLS[tpl].feature {
                        pick(&mut self.rng, REJECT_FEATURE)
                    } else {
                        pick(&mut self.rng, REJECT_PROBLEM)
                    };
                    self.triage(
                        t2,
                        who,
                        i,
                        Triage::Reject {
                            reason: reason.to_string(),
                        },
                    );
                }
                _ => {
                    self.triage(t2, who, i, Triage::JointReview);
                    let t3 = t2 + days(self.rng.random_range(5..12)) + mins(self.rng.random_range(0..300));
                    if fate == Fate::Joint || t3 > limit {
                        continue;
                    }
                    let accept = fate == Fate::JointAccepted;
                    if accept {
                        self.analyse(t3 - mins(30), who, i);
                    }
                    let outcome = self.joint_outcome(i, accept);
                    let triage = if accept {
                        Triage::Accept { outcome: Some(outcome) }
                    } else {
                        Triage::Reject { reason: outcome }
                    };
                    self.triage(t3, who, i, triage);
                }
            }
        }
    }

    /// A request the plan's author links while writing the plan: received,
    /// triaged (some through a joint review), analysed, accepted, linked.
    fn linked_request(
        &mut self,
        pi: usize,
        spec: &PlanSpec,
        key: &str,
        created: Time,
        urgent: bool,
        n: usize,
    ) -> Result<()> {
        let tpl = TPLS
            .iter()
            .position(|t| t.sys == spec.sys && t.titles.contains(key))
            .ok_or_else(|| Error::input("demo template", key, SYSTEMS[spec.sys].name))?;
        let back = if urgent {
            mins(self.rng.random_range(20 * 60..60 * 60))
        } else {
            mins(self.rng.random_range(3 * 1440..15 * 1440))
        };
        let link = created + hours(1);
        let i = self.new_request(tpl, created - back, link - hours(3));
        self.originals.entry(tpl).or_default().push(i);
        let e = self.reqs[i].entered;
        let who = self.op();
        self.triage(between(e, link, 0.25), who, i, Triage::Triage);
        if n == 2 || (!urgent && self.rng.random_bool(0.15)) {
            self.triage(between(e, link, 0.45), who, i, Triage::JointReview);
            self.analyse(between(e, link, 0.65), who, i);
            let outcome = self.joint_outcome(i, true);
            self.triage(
                between(e, link, 0.85),
                who,
                i,
                Triage::Accept { outcome: Some(outcome) },
            );
        } else {
            self.analyse(between(e, link, 0.6), who, i);
            self.triage(between(e, link, 0.7), who, i, Triage::Accept { outcome: None });
        }
        self.push(link, spec.author, None, move |r| {
            Ok(Command::RequestLink {
                id: r.id(Slot::Request(i))?,
                plan: r.id(Slot::Plan(pi))?,
            })
        });
        let text = format!("已纳入更新方案《{}》，拟于{}版本中解决。", spec.title, spec.to);
        self.on(link + mins(5), spec.author, Slot::Request(i), move |id| {
            Command::RequestComment { id, text: text.clone() }
        });
        Ok(())
    }
}

impl Demo {
    /// The template whose titles contain `key`.
    fn tpl(key: &str) -> Result<usize> {
        TPLS.iter()
            .position(|t| t.titles.contains(key))
            .ok_or_else(|| Error::input("demo template", key, "a template title"))
    }

    /// The paths of requests besides the straight line (§3.1): a joint review
    /// of three requests that reaches its position (two accepted, one
    /// rejected) and one still to meet; a request linked to a plan after it
    /// was submitted (before any approval); a request linked to a draft and
    /// taken off it again; a rejected request and a duplicate reopened.
    fn request_paths(&mut self) -> Result<()> {
        let now = self.c.now;
        let latest = now - mins(30);
        let clamp = |t: Time| t.min(latest);
        // ---- a joint review of three requests (教务处, 学生工作部, 研究生院) ----
        let keys = [
            "希望增加选课志愿排序功能",
            "考试安排增加冲突自动检测",
            "教务系统移动端适配",
        ];
        let received = now - days(26);
        let mut three = Vec::new();
        for (k, key) in keys.iter().enumerate() {
            let i = self.new_request(Self::tpl(key)?, received + hours(5 * k as i64), received + days(1));
            self.originals.entry(self.reqs[i].tpl).or_default().push(i);
            let who = self.op();
            self.triage(received + days(2) + hours(k as i64), who, i, Triage::Triage);
            three.push(i);
        }
        // The two the meeting accepts are analysed first (acceptance needs it, §3.1).
        self.analyse(received + days(3), WANG, three[0]);
        self.analyse(received + days(3) + hours(1), WANG, three[1]);
        let convene = received + days(4);
        let meeting = now - days(19);
        let slots: Vec<Slot> = three.iter().map(|i| Slot::Request(*i)).collect();
        let date = day_of(meeting);
        let s2 = slots.clone();
        self.push(convene, WANG, Some(Slot::JointReview(0)), move |r| {
            Ok(Command::JointReviewNew {
                topic: "选课、排考与移动端需求专题研讨（涉及教务处、学生工作部、研究生院）".into(),
                requests: s2.iter().map(|s| r.id(*s)).collect::<Result<Vec<_>>>()?,
                departments: vec!["教务处".into(), "学生工作部".into(), "研究生院".into()],
                date,
            })
        });
        let third = slots[2];
        self.push(meeting + hours(20), WANG, None, move |r| {
            Ok(Command::JointReviewDecide {
                id: r.id(Slot::JointReview(0))?,
                position: "经教务处、学生工作部、研究生院及信息化管理中心专题研讨：选课志愿排序与排考冲突检测纳入教务管理系统下一版本；\
                           移动端适配并入学校统一移动门户建设，本次不单独实施。"
                    .into(),
                minutes_ref: format!("专题研讨会议纪要〔{}〕第3号", date.format("%Y")),
                reject: vec![r.id(third)?],
            })
        });
        // ---- a joint review still to meet (一卡通: 后勤保障处, 财务处) ----
        let keys = ["消费", "充值"];
        let received2 = now - days(6);
        let mut two = Vec::new();
        for (k, key) in keys.iter().enumerate() {
            let Some(tpl) = TPLS.iter().position(|t| t.sys == 1 && t.titles.contains(key)) else {
                continue;
            };
            let i = self.new_request(tpl, received2 + hours(3 * k as i64), received2 + hours(20));
            self.originals.entry(tpl).or_default().push(i);
            two.push(Slot::Request(i));
        }
        if two.len() == 2 {
            let date = day_of(now + days(3));
            self.push(clamp(received2 + days(2)), CHEN, Some(Slot::JointReview(1)), move |r| {
                Ok(Command::JointReviewNew {
                    topic: "一卡通消费与充值问题专题研讨".into(),
                    requests: two.iter().map(|s| r.id(*s)).collect::<Result<Vec<_>>>()?,
                    departments: vec!["后勤保障处（一卡通中心）".into(), "财务处".into()],
                    date,
                })
            });
        }
        // ---- linked to a plan after it was submitted, before any approval ----
        if let Some(pi) = PLANS.iter().position(|p| p.target == PlanStatus::Submitted) {
            let (_, submitted) = self.plan_times[&pi];
            let spec = &PLANS[pi];
            if let Some(tpl) = TPLS.iter().position(|t| t.sys == spec.sys) {
                let at_link = clamp(submitted + hours(3));
                let i = self.new_request(tpl, submitted - days(6), submitted - days(5));
                self.originals.entry(tpl).or_default().push(i);
                let who = spec.author;
                self.triage(submitted - days(4), who, i, Triage::Triage);
                self.analyse(submitted - days(3), who, i);
                self.triage(submitted - days(3) + hours(1), who, i, Triage::Accept { outcome: None });
                self.push(at_link, who, None, move |r| {
                    Ok(Command::RequestLink {
                        id: r.id(Slot::Request(i))?,
                        plan: r.id(Slot::Plan(pi))?,
                    })
                });
            }
        }
        // ---- linked to a draft, then taken off it ----
        if let Some(pi) = PLANS.iter().position(|p| p.target == PlanStatus::Draft && !p.partial) {
            let (created, _) = self.plan_times[&pi];
            let spec = &PLANS[pi];
            if let Some(tpl) = TPLS.iter().rposition(|t| t.sys == spec.sys && !t.feature) {
                let i = self.new_request(tpl, created - days(4), created - days(3));
                self.originals.entry(tpl).or_default().push(i);
                let who = spec.author;
                self.triage(created - days(2), who, i, Triage::Triage);
                self.analyse(created - days(1), who, i);
                self.triage(created - days(1) + hours(1), who, i, Triage::Accept { outcome: None });
                self.push(clamp(created + hours(2)), who, None, move |r| {
                    Ok(Command::RequestLink {
                        id: r.id(Slot::Request(i))?,
                        plan: r.id(Slot::Plan(pi))?,
                    })
                });
                self.on(clamp(created + hours(26)), who, Slot::Request(i), |id| {
                    Command::RequestUnlink {
                        id,
                        reason: "厂商已提供热补丁单独修复该问题，不再纳入本次升级".into(),
                    }
                });
            }
        }
        // ---- a rejected request reopened ----
        let i = self.new_request(
            Self::tpl("成绩录入保存时提示会话超时")?,
            now - days(15),
            now - days(15) + hours(2),
        );
        let (t1, t2, t3) = (now - days(14), now - days(13), now - days(9));
        self.triage(t1, LIU, i, Triage::Triage);
        self.triage(
            t2,
            LIU,
            i,
            Triage::Reject {
                reason: "未能复现，系统会话时长已按学校规定设置".into(),
            },
        );
        self.on(t3, LIU, Slot::Request(i), |id| Command::RequestReopen {
            id,
            reason: "提交人补充了复现步骤和截图：录入超过40分钟后保存即丢失，重新评估".into(),
        });
        // ---- a duplicate reopened: not the same problem after all ----
        let tpl = Self::tpl("课表导出PDF中文乱码")?;
        let a = self.new_request(tpl, now - days(12), now - days(12) + hours(1));
        self.originals.entry(tpl).or_default().push(a);
        let b = self.new_request(tpl, now - days(11), now - days(11) + hours(1));
        self.triage(now - days(11) + hours(3), SUN, a, Triage::Triage);
        self.push(now - days(10), SUN, None, move |r| {
            Ok(Command::RequestTriage {
                id: r.id(Slot::Request(b))?,
                triage: Triage::Duplicate {
                    of: r.id(Slot::Request(a))?,
                },
            })
        });
        self.on(now - days(8), SUN, Slot::Request(b), |id| Command::RequestReopen {
            id,
            reason: "经核实并非同一问题：该同学为成绩单导出乱码，不是课表导出".into(),
        });
        Ok(())
    }
}

/// Where a status lies on the main path.
fn rank(s: PlanStatus) -> u8 {
    use PlanStatus as S;
    match s {
        S::Draft | S::Cancelled => 0,
        S::Submitted | S::Returned => 1,
        S::Approved => 2,
        S::NoticePublished => 3,
        S::Implementing => 4,
        S::Testing => 5,
        S::Ready => 6,
        S::Live | S::Failed => 7,
        S::Filed => 8,
    }
}

/// The Leading Group's minutes: it meets every other week.
fn minutes_ref(t: Time, urgent: bool) -> String {
    let l = t.with_timezone(&Local);
    if urgent {
        format!(
            "信息化领导小组紧急事项审批单（{}-{:02}）",
            l.year(),
            l.iso_week().week()
        )
    } else {
        format!(
            "信息化领导小组{}年第{}次会议纪要",
            l.year(),
            l.iso_week().week() / 2 + 1
        )
    }
}

const APPROVE_COMMENTS: &[&str] = &[
    "同意实施。请严格执行数据备份与回退预案。",
    "同意。注意提前通知相关学院，做好师生解释工作。",
    "同意按方案实施，上线后两周内提交运行情况报告。",
    "同意。请加强与厂商的协调，确保按期完成。",
];

impl Demo {
    fn staff(&mut self, spec: &PlanSpec) -> Vec<StaffAssignment> {
        let sys = &SYSTEMS[spec.sys];
        let dba = if spec.author == LIU { WANG } else { LIU };
        let vendor = self.name();
        let liaison = self.name();
        let s = |person: String, role: &str, duty: &str| StaffAssignment {
            person,
            role: role.into(),
            duty: duty.into(),
        };
        vec![
            s(
                imc(spec.author),
                "项目负责人",
                "统筹实施，组织测试与上线，负责与厂商及业务部门协调",
            ),
            s(imc(dba), "系统与数据库管理员", "数据库备份与恢复、服务器与中间件配置"),
            s(imc(SUN), "网络与安全保障", "负载均衡与防火墙策略调整，上线前后安全检查"),
            s(
                format!("{vendor}（{}）", sys.short),
                "厂商实施工程师",
                "部署新版本、执行数据库升级脚本、修复测试发现的缺陷",
            ),
            s(
                format!("{liaison}（{}）", sys.dept),
                "业务联络人",
                "组织业务部门验证测试，协调用户通知与培训",
            ),
        ]
    }

    fn risks(spec: &PlanSpec) -> Vec<Risk> {
        let sys = &SYSTEMS[spec.sys];
        let mut out = Vec::new();
        if !spec.risk.0.is_empty() {
            out.push(Risk {
                description: spec.risk.0.into(),
                likelihood: spec.risk.1,
                impact: spec.risk.2,
                mitigation: spec.risk.3.into(),
            });
        }
        out.push(Risk {
            description: format!("升级期间{}暂停服务，影响师生正常使用", sys.name),
            likelihood: Medium,
            impact: Medium,
            mitigation:
                "维护窗口安排在夜间或周末低峰时段，避开教学关键时期；提前发布更新预告，并通过企业微信通知相关单位"
                    .into(),
        });
        out.push(Risk {
            description: "数据库升级失败或升级后数据不一致".into(),
            likelihood: Low,
            impact: High,
            mitigation: "升级前全量备份并完成恢复校验；升级后比对核心数据；必要时按回退方案在90分钟内恢复".into(),
        });
        out
    }

    fn tester(&mut self, kind: TesterType, dept: &str) -> Tester {
        let name = match kind {
            TesterType::Technician => imc(if self.rng.random_bool(0.5) { CHEN } else { SUN }),
            TesterType::DepartmentRep => format!("{}（{dept}）", self.name()),
            TesterType::StudentVolunteer => {
                let college = *pick(&mut self.rng, COLLEGES);
                format!("{}（{college}）", self.name())
            }
        };
        Tester { name, kind }
    }

    /// The checklist of a round: the plan's own items, then (for a first round)
    /// the usual performance, compatibility, security and data checks.
    fn items(&mut self, spec: &PlanSpec, list: &[Item3], generic: bool) -> Vec<Item> {
        let sys = &SYSTEMS[spec.sys];
        let mut out = Vec::new();
        for (k, (cat, desc, expected)) in list.iter().enumerate() {
            let tester = match cat {
                Functional if k % 2 == 1 && sys.students => self.tester(TesterType::StudentVolunteer, sys.dept),
                Functional => self.tester(TesterType::DepartmentRep, sys.dept),
                Compatibility if sys.students => self.tester(TesterType::StudentVolunteer, sys.dept),
                Compatibility => self.tester(TesterType::DepartmentRep, sys.dept),
                DataMigration => Tester {
                    name: imc(LIU),
                    kind: TesterType::Technician,
                },
                _ => Tester {
                    name: imc(SUN),
                    kind: TesterType::Technician,
                },
            };
            out.push(Item {
                cat: *cat,
                desc: desc.to_string(),
                expected: expected.to_string(),
                tester,
            });
        }
        if !generic {
            return out;
        }
        let has = |c: TestCategory| list.iter().any(|i| i.0 == c);
        let users = if sys.students { 3000 } else { 300 };
        let mut add = |cat, desc: String, expected: &str, tester| {
            out.push(Item {
                cat,
                desc,
                expected: expected.into(),
                tester,
            })
        };
        if !has(Performance) {
            add(
                Performance,
                format!("{}核心功能压力测试（模拟{users}并发用户）", sys.name),
                "平均响应时间≤2秒，错误率低于0.1%",
                Tester {
                    name: imc(SUN),
                    kind: TesterType::Technician,
                },
            );
        }
        if !has(Compatibility) {
            let t = if sys.students {
                self.tester(TesterType::StudentVolunteer, sys.dept)
            } else {
                self.tester(TesterType::DepartmentRep, sys.dept)
            };
            out.push(Item {
                cat: Compatibility,
                desc: "主流浏览器（Chrome、Edge、Firefox、360安全浏览器）及微信内置浏览器访问核心页面".into(),
                expected: "页面显示正常，核心功能可用".into(),
                tester: t,
            });
        }
        let mut add = |cat, desc: &str, expected: &str, who| {
            out.push(Item {
                cat,
                desc: desc.into(),
                expected: expected.into(),
                tester: Tester {
                    name: imc(who),
                    kind: TesterType::Technician,
                },
            })
        };
        if !has(Security) {
            add(
                Security,
                "漏洞扫描、弱口令及越权访问检查",
                "无高危漏洞，中危漏洞已制定整改计划",
                SUN,
            );
        }
        if !has(DataMigration) {
            add(
                DataMigration,
                "升级前后核心数据表记录数及关键字段校验和比对",
                "记录数一致，抽查100条记录关键字段一致",
                LIU,
            );
        }
        out
    }

    /// Start a round and add its items; returns when the last item was added.
    fn round(&mut self, p: Slot, t: Time, copy: bool, items: &[Item], sys: &Sys) -> Time {
        let environment = format!("{}测试环境（生产数据脱敏副本，与生产同版本中间件）", sys.name);
        self.on(t, CHEN, p, move |plan| Command::TestRound {
            plan,
            copy_unfinished: copy,
            environment: environment.clone(),
        });
        let mut last = t;
        for (k, it) in items.iter().enumerate() {
            last = t + mins(5 * (k as i64 + 1));
            let it = it.clone();
            self.on(last, CHEN, p, move |plan| Command::TestItem {
                plan,
                category: it.cat,
                description: it.desc.clone(),
                expected: it.expected.clone(),
                tester: it.tester.clone(),
                retest: None,
            });
        }
        last
    }

    fn result(&mut self, p: Slot, t: Time, item: u32, result: TestResult, notes: Option<String>) {
        self.on(t, CHEN, p, move |plan| Command::TestResult {
            plan,
            item,
            result,
            notes: notes.clone(),
        });
    }

    /// The Leading Group waives an item that did not pass (§2.1: the residual risk
    /// is accepted by someone who did not write or test the plan).
    fn waive(&mut self, p: Slot, t: Time, item: u32, reason: &'static str) {
        self.on(t, ZHANG, p, move |plan| Command::TestWaive {
            plan,
            item,
            reason: reason.into(),
        });
    }

    fn pass_note(&mut self, it: &Item) -> Option<String> {
        match it.cat {
            Performance => Some(format!(
                "实测平均响应{:.1}秒，峰值并发下错误率0",
                self.rng.random_range(0.4..1.6)
            )),
            Security => Some(
                if self.rng.random_bool(0.5) {
                    "未发现高危、中危漏洞"
                } else {
                    "发现中危漏洞1个（版本信息泄露），已修改中间件配置并复扫通过"
                }
                .into(),
            ),
            DataMigration if it.desc.contains("执行") => {
                Some(format!("实测执行{}分钟，无锁等待", self.rng.random_range(55..85)))
            }
            DataMigration => Some("记录数一致，抽查记录关键字段一致".into()),
            _ => None,
        }
    }

    fn vendor_ref(&mut self, sys: &Sys, t: Time) -> String {
        format!(
            "{}-{}-{:03}",
            sys.code,
            day_of(t).format("%Y%m%d"),
            self.rng.random_range(1..400)
        )
    }

    fn backup(&mut self, p: Slot, t: Time, sys: &'static Sys) {
        let size = format!("{:.1} GB", self.rng.random_range(3.0..180.0));
        let checksum: String = (0..32).map(|_| format!("{:02x}", self.rng.random::<u8>())).collect();
        let backup = BackupConfirmation {
            what: format!("{}生产数据库全量备份及应用程序目录、配置文件", sys.name),
            location: format!(
                "信息化管理中心备份存储 /backup/{}/{}（已同步至异地灾备机房）",
                sys.code.to_lowercase(),
                day_of(t).format("%Y%m%d")
            ),
            size,
            checksum: format!("sha256:{checksum}"),
            verified_by: imc(LIU),
            time: t,
        };
        self.on(t, LIU, p, move |plan| Command::Backup {
            plan,
            backup: backup.clone(),
        });
    }

    fn golive(&mut self, p: Slot, t: Time, spec: &PlanSpec, outcome: GoLiveOutcome) {
        let sys = &SYSTEMS[spec.sys];
        let head = format!(
            "{} 发布停机提示，关闭{}外部访问；\n{} 停止应用服务，确认升级前备份有效；\n{} 部署{}应用程序包，执行数据库升级脚本；\n",
            fmt_hm(t - mins(180)),
            sys.name,
            fmt_hm(t - mins(170)),
            fmt_hm(t - mins(150)),
            spec.to
        );
        let (steps, incidents) = if outcome == GoLiveOutcome::RolledBack {
            (
                format!(
                    "{head}{} 验证发现问题，项目负责人决定回退；\n{} 回退至{}完成，恢复服务。",
                    fmt_hm(t - mins(80)),
                    fmt_hm(t),
                    spec.from
                ),
                spec.incident.0.to_string(),
            )
        } else {
            (
                format!(
                    "{head}{} 信息化管理中心与{}联合验证核心业务；\n{} 恢复对外服务，进入值守观察期。",
                    fmt_hm(t - mins(60)),
                    sys.dept,
                    fmt_hm(t)
                ),
                "上线后值守观察2小时，未发现异常。".to_string(),
            )
        };
        let config_changes = if spec.config_changes.is_empty() {
            "应用服务器JVM堆内存由8G调整为12G；Nginx上游服务器列表更新为新版本实例。".to_string()
        } else {
            spec.config_changes.to_string()
        };
        let golive = GoLive {
            time: t,
            deployer: format!("{}、{}实施工程师", PEOPLE[spec.author].1, sys.short),
            version: spec.to.into(),
            steps,
            config_changes,
            outcome,
            incidents,
            deviation: None,
        };
        self.on(t, spec.author, p, move |plan| Command::GoLive {
            plan,
            golive: golive.clone(),
        });
    }

    /// What users will notice, as the notice's own fields: never the risk register.
    fn notice_document(spec: &PlanSpec) -> Vec<NoticeChange> {
        let sys = &SYSTEMS[spec.sys];
        let impact = if spec.impact.is_empty() {
            format!("更新期间{}暂停服务", sys.name)
        } else {
            spec.impact.to_string()
        };
        let mut fields = vec![
            (NoticeField::Services, sys.name.to_string()),
            (NoticeField::UserGroups, spec.audience.to_string()),
            (NoticeField::Impact, format!("{impact}。")),
            (
                NoticeField::UserAction,
                "请各单位提前做好工作安排并转告本单位师生；维护期间请勿办理需要登录该系统的业务，更新完成后如遇异常请清除浏览器缓存后重试。"
                    .to_string(),
            ),
            (
                NoticeField::Contact,
                "信息化管理中心服务台（校内电话 88001，邮箱 imc@example.edu.cn）".to_string(),
            ),
        ];
        if !spec.students.is_empty() {
            fields.push((NoticeField::StudentArrangements, spec.students.to_string()));
        }
        fields
            .into_iter()
            .map(|(field, value)| NoticeChange::Field { field, value })
            .collect()
    }

    /// Schedule one plan from creation to the status it ends in.
    fn plan(&mut self, pi: usize, spec: &'static PlanSpec) -> Result<()> {
        use PlanStatus as S;
        let sys: &'static Sys = &SYSTEMS[spec.sys];
        let p = Slot::Plan(pi);
        let a = spec.author;
        let stage = if spec.target == S::Cancelled {
            spec.cancel_from
        } else {
            spec.target
        };
        let win = self.window(spec.win)?;
        let (base, d) = match spec.pre {
            Pre::Window(d) => (win.as_ref().map_or(self.c.today, |w| day_of(w.start)), d.map(|x| -x)),
            Pre::Today(d) => (self.c.today, d),
        };
        let created = at(base + days(d[0]), 9, 20 + self.rng.random_range(0..30));
        let submit = at(base + days(d[1]), 11, 20);
        let decide = at(base + days(d[2]), 16, 30);
        let notice = at(base + days(d[3]), 17, 45);
        let urgent = rank(stage) >= 1 && submit - created < days(3);
        let step = if urgent { hours(2) } else { days(1) };
        self.plan_times.insert(pi, (created, submit));

        // Written (§3.2).
        let (title, from, to) = (spec.title, spec.from, spec.to);
        self.push(created, a, Some(p), move |r| {
            Ok(Command::PlanNew {
                system: r.id(Slot::System(spec.sys))?,
                title: title.into(),
                version_from: Some(from.into()),
                version_to: to.into(),
                class: spec.class,
                template: spec.template.map(|t| r.id(Slot::Template(t))).transpose()?,
            })
        });
        let approach = if spec.approach.is_empty() {
            format!(
                "采用“测试环境验证、生产环境停机升级”方式实施：\n1. 在测试环境部署{to}，以生产数据副本完成升级演练；\n\
                 2. 发布更新预告后，于维护窗口内停止{name}服务并完成数据库全量备份；\n\
                 3. 由{short}工程师部署新版本应用、执行数据库升级脚本；\n\
                 4. 信息化管理中心会同{dept}、教师代表及学生志愿者完成功能、性能、兼容性与安全测试；\n\
                 5. 测试通过后切换生产服务，上线后一周内安排专人值守。",
                name = sys.name,
                short = sys.short,
                dept = sys.dept
            )
        } else {
            spec.approach.to_string()
        };
        let mut first = vec![
            PlanChange::Goals(spec.goals.into()),
            PlanChange::Content(spec.content.into()),
        ];
        if !spec.emergency.is_empty() {
            first.push(PlanChange::EmergencyReason(spec.emergency.into()));
        }
        if !spec.partial {
            first.push(PlanChange::Approach(approach));
        }
        self.on(created + mins(35), a, p, move |id| Command::PlanEdit {
            id,
            changes: first.clone(),
        });
        for (n, key) in spec.links.iter().enumerate() {
            self.linked_request(pi, spec, key, created, urgent, n)?;
        }
        if !spec.partial {
            let mut second = Vec::new();
            if let Some(w) = &win {
                second.push(PlanChange::Window(Some(w.clone())));
            }
            if let Some(why) = spec.override_reason {
                second.push(PlanChange::BlackoutOverride {
                    period: None,
                    reason: Some(why.into()),
                });
            }
            second.extend(self.staff(spec).into_iter().map(PlanChange::AddStaff));
            second.extend(Self::risks(spec).into_iter().map(PlanChange::AddRisk));
            self.on(created + step, a, p, move |id| Command::PlanEdit {
                id,
                changes: second.clone(),
            });
            let migration = if spec.migration.is_empty() {
                "本次升级的数据结构变更由厂商升级脚本自动完成，不涉及历史数据格式转换；升级前后比对核心数据表记录数及关键字段校验和。"
                    .to_string()
            } else {
                spec.migration.to_string()
            };
            let third = vec![
                PlanChange::BackupPlan(format!(
                    "升级前对{}生产数据库执行全量备份，同时备份应用程序目录与配置文件；备份文件存放于信息化管理中心备份存储并同步至异地灾备机房，\
                     备份完成后在恢复测试环境进行恢复校验，校验通过方可开始升级。",
                    sys.name
                )),
                PlanChange::MigratesData(!spec.migration.is_empty()),
                PlanChange::MigrationPlan(migration),
                PlanChange::RollbackPlan(format!(
                    "回退条件：核心业务验证不通过、数据校验出现差异，或至窗口结束前2小时仍未完成升级。\n回退步骤：1. 停止新版本应用服务；\
                     2. 恢复升级前数据库全量备份；3. 还原{}应用程序与配置文件；4. 由{}验证核心业务后恢复服务。\n\
                     预计回退耗时不超过90分钟，由项目负责人决策并向信息化管理中心主任报告。",
                    spec.from, sys.dept
                )),
            ];
            self.on(created + step * 2, a, p, move |id| Command::PlanEdit {
                id,
                changes: third.clone(),
            });
        }
        let cancel = |me: &mut Demo| {
            if let Some((day, reason)) = spec.cancel {
                let t = at(me.c.t(day), 14, 10);
                me.on(t, a, p, move |id| Command::PlanCancel {
                    id,
                    reason: reason.into(),
                });
            }
        };
        if stage == S::Draft {
            cancel(self);
            return Ok(());
        }

        // Decided by the Leading Group (§2.1).
        self.on(submit, a, p, |id| Command::PlanSubmit { id });
        if let Some(reason) = spec.return_reason {
            let ret = if stage == S::Returned {
                decide
            } else {
                at(day_of(submit) + days(1), 16, 30)
            };
            self.on(ret, ZHANG, p, move |id| Command::PlanReturn {
                id,
                reason: reason.into(),
                minutes_ref: minutes_ref(ret, false),
            });
            let fix = vec![
                PlanChange::RollbackPlan(format!(
                    "回退条件：核心业务验证不通过、数据校验出现差异，或至窗口结束前2小时仍未完成升级。\n回退步骤：1. 停止新版本应用服务；\
                     2. 恢复升级前数据库全量备份；3. 按回迁脚本将窗口期间新产生的业务数据回迁至{}；4. 还原应用程序与配置文件；\
                     5. 由{}逐项验证后恢复服务。\n回退演练实测耗时70分钟，回退决策点为窗口结束前3小时。",
                    spec.from, sys.dept
                )),
                PlanChange::AddRisk(Risk {
                    description: "与相关系统的数据接口在升级后发生变化".into(),
                    likelihood: Medium,
                    impact: Medium,
                    mitigation: "升级前与各接口系统完成联调并书面确认；保留旧接口不少于一个月".into(),
                }),
            ];
            self.on(ret + hours(18), a, p, move |id| Command::PlanEdit {
                id,
                changes: fix.clone(),
            });
            if stage == S::Returned {
                return Ok(());
            }
            self.on(ret + hours(22) + mins(30), a, p, |id| Command::PlanSubmit { id });
        }
        if stage == S::Submitted {
            return Ok(());
        }
        // A standard change is approved by its template when submitted; a
        // major change needs a second member of the Leading Group.
        if spec.class != ChangeClass::Standard {
            let comment = pick(&mut self.rng, APPROVE_COMMENTS).to_string();
            self.on(decide, ZHANG, p, move |id| Command::PlanApprove {
                id,
                comment: comment.clone(),
                minutes_ref: minutes_ref(decide, urgent),
            });
        }
        if spec.class == ChangeClass::Major {
            let second = decide + mins(40);
            self.on(second, LI, p, move |id| Command::PlanApprove {
                id,
                comment: "同意。国密改造涉及全部接入系统，请逐一确认接入系统的兼容性后再发布预告。".into(),
                minutes_ref: minutes_ref(decide, urgent),
            });
        }
        // The notice as a document (§3.2, §4.2): what users will notice,
        // written once the plan is approved; the schedule's milestones.
        let w = win.ok_or_else(|| Error::input("demo plan", spec.title, "a window"))?;
        let doc = Self::notice_document(spec);
        self.on(decide + mins(50), a, p, move |id| Command::PlanNoticeDraft {
            id,
            changes: doc.clone(),
        });
        let mut milestones = vec![Milestone::TestStart(Some(w.start + mins(90)))];
        for (format, after, place, audience) in spec.planned_training {
            milestones.push(Milestone::AddTraining(PlannedTraining {
                date: day_of(w.end) + days(*after),
                format: *format,
                place: place.to_string(),
                audience: audience.to_string(),
            }));
        }
        self.on(decide + mins(55), a, p, move |id| Command::PlanMilestone {
            id,
            changes: milestones.clone(),
        });
        if stage == S::Approved {
            cancel(self);
            return Ok(());
        }
        // Published as generated from the document, in its language.
        let audience = spec.audience;
        self.on(notice, a, p, move |id| Command::PlanNotice {
            id,
            text: None,
            audience: audience.into(),
        });
        if stage == S::NoticePublished {
            if let Some((day, new, reason)) = spec.reschedule {
                // A new window after the notice: approved again, a corrected notice.
                let new = self
                    .window(new)?
                    .ok_or_else(|| Error::input("demo plan", spec.title, "a new window"))?;
                let moved = at(self.c.t(day), 10, 0);
                let test_start = new.start + mins(90);
                self.on(moved, a, p, move |id| Command::PlanReschedule {
                    id,
                    window: new.clone(),
                    reason: reason.into(),
                    justification: None,
                });
                let again = moved + hours(6) + mins(30);
                self.on(again, ZHANG, p, move |id| Command::PlanApprove {
                    id,
                    comment: "同意调整实施窗口，更正预告须写明新旧时间。".into(),
                    minutes_ref: minutes_ref(again, true),
                });
                self.on(again + mins(5), a, p, move |id| Command::PlanMilestone {
                    id,
                    changes: vec![Milestone::TestStart(Some(test_start))],
                });
                self.on(again + mins(75), a, p, move |id| Command::PlanNotice {
                    id,
                    text: None,
                    audience: audience.into(),
                });
            }
            cancel(self);
            return Ok(());
        }

        // Implemented and tested in the window (§3.3).
        let (ws, we) = (w.start, w.end);
        let dur = we - ws;
        self.on(ws + mins(10), a, p, |id| Command::PlanImplement { id });
        self.backup(p, ws + mins(30), sys);
        if stage == S::Implementing {
            return Ok(());
        }
        let items = self.items(spec, spec.tests, true);
        let r1 = ws + mins(90);
        let last = self.round(p, r1, false, &items, sys);
        let failing = matches!(spec.story, Story::FixRetest | Story::OpenDefect);
        let mut t = last + mins(30);
        for (k, it) in items.iter().enumerate() {
            let no = k as u32 + 1;
            t += mins(6);
            if let Some(f) = spec.fails.iter().find(|f| f.0 == no).filter(|_| failing) {
                self.result(p, t, no, TestResult::Fail, Some(f.3.to_string()));
            } else if let Some((_, why)) = spec.waive.filter(|w| w.0 == no) {
                self.result(
                    p,
                    t,
                    no,
                    TestResult::Fail,
                    Some("macOS 终端无法打开客户端安装包".into()),
                );
                self.waive(p, t + mins(20), no, why);
            } else {
                let note = self.pass_note(it);
                self.result(p, t, no, TestResult::Pass, note);
            }
        }
        let mut refs = Vec::new();
        if failing {
            for (n, f) in spec.fails.iter().enumerate() {
                let vr = self.vendor_ref(sys, t);
                refs.push(vr.clone());
                let found_by = items[(f.0 - 1) as usize].tester.clone();
                let (item, severity, desc) = (f.0, f.1, f.2);
                self.on(t + mins(10 + 5 * n as i64), CHEN, p, move |plan| Command::DefectAdd {
                    plan,
                    severity,
                    description: desc.into(),
                    found_by: found_by.clone(),
                    item: Some(item),
                    vendor_ref: Some(vr.clone()),
                });
            }
        }
        let golive_at = if dur <= hours(10) { we - hours(2) } else { we - hours(3) };
        let gl = match spec.story {
            Story::Clean | Story::LiveRollback => {
                if stage == S::Ready {
                    // Tests passed: the go-live time is fixed (§3.4).
                    let fixed = golive_at;
                    self.on(t + mins(20), a, p, move |id| Command::PlanMilestone {
                        id,
                        changes: vec![Milestone::GoLive(Some(fixed))],
                    });
                    self.comparisons(p, spec, r1 + hours(4));
                    for tr in spec.training {
                        self.training(p, a, at(day_of(ws) + days(tr.1), 17, 30), tr);
                    }
                    return Ok(());
                }
                golive_at
            }
            Story::FixRetest => {
                let mid = ws + mins(dur.num_minutes() / 2);
                for n in 0..refs.len() {
                    let defect = n as u32 + 1;
                    self.on(mid - mins(60) + mins(n as i64), a, p, move |plan| {
                        Command::DefectUpdate {
                            plan,
                            defect,
                            status: Some(DefectStatus::Fixed),
                            vendor_ref: None,
                        }
                    });
                }
                let last = self.round(p, mid, true, &[], sys);
                for (k, vr) in refs.iter().enumerate() {
                    let note = format!("厂商补丁（{vr}）已修复，复测通过");
                    self.result(
                        p,
                        last + mins(60 + 10 * k as i64),
                        spec.fails[k].0,
                        TestResult::Pass,
                        Some(note),
                    );
                }
                for n in 0..refs.len() {
                    let defect = n as u32 + 1;
                    self.on(mid + mins(150 + n as i64), CHEN, p, move |plan| Command::DefectUpdate {
                        plan,
                        defect,
                        status: Some(DefectStatus::Verified),
                        vendor_ref: None,
                    });
                }
                golive_at
            }
            Story::OpenDefect => {
                for (n, f) in spec.fails.iter().enumerate() {
                    if f.1 == Severity::Minor {
                        let defect = n as u32 + 1;
                        self.on(at(day_of(we) + days(1), 15, 0), a, p, move |plan| {
                            Command::DefectUpdate {
                                plan,
                                defect,
                                status: Some(DefectStatus::Fixed),
                                vendor_ref: None,
                            }
                        });
                    }
                }
                let r2 = at(day_of(we) + days(2), 10, 0);
                let last = self.round(p, r2, true, &[], sys);
                for (k, f) in spec.fails.iter().enumerate() {
                    let (result, note) = if f.1 == Severity::Minor {
                        (TestResult::Pass, "厂商补丁已修复，复测通过")
                    } else {
                        (
                            TestResult::Fail,
                            "厂商第一次补丁后无响应率降至3%，仍未达到验收标准，已退回厂商",
                        )
                    };
                    self.result(p, last + mins(60 + 10 * k as i64), f.0, result, Some(note.into()));
                }
                if let Some(n) = spec.fails.iter().position(|f| f.1 != Severity::Minor) {
                    let defect = n as u32 + 1;
                    let vr = format!("{}-R2", refs[n]);
                    self.on(last + hours(3), a, p, move |plan| Command::DefectUpdate {
                        plan,
                        defect,
                        status: None,
                        vendor_ref: Some(vr.clone()),
                    });
                }
                return Ok(());
            }
            Story::Rollback | Story::RolledBackPending => {
                let pending = spec.story == Story::RolledBackPending;
                let gl1 = if pending {
                    we - hours(2)
                } else {
                    ws + mins(dur.num_minutes() * 45 / 100)
                };
                self.golive(p, gl1, spec, GoLiveOutcome::RolledBack);
                let vr = self.vendor_ref(sys, gl1);
                let (severity, desc) = (
                    if pending { Severity::Major } else { Severity::Critical },
                    spec.incident.1,
                );
                let found_by = Tester {
                    name: imc(LIU),
                    kind: TesterType::Technician,
                };
                let vr2 = vr.clone();
                self.on(gl1 + mins(40), a, p, move |plan| Command::DefectAdd {
                    plan,
                    severity,
                    description: desc.into(),
                    found_by: found_by.clone(),
                    item: None,
                    vendor_ref: Some(vr2.clone()),
                });
                let (fixed, r2) = if pending {
                    (at(day_of(we) + days(3), 15, 0), at(day_of(we) + days(4), 10, 0))
                } else {
                    (gl1 + hours(8), gl1 + hours(9))
                };
                self.on(fixed, a, p, move |plan| Command::DefectUpdate {
                    plan,
                    defect: 1,
                    status: Some(DefectStatus::Fixed),
                    vendor_ref: None,
                });
                let retest = self.items(spec, spec.retest, false);
                let last = self.round(p, r2, false, &retest, sys);
                // Items keep their numbers across rounds: the retests follow round 1's.
                let first_no = items.len() as u32 + 1;
                for (k, it) in retest.iter().enumerate() {
                    if pending && k + 1 == retest.len() {
                        break;
                    }
                    let note = self.pass_note(it);
                    self.result(
                        p,
                        last + mins(60 + 10 * k as i64),
                        first_no + k as u32,
                        TestResult::Pass,
                        note,
                    );
                }
                if pending {
                    return Ok(());
                }
                self.backup(p, r2 + mins(150), sys);
                self.on(r2 + mins(160), CHEN, p, |plan| Command::DefectUpdate {
                    plan,
                    defect: 1,
                    status: Some(DefectStatus::Verified),
                    vendor_ref: None,
                });
                golive_at
            }
        };

        // Live, trained (§3.4) and filed (§3.5).
        self.golive(p, gl, spec, GoLiveOutcome::Success);
        let gl = if spec.story == Story::LiveRollback {
            // Items keep their numbers across rounds: the retests follow round 1's.
            self.live_rollback(p, spec, gl, items.len() as u32 + 1)
        } else {
            gl
        };
        self.live_at.insert(pi, gl);
        // An emergency change is compared the morning after its night.
        let compared = if spec.class == ChangeClass::Emergency {
            gl + hours(9)
        } else {
            at(day_of(gl) + days(1), 10, 0)
        };
        self.comparisons(p, spec, compared);
        let mut last_training = 0;
        for tr in spec.training {
            self.training(p, a, at(day_of(gl) + days(tr.1), 17, 30), tr);
            last_training = last_training.max(tr.1);
        }
        if stage == S::Live {
            return Ok(());
        }
        let filed = at(day_of(gl) + days((last_training + 3).max(5)), 16, 0);
        // The vendor's test report goes into the dossier of one update (issue 18).
        if pi == 4 {
            self.on(filed - hours(2), a, p, |entity| Command::Attach {
                entity,
                files: vec![NewAttachment::new(
                    "厂商测试报告.txt",
                    AttachmentKind::TestReport,
                    VENDOR_TEST_REPORT.as_bytes().to_vec(),
                )],
            });
        }
        self.push(filed, a, Some(Slot::Dossier(pi)), move |r| {
            Ok(Command::File { plan: r.id(p)? })
        });
        self.filed_at.insert(pi, filed);
        Ok(())
    }

    /// A live update rolled back the next morning (§3.4), then fixed, retested
    /// in a new round, backed up again and put live a second time outside its
    /// window, with a deviation an approver accepted: every gate again. Returns
    /// the second go-live. (No random numbers: the rest of the demo stays as it was.)
    fn live_rollback(&mut self, p: Slot, spec: &'static PlanSpec, gl: Time, first: u32) -> Time {
        let sys = &SYSTEMS[spec.sys];
        let a = spec.author;
        let d1 = day_of(gl) + days(1);
        let rolled_back = at(d1, 10, 40);
        let what = format!(
            "上线后首个工作日上午，多个学院反映预算调整申请提交后停留在“学院审批”节点，无法流转至科研处；\
             经排查为新版审批流对跨学院联合项目的审批人解析错误，影响约40条申请。\
             {} 项目负责人决定回滚，{} 恢复至{}，在途申请改走纸质流程。",
            fmt_hm(at(d1, 9, 50)),
            fmt_hm(rolled_back),
            spec.from
        );
        self.on(at(d1, 11, 30), a, p, move |plan| Command::PlanIncident {
            plan,
            outcome: IncidentOutcome::RolledBack,
            time: rolled_back,
            by: format!("{}、{}实施工程师", PEOPLE[a].1, sys.short),
            what: what.clone(),
        });
        let found_by = Tester {
            name: imc(CHEN),
            kind: TesterType::Technician,
        };
        let vendor_ref = format!("{}-{}-217", sys.code, d1.format("%Y%m%d"));
        self.on(at(d1, 11, 50), CHEN, p, move |plan| Command::DefectAdd {
            plan,
            severity: Severity::Critical,
            description: "跨学院联合项目的预算调整申请，审批人按项目负责人所在学院解析，合作学院无法审批，流程停滞"
                .into(),
            found_by: found_by.clone(),
            item: None,
            vendor_ref: Some(vendor_ref.clone()),
        });
        let d2 = d1 + days(1);
        self.on(at(d2, 15, 0), a, p, |plan| Command::DefectUpdate {
            plan,
            defect: 1,
            status: Some(DefectStatus::Fixed),
            vendor_ref: None,
        });
        self.on(at(d2, 16, 0), CHEN, p, |plan| Command::TestRound {
            plan,
            copy_unfinished: false,
            environment: "科研管理系统测试环境（生产数据副本，含跨学院联合项目）".into(),
        });
        let items: [(&str, &str); 2] = [
            (
                "跨学院联合项目提交预算调整申请，项目负责人学院与合作学院先后审批",
                "两个学院均收到待办并可审批，流程流转至科研处",
            ),
            (
                "回滚期间纸质审批的申请补录后同步至财务系统",
                "财务系统项目预算与科研系统一致",
            ),
        ];
        for (k, (description, expected)) in items.into_iter().enumerate() {
            let t = at(d2, 16, 10 + 5 * k as u32);
            self.on(t, CHEN, p, move |plan| Command::TestItem {
                plan,
                category: TestCategory::Functional,
                description: description.into(),
                expected: expected.into(),
                tester: Tester {
                    name: imc(CHEN),
                    kind: TesterType::Technician,
                },
                retest: None,
            });
        }
        for k in 0..2u32 {
            self.on(at(d2, 17, 10 * k), CHEN, p, move |plan| Command::TestResult {
                plan,
                item: first + k,
                result: TestResult::Pass,
                notes: Some("厂商补丁已部署，复测通过".into()),
            });
        }
        self.on(at(d2, 18, 0), CHEN, p, |plan| Command::DefectUpdate {
            plan,
            defect: 1,
            status: Some(DefectStatus::Verified),
            vendor_ref: None,
        });
        // The data of the live day is in no backup from before the rollback.
        let d3 = d2 + days(1);
        let backup = BackupConfirmation {
            what: format!("{}生产数据库全量备份（含回滚前一天产生的数据）", sys.name),
            location: format!(
                "信息化管理中心备份存储 /backup/{}/{}（已同步至异地灾备机房）",
                sys.code.to_lowercase(),
                d3.format("%Y%m%d")
            ),
            size: "46.2 GB".into(),
            checksum: "sha256:3f9a0c5d7e21b8446a90c2f1d3e5b7a9c1e3f5a7b9d1f3e5a7c9e1b3d5f7a9c1".into(),
            verified_by: imc(LIU),
            time: at(d3, 9, 0),
        };
        self.on(at(d3, 9, 0), LIU, p, move |plan| Command::Backup {
            plan,
            backup: backup.clone(),
        });
        let gl2 = at(d3, 22, 30);
        self.on(at(d3, 9, 30), a, p, move |plan| Command::PlanDeviation {
            plan,
            time: gl2,
            reason: "原维护窗口已过；缺陷已修复并复测通过，经与科研处、计划财务处商定当晚22:30再次上线，已在科研处通知群告知各学院科研秘书".into(),
        });
        self.on(at(d3, 11, 0), ZHANG, p, |plan| Command::DeviationAccept {
            plan,
            reason: "回滚原因已查明并修复，复测与备份完整，同意窗口外再次上线".into(),
        });
        self.golive(p, gl2, spec, GoLiveOutcome::Success);
        gl2
    }

    /// After go-live (§2.3, §3.4, §3.5, §4.3): a live plan with a serious
    /// incident, rolled back and closed as failed; training and post-update
    /// feedback added to a filed dossier; post-update feedback on a live plan;
    /// reviews recorded while live (carried into the dossier) and after filing.
    fn after_golive(&mut self) {
        use Slot::Plan as P;
        let now = self.c.now;
        // 9: a serious incident, a rollback, closed as failed.
        if let Some(gl) = self.live_at.get(&9).copied() {
            let spec = &PLANS[9];
            let sys = &SYSTEMS[spec.sys];
            let a = spec.author;
            let d = day_of(gl);
            let incident = at(d + days(3), 10, 20);
            self.on(incident + mins(50), a, P(9), move |plan| Command::PlanIncident {
                plan,
                outcome: IncidentOutcome::Incident,
                time: incident,
                by: imc(a),
                what: "首场线上评议中，3个学院共17份专家评分提交后未保存，专家需重新打分；临时改为每位专家提交后由人事处电话确认。".into(),
            });
            let rolled_back = at(d + days(4), 22, 0);
            let from = spec.from;
            self.on(rolled_back + mins(40), a, P(9), move |plan| Command::PlanIncident {
                plan,
                outcome: IncidentOutcome::RolledBack,
                time: rolled_back,
                by: format!("{}、{}实施工程师", PEOPLE[a].1, sys.short),
                what: format!(
                    "厂商确认专家端并发提交时评分记录会相互覆盖，短期无法修复；经人事处同意回滚至{from}，本年度职称评审恢复线下评议。"
                ),
            });
            let closed = at(d + days(6), 15, 0);
            if closed < now {
                self.on(closed, a, P(9), |plan| Command::PlanFail {
                    plan,
                    reason: "厂商评估专家端评分模块需重构，预计下学期交付；本次更新放弃，职称评审线上评议重新立项，相关需求退回待规划。".into(),
                });
            }
        }
        // 3: reviewed while live, before filing: the review is in the dossier.
        if let (Some(gl), Some(filed)) = (self.live_at.get(&3).copied(), self.filed_at.get(&3).copied()) {
            let t = at(day_of(gl) + days(4), 15, 0);
            if gl < t && t < filed {
                let goals = crate::workflow::goal_list(PLANS[3].goals);
                self.on(t, PLANS[3].author, P(3), move |plan| Command::PlanReview {
                    plan,
                    goals: (1..=goals.len() as u32)
                        .map(|no| GoalInput {
                            no,
                            verdict: GoalVerdict::Met,
                            note: String::new(),
                        })
                        .collect(),
                    summary: "补丁上线后选课高峰未再出现超时，各项目标均已达成；建议下学期选课前再做一次压力测试。"
                        .into(),
                });
            }
        }
        // 0: reviewed after filing, as an addendum (§4.3).
        if let (Some(gl), Some(filed)) = (self.live_at.get(&0).copied(), self.filed_at.get(&0).copied()) {
            let t = (filed + days(1)).max(at(day_of(gl) + days(25), 10, 0));
            if t < now {
                let goals = crate::workflow::goal_list(PLANS[0].goals);
                let n = goals.len() as u32;
                self.on(t, PLANS[0].author, P(0), move |plan| Command::PlanReview {
                    plan,
                    goals: (1..=n)
                        .map(|no| GoalInput {
                            no,
                            verdict: if no == n { GoalVerdict::Partly } else { GoalVerdict::Met },
                            note: if no == n {
                                "选课首日峰值在线4,300人，第二轮选课出现短时排队；已与厂商约定下学期前扩容".into()
                            } else {
                                String::new()
                            },
                        })
                        .collect(),
                    summary: "版本升级与新排课引擎达到预期，排课时间缩短至1天以内；选课并发目标部分达成，列入下学期选课前的整改事项。"
                        .into(),
                });
            }
        }
        // 6: training and post-update feedback after filing, as addenda.
        if let Some(filed) = self.filed_at.get(&6).copied() {
            let spec = &PLANS[6];
            let t = at(day_of(filed) + days(7), 16, 0);
            if t < now {
                let training = Training {
                    format: TrainingFormat::Classroom,
                    date: day_of(t),
                    trainer: "计划财务处会计核算科".into(),
                    departments: vec!["各学院报账员".into(), "科研秘书".into()],
                    attendance: 64,
                    audience: vec![
                        Audience {
                            department: "各学院报账员".into(),
                            targeted: 48,
                            attended: 44,
                        },
                        Audience {
                            department: "科研秘书".into(),
                            targeted: 30,
                            attended: 20,
                        },
                    ],
                };
                self.on(t, spec.author, P(6), move |plan| Command::Training {
                    plan,
                    training: training.clone(),
                });
            }
            let received = at(self.c.t(-1), 9, 15);
            if received > filed {
                self.feedback_request(
                    0,
                    received,
                    spec.sys,
                    "移动审批中部分安卓手机无法显示电子发票图片",
                    "自报销系统升级后，学院报账员反映：在华为、小米部分机型上打开移动审批待办，电子发票图片区域空白，只能回到电脑端审批。",
                    "外国语学院",
                    P(6),
                );
            }
        }
        // 10: post-update feedback on a live plan.
        if self.live_at.contains_key(&10) {
            let received = at(self.c.t(-1), 14, 40);
            self.feedback_request(
                1,
                received,
                PLANS[10].sys,
                "预算调整审批通过后财务系统预算未及时更新",
                "再次上线后，个别预算调整申请审批通过半小时后财务系统中的项目预算仍为调整前金额，次日才同步。",
                "物理与电子工程学院",
                P(10),
            );
        }
    }

    /// A problem reported after an update, added and then linked to the plan
    /// as post-update feedback (§2.3).
    #[allow(clippy::too_many_arguments)]
    fn feedback_request(
        &mut self,
        k: usize,
        received: Time,
        sys: usize,
        title: &'static str,
        body: &'static str,
        dept: &'static str,
        plan: Slot,
    ) {
        let who = WANG;
        self.push(received + mins(20), who, Some(Slot::Feedback(k)), move |r| {
            Ok(Command::RequestAdd {
                request: NewRequest {
                    kind: RequestKind::Problem,
                    title: title.into(),
                    body: body.into(),
                    system: Some(r.id(Slot::System(sys))?),
                    submitter: Submitter {
                        name: dept.into(),
                        contact: String::new(),
                        kind: SubmitterType::Department,
                    },
                    department: dept.into(),
                    channel: Channel::Email,
                    received_at: Some(received),
                    priority: Priority::Normal,
                    tags: vec!["更新后反馈".into()],
                },
            })
        });
        self.push(received + mins(45), who, None, move |r| {
            Ok(Command::RequestFeedback {
                id: r.id(Slot::Feedback(k))?,
                plan: r.id(plan)?,
            })
        });
    }

    /// The templates of standard changes: written by an operator, submitted,
    /// approved by zhangwei (the normal quorum) or still waiting.
    fn templates(&mut self) {
        for (i, spec) in TEMPLATES.iter().enumerate() {
            let slot = Slot::Template(i);
            let written = at(self.c.t(spec.written), 10, 10);
            let items: Vec<crate::model::TemplateItem> = spec
                .items
                .iter()
                .map(|(category, description, expected)| crate::model::TemplateItem {
                    category: *category,
                    description: description.to_string(),
                    expected: expected.to_string(),
                })
                .collect();
            self.push(written, spec.author, Some(slot), move |r| {
                Ok(Command::TemplateNew {
                    system: r.id(Slot::System(spec.sys))?,
                    title: spec.title.into(),
                    content: spec.content.into(),
                    approach: spec.approach.into(),
                    items: items.clone(),
                })
            });
            if let Some(d) = spec.submitted {
                self.on(at(self.c.t(d), 11, 0), spec.author, slot, |id| {
                    Command::TemplateSubmit { id }
                });
            }
            if let Some(d) = spec.approved {
                let t = at(self.c.t(d), 16, 0);
                self.on(t, ZHANG, slot, move |id| Command::TemplateApprove {
                    id,
                    comment: "同意作为标准变更模板，每次实施仍须发布更新预告并完成测试项。".into(),
                    minutes_ref: minutes_ref(t, false),
                });
            }
        }
    }

    fn comparisons(&mut self, p: Slot, spec: &PlanSpec, t: Time) {
        for (k, (function, before, after, change)) in spec.compare.iter().enumerate() {
            let row = ComparisonRow {
                function: function.to_string(),
                before: before.to_string(),
                after: after.to_string(),
                change: *change,
            };
            self.on(t + mins(4 * k as i64), spec.author, p, move |plan| {
                Command::ComparisonAdd { plan, row: row.clone() }
            });
        }
    }

    /// Who each demo session was for (§4.3 coverage): the attendance shared
    /// among the departments, each of which came at its own rate (no draw from
    /// the generator, so the rest of the semester stays as it was).
    fn training(&mut self, p: Slot, who: usize, t: Time, tr: &(TrainingFormat, i64, &str, &str, u32)) {
        let training = Training {
            format: tr.0,
            date: day_of(t),
            trainer: tr.2.into(),
            departments: tr.3.split(',').map(String::from).collect(),
            attendance: tr.4,
            audience: demo_audience(tr.3, tr.4),
        };
        self.on(t, who, p, move |plan| Command::Training {
            plan,
            training: training.clone(),
        });
    }

    // ----- supervision (§5.1) -----

    fn supervision(&mut self) {
        let c = &self.c;
        let (t_ro0, t_resp0, t_close0) = (at(c.s(58), 10, 0), at(c.s(66), 15, 0), at(c.s(68), 10, 0));
        let deadline0 = c.s(70);
        let (t_reopen0, t_extend0, deadline0b) = (at(c.t(-9), 16, 0), at(c.t(-9), 16, 20), c.t(7));
        let (t_ro1, deadline1) = (at(c.t(-6), 10, 0), c.t(-2));
        let (t_ro2, deadline2, t_resp2) = (at(c.t(-8), 15, 0), c.t(5), at(c.t(-1), 11, 0));
        let (t_first2, t_back2) = (at(c.t(-5), 17, 0), at(c.t(-4), 9, 30));

        // Closed, then reopened and extended: a department that let the vendor
        // sign its test records, and did it again.
        self.push(t_ro0, ZHAO, Some(Slot::Order(0)), move |_| {
            Ok(Command::OrderIssue {
                target: OrderTarget::Department("计划财务处".into()),
                finding: "财务网上报销系统升级测试中，业务部门代表未实际参加测试，部分测试记录由厂商人员代签。".into(),
                required_action: "重新组织业务部门验证测试并由本部门人员签字确认；今后测试须由本部门人员实际参与。"
                    .into(),
                deadline: deadline0,
            })
        });
        self.on(t_resp0, LIU, Slot::Order(0), |id| Command::OrderRespond {
            id,
            response: "已会同计划财务处会计核算科重新完成发票查验、重复报销校验、移动审批三项业务验证，测试记录已由计划财务处3名工作人员签字确认并补充归档；已在测试组织规范中明确业务部门人员须亲自参测。".into(),
        });
        self.on(t_close0, ZHAO, Slot::Order(0), |id| Command::OrderClose { id });
        self.on(t_reopen0, ZHAO, Slot::Order(0), |id| Command::OrderReopen {
            id,
            reason: "复查财务管理系统升级（差旅费标准自动计算）的测试记录，发现仍有2项业务测试由厂商人员代签，整改未见实效。".into(),
        });
        self.on(t_extend0, ZHAO, Slot::Order(0), move |id| Command::OrderExtend {
            id,
            deadline: deadline0b,
            reason: "原期限已过；重新组织的验证测试须待财务管理系统测试环境恢复后进行，给予两周时间。".into(),
        });

        // Open and overdue: a rollback nobody reported.
        self.push(t_ro1, ZHAO, Some(Slot::Order(1)), move |r| {
            Ok(Command::OrderIssue {
                target: OrderTarget::Plan(r.id(Slot::Plan(13))?),
                finding: "学工管理系统补丁升级上线失败回退后，信息化管理中心未按规定在24小时内向监督小组报告，也未向师生发布回退说明。".into(),
                required_action: "1. 书面报告回退原因、影响范围及处置过程；2. 在学校门户发布回退说明；3. 完善上线回退后的报告流程。".into(),
                deadline: deadline1,
            })
        });

        // Responded, after a first response was sent back as insufficient:
        // training records missing from a filed update.
        self.push(t_ro2, ZHAO, Some(Slot::Order(2)), move |r| {
            Ok(Command::OrderIssue {
                target: OrderTarget::Plan(r.id(Slot::Plan(2))?),
                finding: "一卡通系统升级的现场培训签到表未归档，部分食堂收银人员未参加培训，开学初出现多起操作失误。"
                    .into(),
                required_action: "补充培训签到记录；对未参训人员组织补训，并在备案中补充说明。".into(),
                deadline: deadline2,
            })
        });
        self.on(t_first2, WANG, Slot::Order(2), |id| Command::OrderRespond {
            id,
            response: "原现场培训签到表已找到并扫描归档。".into(),
        });
        self.on(t_back2, ZHAO, Slot::Order(2), |id| Command::OrderSendBack {
            id,
            reason: "只补了签到表；未参训的食堂收银人员尚未补训，备案中也没有补充说明。".into(),
        });
        // The sign-in sheets the order is about, attached after filing: sealed addenda.
        self.on(t_resp2 - mins(40), WANG, Slot::Dossier(2), |entity| Command::Attach {
            entity,
            files: vec![
                NewAttachment::new(
                    "现场培训签到表.csv",
                    AttachmentKind::SignInSheet,
                    SIGN_IN_SHEET.as_bytes().to_vec(),
                ),
                NewAttachment::new(
                    "补训签到表.csv",
                    AttachmentKind::SignInSheet,
                    MAKEUP_SIGN_IN_SHEET.as_bytes().to_vec(),
                ),
            ],
        });
        self.on(t_resp2 - mins(30), WANG, Slot::Dossier(2), |dossier| Command::Addendum {
            dossier,
            reason: "按监督小组整改要求补充培训记录".into(),
            text: "原现场培训签到表（后勤保障处、饮食服务中心共85人）已扫描归档；另于本周对未参训的31名食堂收银人员组织两场补训，签到表一并归档。".into(),
        });
        self.on(t_resp2, WANG, Slot::Order(2), |id| Command::OrderRespond {
            id,
            response:
                "已对未参训的31名食堂收银人员组织两场补训，原签到表及补训签到表已扫描并以补记形式归入该更新的备案。"
                    .into(),
        });

        // A correction appended to a filed dossier.
        if let Some(filed) = self.filed_at.get(&4).copied() {
            self.on(filed + days(10), LIU, Slot::Dossier(4), |dossier| Command::Addendum {
                dossier,
                reason: "更正培训记录".into(),
                text: "课堂培训参加人数原记为86人，经核对签到表实为68人（含各分馆工作人员），特此更正。".into(),
            });
        }

        // Confidential reports: one answered and closed; one investigated,
        // linked to its plan, turned into an order that was carried out, then
        // answered; one under investigation; one just received.
        let c = &self.c;
        let (t0, t1, t2) = (at(c.s(50), 9, 30), at(c.s(52), 15, 0), at(c.s(56), 11, 0));
        let (t3, t4) = (at(c.t(-15), 14, 0), at(c.t(-12), 10, 30));
        let (t_link, t_order, deadline3) = (at(c.t(-12), 11, 0), at(c.t(-11), 9, 0), c.t(-4));
        let (t_resp3, t_close3, t_reply1) = (at(c.t(-5), 16, 0), at(c.t(-3), 10, 0), at(c.t(-3), 10, 30));
        let (t5, t6, t7) = (at(c.t(-4), 20, 15), at(c.t(-2), 9, 0), at(c.t(-1), 22, 40));
        self.push(t0, ZHAO, Some(Slot::Report(0)), |_| {
            Ok(Command::ReportSubmit {
                content: "学生反映：学院组织学工系统升级测试时，要求学生志愿者代替辅导员完成业务部门测试项目并签字。"
                    .into(),
                contact: Some("电话 139****2817".into()),
            })
        });
        self.on(t1, ZHAO, Slot::Report(0), |id| Command::ReportInvestigate {
            id,
            notes: "调阅学工管理系统升级测试记录，与学生工作部及涉及学院核实；确认有2个测试项目由学生志愿者代签。"
                .into(),
        });
        self.on(t2, ZHAO, Slot::Report(0), |id| Command::ReportReply {
            id,
            reply: "经核实，反映情况属实。已责成该学院重新组织测试，并在全校范围内重申测试须由本人参加、如实签字。感谢您的监督。".into(),
        });
        self.push(t3, ZHAO, Some(Slot::Report(1)), |_| {
            Ok(Command::ReportSubmit {
                content: "匿名反映：某次系统升级期间，厂商驻场工程师使用个人U盘从生产服务器拷贝学生个人信息数据，疑似违反数据安全管理规定。".into(),
                contact: None,
            })
        });
        self.on(t4, ZHAO, Slot::Report(1), |id| Command::ReportInvestigate {
            id,
            notes: "已调取堡垒机操作审计记录：学工管理系统升级（奖助学金评审模块上线）期间，厂商驻场工程师曾将含学生家庭经济情况的数据表导出至个人U盘；已约谈厂商项目经理，数据已当面删除。".into(),
        });
        self.push(t_link, ZHAO, None, |r| {
            Ok(Command::ReportLink {
                id: r.id(Slot::Report(1))?,
                plan: r.id(Slot::Plan(5))?,
            })
        });
        self.push(t_order, ZHAO, Some(Slot::Order(3)), move |r| {
            Ok(Command::ReportToOrder {
                id: r.id(Slot::Report(1))?,
                target: None,
                finding: Some(
                    "学工管理系统升级期间，厂商驻场工程师将含学生个人信息的数据导出至个人U盘，违反数据安全管理规定；升级方案未对厂商人员的数据访问作出限制。".into(),
                ),
                required_action: "1. 书面说明数据导出经过及删除情况；2. 升级方案补充厂商人员数据访问与介质管控要求；3. 对参与升级的厂商人员开展数据安全告知。".into(),
                deadline: deadline3,
            })
        });
        self.on(t_resp3, CHEN, Slot::Order(3), |id| Command::OrderRespond {
            id,
            response: "已提交书面情况说明（厂商盖章）；数据已于约谈当日当面删除并经堡垒机审计复核；已在更新方案模板中增加厂商人员数据访问审批与U盘禁用要求；已对驻场的4名厂商人员完成数据安全告知并签字。".into(),
        });
        self.on(t_close3, ZHAO, Slot::Order(3), |id| Command::OrderClose { id });
        self.on(t_reply1, ZHAO, Slot::Report(1), |id| Command::ReportReply {
            id,
            reply: "经调查，反映情况属实。监督小组已下达整改通知，相关数据已删除，厂商人员数据访问管控要求已纳入更新方案。感谢您的监督。".into(),
        });
        self.push(t5, ZHAO, Some(Slot::Report(2)), |_| {
            Ok(Command::ReportSubmit {
                content: "教师反映：教务管理系统升级公告只在门户发布，未通知到外聘教师，升级当晚无法录入成绩。".into(),
                contact: Some("外国语学院 周老师 邮箱 zhou***@univ.edu.cn".into()),
            })
        });
        self.on(t6, ZHAO, Slot::Report(2), |id| Command::ReportInvestigate {
            id,
            notes: "已向教务处核实公告发布渠道；外聘教师未在门户通知的推送名单中，正在核对受影响的人数。".into(),
        });
        self.push(t7, ZHAO, Some(Slot::Report(3)), |_| {
            Ok(Command::ReportSubmit {
                content: "匿名反映：研究生管理系统测试时，测试账号使用了真实学生的学号和姓名。".into(),
                contact: None,
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::ArchiveFilter;

    #[test]
    fn demo_fills_a_believable_semester() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut service = Service::create(dir.path(), "demo-admin", true).unwrap();
        let started = std::time::Instant::now();
        let stats = populate(&mut service, Utc::now()).unwrap();
        eprintln!("demo populate took {:?}: {stats:?}", started.elapsed());

        assert!((8..=14).contains(&stats.systems), "{}", stats.systems);
        assert!(stats.requests >= 250, "{}", stats.requests);
        assert!(stats.dossiers >= 5, "{}", stats.dossiers);
        for (status, n) in &stats.plans_by_status {
            assert!(*n > 0, "no plan is {status}");
        }
        assert_eq!(stats.plans_by_status.len(), PlanStatus::ALL.len());
        for (status, n) in &stats.requests_by_status {
            assert!(*n > 0, "no request is {status}");
        }
        let new = stats
            .requests_by_status
            .iter()
            .find(|(s, _)| *s == RequestStatus::New)
            .unwrap()
            .1;
        assert!(new >= 60, "many requests should still be new: {new}");

        // The config gives the demo people and the creator their roles.
        let cfg = service.config();
        assert_eq!(cfg.roles_for("zhangwei", &[], "demo-admin"), vec![Role::Approver]);
        assert_eq!(
            cfg.roles_for("demo-admin", &[], "demo-admin"),
            vec![Role::Admin, Role::Operator, Role::Approver, Role::Supervisor]
        );
        let text = std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap();
        assert_eq!(&Config::parse(&text, &dir.path().join(CONFIG_FILE)).unwrap(), cfg);

        let me = service.actor_named("demo-admin", &[]);
        let requests = service.requests(&me, &RequestFilter::default()).unwrap();
        for ch in Channel::ALL {
            assert!(requests.iter().any(|r| r.channel == *ch), "no request from {ch}");
        }
        for k in SubmitterType::ALL {
            let any = requests
                .iter()
                .any(|r| service.request(&me, r.id).unwrap().submitter.kind == *k);
            assert!(any, "no request from a {k}");
        }

        // Test rounds with failures, a rollback, defects with vendor references.
        let plans = service.plans(&me, &PlanFilter::default()).unwrap();
        let full: Vec<_> = plans.iter().map(|p| service.plan(&me, p.id).unwrap()).collect();
        assert!(full.iter().any(|p| p
            .rounds
            .iter()
            .any(|r| r.items.iter().any(|i| i.result == TestResult::Fail))));
        assert!(full
            .iter()
            .any(|p| p.golives.iter().any(|g| g.outcome == GoLiveOutcome::RolledBack)));
        assert!(full.iter().any(|p| p.defects.iter().any(|d| d.vendor_ref.is_some())));
        assert!(full.iter().any(|p| !p.blackout_overrides.is_empty()));
        // Nobody decides on, waives or accepts the risks of a plan they contributed to.
        for p in &full {
            let deciders = p
                .approvals
                .iter()
                .map(|a| &a.approver)
                .chain(
                    p.rounds
                        .iter()
                        .flat_map(|r| &r.items)
                        .filter_map(|i| i.waived.as_ref().map(|w| &w.by)),
                )
                .chain(p.defects.iter().filter_map(|d| d.acceptance.as_ref().map(|a| &a.by)));
            for who in deciders {
                assert!(crate::workflow::contribution(p, who).is_empty(), "{} {who}", p.id);
            }
        }
        assert!(full
            .iter()
            .any(|p| p.rounds.iter().flat_map(|r| &r.items).any(|i| i.waived.is_some())));

        // The calendar, and every window of a submitted plan respects it.
        let cal = service.calendar(&me).unwrap();
        assert!(cal.iter().any(|b| b.hard) && cal.iter().any(|b| !b.hard));
        let now = Utc::now();
        for p in &full {
            if matches!(
                p.status,
                PlanStatus::Submitted | PlanStatus::Approved | PlanStatus::NoticePublished
            ) {
                let w = p.window.as_ref().unwrap();
                assert!(w.start > now, "{} window should be ahead", p.id);
                assert!(w.end > w.start);
                assert!(
                    crate::workflow::check_window(p, &cal, &Default::default()).is_ok(),
                    "{}",
                    p.id
                );
            }
        }

        // The archive answers a search.
        let hits = service
            .archive(
                &me,
                &ArchiveFilter {
                    text: Some("一卡通".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(!hits.is_empty());
        let d = service.dossier(&me, hits[0].id).unwrap();
        assert!(!d.addenda.is_empty());

        // Supervision (§5.1): an overdue order, a responded one after a response
        // sent back, one reopened and extended, one issued from a report; the
        // reports in every status, one investigated and turned into an order.
        let orders = service.orders(&me).unwrap();
        let today = now.with_timezone(&Local).date_naive();
        assert!(orders.iter().any(|o| o.overdue(today)));
        assert!(orders
            .iter()
            .any(|o| o.status == crate::model::OrderStatus::Responded
                && o.responses.iter().any(|r| r.sent_back.is_some())));
        assert!(orders
            .iter()
            .any(|o| !o.extensions.is_empty() && o.closings.iter().any(|c| c.reopened.is_some()) && !o.overdue(today)));
        assert!(orders.iter().any(|o| o.status == crate::model::OrderStatus::Closed));
        let sup = Actor::new("zhaomin", &[Role::Supervisor]);
        let reports = service.reports(&sup).unwrap();
        assert_eq!(reports.len(), 4);
        for st in crate::model::ReportStatus::ALL {
            assert!(reports.iter().any(|r| r.status == *st), "no report is {st}");
        }
        let ordered = reports.iter().find(|r| r.order.is_some()).unwrap();
        assert!(ordered.plan.is_some() && !ordered.investigation.is_empty());
        assert!(orders.iter().any(|o| Some(o.id) == ordered.order));

        // Audit events move forward in time with their sequence numbers.
        let audit = service.audit(&sup, None, usize::MAX).unwrap();
        assert!(audit.len() >= stats.audit_events);
        assert!(audit.windows(2).all(|w| w[0].time >= w[1].time));

        // A second run is refused.
        assert!(populate(&mut service, Utc::now()).is_err());
    }
}
