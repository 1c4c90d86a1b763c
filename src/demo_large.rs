//! The large dataset of the performance issue: ten years of a big university —
//! 200 systems, 100,000 requests, 10,000 filed dossiers with full plans, test
//! rounds and feature comparisons, and about 500,000 audit events, in Chinese and
//! English.
//!
//! Like [`crate::demo`], everything goes through [`Service::execute_at`] with
//! explicit past times inside [`Service::bulk`] (one flush at the end), so every
//! record, index, summary and audit event is written exactly as real use writes
//! it. The script is generated from a seeded RNG: the same `scale` and `now` give
//! the same database. Commands are generated week by week and run in time order.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::demo::{COLLEGES, FOREIGN, GIVEN, OFFICES, PEOPLE, SURNAMES};
use crate::error::{Error, Result};
use crate::model::{
    Actor, BackupConfirmation, ChangeType, Channel, ComparisonRow, DefectStatus, GoLive, GoLiveOutcome, Id, Level,
    Priority, RequestKind, Risk, Role, Severity, StaffAssignment, Submitter, SubmitterType, TestCategory, TestResult,
    Tester, TesterType, Time, Training, TrainingFormat, Window,
};
use crate::service::{Command, NewRequest, Service, Triage};
use crate::workflow::PlanChange;

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scale {
    pub systems: usize,
    pub requests: usize,
    pub dossiers: usize,
    /// Days of history (the dossiers are spread over them).
    pub days: i64,
}

impl Scale {
    /// The figures: ten years of a large university.
    pub const LARGE: Scale = Scale {
        systems: 200,
        requests: 100_000,
        dossiers: 10_000,
        days: 3650,
    };

    /// A hundredth of it, for tests.
    pub const SMALL: Scale = Scale {
        systems: 20,
        requests: 1_000,
        dossiers: 100,
        days: 365,
    };
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub systems: usize,
    pub requests: usize,
    pub plans: usize,
    pub dossiers: usize,
    pub commands: usize,
    pub audit_events: usize,
    pub seconds: f64,
}

/// Fill a freshly created, empty database with `scale` worth of history ending at `now`.
pub fn generate(service: &mut Service, scale: Scale, now: Time, seed: u64) -> Result<Stats> {
    let started = std::time::Instant::now();
    let creator = service.creator().to_string();
    let actors = actors(&creator);
    let mut g = Gen::new(scale, now, seed);
    let evs = g.build();
    // Ten years of history: its mail went out at the time. Queued now, it
    // would be tens of thousands of messages for an MTA the machine may not
    // have; the large database queues none (`[mail] enabled = false`).
    crate::demo::write_config_with(service, evs.iter().map(|e| e.at).min().unwrap_or(now), |c| {
        c.mail.enabled = false
    })?;
    let commands = evs.len();
    let stats = service.bulk(|s| run(s, &actors, evs, now))?;
    Ok(Stats {
        systems: stats.0,
        requests: stats.1,
        plans: stats.2,
        dossiers: stats.3,
        commands,
        audit_events: service.store().audit_len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

const ADMIN: usize = 0;
const OPS: [usize; 4] = [1, 2, 3, 4];
const APPROVER: usize = 5;

fn actors(creator: &str) -> Vec<Actor> {
    vec![
        Actor::new(creator, &[Role::Admin]),
        Actor::new(PEOPLE[1].0, &[Role::Operator]),
        Actor::new(PEOPLE[2].0, &[Role::Operator]),
        Actor::new(PEOPLE[3].0, &[Role::Operator]),
        Actor::new(PEOPLE[4].0, &[Role::Operator]),
        Actor::new(PEOPLE[5].0, &[Role::Approver]),
    ]
}

/// A record of the script, known by its number until it exists.
#[derive(Debug, Clone, Copy)]
enum Slot {
    System(u32),
    Request(u32),
    Plan(u32),
}

#[derive(Default)]
struct Refs {
    systems: Vec<Option<Id>>,
    requests: Vec<Option<Id>>,
    plans: Vec<Option<Id>>,
}

impl Refs {
    fn id(&self, s: Slot) -> Result<Id> {
        let v = match s {
            Slot::System(i) => self.systems.get(i as usize),
            Slot::Request(i) => self.requests.get(i as usize),
            Slot::Plan(i) => self.plans.get(i as usize),
        };
        v.copied()
            .flatten()
            .ok_or_else(|| Error::input("demo", &format!("{s:?}"), "a record created earlier in the script"))
    }

    fn set(&mut self, s: Slot, id: Id) {
        let (v, i) = match s {
            Slot::System(i) => (&mut self.systems, i),
            Slot::Request(i) => (&mut self.requests, i),
            Slot::Plan(i) => (&mut self.plans, i),
        };
        let i = i as usize;
        if v.len() <= i {
            v.resize(i + 1, None);
        }
        v[i] = Some(id);
    }
}

type Build = Box<dyn Fn(&Refs) -> Result<Command>>;

struct Ev {
    at: Time,
    /// Order of generation: ties in time keep it.
    n: u32,
    who: usize,
    sink: Option<Slot>,
    build: Build,
}

/// Run the script in time order; returns (systems, requests, plans, dossiers) created.
fn run(service: &Service, actors: &[Actor], mut evs: Vec<Ev>, now: Time) -> Result<(usize, usize, usize, usize)> {
    evs.sort_by_key(|e| (e.at, e.n));
    let mut refs = Refs::default();
    let mut counts = (0, 0, 0, 0);
    for ev in evs {
        if ev.at > now {
            continue;
        }
        let cmd = (ev.build)(&refs)?;
        let name = cmd.name();
        let file = matches!(cmd, Command::File { .. });
        let out = service
            .execute_at(&actors[ev.who], cmd, None, ev.at)
            .map_err(|e| Error::input("demo", &format!("{name} at {}", ev.at), &e.message()))?;
        if file {
            counts.3 += 1;
        }
        if let Some(slot) = ev.sink {
            let id: Id = out
                .entity
                .parse()
                .map_err(|_| Error::input("entity", &out.entity, "an id"))?;
            match slot {
                Slot::System(_) => counts.0 += 1,
                Slot::Request(_) => counts.1 += 1,
                Slot::Plan(_) => counts.2 += 1,
            }
            refs.set(slot, id);
        }
    }
    Ok(counts)
}

// ---------------------------------------------------------------------------
// Vocabulary

const SYS_KINDS: &[(&str, &str)] = &[
    ("管理系统", "Management System"),
    ("服务平台", "Service Platform"),
    ("信息门户", "Portal"),
    ("数据中心", "Data Center"),
    ("预约系统", "Booking System"),
    ("审批系统", "Approval System"),
    ("统计平台", "Analytics"),
    ("监控平台", "Monitoring"),
];

const SYS_TOPICS: &[(&str, &str)] = &[
    ("教务", "Academic Affairs"),
    ("一卡通", "Campus Card"),
    ("统一身份认证", "SSO"),
    ("财务", "Finance"),
    ("人事", "HR"),
    ("科研", "Research"),
    ("研究生", "Graduate School"),
    ("图书馆", "Library"),
    ("资产", "Assets"),
    ("学工", "Student Affairs"),
    ("迎新", "Enrollment"),
    ("离校", "Graduation"),
    ("宿舍", "Dormitory"),
    ("网络计费", "Network Billing"),
    ("邮件", "Mail"),
    ("OA办公", "Office Automation"),
    ("档案", "Archives"),
    ("招生", "Admissions"),
    ("就业", "Career"),
    ("校医院", "Clinic"),
    ("实验室", "Laboratory"),
    ("后勤报修", "Facilities Repair"),
    ("会议室", "Meeting Rooms"),
    ("国际交流", "International Office"),
    ("VPN", "VPN"),
];

const VENDORS: &[(&str, &str)] = &[
    ("正方软件股份有限公司", "ZF"),
    ("哈尔滨新中新电子股份有限公司", "XZX"),
    ("金智教育", "WISEDU"),
    ("用友网络科技股份有限公司", "YY"),
    ("杭州树人科技", "SR"),
    ("北京中科软件", "ZK"),
    ("Ellucian Inc.", "ELC"),
    ("Atlassian", "ATL"),
    ("深信服科技", "SXF"),
    ("华为技术有限公司", "HW"),
];

const PROBLEMS: &[&str] = &[
    "登录后页面空白",
    "导出Excel乱码",
    "高峰期响应超过10秒",
    "手机端无法上传附件",
    "重复扣款",
    "审批流程卡在第二步",
    "统一身份认证跳转失败",
    "打印报表缺少页脚",
    "Safari 浏览器下按钮错位",
    "数据同步延迟一天",
    "密码重置邮件收不到",
    "page times out after login",
    "CSV export drops Chinese characters",
    "二维码扫描后提示签名错误",
    "查询结果与实际不符",
];

const FEATURES: &[&str] = &[
    "增加批量导入功能",
    "支持微信扫码登录",
    "增加英文界面",
    "提供 REST API 接口",
    "增加移动端适配",
    "支持电子签章",
    "增加数据看板",
    "增加短信提醒",
    "支持按学院筛选",
    "add dark mode",
    "support SAML 2.0 federation",
    "增加操作日志查询",
    "支持离线缓存",
];

const GOALS: &[&str] = &[
    "解决高峰期并发不足导致的响应缓慢问题，提升系统稳定性",
    "修复已知安全漏洞（CVE）并升级依赖组件至厂商支持版本",
    "满足新学期业务流程调整的需要，减少线下纸质审批",
    "improve availability to 99.9% and shorten recovery time",
    "统一接入学校统一身份认证，实现单点登录",
    "优化移动端体验，支持企业微信与钉钉访问",
];

const COMPONENTS: &[&str] = &[
    "Nginx 1.24",
    "Tomcat 9.0.85",
    "OpenJDK 17",
    "PostgreSQL 15",
    "Oracle 19c",
    "MySQL 8.0.36",
    "Redis 7.2",
    "Spring Boot 3.2",
    "Vue 3",
    "Elasticsearch 8.11",
    "Kafka 3.6",
    "CentOS 7 → Rocky Linux 9",
];

const FUNCTIONS: &[&str] = &[
    "登录认证",
    "数据导出",
    "报表打印",
    "移动端访问",
    "审批流程",
    "消息通知",
    "批量导入",
    "查询统计",
    "接口对接",
    "权限管理",
    "single sign-on",
    "audit log",
];

const TEST_ITEMS: &[(TestCategory, &str, &str)] = &[
    (
        TestCategory::Functional,
        "核心业务流程全流程测试",
        "各环节数据正确，无报错",
    ),
    (TestCategory::Functional, "统一身份认证登录与退出", "登录成功并正确跳转"),
    (
        TestCategory::Performance,
        "模拟 2000 并发用户压力测试",
        "平均响应时间低于 2 秒",
    ),
    (
        TestCategory::Compatibility,
        "Chrome / Edge / Safari / 企业微信浏览器访问",
        "页面显示正常",
    ),
    (TestCategory::Security, "弱口令与越权访问检查", "未发现高危漏洞"),
    (TestCategory::DataMigration, "历史数据迁移核对", "记录数与校验和一致"),
    (TestCategory::Functional, "数据导出 Excel / CSV", "中文无乱码"),
];

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn person(rng: &mut StdRng) -> (String, String) {
    if rng.random_ratio(1, 25) {
        let n = *pick(rng, FOREIGN);
        return (n.to_string(), n.to_lowercase().replace(' ', "."));
    }
    let (s, sp) = *pick(rng, SURNAMES);
    let (g, gp) = *pick(rng, GIVEN);
    (format!("{s}{g}"), format!("{sp}{gp}"))
}

fn department(rng: &mut StdRng) -> &'static str {
    if rng.random_bool(0.6) {
        pick::<&'static str>(rng, COLLEGES)
    } else {
        pick::<&'static str>(rng, OFFICES)
    }
}

struct SysGen {
    name: String,
    dept: &'static str,
    vendor: &'static str,
    code: &'static str,
    major: u32,
    minor: u32,
}

impl SysGen {
    fn version(&self) -> String {
        format!("V{}.{}", self.major, self.minor)
    }
}

// ---------------------------------------------------------------------------
// The generator

struct Gen {
    scale: Scale,
    now: Time,
    start: NaiveDate,
    rng: StdRng,
    evs: Vec<Ev>,
    systems: Vec<SysGen>,
    requests: u32,
    plans: u32,
    /// Requests accepted and not yet linked, by system.
    /// The latest standalone requests (duplicates point at one of them).
    recent: Vec<(u32, Time)>,
}

fn at(day: NaiveDate, h: u32, m: u32) -> Time {
    // Stored in UTC; the generator's clock is UTC+8 (Beijing), so a working day
    // stays a working day wherever the benchmark runs.
    let naive = day.and_hms_opt(h.min(23), m.min(59), 0).unwrap_or_default();
    chrono::DateTime::from_naive_utc_and_offset(naive, chrono::Utc) - Duration::hours(8)
}

impl Gen {
    fn new(scale: Scale, now: Time, seed: u64) -> Gen {
        let today = now.date_naive();
        Gen {
            scale,
            now,
            start: today - Duration::days(scale.days),
            rng: StdRng::seed_from_u64(seed),
            evs: Vec::new(),
            systems: Vec::new(),
            requests: 0,
            plans: 0,
            recent: Vec::new(),
        }
    }

    fn push(&mut self, at: Time, who: usize, sink: Option<Slot>, build: impl Fn(&Refs) -> Result<Command> + 'static) {
        let n = self.evs.len() as u32;
        self.evs.push(Ev {
            at,
            n,
            who,
            sink,
            build: Box::new(build),
        });
    }

    fn on_plan(&mut self, at: Time, who: usize, p: Slot, f: impl Fn(Id) -> Command + 'static) {
        self.push(at, who, None, move |r| Ok(f(r.id(p)?)));
    }

    fn op(&mut self) -> usize {
        *pick(&mut self.rng, &OPS)
    }

    fn build(&mut self) -> Vec<Ev> {
        self.systems_setup();
        // Plans start on days spread over the history, leaving the last three
        // weeks for plans still in progress.
        let span = (self.scale.days - 21).max(1);
        let mut plan_days: Vec<i64> = (0..self.scale.dossiers)
            .map(|i| 1 + (i as i64 * span) / self.scale.dossiers as i64)
            .collect();
        plan_days.sort();
        let linked_per_plan = 2usize;
        let standalone = self
            .scale
            .requests
            .saturating_sub(self.scale.dossiers * linked_per_plan + 20);
        for &d in &plan_days {
            let day = self.start + Duration::days(d);
            self.filed_plan(day, linked_per_plan);
        }
        // A few plans still on their way at the end.
        for k in 0..20 {
            let day = self.now.date_naive() - Duration::days(18 - (k % 15));
            self.open_plan(day, k as usize);
        }
        for i in 0..standalone {
            let d = (i as i64 * self.scale.days) / standalone as i64;
            let day = self.start + Duration::days(d);
            self.standalone_request(day);
        }
        std::mem::take(&mut self.evs)
    }

    fn systems_setup(&mut self) {
        let t0 = at(self.start - Duration::days(30), 8, 0);
        for i in 0..self.scale.systems {
            let (topic, topic_en) = SYS_TOPICS[i % SYS_TOPICS.len()];
            let (kind, kind_en) = SYS_KINDS[(i / SYS_TOPICS.len()) % SYS_KINDS.len()];
            let name = if i % 7 == 3 {
                format!("{topic_en} {kind_en}")
            } else {
                format!("{topic}{kind}")
            };
            let (vendor, code) = *pick(&mut self.rng, VENDORS);
            let s = SysGen {
                name,
                dept: department(&mut self.rng),
                vendor,
                code,
                major: self.rng.random_range(1..6),
                minor: 0,
            };
            let cmd = Command::SystemAdd {
                name: s.name.clone(),
                department: s.dept.into(),
                vendor: s.vendor.into(),
                version: s.version(),
            };
            self.push(
                t0 + Duration::seconds(i as i64),
                ADMIN,
                Some(Slot::System(i as u32)),
                move |_| Ok(cmd.clone()),
            );
            self.systems.push(s);
        }
    }

    /// A new request; returns its slot.
    fn request(&mut self, sys: usize, received: Time, feature: bool) -> Slot {
        let slot = Slot::Request(self.requests);
        self.requests += 1;
        let (name, login) = person(&mut self.rng);
        let kind = match self.rng.random_range(0..10) {
            0..=4 => SubmitterType::Student,
            5..=7 => SubmitterType::Teacher,
            8 => SubmitterType::Staff,
            _ => SubmitterType::Department,
        };
        let what = if feature {
            *pick(&mut self.rng, FEATURES)
        } else {
            *pick(&mut self.rng, PROBLEMS)
        };
        let sname = self.systems[sys].name.clone();
        let title = format!("{sname}{what}");
        let dept = department(&mut self.rng).to_string();
        let body = format!(
            "{name}（{dept}）反映：使用{sname}时{what}。\n复现步骤：登录后进入相关页面操作即可出现，已影响日常工作。\n\
             Reported by {login}@example.edu.cn, ticket #{}.",
            self.requests
        );
        let channel = *pick(&mut self.rng, Channel::ALL);
        let priority = match self.rng.random_range(0..20) {
            0 => Priority::Urgent,
            1..=4 => Priority::High,
            5..=16 => Priority::Normal,
            _ => Priority::Low,
        };
        let tags = vec![
            if feature { "功能" } else { "故障" }.to_string(),
            self.systems[sys].code.to_lowercase(),
        ];
        let req = NewRequest {
            kind: if feature {
                RequestKind::Feature
            } else {
                RequestKind::Problem
            },
            title,
            body,
            system: None,
            submitter: Submitter {
                name,
                contact: format!("{login}@example.edu.cn"),
                kind,
            },
            department: dept,
            channel,
            received_at: Some(received),
            priority,
            tags,
        };
        let who = self.op();
        let sys_slot = Slot::System(sys as u32);
        self.push(received + Duration::minutes(20), who, Some(slot), move |r| {
            let mut request = req.clone();
            request.system = Some(r.id(sys_slot)?);
            Ok(Command::RequestAdd { request })
        });
        slot
    }

    fn triage(&mut self, at: Time, slot: Slot, triage: Triage) {
        let who = self.op();
        if matches!(triage, Triage::Accept { .. }) {
            // §3.1: a request is accepted once its necessity and feasibility are analysed.
            self.push(at - Duration::minutes(10), who, None, move |r| {
                Ok(Command::RequestEdit {
                    id: r.id(slot)?,
                    edit: crate::service::RequestEdit {
                        necessity: Some("影响日常业务，同类反馈多，有必要处理 / needed".into()),
                        feasibility: Some("厂商可在下一版本实现，技术可行 / feasible".into()),
                        ..Default::default()
                    },
                })
            });
        }
        self.push(at, who, None, move |r| {
            Ok(Command::RequestTriage {
                id: r.id(slot)?,
                triage: triage.clone(),
            })
        });
    }

    fn standalone_request(&mut self, day: NaiveDate) {
        let sys = self.rng.random_range(0..self.systems.len());
        let received = at(day, self.rng.random_range(8..21), self.rng.random_range(0..60));
        let feature = self.rng.random_bool(0.4);
        let slot = self.request(sys, received, feature);
        let Slot::Request(n) = slot else { return };
        let t = received + Duration::hours(self.rng.random_range(2..72));
        if t > self.now {
            return; // still new
        }
        let fate = self.rng.random_range(0..100);
        let dup = (50..=64).contains(&fate) && self.recent.iter().any(|(_, r)| *r < received);
        if !dup {
            if self.recent.len() == 200 {
                self.recent.remove(0);
            }
            self.recent.push((n, received));
        }
        match fate {
            0..=29 => {
                self.triage(t, slot, Triage::Accept { outcome: None });
            }
            30..=49 => {
                let reason = pick(
                    &mut self.rng,
                    &[
                        "非系统问题，属于操作问题，已电话指导",
                        "厂商确认为设计如此",
                        "not reproducible; asked for screenshots",
                    ],
                );
                self.triage(
                    t,
                    slot,
                    Triage::Reject {
                        reason: reason.to_string(),
                    },
                );
            }
            50..=64 if dup => {
                let earlier: Vec<u32> = self
                    .recent
                    .iter()
                    .filter(|(_, r)| *r < received)
                    .map(|(n, _)| *n)
                    .collect();
                let of = Slot::Request(*pick(&mut self.rng, &earlier));
                let who = self.op();
                self.push(t, who, None, move |r| {
                    Ok(Command::RequestTriage {
                        id: r.id(slot)?,
                        triage: Triage::Duplicate { of: r.id(of)? },
                    })
                });
            }
            65..=94 => {
                self.triage(t, slot, Triage::Triage);
            }
            _ => {}
        }
        if self.rng.random_ratio(1, 2) {
            let who = self.op();
            let text = pick(
                &mut self.rng,
                &[
                    "已联系厂商排查",
                    "已转交业务部门确认",
                    "vendor is looking into it",
                    "已电话回访提交人",
                ],
            )
            .to_string();
            self.push(t + Duration::minutes(30), who, None, move |r| {
                Ok(Command::RequestComment {
                    id: r.id(slot)?,
                    text: text.clone(),
                })
            });
        }
    }

    /// The first steps of a plan: requests, written, submitted, approved, notice.
    /// Returns the plan slot, its author and its window.
    fn written_plan(&mut self, day: NaiveDate, linked: usize) -> (Slot, usize, usize, Window) {
        let sys = self.rng.random_range(0..self.systems.len());
        let p = Slot::Plan(self.plans);
        self.plans += 1;
        let a = self.op();
        let created = at(day, 9, self.rng.random_range(0..50));
        let mut reqs = Vec::new();
        for k in 0..linked {
            let received = created - Duration::days(2 + k as i64) - Duration::hours(self.rng.random_range(0..20));
            let slot = self.request(sys, received, k % 2 == 1);
            self.triage(received + Duration::hours(3), slot, Triage::Accept { outcome: None });
            reqs.push(slot);
        }
        let s = &mut self.systems[sys];
        let from = s.version();
        if self.rng.random_ratio(1, 4) {
            s.major += 1;
            s.minor = 0;
        } else {
            s.minor += 1;
        }
        let s = &self.systems[sys];
        let to = s.version();
        let (sname, dept, vendor, code) = (s.name.clone(), s.dept, s.vendor, s.code);
        let comp = *pick(&mut self.rng, COMPONENTS);
        let goal = *pick(&mut self.rng, GOALS);
        let title = format!("{sname} {to} 版本升级");
        {
            let (title, from, to) = (title.clone(), from.clone(), to.clone());
            let sys_slot = Slot::System(sys as u32);
            self.push(created, a, Some(p), move |r| {
                Ok(Command::PlanNew {
                    system: r.id(sys_slot)?,
                    title: title.clone(),
                    version_from: Some(from.clone()),
                    version_to: to.clone(),
                    class: crate::model::ChangeClass::Normal,
                    template: None,
                })
            });
        }
        let wday = day + Duration::days(10);
        let window = Window {
            start: at(wday, 22, 0),
            end: at(wday + Duration::days(1), 2, 0),
        };
        let (staff_name, _) = person(&mut self.rng);
        let changes = vec![
            PlanChange::Goals(format!("{goal}。本次将{sname}由{from}升级至{to}，同时升级{comp}。")),
            PlanChange::Content(format!(
                "1. 升级{sname}应用至{to}，修复厂商公告中的缺陷 {code}-{n}；\n2. 升级基础组件 {comp}；\n\
                 3. 调整与统一身份认证、数据中心的接口；\n4. Upgrade the reporting module and enable HTTPS-only access (HSTS).",
                n = self.rng.random_range(100..9999)
            )),
            PlanChange::Approach(format!(
                "采用“测试环境验证、生产环境停机升级”方式：先在测试环境以生产数据副本演练，发布更新预告后于维护窗口内\
                 停止服务、全量备份，由{vendor}工程师部署新版本，信息化管理中心会同{dept}完成功能、性能、兼容性与安全测试，\
                 通过后切换生产服务。Rolling restart of the application nodes behind the load balancer."
            )),
            PlanChange::Window(Some(window.clone())),
            PlanChange::AddStaff(StaffAssignment {
                person: format!("{}（信息化管理中心）", PEOPLE[a].1),
                role: "实施负责人".into(),
                duty: "组织实施、决策回退".into(),
            }),
            PlanChange::AddStaff(StaffAssignment {
                person: format!("{staff_name}（{vendor}）"),
                role: "厂商工程师".into(),
                duty: "部署新版本、执行数据库升级脚本".into(),
            }),
            PlanChange::AddRisk(Risk {
                description: format!("{comp} 升级后与现有插件不兼容"),
                likelihood: Level::Medium,
                impact: Level::High,
                mitigation: "测试环境预先验证；准备回退包".into(),
            }),
            PlanChange::AddRisk(Risk {
                description: "数据迁移耗时超出维护窗口".into(),
                likelihood: Level::Low,
                impact: Level::High,
                mitigation: "提前演练迁移并记录耗时，超时即回退".into(),
            }),
            PlanChange::BackupPlan(format!(
                "升级前对{sname}生产数据库执行全量备份，同时备份应用目录与配置文件，备份同步至异地灾备机房并完成恢复校验。"
            )),
            PlanChange::MigratesData(true),
            PlanChange::MigrationPlan("数据结构变更由厂商升级脚本完成；升级前后比对核心数据表记录数与校验和。".into()),
            PlanChange::RollbackPlan(format!(
                "回退条件：核心业务验证不通过或窗口结束前 2 小时仍未完成。回退步骤：停止新版本服务，恢复全量备份，\
                 还原{from}应用与配置，由{dept}验证后恢复服务。Expected rollback time: 90 minutes."
            )),
        ];
        self.on_plan(created + Duration::minutes(35), a, p, move |id| Command::PlanEdit {
            id,
            changes: changes.clone(),
        });
        for (k, slot) in reqs.into_iter().enumerate() {
            self.push(created + Duration::minutes(50 + k as i64), a, None, move |r| {
                Ok(Command::RequestLink {
                    id: r.id(slot)?,
                    plan: r.id(p)?,
                })
            });
        }
        self.on_plan(at(day + Duration::days(1), 11, 20), a, p, |id| Command::PlanSubmit {
            id,
        });
        let minutes = format!(
            "信息化领导小组会议纪要〔{}〕{}号",
            day.format("%Y"),
            self.plans % 60 + 1
        );
        self.on_plan(at(day + Duration::days(2), 16, 30), APPROVER, p, move |id| {
            Command::PlanApprove {
                id,
                comment: "同意按方案实施".into(),
                minutes_ref: minutes.clone(),
            }
        });
        self.on_plan(at(day + Duration::days(3), 17, 45), a, p, |id| Command::PlanNotice {
            id,
            text: None,
            audience: "全校师生".into(),
        });
        (p, a, sys, window)
    }

    fn filed_plan(&mut self, day: NaiveDate, linked: usize) {
        let (p, a, sys, window) = self.written_plan(day, linked);
        let t = at(day + Duration::days(5), 9, 0);
        self.on_plan(t, a, p, |id| Command::PlanImplement { id });
        self.on_plan(t + Duration::minutes(30), a, p, |plan| Command::TestRound {
            plan,
            copy_unfinished: false,
            environment: "测试环境 / test environment".into(),
        });
        let n_items = self.rng.random_range(4..=6);
        let first = self.rng.random_range(0..TEST_ITEMS.len());
        for k in 0..n_items {
            let (category, description, expected) = TEST_ITEMS[(first + k) % TEST_ITEMS.len()];
            let (tname, _) = person(&mut self.rng);
            let kind = *pick(&mut self.rng, TesterType::ALL);
            self.on_plan(t + Duration::minutes(40 + k as i64), a, p, move |plan| {
                Command::TestItem {
                    plan,
                    category,
                    description: description.into(),
                    expected: expected.into(),
                    tester: Tester {
                        name: tname.clone(),
                        kind,
                    },
                    retest: None,
                }
            });
        }
        let defect = self.rng.random_ratio(1, 4);
        let t2 = at(day + Duration::days(7), 15, 0);
        if defect {
            let (fname, _) = person(&mut self.rng);
            let code = self.systems[sys].code;
            let vref = format!("{code}-{}", self.rng.random_range(1000..9999));
            self.on_plan(t2, a, p, move |plan| Command::DefectAdd {
                plan,
                severity: Severity::Major,
                description: "导出报表时部分中文字段显示为乱码 (encoding issue in export)".into(),
                found_by: Tester {
                    name: fname.clone(),
                    kind: TesterType::DepartmentRep,
                },
                item: Some(1),
                vendor_ref: Some(vref.clone()),
            });
            self.on_plan(t2 + Duration::days(1), a, p, |plan| Command::DefectUpdate {
                plan,
                defect: 1,
                status: Some(DefectStatus::Fixed),
                vendor_ref: None,
            });
            // A major defect blocks until its fix is verified (or an approver accepts it).
            self.on_plan(t2 + Duration::days(2) + Duration::minutes(30), a, p, |plan| {
                Command::DefectUpdate {
                    plan,
                    defect: 1,
                    status: Some(DefectStatus::Verified),
                    vendor_ref: None,
                }
            });
        }
        for k in 0..n_items {
            let note = (k == 0).then(|| "复测通过 / retest passed".to_string());
            self.on_plan(
                t2 + Duration::days(2) + Duration::minutes(k as i64),
                a,
                p,
                move |plan| Command::TestResult {
                    plan,
                    item: k as u32 + 1,
                    result: TestResult::Pass,
                    notes: note.clone(),
                },
            );
        }
        let sname = self.systems[sys].name.clone();
        let to = self.systems[sys].version();
        let bt = window.start - Duration::minutes(30);
        let (bname, _) = person(&mut self.rng);
        let backup = BackupConfirmation {
            what: format!("{sname}生产数据库全量备份"),
            location: format!("/backup/sys{sys:03}/{}", bt.format("%Y%m%d")),
            size: format!("{}G", self.rng.random_range(1..200)),
            checksum: format!("sha256:{:016x}", self.rng.random::<u64>()),
            verified_by: bname,
            time: bt,
        };
        self.on_plan(bt + Duration::minutes(5), a, p, move |plan| Command::Backup {
            plan,
            backup: backup.clone(),
        });
        let golive = GoLive {
            time: window.start + Duration::minutes(150),
            deployer: PEOPLE[a].1.to_string(),
            version: to.clone(),
            steps: "停服、备份、部署、数据库升级、验证、恢复服务".into(),
            config_changes: "nginx: enable http2; session timeout 30 min".into(),
            deviation: None,
            outcome: GoLiveOutcome::Success,
            incidents: String::new(),
        };
        self.on_plan(window.end + Duration::minutes(10), a, p, move |plan| Command::GoLive {
            plan,
            golive: golive.clone(),
        });
        let tday = (window.end + Duration::days(2)).date_naive();
        let training = Training {
            format: *pick(&mut self.rng, TrainingFormat::ALL),
            date: tday,
            trainer: PEOPLE[a].1.to_string(),
            departments: vec![self.systems[sys].dept.to_string()],
            attendance: self.rng.random_range(5..120),
            audience: Vec::new(),
        };
        let tt = at(tday, 17, 0);
        self.on_plan(tt, a, p, move |plan| Command::Training {
            plan,
            training: training.clone(),
        });
        let rows = self.rng.random_range(2..=4);
        let f0 = self.rng.random_range(0..FUNCTIONS.len());
        for k in 0..rows {
            let function = FUNCTIONS[(f0 + k) % FUNCTIONS.len()].to_string();
            let change = ChangeType::ALL[k % ChangeType::ALL.len()];
            let row = ComparisonRow {
                function,
                before: "旧版：单线程处理，高峰期排队".into(),
                after: format!("{to}：并发处理，响应 < 2 s"),
                change,
            };
            self.on_plan(tt + Duration::minutes(10 + k as i64), a, p, move |plan| {
                Command::ComparisonAdd { plan, row: row.clone() }
            });
        }
        self.on_plan(tt + Duration::days(1), a, p, |plan| Command::File { plan });
    }

    /// A plan still in progress at the end of the history.
    fn open_plan(&mut self, day: NaiveDate, k: usize) {
        let (p, a, _, _) = self.written_plan(day, 1);
        if k.is_multiple_of(3) {
            let t = at(day + Duration::days(5), 9, 0);
            self.on_plan(t, a, p, |id| Command::PlanImplement { id });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_history_runs_through_the_core() {
        let dir = tempfile::tempdir().unwrap();
        let mut svc = Service::create(&dir.path().join("data"), "root", true).unwrap();
        let now = chrono::Utc::now();
        let st = generate(&mut svc, Scale::SMALL, now, 7).unwrap();
        assert_eq!(st.systems, Scale::SMALL.systems);
        assert_eq!(st.dossiers, Scale::SMALL.dossiers);
        assert!(st.requests >= Scale::SMALL.requests - 60, "{st:?}");
        assert!(st.audit_events >= st.commands - 100, "{st:?}");
    }
}
