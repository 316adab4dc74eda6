//! Vaka's domain: the types and rules of municipal addiction care, free of HTTP and SQL.
//! Everything here is pure and tested directly; storage and web are thin layers around it.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod access;
pub mod alert;
pub mod assessment;
pub mod audit;
pub mod budget;
pub mod calendar;
pub mod case;
pub mod caseload;
pub mod client;
pub mod contact;
pub mod csv_input;
pub mod decision;
pub mod error;
pub mod followup;
pub mod form;
pub mod housing;
pub mod ids;
pub mod intervention;
pub mod invoice;
pub mod letter;
mod macros;
pub mod money;
pub mod organisation_number;
pub mod personal_number;
pub mod placement;
pub mod plan;
pub mod provider;
pub mod retention;
pub mod review;
pub mod role;
pub mod scenario;
pub mod stats;
pub mod throttle;
pub mod time;

pub use error::{FieldError, Msg};
