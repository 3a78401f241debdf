//! Responses: the raw one every request gets, and the decoded one a method returns.

use std::fmt;

use bytes::Bytes;
use reqwest::{StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;

use crate::{Attempts, Error, RateLimit};

/// A decoded response: the status, the headers, and the body as a typed value.
#[derive(Clone, Debug, PartialEq)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
    attempts: Attempts,
}

impl<T> Response<T> {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers (HubSpot's rate-limit headers among them).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// HubSpot's rate-limit headers, parsed; `None` when the response has none.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }

    /// How many attempts the call made, and how long it waited between them.
    pub fn attempts(&self) -> &Attempts {
        &self.attempts
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The status, the headers and the body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }
}

/// A response as received, body unread by any decoder.
#[derive(Clone, PartialEq)]
pub struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    attempts: Attempts,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl RawResponse {
    /// A response from its parts, got at the first attempt.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> RawResponse {
        RawResponse { status, headers, body, attempts: Attempts::default() }
    }

    /// The same response, got after `attempts`.
    pub fn with_attempts(mut self, attempts: Attempts) -> RawResponse {
        self.attempts = attempts;
        self
    }

    /// How many attempts the call made, and how long it waited between them.
    pub fn attempts(&self) -> &Attempts {
        &self.attempts
    }

    /// HubSpot's rate-limit headers, parsed; `None` when the response has none.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, exactly as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The status and headers with `body` in place of this one's.
    pub(crate) fn with_body<T>(self, body: T) -> Response<T> {
        Response { status: self.status, headers: self.headers, body, attempts: self.attempts }
    }

    /// The error for a success that should have been an event stream and is not: an
    /// [`Error::Decode`] that keeps the whole response.
    pub fn not_events<E>(self) -> Error<E> {
        let media = self
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|it| it.to_str().ok())
            .unwrap_or("no media type")
            .to_owned();
        let source = <serde_json::Error as serde::de::Error>::custom(format!(
            "the server answered in `{media}`, not as an event stream (`text/event-stream`)"
        ));
        Error::Decode { response: Box::new(self), source }
    }

    /// Decodes the body as JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// Decodes the body as `T` and wraps it with `wrap`; a body that does not decode is an
    /// [`Error::Decode`] that keeps the whole response.
    pub fn decode<T: DeserializeOwned, O, E>(
        self,
        wrap: impl FnOnce(T) -> O,
    ) -> Result<Response<O>, Error<E>> {
        let decoded = serde_json::from_slice::<T>(&self.body);
        self.decoded(decoded, wrap)
    }

    /// The response with its body `decoded` and wrapped with `wrap`, or the [`Error::Decode`]
    /// that keeps it whole.
    fn decoded<T, O, E>(
        self,
        decoded: Result<T, serde_json::Error>,
        wrap: impl FnOnce(T) -> O,
    ) -> Result<Response<O>, Error<E>> {
        match decoded {
            Ok(body) => Ok(Response {
                status: self.status,
                headers: self.headers,
                body: wrap(body),
                attempts: self.attempts,
            }),
            Err(source) => Err(Error::Decode { response: Box::new(self), source }),
        }
    }

    /// Reads the body as an XML document of `shape` (see [`crate::xml`]), decodes it as `T` and
    /// wraps it with `wrap`; a body that is not such a document is an [`Error::Decode`] that
    /// keeps the whole response.
    pub fn decode_xml<T: DeserializeOwned, O, E>(
        self,
        shape: crate::xml::Shape,
        wrap: impl FnOnce(T) -> O,
    ) -> Result<Response<O>, Error<E>> {
        let read = std::str::from_utf8(&self.body)
            .map_err(|err| format!("the body is not UTF-8 text: {err}"))
            .and_then(|text| crate::xml::read(text, shape));
        let decoded = match read {
            Ok(value) => serde_json::from_value::<T>(value),
            Err(problem) => Err(<serde_json::Error as serde::de::Error>::custom(problem)),
        };
        self.decoded(decoded, wrap)
    }

    /// Decodes the body as UTF-8 text and wraps it with `wrap`; a body that is not UTF-8 is an
    /// [`Error::Decode`] that keeps the whole response.
    pub fn text<O, E>(self, wrap: impl FnOnce(String) -> O) -> Result<Response<O>, Error<E>> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(text) => Ok(Response {
                status: self.status,
                headers: self.headers,
                body: wrap(text),
                attempts: self.attempts,
            }),
            Err(err) => {
                let source = <serde_json::Error as serde::de::Error>::custom(format!(
                    "the body is not UTF-8 text: {err}"
                ));
                Err(Error::Decode { response: Box::new(self), source })
            }
        }
    }

    /// The body as bytes, with the media type its `Content-Type` gives, wrapped with `wrap`.
    pub fn binary<O, E>(
        self,
        wrap: impl FnOnce(crate::Binary) -> O,
    ) -> Result<Response<O>, Error<E>> {
        let content_type = self
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|it| it.to_str().ok())
            .map(str::to_owned);
        let body = crate::Binary { content_type, ..crate::Binary::new(self.body) };
        Ok(Response {
            status: self.status,
            headers: self.headers,
            body: wrap(body),
            attempts: self.attempts,
        })
    }

    /// A success documented without a body.
    pub fn empty<O, E>(self, value: O) -> Result<Response<O>, Error<E>> {
        Ok(Response {
            status: self.status,
            headers: self.headers,
            body: value,
            attempts: self.attempts,
        })
    }

    /// A success status the operation does not document, kept whole through `wrap`.
    pub fn undocumented<O, E>(
        self,
        wrap: impl FnOnce(RawResponse) -> O,
    ) -> Result<Response<O>, Error<E>> {
        let (status, headers, attempts) =
            (self.status, self.headers.clone(), self.attempts.clone());
        Ok(Response { status, headers, body: wrap(self), attempts })
    }

    /// The error for a response whose status is not a success: [`Error::Api`] when the body
    /// decodes as the documented error type `E`, [`Error::UnexpectedResponse`] otherwise.
    pub fn into_error<E: DeserializeOwned>(self) -> Error<E> {
        self.into_error_as(|body: E| body)
    }

    /// The error for a response whose status is not a success, when the status decides the
    /// type of the body: decodes it as `T` and wraps it into the error enum `E` with `wrap`.
    pub fn into_error_as<T: DeserializeOwned, E>(self, wrap: impl FnOnce(T) -> E) -> Error<E> {
        match serde_json::from_slice::<T>(&self.body) {
            Ok(body) => Error::Api { response: Box::new(self), body: Box::new(wrap(body)) },
            Err(source) => Error::UnexpectedResponse { response: Box::new(self), source },
        }
    }
}
