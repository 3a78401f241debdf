//! Server-sent events (`text/event-stream`): a response read event by event as it arrives,
//! each event's `data` decoded as the spec documents it.
//!
//! The parser follows the WHATWG HTML standard's "interpreting an event stream": lines end
//! with CRLF, LF or CR; a blank line dispatches the event; `:` starts a comment; `data` lines
//! join with line feeds; `id` persists from event to event; `retry` is kept when it is digits;
//! an event the stream ends before dispatching is dropped; a leading byte-order mark is
//! skipped. It is written here rather than taken from a crate because a server may send
//! anything: no line or event may grow past the client's response size limit, which the
//! crates that parse event streams do not bound.
//!
//! In a stream of JSON events, a `data` of exactly `[DONE]` ends the stream: OpenAI's API and
//! the many that copy it send it as their last event, and it is not JSON.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use futures_core::Stream;
use serde::de::DeserializeOwned;

/// How a stream decodes each event's `data`: [`json`] or [`text`].
pub struct Decode<T> {
    read: fn(&str) -> Result<T, serde_json::Error>,
    /// Whether `[DONE]` ends the stream.
    done: bool,
}

impl<T> fmt::Debug for Decode<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decode").field("done", &self.done).finish_non_exhaustive()
    }
}

/// Each event's `data` as JSON of type `T`; data that is not JSON, as a JSON string would be
/// (an unquoted word for a string type, an enum or an alias of one). `[DONE]` ends the stream.
pub fn json<T: DeserializeOwned>() -> Decode<T> {
    fn read<T: DeserializeOwned>(data: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(data).or_else(|err| {
            // JSON of another shape, or JSON cut off, is a decode error; only text that is no
            // JSON at all is tried as a string.
            let json_like = data.trim_start().starts_with(['{', '[', '"']);
            if err.is_data() || json_like {
                return Err(err);
            }
            serde_json::from_value(serde_json::Value::String(data.to_owned())).map_err(|_| err)
        })
    }
    Decode { read: read::<T>, done: true }
}

/// Each event's `data` as it is, for events the spec documents as text.
pub fn text() -> Decode<String> {
    Decode { read: |data| Ok(data.to_owned()), done: false }
}

/// One event of a stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<T> {
    /// Its type (the `event` field); `None` for the default, `message`.
    pub event: Option<String>,
    /// The last event id the stream gave (the `id` field of this event or of an earlier one).
    pub id: Option<String>,
    /// How long the server asks a client to wait before reconnecting (the `retry` field).
    pub retry: Option<Duration>,
    /// Its data, decoded.
    pub data: T,
}

/// Why a stream did not give an event.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventError {
    /// An event whose `data` does not decode as documented, kept whole; the stream goes on.
    Decode {
        /// The event, its data as received.
        event: Event<String>,
        /// Why it did not decode.
        source: serde_json::Error,
    },
    /// The connection broke off, or went silent past the client's timeout; the stream ends.
    Transport(reqwest::Error),
    /// An event (or a line) grew past the client's response size limit; the stream ends.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::Decode { source, .. } => {
                write!(f, "an event's data does not decode as documented ({source})")
            }
            EventError::Transport(source) => write!(f, "the event stream broke off: {source}"),
            EventError::TooLarge { limit } => {
                write!(f, "an event grew past the response size limit of {limit} bytes")
            }
        }
    }
}

impl std::error::Error for EventError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventError::Decode { source, .. } => Some(source),
            EventError::Transport(source) => Some(source),
            EventError::TooLarge { .. } => None,
        }
    }
}

/// The next chunk of the body, and the response to read the one after from.
type Chunk =
    Pin<Box<dyn Future<Output = (reqwest::Response, reqwest::Result<Option<Bytes>>)> + Send>>;

fn read(mut response: reqwest::Response) -> Chunk {
    Box::pin(async move {
        let chunk = response.chunk().await;
        (response, chunk)
    })
}

/// The events of a response, in order, as they arrive.
///
/// A [`Stream`] of `Result<Event<T>, EventError>`; [`EventStream::next`] reads one without
/// `futures`' `StreamExt`. It ends when the server closes the stream or sends `[DONE]`, after
/// a transport error, or after an event over the size limit.
pub struct EventStream<T> {
    /// The read in progress; `None` once the body has ended or failed.
    reading: Option<Chunk>,
    parser: Parser,
    decode: Decode<T>,
    /// Whether the stream has ended: nothing more is read or given.
    ended: bool,
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("ended", &self.ended)
            .field("buffered", &self.parser.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<T> EventStream<T> {
    /// The events of `response`, whose body is unread; no event may exceed `limit` bytes.
    pub(crate) fn new(response: reqwest::Response, decode: Decode<T>, limit: usize) -> Self {
        EventStream {
            reading: Some(read(response)),
            parser: Parser::new(limit),
            decode,
            ended: false,
        }
    }

    /// The events of a body received whole (tests, and bodies read before).
    pub fn from_bytes(body: &[u8], decode: Decode<T>, limit: usize) -> Self {
        let mut parser = Parser::new(limit);
        parser.push(body);
        parser.eof = true;
        EventStream { reading: None, parser, decode, ended: false }
    }

    /// The next event, or `None` when the stream has ended.
    pub async fn next(&mut self) -> Option<Result<Event<T>, EventError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    fn decoded(&mut self, raw: Event<String>) -> Option<Result<Event<T>, EventError>> {
        if self.decode.done && raw.data == "[DONE]" {
            self.end();
            return None;
        }
        Some(match (self.decode.read)(&raw.data) {
            Ok(data) => Ok(Event { event: raw.event, id: raw.id, retry: raw.retry, data }),
            Err(source) => Err(EventError::Decode { event: raw, source }),
        })
    }

    fn end(&mut self) {
        self.ended = true;
        self.reading = None;
    }
}

impl<T> Stream for EventStream<T> {
    type Item = Result<Event<T>, EventError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.ended {
                return Poll::Ready(None);
            }
            if let Some(raw) = this.parser.next_event() {
                match this.decoded(raw) {
                    Some(it) => return Poll::Ready(Some(it)),
                    None => continue,
                }
            }
            // What waits for a line end or a blank line: bounded, whatever the server sends.
            if this.parser.pending() > this.parser.limit {
                this.end();
                return Poll::Ready(Some(Err(EventError::TooLarge { limit: this.parser.limit })));
            }
            let Some(reading) = this.reading.as_mut() else {
                this.end();
                return Poll::Ready(None);
            };
            let (response, chunk) = match reading.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(it) => it,
            };
            match chunk {
                Ok(Some(chunk)) => {
                    this.reading = Some(read(response));
                    this.parser.push(&chunk);
                }
                Ok(None) => {
                    this.reading = None;
                    this.parser.eof = true;
                }
                Err(source) => {
                    this.end();
                    return Poll::Ready(Some(Err(EventError::Transport(source))));
                }
            }
        }
    }
}

/// The event stream's grammar, fed bytes as they arrive.
#[derive(Debug)]
struct Parser {
    /// Bytes not yet read as lines, from `start`.
    buffer: Vec<u8>,
    /// Where the next line starts in `buffer`.
    start: usize,
    /// Where the search for the next line end goes on: bytes before it hold none.
    scanned: usize,
    /// Whether a line ended with a CR, so that an LF right after it ends nothing.
    after_cr: bool,
    /// Whether the body has ended.
    eof: bool,
    /// Whether a byte-order mark may still come (nothing read yet).
    at_start: bool,
    event: String,
    data: String,
    /// Whether a `data` field came since the last dispatch.
    has_data: bool,
    id: Option<String>,
    retry: Option<Duration>,
    limit: usize,
}

impl Parser {
    fn new(limit: usize) -> Parser {
        Parser {
            buffer: Vec::new(),
            start: 0,
            scanned: 0,
            after_cr: false,
            eof: false,
            at_start: true,
            event: String::new(),
            data: String::new(),
            has_data: false,
            id: None,
            retry: None,
            limit,
        }
    }

    /// Takes `chunk`. Read lines are dropped once they are half the buffer, so that each byte
    /// is moved a bounded number of times.
    fn push(&mut self, chunk: &[u8]) {
        if self.start > 0 && self.start >= self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buffer.extend_from_slice(chunk);
    }

    /// The bytes that wait for a line end, and the data of the event that waits for its end.
    fn pending(&self) -> usize {
        self.buffer.len() - self.start + self.data.len()
    }

    /// The next line, without its end; `None` until a whole one has arrived.
    fn line(&mut self) -> Option<(usize, usize)> {
        if self.after_cr && self.start < self.buffer.len() {
            // CR LF is one line end.
            if self.buffer[self.start] == b'\n' {
                self.start += 1;
            }
            self.after_cr = false;
        }
        self.scanned = self.scanned.max(self.start);
        let Some(end) =
            self.buffer[self.scanned..].iter().position(|it| matches!(it, b'\n' | b'\r'))
        else {
            self.scanned = self.buffer.len();
            return None;
        };
        let end = self.scanned + end;
        self.after_cr = self.buffer[end] == b'\r';
        let line = (self.start, end);
        self.start = end + 1;
        self.scanned = self.start;
        Some(line)
    }

    /// The next whole event, its data as text.
    fn next_event(&mut self) -> Option<Event<String>> {
        if self.at_start {
            // A byte-order mark is known only once three bytes have come.
            if self.buffer.len() < 3 && !self.eof {
                return None;
            }
            if self.buffer.starts_with(b"\xEF\xBB\xBF") {
                self.start = 3;
                self.scanned = 3;
            }
            self.at_start = false;
        }
        while let Some((from, to)) = self.line() {
            if from == to {
                if let Some(event) = self.dispatch() {
                    return Some(event);
                }
                continue;
            }
            let line = String::from_utf8_lossy(&self.buffer[from..to]).into_owned();
            self.field(&line);
            // An event past the limit is never given: what waits is then over it, which the
            // stream refuses.
            if self.data.len() > self.limit {
                return None;
            }
        }
        None
    }

    fn field(&mut self, line: &str) {
        let (name, value) = match line.split_once(':') {
            Some(("", _)) => return,
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match name {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|it| it.is_ascii_digit()) => {
                // Digits past what a `u64` holds are ignored, as a field that is not one.
                if let Ok(ms) = value.parse() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }

    /// The event the blank line ends, when it has data; resets the event either way.
    fn dispatch(&mut self) -> Option<Event<String>> {
        let event = std::mem::take(&mut self.event);
        let mut data = std::mem::take(&mut self.data);
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        data.pop();
        Some(Event {
            event: Some(event).filter(|it| !it.is_empty()),
            id: self.id.clone().filter(|it| !it.is_empty()),
            retry: self.retry,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The events of `body` fed in pieces of `size` bytes, as text.
    fn events(body: &[u8], size: usize) -> Vec<Event<String>> {
        let mut parser = Parser::new(1 << 20);
        let mut out = Vec::new();
        for piece in body.chunks(size.max(1)) {
            parser.push(piece);
            out.extend(std::iter::from_fn(|| parser.next_event()));
        }
        parser.eof = true;
        out.extend(std::iter::from_fn(|| parser.next_event()));
        out
    }

    fn data(body: &[u8]) -> Vec<String> {
        events(body, body.len()).into_iter().map(|it| it.data).collect()
    }

    #[test]
    fn the_standards_examples() {
        // The WHATWG standard's examples of event streams.
        assert_eq!(data(b"data: YHOO\ndata: +2\ndata: 10\n\n"), ["YHOO\n+2\n10"]);
        let stream = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n";
        let got = events(stream, stream.len());
        assert_eq!(got.len(), 2, "the third event is never ended by a blank line");
        assert_eq!((got[0].data.as_str(), got[0].id.as_deref()), ("first event", Some("1")));
        assert_eq!((got[1].data.as_str(), got[1].id.as_deref()), ("second event", None));
        assert_eq!(data(b"data\n\ndata\ndata\n\ndata:\n"), ["", "\n"]);
        assert_eq!(data(b"data:test\n\ndata: test\n\n"), ["test", "test"]);
    }

    #[test]
    fn fields() {
        let got = events(b"event: delta\r\nid: 7\r\nretry: 1500\r\ndata: {}\r\n\r\n", 64);
        assert_eq!(got[0].event.as_deref(), Some("delta"));
        assert_eq!(got[0].id.as_deref(), Some("7"));
        assert_eq!(got[0].retry, Some(Duration::from_millis(1500)));
        // An id persists; the type does not; a retry that is not digits is ignored.
        let got = events(b"id: a\nevent: x\ndata: 1\n\nretry: soon\ndata: 2\n\n", 64);
        assert_eq!(
            (got[1].id.as_deref(), got[1].event.as_deref(), got[1].retry),
            (Some("a"), None, None)
        );
        // An event without data is not dispatched, and its type is forgotten.
        assert_eq!(events(b"event: ping\n\ndata: x\n\n", 64)[0].event, None);
        // Unknown fields and comments are skipped.
        assert_eq!(data(b"foo: bar\n: note\ndata: y\n\n"), ["y"]);
    }

    #[test]
    fn line_ends_and_pieces() {
        let body = b"\xEF\xBB\xBFdata: a\r\rdata: b\r\n\r\ndata: c\n\ndata: \xF0\x9F\xA6\x80\n\n";
        let whole = events(body, body.len());
        assert_eq!(
            whole.iter().map(|it| it.data.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c", "🦀"]
        );
        for size in 1..body.len() {
            assert_eq!(events(body, size), whole, "in pieces of {size} bytes");
        }
        // A CR last in the body ends its line.
        assert_eq!(data(b"data: z\r\r"), ["z"]);
    }

    #[test]
    fn what_waits_for_its_end_is_bounded_not_what_came_at_once() {
        // Many small events in one body larger than the limit: each is read.
        let body = "data: 0123456789\n\n".repeat(10);
        let mut stream = EventStream::from_bytes(body.as_bytes(), text(), 32);
        for _ in 0..10 {
            assert_eq!(next_now(&mut stream).unwrap().unwrap().data, "0123456789");
        }
        assert!(next_now(&mut stream).is_none());
        // A line that never ends, an event whose data never ends, or a whole event past the
        // limit, even in one piece, is refused.
        let whole = "data: 0123456789\n".repeat(4) + "\n";
        for body in ["data: ".to_owned() + &"x".repeat(40), "data: 0123456789\n".repeat(4), whole] {
            let mut stream = EventStream::from_bytes(body.as_bytes(), text(), 32);
            match next_now(&mut stream) {
                Some(Err(EventError::TooLarge { limit: 32 })) => {}
                other => panic!("expected the limit, got {other:?}"),
            }
            assert!(next_now(&mut stream).is_none());
        }
    }

    #[test]
    fn a_cr_ends_its_line_at_once() {
        let mut parser = Parser::new(1 << 10);
        parser.push(b"data: x\r\r");
        assert_eq!(parser.next_event().map(|it| it.data).as_deref(), Some("x"));
        // The LF that may follow a CR is part of that line end.
        parser.push(b"\ndata: y\r");
        assert_eq!(parser.next_event(), None);
        parser.push(b"\n\r\n");
        assert_eq!(parser.next_event().map(|it| it.data).as_deref(), Some("y"));
    }

    #[test]
    fn data_that_is_not_json_may_be_a_string_and_done_ends_only_json() {
        // JSON of the wrong shape, or cut off, stays an error, even for a type that takes any
        // string.
        let mut stream =
            EventStream::from_bytes(b"data: {\"a\":\n\n", json::<serde_json::Value>(), 64);
        assert!(matches!(next_now(&mut stream), Some(Err(EventError::Decode { .. }))));
        let mut stream = EventStream::from_bytes(b"data: {\"a\":1}\n\n", json::<String>(), 64);
        assert!(matches!(next_now(&mut stream), Some(Err(EventError::Decode { .. }))));
        let mut stream =
            EventStream::from_bytes(b"data: delta\n\ndata: [DONE]\n\n", json::<String>(), 64);
        assert_eq!(next_now(&mut stream).unwrap().unwrap().data, "delta");
        assert!(next_now(&mut stream).is_none());
        let mut stream = EventStream::from_bytes(b"data: [DONE]\n\n", text(), 64);
        assert_eq!(next_now(&mut stream).unwrap().unwrap().data, "[DONE]");
    }

    /// The next event of a stream whose body is all there: it never waits.
    fn next_now<T>(stream: &mut EventStream<T>) -> Option<Result<Event<T>, EventError>> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(stream).poll_next(&mut cx) {
            Poll::Ready(it) => it,
            Poll::Pending => panic!("a body received whole never waits"),
        }
    }

    #[test]
    fn done_ends_the_stream_and_bad_data_does_not() {
        let body = b"data: {\"n\":1}\n\ndata: nope\n\ndata: [DONE]\n\ndata: {\"n\":2}\n\n";
        type Counts = std::collections::BTreeMap<String, u32>;
        let mut stream = EventStream::from_bytes(body, json::<Counts>(), 1 << 10);
        assert_eq!(
            next_now(&mut stream).unwrap().unwrap().data,
            Counts::from([("n".to_owned(), 1)])
        );
        match next_now(&mut stream) {
            Some(Err(EventError::Decode { event, .. })) => assert_eq!(event.data, "nope"),
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(next_now(&mut stream).is_none());
        assert!(next_now(&mut stream).is_none());
    }
}
