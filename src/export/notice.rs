//! The update notice (更新预告, §3.2) as plain text, Markdown and an email
//! message (.eml, RFC 5322 with RFC 2047 encoded headers and a base64 UTF-8 body).
//!
//! The text is the latest publication (first, corrected or cancellation), or,
//! for a plan whose notice is not published yet, the draft or the text
//! generated from the plan (`workflow::generated_text`); with `generated`, the
//! generated text. Everything is in the plan's notice language, whatever the
//! language of the person exporting it. What users will notice comes from the
//! notice's own fields, never from the risk register. The Markdown and the
//! email carry the same text.

use chrono::Local;

use super::{md_block, md_cell, md_inline};
use crate::error::{Error, Result};
use crate::model::*;

/// What a notice says, gathered from a plan and its system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDoc {
    pub plan: Id,
    pub plan_title: String,
    pub system: String,
    pub department: String,
    pub version_from: String,
    pub version_to: String,
    pub window: Option<Window>,
    /// What users will notice: the notice's own fields.
    pub info: NoticeInfo,
    /// The language the notice is written in.
    pub language: NoticeLanguage,
    /// The subject line, in that language.
    pub subject: String,
    /// What the publication is; `None` for a preview.
    pub kind: Option<PublicationKind>,
    /// The notice text, cleaned of control and bidi characters.
    pub text: String,
    pub audience: String,
    /// When the notice was published; `None` for a preview.
    pub published_at: Option<Time>,
}

impl NoticeDoc {
    /// The notice of `plan`: its latest publication unless `generated`, in which
    /// case (and when nothing is published yet) the draft or the text generated
    /// from the plan. `audience` is used when nothing is published.
    pub fn new(plan: &Plan, system: &System, generated: bool, audience: &str) -> NoticeDoc {
        let all = plan.all_publications();
        let published = all.last().filter(|_| !generated);
        let text = match published {
            Some(n) => n.text.clone(),
            None if generated => crate::workflow::generated_text(plan, system),
            None => crate::service::notice_to_publish(plan, system),
        };
        let kind = published.map(|n| n.kind);
        let subject = match kind {
            Some(PublicationKind::Cancellation) => {
                crate::workflow::notice_subject(plan, &system.name, PublicationKind::Cancellation)
            }
            Some(k) => crate::workflow::notice_subject(plan, &system.name, k),
            None => crate::workflow::notice_subject(plan, &system.name, crate::workflow::next_kind(plan)),
        };
        NoticeDoc {
            plan: plan.id,
            plan_title: plan.title.clone(),
            system: system.name.clone(),
            department: system.department.clone(),
            version_from: plan.version_from.clone(),
            version_to: plan.version_to.clone(),
            window: published.and_then(|n| n.window.clone()).or_else(|| plan.window.clone()),
            info: plan.notice_info.clone(),
            language: published.map_or(plan.notice_language, |n| n.language),
            subject,
            kind,
            text: crate::sanitize::clean(text.trim()),
            audience: published
                .map(|n| n.audience.clone())
                .unwrap_or_else(|| audience.to_string()),
            published_at: published.map(|n| n.published_at),
        }
    }

    /// A key in the notice's language.
    fn t(&self, key: &str, args: &[(&str, String)]) -> String {
        crate::i18n::t_lang(self.language.as_str(), key, args)
    }

    /// The one-line title: `更新预告：系统 A → B`.
    pub fn title(&self) -> String {
        crate::sanitize::clean_line(&self.subject)
    }

    fn when(&self) -> String {
        self.window
            .as_ref()
            .map(|w| format!("{} — {}", fmt_time(w.start), fmt_time(w.end)))
            .unwrap_or_else(|| self.t("export.notice.no_window", &[]))
    }
}

/// The notice as plain text, as it would be posted.
pub fn notice_text(doc: &NoticeDoc) -> String {
    format!("{}\n", doc.text)
}

/// The notice as Markdown: a table of when, what, what users will notice and
/// whom to contact, then the text — in the notice's language.
pub fn notice_markdown(doc: &NoticeDoc) -> String {
    let mut o = format!("# {}\n\n", md_inline(&doc.title()));
    o.push_str(&format!(
        "| {} | {} |\n|---|---|\n",
        doc.t("export.notice.field", &[]),
        doc.t("export.notice.value", &[])
    ));
    for (label, value) in notice_rows(doc) {
        o.push_str(&format!("| {label} | {} |\n", md_cell(&value)));
    }
    o.push_str(&format!(
        "\n## {}\n\n{}\n",
        doc.t("export.notice.text", &[]),
        md_block(&doc.text)
    ));
    o
}

/// The notice's table — when, what, what users will notice, whom to contact —
/// as (label, value) in the notice's language: the Markdown and the HTML.
pub(super) fn notice_rows(doc: &NoticeDoc) -> Vec<(String, String)> {
    let or_none = |v: &str, none: &str| {
        if v.trim().is_empty() {
            doc.t(none, &[])
        } else {
            v.trim().to_string()
        }
    };
    let published = doc
        .published_at
        .map(fmt_time)
        .unwrap_or_else(|| doc.t("export.notice.unpublished", &[]));
    let contact = if doc.info.contact.trim().is_empty() {
        doc.t("export.notice.contact_value", &[("department", doc.department.clone())])
    } else {
        doc.info.contact.trim().to_string()
    };
    let mut rows = vec![
        ("export.notice.when", doc.when()),
        ("export.notice.what", format!("{} {}", doc.plan, doc.plan_title)),
        ("cli.col.system", doc.system.clone()),
        ("cli.col.version", format!("{} → {}", doc.version_from, doc.version_to)),
        (
            "enum.NoticeField.services",
            or_none(&doc.info.services, "export.notice.not_given"),
        ),
        (
            "enum.NoticeField.user_groups",
            or_none(&doc.info.user_groups, "export.notice.not_given"),
        ),
        (
            "export.notice.impact",
            or_none(&doc.info.impact, "export.notice.not_given"),
        ),
        (
            "enum.NoticeField.user_action",
            or_none(&doc.info.user_action, "export.notice.not_given"),
        ),
    ];
    if !doc.info.student_arrangements.trim().is_empty() {
        rows.push((
            "enum.NoticeField.student_arrangements",
            doc.info.student_arrangements.trim().to_string(),
        ));
    }
    rows.extend([
        ("export.notice.audience", doc.audience.clone()),
        ("export.notice.contact", contact),
        ("export.notice.published", published),
    ]);
    if let Some(k) = doc.kind {
        rows.push((
            "record.field.publication_kind",
            doc.t(&format!("enum.PublicationKind.{}", k.as_str()), &[]),
        ));
    }
    rows.into_iter().map(|(key, value)| (doc.t(key, &[]), value)).collect()
}

/// The notice's heading and text labels in its language (the HTML).
impl NoticeDoc {
    pub(super) fn label(&self, key: &str) -> String {
        self.t(key, &[])
    }
}

/// Sender, recipients and date of the notice email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmlOptions {
    /// `addr@host` or `Name <addr@host>`.
    pub from: String,
    /// The same forms; none gives `undisclosed-recipients:;`.
    pub to: Vec<String>,
    /// The Date header: the notice's publication time, else this.
    pub now: Time,
}

/// The notice as an email message ready to send (CRLF line ends).
pub fn notice_eml(doc: &NoticeDoc, opts: &EmlOptions) -> Result<String> {
    let (_, from_addr) = split_address(&opts.from, "--from")?;
    let from = header_address(&opts.from, "--from")?;
    let to = if opts.to.is_empty() {
        "undisclosed-recipients:;".to_string()
    } else {
        opts.to
            .iter()
            .map(|a| header_address(a, "--to"))
            .collect::<Result<Vec<_>>>()?
            .join(",\r\n ")
    };
    let date = doc.published_at.unwrap_or(opts.now);
    let domain = from_addr.rsplit('@').next().unwrap_or("localhost");
    let message_id = format!("<notice.{}.{}@{}>", doc.plan, date.timestamp(), domain);
    let lang = doc.language.as_str();
    let mut m = String::new();
    m.push_str(&format!("Date: {}\r\n", date.with_timezone(&Local).to_rfc2822()));
    m.push_str(&format!("From: {from}\r\n"));
    m.push_str(&format!("To: {to}\r\n"));
    m.push_str(&format!("Subject: {}\r\n", encode_words(&doc.title())));
    m.push_str(&format!("Message-ID: {message_id}\r\n"));
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str("Content-Type: text/plain; charset=UTF-8\r\n");
    m.push_str("Content-Transfer-Encoding: base64\r\n");
    m.push_str(&format!("Content-Language: {lang}\r\n"));
    m.push_str(&format!("X-Beian-Plan: {}\r\n", doc.plan));
    m.push_str("\r\n");
    let body = notice_text(doc).replace('\n', "\r\n");
    let encoded = base64(body.as_bytes());
    for chunk in encoded.as_bytes().chunks(76) {
        m.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        m.push_str("\r\n");
    }
    Ok(m)
}

/// `Name <addr>` or `addr`, checked: one address, no spaces or controls in it.
fn split_address(s: &str, field: &str) -> Result<(Option<String>, String)> {
    let bad = || Error::input(field, s, &crate::i18n::t("expected.address", &[]));
    if s.chars().any(|c| c.is_control() || crate::sanitize::is_unsafe(c)) {
        return Err(bad());
    }
    let s = s.trim();
    let (name, addr) = match (s.rfind('<'), s.ends_with('>')) {
        (Some(i), true) => {
            let name = s[..i].trim().trim_matches('"').trim();
            (
                (!name.is_empty()).then(|| name.to_string()),
                s[i + 1..s.len() - 1].trim().to_string(),
            )
        }
        _ => (None, s.to_string()),
    };
    let ok_addr = addr
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && addr.is_ascii()
        && !addr.chars().any(|c| c.is_whitespace() || "<>()[],;:\"\\".contains(c));
    if !ok_addr {
        return Err(bad());
    }
    Ok((name, addr))
}

fn header_address(s: &str, field: &str) -> Result<String> {
    let (name, addr) = split_address(s, field)?;
    Ok(match name {
        None => addr,
        Some(n) if n.is_ascii() => {
            let n = n.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"{n}\" <{addr}>")
        }
        Some(n) => format!("{} <{addr}>", encode_words(&n)),
    })
}

/// RFC 2047 encoded-words (`=?UTF-8?B?…?=`), each at most 75 characters and
/// split between characters, folded onto continuation lines. ASCII text without
/// `=?` is left as it is.
pub(crate) fn encode_words(s: &str) -> String {
    if s.is_ascii() && !s.contains("=?") && s.len() <= 900 {
        return s.to_string();
    }
    // 39 bytes → 52 base64 characters; with `=?UTF-8?B?` and `?=` that is 64, so
    // `Subject: ` and the first word fit in 76 columns.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 39 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        o.push(A[(n >> 18) as usize & 63] as char);
        o.push(A[(n >> 12) as usize & 63] as char);
        o.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        o.push(if c.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn encoded_words_stay_short_and_split_between_characters() {
        let s = "更新预告：教务管理系统 V9.1.2 → V9.2.0（成绩Excel导入与移动端适配）";
        let e = encode_words(s);
        for w in e.split("\r\n ") {
            assert!(w.len() <= 75, "{w}");
            assert!(w.starts_with("=?UTF-8?B?") && w.ends_with("?="));
        }
        assert_eq!(encode_words("plain"), "plain");
    }

    #[test]
    fn addresses_are_checked() {
        assert!(split_address("imc@example.edu.cn", "from").is_ok());
        assert_eq!(
            header_address("信息化管理中心 <imc@example.edu.cn>", "from").unwrap(),
            format!("{} <imc@example.edu.cn>", encode_words("信息化管理中心"))
        );
        assert!(split_address("a@b\r\nBcc: x@y", "to").is_err());
        assert!(split_address("no at sign", "to").is_err());
        assert!(split_address("a@b, c@d", "to").is_err());
    }
}
