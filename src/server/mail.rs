//! The server's delivery thread: every `[mail] poll_secs` it hands the due
//! messages of the outbox to the MTA (`Service::deliver_due`). A failing or
//! missing MTA leaves them queued with its answer; nothing here blocks a change.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{log, Shared};

pub(super) fn spawn(shared: Arc<Shared>) {
    let spawned = std::thread::Builder::new().name("mail".into()).spawn(move || {
        let mut last = Instant::now() - Duration::from_secs(86_400);
        while !shared.stopping.load(Ordering::SeqCst) {
            let (enabled, poll) = {
                let s = shared.read();
                (s.config().mail.enabled, s.config().mail.poll_secs)
            };
            if enabled && last.elapsed() >= Duration::from_secs(poll) {
                last = Instant::now();
                let stop = || shared.stopping.load(Ordering::SeqCst);
                match shared.read().deliver_due(chrono::Utc::now(), &stop) {
                    Ok(r) => {
                        if !r.sent.is_empty() {
                            log(format_args!("mail: {} sent", r.sent.len()));
                        }
                        for (id, e) in &r.failed {
                            log(format_args!("mail: {id} not sent: {e}"));
                        }
                    }
                    Err(e) => log(format_args!("mail: {}", e.message())),
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    if let Err(e) = spawned {
        log(format_args!("mail: cannot start the delivery thread: {e}"));
    }
}
