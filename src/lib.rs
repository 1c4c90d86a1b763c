//! beian: the information-system version-update filing process (版本更新备案) of a
//! university IT center. See docs/architecture.md for how the modules fit.
#![forbid(unsafe_code)]

rust_i18n::i18n!("locales", fallback = "en");

pub mod cli;
pub mod config;
pub mod datadir;
pub mod demo;
pub mod demo_large;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod i18n;
pub mod io;
pub mod mail;
pub mod model;
pub mod report;
pub mod sanitize;
pub mod search;
pub mod server;
pub mod service;
pub mod store;
pub mod text;
pub mod tui;
pub mod workflow;

pub use error::{Error, Result};
