//! Building an RFC 5322 message from an outbox record (UTF-8, RFC 2047 encoded
//! headers by lettre's builder) and handing it to the MTA.

use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::Transport as _;

use crate::config::{MailSettings, MailTransport};
use crate::model::{Id, MailMessage, Time};

/// The MTA as `[mail]` names it.
pub enum Transport {
    Sendmail(lettre::SendmailTransport),
    Smtp(Box<lettre::SmtpTransport>),
}

impl Transport {
    pub fn from_settings(s: &MailSettings) -> Transport {
        match s.transport {
            MailTransport::Sendmail => {
                Transport::Sendmail(lettre::SendmailTransport::new_with_command(s.sendmail.as_os_str()))
            }
            MailTransport::Smtp => Transport::Smtp(Box::new(
                lettre::SmtpTransport::builder_dangerous(&s.smtp_host)
                    .port(s.smtp_port)
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            )),
        }
    }

    /// Hand one message over; the error is the MTA's answer, as text.
    pub fn send(&self, m: &lettre::Message) -> Result<(), String> {
        match self {
            Transport::Sendmail(t) => t.send(m).map_err(|e| one_line(&e.to_string())),
            Transport::Smtp(t) => t.send(m).map(|_| ()).map_err(|e| one_line(&e.to_string())),
        }
    }
}

fn one_line(s: &str) -> String {
    crate::sanitize::clean_line(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// This machine's name, for the From address and Message-IDs.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .unwrap_or_else(|| "localhost".into())
}

/// The From address: `[mail] from`, else `beian@` this machine.
pub fn from_address(s: &MailSettings) -> String {
    if s.from.is_empty() {
        format!("beian@{}", host_name())
    } else {
        s.from.clone()
    }
}

/// The Message-ID a message keeps for every attempt: its id, a hash of when it
/// was queued and the From domain (`<MAIL-2026-0001.3f2a9c…@example.edu.cn>`).
pub fn message_id(id: Id, queued: Time, s: &MailSettings) -> String {
    use sha2::Digest;
    let from = from_address(s);
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())
        .unwrap_or_else(host_name);
    let h = sha2::Sha256::digest(format!("{id} {}", queued.timestamp_nanos_opt().unwrap_or_default()));
    let hex: String = h.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("<{id}.{hex}@{domain}>")
}

/// A header-safe display name: no control characters, no line breaks (lettre
/// encodes what is not ASCII as RFC 2047).
fn safe(s: &str) -> String {
    crate::sanitize::clean_line(s).replace(['\r', '\n'], " ")
}

/// The message as the MTA receives it. Every untrusted text goes through
/// lettre's builder (addresses parsed, headers encoded) after
/// [`crate::sanitize`]: nothing can add a header.
pub fn build(m: &MailMessage, s: &MailSettings) -> Result<lettre::Message, String> {
    let from: lettre::Address = from_address(s).parse().map_err(|e| format!("from: {e}"))?;
    let mut b = lettre::Message::builder()
        .from(Mailbox::new(Some("beian".into()), from))
        .subject(safe(&m.subject))
        .message_id(Some(m.message_id.clone()))
        .header(ContentType::TEXT_PLAIN);
    let mut any = false;
    for a in &m.to {
        if a.email.is_empty() {
            continue;
        }
        let addr: lettre::Address = a.email.trim().parse().map_err(|e| format!("{}: {e}", a.email))?;
        let name = safe(&a.name);
        b = b.to(Mailbox::new((!name.is_empty()).then_some(name), addr));
        any = true;
    }
    if !any {
        return Err("no address to send to".into());
    }
    b.body(crate::sanitize::clean(&m.body)).map_err(|e| e.to_string())
}
