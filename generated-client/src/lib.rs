//! A typed async client for HubSpot's CRM v3 deals batch upsert
//! (`POST /crm/v3/objects/0-3/batch/upsert`).
//!
//! The models and the method are generated from `spec/deals-batch-upsert.yaml`, a fragment of
//! HubSpot's published spec corrected where the live API differs from it: property values and
//! `requestedAt` may be `null`, error items lack fields the spec calls required, a 200 may carry
//! `errors`, and a status this client does not know still decodes. Calls are retried by HubSpot's
//! rules ([`RetryPolicy`]), can be paced by a client-side rate limiter
//! ([`ClientBuilder::rate_limit`]), and bodies are checked against the spec's constraints before
//! they are sent ([`runtime::Validate`]).
//!
//! ```no_run
//! use hubspot_deals::{BatchUpsertOutcome, Client, models};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder().bearer_token("pat-na1-…").build()?;
//! let input = models::SimplePublicObjectBatchInputUpsert::new(
//!     "ext-1001",
//!     [("dealname".to_owned(), "Renewal 2025".to_owned())],
//! )
//! .with_id_property("external_deal_id")
//! .with_object_write_trace_id("ext-1001");
//! let body = models::BatchInputSimplePublicObjectBatchInputUpsert::new(vec![input]);
//! match client.batch_upsert(&body).await?.into_body() {
//!     BatchUpsertOutcome::Ok(done) => println!("{} deals written", done.results.len()),
//!     BatchUpsertOutcome::MultiStatus(partial) => {
//!         for error in partial.errors.iter().flatten() {
//!             eprintln!("failed: {:?} {:?}", error.message, error.context);
//!         }
//!     }
//!     BatchUpsertOutcome::Undocumented(raw) => eprintln!("unexpected success {}", raw.status()),
//! }
//! # Ok(())
//! # }
//! ```

pub mod bulk;
mod generated;

/// The hand-written runtime that the generated code calls: the `client-runtime` crate.
pub use client_runtime as runtime;

pub use crate::{
    generated::{client::*, models},
    runtime::{
        Attempts, ClientCredentials, Error, OAuthRefresh, RateLimit, RawResponse, Response,
        RetryPolicy, StopReason, TokenSource,
    },
};
