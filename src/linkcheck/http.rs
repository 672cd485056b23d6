//! The network part of `check --external`: one request per URL, at most
//! [`ExternalOptions::concurrency`] at once and
//! [`ExternalOptions::per_host`] to the same host.
//!
//! A URL is asked for with `HEAD`; when the server answers that with an
//! error status (many refuse `HEAD` with 405, 403 or 501, some with 404 or
//! 400), it is asked again with `GET`, whose body is never read. Redirects
//! are followed (at most 10). Each request has [`ExternalOptions::timeout`]
//! for all of it: name lookup, connection, TLS, redirects and the response's
//! head.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex, PoisonError};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::ExternalOptions;

/// What a URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A status below 400, after redirects.
    Good,
    /// A status of 400 or more (after the `GET` retry).
    Status(u16),
    /// No answer within the timeout.
    Timeout,
    /// The host name does not exist.
    NoSuchHost,
    /// The redirects went round in circles, or past 10.
    TooManyRedirects,
    /// No connection: refused, reset, a TLS failure, a name lookup that
    /// failed for now.
    Unreachable(String),
    /// Not a URL that can be requested (a host with non-ASCII letters, say).
    BadUrl(String),
}

/// Characters written in a link that a request line cannot carry as they
/// are: percent-encoded, like every non-ASCII byte (`/wiki/注意力`). An
/// existing `%XX` is kept.
const NOT_IN_REQUESTS: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^');

/// The URL to request for a link as written: the fragment dropped, a
/// protocol-relative `//host/…` taken as `https:`, the scheme in lower case,
/// and what a request cannot carry percent-encoded. Links that differ only
/// by fragment are requested once.
pub(crate) fn request_url(written: &str) -> String {
    let url = written.trim();
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let url = match url.split_once("://") {
        Some((scheme, rest)) => format!("{}://{rest}", scheme.to_ascii_lowercase()),
        None => format!("https:{url}"),
    };
    utf8_percent_encode(&url, NOT_IN_REQUESTS).to_string()
}

/// The host of a request URL, in lower case (`""` if there is none).
pub(crate) fn host(url: &str) -> String {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    host_port.to_ascii_lowercase()
}

/// Requests every URL of `urls` (request URLs, see [`request_url`]) and
/// returns what each answered, in the same order.
pub(crate) fn probe_all(urls: &[String], options: &ExternalOptions) -> Vec<Outcome> {
    if urls.is_empty() {
        return Vec::new();
    }
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!(
            "blogsmith/",
            env!("CARGO_PKG_VERSION"),
            " (link checker)"
        ))
        .max_idle_connections_per_host(options.per_host.max(1))
        .build()
        .new_agent();
    let queue = Queue::new(urls, options.per_host.max(1));
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; urls.len()]);
    let workers = options.concurrency.clamp(1, urls.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some((index, host)) = queue.next() {
                    let outcome = probe(&agent, &urls[index]);
                    queue.done(&host);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[index] = Some(outcome);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|| Outcome::Unreachable("not checked".into())))
        .collect()
}

/// One URL: `HEAD`, then `GET` if the server answered `HEAD` with an error
/// (except 429: asking again at once would not help).
fn probe(agent: &ureq::Agent, url: &str) -> Outcome {
    let head = agent.head(url).call();
    match answer(head) {
        Outcome::Status(status) if status != 429 => answer(agent.get(url).call()),
        outcome => outcome,
    }
}

/// The outcome of one request. The response's body is dropped unread.
fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Outcome {
    match response {
        Ok(response) => match response.status().as_u16() {
            status if status >= 400 => Outcome::Status(status),
            _ => Outcome::Good,
        },
        Err(error) => classify(error),
    }
}

/// What a failed request means for the link.
pub(crate) fn classify(error: ureq::Error) -> Outcome {
    use ureq::Error;
    match error {
        Error::StatusCode(status) => Outcome::Status(status),
        Error::Timeout(_) => Outcome::Timeout,
        Error::HostNotFound => Outcome::NoSuchHost,
        Error::TooManyRedirects => Outcome::TooManyRedirects,
        Error::BadUri(message) => Outcome::BadUrl(message),
        Error::Http(e) => Outcome::BadUrl(e.to_string()),
        Error::Io(e) => io_outcome(&e),
        other => Outcome::Unreachable(other.to_string()),
    }
}

/// An I/O error: a failed name lookup (std reports it as
/// `failed to lookup address information: …`) is a missing host unless the
/// resolver says it is temporary; a timeout is a timeout; anything else
/// (refused, reset) leaves the host unreachable.
fn io_outcome(error: &std::io::Error) -> Outcome {
    use std::io::ErrorKind;
    let message = error.to_string();
    if message.contains("failed to lookup address") {
        let temporary = message.contains("Temporary failure") || message.contains("try again");
        return match temporary {
            true => Outcome::Unreachable(message),
            false => Outcome::NoSuchHost,
        };
    }
    match error.kind() {
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Outcome::Timeout,
        ErrorKind::ConnectionRefused => Outcome::Unreachable("connection refused".into()),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
            Outcome::Unreachable("connection reset".into())
        }
        _ => Outcome::Unreachable(message),
    }
}

/// The URLs still to request, and how many requests each host has now.
struct Queue {
    state: Mutex<QueueState>,
    turn: Condvar,
    per_host: usize,
}

struct QueueState {
    pending: VecDeque<(usize, String)>,
    active: HashMap<String, usize>,
}

impl Queue {
    fn new(urls: &[String], per_host: usize) -> Self {
        Self {
            state: Mutex::new(QueueState {
                pending: urls.iter().map(|u| host(u)).enumerate().collect(),
                active: HashMap::new(),
            }),
            turn: Condvar::new(),
            per_host,
        }
    }

    /// The next URL whose host has a free slot (its index and host),
    /// waiting while every pending URL's host is busy; `None` when none is left.
    fn next(&self) -> Option<(usize, String)> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if state.pending.is_empty() {
                return None;
            }
            let free = state
                .pending
                .iter()
                .position(|(_, host)| state.active.get(host).copied().unwrap_or(0) < self.per_host);
            if let Some((index, host)) = free.and_then(|at| state.pending.remove(at)) {
                *state.active.entry(host.clone()).or_default() += 1;
                return Some((index, host));
            }
            state = self
                .turn
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// One request to `host` is over.
    fn done(&self, host: &str) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = state.active.get_mut(host) {
            *count = count.saturating_sub(1);
        }
        drop(state);
        self.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_urls_drop_fragments_and_encode_what_requests_cannot_carry() {
        assert_eq!(
            request_url("https://zh.wikipedia.org/wiki/注意力#历史"),
            "https://zh.wikipedia.org/wiki/%E6%B3%A8%E6%84%8F%E5%8A%9B"
        );
        assert_eq!(
            request_url("HTTPS://a.example/x%20y?q=a b"),
            "https://a.example/x%20y?q=a%20b"
        );
        assert_eq!(
            request_url("//cdn.example/a.js"),
            "https://cdn.example/a.js"
        );
    }

    #[test]
    fn hosts_are_compared_without_case_or_user() {
        assert_eq!(host("https://user@A.Example:8443/x?y"), "a.example:8443");
        assert_eq!(host("http://b.example"), "b.example");
    }

    #[test]
    fn failed_lookups_are_missing_hosts_unless_temporary() {
        let lookup = |detail: &str| {
            std::io::Error::other(format!("failed to lookup address information: {detail}"))
        };
        assert_eq!(
            io_outcome(&lookup("Name or service not known")),
            Outcome::NoSuchHost
        );
        assert!(matches!(
            io_outcome(&lookup("Temporary failure in name resolution")),
            Outcome::Unreachable(_)
        ));
        assert_eq!(
            io_outcome(&std::io::ErrorKind::ConnectionRefused.into()),
            Outcome::Unreachable("connection refused".into())
        );
        assert_eq!(classify(ureq::Error::HostNotFound), Outcome::NoSuchHost);
    }

    #[test]
    fn the_queue_gives_no_host_more_than_its_share() {
        let urls: Vec<String> = ["http://a/1", "http://a/2", "http://b/1"]
            .map(String::from)
            .to_vec();
        let queue = Queue::new(&urls, 1);
        assert_eq!(queue.next(), Some((0, "a".into())));
        // `a` is busy: `b` goes first.
        assert_eq!(queue.next(), Some((2, "b".into())));
        queue.done("a");
        assert_eq!(queue.next(), Some((1, "a".into())));
        assert_eq!(queue.next(), None);
    }
}
