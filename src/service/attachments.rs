//! Reading attached files (issue 18 §1): the list of a record's attachments
//! and one file's content, checked against its SHA-256; the same permission
//! as reading the record (a confidential report's files: supervisors).

use crate::error::{Error, Result};
use crate::model::*;
use crate::workflow::{self as wf, Op};

use super::Service;

impl Service {
    /// May `actor` read `entity` (and so its files)? It must exist.
    fn can_read_entity(&self, actor: &Actor, entity: Id) -> Result<()> {
        match entity.kind {
            IdKind::Report => {
                wf::check(actor, Op::ReadReports)?;
                self.store().require::<ConfidentialReport>(entity).map(|_| ())
            }
            IdKind::Dossier => {
                self.can_read(actor)?;
                self.store()
                    .dossier(entity)?
                    .ok_or_else(|| Error::not_found(entity))
                    .map(|_| ())
            }
            IdKind::Request => self.request(actor, entity).map(|_| ()),
            IdKind::Plan => self.plan(actor, entity).map(|_| ()),
            IdKind::Order => self.order(actor, entity).map(|_| ()),
            _ => {
                self.can_read(actor)?;
                Ok(())
            }
        }
    }

    /// The files attached to a record, in order.
    pub fn attachments(&self, actor: &Actor, entity: Id) -> Result<Vec<AttachmentEntry>> {
        self.can_read_entity(actor, entity)?;
        self.store().attachments_of(&entity.to_string())
    }

    /// One attached file by its name (or `#N`, its number) with its content,
    /// checked against its SHA-256 (a changed file is refused, exit 6).
    pub fn attachment_content(&self, actor: &Actor, entity: Id, name: &str) -> Result<AttachmentFile> {
        let list = self.attachments(actor, entity)?;
        let by_no = name.strip_prefix('#').and_then(|n| n.parse::<u32>().ok());
        let entry = list
            .into_iter()
            .find(|e| e.name == name || Some(e.no) == by_no)
            .ok_or_else(|| Error::not_found(format!("{entity} {name}")))?;
        let bytes = self.store().file_content(&entry.sealed_ref())?;
        Ok(AttachmentFile {
            entry,
            content: Content::new(bytes),
        })
    }

    /// Take in one piece of a file sent ahead of an attach command over the
    /// socket: refused over the limit before anything is kept.
    pub fn check_upload(&self, name: &str, size: u64) -> Result<()> {
        wf::attach::check_size(name, size, self.config().attachments.max_file())
    }
}
