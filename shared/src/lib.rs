//! The operator console's shared library: typed values parsed at the edge, the store port with
//! its DynamoDB and embedded adapters, the domain, call control over Twilio, the HTTP glue every
//! function uses, and the wiring of the deployed functions.
//!
//! Functions (one crate each under `functions/`) only wire these pieces into an axum router;
//! the local runtime mounts the same routers, so what runs on a laptop is what runs on Lambda.

pub mod auth;
pub mod auth_jwt;
pub mod config;
pub mod control;
pub mod directory;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod phone;
pub mod push;
pub mod store;
pub mod telemetry;
pub mod text;
pub mod tls;
pub mod twilio;
pub mod wiring;

#[cfg(any(test, feature = "test-support"))]
pub mod testing;
