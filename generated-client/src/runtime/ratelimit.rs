//! Rate limits: what the server says of them, and a limiter that keeps a client under them.

use std::{
    collections::VecDeque,
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

/// A client-side limiter of `max` requests in any `interval` (a rolling window, as HubSpot
/// counts them), shared by every clone of the client, and corrected by what the server says:
/// its limit when lower, the requests it says it counted, and every 429.
///
/// A token bucket refilled evenly lets twice the limit through in the first window (the full
/// bucket, then its refill), which a rolling window answers with 429s: in the bulk benchmark
/// of BENCHMARKS.md a bucket got 22 429s in 1,000 requests, this log 7 (none but at the edges
/// of the window), and no limiter 72.
#[derive(Clone, Debug)]
pub(crate) struct Limiter {
    state: Arc<Mutex<Window>>,
}

/// The times of the requests sent within the last `interval`, oldest first: at most `max`.
#[derive(Debug)]
struct Window {
    max: usize,
    interval: Duration,
    sent: VecDeque<Instant>,
}

impl Window {
    fn new(max: u32, interval: Duration) -> Window {
        let max = usize::try_from(max.max(1)).unwrap_or(usize::MAX);
        Window { max, interval: interval.max(Duration::from_millis(1)), sent: VecDeque::new() }
    }

    /// How long a request stays counted: the interval and a margin of 2%, since the server
    /// counts a request when it arrives, a little after the client counted it.
    fn span(&self) -> Duration {
        self.interval + self.interval / 50
    }

    fn forget_before(&mut self, now: Instant) {
        let span = self.span();
        while self.sent.front().is_some_and(|it| now.saturating_duration_since(*it) >= span) {
            self.sent.pop_front();
        }
    }

    /// Counts a request at `now`, or says how long until one may go.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.forget_before(now);
        if self.sent.len() < self.max {
            self.sent.push_back(now);
            return Ok(());
        }
        let oldest = self.sent.front().copied().unwrap_or(now);
        Err((oldest + self.span()).saturating_duration_since(now).max(Duration::from_millis(1)))
    }

    /// See [`Limiter::observe`].
    fn observe(&mut self, now: Instant, limit: Option<&RateLimit>, rate_limited: bool) {
        self.forget_before(now);
        if let Some(limit) = limit {
            if let Some(max) = limit.max.and_then(|it| usize::try_from(it.max(1)).ok()) {
                self.max = self.max.min(max);
            }
            if let Some(interval) = limit.interval {
                self.interval = self.interval.max(interval);
            }
            // The server counted more than this client sent (other clients of the same app, or
            // requests before this one started): those count as sent now.
            if let Some(remaining) = limit.remaining.and_then(|it| usize::try_from(it).ok()) {
                let used = self.max.saturating_sub(remaining);
                while self.sent.len() < used {
                    self.sent.push_back(now);
                }
            }
        }
        if rate_limited {
            while self.sent.len() < self.max {
                self.sent.push_back(now);
            }
        }
    }
}

impl Limiter {
    /// A limiter of `max` requests in any `interval` (at least one request, and a non-zero
    /// interval).
    pub(crate) fn new(max: u32, interval: Duration) -> Limiter {
        Limiter { state: Arc::new(Mutex::new(Window::new(max, interval))) }
    }

    /// Waits until a request may go, and counts it; returns how long it waited.
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

    /// Corrects the window from a response's headers: the server's limit replaces the
    /// configured one when it is lower, and what the server says it counted is counted. A 429
    /// fills the window.
    pub(crate) fn observe(&self, limit: Option<&RateLimit>, rate_limited: bool) {
        let mut window = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        window.observe(Instant::now(), limit, rate_limited);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::header::HeaderMap;

    use tokio::time::Instant;

    use super::{RateLimit, Window};

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
    fn the_window_lets_max_through_then_waits_for_the_oldest() {
        let start = Instant::now();
        let mut window = Window::new(10, Duration::from_secs(10));
        for it in 0..10 {
            assert_eq!(window.take(start + Duration::from_secs(it)), Ok(()));
        }
        // The 11th waits until the first leaves the window, 10 s (and a margin of 2%) after it
        // was sent.
        assert_eq!(window.take(start + Duration::from_secs(9)), Err(Duration::from_millis(1200)));
        assert!(window.take(start + Duration::from_secs(10)).is_err());
        assert_eq!(window.take(start + Duration::from_millis(10_200)), Ok(()));
        // Never more than `max` in any window, however long it was idle.
        let later = start + Duration::from_secs(3600);
        for _ in 0..10 {
            assert_eq!(window.take(later), Ok(()));
        }
        assert!(window.take(later).is_err());
    }

    #[test]
    fn the_server_corrects_the_window() {
        let start = Instant::now();
        let mut window = Window::new(100, Duration::from_secs(10));
        let limit = RateLimit {
            max: Some(10),
            remaining: Some(0),
            interval: Some(Duration::from_secs(10)),
            ..RateLimit::default()
        };
        window.observe(start, Some(&limit), false);
        assert_eq!(window.take(start), Err(Duration::from_millis(10_200)));
        let later = start + Duration::from_millis(10_200);
        assert_eq!(window.take(later), Ok(()));
        window.observe(later, None, true);
        assert!(window.take(later).is_err(), "a 429 fills the window");
    }
}
