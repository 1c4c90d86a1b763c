//! The register pane (8): the register's people, departments and vendors,
//! the mail outbox with each message's delivery state, or the names written in
//! the records that the register does not settle (`t` cycles them); "send
//! now" (`s`), add (`a`) and edit (`e`) a record of the register, and say
//! which record a name names (`r`) — the same queries and commands as `beian
//! register … list|add|edit`, `beian mail list|send` and `beian people resolve`.

use super::super::action::Action;
use super::super::state::{FormKind, RegisterView, State};
use super::super::worker::Job;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::{Department, Id, MailMessage, Person, Register, Vendor};
use crate::workflow::people::Unresolved;

/// A record of the register.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    Person(&'a Person),
    Department(&'a Department),
    Vendor(&'a Vendor),
}

impl Entry<'_> {
    /// The record and the revision an edit is based on.
    pub fn target(&self) -> (Id, u64) {
        match self {
            Entry::Person(p) => (p.id, p.meta.rev),
            Entry::Department(d) => (d.id, d.meta.rev),
            Entry::Vendor(v) => (v.id, v.meta.rev),
        }
    }

    pub fn new_form(&self) -> FormKind {
        match self {
            Entry::Person(_) => FormKind::NewPerson,
            Entry::Department(_) => FormKind::NewDepartment,
            Entry::Vendor(_) => FormKind::NewVendor,
        }
    }

    pub fn edit_form(&self) -> FormKind {
        match self {
            Entry::Person(_) => FormKind::EditPerson,
            Entry::Department(_) => FormKind::EditDepartment,
            Entry::Vendor(_) => FormKind::EditVendor,
        }
    }

    /// Its fields as its form shows them, by field name (lists joined with `, `).
    pub fn values(&self) -> Vec<(&'static str, String)> {
        match self {
            Entry::Person(p) => vec![
                ("name", p.name.clone()),
                ("department", p.department.clone()),
                ("email", p.email.clone()),
                ("phone", p.phone.clone()),
                ("lang", p.lang.clone()),
                ("login", p.login.clone()),
            ],
            Entry::Department(d) => vec![
                ("name", d.name.clone()),
                ("head", d.head.clone()),
                ("distribution", d.distribution.join(", ")),
            ],
            Entry::Vendor(v) => vec![
                ("name", v.name.clone()),
                ("contacts", v.contacts.join(", ")),
                ("support", v.support.clone()),
            ],
        }
    }
}

/// The records of the register in the order the list shows them.
fn entries(r: &Register) -> impl Iterator<Item = Entry<'_>> {
    r.people
        .iter()
        .map(Entry::Person)
        .chain(r.departments.iter().map(Entry::Department))
        .chain(r.vendors.iter().map(Entry::Vendor))
}

/// The record `id` of the register as loaded.
pub fn entry(s: &State, id: Id) -> Option<Entry<'_>> {
    entries(&s.register.register).find(|e| e.target().0 == id)
}

/// The record of the register under the cursor (the register view only).
pub fn selected_entry(s: &State) -> Option<Entry<'_>> {
    if s.register.view != RegisterView::Register {
        return None;
    }
    entries(&s.register.register).nth(s.register.cursor.selected)
}

/// The names to resolve as shown (empty while not loaded or refused).
pub fn names(s: &State) -> &[Unresolved] {
    match &s.register.names {
        Some(Ok(v)) => v,
        _ => &[],
    }
}

/// The name under the cursor (the names view only).
pub fn selected_name(s: &State) -> Option<&Unresolved> {
    if s.register.view != RegisterView::Names {
        return None;
    }
    names(s).get(s.register.cursor.selected)
}

/// Is `a` one of the current view's (the status bar hints only these)?
pub fn in_view(s: &State, a: Action) -> bool {
    match a {
        Action::RegisterAdd | Action::RegisterEditEntry => s.register.view == RegisterView::Register,
        Action::RegisterResolve => s.register.view == RegisterView::Names,
        _ => true,
    }
}

/// One row of the register list: id, kind label, name, details.
pub fn register_rows(r: &Register) -> Vec<[String; 4]> {
    let mut out = Vec::new();
    for p in &r.people {
        let mut reach = vec![p.department.clone(), p.email.clone(), p.phone.clone()];
        reach.retain(|x| !x.is_empty());
        out.push([
            p.id.to_string(),
            t("tui.register.person", &[]),
            p.name.clone(),
            reach.join(" · "),
        ]);
    }
    for d in &r.departments {
        let mut x = Vec::new();
        if !d.head.is_empty() {
            x.push(d.head.clone());
        }
        x.push(d.distribution.join(", "));
        out.push([
            d.id.to_string(),
            t("tui.register.department", &[]),
            d.name.clone(),
            x.join(" · "),
        ]);
    }
    for v in &r.vendors {
        out.push([
            v.id.to_string(),
            t("tui.register.vendor", &[]),
            v.name.clone(),
            v.support.clone(),
        ]);
    }
    out
}

/// The outbox as shown (empty when it may not be read or is not loaded).
pub fn outbox(s: &State) -> &[MailMessage] {
    match &s.register.outbox {
        Some(Ok(v)) => v,
        _ => &[],
    }
}

pub fn len(s: &State) -> usize {
    match s.register.view {
        RegisterView::Outbox => outbox(s).len(),
        RegisterView::Names => names(s).len(),
        RegisterView::Register => entries(&s.register.register).count(),
    }
}

/// The id of the selected row (for a name: the first record it is written on).
pub fn selected(s: &State) -> Option<Id> {
    let i = s.register.cursor.selected;
    match s.register.view {
        RegisterView::Outbox => outbox(s).get(i).map(|m| m.id),
        RegisterView::Names => names(s).get(i).and_then(|u| u.records.first().copied()),
        RegisterView::Register => selected_entry(s).map(|e| e.target().0),
    }
}

/// Read the register and the outbox again, and the names when they are shown.
pub fn load(s: &mut State, fx: &mut Vec<Effect>) {
    s.register.loading = true;
    fx.push(Effect::Job(Job::Register));
    if s.register.view == RegisterView::Names {
        load_names(s, fx);
    }
}

fn load_names(s: &mut State, fx: &mut Vec<Effect>) {
    s.register.names_loading = true;
    fx.push(Effect::Job(Job::UnresolvedNames));
}

pub fn loaded(s: &mut State, register: Register, outbox: std::result::Result<Vec<MailMessage>, String>) {
    let keep = selected(s).filter(|_| s.register.view == RegisterView::Register);
    s.register.loading = false;
    s.register.register = register;
    s.register.outbox = Some(outbox);
    if let Some(id) = s.register.select.take() {
        if let Some(i) = self::outbox(s).iter().position(|m| m.id == id) {
            s.register.view = RegisterView::Outbox;
            s.register.cursor.selected = i;
        }
    }
    // A record just added (or the one that was selected) stays under the cursor.
    let new = s.select_after_load.filter(|id| {
        matches!(
            id.kind,
            crate::model::IdKind::Person | crate::model::IdKind::Department | crate::model::IdKind::Vendor
        )
    });
    if let Some(id) = new.or(keep) {
        if let Some(i) = entries(&s.register.register).position(|e| e.target().0 == id) {
            if new.is_some() {
                s.select_after_load = None;
            }
            if s.register.view == RegisterView::Register {
                s.register.cursor.selected = i;
            }
        }
    }
    let n = len(s);
    s.register.cursor.clamp(n);
}

/// The names to resolve came back (or why they may not be read).
pub fn names_loaded(s: &mut State, list: std::result::Result<Vec<Unresolved>, String>) {
    let keep = selected_name(s).map(|u| (u.text.clone(), u.department.clone()));
    s.register.names_loading = false;
    s.register.names = Some(list);
    if let Some(key) = keep {
        if let Some(i) = names(s)
            .iter()
            .position(|u| (&u.text, &u.department) == (&key.0, &key.1))
        {
            s.register.cursor.selected = i;
        }
    }
    if s.register.view == RegisterView::Names {
        let n = len(s);
        s.register.cursor.clamp(n);
    }
}

pub fn sent(s: &mut State, r: crate::service::mail::SendReport, fx: &mut Vec<Effect>) {
    let text = t(
        "mail.sent_summary",
        &[
            ("sent", r.sent.len().to_string()),
            ("failed", r.failed.len().to_string()),
        ],
    );
    s.toast(text, !r.failed.is_empty());
    load(s, fx);
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    // Whether the user may change the register is the core's answer.
    if let Err(why) = super::offers::check(s, a) {
        return s.toast(why, true);
    }
    match a {
        Action::RegisterToggle => {
            s.register.view = match s.register.view {
                RegisterView::Register => RegisterView::Outbox,
                RegisterView::Outbox => RegisterView::Names,
                RegisterView::Names => RegisterView::Register,
            };
            s.register.cursor = Default::default();
            if s.register.outbox.is_none() && !s.register.loading {
                load(s, fx);
            } else if s.register.view == RegisterView::Names && !s.register.names_loading {
                // Read afresh each time: any record may have written a name.
                load_names(s, fx);
            }
        }
        Action::MailSendNow => fx.push(Effect::Job(Job::MailSend)),
        Action::RegisterAdd => match s.register.view {
            // A record of the kind under the cursor; the form's first field changes it.
            RegisterView::Register => {
                let kind = selected_entry(s).map_or(FormKind::NewPerson, |e| e.new_form());
                forms::open(s, kind, fx);
            }
            _ => s.toast(t("tui.register.in_register_view", &[]), true),
        },
        Action::RegisterEditEntry => match selected_entry(s).map(|e| e.edit_form()) {
            Some(kind) => forms::open(s, kind, fx),
            None => s.toast(t("tui.register.in_register_view", &[]), true),
        },
        Action::RegisterResolve => {
            if selected_name(s).is_some() {
                forms::open(s, FormKind::ResolveName, fx);
            } else {
                s.toast(t("tui.register.in_names_view", &[]), true);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::state::{Popup, RegisterView};
    use super::super::super::Msg;
    use super::*;
    use crate::model::*;
    use crate::service::Command;
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

    fn state(roles: &[Role]) -> State {
        let (keymap, _) = super::super::super::keymap::Keymap::load(None);
        let mut s = State::new("wanglei".into(), roles.to_vec(), "here".into(), keymap, vec![]);
        s.loading = false;
        s.pane = crate::tui::action::Pane::Register;
        let now = chrono::Utc::now();
        let mut meta = Meta::new("wanglei", now);
        meta.rev = 3;
        s.register.register = Register {
            people: vec![Person {
                id: Id::new(IdKind::Person, 0, 1),
                name: "王磊".into(),
                department: "网络信息中心".into(),
                email: "wanglei@example.edu.cn".into(),
                phone: "62781234".into(),
                lang: String::new(),
                login: "wanglei".into(),
                aliases: Vec::new(),
                meta: meta.clone(),
            }],
            departments: vec![Department {
                id: Id::new(IdKind::Department, 0, 1),
                name: "教务处".into(),
                head: "刘洋".into(),
                distribution: vec!["jwc@example.edu.cn".into()],
                aliases: Vec::new(),
                meta: meta.clone(),
            }],
            vendors: Vec::new(),
        };
        s.register.outbox = Some(Ok(Vec::new()));
        s.register.names = Some(Ok(vec![
            crate::workflow::people::Unresolved {
                text: "李娜".into(),
                department: String::new(),
                parts: vec![NameRole::Tester],
                records: vec![Id::new(IdKind::Plan, 2026, 2)],
                count: 2,
                candidates: vec![
                    crate::workflow::people::Candidate {
                        id: Id::new(IdKind::Person, 0, 7),
                        name: "李娜".into(),
                        department: "教务处".into(),
                    },
                    crate::workflow::people::Candidate {
                        id: Id::new(IdKind::Person, 0, 8),
                        name: "李娜".into(),
                        department: "后勤处".into(),
                    },
                ],
            },
            crate::workflow::people::Unresolved {
                text: "正方软件实施工程师".into(),
                department: String::new(),
                parts: vec![NameRole::Trainer],
                records: vec![Id::new(IdKind::Plan, 2026, 3)],
                count: 1,
                candidates: Vec::new(),
            },
        ]));
        s
    }

    fn key(s: &mut State, c: char) -> Vec<Effect> {
        super::super::update(
            s,
            Msg::Input(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))),
        )
    }

    fn keys(s: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        super::super::update(s, Msg::Input(Event::Key(KeyEvent::new(code, mods))))
    }

    fn text(s: &mut State, t: &str) {
        for c in t.chars() {
            key(s, c);
        }
    }

    /// Move the form's focus to the field `name` with Tab.
    fn focus(s: &mut State, name: &str) {
        for _ in 0..10 {
            match s.popups.last() {
                Some(Popup::Form(f)) if f.focused().name == name => return,
                Some(Popup::Form(_)) => {
                    keys(s, KeyCode::Tab, KeyModifiers::NONE);
                }
                other => panic!("no form: {other:?}"),
            }
        }
        panic!("no field {name}");
    }

    /// Clear the focused field and type `t` into it.
    fn replace(s: &mut State, t: &str) {
        keys(s, KeyCode::Char('a'), KeyModifiers::CONTROL);
        keys(s, KeyCode::Char('k'), KeyModifiers::CONTROL);
        text(s, t);
    }

    fn form(s: &State) -> &crate::tui::state::Form {
        match s.popups.last() {
            Some(Popup::Form(f)) => f,
            other => panic!("no form on top: {other:?}"),
        }
    }

    /// The commands the effects send, with the revision each expects.
    fn sent(fx: &[Effect]) -> Vec<(Command, Option<u64>)> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Job(Job::Execute { cmd, expect_rev, .. }) => Some((cmd.clone(), *expect_rev)),
                _ => None,
            })
            .collect()
    }

    fn submit(s: &mut State) -> Vec<(Command, Option<u64>)> {
        sent(&keys(s, KeyCode::Char('s'), KeyModifiers::CONTROL))
    }

    /// `a` on a person row opens the new person form; what is typed is what
    /// `PersonAdd` carries.
    #[test]
    fn a_on_a_person_adds_a_person_with_the_typed_fields() {
        let mut s = state(&[Role::Operator]);
        key(&mut s, 'a');
        assert_eq!(form(&s).kind, FormKind::NewPerson);
        focus(&mut s, "name");
        text(&mut s, "赵敏");
        focus(&mut s, "department");
        text(&mut s, "督查组");
        focus(&mut s, "email");
        text(&mut s, "zhaomin@example.edu.cn");
        focus(&mut s, "lang");
        text(&mut s, "en");
        keys(&mut s, KeyCode::Enter, KeyModifiers::NONE);
        focus(&mut s, "login");
        text(&mut s, "zhaomin");
        match submit(&mut s).as_slice() {
            [(Command::PersonAdd { person }, None)] => assert_eq!(
                *person,
                PersonFields {
                    name: "赵敏".into(),
                    department: "督查组".into(),
                    email: "zhaomin@example.edu.cn".into(),
                    phone: String::new(),
                    lang: "en".into(),
                    login: "zhaomin".into(),
                }
            ),
            other => panic!("{other:?}"),
        }
    }

    /// On a department row `a` adds a department; the kind field turns the
    /// form into another kind's, keeping the name typed.
    #[test]
    fn the_kind_of_a_new_record_follows_the_row_and_the_kind_field() {
        let mut s = state(&[Role::Operator]);
        key(&mut s, 'j');
        key(&mut s, 'a');
        assert_eq!(form(&s).kind, FormKind::NewDepartment);
        focus(&mut s, "name");
        text(&mut s, "正方软件");
        focus(&mut s, "kind");
        text(&mut s, "厂商");
        keys(&mut s, KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(form(&s).kind, FormKind::NewVendor);
        assert_eq!(form(&s).value("name"), "正方软件");
        focus(&mut s, "contacts");
        text(&mut s, "张工 13800000000，李工");
        match submit(&mut s).as_slice() {
            [(Command::VendorAdd { vendor }, None)] => {
                assert_eq!(vendor.name, "正方软件");
                assert_eq!(vendor.contacts, ["张工 13800000000", "李工"]);
            }
            other => panic!("{other:?}"),
        }
    }

    /// `e` edits the record under the cursor: only the fields changed are
    /// sent, with the revision the form was opened on.
    #[test]
    fn e_sends_only_the_changed_fields_and_the_rev() {
        let mut s = state(&[Role::Operator]);
        key(&mut s, 'e');
        let f = form(&s);
        assert_eq!(f.kind, FormKind::EditPerson);
        assert_eq!(f.value("email"), "wanglei@example.edu.cn", "the current values");
        focus(&mut s, "phone");
        replace(&mut s, "62785678");
        match submit(&mut s).as_slice() {
            [(Command::PersonEdit { id, edit }, Some(3))] => {
                assert_eq!(*id, Id::new(IdKind::Person, 0, 1));
                assert_eq!(
                    *edit,
                    PersonEdit {
                        phone: Some("62785678".into()),
                        ..Default::default()
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        // The distribution list of a department: a changed list is sent whole.
        s.popups.clear();
        s.pending_form = None;
        key(&mut s, 'j');
        key(&mut s, 'e');
        focus(&mut s, "distribution");
        text(&mut s, " jwc-all@example.edu.cn");
        match submit(&mut s).as_slice() {
            [(Command::DepartmentEdit { edit, .. }, Some(3))] => assert_eq!(
                *edit,
                DepartmentEdit {
                    distribution: Some(vec!["jwc@example.edu.cn".into(), "jwc-all@example.edu.cn".into()]),
                    ..Default::default()
                }
            ),
            other => panic!("{other:?}"),
        }
    }

    /// An address the core refuses comes back on its field, which takes the focus.
    #[test]
    fn a_refused_address_is_shown_on_its_field() {
        let mut s = state(&[Role::Operator]);
        key(&mut s, 'e');
        focus(&mut s, "email");
        replace(&mut s, "not an address");
        assert_eq!(submit(&mut s).len(), 1);
        let e = crate::error::Error::input("email", "not an address", "name@example.edu.cn");
        super::super::forms::failed(&mut s, &e);
        let f = form(&s);
        assert_eq!(f.focused().name, "email");
        assert_eq!(f.warnings.get("email"), Some(&e.message()));
    }

    /// `r` on a name opens the form for exactly that name, the first candidate
    /// filled in; sending it sends `NameResolve` for it.
    #[test]
    fn r_resolves_exactly_the_name_under_the_cursor() {
        let mut s = state(&[Role::Operator]);
        key(&mut s, 't');
        key(&mut s, 't');
        assert_eq!(s.register.view, RegisterView::Names);
        key(&mut s, 'r');
        assert_eq!(form(&s).kind, FormKind::ResolveName);
        assert_eq!(form(&s).value("target"), "PER-0007");
        match submit(&mut s).as_slice() {
            [(Command::NameResolve { text, target }, None)] => {
                assert_eq!(text, "李娜");
                assert_eq!(*target, Id::new(IdKind::Person, 0, 7));
            }
            other => panic!("{other:?}"),
        }
        s.pending_form = None;
        key(&mut s, 'j');
        key(&mut s, 'r');
        assert_eq!(form(&s).value("target"), "", "nobody to suggest");
        text(&mut s, "VEN-0002");
        match submit(&mut s).as_slice() {
            [(Command::NameResolve { text, target }, None)] => {
                assert_eq!(text, "正方软件实施工程师");
                assert_eq!(*target, Id::new(IdKind::Vendor, 0, 2));
            }
            other => panic!("{other:?}"),
        }
        // Not a record of the register: said on the field, nothing sent.
        s.pending_form = None;
        key(&mut s, 'r');
        replace(&mut s, "PLAN-2026-0001");
        assert!(submit(&mut s).is_empty());
        assert_eq!(form(&s).kind, FormKind::ResolveName);
    }

    /// A viewer is offered neither `a`, `e` nor `r` (the core's permission
    /// table), in the hints or by the keys; an operator is, each in its view.
    #[test]
    fn a_viewer_is_not_offered_a_e_or_r() {
        let acts = [Action::RegisterAdd, Action::RegisterEditEntry, Action::RegisterResolve];
        let hinted =
            |s: &State| -> Vec<String> { crate::tui::ui::status_hints(s).0.into_iter().map(|(k, _)| k).collect() };
        let mut s = state(&[Role::Viewer]);
        for a in acts {
            assert!(!super::super::offers::offered(&s, a), "{a:?}");
        }
        for view in [RegisterView::Register, RegisterView::Names] {
            s.register.view = view;
            let h = hinted(&s);
            assert!(!h.iter().any(|k| k == "a" || k == "e" || k == "r"), "{h:?}");
            for c in ['a', 'e', 'r'] {
                let fx = key(&mut s, c);
                assert!(s.popups.is_empty(), "{c} opened {:?}", s.popups.last());
                assert!(sent(&fx).is_empty());
            }
        }
        let mut s = state(&[Role::Operator]);
        for a in acts {
            assert!(super::super::offers::offered(&s, a), "{a:?}");
        }
        let h = hinted(&s);
        assert!(h.contains(&"a".to_string()) && h.contains(&"e".to_string()), "{h:?}");
        assert!(!h.contains(&"r".to_string()), "r only among the names: {h:?}");
        s.register.view = RegisterView::Names;
        let h = hinted(&s);
        assert!(h.contains(&"r".to_string()) && !h.contains(&"a".to_string()), "{h:?}");
    }
}
