//! `:as zhangwei`: act as a demo person (issue 13 §7). The UI only asks; the
//! core decides where the database lives (`Service::act_as`: a demo database,
//! a user who owns its files) and the answer — who acts now, or the refusal —
//! comes back from the worker. Then the status bar names the person with
//! "(as)", and everything is loaded again with the person's roles.

use super::super::action::Action;
use super::super::state::*;
use super::super::worker::Job;
use super::Effect;
use crate::i18n::{list, t};

/// The `as` command without a name: ask for it.
pub fn prompt(s: &mut State) {
    super::popups::prompt(s, PromptFor::ActAs, &t("tui.prompt.act_as", &[]), "");
}

/// Ask the core to let the user act as `who` (their own name: back to
/// themselves). Nothing changes until the core answers ([`acting`]): the UI
/// does not guess whether it may.
pub fn act_as(_s: &mut State, who: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    let who = who.trim();
    if who.is_empty() {
        return Err(t("tui.persona.no_name", &[]));
    }
    fx.push(Effect::Job(Job::ActAs {
        person: who.to_string(),
    }));
    Ok(())
}

/// The palette's text names a command that takes an argument, in full
/// (`as zhangwei`, or `as` alone to be asked): run it and say so.
pub fn with_argument(s: &mut State, text: &str, fx: &mut Vec<Effect>) -> bool {
    let mut words = text.split_whitespace();
    let Some(a) = words.next().and_then(Action::from_name).filter(|a| a.takes_argument()) else {
        return false;
    };
    let arg = words.collect::<Vec<_>>().join(" ");
    match a {
        Action::ActAs if arg.is_empty() => prompt(s),
        Action::ActAs => {
            if let Err(msg) = act_as(s, &arg, fx) {
                s.toast(msg, true);
            }
        }
        other => super::action(s, other, fx),
    }
    true
}

/// The core's answer: who acts now. Everything shown is loaded again with
/// their roles.
pub fn acting(s: &mut State, who: crate::service::WhoamiInfo, fx: &mut Vec<Effect>) {
    let roles = list(who.roles.iter().map(|r| r.label()));
    let text = match &who.via {
        Some(via) => t(
            "tui.persona.switched",
            &[("user", who.user.clone()), ("roles", roles), ("via", via.clone())],
        ),
        None => t("tui.persona.back", &[("user", who.user.clone()), ("roles", roles)]),
    };
    s.user = who.user;
    s.roles = who.roles;
    s.via = who.via;
    s.toast(text, false);
    super::refresh(s, fx);
}

#[cfg(test)]
mod tests {
    use super::super::super::keymap::Keymap;
    use super::super::super::worker::Reply;
    use super::super::super::Msg;
    use super::super::update;
    use super::*;
    use crate::model::Role;
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

    fn typed(s: &mut State, text: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        for c in text.chars() {
            let code = if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) };
            fx.extend(update(
                s,
                Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
            ));
        }
        fx
    }

    fn asked(fx: &[Effect]) -> Vec<String> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Job(Job::ActAs { person }) => Some(person.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_palette_asks_the_core_and_the_answer_switches_the_status() {
        crate::i18n::set("en");
        let (keymap, _) = Keymap::load(None);
        let roles = vec![Role::Admin, Role::Operator];
        let mut s = State::new("lihua".into(), roles.clone(), "here".into(), keymap, vec![]);
        s.loading = false;
        // `:as zhangwei` asks; nothing changes before the core answers.
        let fx = typed(&mut s, ":as zhangwei\n");
        assert_eq!(asked(&fx), vec!["zhangwei"]);
        assert!(s.popups.is_empty());
        assert_eq!((s.user.as_str(), &s.roles, &s.via), ("lihua", &roles, &None));
        // The answer: the person, with their roles, via the real user; all reloaded.
        let fx = update(
            &mut s,
            Msg::Reply(Reply::Acting(Box::new(crate::service::WhoamiInfo {
                user: "zhangwei".into(),
                roles: vec![Role::Approver],
                via: Some("lihua".into()),
                db: "here".into(),
                demo: true,
            }))),
        );
        assert_eq!((s.user.as_str(), s.via.as_deref()), ("zhangwei", Some("lihua")));
        assert_eq!(s.roles, vec![Role::Approver]);
        assert!(fx.iter().any(|e| matches!(e, Effect::Job(Job::LoadAll))));
        assert!(s.toasts[0].text.contains("zhangwei via lihua"), "{:?}", s.toasts);
        // `:as` alone asks for the name in a prompt; a blank one is refused there.
        let fx = typed(&mut s, ":as\n");
        assert!(asked(&fx).is_empty());
        assert!(matches!(
            s.popups.last(),
            Some(Popup::Prompt {
                purpose: PromptFor::ActAs,
                ..
            })
        ));
        let fx = typed(&mut s, "  \n");
        assert!(asked(&fx).is_empty());
        assert!(s.popups.len() == 1, "the prompt stays open");
        assert_eq!(asked(&typed(&mut s, "lihua\n")), vec!["lihua"]);
        assert!(s.popups.is_empty());
    }
}
