//! The one permission table (§2, §5.1): which role may perform which operation.
//! Every interface goes through [`check`]; nothing else decides what is allowed.

use serde::{Deserialize, Serialize};

use super::RuleError;
use crate::model::{Actor, Role};

macro_rules! ops {
    ($($v:ident = $s:literal : [$($r:ident),*]),+ $(,)?) => {
        /// An operation subject to permission. Every command and query maps to one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Op { $($v),+ }
        impl Op {
            pub const ALL: &'static [Op] = &[$(Op::$v),+];
            pub fn as_str(self) -> &'static str { match self { $(Op::$v => $s),+ } }
            /// The roles allowed to perform this operation.
            pub fn roles(self) -> &'static [Role] { match self { $(Op::$v => &[$(Role::$r),*]),+ } }
        }
    };
}

ops! {
    ReadRecords = "read": [Admin, Operator, Approver, Supervisor, Viewer],
    ReadAudit = "audit.read": [Supervisor],
    ReadReports = "report.read": [Supervisor],
    SystemEdit = "system.edit": [Admin],
    CalendarEdit = "calendar.edit": [Admin],
    RequestAdd = "request.add": [Admin, Operator],
    RequestTriage = "request.triage": [Admin, Operator],
    RequestEdit = "request.edit": [Admin, Operator],
    RequestComment = "request.comment": [Admin, Operator, Approver, Supervisor],
    RequestLink = "request.link": [Admin, Operator],
    PlanEdit = "plan.edit": [Admin, Operator],
    PlanSubmit = "plan.submit": [Admin, Operator],
    PlanDecide = "plan.decide": [Approver],
    RiskAccept = "risk.accept": [Approver],
    PlanNotice = "plan.notice": [Admin, Operator],
    PlanImplement = "plan.implement": [Admin, Operator],
    PlanCancel = "plan.cancel": [Admin, Operator, Approver],
    TestRecord = "test.record": [Admin, Operator],
    BackupConfirm = "backup.confirm": [Admin, Operator],
    GoLiveRecord = "golive.record": [Admin, Operator],
    TrainingRecord = "training.record": [Admin, Operator],
    PlanFile = "plan.file": [Admin, Operator],
    PlanReview = "plan.review": [Admin, Operator],
    DossierAddendum = "dossier.addendum": [Admin, Operator, Supervisor],
    OrderIssue = "order.issue": [Supervisor],
    OrderRespond = "order.respond": [Admin, Operator],
    OrderClose = "order.close": [Supervisor],
    // Extend a deadline, send a response back, reopen a closed order (§5.1).
    OrderReview = "order.review": [Supervisor],
    ReportSubmit = "report.submit": [Admin, Operator, Approver, Supervisor, Viewer],
    ReportHandle = "report.handle": [Supervisor],
    ServerStatus = "server.status": [Admin, Supervisor],
    RecognitionRecord = "recognition.record": [Admin, Supervisor],
    // Attach files to a record (issue 18): whoever writes or decides records.
    AttachmentAdd = "attachment.add": [Admin, Operator, Approver, Supervisor],
    // A supervisor writes backups only into the backup directory of config.toml;
    // pruning them and any other destination are the admin's (service::backup).
    Backup = "backup.write": [Admin, Supervisor],
    BackupManage = "backup.manage": [Admin],
    Maintain = "store.maintain": [Admin],
    // The register of people, departments and vendors (issue 17).
    RegisterEdit = "register.edit": [Admin, Operator],
    // Queue the digest or the progress report; read and deliver the outbox.
    MailQueue = "mail.queue": [Admin, Operator, Supervisor],
    MailRead = "mail.read": [Admin, Operator, Supervisor],
    MailSend = "mail.send": [Admin, Operator, Supervisor],
}

/// May `role` perform `op`?
pub fn allowed(role: Role, op: Op) -> bool {
    op.roles().contains(&role)
}

/// Refuse unless one of the actor's roles allows `op`.
pub fn check(actor: &Actor, op: Op) -> Result<(), RuleError> {
    if actor.roles.iter().any(|r| allowed(*r, op)) {
        Ok(())
    } else {
        Err(RuleError::Forbidden {
            user: actor.name.clone(),
            op: op.as_str().to_string(),
            roles: actor.roles.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supervisors_alone_read_audit_and_reports() {
        for r in Role::ALL {
            assert_eq!(allowed(r, Op::ReadAudit), r == Role::Supervisor);
            assert_eq!(allowed(r, Op::ReadReports), r == Role::Supervisor);
        }
    }

    #[test]
    fn only_admins_prune_backups_or_choose_where_they_go() {
        for r in Role::ALL {
            assert_eq!(allowed(r, Op::BackupManage), r == Role::Admin);
        }
    }

    #[test]
    fn only_approvers_decide() {
        for r in Role::ALL {
            assert_eq!(allowed(r, Op::PlanDecide), r == Role::Approver);
        }
    }
}
