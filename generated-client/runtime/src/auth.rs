//! Credentials: where the `Authorization` header of each attempt comes from.
//!
//! A static bearer token (a private app's, or an OAuth access token the caller manages), or
//! OAuth access tokens got from a refresh token: fetched on first use, refreshed shortly before
//! the lifetime the token endpoint states (`expires_in`) runs out, and refreshed once more when
//! the API answers 401 with `EXPIRED_AUTHENTICATION`. Every clone of a client shares one
//! token, and one refresh is in flight at a time: callers that need a token meanwhile wait for
//! it. No secret ever appears in `Debug`, in an error or in a trace.

use std::{fmt, sync::Arc, time::Duration};

use reqwest::{
    StatusCode, Url,
    header::{CONTENT_TYPE, HeaderValue},
};
use tokio::time::Instant;

/// How long before the stated expiry a token is refreshed: a minute, or half the lifetime of a
/// token that lives less than two.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How many times a refresh that got no answer, or a server error, is tried.
const REFRESH_ATTEMPTS: u32 = 3;

/// A refresh-token grant (RFC 6749, section 6): what it takes to get OAuth access tokens.
///
/// HubSpot's token endpoint is `https://api.hubapi.com/oauth/v1/token` until 2027-02-16, when it
/// is retired for the dated `https://api.hubapi.com/oauth/2026-03/token` (and OAuth v3's): give
/// the one your app is registered for.
#[derive(Clone)]
pub struct OAuthRefresh {
    token_url: String,
    client_id: String,
    client_secret: String,
    refresh_token: String,
}

impl OAuthRefresh {
    /// The grant for the app `client_id` with `client_secret`, refreshing `refresh_token` at
    /// `token_url`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> OAuthRefresh {
        OAuthRefresh {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
        }
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }
}

impl fmt::Debug for OAuthRefresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthRefresh")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// A client-credentials grant (RFC 6749, section 4.4): an application's own access tokens,
/// got from the token endpoint with its id and secret (sent with HTTP basic authentication,
/// as the RFC asks servers to accept), for the scopes asked.
#[derive(Clone)]
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
}

impl ClientCredentials {
    /// The grant for the application `client_id` with `client_secret`, at `token_url` (an
    /// `oauth2` scheme's `flows.clientCredentials.tokenUrl`).
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> ClientCredentials {
        ClientCredentials {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: Vec::new(),
        }
    }

    /// Asks for these scopes (none by default: the server's default).
    pub fn scopes<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> ClientCredentials {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A grant that gives access tokens.
#[derive(Clone, Debug)]
pub(crate) enum Grant {
    Refresh(OAuthRefresh),
    ClientCredentials(ClientCredentials),
}

impl Grant {
    fn token_url(&self) -> &str {
        match self {
            Grant::Refresh(it) => &it.token_url,
            Grant::ClientCredentials(it) => &it.token_url,
        }
    }

    /// The secrets of the grant, which nothing may echo.
    fn secrets(&self) -> [&str; 2] {
        match self {
            Grant::Refresh(it) => [&it.client_secret, &it.refresh_token],
            Grant::ClientCredentials(it) => [&it.client_secret, ""],
        }
    }
}

/// Where a client's `Authorization` header comes from.
#[derive(Clone)]
pub(crate) enum Auth {
    /// The same header on every request.
    Static(HeaderValue),
    /// Access tokens from a grant, shared by every clone of the client.
    OAuth(Arc<Refresher>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Static(_) => f.write_str("Static(<redacted>)"),
            Auth::OAuth(refresher) => f.debug_tuple("OAuth").field(&refresher.grant).finish(),
        }
    }
}

/// An access token, and which one it is.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) header: HeaderValue,
    /// Counts the tokens got: a 401 names the token it refused by this.
    pub(crate) generation: u64,
}

/// A grant and the token it last gave.
pub(crate) struct Refresher {
    grant: Grant,
    url: Url,
    current: tokio::sync::Mutex<Current>,
}

#[derive(Default)]
struct Current {
    token: Option<Token>,
    /// When to refresh; `None` when the endpoint stated no lifetime (then only a 401 does).
    refresh_at: Option<Instant>,
    generation: u64,
    /// A refresh token the endpoint gave in exchange for the first (some rotate them).
    rotated: Option<String>,
}

impl Refresher {
    /// Checks the token URL: https, or http to a loopback server.
    pub(crate) fn new(grant: Grant) -> Result<Refresher, String> {
        let token_url = grant.token_url();
        let url = Url::parse(token_url)
            .map_err(|err| format!("the token URL `{token_url}` is not a URL: {err}"))?;
        if !is_safe_for_secrets(&url) {
            return Err(format!(
                "the client secret would be sent unencrypted to `{token_url}`: use https (plain http is for loopback servers only)"
            ));
        }
        Ok(Refresher { grant, url, current: tokio::sync::Mutex::default() })
    }

    /// The token to send: the current one, or a new one when there is none, it is about to
    /// expire, or it is the one a 401 called expired (`stale`).
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        stale: Option<u64>,
    ) -> Result<Token, String> {
        let mut current = self.current.lock().await;
        let fresh = match (&current.token, current.refresh_at) {
            (None, _) => false,
            (Some(token), _) if stale == Some(token.generation) => false,
            (Some(_), Some(at)) => Instant::now() < at,
            (Some(_), None) => true,
        };
        if let (true, Some(token)) = (fresh, &current.token) {
            return Ok(token.clone());
        }
        let refresh_token = match &self.grant {
            Grant::Refresh(it) => {
                current.rotated.clone().unwrap_or_else(|| it.refresh_token.clone())
            }
            Grant::ClientCredentials(_) => String::new(),
        };
        let got = self
            .refresh(http, &refresh_token)
            .await
            .map_err(|it| self.redact(it, &[&refresh_token]))?;
        current.generation += 1;
        let token = Token { header: got.header, generation: current.generation };
        current.refresh_at =
            got.lifetime.map(|it| Instant::now() + it.saturating_sub(REFRESH_MARGIN.min(it / 2)));
        current.token = Some(token.clone());
        if got.refresh_token.is_some() {
            current.rotated = got.refresh_token;
        }
        tracing::debug!(
            generation = token.generation,
            lifetime_s = got.lifetime.map(|it| it.as_secs()),
            "got an access token"
        );
        Ok(token)
    }

    /// Asks the token endpoint, trying again after no answer or a server error.
    async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh_token: &str,
    ) -> Result<Granted, String> {
        let scopes;
        let (form, basic): (Vec<(&str, &str)>, _) = match &self.grant {
            Grant::Refresh(grant) => (
                vec![
                    ("grant_type", "refresh_token"),
                    ("client_id", grant.client_id.as_str()),
                    ("client_secret", grant.client_secret.as_str()),
                    ("refresh_token", refresh_token),
                ],
                None,
            ),
            Grant::ClientCredentials(grant) => {
                scopes = grant.scopes.join(" ");
                let mut form = vec![("grant_type", "client_credentials")];
                if !scopes.is_empty() {
                    form.push(("scope", scopes.as_str()));
                }
                (form, Some((&grant.client_id, &grant.client_secret)))
            }
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = http
                .post(self.url.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .form(&form);
            if let Some((id, secret)) = basic {
                request = request.basic_auth(id, Some(secret));
            }
            let res = request.send().await;
            let transient = match res {
                Ok(response) if response.status().is_success() => {
                    let body = response
                        .bytes()
                        .await
                        .map_err(|err| format!("the token endpoint's answer broke off: {err}"))?;
                    return read_grant(&body);
                }
                Ok(response) => {
                    let status = response.status();
                    let body = response.bytes().await.unwrap_or_default();
                    let text = String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned();
                    let problem = format!("the token endpoint answered {status}: {text}");
                    if !status.is_server_error() && status != StatusCode::TOO_MANY_REQUESTS {
                        return Err(problem);
                    }
                    problem
                }
                Err(err) => format!("the token endpoint could not be reached: {err}"),
            };
            if attempt >= REFRESH_ATTEMPTS {
                return Err(transient);
            }
            tokio::time::sleep(Duration::from_millis(500) * attempt).await;
        }
    }

    /// `text` without the secrets of the grant (and the refresh token in use, which the
    /// endpoint may have rotated), whatever echoed them.
    fn redact(&self, text: String, more: &[&str]) -> String {
        let mut text = text;
        for secret in self.grant.secrets().into_iter().chain(more.iter().copied()) {
            if !secret.is_empty() {
                text = text.replace(secret, "<redacted>");
            }
        }
        text
    }
}

/// What a token endpoint granted.
struct Granted {
    header: HeaderValue,
    lifetime: Option<Duration>,
    refresh_token: Option<String>,
}

/// Reads a token endpoint's answer leniently: `access_token` or `accessToken`, `expires_in` or
/// `expiresIn` (a number, or a number in a string), and a new `refresh_token` if any.
fn read_grant(body: &[u8]) -> Result<Granted, String> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| format!("the token endpoint's answer is not JSON: {err}"))?;
    let field = |names: [&str; 2]| names.iter().find_map(|it| value.get(*it)).cloned();
    let token = field(["access_token", "accessToken"])
        .and_then(|it| it.as_str().map(str::to_owned))
        .filter(|it| !it.is_empty())
        .ok_or("the token endpoint's answer has no `access_token`")?;
    let lifetime = field(["expires_in", "expiresIn"]).and_then(|it| match it {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let lifetime = lifetime
        .filter(|it| it.is_finite() && *it > 0.0)
        .map(|it| Duration::from_secs_f64(it.min(365.0 * 86_400.0)));
    let refresh_token = field(["refresh_token", "refreshToken"])
        .and_then(|it| it.as_str().map(str::to_owned))
        .filter(|it| !it.is_empty());
    let mut header = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| "the access token contains characters a header cannot carry")?;
    header.set_sensitive(true);
    Ok(Granted { header, lifetime, refresh_token })
}

impl Refresher {
    /// Whether a 401 with `body` is worth a new token and one more attempt, after `retries`
    /// such attempts in the call: once whatever the body says, and again while it says the
    /// token expired (other calls may have replaced it meanwhile).
    pub(crate) fn mends(&self, body: &[u8], retries: u32, max: u32) -> bool {
        retries == 0 || (retries < max && says_expired(body))
    }
}

/// Whether a 401's body says the token expired (HubSpot's `EXPIRED_AUTHENTICATION`): the one
/// 401 that a refresh mends again and again.
pub(crate) fn says_expired(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Body {
        category: Option<String>,
    }
    serde_json::from_slice::<Body>(body)
        .is_ok_and(|it| it.category.as_deref() == Some("EXPIRED_AUTHENTICATION"))
}

/// Whether a secret may travel to `url`: over https, or over http to a loopback server.
pub(crate) fn is_safe_for_secrets(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{OAuthRefresh, read_grant, says_expired};

    #[test]
    fn grants_are_read_in_either_spelling() {
        let snake =
            read_grant(br#"{"access_token":"a1","expires_in":1800,"refresh_token":"r2"}"#).unwrap();
        assert_eq!(snake.header.to_str().unwrap(), "Bearer a1");
        assert_eq!(snake.lifetime, Some(Duration::from_secs(1800)));
        assert_eq!(snake.refresh_token.as_deref(), Some("r2"));
        let camel = read_grant(br#"{"accessToken":"a2","expiresIn":"60"}"#).unwrap();
        assert_eq!(camel.lifetime, Some(Duration::from_secs(60)));
        assert!(camel.header.is_sensitive());
        assert!(read_grant(br#"{"expires_in":5}"#).is_err());
        assert!(read_grant(br#"{"access_token":"a\nb"}"#).is_err());
        assert_eq!(read_grant(br#"{"access_token":"a","expires_in":-1}"#).unwrap().lifetime, None);
    }

    #[test]
    fn only_an_expired_token_is_refreshed_on_a_401() {
        assert!(says_expired(br#"{"category":"EXPIRED_AUTHENTICATION","message":"expired"}"#));
        assert!(!says_expired(br#"{"category":"INVALID_AUTHENTICATION"}"#));
        assert!(!says_expired(b"<html>"));
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let grant = OAuthRefresh::new("https://x/token", "app", "s3cret", "r3fresh");
        let text = format!("{grant:?}");
        assert!(!text.contains("s3cret") && !text.contains("r3fresh"), "{text}");
    }
}
