//! A typed async client for HubSpot's CRM v3 deals batch upsert
//! (`POST /crm/v3/objects/0-3/batch/upsert`).
//!
//! The models and the method are generated from `spec/deals-batch-upsert.yaml`, a fragment of
//! HubSpot's published spec corrected where the live API differs from it: property values and
//! `requestedAt` may be `null`, error items lack fields the spec calls required, and a status
//! this client does not know still decodes.
//!
//! ```no_run
//! use hubspot_deals::{BatchUpsertOutcome, Client, models};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder().bearer_token("pat-na1-…").build()?;
//! let input = models::SimplePublicObjectBatchInputUpsert {
//!     id: "ext-1001".to_owned(),
//!     id_property: Some("external_deal_id".to_owned()),
//!     object_write_trace_id: Some("ext-1001".to_owned()),
//!     properties: [("dealname".to_owned(), "Renewal 2025".to_owned())].into(),
//! };
//! let body = models::BatchInputSimplePublicObjectBatchInputUpsert { inputs: vec![input] };
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

mod generated;
pub mod runtime;

pub use crate::{
    generated::{client::*, models},
    runtime::{Client, ClientBuilder, Error, RawResponse, Response},
};
