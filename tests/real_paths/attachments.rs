//! Issue 18 §1–§2: files attached to records, stored once by their SHA-256 in
//! chunks, sealed into the dossier, checked by `beian verify`, carried by
//! backups; the dossier as a package that `sha256sum -c` and `beian verify
//! --package` check, printed by a real browser.

use std::path::{Path, PathBuf};

use super::cli::{run, Demo};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn first_id(d: &Demo, args: &[&str]) -> String {
    let out = d.ok("wanglei", args);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array().unwrap()[0]["id"].as_str().unwrap().to_string()
}

/// (files, chunks) stored, read through the library with the database closed.
fn counts(db: &Path) -> (usize, usize) {
    let s = beian::service::Service::open(db).unwrap();
    s.raw_store().file_counts()
}

/// Flip one byte of the stored chunk holding `needle` (or remove it): someone
/// editing the database files. Returns (key, original) to put it back.
fn tamper(db: &Path, needle: &[u8], remove: bool) -> (Vec<u8>, Vec<u8>) {
    let s = beian::service::Service::open(db).unwrap();
    let store = s.raw_store();
    let (k, v) = store
        .raw_entries("chunks")
        .unwrap()
        .into_iter()
        .find(|(_, v)| v.windows(needle.len()).any(|w| w == needle))
        .expect("the chunk is stored");
    if remove {
        store.raw_set("chunks", &k, None).unwrap();
    } else {
        let mut bad = v.clone();
        let i = bad.len() / 2;
        bad[i] ^= 1;
        store.raw_set("chunks", &k, Some(&bad)).unwrap();
    }
    (k, v)
}

fn put_back(db: &Path, k: &[u8], v: &[u8]) {
    let s = beian::service::Service::open(db).unwrap();
    s.raw_store().raw_set("chunks", k, Some(v)).unwrap();
}

/// The dossier of the demo whose sealed attachments include the vendor's test report.
fn dossier_with_report(d: &Demo) -> String {
    let list: serde_json::Value = serde_json::from_str(&d.ok("wanglei", &["archive", "list", "--json"])).unwrap();
    for x in list.as_array().unwrap() {
        let id = x["id"].as_str().unwrap();
        let json = d.ok("wanglei", &["export", "dossier", id, "--format", "json"]);
        if json.contains("厂商测试报告.txt") {
            return id.to_string();
        }
    }
    panic!("no demo dossier seals the vendor's test report");
}

#[test]
fn files_are_stored_once_checked_sealed_and_carried_by_backups() {
    let d = Demo::new();
    let tmp = tempfile::tempdir().unwrap();
    // A limit of 1 MiB for this database.
    let cfg = d.db.join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("\n[attachments]\nmax_file_mib = 1\n");
    std::fs::write(&cfg, text).unwrap();
    let req = first_id(&d, &["request", "list", "--json"]);
    let plan = first_id(&d, &["plan", "list", "--json"]);

    let empty = write(tmp.path(), "empty.txt", b"");
    let one = write(tmp.path(), "one.txt", b"x");
    // Three chunks (256 KiB each, the last shorter), no two alike.
    let big: Vec<u8> = (0..600 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let multi = write(tmp.path(), "会议纪要.pdf", &big);
    let over = write(tmp.path(), "too-big.bin", &vec![7u8; (1 << 20) + 1]);

    let before = counts(&d.db);
    // Over the limit: refused, naming the file, nothing stored.
    let o = d.run(Some("wanglei"), "en", &["attach", &req, over.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("too-big.bin") && o.stderr.contains("1.0 MiB"),
        "{}",
        o.stderr
    );
    assert_eq!(counts(&d.db), before, "nothing stored");
    let o = d.run(Some("wanglei"), "en", &["attachments", &req]);
    assert!(o.stdout.contains("has no attachments"), "{}", o.stdout);

    // 0 bytes, 1 byte, three chunks.
    d.ok(
        "wanglei",
        &[
            "attach",
            &req,
            empty.to_str().unwrap(),
            one.to_str().unwrap(),
            multi.to_str().unwrap(),
            "--kind",
            "minutes",
        ],
    );
    let after = counts(&d.db);
    assert_eq!(after, (before.0 + 3, before.1 + 4), "3 files; chunks: 0 + 1 + 3");
    // The same file again, on another record: stored once.
    d.ok("wanglei", &["attach", &plan, multi.to_str().unwrap()]);
    assert_eq!(counts(&d.db), after, "the same file is stored once");
    // The same name again on one record is refused.
    let o = d.run(Some("wanglei"), "en", &["attach", &req, one.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    // A viewer may not attach.
    d.refused("huangli", &["attach", &plan, one.to_str().unwrap()]);

    let list = d.ok("wanglei", &["attachments", &req]);
    for name in ["empty.txt", "one.txt", "会议纪要.pdf", "signed minutes"] {
        assert!(list.contains(name), "{name}: {list}");
    }
    let zh = d.run(Some("wanglei"), "zh-CN", &["attachments", &req]);
    assert!(zh.stdout.contains("签字会议纪要"), "{}", zh.stdout);
    for (name, bytes) in [("empty.txt", &b""[..]), ("one.txt", b"x"), ("会议纪要.pdf", &big)] {
        let to = tmp.path().join(format!("got-{name}"));
        d.ok(
            "wanglei",
            &["attachment", "get", &req, name, "-o", to.to_str().unwrap()],
        );
        assert_eq!(std::fs::read(&to).unwrap(), bytes, "{name}");
    }
    let audit = d.ok("zhaomin", &["audit", "--entity", &req]);
    assert!(
        audit.contains("attach files") && audit.contains("+empty.txt"),
        "{audit}"
    );

    // Filing sealed the vendor's report into a dossier; a changed byte of it
    // is named by verify, and so is a missing chunk, and one of ours.
    let file = dossier_with_report(&d);
    d.ok("wanglei", &["verify"]);
    let (k, v) = tamper(&d.db, "厂商测试报告".as_bytes(), false);
    let o = d.run(None, "en", &["verify"]);
    assert_eq!(o.code, 6, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("厂商测试报告.txt") && o.stderr.contains("was changed"),
        "{}",
        o.stderr
    );
    let _ = &file;
    put_back(&d.db, &k, &v);
    let (k, v) = tamper(&d.db, "厂商测试报告".as_bytes(), true);
    let o = d.run(None, "en", &["verify"]);
    assert!(
        o.code == 6 && o.stderr.contains("厂商测试报告.txt") && o.stderr.contains("missing"),
        "{}",
        o.stderr
    );
    put_back(&d.db, &k, &v);
    let (k, v) = tamper(&d.db, &big[300 * 1024..300 * 1024 + 64], false);
    let o = d.run(None, "en", &["verify"]);
    assert!(o.code == 6 && o.stderr.contains("会议纪要.pdf"), "{}", o.stderr);
    put_back(&d.db, &k, &v);
    d.ok("wanglei", &["verify"]);

    // Backup and restore carry every file.
    let backups = tmp.path().join("backups");
    run(&d.db, None, "en", &["backup", backups.to_str().unwrap()]);
    let backup = std::fs::read_dir(&backups).unwrap().next().unwrap().unwrap().path();
    let restored = tmp.path().join("restored");
    let o = run(
        &d.db,
        None,
        "en",
        &[
            "restore",
            backup.to_str().unwrap(),
            "--into",
            restored.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(counts(&restored), after);
    let to = tmp.path().join("restored.pdf");
    let o = run(
        &restored,
        None,
        "en",
        &["attachment", "get", &req, "会议纪要.pdf", "-o", to.to_str().unwrap()],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(std::fs::read(&to).unwrap(), big);
    let o = run(&restored, None, "en", &["verify"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

fn sha256sum_c(dir: &Path) -> std::process::Output {
    std::process::Command::new("sha256sum")
        .args(["-c", "--quiet", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Rewrite SHA256SUMS for the files as they are now (what a forger would do).
fn fresh_sums(dir: &Path) {
    use sha2::Digest;
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut out = String::new();
    for line in sums.lines() {
        let (_, path) = line.split_once("  ").unwrap();
        let h = sha2::Sha256::digest(std::fs::read(dir.join(path)).unwrap());
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!("{hex}  {path}\n"));
    }
    std::fs::write(dir.join("SHA256SUMS"), out).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn the_package_of_a_demo_dossier_is_checked_inside_and_outside_beian() {
    let d = Demo::new();
    let tmp = tempfile::tempdir().unwrap();
    let file = dossier_with_report(&d);
    let pkg = tmp.path().join("pkg");
    let o = d.run(
        Some("wanglei"),
        "zh-CN",
        &[
            "export",
            "dossier",
            &file,
            "--format",
            "dir",
            "-o",
            pkg.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    for f in ["dossier.md", "dossier.json", "dossier.html", "seal.json", "SHA256SUMS"] {
        assert!(pkg.join(f).is_file(), "{f}");
    }
    let sums = std::fs::read_to_string(pkg.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("厂商测试报告.txt"), "{sums}");
    let seal = std::fs::read_to_string(pkg.join("seal.json")).unwrap();
    // The chain head in the package is one the database's history holds.
    let v: serde_json::Value = serde_json::from_str(&seal).unwrap();
    let head = format!("{}:{}", v["head"]["seq"], v["head"]["seal"].as_str().unwrap());
    d.ok("wanglei", &["verify", "--expect", &head]);
    assert!(v["digest"].as_str().unwrap().len() == 64, "{seal}");
    // Outside beian.
    let c = sha256sum_c(&pkg);
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stdout));
    // Inside: the package agrees with the sealed record.
    let ok = d.ok("wanglei", &["verify", "--package", pkg.to_str().unwrap()]);
    assert!(ok.contains(&file), "{ok}");
    // An existing directory is not written into.
    let o = d.run(
        Some("wanglei"),
        "en",
        &[
            "export",
            "dossier",
            &file,
            "--format",
            "dir",
            "-o",
            pkg.to_str().unwrap(),
        ],
    );
    assert_ne!(o.code, 0);

    // Accidental damage: sha256sum -c sees it, and so does beian.
    let damaged = tmp.path().join("damaged");
    copy_dir(&pkg, &damaged);
    let md = std::fs::read_to_string(damaged.join("dossier.md")).unwrap();
    std::fs::write(damaged.join("dossier.md"), md.replacen("测试", "侧试", 1)).unwrap();
    assert!(!sha256sum_c(&damaged).status.success());
    let o = d.run(
        Some("wanglei"),
        "en",
        &["verify", "--package", damaged.to_str().unwrap()],
    );
    assert_eq!(o.code, 6, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("dossier.md"), "{}", o.stderr);
    // A changed text with fresh sums: sha256sum -c passes, beian does not.
    fresh_sums(&damaged);
    assert!(sha256sum_c(&damaged).status.success());
    let o = d.run(
        Some("wanglei"),
        "en",
        &["verify", "--package", damaged.to_str().unwrap()],
    );
    assert_eq!(o.code, 6, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("dossier.md") && o.stderr.contains("differs from the sealed record"),
        "{}",
        o.stderr
    );
    // The same for an attachment swapped in the package.
    let swapped = tmp.path().join("swapped");
    copy_dir(&pkg, &swapped);
    let att = std::fs::read_dir(swapped.join("attachments"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let report = std::fs::read_dir(&att).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&report, "全部测试通过（伪造）").unwrap();
    fresh_sums(&swapped);
    let o = d.run(
        Some("wanglei"),
        "en",
        &["verify", "--package", swapped.to_str().unwrap()],
    );
    assert_eq!(o.code, 6, "{}{}", o.stdout, o.stderr);

    // The HTML: self-contained, escaped, A4, printed by a real browser into a
    // PDF whose pages hold the dossier's Chinese text.
    let html = std::fs::read_to_string(pkg.join("dossier.html")).unwrap();
    assert!(html.contains("size: A4") && html.contains("Noto Serif CJK SC"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pkg.join("dossier.json")).unwrap()).unwrap();
    let system = json["dossier"]["system"]["name"].as_str().unwrap().to_string();
    let title = json["dossier"]["plan"]["title"].as_str().unwrap().to_string();
    let Some(text) = print_to_pdf_text(&pkg.join("dossier.html"), tmp.path()) else {
        return;
    };
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for want in [
        &system,
        &title,
        &"签字盖章".to_string(),
        &"厂商测试报告.txt".to_string(),
    ] {
        let w: String = want.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(flat.contains(&w), "the PDF lacks {want:?}:\n{text}");
    }
}

/// The update notice as print-ready HTML, escaped.
#[test]
fn the_notice_prints_as_html() {
    let d = Demo::new();
    let plan = first_id(&d, &["plan", "list", "--json"]);
    let html = d.ok("wanglei", &["export", "notice", &plan, "--format", "html"]);
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("size: A4"),
        "{html}"
    );
    assert!(html.contains("更新预告") || html.contains("Update notice"), "{html}");
}

/// Chromium from the distribution prints `html` to a PDF; pdftotext reads it
/// back. None (with a message) where they are not installed — a failure under
/// `CI=true`, whose `.ci/run` installs them.
fn print_to_pdf_text(html: &Path, tmp: &Path) -> Option<String> {
    let have = |c: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("chromium") || !have("pdftotext") {
        let msg = "chromium or pdftotext is not installed (apt-get install -y chromium fonts-noto-cjk poppler-utils): the HTML was not printed";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{msg}; CI=true, so this is a failure");
        }
        eprintln!("NOT CHECKED: {msg}");
        return None;
    }
    let profile = tempfile::tempdir_in(tmp).unwrap();
    let pdf = tmp.join("out.pdf");
    let child = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", html.display()),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Ended by its pid, also when the test fails.
    struct Guard(std::process::Child);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut g = Guard(child);
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = g.0.try_wait().unwrap() {
            assert!(status.success() || pdf.is_file(), "chromium failed: {status}");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "chromium took over 120 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(pdf.is_file(), "chromium wrote no PDF");
    let out = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let pages = std::process::Command::new("pdfinfo").arg(&pdf).output().ok();
    if let Some(p) = pages {
        let info = String::from_utf8_lossy(&p.stdout).into_owned();
        assert!(info.contains("Pages:"), "{info}");
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// An imported email keeps its attachments on the request it creates.
#[test]
fn an_imported_email_keeps_its_attachments() {
    let d = Demo::new();
    let tmp = tempfile::tempdir().unwrap();
    let shot = b"\x89PNG\r\n\x1a\nnot really an image";
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(shot);
    let eml = format!(
        "From: =?UTF-8?B?5byg5LiJ?= <zhangsan@example.edu.cn>\r\nTo: imc@example.edu.cn\r\nSubject: =?UTF-8?B?6YCJ6K++57O757uf5oql6ZSZ?=\r\nMessage-ID: <att-1@example.edu.cn>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee the screenshot\r\n--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"screen.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
    );
    let path = write(tmp.path(), "mail.eml", eml.as_bytes());
    d.ok("wanglei", &["import", path.to_str().unwrap()]);
    let list: serde_json::Value = serde_json::from_str(&d.ok("wanglei", &["request", "list", "--json"])).unwrap();
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"].as_str() == Some("选课系统报错"))
        .expect("the imported request")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = d.ok("wanglei", &["attachments", &id]);
    assert!(
        list.contains("screen.png") && list.contains("email attachment"),
        "{list}"
    );
    let to = tmp.path().join("got.png");
    d.ok(
        "wanglei",
        &["attachment", "get", &id, "screen.png", "-o", to.to_str().unwrap()],
    );
    assert_eq!(std::fs::read(&to).unwrap(), shot);
}

/// `show` ends with the files attached to the record, the same section the
/// terminal UI's detail shows (issue 18 §1): the plan's own, and for a dossier
/// its own (sealed addenda, named) and its plan's; none, no section.
#[test]
fn show_lists_the_attached_files_as_the_tui_detail_does() {
    let d = Demo::new();
    let plan = d.ok("wanglei", &["plan", "show", "PLAN-2026-0005"]);
    assert!(
        plan.contains("Attached files") && plan.contains("厂商测试报告.txt") && plan.contains("test report"),
        "{plan}"
    );
    let dossier = d.ok("wanglei", &["archive", "show", "FILE-2026-0003"]);
    let files = &dossier[dossier.rfind("Attached files").expect("the section")..];
    assert!(
        files.contains("现场培训签到表.csv") && files.contains("FILE-2026-0003#1"),
        "{files}"
    );
    let bare = d.ok("wanglei", &["plan", "show", "PLAN-2026-0001"]);
    assert!(!bare.contains("Attached files"), "{bare}");
}
