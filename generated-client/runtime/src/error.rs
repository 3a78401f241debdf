//! The error of every generated method.

use std::fmt;

use reqwest::StatusCode;

use crate::{Attempts, RateLimit, RawResponse, StopReason, validate::Violations};

/// Why an operation did not succeed. `E` is the operation's documented error body.
///
/// Responses and bodies are boxed so that a `Result` stays small on the success path.
///
/// Every variant that comes from a response keeps the whole response, so no body is ever lost:
/// not one that decodes, and not one that does not.
#[non_exhaustive]
pub enum Error<E> {
    /// The server answered with an error status, and the body is the documented error.
    Api {
        /// The response as received.
        response: Box<RawResponse>,
        /// Its body, decoded.
        body: Box<E>,
    },
    /// The server answered with an error status, and the body is not the documented error
    /// (an HTML page from a proxy, say).
    UnexpectedResponse {
        /// The response as received.
        response: Box<RawResponse>,
        /// Why the body did not decode.
        source: serde_json::Error,
    },
    /// The server answered with a success, but the body does not decode as documented.
    Decode {
        /// The response as received.
        response: Box<RawResponse>,
        /// Why the body did not decode.
        source: serde_json::Error,
    },
    /// The request could not be sent, or no response came: connection, TLS, timeout.
    /// After a timeout the server may still have applied the request.
    Transport {
        /// Why the last attempt failed.
        source: reqwest::Error,
        /// How many attempts were made, and why they stopped.
        attempts: Attempts,
    },
    /// The server answered, but its body broke off (the connection closed, or a timeout struck,
    /// midway). The status, the headers and the bytes that arrived are kept; the server may
    /// have applied the request.
    Incomplete {
        /// The response as far as it arrived.
        response: Box<RawResponse>,
        /// Why the body stopped.
        source: reqwest::Error,
    },
    /// The server answered with a body larger than the client's limit
    /// (`ClientBuilder::max_response_size`). The status, the headers and the first `limit`
    /// bytes are kept; the server may have applied the request.
    TooLarge {
        /// The response with the first `limit` bytes of its body (none when the
        /// `Content-Length` header said it was too large before any was read).
        response: Box<RawResponse>,
        /// The limit, in bytes.
        limit: usize,
    },
    /// No access token could be had for an attempt: the OAuth token endpoint refused the
    /// refresh token, or could not be reached. That attempt was not sent; earlier attempts of
    /// the call may have been (`attempts` says). The message never holds a secret.
    Credentials {
        /// What the token endpoint said, or why it could not be asked.
        problem: String,
        /// The attempts made before, and why they stopped.
        attempts: Attempts,
    },
    /// The request could not be built from the arguments (a header value with a newline, say).
    /// Nothing was sent.
    InvalidRequest(String),
    /// The body breaks the constraints of its schema (more items than `maxItems`, two inputs
    /// with the same id…), each named with its place. Nothing was sent.
    Invalid(Violations),
}

/// A body that breaks its schema's constraints, as generated methods refuse it (with `?`).
impl<E> From<Violations> for Error<E> {
    fn from(violations: Violations) -> Error<E> {
        Error::Invalid(violations)
    }
}

impl<E> Error<E> {
    /// The response, when the server answered.
    pub fn response(&self) -> Option<&RawResponse> {
        match self {
            Error::Api { response, .. }
            | Error::UnexpectedResponse { response, .. }
            | Error::Decode { response, .. }
            | Error::Incomplete { response, .. }
            | Error::TooLarge { response, .. } => Some(response),
            Error::Transport { .. }
            | Error::Credentials { .. }
            | Error::InvalidRequest(_)
            | Error::Invalid(_) => None,
        }
    }

    /// The status code, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Transport { source, .. } => source.status(),
            other => other.response().map(RawResponse::status),
        }
    }

    /// How many attempts the call made, how long it waited between them, and why it stopped;
    /// none for a request that was never sent.
    pub fn attempts(&self) -> Option<&Attempts> {
        match self {
            Error::Transport { attempts, .. } | Error::Credentials { attempts, .. } => {
                Some(attempts)
            }
            Error::InvalidRequest(_) | Error::Invalid(_) => None,
            other => other.response().map(RawResponse::attempts),
        }
    }

    /// HubSpot's rate-limit headers of the response, parsed; `None` without a response or
    /// without the headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.response().and_then(RawResponse::rate_limit)
    }

    /// The documented error body, when the server sent one.
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }
}

/// At most this many bytes of a body are shown in a message.
const BODY_EXCERPT: usize = 512;

fn excerpt(response: &RawResponse) -> String {
    let body = response.body();
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_EXCERPT)]);
    if body.len() > BODY_EXCERPT { format!("{text}…") } else { text.into_owned() }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_error(f)?;
        match self.attempts() {
            Some(attempts) if attempts.count > 1 || attempts.stopped != StopReason::Final => {
                write!(f, " ({attempts})")
            }
            _ => Ok(()),
        }
    }
}

impl<E> Error<E> {
    fn fmt_error(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { response, .. } => {
                write!(f, "the server answered {}: {}", response.status(), excerpt(response))
            }
            Error::UnexpectedResponse { response, source } => write!(
                f,
                "the server answered {} with a body that is not the documented error ({source}): {}",
                response.status(),
                excerpt(response)
            ),
            Error::Decode { response, source } => write!(
                f,
                "the server answered {} with a body that does not decode as documented ({source})",
                response.status()
            ),
            Error::Transport { source, .. } => write!(f, "the request failed: {source}"),
            Error::Incomplete { response, source } => write!(
                f,
                "the server answered {}, but its body broke off after {} bytes: {source}",
                response.status(),
                response.body().len()
            ),
            Error::TooLarge { response, limit } => write!(
                f,
                "the server answered {} with a body larger than the limit of {limit} bytes",
                response.status()
            ),
            Error::Credentials { problem, .. } => {
                write!(f, "no access token could be had: {problem}")
            }
            Error::InvalidRequest(problem) => write!(f, "invalid request: {problem}"),
            Error::Invalid(violations) => {
                write!(f, "the body breaks its schema, so nothing was sent: {violations}")
            }
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { response, body } => {
                f.debug_struct("Api").field("response", response).field("body", body).finish()
            }
            Error::UnexpectedResponse { response, source } => f
                .debug_struct("UnexpectedResponse")
                .field("response", response)
                .field("source", source)
                .finish(),
            Error::Decode { response, source } => f
                .debug_struct("Decode")
                .field("response", response)
                .field("source", source)
                .finish(),
            Error::Transport { source, attempts } => f
                .debug_struct("Transport")
                .field("source", source)
                .field("attempts", attempts)
                .finish(),
            Error::Incomplete { response, source } => f
                .debug_struct("Incomplete")
                .field("response", response)
                .field("source", source)
                .finish(),
            Error::TooLarge { response, limit } => f
                .debug_struct("TooLarge")
                .field("response", response)
                .field("limit", limit)
                .finish(),
            Error::Credentials { problem, attempts } => f
                .debug_struct("Credentials")
                .field("problem", problem)
                .field("attempts", attempts)
                .finish(),
            Error::InvalidRequest(problem) => {
                f.debug_tuple("InvalidRequest").field(problem).finish()
            }
            Error::Invalid(violations) => f.debug_tuple("Invalid").field(violations).finish(),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::UnexpectedResponse { source, .. } | Error::Decode { source, .. } => Some(source),
            Error::Transport { source, .. } | Error::Incomplete { source, .. } => Some(source),
            Error::Invalid(violations) => Some(violations),
            Error::Api { .. }
            | Error::Credentials { .. }
            | Error::InvalidRequest(_)
            | Error::TooLarge { .. } => None,
        }
    }
}
