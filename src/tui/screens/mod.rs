//! One module per screen: its state, and how an [`Action`](super::keymap::Action) changes it
//! or becomes a [`Command`](super::command::Command) for
//! [`App::apply`](super::app::App::apply) — the only code that writes. `App` keeps the
//! navigation between screens, `apply` and the drawing dispatch.

pub mod agent;
pub mod capture;
pub mod form;
pub mod housing;
pub mod pending;
pub mod picker;
pub mod queue;
pub mod request;
pub mod review;
pub mod search;
pub mod welcome;

use super::app::{Overlay, Screen};
use super::command::Command;

/// What a key on a screen leads to beyond the screen's own state, which the screen changes
/// itself: [`App::go`](super::app::App::go) carries it out (navigation, reloading, writing
/// through [`App::apply`](super::app::App::apply)).
#[derive(Debug)]
pub enum Transition {
    /// Nothing more: the screen's own state changed, or the key means nothing here.
    Stay,
    /// The queue's selection moved: keep the rows around it loaded.
    Moved,
    /// Another queue: count and load again.
    Reload,
    /// Open this request.
    OpenRequest(String),
    /// Another screen, its content read from the file.
    Show(Screen),
    /// Back to a screen already loaded (the queue, or a search with its results).
    Back(Screen),
    /// The review, after the last queue and before the first.
    Review,
    /// A form, a picker or a question over the screen.
    Overlay(Overlay),
    /// A write, for `App::apply`.
    Command(Command),
    /// The review of this period.
    Period(crate::review::Period),
    /// The review on screen, written as a workbook in the export folder.
    ExportReview,
    /// The queues, on this tab.
    Tab(super::app::Tab),
    /// A word in the status line, nothing else.
    Info(String),
    /// Leave the program (asks first when a form holds unsaved input).
    Quit,
    /// This agent starts working (chosen in the agent chooser).
    SignIn(crate::store::Agent),
    /// Leave the welcome screen: who works, then the queues.
    Start,
}
