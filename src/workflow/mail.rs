//! Who gets what (§3.2, §4.3, §5.1): the messages a committed change causes,
//! as pure functions of the change's records and the register. The service
//! writes them to the outbox in the change's own transaction
//! (`service/mail.rs`); delivery is elsewhere (`src/mail/`).

use crate::config::MailSettings;
use crate::i18n::t_lang;
use crate::model::*;

/// A change that may cause mail, with the records as committed.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A request accepted, rejected or merged as a duplicate (§3.1, §4.3).
    RequestDecided { request: &'a Request },
    /// A request delivered by its plan's go-live (§4.3).
    RequestDelivered { request: &'a Request, plan: &'a Plan },
    /// The update notice published (§3.2): the affected departments' lists.
    NoticePublished {
        plan: &'a Plan,
        system: &'a System,
        text: &'a str,
        audience: &'a str,
    },
    /// The plan's author told of approval or return (§3.2).
    PlanDecided {
        plan: &'a Plan,
        approved: bool,
        reason: &'a str,
    },
    /// The reporter of a confidential report told the outcome (§5.1), and
    /// nothing else.
    ReportAnswered { report: &'a ConfidentialReport },
    /// The periodic progress report (§5.1 定期汇报) to the supervision group.
    Progress {
        period: &'a str,
        text: &'a str,
        to: &'a [String],
    },
}

/// A message to queue: its kind, recipients, language and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: MailKind,
    pub to: Vec<Addressee>,
    pub lang: String,
    pub subject: String,
    pub body: String,
    /// The record it is about.
    pub about: String,
}

impl Draft {
    /// Only phone numbers: someone has to call (the attention list shows it).
    pub fn is_call(&self) -> bool {
        self.to.iter().all(|a| a.email.is_empty())
    }
}

/// Whether `s` is a mail address lettre accepts.
pub fn is_address(s: &str) -> bool {
    s.trim().parse::<lettre::Address>().is_ok()
}

/// Whether `s` looks like a phone number: digits (at least five) with `+ - ( )` and spaces.
pub fn is_phone(s: &str) -> bool {
    let s = s.trim();
    s.chars().filter(|c| c.is_ascii_digit()).count() >= 5
        && s.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c))
}

/// The phone number in a contact written as text (`校内电话 81234`,
/// `+86 010-6278 1234`): the first run of digits, `+ - ( )` and spaces with
/// at least five digits; none in a text with an `@` (an address, broken or not).
pub fn phone_in(s: &str) -> Option<String> {
    if s.contains('@') {
        return None;
    }
    let mut run = String::new();
    let mut best = None;
    for c in s.chars().chain(std::iter::once('\u{0}')) {
        if c.is_ascii_digit() || "+-() ".contains(c) {
            run.push(c);
        } else {
            if is_phone(&run) {
                best = Some(run.trim().to_string());
                break;
            }
            run.clear();
        }
    }
    best
}

/// How to reach someone named on a record: the register first (their address,
/// else their phone), else the contact written on the record. `None`: nobody
/// to tell (an anonymous report, a contact that is neither).
pub fn reach(register: &Register, name: &str, contact: &str) -> Option<(Addressee, &'static str)> {
    if let Some(p) = register.person(name).or_else(|| {
        // A contact that is a registered person's address names them too.
        let c = contact.trim();
        (!c.is_empty())
            .then(|| register.people.iter().find(|p| p.email == c))
            .flatten()
    }) {
        if !p.email.is_empty() || !p.phone.is_empty() {
            return Some((
                Addressee {
                    name: p.name.clone(),
                    email: p.email.clone(),
                    phone: if p.email.is_empty() {
                        p.phone.clone()
                    } else {
                        String::new()
                    },
                },
                p.mail_lang(),
            ));
        }
    }
    let c = contact.trim();
    if is_address(c) {
        return Some((
            Addressee {
                name: name.trim().to_string(),
                email: c.to_string(),
                phone: String::new(),
            },
            "zh-CN",
        ));
    }
    if let Some(phone) = phone_in(c) {
        return Some((
            Addressee {
                name: name.trim().to_string(),
                email: String::new(),
                phone,
            },
            "zh-CN",
        ));
    }
    None
}

/// The messages `event` causes, with the kinds `settings` switched off left out.
pub fn drafts(event: &Event, register: &Register, settings: &MailSettings) -> Vec<Draft> {
    let out = match event {
        Event::RequestDecided { request } => request_decided(request, register),
        Event::RequestDelivered { request, plan } => request_delivered(request, plan, register),
        Event::NoticePublished {
            plan,
            system,
            text,
            audience,
        } => notice(plan, system, text, audience, register),
        Event::PlanDecided { plan, approved, reason } => plan_decided(plan, *approved, reason, register),
        Event::ReportAnswered { report } => report_answered(report),
        Event::Progress { period, text, to } => progress(period, text, to, register),
    };
    out.into_iter().filter(|d| settings.wants(d.kind)).collect()
}

fn one(kind: MailKind, to: (Addressee, &'static str), key: &str, args: &[(&str, String)], about: String) -> Draft {
    let (to, lang) = to;
    Draft {
        kind,
        to: vec![to],
        lang: lang.to_string(),
        subject: t_lang(lang, &format!("mail.{key}.subject"), args),
        body: t_lang(lang, &format!("mail.{key}.body"), args),
        about,
    }
}

fn request_decided(r: &Request, register: &Register) -> Vec<Draft> {
    let (kind, key) = match r.status {
        RequestStatus::Accepted => (MailKind::RequestAccepted, "request_accepted"),
        RequestStatus::Rejected => (MailKind::RequestRejected, "request_rejected"),
        RequestStatus::Duplicate => (MailKind::RequestDuplicate, "request_duplicate"),
        _ => return Vec::new(),
    };
    let Some(to) = reach(register, &r.submitter.name, &r.submitter.contact) else {
        return Vec::new();
    };
    let args = [
        ("id", r.id.to_string()),
        ("title", r.title.clone()),
        ("name", r.submitter.name.clone()),
        ("reason", r.reject_reason.clone().unwrap_or_default()),
        ("of", r.duplicate_of.map(|i| i.to_string()).unwrap_or_default()),
    ];
    vec![one(kind, to, key, &args, r.id.to_string())]
}

fn request_delivered(r: &Request, plan: &Plan, register: &Register) -> Vec<Draft> {
    let Some(to) = reach(register, &r.submitter.name, &r.submitter.contact) else {
        return Vec::new();
    };
    let args = [
        ("id", r.id.to_string()),
        ("title", r.title.clone()),
        ("name", r.submitter.name.clone()),
        ("plan", plan.id.to_string()),
        ("version", plan.version_to.clone()),
    ];
    vec![one(
        MailKind::RequestDelivered,
        to,
        "request_delivered",
        &args,
        r.id.to_string(),
    )]
}

/// The departments a notice concerns: the system's own and every department of
/// the register the audience names.
pub fn affected_departments<'a>(system: &System, audience: &str, register: &'a Register) -> Vec<&'a Department> {
    register
        .departments
        .iter()
        .filter(|d| d.name == system.department.trim() || (!d.name.is_empty() && audience.contains(&d.name)))
        .collect()
}

fn notice(plan: &Plan, system: &System, text: &str, audience: &str, register: &Register) -> Vec<Draft> {
    let mut to: Vec<Addressee> = Vec::new();
    for d in affected_departments(system, audience, register) {
        for a in &d.distribution {
            if !to.iter().any(|x| x.email == *a) {
                to.push(Addressee {
                    name: d.name.clone(),
                    email: a.clone(),
                    phone: String::new(),
                });
            }
        }
    }
    if to.is_empty() {
        return Vec::new();
    }
    let lang = if plan.notice_language == NoticeLanguage::En {
        "en"
    } else {
        "zh-CN"
    };
    let args = [
        ("id", plan.id.to_string()),
        ("system", system.name.clone()),
        ("title", plan.title.clone()),
        ("text", text.to_string()),
    ];
    vec![Draft {
        kind: MailKind::Notice,
        to,
        lang: lang.into(),
        subject: t_lang(lang, "mail.notice.subject", &args),
        body: t_lang(lang, "mail.notice.body", &args),
        about: plan.id.to_string(),
    }]
}

fn plan_decided(plan: &Plan, approved: bool, reason: &str, register: &Register) -> Vec<Draft> {
    let author = &plan.meta.created_by;
    let Some(to) = reach(register, author, "") else {
        return Vec::new();
    };
    let args = [
        ("id", plan.id.to_string()),
        ("title", plan.title.clone()),
        ("reason", reason.to_string()),
    ];
    let (kind, key) = if approved {
        (MailKind::PlanApproved, "plan_approved")
    } else {
        (MailKind::PlanReturned, "plan_returned")
    };
    vec![one(kind, to, key, &args, plan.id.to_string())]
}

fn report_answered(r: &ConfidentialReport) -> Vec<Draft> {
    let contact = r.reporter_contact.as_deref().unwrap_or("");
    // The register is not consulted: a reporter is known by the contact they
    // chose to leave, and nothing else of the report is named.
    let Some(mut to) = reach(&Register::default(), "", contact) else {
        return Vec::new();
    };
    to.0.name = String::new();
    let args = [("id", r.id.to_string()), ("reply", r.reply.clone().unwrap_or_default())];
    vec![one(
        MailKind::ReportOutcome,
        to,
        "report_outcome",
        &args,
        r.id.to_string(),
    )]
}

fn progress(period: &str, text: &str, to: &[String], register: &Register) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for name in to {
        let Some((a, lang)) = reach(register, name, "") else {
            continue;
        };
        if a.email.is_empty() {
            continue;
        }
        let args = [("period", period.to_string()), ("text", text.to_string())];
        match out.iter_mut().find(|d| d.lang == lang) {
            Some(d) if !d.to.iter().any(|x| x.email == a.email) => d.to.push(a),
            Some(_) => {}
            None => out.push(Draft {
                kind: MailKind::ProgressReport,
                to: vec![a],
                lang: lang.into(),
                subject: t_lang(lang, "mail.progress_report.subject", &args),
                body: t_lang(lang, "mail.progress_report.body", &args),
                about: "report".into(),
            }),
        }
    }
    out
}

/// The daily digest (issue 17 §4): to each user of `users` (login, roles)
/// whom the register reaches by mail, the attention items of their roles, in
/// their language; nobody with nothing to act on gets one.
pub fn digest(
    items: &[crate::workflow::AttentionItem],
    users: &[(String, Vec<Role>)],
    register: &Register,
    settings: &MailSettings,
) -> Vec<Draft> {
    if !settings.wants(MailKind::Digest) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (login, roles) in users {
        let mine: Vec<&crate::workflow::AttentionItem> = items.iter().filter(|i| roles.contains(&i.role)).collect();
        if mine.is_empty() {
            continue;
        }
        let Some((to, lang)) = reach(register, login, "") else {
            continue;
        };
        if to.email.is_empty() {
            continue;
        }
        let lines: Vec<String> = mine
            .iter()
            .map(|i| {
                t_lang(
                    lang,
                    "mail.digest.line",
                    &[
                        (
                            "kind",
                            t_lang(lang, &format!("attention.kind.{}", i.kind.as_str()), &[]),
                        ),
                        ("record", i.record.to_string()),
                        ("title", crate::sanitize::clean_line(&i.title)),
                        ("days", i.days.to_string()),
                        ("role", t_lang(lang, &format!("enum.Role.{}", i.role.as_str()), &[])),
                    ],
                )
            })
            .collect();
        let args = [
            ("name", to.name.clone()),
            ("count", mine.len().to_string()),
            ("items", lines.join("\n")),
        ];
        out.push(Draft {
            kind: MailKind::Digest,
            to: vec![to],
            lang: lang.into(),
            subject: t_lang(lang, "mail.digest.subject", &args),
            body: t_lang(lang, "mail.digest.body", &args),
            about: "attention".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, email: &str, phone: &str) -> Person {
        Person {
            id: Id::new(IdKind::Person, 0, 1),
            name: name.into(),
            department: "教务处".into(),
            email: email.into(),
            phone: phone.into(),
            lang: String::new(),
            login: String::new(),
            aliases: Vec::new(),
            meta: Meta::new("t", chrono::Utc::now()),
        }
    }

    #[test]
    fn the_register_comes_before_the_contact_on_the_record() {
        let reg = Register {
            people: vec![person("王老师", "wang@example.edu.cn", "")],
            ..Default::default()
        };
        let (a, _) = reach(&reg, "王老师（教务处）", "13800000000").unwrap();
        assert_eq!(a.email, "wang@example.edu.cn");
        let (a, _) = reach(&reg, "李同学", "13800000000").unwrap();
        assert_eq!((a.email.as_str(), a.phone.as_str()), ("", "13800000000"));
        let (a, _) = reach(&reg, "李同学", "li@example.edu.cn").unwrap();
        assert_eq!(a.email, "li@example.edu.cn");
        assert!(reach(&reg, "匿名", "微信群").is_none());
        assert!(reach(&reg, "", "").is_none());
    }

    #[test]
    fn addresses_and_phones_are_told_apart() {
        assert!(is_address("a.b@example.edu.cn"));
        assert!(!is_address("a b@example.edu.cn"));
        assert!(!is_address("wang\r\nBcc: x@evil.example"));
        assert!(is_phone("+86 010-6278 1234"));
        assert!(!is_phone("1234"));
        assert!(!is_phone("room 1234567"));
        assert_eq!(phone_in("校内电话 81234").as_deref(), Some("81234"));
        assert_eq!(phone_in("电话 139****2817"), None);
        assert_eq!(phone_in("x@example.edu.cn 13800000000"), None);
    }
}
