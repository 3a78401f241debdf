//! The hand-written runtime that generated code calls: transport, credentials, parameter
//! encoding, retries, rate limiting, response decoding and errors.
//!
//! Nothing here depends on a spec. `hubspot-deals` depends on this crate and re-exports it as
//! `hubspot_deals::runtime`; generated code calls it by that path (`crate::runtime::…`).
//! `cargo xtask codegen --out DIR` gives every standalone crate the same runtime: a copy of this
//! crate beside it (`DIR/runtime/`, the sources as they are and a manifest with this one's
//! dependencies), or, with `--runtime PATH`, a path dependency on this crate. Being a crate, it
//! can refer to nothing of the code that uses it, and generated code adds no methods to its
//! types.

mod auth;
mod base64;
mod binary;
mod call;
mod client;
pub mod constructors;
pub mod enums;
mod error;
pub mod events;
pub mod nullable;
pub mod param;
mod ratelimit;
mod request;
mod response;
mod retry;
pub mod security;
pub mod union;
pub mod validate;
pub mod xml;

pub use self::{
    auth::{ClientCredentials, OAuthRefresh},
    base64::Base64,
    binary::{Binary, Multipart},
    client::{BuildError, Client, ClientBuilder, DEFAULT_MAX_RESPONSE_SIZE},
    error::Error,
    events::{Event, EventError, EventStream},
    param::ToParam,
    ratelimit::RateLimit,
    request::{RequestBuilder, Streamed},
    response::{RawResponse, Response},
    retry::{Attempts, RetryPolicy, StopReason, may_have_applied},
    security::{Credential, TokenSource},
    validate::{Validate, Violation, Violations},
};
/// See [`constructors!`](crate::constructors!).
#[doc(inline)]
pub use crate::__runtime_constructors as constructors;
