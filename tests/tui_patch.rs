//! Saves are patches: two agents edit one request through the interface's keys; what one did
//! not change is never written back, and a field both changed is chosen side by side.

mod common;

use chrono::NaiveDate;
use common::Env;
use common::keys::{ctrl, key, screen_at, typed};
use guichet::store::{NewPerson, NewRequest, Store};
use guichet::tui::app::{App, Display, Overlay, Screen};
use guichet::tui::command::{Command, PatchField};
use ratatui::crossterm::event::KeyCode;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn store(env: &Env) -> Store {
    let mut s = Store::open(&env.db()).unwrap();
    s.set_today(today());
    s
}

fn app_on(env: &Env, agent: &str) -> App {
    let mut app = App::new(
        store(env),
        Some(agent),
        Display {
            no_color: false,
            utc: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.resize(120, 40);
    app
}

fn new_request(env: &Env, n: usize) -> String {
    let mut r = NewRequest::new(
        NewPerson {
            last_name: format!("Durand{n}"),
            first_name: "Anne".into(),
            ..Default::default()
        },
        "logement",
        today(),
    );
    r.summary = "départ".into();
    r.channel_code = Some("telephone".into());
    store(env).create_request(&r).unwrap().id
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// The edit form's fields, in order: Résumé, Relance le, Type, Canal.
const FIELDS: [PatchField; 4] = [
    PatchField::Summary,
    PatchField::NextFollowUp,
    PatchField::Type,
    PatchField::Channel,
];

fn history_name(f: PatchField) -> &'static str {
    match f {
        PatchField::Summary => "summary",
        PatchField::NextFollowUp => "next_follow_up_on",
        PatchField::Type => "type",
        PatchField::Channel => "channel",
        _ => unreachable!(),
    }
}

fn focus_on(app: &mut App, index: usize) {
    for _ in 0..8 {
        match &app.overlay {
            Some(Overlay::Form(f)) if f.focus == index => return,
            Some(Overlay::Form(_)) => key(app, KeyCode::Tab),
            other => panic!("the edit form is open: {other:?}"),
        }
    }
    panic!("field {index} not reached");
}

#[test]
fn a_retry_after_a_conflict_keeps_the_colleagues_date_and_a_clash_is_chosen_side_by_side() {
    let env = Env::new();
    let id = new_request(&env, 0);
    let mut a = app_on(&env, "Agent Alpha");
    let mut b = app_on(&env, "Agent Bravo");
    for app in [&mut a, &mut b] {
        app.open_request(&id).unwrap();
        key(app, KeyCode::Char('e'));
    }
    // B changes the follow-up date and saves.
    focus_on(&mut b, 1);
    ctrl(&mut b, 'u');
    typed(&mut b, "26/11/2026");
    ctrl(&mut b, 's');
    assert!(b.overlay.is_none(), "{}", message(&b));
    // A changes only the summary: saved at once, B's date kept.
    ctrl(&mut a, 'u');
    typed(&mut a, "résumé d'Alpha");
    ctrl(&mut a, 's');
    assert!(a.overlay.is_none(), "{}", message(&a));
    let row = store(&env).request_row(&id).unwrap();
    assert_eq!(row.summary, "résumé d'Alpha");
    assert_eq!(row.next_follow_up_on, NaiveDate::from_ymd_opt(2026, 11, 26));

    // Both change the summary: A sees both side by side and chooses.
    for app in [&mut a, &mut b] {
        app.open_request(&id).unwrap();
        key(app, KeyCode::Char('e'));
        ctrl(app, 'u');
    }
    typed(&mut b, "version Bravo");
    ctrl(&mut b, 's');
    typed(&mut a, "version Alpha");
    ctrl(&mut a, 's');
    let Some(Overlay::Conflict(v, _)) = &a.overlay else {
        panic!("a side-by-side choice: {:?} {}", a.overlay, message(&a))
    };
    assert_eq!(v.clashes.len(), 1);
    assert_eq!(v.clashes[0].theirs, "version Bravo");
    let screen = screen_at(&a, (120, 40));
    assert!(screen.contains("version Alpha") && screen.contains("version Bravo"));
    assert!(screen.contains("Agent Bravo"), "{screen}");
    insta::assert_snapshot!("conflict_120x40", screen);
    insta::assert_snapshot!("conflict_80x24", screen_at(&a, (80, 24)));
    // Esc goes back to the form, nothing written; saving again asks again.
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.overlay, Some(Overlay::Form(_))));
    assert_eq!(
        store(&env).request_row(&id).unwrap().summary,
        "version Bravo"
    );
    ctrl(&mut a, 's');
    assert!(matches!(a.overlay, Some(Overlay::Conflict(..))));
    key(&mut a, KeyCode::Right); // keep the colleague's
    ctrl(&mut a, 's');
    assert!(a.overlay.is_none(), "{}", message(&a));
    assert_eq!(
        store(&env).request_row(&id).unwrap().summary,
        "version Bravo"
    );
    let by_alpha: i64 = Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM history WHERE actor = 'Agent Alpha' AND field = 'summary' \
             AND new_value = 'version Alpha'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        by_alpha, 0,
        "the colleague's value was kept: nothing written"
    );
}

/// A small deterministic generator (xorshift), so a failing case can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Read,
    Edit(usize),
    Save,
}

struct Agent {
    app: App,
    name: &'static str,
    steps: Vec<Step>,
    touched: BTreeSet<&'static str>,
    /// What the agent asked for, field by field (stored text), as the form's patch says.
    mine: BTreeMap<&'static str, String>,
    saved: bool,
}

impl Agent {
    fn plan(&mut self, rng: &mut Rng) {
        self.steps = vec![Step::Read];
        self.touched.clear();
        self.mine.clear();
        self.saved = false;
        for (i, f) in FIELDS.iter().enumerate() {
            if rng.below(2) == 0 {
                self.steps.push(Step::Edit(i));
                self.touched.insert(history_name(*f));
            }
        }
        self.steps.push(Step::Save);
    }

    /// One step; returns false when the agent has nothing left to do.
    fn step(&mut self, id: &str, case: usize, rng: &mut Rng) -> bool {
        if let Some(Overlay::Conflict(v, _)) = &self.app.overlay {
            // Choose, field by field, then save the choice.
            for _ in 0..v.clashes.len() {
                let k = if rng.below(2) == 0 {
                    KeyCode::Left
                } else {
                    KeyCode::Right
                };
                key(&mut self.app, k);
                key(&mut self.app, KeyCode::Down);
            }
            ctrl(&mut self.app, 's');
            self.check_saved();
            return true;
        }
        if self.steps.is_empty() {
            return false;
        }
        match self.steps.remove(0) {
            Step::Read => {
                self.app.open_request(id).unwrap();
                key(&mut self.app, KeyCode::Char('e'));
            }
            Step::Edit(i) => {
                focus_on(&mut self.app, i);
                match FIELDS[i] {
                    PatchField::Summary => {
                        ctrl(&mut self.app, 'u');
                        typed(&mut self.app, &format!("{} {case}", self.name));
                    }
                    PatchField::NextFollowUp => {
                        ctrl(&mut self.app, 'u');
                        typed(&mut self.app, &format!("+{}", 1 + rng.below(20)));
                    }
                    _ => {
                        for _ in 0..=rng.below(2) {
                            key(&mut self.app, KeyCode::Right);
                        }
                    }
                }
            }
            Step::Save => {
                // What the form would send: the fields the agent changed, and their values.
                let Some(Overlay::Form(f)) = &self.app.overlay else {
                    panic!("the edit form is open")
                };
                let Ok(Command::Patch(p)) = f.clone().submit(today(), None) else {
                    panic!("the edit form makes a patch")
                };
                for e in &p.edits {
                    let name = history_name(e.field);
                    assert!(
                        self.touched.contains(name),
                        "case {case}: {} sends {name} which they did not change",
                        self.name
                    );
                    self.mine.insert(name, e.mine.clone());
                }
                ctrl(&mut self.app, 's');
                self.check_saved();
            }
        }
        true
    }

    fn check_saved(&mut self) {
        match &self.app.overlay {
            None => {
                assert!(
                    !self.app.message.as_ref().unwrap().error,
                    "{}",
                    message(&self.app)
                );
                self.saved = true;
            }
            Some(Overlay::Conflict(..)) => {}
            other => panic!("{}: unexpected {other:?} {}", self.name, message(&self.app)),
        }
    }
}

fn value(row: &guichet::store::RequestRow, field: &str) -> String {
    let f = FIELDS.iter().find(|f| history_name(**f) == field).unwrap();
    f.of_request(row)
}

#[test]
fn two_agents_edits_in_a_thousand_interleavings_equal_a_serial_order_and_write_only_what_each_changed()
 {
    let env = Env::new();
    let cases: usize = std::env::var("GUICHET_INTERLEAVINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut agents = [
        Agent {
            app: app_on(&env, "Agent Alpha"),
            name: "Agent Alpha",
            steps: Vec::new(),
            touched: BTreeSet::new(),
            mine: BTreeMap::new(),
            saved: false,
        },
        Agent {
            app: app_on(&env, "Agent Bravo"),
            name: "Agent Bravo",
            steps: Vec::new(),
            touched: BTreeSet::new(),
            mine: BTreeMap::new(),
            saved: false,
        },
    ];
    let conn = Connection::open(env.db()).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut clashes_seen = 0;
    for case in 0..cases {
        let id = new_request(&env, case + 1);
        let initial = store(&env).request_row(&id).unwrap();
        for a in agents.iter_mut() {
            a.plan(&mut rng);
        }
        loop {
            let live: Vec<usize> = (0..2)
                .filter(|i| {
                    !agents[*i].steps.is_empty()
                        || matches!(agents[*i].app.overlay, Some(Overlay::Conflict(..)))
                })
                .collect();
            if live.is_empty() {
                break;
            }
            let i = live[rng.below(live.len())];
            if matches!(agents[i].app.overlay, Some(Overlay::Conflict(..))) {
                clashes_seen += 1;
            }
            agents[i].step(&id, case, &mut rng);
        }
        for a in &agents {
            assert!(a.saved, "case {case}: {} saved", a.name);
            assert!(matches!(a.app.screen, Screen::Request(_)));
        }
        // Every history line was asked for by the agent who wrote it, with that value.
        let mut st = conn
            .prepare(
                "SELECT actor, field, new_value FROM history WHERE entity = 'request' \
                 AND entity_id = ?1 AND field NOT IN ('creation') ORDER BY rowid",
            )
            .unwrap();
        let lines: Vec<(String, String, Option<String>)> = st
            .query_map(
                [&id],
                |r| -> rusqlite::Result<(String, String, Option<String>)> {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                },
            )
            .unwrap()
            .map(Result::unwrap)
            .filter(|(actor, _, _)| actor.starts_with("Agent "))
            .collect();
        let mut last: BTreeMap<String, String> = BTreeMap::new();
        for (actor, field, new) in &lines {
            let agent = agents.iter().find(|a| a.name == actor).unwrap();
            assert!(
                agent.touched.contains(field.as_str()),
                "case {case}: {actor} wrote {field} which they did not change"
            );
            let new = new.clone().unwrap_or_default();
            assert_eq!(
                agent.mine.get(field.as_str()),
                Some(&new),
                "case {case}: {actor} wrote {field} = {new}, not what they typed"
            );
            last.insert(field.clone(), new);
        }
        // The final row is the serial application of the saved edits.
        let row = store(&env).request_row(&id).unwrap();
        for f in FIELDS {
            let name = history_name(f);
            let expected = last
                .get(name)
                .cloned()
                .unwrap_or_else(|| value(&initial, name));
            assert_eq!(value(&row, name), expected, "case {case}: {name}");
            // A field only one agent changed ends with that agent's value.
            let by: Vec<&Agent> = agents.iter().filter(|a| a.touched.contains(name)).collect();
            if let [only] = by.as_slice()
                && let Some(mine) = only.mine.get(name)
            {
                assert_eq!(
                    &value(&row, name),
                    mine,
                    "case {case}: {name} by {}",
                    only.name
                );
            }
        }
    }
    assert!(clashes_seen > 0, "some interleavings clash on a field");
}

/// A follow-up that sets the follow-up date, saved after a colleague moved that date: the
/// follow-up is kept, and the two dates are shown side by side instead of theirs being
/// overwritten. A colleague's change of another field (the status) is kept, and the follow-up's
/// date applies on top of it.
#[test]
fn a_follow_up_does_not_overwrite_a_colleagues_follow_up_date() {
    let env = Env::new();
    let id = new_request(&env, 0);
    let reference = store(&env).request_row(&id).unwrap().reference;
    let follow_up = |app: &mut App, text: &str, next: &str| {
        app.open_request(&id).unwrap();
        key(app, KeyCode::Char('f'));
        focus_on(app, 2);
        typed(app, text);
        focus_on(app, 3);
        typed(app, next);
    };
    env.ok(&["agent", "add", "Agent Bravo"]);
    let colleague = |option: &str, value: &str| {
        env.ok(&[
            "--agent",
            "Agent Bravo",
            "request",
            "update",
            &reference,
            option,
            value,
        ]);
    };
    let mut a = app_on(&env, "Agent Alpha");

    // The colleague moves the date from the command line while A types.
    follow_up(&mut a, "rappel prévu", "03/12/2026");
    colleague("--relance", "05/12/2026");
    ctrl(&mut a, 's');
    let Some(Overlay::Conflict(v, under)) = &a.overlay else {
        panic!("a side-by-side choice: {:?} {}", a.overlay, message(&a))
    };
    assert_eq!(v.clashes.len(), 1);
    assert_eq!(v.clashes[0].field, PatchField::NextFollowUp);
    assert_eq!(v.clashes[0].theirs, "2026-12-05");
    assert_eq!(v.clashes[0].mine, "2026-12-03");
    assert!(under.is_none(), "the follow-up form does not come back");
    assert_eq!(
        v.by, "Agent Bravo",
        "the colleague, not this agent's own first contact"
    );
    assert!(message(&a).contains("Suivi enregistré"), "{}", message(&a));
    let screen = screen_at(&a, (120, 40));
    assert!(
        screen.contains("05/12/2026") && screen.contains("03/12/2026"),
        "{screen}"
    );
    assert!(!screen.contains("la sienne (Agent Alpha)"), "{screen}");
    let bodies = || -> i64 {
        Connection::open(env.db())
            .unwrap()
            .query_row(
                "SELECT count(*) FROM follow_up WHERE body = 'rappel prévu'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(bodies(), 1, "the follow-up is saved");
    let date = || store(&env).request_row(&id).unwrap().next_follow_up_on;
    assert_eq!(
        date(),
        NaiveDate::from_ymd_opt(2026, 12, 5),
        "theirs, until A chooses"
    );
    // Esc: the colleague's date stays, the follow-up once.
    key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none(), "{:?}", a.overlay);
    assert_eq!(date(), NaiveDate::from_ymd_opt(2026, 12, 5));
    assert_eq!(bodies(), 1);

    // Again, and A keeps their own date.
    follow_up(&mut a, "second rappel", "04/12/2026");
    colleague("--relance", "07/12/2026");
    ctrl(&mut a, 's');
    assert!(
        matches!(a.overlay, Some(Overlay::Conflict(..))),
        "{}",
        message(&a)
    );
    ctrl(&mut a, 's'); // the agent's value is selected first
    assert!(a.overlay.is_none(), "{}", message(&a));
    assert_eq!(date(), NaiveDate::from_ymd_opt(2026, 12, 4));

    // The colleague changes the status only: A's date applies on top, their status is kept.
    follow_up(&mut a, "troisième", "10/12/2026");
    colleague("--statut", "attente_demandeur");
    ctrl(&mut a, 's');
    assert!(a.overlay.is_none(), "{:?} {}", a.overlay, message(&a));
    let row = store(&env).request_row(&id).unwrap();
    assert_eq!(row.next_follow_up_on, NaiveDate::from_ymd_opt(2026, 12, 10));
    assert_eq!(row.status.code(), "attente_demandeur");

    // Nobody else wrote: saved at once.
    follow_up(&mut a, "quatrième", "11/12/2026");
    ctrl(&mut a, 's');
    assert!(a.overlay.is_none(), "{}", message(&a));
    assert_eq!(message(&a), "Suivi enregistré.");
    assert_eq!(date(), NaiveDate::from_ymd_opt(2026, 12, 11));

    // The status the request has, chosen again, while a colleague sets another: theirs stays,
    // and the message does not claim A's.
    a.open_request(&id).unwrap();
    key(&mut a, KeyCode::Char('f'));
    focus_on(&mut a, 2);
    typed(&mut a, "cinquième");
    focus_on(&mut a, 3);
    typed(&mut a, "14/12/2026");
    focus_on(&mut a, 4);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Right); // "En attente du demandeur", as it is now
    colleague("--statut", "attente_partenaire");
    colleague("--relance", "15/12/2026");
    ctrl(&mut a, 's');
    let Some(Overlay::Conflict(v, _)) = &a.overlay else {
        panic!("the date clashes: {:?} {}", a.overlay, message(&a))
    };
    assert_eq!(v.clashes.len(), 1, "the date only: {:?}", v.clashes);
    ctrl(&mut a, 's'); // keeps A's date
    assert!(a.overlay.is_none(), "{:?} {}", a.overlay, message(&a));
    assert!(!message(&a).contains("statut"), "{}", message(&a));
    assert_eq!(date(), NaiveDate::from_ymd_opt(2026, 12, 14));
    let row = store(&env).request_row(&id).unwrap();
    assert_eq!(row.status.code(), "attente_partenaire");
}
