//! Rate limits: what the server says of them, and a limiter that keeps a client under them.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// HubSpot's rate-limit headers of one response (`X-HubSpot-RateLimit-*`), parsed. Each is
/// `None` when absent or unreadable; the daily ones are absent on OAuth calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per interval (`X-HubSpot-RateLimit-Max`).
    pub max: Option<u64>,
    /// Requests left in the current interval (`X-HubSpot-RateLimit-Remaining`).
    pub remaining: Option<u64>,
    /// The interval (`X-HubSpot-RateLimit-Interval-Milliseconds`, 10 s at HubSpot).
    pub interval: Option<Duration>,
    /// Requests allowed per day (`X-HubSpot-RateLimit-Daily`).
    pub daily: Option<u64>,
    /// Requests left today (`X-HubSpot-RateLimit-Daily-Remaining`).
    pub daily_remaining: Option<u64>,
}

impl RateLimit {
    /// The headers' rate limits; `None` when there are none.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let number =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let res = RateLimit {
            max: number("x-hubspot-ratelimit-max"),
            remaining: number("x-hubspot-ratelimit-remaining"),
            interval: number("x-hubspot-ratelimit-interval-milliseconds")
                .filter(|it| *it > 0)
                .map(Duration::from_millis),
            daily: number("x-hubspot-ratelimit-daily"),
            daily_remaining: number("x-hubspot-ratelimit-daily-remaining"),
        };
        (res != RateLimit::default()).then_some(res)
    }
}

/// A client-side limiter: a token bucket of `max` requests per `interval`, refilled evenly,
/// shared by every clone of the client, and corrected by what the server says (its limit and
/// what remains of it, and every 429).
#[derive(Clone, Debug)]
pub(crate) struct Limiter {
    state: Arc<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    /// Tokens added per second.
    rate: f64,
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn new(max: u32, interval: Duration, now: Instant) -> Bucket {
        let capacity = f64::from(max.max(1));
        let interval = interval.max(Duration::from_millis(1)).as_secs_f64();
        Bucket { capacity, rate: capacity / interval, tokens: capacity, updated: now }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.updated = now;
    }

    /// Takes a token at `now`, or says how long until one is there.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }

    /// See [`Limiter::observe`].
    fn observe(&mut self, now: Instant, limit: Option<&RateLimit>, rate_limited: bool) {
        self.refill(now);
        if let Some(limit) = limit {
            if let (Some(max), Some(interval)) = (limit.max, limit.interval) {
                let max = max.max(1) as f64;
                if max < self.capacity {
                    self.capacity = max;
                    self.rate = max / interval.as_secs_f64();
                    self.tokens = self.tokens.min(max);
                }
            }
            if let Some(remaining) = limit.remaining {
                self.tokens = self.tokens.min(remaining as f64);
            }
        }
        if rate_limited {
            self.tokens = self.tokens.min(0.0);
        }
    }
}

impl Limiter {
    /// A limiter of `max` requests per `interval` (at least one request, and a non-zero
    /// interval), starting full.
    pub(crate) fn new(max: u32, interval: Duration) -> Limiter {
        Limiter { state: Arc::new(Mutex::new(Bucket::new(max, interval, Instant::now()))) }
    }

    /// Waits until a request may go, and takes its token; returns how long it waited.
    pub(crate) async fn acquire(&self) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let taken =
                self.state.lock().unwrap_or_else(PoisonError::into_inner).take(Instant::now());
            match taken {
                Ok(()) => return waited,
                Err(wait) => {
                    tokio::time::sleep(wait).await;
                    waited += wait;
                }
            }
        }
    }

    /// Corrects the bucket from a response's headers: the server's limit replaces the
    /// configured one when it is lower, and the tokens never exceed what the server says
    /// remains. A 429 empties the bucket.
    pub(crate) fn observe(&self, limit: Option<&RateLimit>, rate_limited: bool) {
        let mut bucket = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        bucket.observe(Instant::now(), limit, rate_limited);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::header::HeaderMap;

    use tokio::time::Instant;

    use super::{Bucket, RateLimit};

    #[test]
    fn headers_parse_and_absent_ones_are_none() {
        let mut headers = HeaderMap::new();
        headers.insert("X-HubSpot-RateLimit-Max", "190".parse().unwrap());
        headers.insert("X-HubSpot-RateLimit-Remaining", "17".parse().unwrap());
        headers.insert("X-HubSpot-RateLimit-Interval-Milliseconds", "10000".parse().unwrap());
        headers.insert("X-HubSpot-RateLimit-Daily-Remaining", "nope".parse().unwrap());
        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(limit.max, Some(190));
        assert_eq!(limit.remaining, Some(17));
        assert_eq!(limit.interval, Some(Duration::from_secs(10)));
        assert_eq!((limit.daily, limit.daily_remaining), (None, None));
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
    }

    #[test]
    fn the_bucket_lets_a_burst_through_then_paces() {
        let start = Instant::now();
        let mut bucket = Bucket::new(10, Duration::from_secs(10), start);
        for _ in 0..10 {
            assert_eq!(bucket.take(start), Ok(()));
        }
        // Then one token a second.
        let wait = bucket.take(start).unwrap_err();
        assert!(wait >= Duration::from_millis(999) && wait <= Duration::from_millis(1001));
        assert_eq!(bucket.take(start + Duration::from_secs(1)), Ok(()));
        // Never more than the capacity, however long it was idle.
        let later = start + Duration::from_secs(3600);
        for _ in 0..10 {
            assert_eq!(bucket.take(later), Ok(()));
        }
        assert!(bucket.take(later).is_err());
    }

    #[test]
    fn the_server_corrects_the_bucket() {
        let start = Instant::now();
        let mut bucket = Bucket::new(100, Duration::from_secs(10), start);
        let limit = RateLimit {
            max: Some(10),
            remaining: Some(0),
            interval: Some(Duration::from_secs(10)),
            ..RateLimit::default()
        };
        bucket.observe(start, Some(&limit), false);
        assert!(bucket.take(start).unwrap_err() >= Duration::from_millis(999));
        let later = start + Duration::from_secs(5);
        assert_eq!(bucket.take(later), Ok(()));
        bucket.observe(later, None, true);
        assert!(bucket.take(later).is_err());
    }
}
