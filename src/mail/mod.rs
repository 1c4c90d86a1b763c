//! Mail through the machine's own mail transfer agent (issue 17): the
//! transport (`transport.rs`: lettre's sendmail interface, or an SMTP relay on
//! this machine). Who gets what is `workflow::mail`; the outbox and its
//! delivery are `service/mail.rs`; the server's delivery thread is
//! `server/mail.rs`.

pub mod transport;
