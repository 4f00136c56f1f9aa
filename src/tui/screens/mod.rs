//! One module per screen: its state, and how an [`Action`](super::keymap::Action) changes it
//! or becomes a [`Command`](super::command::Command) for
//! [`App::apply`](super::app::App::apply) — the only code that writes. `App` keeps the
//! navigation between screens, `apply` and the drawing dispatch.

pub mod agent;
pub mod capture;
pub mod form;
pub mod pending;
pub mod picker;
pub mod queue;
pub mod request;
pub mod search;
pub mod welcome;
