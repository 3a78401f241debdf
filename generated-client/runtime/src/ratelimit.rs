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
/// its stated limit, the requests it says it counted, and every 429.
///
/// A token bucket refilled evenly lets twice the limit through in the first window (the full
/// bucket, then its refill), which a rolling window answers with 429s: in the bulk benchmark
/// of BENCHMARKS.md a bucket got 22 429s in 1,000 requests, this log 7 (none but at the edges
/// of the window), and no limiter 72.
#[derive(Clone, Debug)]
pub(crate) struct Limiter {
    state: Arc<Mutex<Window>>,
}

/// A number of requests in a rolling interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Limit {
    max: usize,
    interval: Duration,
}

impl Limit {
    fn new(max: u64, interval: Duration) -> Limit {
        let max = usize::try_from(max.max(1)).unwrap_or(usize::MAX);
        Limit { max, interval: interval.max(Duration::from_millis(1)) }
    }

    /// How long a request stays counted: the interval and a margin of 2%, since the server
    /// counts a request when it arrives, a little after the client counted it.
    fn span(&self) -> Duration {
        self.interval + self.interval / 50
    }
}

/// The times of the requests sent within the longest interval in force, oldest first.
#[derive(Debug)]
struct Window {
    /// The limit the client was built with.
    configured: Limit,
    /// Whether `configured` is the user's own ceiling, kept however much the server allows,
    /// or a provisional start that the server's stated limit replaces.
    ceiling: bool,
    /// The limit the server states (`X-HubSpot-RateLimit-Max` per
    /// `…-Interval-Milliseconds`), taken as the pair it is.
    stated: Option<Limit>,
    /// No request before this (a secondly 429).
    paused_until: Option<Instant>,
    sent: VecDeque<Instant>,
}

impl Window {
    fn new(max: u32, interval: Duration, ceiling: bool) -> Window {
        Window {
            configured: Limit::new(u64::from(max), interval),
            ceiling,
            stated: None,
            paused_until: None,
            sent: VecDeque::new(),
        }
    }

    /// The limits a request must fit: the server's, and the user's ceiling.
    fn limits(&self) -> impl Iterator<Item = Limit> + '_ {
        let configured = (self.ceiling || self.stated.is_none()).then_some(self.configured);
        configured.into_iter().chain(self.stated)
    }

    /// The limit the server's counts refer to.
    fn primary(&self) -> Limit {
        self.stated.unwrap_or(self.configured)
    }

    fn forget_before(&mut self, now: Instant) {
        let span = self.limits().map(|it| it.span()).max().unwrap_or_default();
        while self.sent.front().is_some_and(|it| now.saturating_duration_since(*it) >= span) {
            self.sent.pop_front();
        }
    }

    /// How many requests `limit` counts at `now`, and the position of the oldest of them.
    fn counted(&self, limit: Limit, now: Instant) -> (usize, usize) {
        let first =
            self.sent.partition_point(|it| now.saturating_duration_since(*it) >= limit.span());
        (self.sent.len() - first, first)
    }

    /// Counts a request at `now`, or says how long until one may go.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.forget_before(now);
        let mut wait =
            self.paused_until.map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        for limit in self.limits() {
            let (count, first) = self.counted(limit, now);
            if count >= limit.max {
                // The request that must leave the window before one more fits.
                let leaving = self.sent[first + (count - limit.max)];
                wait = wait.max((leaving + limit.span()).saturating_duration_since(now));
            }
        }
        if !wait.is_zero() {
            return Err(wait.max(Duration::from_millis(1)));
        }
        self.sent.push_back(now);
        Ok(())
    }

    /// See [`Limiter::observe`].
    fn observe(&mut self, now: Instant, limit: Option<&RateLimit>, limited: Option<Limited>) {
        if let Some(max) = limit.and_then(|it| it.max) {
            let interval = limit.and_then(|it| it.interval).unwrap_or(self.primary().interval);
            self.stated = Some(Limit::new(max, interval));
        }
        self.forget_before(now);
        let primary = self.primary();
        // The server counted more than this client sent (other clients of the same app, or
        // requests before this one started): those count as sent now.
        if let Some(remaining) = limit.and_then(|it| it.remaining) {
            let remaining = usize::try_from(remaining).unwrap_or(usize::MAX);
            let used = primary.max.saturating_sub(remaining);
            let (count, _) = self.counted(primary, now);
            for _ in count..used {
                self.sent.push_back(now);
            }
        }
        match limited {
            Some(Limited::Secondly) => {
                self.paused_until = Some(now + Duration::from_secs(1));
            }
            Some(Limited::Window) => {
                let (count, _) = self.counted(primary, now);
                for _ in count..primary.max {
                    self.sent.push_back(now);
                }
            }
            None => {}
        }
    }
}

/// Which limit a 429 says was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Limited {
    /// HubSpot's `SECONDLY` policy: a one-second window the headers do not describe.
    Secondly,
    /// The window the headers describe (`TEN_SECONDLY_ROLLING`, or a 429 that does not say).
    Window,
}

impl Limited {
    /// The limit a 429 with this `policyName` reached; `None` for `DAILY`, which no wait of
    /// the limiter's helps.
    pub(crate) fn from_policy(policy_name: Option<&str>) -> Option<Limited> {
        match policy_name {
            Some("DAILY") => None,
            Some("SECONDLY") => Some(Limited::Secondly),
            _ => Some(Limited::Window),
        }
    }
}

impl Limiter {
    /// A limiter of `max` requests in any `interval` (at least one request, and a non-zero
    /// interval). A `ceiling` is never exceeded; otherwise the limit is where the limiter
    /// starts, and the server's stated limit replaces it.
    pub(crate) fn new(max: u32, interval: Duration, ceiling: bool) -> Limiter {
        Limiter { state: Arc::new(Mutex::new(Window::new(max, interval, ceiling))) }
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

    /// Corrects the window from a response's headers: the server's stated limit (its maximum
    /// per its interval, as a pair) is adopted, within the user's ceiling if there is one, and
    /// what the server says it counted is counted. A 429 fills the window it names, or pauses
    /// for a second for a secondly limit.
    pub(crate) fn observe(&self, limit: Option<&RateLimit>, limited: Option<Limited>) {
        let mut window = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        window.observe(Instant::now(), limit, limited);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::header::HeaderMap;

    use tokio::time::Instant;

    use super::{Limited, RateLimit, Window};

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
        let mut window = Window::new(10, Duration::from_secs(10), true);
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

    fn stated(max: u64, remaining: u64, interval_ms: u64) -> RateLimit {
        RateLimit {
            max: Some(max),
            remaining: Some(remaining),
            interval: Some(Duration::from_millis(interval_ms)),
            ..RateLimit::default()
        }
    }

    #[test]
    fn the_server_corrects_the_window() {
        let start = Instant::now();
        let mut window = Window::new(100, Duration::from_secs(10), true);
        window.observe(start, Some(&stated(10, 0, 10_000)), None);
        assert_eq!(window.take(start), Err(Duration::from_millis(10_200)));
        let later = start + Duration::from_millis(10_200);
        assert_eq!(window.take(later), Ok(()));
        window.observe(later, None, Some(Limited::Window));
        assert!(window.take(later).is_err(), "a 429 fills the window");
    }

    /// 20 requests per 2 s is the server's limit as a pair: not 20 per the configured 10 s.
    #[test]
    fn the_stated_limit_is_adopted_as_the_pair_it_is() {
        let start = Instant::now();
        let mut window = Window::new(100, Duration::from_secs(10), false);
        window.observe(start, Some(&stated(20, 20, 2_000)), None);
        let mut sent = 0;
        let mut now = start;
        while now < start + Duration::from_secs(10) {
            match window.take(now) {
                Ok(()) => sent += 1,
                Err(wait) => now += wait,
            }
        }
        // Five windows of 2 s (and their 2% margin) in 10 s: 20 in each but the last, cut short.
        assert!((80..=100).contains(&sent), "{sent} sent in 10 s");
        // A ceiling of the user's is kept when the server allows more.
        let mut capped = Window::new(10, Duration::from_secs(10), true);
        capped.observe(start, Some(&stated(190, 190, 10_000)), None);
        for _ in 0..10 {
            assert_eq!(capped.take(start), Ok(()));
        }
        assert!(capped.take(start).is_err(), "the ceiling holds");
        // A provisional start is replaced, upwards too.
        let mut provisional = Window::new(10, Duration::from_secs(10), false);
        provisional.observe(start, Some(&stated(190, 190, 10_000)), None);
        for _ in 0..190 {
            assert_eq!(provisional.take(start), Ok(()));
        }
        assert!(provisional.take(start).is_err());
    }

    #[test]
    fn a_secondly_429_pauses_a_second_not_the_ten_secondly_window() {
        let start = Instant::now();
        let mut window = Window::new(100, Duration::from_secs(10), false);
        window.observe(start, Some(&stated(100, 90, 10_000)), Some(Limited::Secondly));
        assert_eq!(window.take(start), Err(Duration::from_secs(1)));
        assert_eq!(window.take(start + Duration::from_secs(1)), Ok(()));
    }
}
