//! Where the data lives, who holds which role, and the process settings.
//!
//! The configuration belongs to the database: `<data dir>/config.toml`, written by
//! `beian init` and edited by its admin. The user who created the database is
//! always admin.
//!
//! ```toml
//! [roles.users]
//! wang = ["operator"]
//! li = ["approver"]
//! [roles.groups]
//! imc = ["operator"]          # Unix group → roles
//! [process]
//! notice_days = 3
//! [server]                    # limits of `beian serve` (docs/deploy.md)
//! max_connections_per_user = 16
//! [backup]
//! dir = "/var/backups/beian"  # where supervisors may write backups
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Actor, ChangeClass, Role};

/// A database's configuration, as `config.toml` gives it ([`Config::parse`]):
/// written and read in the file's own shape ([`ConfigFile`]), which keeps
/// reading the settings of older files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ConfigFile", try_from = "ConfigFile")]
pub struct Config {
    pub roles: Roles,
    /// The process settings, with the gates of each change class.
    pub process: Process,
    /// Limits of `beian serve`.
    pub server: ServerLimits,
    /// Where backups go.
    pub backup: BackupSettings,
    /// Attached files (issue 18).
    pub attachments: AttachmentSettings,
    /// Mail through the machine's MTA (`[mail]`).
    pub mail: MailSettings,
    /// After how long something needs someone (`beian attention`).
    pub attention: Attention,
}

/// `config.toml` as written: `[roles]`, `[process]`, `[class.<name>]`,
/// `[server]`, `[backup]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub roles: Roles,
    #[serde(default)]
    pub process: ProcessFile,
    /// The gates of each change class; what a class does not set is its default.
    #[serde(default)]
    pub class: ClassesFile,
    #[serde(default, skip_serializing_if = "ServerLimits::is_default")]
    pub server: ServerLimits,
    #[serde(default, skip_serializing_if = "BackupSettings::is_default")]
    pub backup: BackupSettings,
    #[serde(default, skip_serializing_if = "AttachmentSettings::is_default")]
    pub attachments: AttachmentSettings,
    #[serde(default, skip_serializing_if = "MailSettings::is_default")]
    pub mail: MailSettings,
    #[serde(default, skip_serializing_if = "Attention::is_default")]
    pub attention: Attention,
}

impl From<Config> for ConfigFile {
    fn from(c: Config) -> ConfigFile {
        let p = c.process;
        ConfigFile {
            roles: c.roles,
            process: ProcessFile {
                notice_days: None,
                approvers: None,
                review_days: None,
                backup_max_age_days: p.backup_max_age_days,
                clock_skew_minutes: p.clock_skew_minutes,
            },
            class: ClassesFile {
                standard: Some(ClassFile::of(ChangeClass::Standard, p.classes.standard)),
                normal: Some(ClassFile::of(ChangeClass::Normal, p.classes.normal)),
                major: Some(ClassFile::of(ChangeClass::Major, p.classes.major)),
                emergency: Some(ClassFile::of(ChangeClass::Emergency, p.classes.emergency)),
            },
            server: c.server,
            backup: c.backup,
            attachments: c.attachments,
            mail: c.mail,
            attention: c.attention,
        }
    }
}

impl TryFrom<ConfigFile> for Config {
    type Error = String;
    fn try_from(f: ConfigFile) -> std::result::Result<Config, String> {
        let classes = f.class.resolve(&f.process)?;
        f.server.check()?;
        if f.attachments.max_file_mib == 0 {
            return Err("[attachments] max_file_mib must be at least 1".into());
        }
        f.mail.check()?;
        f.attention.check()?;
        if let Some(d) = f.backup.dir.as_ref().filter(|d| !d.is_absolute()) {
            return Err(format!(
                "[backup] dir = {:?}: name the directory with an absolute path",
                d.display().to_string()
            ));
        }
        Ok(Config {
            roles: f.roles,
            process: Process {
                backup_max_age_days: f.process.backup_max_age_days,
                clock_skew_minutes: f.process.clock_skew_minutes,
                classes,
            },
            server: f.server,
            backup: f.backup,
            attachments: f.attachments,
            mail: f.mail,
            attention: f.attention,
        })
    }
}

/// What `beian serve` allows one connection and one user (docs/deploy.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerLimits {
    /// Connections the server takes at once, all users together; the last
    /// [`ADMIN_RESERVED`] of them only from admins, so that `beian status`
    /// always answers an admin.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Connections one user may hold at once (a terminal UI holds one, a
    /// command one while it runs).
    #[serde(default = "default_max_connections_per_user")]
    pub max_connections_per_user: u32,
    /// A connection that sends nothing for this long, and has not subscribed to
    /// updates (as the terminal UI does), is closed.
    #[serde(default = "default_idle_timeout_secs")]
    pub idle_timeout_secs: u64,
    /// How long a change waits behind another user's import before it is
    /// refused, naming the import.
    #[serde(default = "default_import_wait_secs")]
    pub import_wait_secs: u64,
    /// An import whose client sends nothing for this long is rolled back and
    /// its connection closed.
    #[serde(default = "default_import_idle_secs")]
    pub import_idle_secs: u64,
    /// An import still running after this long is rolled back and its
    /// connection closed: no import keeps the other writers out longer.
    #[serde(default = "default_import_max_secs")]
    pub import_max_secs: u64,
    /// A server started on demand (`beian serve --idle-exit`, which any
    /// `beian` of the database's owner starts when none answers) exits after
    /// this long without a client. `beian serve` in the foreground ignores it.
    #[serde(default = "default_idle_exit_secs")]
    pub idle_exit_secs: u64,
}

/// Connections of [`ServerLimits::max_connections`] that only admins may use.
pub const ADMIN_RESERVED: u32 = 4;

fn default_max_connections() -> u32 {
    256
}
fn default_max_connections_per_user() -> u32 {
    16
}
fn default_idle_timeout_secs() -> u64 {
    900
}
fn default_import_wait_secs() -> u64 {
    5
}
fn default_import_idle_secs() -> u64 {
    15
}
fn default_import_max_secs() -> u64 {
    1800
}
fn default_idle_exit_secs() -> u64 {
    600
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: default_max_connections(),
            max_connections_per_user: default_max_connections_per_user(),
            idle_timeout_secs: default_idle_timeout_secs(),
            import_wait_secs: default_import_wait_secs(),
            import_idle_secs: default_import_idle_secs(),
            import_max_secs: default_import_max_secs(),
            idle_exit_secs: default_idle_exit_secs(),
        }
    }
}

impl ServerLimits {
    fn is_default(&self) -> bool {
        *self == ServerLimits::default()
    }

    pub fn idle_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.idle_timeout_secs)
    }

    pub fn import_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.import_wait_secs)
    }

    pub fn import_idle(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.import_idle_secs)
    }

    pub fn import_max(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.import_max_secs)
    }

    pub fn idle_exit(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.idle_exit_secs)
    }

    /// Every limit must let something through.
    fn check(&self) -> std::result::Result<(), String> {
        let zero = [
            ("max_connections_per_user", u64::from(self.max_connections_per_user)),
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("import_idle_secs", self.import_idle_secs),
            ("import_max_secs", self.import_max_secs),
            ("idle_exit_secs", self.idle_exit_secs),
        ];
        if let Some((name, _)) = zero.iter().find(|(_, v)| *v == 0) {
            return Err(format!("[server] {name} must be at least 1"));
        }
        if self.max_connections <= ADMIN_RESERVED {
            return Err(format!(
                "[server] max_connections must be more than the {ADMIN_RESERVED} connections kept for admins"
            ));
        }
        Ok(())
    }
}

/// Attached files (`beian attach`, issue 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSettings {
    /// The largest file that may be attached, in MiB: a larger one is
    /// refused before anything is stored.
    #[serde(default = "default_max_file_mib")]
    pub max_file_mib: u64,
}

fn default_max_file_mib() -> u64 {
    crate::workflow::attach::DEFAULT_MAX_FILE_MIB
}

impl Default for AttachmentSettings {
    fn default() -> Self {
        AttachmentSettings {
            max_file_mib: default_max_file_mib(),
        }
    }
}

/// How messages reach the machine's mail transfer agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    /// The `sendmail` interface of postfix or exim (`sendmail = "/usr/sbin/sendmail"`).
    #[default]
    Sendmail,
    /// An SMTP relay on this machine (`smtp_host`, `smtp_port`), without TLS.
    Smtp,
}

/// `[mail]`: whether beian queues mail at all, how it is delivered, and which
/// kinds are switched off (docs/deploy.md). Messages are queued in the outbox
/// when `enabled`; `beian serve` and `beian mail send` deliver them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub transport: MailTransport,
    #[serde(default = "default_sendmail")]
    pub sendmail: PathBuf,
    #[serde(default = "default_smtp_host")]
    pub smtp_host: String,
    #[serde(default = "default_smtp_port")]
    pub smtp_port: u16,
    /// The From address; empty: `beian@` this machine's host name.
    #[serde(default)]
    pub from: String,
    /// Kinds not to queue (`notice`, `request_accepted`, … `digest`, `progress_report`).
    #[serde(default)]
    pub off: Vec<crate::model::MailKind>,
    /// Attempts before a message stays failed until `beian mail send --retry`.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// The first retry waits this long; each next one twice as long (at most a day).
    #[serde(default = "default_backoff")]
    pub backoff_secs: u64,
    /// How often the server looks at the outbox.
    #[serde(default = "default_poll")]
    pub poll_secs: u64,
}

fn yes() -> bool {
    true
}
fn default_sendmail() -> PathBuf {
    PathBuf::from("/usr/sbin/sendmail")
}
fn default_smtp_host() -> String {
    "127.0.0.1".into()
}
fn default_smtp_port() -> u16 {
    25
}
fn default_attempts() -> u32 {
    8
}
fn default_backoff() -> u64 {
    60
}
fn default_poll() -> u64 {
    30
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            enabled: true,
            transport: MailTransport::Sendmail,
            sendmail: default_sendmail(),
            smtp_host: default_smtp_host(),
            smtp_port: default_smtp_port(),
            from: String::new(),
            off: Vec::new(),
            max_attempts: default_attempts(),
            backoff_secs: default_backoff(),
            poll_secs: default_poll(),
        }
    }
}

/// `[attention]`: after how many days a record needs someone (`beian
/// attention`, issue 17; docs/deploy.md). The rules that use them are
/// `workflow::attention`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attention {
    /// A live plan not filed this many days after its go-live (§3.5, §4.3).
    #[serde(default = "default_unfiled_days")]
    pub unfiled_days: u32,
    /// A notice not published this many days before its deadline (the window's
    /// start less the class's notice days, §3.2) is about to be missed.
    #[serde(default = "default_notice_warn_days")]
    pub notice_warn_days: u32,
    /// A plan waiting for the Leading Group's decision this many days (§2.1).
    #[serde(default = "default_approval_days")]
    pub approval_days: u32,
    /// A rectification order due within this many days (§5.1).
    #[serde(default = "default_order_due_days")]
    pub order_due_days: u32,
    /// A request new or triaged but undecided this many days (§3.1, §4.3 promptly).
    #[serde(default = "default_request_days")]
    pub request_days: u32,
    /// A critical or major defect open this many days (§3.3).
    #[serde(default = "default_defect_days")]
    pub defect_days: u32,
    /// A defect sent to the vendor and still open this many days (§3.3).
    #[serde(default = "default_vendor_days")]
    pub vendor_days: u32,
}

fn default_unfiled_days() -> u32 {
    7
}
fn default_notice_warn_days() -> u32 {
    2
}
fn default_approval_days() -> u32 {
    5
}
fn default_order_due_days() -> u32 {
    3
}
fn default_request_days() -> u32 {
    7
}
fn default_defect_days() -> u32 {
    7
}
fn default_vendor_days() -> u32 {
    14
}

impl Default for Attention {
    fn default() -> Self {
        Attention {
            unfiled_days: default_unfiled_days(),
            notice_warn_days: default_notice_warn_days(),
            approval_days: default_approval_days(),
            order_due_days: default_order_due_days(),
            request_days: default_request_days(),
            defect_days: default_defect_days(),
            vendor_days: default_vendor_days(),
        }
    }
}

impl AttachmentSettings {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The limit in bytes.
    pub fn max_file(&self) -> u64 {
        self.max_file_mib.saturating_mul(1 << 20)
    }
}

impl MailSettings {
    fn is_default(&self) -> bool {
        *self == MailSettings::default()
    }

    /// Whether messages of `kind` are queued.
    pub fn wants(&self, kind: crate::model::MailKind) -> bool {
        self.enabled && !self.off.contains(&kind)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if !self.sendmail.is_absolute() {
            return Err(format!(
                "[mail] sendmail = {:?}: name the program with an absolute path",
                self.sendmail.display().to_string()
            ));
        }
        if !self.from.is_empty() && self.from.parse::<lettre::Address>().is_err() {
            return Err(format!("[mail] from = {:?}: not a mail address", self.from));
        }
        if self.max_attempts == 0 || self.max_attempts > 100 {
            return Err(format!("[mail] max_attempts = {}: 1 to 100", self.max_attempts));
        }
        if self.poll_secs == 0 || self.poll_secs > 86_400 {
            return Err(format!("[mail] poll_secs = {}: 1 to 86400", self.poll_secs));
        }
        Ok(())
    }
}

impl Attention {
    fn is_default(&self) -> bool {
        *self == Attention::default()
    }

    /// Each setting by its name in `config.toml`, with its value.
    pub fn settings(&self) -> [(&'static str, u32); 7] {
        [
            ("unfiled_days", self.unfiled_days),
            ("notice_warn_days", self.notice_warn_days),
            ("approval_days", self.approval_days),
            ("order_due_days", self.order_due_days),
            ("request_days", self.request_days),
            ("defect_days", self.defect_days),
            ("vendor_days", self.vendor_days),
        ]
    }

    /// Every threshold within a year (beyond it a setting is a typo).
    fn check(&self) -> std::result::Result<(), String> {
        match self.settings().into_iter().find(|(_, v)| *v > MAX_DAYS) {
            Some((name, v)) => Err(crate::i18n::t(
                "config.class.bounds",
                &[
                    ("setting", format!("[attention] {name}")),
                    ("value", v.to_string()),
                    ("min", "0".into()),
                    ("max", MAX_DAYS.to_string()),
                ],
            )),
            None => Ok(()),
        }
    }
}

/// Backups (`beian backup`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// The directory supervisors may write backups into (an absolute path,
    /// outside the data directory). Admins may write anywhere but the data
    /// directory; pruning (`--keep`) is for admins only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
}

impl BackupSettings {
    fn is_default(&self) -> bool {
        self.dir.is_none()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    #[serde(default)]
    pub users: BTreeMap<String, Vec<Role>>,
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<Role>>,
}

/// The process settings in force (`Ctx::rules`): `[process]` and the gates of
/// each change class (`[class.*]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// A backup confirmed longer than this before the go-live no longer counts.
    pub backup_max_age_days: u32,
    /// How far ahead of the server's clock a recorded time may lie (clock skew).
    pub clock_skew_minutes: u32,
    /// The gates of each change class.
    pub classes: Classes,
}

impl Default for Process {
    fn default() -> Self {
        Process {
            backup_max_age_days: default_backup_max_age_days(),
            clock_skew_minutes: default_clock_skew_minutes(),
            classes: Classes::default(),
        }
    }
}

impl Process {
    /// The gates of a change class: the one place the rules ask (quorum,
    /// notice days, soft blackout overrides, review days, template expiry).
    pub fn class(&self, class: ChangeClass) -> ClassGates {
        match class {
            ChangeClass::Standard => self.classes.standard,
            ChangeClass::Normal => self.classes.normal,
            ChangeClass::Major => self.classes.major,
            ChangeClass::Emergency => self.classes.emergency,
        }
    }

    /// The gates of a class, to change them (tests, the demo).
    pub fn class_mut(&mut self, class: ChangeClass) -> &mut ClassGates {
        match class {
            ChangeClass::Standard => &mut self.classes.standard,
            ChangeClass::Normal => &mut self.classes.normal,
            ChangeClass::Major => &mut self.classes.major,
            ChangeClass::Emergency => &mut self.classes.emergency,
        }
    }
}

/// `[process]` as written. `notice_days`, `approvers` and `review_days` are
/// from before change classes: when given, they are the normal class's
/// (`[class.normal]` may not set them too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvers: Option<u32>,
    #[serde(default = "default_backup_max_age_days")]
    pub backup_max_age_days: u32,
    #[serde(default = "default_clock_skew_minutes")]
    pub clock_skew_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_days: Option<u32>,
}

impl Default for ProcessFile {
    fn default() -> Self {
        ProcessFile {
            notice_days: None,
            approvers: None,
            backup_max_age_days: default_backup_max_age_days(),
            clock_skew_minutes: default_clock_skew_minutes(),
            review_days: None,
        }
    }
}

/// The gates of one change class (`[class.<name>]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassGates {
    /// Distinct members of the Leading Group who must approve a plan (§2.1).
    /// Standard: 0 — a standard change is covered by its template's approval,
    /// which takes the normal class's quorum.
    pub approvers: u32,
    /// Days the update notice must precede the window (0: before it starts).
    pub notice_days: u32,
    /// May the window lie in a soft blackout period, with a justification?
    pub soft_override: bool,
    /// Days after the go-live the post-implementation review is due (§4.3).
    pub review_days: u32,
    /// Standard only: months a template stays valid after its approval.
    pub template_months: u32,
}

/// The gates of every change class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classes {
    pub standard: ClassGates,
    pub normal: ClassGates,
    pub major: ClassGates,
    pub emergency: ClassGates,
}

impl Default for Classes {
    fn default() -> Self {
        Classes {
            standard: ClassGates::default_of(ChangeClass::Standard),
            normal: ClassGates::default_of(ChangeClass::Normal),
            major: ClassGates::default_of(ChangeClass::Major),
            emergency: ClassGates::default_of(ChangeClass::Emergency),
        }
    }
}

impl ClassGates {
    /// A class's gates when `config.toml` does not set them.
    pub fn default_of(class: ChangeClass) -> ClassGates {
        let (approvers, notice_days, soft_override, review_days, template_months) = match class {
            ChangeClass::Standard => (0, 3, true, 30, 12),
            ChangeClass::Normal => (1, 3, true, 30, 0),
            ChangeClass::Major => (2, 7, false, 30, 0),
            ChangeClass::Emergency => (1, 0, true, 5, 0),
        };
        ClassGates {
            approvers,
            notice_days,
            soft_override,
            review_days,
            template_months,
        }
    }
}

/// `[class.<name>]` as written: what is not given is the class's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_override: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_months: Option<u32>,
}

impl ClassFile {
    /// The settings a class has, as written back (standard has no approvers;
    /// only standard has template months).
    fn of(class: ChangeClass, g: ClassGates) -> ClassFile {
        let standard = class == ChangeClass::Standard;
        ClassFile {
            approvers: (!standard).then_some(g.approvers),
            notice_days: Some(g.notice_days),
            soft_override: Some(g.soft_override),
            review_days: Some(g.review_days),
            template_months: standard.then_some(g.template_months),
        }
    }
}

/// The `[class]` tables as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassesFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal: Option<ClassFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<ClassFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<ClassFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<ClassFile>,
}

/// Upper bounds of the class settings: beyond them a setting is a typo.
const MAX_APPROVERS: u32 = 20;
const MAX_DAYS: u32 = 365;
const MAX_TEMPLATE_MONTHS: u32 = 60;

impl ClassesFile {
    /// The gates in force: each class's defaults with what the file sets,
    /// `[process] approvers` and `notice_days` (from before classes) read as the
    /// normal class's, every setting within its bounds, and a major change
    /// never gated more loosely than a normal one.
    fn resolve(&self, process: &ProcessFile) -> std::result::Result<Classes, String> {
        use crate::i18n::t;
        let mut out = Classes::default();
        for class in ChangeClass::ALL.iter().copied() {
            let file = match class {
                ChangeClass::Standard => &self.standard,
                ChangeClass::Normal => &self.normal,
                ChangeClass::Major => &self.major,
                ChangeClass::Emergency => &self.emergency,
            };
            let empty = ClassFile::default();
            let f = file.as_ref().unwrap_or(&empty);
            let name = |key: &str| format!("[class.{class}] {key}");
            let g = match class {
                ChangeClass::Standard => &mut out.standard,
                ChangeClass::Normal => &mut out.normal,
                ChangeClass::Major => &mut out.major,
                ChangeClass::Emergency => &mut out.emergency,
            };
            let mut approvers = f.approvers;
            let mut notice_days = f.notice_days;
            let mut review_days = f.review_days;
            if class == ChangeClass::Normal {
                for (key, old, new) in [
                    ("approvers", process.approvers, &mut approvers),
                    ("notice_days", process.notice_days, &mut notice_days),
                    ("review_days", process.review_days, &mut review_days),
                ] {
                    if let Some(v) = old {
                        if new.is_some() {
                            return Err(t("config.class.both", &[("key", key.to_string())]));
                        }
                        *new = Some(v);
                    }
                }
            }
            if class == ChangeClass::Standard {
                if approvers.is_some() {
                    return Err(t("config.class.standard_approvers", &[("setting", name("approvers"))]));
                }
            } else if f.template_months.is_some() {
                return Err(t(
                    "config.class.template_months_only",
                    &[("setting", name("template_months"))],
                ));
            }
            let within = |key: &str, v: u32, min: u32, max: u32| {
                if v < min || v > max {
                    Err(t(
                        "config.class.bounds",
                        &[
                            ("setting", name(key)),
                            ("value", v.to_string()),
                            ("min", min.to_string()),
                            ("max", max.to_string()),
                        ],
                    ))
                } else {
                    Ok(v)
                }
            };
            if let Some(v) = approvers {
                g.approvers = within("approvers", v, 1, MAX_APPROVERS)?;
            }
            if let Some(v) = notice_days {
                g.notice_days = within("notice_days", v, 0, MAX_DAYS)?;
            }
            if let Some(v) = review_days {
                g.review_days = within("review_days", v, 1, MAX_DAYS)?;
            }
            if let Some(v) = f.template_months {
                g.template_months = within("template_months", v, 1, MAX_TEMPLATE_MONTHS)?;
            }
            if let Some(v) = f.soft_override {
                g.soft_override = v;
            }
        }
        // A major change's defaults are never looser than the normal class's
        // settings (an older file's `[process] approvers = 3` keeps working).
        let major = self.major.clone().unwrap_or_default();
        if major.approvers.is_none() {
            out.major.approvers = out.major.approvers.max(out.normal.approvers);
        }
        if major.notice_days.is_none() {
            out.major.notice_days = out.major.notice_days.max(out.normal.notice_days);
        }
        let (n, m) = (out.normal, out.major);
        let looser = [
            (
                "approvers",
                m.approvers < n.approvers,
                m.approvers.to_string(),
                n.approvers.to_string(),
            ),
            (
                "notice_days",
                m.notice_days < n.notice_days,
                m.notice_days.to_string(),
                n.notice_days.to_string(),
            ),
            (
                "soft_override",
                m.soft_override && !n.soft_override,
                m.soft_override.to_string(),
                n.soft_override.to_string(),
            ),
        ];
        if let Some((key, _, major, normal)) = looser.into_iter().find(|l| l.1) {
            return Err(t(
                "config.class.major_looser",
                &[("key", key.to_string()), ("major", major), ("normal", normal)],
            ));
        }
        Ok(out)
    }
}

fn default_backup_max_age_days() -> u32 {
    7
}
fn default_clock_skew_minutes() -> u32 {
    5
}

pub const CONFIG_FILE: &str = "config.toml";

/// A `config.toml` larger than this is refused before it is parsed: it is a
/// few lines, and the server reads it at every connection.
pub const MAX_CONFIG: u64 = 256 << 10;

impl Config {
    /// Read `<dir>/config.toml`: a regular file nobody but the data directory's
    /// owner may change (src/datadir.rs), of at most [`MAX_CONFIG`] bytes. A
    /// missing file is refused ([`Error::ConfigMissing`]): without it every
    /// role but the creator's would be gone.
    pub fn load(dir: &Path) -> Result<Config> {
        use std::io::Read;
        let path = dir.join(CONFIG_FILE);
        crate::datadir::check_config(dir, &path)?;
        let file = match crate::fsutil::open_regular(&path, crate::fsutil::Purpose::Read) {
            Ok(f) => f,
            Err(Error::Io { .. }) if !path.exists() => {
                return Err(Error::ConfigMissing {
                    path: path.display().to_string(),
                    recorded: String::new(),
                })
            }
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        file.take(MAX_CONFIG + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&path, e))?;
        if bytes.len() as u64 > MAX_CONFIG {
            return Err(Error::Config {
                path: path.display().to_string(),
                detail: crate::i18n::t("config.too_large", &[("limit", crate::fsutil::size_label(MAX_CONFIG))]),
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| Error::Config {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        Config::parse(&text, &path)
    }

    /// Parse a configuration; an error names the file, the line and the
    /// setting (`config.toml:7: process.notice_days = "3": expected a whole
    /// number …`).
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| config_error(text, path, &e))?;
        Config::try_from(file).map_err(|detail| Error::Config {
            path: path.display().to_string(),
            detail,
        })
    }

    /// The roles of a user: the creator is admin; then by name, then by group.
    pub fn roles_for(&self, user: &str, groups: &[String], creator: &str) -> Vec<Role> {
        let mut roles = Vec::new();
        if user == creator {
            roles.push(Role::Admin);
        }
        if let Some(r) = self.roles.users.get(user) {
            roles.extend(r);
        }
        for g in groups {
            if let Some(r) = self.roles.groups.get(g) {
                roles.extend(r);
            }
        }
        roles.sort();
        roles.dedup();
        roles
    }

    /// The text `beian init` writes: the defaults, commented.
    pub fn template(creator: &str) -> String {
        format!(
            "# beian configuration for this database (see README: Roles).\n\
             # {creator} created the database and is always admin.\n\
             # Roles: admin, operator, approver, supervisor, viewer.\n\n\
             [roles.users]\n\
             # wang = [\"operator\"]\n\
             # li = [\"approver\"]\n\n\
             [roles.groups]\n\
             # imc = [\"operator\"]\n\n\
             [process]\n\
             # A backup confirmed longer ago than this before the go-live no longer counts.\n\
             backup_max_age_days = 7\n\
             # How far ahead of the clock a recorded time (a go-live) may lie.\n\
             clock_skew_minutes = 5\n\n\
             # Change classes (docs/process.md §2.1, §3.2), each with its gates:\n\
             #   approvers      distinct Leading Group members who approve a plan\n\
             #   notice_days    days the update notice precedes the window (0: before it starts)\n\
             #   soft_override  may a window lie in a soft blackout period, with a justification\n\
             #   review_days    the post-implementation review is due this many days after go-live\n\
             # A major change is never gated more loosely than a normal one. Older files'\n\
             # [process] approvers and notice_days are read as [class.normal]'s.\n\
             [class.normal]\n\
             approvers = 1\n\
             notice_days = 3\n\
             soft_override = true\n\
             review_days = 30\n\n\
             [class.major]\n\
             approvers = 2\n\
             notice_days = 7\n\
             soft_override = false\n\
             review_days = 30\n\n\
             [class.emergency]\n\
             # Notice as soon as possible; listed for the supervision group.\n\
             approvers = 1\n\
             notice_days = 0\n\
             soft_override = true\n\
             review_days = 5\n\n\
             [class.standard]\n\
             # Instances of a template approved once by the normal class's quorum:\n\
             # no approval of their own. A template is valid template_months after approval.\n\
             notice_days = 3\n\
             soft_override = true\n\
             review_days = 30\n\
             template_months = 12\n\n\
             [server]\n\
             # Limits of `beian serve` (docs/deploy.md), shown with their defaults.\n\
             # Connections one user may hold at once (a TUI holds one).\n\
             # max_connections_per_user = 16\n\
             # All users together; the last 4 are kept for admins.\n\
             # max_connections = 256\n\
             # A connection that sends nothing and has not subscribed to updates is closed after:\n\
             # idle_timeout_secs = 900\n\
             # A change waiting behind an import is refused after:\n\
             # import_wait_secs = 5\n\
             # An import that sends nothing for this long is rolled back:\n\
             # import_idle_secs = 15\n\
             # No import holds the database longer than:\n\
             # import_max_secs = 1800\n\
             # A server started on demand (by any beian of this database's owner) exits\n\
             # after this long without a client (`beian serve` in the foreground stays):\n\
             # idle_exit_secs = 600\n\n\
             [backup]\n\
             # The directory supervisors may write backups into (admins: anywhere\n\
             # but the data directory; only admins prune with --keep).\n\
             # dir = \"/var/backups/beian\"\n\n\
             [attachments]\n\
             # The largest file `beian attach` takes, in MiB (refused before anything is stored).\n\
             # max_file_mib = 50\n\n\
             [attention]\n\
             # After how many days a record needs someone (`beian attention`), with\n\
             # their defaults (docs/deploy.md):\n\
             # A live plan not filed after:\n\
             # unfiled_days = 7\n\
             # A notice not published this many days before its deadline:\n\
             # notice_warn_days = 2\n\
             # A plan waiting for the Leading Group's decision:\n\
             # approval_days = 5\n\
             # A rectification order due within:\n\
             # order_due_days = 3\n\
             # A request new or triaged and not decided:\n\
             # request_days = 7\n\
             # A critical or major defect open:\n\
             # defect_days = 7\n\
             # A defect sent to the vendor and still open:\n\
             # vendor_days = 14\n"
        )
    }
}

/// The setting a TOML error is about (`process.notice_days`), as toml names
/// it when it is not showing the excerpt.
fn error_field(e: &toml::de::Error) -> Option<String> {
    let mut bare = e.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    let field = shown.lines().last()?.strip_prefix("in `")?.strip_suffix('`')?;
    Some(field.to_string())
}

/// What a setting takes, for the message when it holds something else.
fn expected_of(field: &str) -> Option<String> {
    let parts: Vec<&str> = field.split('.').collect();
    let t = crate::i18n::t;
    Some(match parts.as_slice() {
        ["process" | "server" | "attention", _] => t("config.expected.number", &[]),
        ["class", _, "soft_override"] => t("config.expected.bool", &[]),
        ["class", _, _] => t("config.expected.number", &[]),
        ["roles", "users" | "groups", _, ..] => t("config.expected.roles", &[]),
        ["backup", "dir"] => t("config.expected.path", &[]),
        [_] | ["roles" | "class", _] => t("config.expected.section", &[("field", field.to_string())]),
        _ => return None,
    })
}

/// The error of parsing `text` (the file `path`): file and line, then the
/// setting, what it holds and what it takes, in the user's language where beian
/// knows the setting; toml's own words for a syntax error.
fn config_error(text: &str, path: &Path, e: &toml::de::Error) -> Error {
    let start = e.span().map(|s| s.start.min(text.len()));
    let line = start.map(|s| text[..s].matches('\n').count() + 1);
    let at = match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    };
    let field = error_field(e);
    let value = e
        .span()
        .and_then(|s| text.get(s.start.min(text.len())..s.end.min(text.len())))
        .map(|v| {
            let v: String = v.chars().take(60).collect();
            crate::sanitize::clean_line(&v)
        })
        .unwrap_or_default();
    let detail = match &field {
        // "unknown field `notice_dayz`, expected one of `notice_days`, …"
        _ if e.message().starts_with("unknown field") => {
            let mut names = e
                .message()
                .split('`')
                .skip(1)
                .step_by(2)
                .map(crate::sanitize::clean_line);
            let name = names.next().unwrap_or_default();
            let known: Vec<String> = names.collect();
            let within = field.as_ref().map(|f| format!("{f}.")).unwrap_or_default();
            crate::i18n::t(
                "config.unknown_field",
                &[("field", format!("{within}{name}")), ("known", known.join(", "))],
            )
        }
        Some(f) => match expected_of(f) {
            Some(expected) if !value.is_empty() => crate::i18n::t(
                "config.bad_value",
                &[("field", f.clone()), ("value", value), ("expected", expected)],
            ),
            _ => format!("{f}: {}", e.message()),
        },
        None => crate::i18n::t("config.syntax", &[("detail", e.message().to_string())]),
    };
    Error::Config { path: at, detail }
}

/// The operating-system user running this process.
pub fn os_user_name() -> String {
    let uid = nix::unistd::getuid();
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid{uid}"))
}

/// The Unix groups of the user running this process.
pub fn os_groups() -> Vec<String> {
    let mut gids = nix::unistd::getgroups().unwrap_or_default();
    gids.push(nix::unistd::getegid());
    let mut names: Vec<String> = gids
        .into_iter()
        .filter_map(|g| nix::unistd::Group::from_gid(g).ok().flatten().map(|g| g.name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The actor for this process: the OS user and the roles the config gives it.
pub fn local_actor(config: &Config, creator: &str) -> Actor {
    let name = os_user_name();
    let roles = config.roles_for(&name, &os_groups(), creator);
    Actor { name, roles, via: None }
}

/// `$XDG_DATA_HOME/beian`.
pub fn default_data_dir() -> PathBuf {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .map(|s| s.data_dir())
        .unwrap_or_else(|_| PathBuf::from("."))
        .join("beian")
}

/// Where `beian demo` puts its data when no database is named: never the real one.
pub fn default_demo_dir() -> PathBuf {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .map(|s| s.data_dir())
        .unwrap_or_else(|_| PathBuf::from("."))
        .join("beian-demo")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_line() {
        let e = Config::parse("[roles.users]\nwang = [\"boss\"]\n", Path::new("c.toml")).unwrap_err();
        match e {
            Error::Config { path, .. } => assert_eq!(path, "c.toml:2"),
            other => panic!("{other:?}"),
        }
    }

    fn parse(text: &str) -> std::result::Result<Config, String> {
        Config::parse(text, Path::new("c.toml")).map_err(|e| match e {
            Error::Config { detail, .. } => detail,
            other => format!("{other:?}"),
        })
    }

    #[test]
    fn the_template_is_the_defaults_and_round_trips() {
        let c = parse(&Config::template("root")).unwrap();
        assert_eq!(c, Config::default());
        let d = Classes::default();
        assert_eq!(
            (d.normal.approvers, d.normal.notice_days, d.normal.soft_override),
            (1, 3, true)
        );
        assert_eq!(
            (d.major.approvers, d.major.notice_days, d.major.soft_override),
            (2, 7, false)
        );
        assert_eq!(
            (d.emergency.approvers, d.emergency.notice_days, d.emergency.review_days),
            (1, 0, 5)
        );
        assert_eq!((d.standard.approvers, d.standard.template_months), (0, 12));
        let mut c = Config::default();
        c.process.classes.emergency.review_days = 3;
        c.process.classes.standard.template_months = 6;
        let text = toml::to_string(&c).unwrap();
        assert_eq!(parse(&text).unwrap(), c, "{text}");
    }

    #[test]
    fn an_older_file_keeps_working() {
        // [process] approvers and notice_days are the normal class's.
        let c = parse("[process]\nnotice_days = 5\napprovers = 3\n").unwrap();
        let n = c.process.class(ChangeClass::Normal);
        assert_eq!((n.approvers, n.notice_days), (3, 5));
        // A major change is never gated more loosely: its defaults follow.
        let m = c.process.class(ChangeClass::Major);
        assert_eq!((m.approvers, m.notice_days), (3, 7));
        // Set in both places: refused, naming both.
        let e = parse("[process]\napprovers = 2\n[class.normal]\napprovers = 2\n").unwrap_err();
        assert!(
            e.contains("[process] approvers") && e.contains("[class.normal] approvers"),
            "{e}"
        );
    }

    #[test]
    fn class_settings_are_checked() {
        for (text, says) in [
            ("[class.standard]\napprovers = 1\n", "[class.standard] approvers"),
            (
                "[class.normal]\ntemplate_months = 6\n",
                "[class.normal] template_months",
            ),
            ("[class.emergency]\napprovers = 0\n", "[class.emergency] approvers = 0"),
            ("[class.normal]\nreview_days = 0\n", "[class.normal] review_days = 0"),
            (
                "[class.standard]\ntemplate_months = 61\n",
                "[class.standard] template_months = 61",
            ),
            (
                "[class.normal]\napprovers = 2\n[class.major]\napprovers = 1\n",
                "[class.major] approvers = 1",
            ),
            (
                "[class.major]\nsoft_override = true\n[class.normal]\nsoft_override = false\n",
                "soft_override",
            ),
            (
                "[class.normal]\nnotice_days = 8\n[class.major]\nnotice_days = 7\n",
                "notice_days",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
        let e = parse("[class.minor]\napprovers = 1\n").unwrap_err();
        assert!(e.contains("minor"), "{e}");
        let e = parse("[class.major]\nsoft_override = \"no\"\n").unwrap_err();
        assert!(e.contains("class.major.soft_override"), "{e}");
        let c = parse("[class.emergency]\nnotice_days = 1\nreview_days = 3\n").unwrap();
        assert_eq!(c.process.class(ChangeClass::Emergency).notice_days, 1);
        assert_eq!(c.process.class(ChangeClass::Emergency).review_days, 3);
    }

    #[test]
    fn attention_thresholds_have_defaults_and_are_checked() {
        let c = parse("[attention]\nunfiled_days = 14\nrequest_days = 0\n").unwrap();
        assert_eq!((c.attention.unfiled_days, c.attention.request_days), (14, 0));
        assert_eq!(c.attention.approval_days, Attention::default().approval_days);
        let text = toml::to_string(&c).unwrap();
        assert_eq!(parse(&text).unwrap(), c, "{text}");
        // Errors name the line and the setting.
        let e = Config::parse("[process]\n[attention]\nvendor_days = \"two\"\n", Path::new("c.toml")).unwrap_err();
        match e {
            Error::Config { path, detail } => {
                assert_eq!(path, "c.toml:3");
                assert!(detail.contains("attention.vendor_days"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        let e = Config::parse("[attention]\nunfiled_dayz = 3\n", Path::new("c.toml")).unwrap_err();
        assert!(
            matches!(&e, Error::Config { path, detail } if path == "c.toml:2" && detail.contains("unfiled_dayz")),
            "{e:?}"
        );
        let e = parse("[attention]\ndefect_days = 400\n").unwrap_err();
        assert!(e.contains("[attention] defect_days = 400"), "{e}");
    }

    #[test]
    fn creator_is_admin_and_groups_count() {
        let c = Config::parse(
            "[roles.users]\nli = [\"approver\"]\n[roles.groups]\nimc = [\"operator\"]\n",
            Path::new("c"),
        )
        .unwrap();
        assert_eq!(c.roles_for("root", &[], "root"), vec![Role::Admin]);
        assert_eq!(
            c.roles_for("li", &["imc".into()], "root"),
            vec![Role::Operator, Role::Approver]
        );
        assert!(c.roles_for("nobody", &[], "root").is_empty());
    }
}
