//! One call: its attempts, the waits between them (rate limits, retries), token refreshes,
//! and the response read up to the size limit.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::{
    StatusCode,
    header::{AUTHORIZATION, CONTENT_LENGTH, HeaderMap},
};

use tracing::Instrument as _;

use crate::{
    Attempts, Error, RateLimit, RawResponse, RetryPolicy, StopReason,
    auth::Auth,
    ratelimit::{Limited, Limiter},
    retry::{self, Verdict},
};

/// How many times one call sends its request again after a 401 that says the token expired:
/// the first refreshes the token; more are needed only when other calls replaced the token
/// meanwhile (a call that waited for a rate limit, say).
const MAX_EXPIRED_RETRIES: u32 = 3;

/// One call: its attempts, the waits between them, and what the server said.
pub(crate) struct Call {
    pub(crate) http: reqwest::Client,
    pub(crate) auth: Option<Auth>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<Limiter>,
    /// Whether the request may be sent again.
    pub(crate) retryable: bool,
    pub(crate) max_response_size: usize,
    /// Whether a success in `text/event-stream` is left unread, for the caller to read as it
    /// arrives.
    pub(crate) events: bool,
}

/// What one call got: the response, read whole, or, for an event stream, its status and
/// headers with the body still to come.
pub(crate) struct Received {
    pub(crate) raw: RawResponse,
    pub(crate) live: Option<reqwest::Response>,
}

/// How one attempt ended without a whole response.
enum Failed {
    Transport(reqwest::Error),
    Incomplete(RawResponse, reqwest::Error),
    TooLarge(RawResponse),
}

impl Call {
    /// Sends `request`, again as the retry policy says, and reads the response.
    pub(crate) async fn run<E>(&self, request: reqwest::Request) -> Result<Received, Error<E>> {
        let started = tokio::time::Instant::now();
        let mut waited = Duration::ZERO;
        let mut next = Some(request);
        let mut count = 0;
        let mut rate_limited = 0;
        let mut failed = 0;
        let mut maybe_applied = 0;
        // The token a 401 called expired, which the next attempt replaces: a token is never
        // sent twice after such a 401, and a call gives up after a few (a token endpoint
        // whose tokens the API always refuses must not loop).
        let mut stale = None;
        let mut expired_retries = 0;
        loop {
            let mut request = next.take().expect("each attempt has its request");
            // The copy for the next attempt, made before this one consumes the request. A
            // refused token is always worth one more attempt: the request was not applied.
            let oauth = matches!(self.auth, Some(Auth::OAuth(_)));
            let spare = if self.retryable || oauth { request.try_clone() } else { None };
            // The limiter first: a token is taken just before the request goes, not before a
            // wait that could outlast it.
            if let Some(limiter) = &self.limiter {
                let wait = limiter.acquire().await;
                if !wait.is_zero() {
                    tracing::debug!(
                        wait_ms = wait.as_millis() as u64,
                        "waited for the rate limiter"
                    );
                }
            }
            let token = match &self.auth {
                Some(Auth::Static(header)) => {
                    request.headers_mut().insert(AUTHORIZATION, header.clone());
                    None
                }
                Some(Auth::OAuth(refresher)) => match refresher.token(&self.http, stale).await {
                    Ok(token) => {
                        request.headers_mut().insert(AUTHORIZATION, token.header.clone());
                        Some(token.generation)
                    }
                    Err(problem) => {
                        let stopped = StopReason::Final;
                        let attempts = Attempts {
                            count,
                            waited,
                            rate_limited,
                            failed,
                            maybe_applied,
                            stopped,
                        };
                        return Err(Error::Credentials { problem, attempts });
                    }
                },
                None => None,
            };
            count += 1;
            let attempt = tracing::debug_span!(
                "attempt",
                attempt = count,
                status = tracing::field::Empty,
                correlation_id = tracing::field::Empty,
                wait_ms = tracing::field::Empty,
            );
            let result = self.attempt(request).instrument(attempt.clone()).await;
            let verdict = match &result {
                Ok(Received { raw: response, .. }) => {
                    let status = response.status();
                    attempt.record("status", status.as_u16());
                    if let Some(id) = response
                        .headers()
                        .get("x-hubspot-correlation-id")
                        .and_then(|it| it.to_str().ok())
                    {
                        attempt.record("correlation_id", id);
                    }
                    failed += u32::from(!status.is_success());
                    maybe_applied += u32::from(retry::may_have_applied(status));
                    let limited = status == StatusCode::TOO_MANY_REQUESTS;
                    rate_limited += u32::from(limited);
                    if let Some(limiter) = &self.limiter {
                        let reached = limited
                            .then(|| {
                                Limited::from_policy(retry::policy_name(response.body()).as_deref())
                            })
                            .flatten();
                        limiter
                            .observe(RateLimit::from_headers(response.headers()).as_ref(), reached);
                    }
                    let refresher = match &self.auth {
                        Some(Auth::OAuth(it)) => Some(it),
                        _ => None,
                    };
                    if status == StatusCode::UNAUTHORIZED
                        && token.is_some()
                        && stale != token
                        && refresher.is_some_and(|it| {
                            it.mends(response.body(), expired_retries, MAX_EXPIRED_RETRIES)
                        })
                    {
                        expired_retries += 1;
                        stale = token;
                        Verdict::RetryAfter(Duration::ZERO, "the access token expired (401)")
                    } else {
                        retry::judge_response(&self.retry, count, response)
                    }
                }
                Err(Failed::Transport(err)) => {
                    failed += 1;
                    // A connection never made carried nothing; anything else may have.
                    maybe_applied += u32::from(!err.is_connect());
                    retry::judge_transport(&self.retry, count, err)
                }
                Err(Failed::Incomplete(..)) => {
                    failed += 1;
                    maybe_applied += 1;
                    retry::judge_incomplete(&self.retry, count)
                }
                Err(Failed::TooLarge(response)) => {
                    failed += 1;
                    maybe_applied += u32::from(
                        response.status().is_success()
                            || retry::may_have_applied(response.status()),
                    );
                    Verdict::Done
                }
            };
            let expired = stale.is_some() && stale == token;
            let decision = match (&verdict, self.retryable || expired, &spare) {
                (Verdict::RetryAfter(..), false, _) => Err(StopReason::NotRetryable),
                (Verdict::RetryAfter(..), true, None) => Err(StopReason::BodyNotReplayable),
                // A refused token is refreshed and sent again at once, whatever the policy.
                (Verdict::RetryAfter(..), true, Some(_)) if expired => Ok(Duration::ZERO),
                _ => retry::next_wait(&self.retry, &verdict, count, started.elapsed()),
            };
            match decision {
                Ok(wait) => {
                    let reason = match &verdict {
                        Verdict::RetryAfter(_, reason) => *reason,
                        _ => "",
                    };
                    attempt.record("wait_ms", wait.as_millis() as u64);
                    tracing::info!(
                        parent: &attempt,
                        wait_ms = wait.as_millis() as u64,
                        reason,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    next = spare;
                }
                Err(stopped) => {
                    let attempts =
                        Attempts { count, waited, rate_limited, failed, maybe_applied, stopped };
                    return match result {
                        Ok(Received { raw, live }) => {
                            Ok(Received { raw: raw.with_attempts(attempts), live })
                        }
                        Err(Failed::Transport(source)) => {
                            Err(Error::Transport { source, attempts })
                        }
                        Err(Failed::Incomplete(response, source)) => Err(Error::Incomplete {
                            response: Box::new(response.with_attempts(attempts)),
                            source,
                        }),
                        Err(Failed::TooLarge(response)) => Err(Error::TooLarge {
                            response: Box::new(response.with_attempts(attempts)),
                            limit: self.max_response_size,
                        }),
                    };
                }
            }
        }
    }

    /// Sends `request` once and reads the whole response, up to the size limit, unless it is
    /// an event stream the call asked for.
    async fn attempt(&self, request: reqwest::Request) -> Result<Received, Failed> {
        let mut response = self.http.execute(request).await.map_err(Failed::Transport)?;
        let status: StatusCode = response.status();
        let headers: HeaderMap = response.headers().clone();
        tracing::debug!(status = status.as_u16(), "response");
        if self.events && status.is_success() && is_event_stream(&headers) {
            let raw = RawResponse::new(status, headers, Bytes::new());
            return Ok(Received { raw, live: Some(response) });
        }
        let limit = self.max_response_size;
        let too_large =
            |body: Bytes| Failed::TooLarge(RawResponse::new(status, headers.clone(), body));
        let declared =
            headers.get(CONTENT_LENGTH).and_then(|it| it.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|it| it > limit as u64) {
            return Err(too_large(Bytes::new()));
        }
        // Read chunk by chunk: a body that fails midway keeps the status, the headers and
        // what arrived; one that grows past the limit stops there.
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        body.extend_from_slice(&chunk[..limit - body.len()]);
                        return Err(too_large(body.freeze()));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(source) => {
                    let response = RawResponse::new(status, headers, body.freeze());
                    return Err(Failed::Incomplete(response, source));
                }
            }
        }
        Ok(Received { raw: RawResponse::new(status, headers, body.freeze()), live: None })
    }
}

/// Whether the response's `Content-Type` is `text/event-stream`.
pub(crate) fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|it| it.to_str().ok())
        .and_then(|it| it.split(';').next())
        .is_some_and(|it| it.trim().eq_ignore_ascii_case("text/event-stream"))
}
