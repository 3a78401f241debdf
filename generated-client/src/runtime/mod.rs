//! The hand-written runtime that generated code calls: transport, credentials, parameter
//! encoding, retries, rate limiting, response decoding and errors.
//!
//! Nothing here depends on a spec. `cargo xtask codegen --out DIR` copies this folder, as it is,
//! into a crate of its own beside every standalone crate it writes, so it refers to nothing
//! outside `crate::runtime`, and generated code adds no methods to its types.

mod auth;
mod base64;
mod binary;
mod client;
pub mod enums;
mod error;
pub mod nullable;
pub mod param;
mod ratelimit;
mod response;
mod retry;
pub mod union;
pub mod validate;

pub use self::{
    auth::OAuthRefresh,
    base64::Base64,
    binary::{Binary, Multipart},
    client::{BuildError, Client, ClientBuilder, DEFAULT_MAX_RESPONSE_SIZE, RequestBuilder},
    error::Error,
    param::ToParam,
    ratelimit::RateLimit,
    response::{RawResponse, Response},
    retry::{Attempts, RetryPolicy, StopReason, may_have_applied},
    validate::{Validate, Violation, Violations},
};
