//! When a failed attempt is tried again, and after how long.
//!
//! The rules are HubSpot's (its rate-limit and error-handling guides), which are also what most
//! APIs mean by the same statuses:
//!
//! - 429: a `DAILY` limit (HubSpot's body says `"policyName": "DAILY"`) is never retried: it
//!   lasts until the day resets. A `SECONDLY` one waits for `Retry-After`, else for the
//!   one-second window (the rate-limit headers describe the ten-secondly policy, not this one).
//!   Any other 429 waits for `Retry-After` when the server sends it, else for the rate-limit
//!   window (`X-HubSpot-RateLimit-Interval-Milliseconds`, when `…-Remaining` is 0), else a
//!   jittered backoff no longer than the window (10 s for `TEN_SECONDLY_ROLLING`).
//! - 423 (locked by a high-volume upsert): at least 2 s.
//! - 477 (account migrating), 500, 502, 503, 504, 521, 523, 524: `Retry-After` when present,
//!   else a jittered exponential backoff. (HubSpot's list leaves out 500; it is as transient as
//!   the others, and only operations that are safe to repeat are retried.)
//! - Connection failures, timeouts, and bodies that break off: a jittered exponential backoff.
//!   The server may have applied such a request, which is why only operations that are safe to
//!   repeat are retried.
//! - Anything else is never retried.
//!
//! Every retry is bounded by the policy's number of attempts and total time.

use std::{fmt, time::Duration};

use reqwest::{StatusCode, header::HeaderMap};

use crate::{RateLimit, RawResponse};

/// How a client retries the operations that are safe to repeat: idempotent methods (`GET`,
/// `HEAD`, `PUT`, `DELETE`, `OPTIONS`) and operations the spec marks `x-retryable: true`.
///
/// The default makes at most 6 attempts within 2 minutes, backing off from 500 ms to at most
/// 30 s with full jitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_elapsed: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 6,
            max_elapsed: Duration::from_secs(120),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retries: every call is one attempt.
    pub fn disabled() -> RetryPolicy {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// At most `attempts` attempts per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> RetryPolicy {
        self.max_attempts = attempts.max(1);
        self
    }

    /// No retry whose wait would end later than `elapsed` after the call started.
    pub fn max_elapsed(mut self, elapsed: Duration) -> RetryPolicy {
        self.max_elapsed = elapsed;
        self
    }

    /// The backoff: `initial` before the first retry, doubling up to `max`; each wait is drawn
    /// at random between half of that and all of it.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> RetryPolicy {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The jittered backoff before retry number `retry` (1 for the first), at most `cap`.
    fn backoff_for(&self, retry: u32, cap: Duration) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let full =
            self.initial_backoff.saturating_mul(1 << exponent).min(self.max_backoff).min(cap);
        // Between half and all of it: spread out, never hammering at once.
        full.mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

/// Why a call stopped retrying.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The last attempt succeeded, or failed in a way that is never retried.
    Final,
    /// The operation is not safe to repeat, so it was not retried.
    NotRetryable,
    /// The policy's number of attempts was reached.
    MaxAttempts,
    /// The next wait would have ended past the policy's total time.
    TimeBudget {
        /// How long the next wait would have been.
        wait: Duration,
    },
    /// A daily rate limit: it lasts until the day resets (at midnight in the HubSpot account's
    /// time zone), so waiting within a call is pointless.
    DailyLimit,
    /// The request body could not be sent twice (a streamed multipart body).
    BodyNotReplayable,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Final => f.write_str("the answer is final"),
            StopReason::NotRetryable => f.write_str("the operation is not safe to repeat"),
            StopReason::MaxAttempts => f.write_str("the retry policy's attempts ran out"),
            StopReason::TimeBudget { wait } => write!(
                f,
                "waiting {:.1} s more would pass the retry policy's total time",
                wait.as_secs_f64()
            ),
            StopReason::DailyLimit => f.write_str(
                "the daily rate limit is reached; it resets at midnight in the HubSpot account's time zone",
            ),
            StopReason::BodyNotReplayable => f.write_str("the request body cannot be sent twice"),
        }
    }
}

/// What became of a call's attempts: how many, how long they waited in between, why they
/// stopped, and whether any of them may have been applied without the client learning it.
/// Every response and every error of a call carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempts {
    /// How many attempts were made, the first included.
    pub count: u32,
    /// How long the call waited between attempts, in all.
    pub waited: Duration,
    /// How many of the attempts were answered 429 (rate limited).
    pub rate_limited: u32,
    /// How many of the attempts got no success answer (an error status, or no whole answer).
    pub failed: u32,
    /// How many of the attempts may have reached the server and been applied, with no
    /// definite answer: sent, then a timeout, a connection reset or a body cut short, or a
    /// status that a gateway or a failing server gives after the request may have gone through
    /// (500, 502, 504, 521, 523, 524; see [`may_have_applied`]). A connection that was never
    /// made, and a refusal (any 4xx, 503), do not count. When this is not zero, what the call
    /// did is known only from a later answer of the same call, if there is one.
    pub maybe_applied: u32,
    /// Why it stopped.
    pub stopped: StopReason,
}

impl Default for Attempts {
    fn default() -> Attempts {
        Attempts {
            count: 1,
            waited: Duration::ZERO,
            rate_limited: 0,
            failed: 0,
            maybe_applied: 0,
            stopped: StopReason::Final,
        }
    }
}

/// Whether an answer with `status` leaves open that the request was applied: a server error
/// (500), or a gateway's (502, 504, and Cloudflare's 521, 523, 524) that stood between the
/// client and a server that may have done the work. 503 and 4xx are refusals.
pub fn may_have_applied(status: StatusCode) -> bool {
    matches!(status.as_u16(), 500 | 502 | 504 | 521 | 523 | 524)
}

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.count == 1 { "" } else { "s" };
        write!(f, "{} attempt{s}", self.count)?;
        if !self.waited.is_zero() {
            write!(f, " over {:.1} s of waits", self.waited.as_secs_f64())?;
        }
        if self.stopped != StopReason::Final {
            write!(f, "; stopped because {}", self.stopped)?;
        }
        Ok(())
    }
}

/// What the retry loop should do after an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Done: return this attempt's result.
    Done,
    /// Retry after at least this long, unless the policy's bounds say otherwise; a `Final` stop
    /// never comes with a wait.
    RetryAfter(Duration, &'static str),
    /// Done, and say why no retry was made although the failure is one that passes.
    Stop(StopReason),
}

/// The verdict on a response with `status` and `headers`; `body` is read only for a 429.
/// `retry` is the number the next retry would have (1 for the first).
pub(crate) fn judge_response(policy: &RetryPolicy, retry: u32, response: &RawResponse) -> Verdict {
    let status = response.status();
    let headers = response.headers();
    let backoff = |cap| policy.backoff_for(retry, cap);
    match status.as_u16() {
        429 => {
            let policy_name = policy_name(response.body());
            match policy_name.as_deref() {
                Some("DAILY") => return Verdict::Stop(StopReason::DailyLimit),
                // The headers describe the ten-secondly policy: this one's window is a second.
                Some("SECONDLY") => {
                    let wait = retry_after(headers).unwrap_or(Duration::from_secs(1));
                    return Verdict::RetryAfter(wait, "rate limited (429, secondly)");
                }
                _ => {}
            }
            let window = Duration::from_secs(10);
            let limit = RateLimit::from_headers(headers);
            let wait = retry_after(headers)
                .or_else(|| limit.filter(|it| it.remaining == Some(0)).and_then(|it| it.interval))
                .unwrap_or_else(|| backoff(limit.and_then(|it| it.interval).unwrap_or(window)));
            Verdict::RetryAfter(wait, "rate limited (429)")
        }
        423 => Verdict::RetryAfter(
            retry_after(headers)
                .unwrap_or_else(|| backoff(Duration::MAX))
                .max(Duration::from_secs(2)),
            "locked (423)",
        ),
        477 | 500 | 502 | 503 | 504 | 521 | 523 | 524 => Verdict::RetryAfter(
            retry_after(headers).unwrap_or_else(|| backoff(Duration::MAX)),
            reason_for(status),
        ),
        _ => Verdict::Done,
    }
}

/// The verdict on a request that got no whole response: a connection refused or reset, a
/// timeout, a body that broke off.
pub(crate) fn judge_transport(policy: &RetryPolicy, retry: u32, err: &reqwest::Error) -> Verdict {
    if err.is_timeout() || err.is_connect() || err.is_request() || err.is_body() {
        Verdict::RetryAfter(policy.backoff_for(retry, Duration::MAX), "no whole response")
    } else {
        Verdict::Done
    }
}

/// The verdict on a response whose body broke off midway.
pub(crate) fn judge_incomplete(policy: &RetryPolicy, retry: u32) -> Verdict {
    Verdict::RetryAfter(policy.backoff_for(retry, Duration::MAX), "the body broke off")
}

fn reason_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        477 => "account migrating (477)",
        500 => "server error (500)",
        502 => "bad gateway (502)",
        503 => "unavailable (503)",
        504 => "gateway timeout (504)",
        521 => "server down (521)",
        523 => "origin unreachable (523)",
        _ => "timeout (524)",
    }
}

/// HubSpot's `policyName` in a 429 body.
pub(crate) fn policy_name(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(rename = "policyName")]
        policy_name: Option<String>,
    }
    serde_json::from_slice::<Body>(body).ok()?.policy_name
}

/// `Retry-After` in seconds (HTTP dates are not used by HubSpot and are ignored), at most a day.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let seconds: f64 = value.parse().ok().filter(|it: &f64| it.is_finite() && *it >= 0.0)?;
    Some(Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// Whether the loop goes on after `verdict`: the wait to take, or why it stops.
pub(crate) fn next_wait(
    policy: &RetryPolicy,
    verdict: &Verdict,
    attempts: u32,
    elapsed: Duration,
) -> Result<Duration, StopReason> {
    match verdict {
        Verdict::Done => Err(StopReason::Final),
        Verdict::Stop(reason) => Err(reason.clone()),
        Verdict::RetryAfter(wait, _) => {
            if attempts >= policy.max_attempts {
                Err(StopReason::MaxAttempts)
            } else if elapsed.saturating_add(*wait) > policy.max_elapsed {
                Err(StopReason::TimeBudget { wait: *wait })
            } else {
                Ok(*wait)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use reqwest::{StatusCode, header::HeaderMap};

    use super::{RetryPolicy, StopReason, Verdict, judge_response, next_wait};
    use crate::RawResponse;

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> RawResponse {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        RawResponse::new(StatusCode::from_u16(status).unwrap(), map, Bytes::from(body.to_owned()))
    }

    fn wait(verdict: Verdict) -> Duration {
        match verdict {
            Verdict::RetryAfter(wait, _) => wait,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_daily_429_is_never_retried() {
        let body = r#"{"status":"error","policyName":"DAILY","errorType":"RATE_LIMIT"}"#;
        let verdict = judge_response(&RetryPolicy::default(), 1, &response(429, &[], body));
        assert_eq!(verdict, Verdict::Stop(StopReason::DailyLimit));
    }

    #[test]
    fn a_429_waits_for_retry_after_then_the_window_then_a_capped_backoff() {
        let policy = RetryPolicy::default();
        let body = r#"{"policyName":"TEN_SECONDLY_ROLLING"}"#;
        let with_header = response(429, &[("retry-after", "3")], body);
        assert_eq!(wait(judge_response(&policy, 1, &with_header)), Duration::from_secs(3));
        let exhausted = response(
            429,
            &[
                ("x-hubspot-ratelimit-remaining", "0"),
                ("x-hubspot-ratelimit-interval-milliseconds", "10000"),
            ],
            body,
        );
        assert_eq!(wait(judge_response(&policy, 1, &exhausted)), Duration::from_secs(10));
        // No hint: backoff, at most the window, even late in the call.
        let bare = response(429, &[], body);
        for retry in 1..10 {
            assert!(wait(judge_response(&policy, retry, &bare)) <= Duration::from_secs(10));
        }
    }

    #[test]
    fn a_secondly_429_waits_a_second_whatever_the_ten_secondly_headers_say() {
        let policy = RetryPolicy::default();
        let secondly = response(
            429,
            &[
                ("x-hubspot-ratelimit-remaining", "0"),
                ("x-hubspot-ratelimit-interval-milliseconds", "10000"),
            ],
            r#"{"policyName":"SECONDLY"}"#,
        );
        for retry in 1..10 {
            assert_eq!(wait(judge_response(&policy, retry, &secondly)), Duration::from_secs(1));
        }
        let told = response(429, &[("retry-after", "2")], r#"{"policyName":"SECONDLY"}"#);
        assert_eq!(wait(judge_response(&policy, 1, &told)), Duration::from_secs(2));
    }

    #[test]
    fn a_locked_record_waits_at_least_two_seconds() {
        let policy =
            RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_secs(1));
        assert!(
            wait(judge_response(&policy, 1, &response(423, &[], ""))) >= Duration::from_secs(2)
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_its_cap() {
        let policy =
            RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_secs(1));
        for (retry, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (30, 1000)] {
            let got = wait(judge_response(&policy, retry, &response(503, &[], "")));
            let full = Duration::from_millis(full);
            assert!(got >= full / 2 && got <= full, "retry {retry}: {got:?}");
        }
    }

    #[test]
    fn other_statuses_are_final() {
        for status in [200, 207, 400, 401, 403, 404, 409, 501] {
            let verdict = judge_response(&RetryPolicy::default(), 1, &response(status, &[], ""));
            assert_eq!(verdict, Verdict::Done, "{status}");
        }
    }

    #[test]
    fn attempts_and_total_time_bound_the_loop() {
        let policy = RetryPolicy::default().max_attempts(3).max_elapsed(Duration::from_secs(10));
        let retry = Verdict::RetryAfter(Duration::from_secs(4), "test");
        assert_eq!(next_wait(&policy, &retry, 1, Duration::ZERO), Ok(Duration::from_secs(4)));
        assert_eq!(next_wait(&policy, &retry, 3, Duration::ZERO), Err(StopReason::MaxAttempts));
        assert_eq!(
            next_wait(&policy, &retry, 2, Duration::from_secs(7)),
            Err(StopReason::TimeBudget { wait: Duration::from_secs(4) })
        );
        assert_eq!(next_wait(&policy, &Verdict::Done, 1, Duration::ZERO), Err(StopReason::Final));
    }
}
