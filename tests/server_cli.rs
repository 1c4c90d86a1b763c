//! The CLI through `beian serve`: the same commands and the same JSON as when it
//! opens the database itself; `beian status` for admins and supervisors; a client
//! finds the server through owner.lock; roles are read again at each connection.

mod server_support;

use server_support::*;

const ADD: &[&str] = &[
    "--json",
    "request",
    "add",
    "--title",
    "教务系统选课页面超时",
    "--body",
    "选课高峰期页面加载超过 30 秒。",
    "--submitter",
    "李老师",
    "--submitter-type",
    "teacher",
    "--department",
    "教务处",
    "--channel",
    "email",
];

#[test]
fn cli_round_trip_through_the_server_matches_the_local_output() {
    let mut srv = Server::start(&config_for(&["operator", "supervisor"]));
    let added = srv.cli(ADD).json();
    let id = added["entity"].as_str().unwrap().to_string();
    assert!(id.starts_with("REQ-"), "{added}");
    assert_eq!(added["rev"], 1);
    let who = srv.cli(&["--json", "whoami"]).json();
    assert_eq!(who["user"], me());
    assert_eq!(who["roles"], serde_json::json!(["operator", "supervisor"]));
    let remote_list = srv.cli(&["--json", "request", "list"]).json();
    let remote_show = srv.cli(&["--json", "request", "show", &id]).json();
    assert_eq!(remote_list[0]["id"], id.as_str());
    let audit = srv.cli(&["--json", "audit"]).json();
    assert_eq!(audit[0]["action"], "request.add");
    assert_eq!(audit[0]["actor"], me());

    // A clean stop: exit 0, the socket removed, the database free for a local open.
    assert_eq!(srv.stop(), Some(0), "{}", srv.log());
    assert!(!srv.socket.exists());
    let local = |args: &[&str]| run_cli(args, &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(local(&["--json", "request", "list"]).json(), remote_list);
    assert_eq!(local(&["--json", "request", "show", &id]).json(), remote_show);
    let local_who = local(&["--json", "whoami"]).json();
    assert_eq!(local_who, who);
}

#[test]
fn status_is_for_admins_and_supervisors_and_roles_reload_per_connection() {
    let srv = Server::start(&config_for(&["operator"]));
    let refused = srv.cli(&["status"]);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("may not see the server status"),
        "{}",
        refused.stderr
    );

    srv.set_config(&config_for(&["supervisor"]));
    let st = srv.cli(&["--json", "status"]).json();
    assert_eq!(st["socket"], path_str(&srv.socket));
    assert_eq!(st["db"], path_str(&srv.db));
    assert_eq!(st["pid"], srv.pid());
    let users: Vec<&str> = st["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, vec![me().as_str()]);
    let text = srv.cli(&["status"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("uptime") && text.stdout.contains(path_str(&srv.socket)),
        "{}",
        text.stdout
    );

    srv.set_config(&config_for(&["admin"]));
    assert_eq!(srv.cli(&["status"]).code, 0);
    srv.set_config(&config_for(&["viewer"]));
    assert_eq!(srv.cli(&["status"]).code, 3);
    // Without a server there is no status.
    let none = run_cli(&["status"], &[("BEIAN_DB", srv.tmp.path().join("other").as_os_str())]);
    assert_eq!(none.code, 1, "{}", none.stderr);
}

/// A client that tries the default socket still finds the server: the
/// database's owner.lock names it. A socket the user named is another matter:
/// it answers or that is the error (issue 14: it used to fall back to another
/// socket, or to opening the database in the client's own process).
#[test]
fn a_client_finds_the_server_through_owner_lock_but_a_named_socket_must_answer() {
    let mut srv = Server::start(&config_for(&["operator"]));
    let holder = std::fs::read_to_string(srv.db.join("owner.lock")).unwrap();
    assert!(
        holder.starts_with("beian serve (pid ") && holder.ends_with(&format!(" at {}", srv.socket.display())),
        "{holder}"
    );
    // The default socket (here DB/beian.sock) is not the server's: owner.lock is.
    let out = run_cli(&["whoami"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(path_str(&srv.socket)), "{}", out.stdout);
    let out = run_cli(&["--json", "request", "list"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(out.json(), serde_json::json!([]));

    // A named socket where nobody answers: an error naming it, not another way in.
    let elsewhere = srv.tmp.path().join("nobody-here.sock");
    let named = |args: &[&str]| {
        let mut a = vec!["--socket", path_str(&elsewhere)];
        a.extend_from_slice(args);
        run_cli(&a, &[("BEIAN_DB", srv.db.as_os_str())])
    };
    for args in [&["whoami"][..], &["request", "list"]] {
        let out = named(args);
        assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr
                .contains(&format!("no beian server answers at {}", elsewhere.display())),
            "{}",
            out.stderr
        );
    }
    // The same through BEIAN_SOCKET, with the server stopped and the database
    // free: never opened by the client itself.
    assert_eq!(srv.stop(), Some(0), "{}", srv.log());
    let out = srv.cli(&["--json", "request", "add", "--title", "x", "--submitter", "y"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains(&format!("no beian server answers at {}", srv.socket.display())),
        "{}",
        out.stderr
    );
    // The database saw nothing: no request was added locally.
    let local = run_cli(&["--json", "request", "list"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(local.json(), serde_json::json!([]));
}

/// The gates of the process hold through the server exactly as in a local
/// process (issue 12): the same core refuses, with the same exit code and message.
#[test]
fn the_gates_hold_through_the_server() {
    let srv = Server::start(&config_for(&["admin", "operator", "approver", "supervisor"]));
    let refused = |args: &[&str], says: &str| {
        let out = srv.cli(args);
        assert_eq!(out.code, 3, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    };
    let req = srv.cli(ADD).json()["entity"].as_str().unwrap().to_string();
    refused(&["request", "triage", &req, "accept"], "before its analysis is written");
    srv.cli(&[
        "system",
        "add",
        "--name",
        "教务管理系统",
        "--department",
        "教务处",
        "--version",
        "5.1",
    ]);
    let plan = srv
        .cli(&[
            "--json", "plan", "new", "--system", "SYS-0001", "--title", "升级", "--to", "5.2",
        ])
        .json()["entity"]
        .as_str()
        .unwrap()
        .to_string();
    let day = |d: i64| {
        (chrono::Local::now() + chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let (past_start, past_end) = (format!("{} 22:00", day(-3)), format!("{} 23:00", day(-3)));
    refused(
        &[
            "plan",
            "edit",
            &plan,
            "--window-start",
            &past_start,
            "--window-end",
            &past_end,
        ],
        "which is not after now",
    );
    let (start, end) = (format!("{} 22:00", day(10)), format!("{} 23:30", day(10)));
    for args in [
        vec!["--goals", "目标", "--content", "内容", "--approach", "方案"],
        vec!["--window-start", &start, "--window-end", &end],
        vec![
            "--backup-plan",
            "备份",
            "--rollback-plan",
            "回退",
            "--migrates-data",
            "no",
        ],
    ] {
        let mut a = vec!["plan", "edit", plan.as_str()];
        a.extend(args);
        assert_eq!(srv.cli(&a).code, 0);
    }
    srv.cli(&[
        "plan",
        "risk",
        "add",
        &plan,
        "--description",
        "失败",
        "--mitigation",
        "回退",
    ]);
    srv.cli(&["plan", "staff", "add", &plan, "--person", "王磊", "--role", "负责人"]);
    let submitted = srv.cli(&["plan", "submit", &plan]);
    assert_eq!(submitted.code, 0, "{}", submitted.stderr);
    refused(&["plan", "approve", &plan], "contributed to");
    refused(
        &[
            "supervision",
            "order",
            "issue",
            "--plan",
            &plan,
            "--finding",
            "未备案",
            "--action",
            "补交",
            "--deadline",
            &day(-1),
        ],
        "is before today",
    );
}
