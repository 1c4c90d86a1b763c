//! Issue 15, "real updates take real paths": each everyday exception walked end
//! to end through the real binary, one module per area. A path that needs a
//! second person (an approver who did not write the plan) runs in a database
//! `beian demo` created, acting as its people with `--as` (the CLI's `:as`).

mod after_golive;
mod attachments;
mod attention;
mod changes;
mod classes;
mod cli;
mod mail;
mod people;
mod pinyin;
mod requests;
mod reschedule;
mod schedule;
mod supervision;

/// `--as` acts as a demo person: the change is recorded as theirs, via you.
#[test]
fn as_acts_as_a_demo_person() {
    let d = cli::Demo::new();
    let who = d.ok("zhangwei", &["whoami"]);
    assert!(who.contains("zhangwei"), "{who}");
    let refused = d.refused("nosuchperson", &["whoami"]);
    assert!(refused.contains("nosuchperson"), "{refused}");
}
