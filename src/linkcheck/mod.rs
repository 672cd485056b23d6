//! `blogsmith check --external`: every link to another site requested, and
//! the broken ones reported where they are written.
//!
//! The only module of blogsmith that goes on the network, and only when
//! asked: neither `build` nor a plain `check` comes here. The Markdown pass
//! records the links ([`crate::markdown::Rendered::external_links`]: Markdown
//! links and images, autolinks, `href`/`src` in raw HTML); articles carry
//! them ([`crate::site::Article::external_links`]); the pipeline hands the
//! published articles here after the site is checked. Layers: `http` does
//! the requests, `cache` keeps the results that were good, and this file
//! decides what an answer means for the author.
//!
//! # What is a problem
//!
//! | answer | severity | summary |
//! | --- | --- | --- |
//! | 2xx, 3xx (after redirects) | none | |
//! | 404, 410, other 4xx but 401, 403, 408, 429 | error | broken |
//! | the host does not exist (DNS) | error | broken |
//! | redirects in circles, or more than 10 | error | broken |
//! | 401, 403 (a login, or robots turned away) | warning | unreachable |
//! | 408, 429, 5xx | warning | unreachable |
//! | timeout, connection refused or reset, TLS failure | warning | unreachable |
//! | not a URL that can be requested | warning | unreachable |
//!
//! Errors are what the link itself gets wrong; warnings are what may be
//! the server's passing trouble, and do not fail `check`. When no request
//! reached any server and several hosts could not be found, the machine
//! is taken to be offline: missing hosts are then warnings too.

mod cache;
mod http;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::content::CONTENT_DIR;
use crate::diagnostic::Diagnostic;
use crate::markdown::LocalLink;
use crate::site::Article;
use cache::LinkCache;
use http::Outcome;

/// How external links are checked.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// The time one request may take, redirects included (`--timeout`).
    pub timeout: Duration,
    /// Requests at once, in all.
    pub concurrency: usize,
    /// Requests at once to one host.
    pub per_host: usize,
    /// How long a link that answered well is not requested again.
    pub max_age: Duration,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            concurrency: 16,
            per_host: 2,
            max_age: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

/// What checking the external links found, counting each URL once however
/// often it is used (fragments ignored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExternalSummary {
    /// Distinct URLs checked (those taken from the cache included).
    pub checked: usize,
    /// Of those, how many answered well lately and were not requested.
    pub from_cache: usize,
    /// URLs that are broken (errors).
    pub broken: usize,
    /// URLs that could not be reached or answered with a server's trouble (warnings).
    pub unreachable: usize,
    /// Of the unreachable, how many did not answer within the timeout.
    pub timeouts: usize,
}

impl fmt::Display for ExternalSummary {
    /// `external links: 120 checked (95 from the cache), 3 broken, 2 unreachable (1 timed out)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "external links: {} checked ({} from the cache), {} broken, {} unreachable",
            self.checked, self.from_cache, self.broken, self.unreachable
        )?;
        if self.timeouts > 0 {
            write!(f, " ({} timed out)", self.timeouts)?;
        }
        Ok(())
    }
}

/// Checks the external links of `articles` (the site at `root`): the
/// diagnostics at every place a bad link is used, and the summary. With
/// `use_cache`, links that answered well lately are taken from the cache,
/// and the cache is saved (the only file this writes); a cache that cannot
/// be saved is a warning.
pub(crate) fn check(
    root: &Path,
    articles: &[Arc<Article>],
    options: &ExternalOptions,
    use_cache: bool,
) -> (Vec<Diagnostic>, ExternalSummary) {
    let uses = uses(articles);
    let now = SystemTime::now();
    let mut cache = match use_cache {
        true => LinkCache::load(root),
        false => LinkCache::empty(root),
    };
    let (cached, to_request): (Vec<&String>, Vec<&String>) = uses
        .keys()
        .partition(|url| cache.is_fresh(url, now, options.max_age));
    let to_request: Vec<String> = to_request.into_iter().cloned().collect();
    let outcomes = http::probe_all(&to_request, options);

    let mut summary = ExternalSummary {
        checked: uses.len(),
        from_cache: cached.len(),
        ..ExternalSummary::default()
    };
    let offline = seems_offline(&to_request, &outcomes);
    let mut diagnostics = Vec::new();
    for (url, outcome) in to_request.iter().zip(&outcomes) {
        cache.record(url, *outcome == Outcome::Good, now);
        let outcome = match outcome {
            Outcome::NoSuchHost if offline => &Outcome::Unreachable(
                "its host name could not be found, nor any other: is this machine offline?".into(),
            ),
            outcome => outcome,
        };
        let Some(verdict) = verdict(outcome) else {
            continue;
        };
        match verdict.error {
            true => summary.broken += 1,
            false => summary.unreachable += 1,
        }
        summary.timeouts += usize::from(*outcome == Outcome::Timeout);
        for (file, link) in uses.get(url).into_iter().flatten() {
            diagnostics.push(verdict.at(file, link));
        }
    }
    if use_cache && let Err(e) = cache.save(now, options.max_age) {
        diagnostics.push(
            Diagnostic::warning(Path::new(crate::incremental::CACHE_DIR), e.to_string())
                .with_hint("the next `check --external` requests every link again"),
        );
    }
    diagnostics.sort();
    (diagnostics, summary)
}

/// Whether no request reached any server and the names of several hosts
/// could not be found: then the network or its name server is down, and
/// a missing host says nothing about the link (it is a warning, not an error).
fn seems_offline(urls: &[String], outcomes: &[Outcome]) -> bool {
    let reached = outcomes.iter().any(|outcome| {
        matches!(
            outcome,
            Outcome::Good | Outcome::Status(_) | Outcome::TooManyRedirects
        )
    });
    let missing_hosts: std::collections::BTreeSet<String> = urls
        .iter()
        .zip(outcomes)
        .filter(|(_, outcome)| **outcome == Outcome::NoSuchHost)
        .map(|(url, _)| http::host(url))
        .collect();
    !reached && missing_hosts.len() >= 2
}

/// Every external link of the articles, by request URL: where each is
/// written (`content/…`, its position).
fn uses(articles: &[Arc<Article>]) -> BTreeMap<String, Vec<(PathBuf, &LocalLink)>> {
    let mut uses: BTreeMap<String, Vec<(PathBuf, &LocalLink)>> = BTreeMap::new();
    for article in articles {
        let file = Path::new(CONTENT_DIR).join(&article.page.relative);
        for link in &article.external_links {
            uses.entry(http::request_url(&link.url))
                .or_default()
                .push((file.clone(), link));
        }
    }
    uses
}

/// What an answer means for every place the link is used.
struct Verdict {
    error: bool,
    message: String,
    hint: &'static str,
}

impl Verdict {
    fn at(&self, file: &Path, link: &LocalLink) -> Diagnostic {
        let message = format!("external link `{}` {}", link.url, self.message);
        let d = match self.error {
            true => Diagnostic::error(file, message),
            false => Diagnostic::warning(file, message),
        };
        d.at(link.position).with_hint(self.hint)
    }
}

/// The problem an outcome is, if any (see the module's table).
fn verdict(outcome: &Outcome) -> Option<Verdict> {
    let broken = |message: String, hint| Verdict {
        error: true,
        message,
        hint,
    };
    let unreachable = |message: String, hint| Verdict {
        error: false,
        message,
        hint,
    };
    const GONE: &str = "the page is gone: link to where it moved, or to an archived copy";
    const LATER: &str = "the site may be down for now: check the link again later";
    Some(match outcome {
        Outcome::Good => return None,
        Outcome::Status(status @ (401 | 403)) => unreachable(
            format!("is refused ({})", status_text(*status)),
            "the page needs a login or turns robots away: open it in a browser to be sure",
        ),
        Outcome::Status(status @ (408 | 429 | 500..)) => {
            unreachable(format!("answers {}", status_text(*status)), LATER)
        }
        Outcome::Status(status) => broken(format!("is broken: {}", status_text(*status)), GONE),
        Outcome::NoSuchHost => broken(
            "is broken: its host name does not exist".into(),
            "check the spelling of the address; a site that closed may have an archived copy",
        ),
        Outcome::TooManyRedirects => broken(
            "is broken: its redirects go round in circles (or past 10)".into(),
            "open it in a browser and link to where it ends",
        ),
        Outcome::Timeout => unreachable("did not answer in time".into(), LATER),
        Outcome::Unreachable(why) => unreachable(format!("cannot be reached: {why}"), LATER),
        Outcome::BadUrl(why) => unreachable(
            format!("cannot be checked: not understood as a URL ({why})"),
            "check the address; a host name in other letters than ASCII can be written in punycode",
        ),
    })
}

/// `404 Not Found`.
fn status_text(status: u16) -> String {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return format!("HTTP {status}"),
    };
    format!("{status} {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_pages_and_hosts_are_errors_and_passing_trouble_warnings() {
        let error = |o: Outcome| verdict(&o).map(|v| v.error);
        assert_eq!(error(Outcome::Good), None);
        assert_eq!(error(Outcome::Status(404)), Some(true));
        assert_eq!(error(Outcome::Status(410)), Some(true));
        assert_eq!(error(Outcome::Status(400)), Some(true));
        assert_eq!(error(Outcome::NoSuchHost), Some(true));
        assert_eq!(error(Outcome::TooManyRedirects), Some(true));
        assert_eq!(error(Outcome::Status(403)), Some(false));
        assert_eq!(error(Outcome::Status(429)), Some(false));
        assert_eq!(error(Outcome::Status(503)), Some(false));
        assert_eq!(error(Outcome::Timeout), Some(false));
        assert_eq!(error(Outcome::Unreachable("reset".into())), Some(false));
    }

    #[test]
    fn missing_hosts_are_not_errors_when_no_host_answers_at_all() {
        let urls = [
            "https://a.example/",
            "https://b.example/x",
            "https://b.example/y",
        ]
        .map(String::from)
        .to_vec();
        let missing = vec![Outcome::NoSuchHost; 3];
        assert!(seems_offline(&urls, &missing));
        assert!(
            !seems_offline(&urls[1..], &missing[1..]),
            "one host may just be gone"
        );
        let mut one_answered = missing.clone();
        one_answered[2] = Outcome::Status(404);
        assert!(!seems_offline(&urls, &one_answered));
    }

    #[test]
    fn the_summary_names_timeouts_only_when_there_are_some() {
        let summary = ExternalSummary {
            checked: 120,
            from_cache: 95,
            broken: 3,
            unreachable: 2,
            timeouts: 1,
        };
        assert_eq!(
            summary.to_string(),
            "external links: 120 checked (95 from the cache), 3 broken, 2 unreachable (1 timed out)"
        );
        assert_eq!(
            ExternalSummary::default().to_string(),
            "external links: 0 checked (0 from the cache), 0 broken, 0 unreachable"
        );
    }
}
