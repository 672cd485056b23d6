//! Telling open pages what changed: Server-Sent Events on `/__blogsmith/events`,
//! and the client script (`/__blogsmith/live.js`) that reloads a page when its
//! own URL changed, swaps stylesheets in place, and shows build errors in an
//! overlay. The pages of one browser share one stream through a shared worker
//! (`/__blogsmith/live-worker.js`): browsers open at most six HTTP/1.1
//! connections to a host, and a stream per tab would hold one each.
//!
//! The protocol, one JSON object per event:
//!
//! - `hello` (first, on every connection): `{"server", "version", "errors"}`.
//!   A page reloads when the server restarted or a build happened since it was
//!   served (its build `version` comes in the `Server-Timing` header).
//! - `reload` after a good build: `{"version", "changed"}`, the URL paths
//!   (decoded, like `/tags/自监督学习/`) of every file added, removed or changed.
//!   It also clears the overlay.
//! - `errors` after a failed build: `{"errors": [{"location", "message", "hint"}]}`.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::body::{Body, Bytes, Frame};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::diagnostic::Diagnostic;

/// The path of the event stream.
pub const EVENTS_PATH: &str = "/__blogsmith/events";
/// The path of the client script.
pub const SCRIPT_PATH: &str = "/__blogsmith/live.js";
/// What every page gets before `</body>` in serve mode.
pub const SCRIPT_TAG: &str = "<script src=\"/__blogsmith/live.js\"></script>";
/// The client script.
pub const SCRIPT: &str = include_str!("live.js");
/// The path of the shared worker that holds one event stream for all pages.
pub const WORKER_PATH: &str = "/__blogsmith/live-worker.js";
/// The shared worker's script.
pub const WORKER: &str = include_str!("live-worker.js");

/// One build error as the overlay shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorView {
    /// `path:line:col`.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it, if known.
    pub hint: Option<String>,
}

impl From<&Diagnostic> for ErrorView {
    fn from(d: &Diagnostic) -> Self {
        Self {
            location: d.location(),
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }
}

/// The errors of a failed build (warnings are left to the terminal).
pub fn error_views(diagnostics: &[Diagnostic]) -> Vec<ErrorView> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ErrorView::from)
        .collect()
}

/// The URL path of an output file: `posts/x/index.html` → `/posts/x/`.
pub fn url_path(output_path: &str) -> String {
    if output_path == "index.html" {
        "/".to_string()
    } else if let Some(dir) = output_path.strip_suffix("/index.html") {
        format!("/{dir}/")
    } else {
        format!("/{output_path}")
    }
}

/// The `hello` event.
pub fn hello_event(server: &str, version: u64, errors: &[ErrorView]) -> Bytes {
    #[derive(Serialize)]
    struct Hello<'a> {
        server: &'a str,
        version: u64,
        errors: &'a [ErrorView],
    }
    event(
        "hello",
        &Hello {
            server,
            version,
            errors,
        },
    )
}

/// The `reload` event for a good build that changed `output_paths`.
pub fn reload_event(version: u64, output_paths: &[String]) -> Bytes {
    #[derive(Serialize)]
    struct Reload {
        version: u64,
        changed: Vec<String>,
    }
    event(
        "reload",
        &Reload {
            version,
            changed: output_paths.iter().map(|p| url_path(p)).collect(),
        },
    )
}

/// The `errors` event for a failed build.
pub fn errors_event(errors: &[ErrorView]) -> Bytes {
    #[derive(Serialize)]
    struct Errors<'a> {
        errors: &'a [ErrorView],
    }
    event("errors", &Errors { errors })
}

/// A comment line: keeps the connection alive and finds dead ones.
pub fn ping() -> Bytes {
    Bytes::from_static(b": ping\n\n")
}

/// `event: NAME\ndata: JSON\n\n`. JSON has no raw newlines, so one `data:` line holds it.
fn event(name: &str, data: &impl Serialize) -> Bytes {
    // Serialising plain structs of strings and numbers cannot fail.
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".to_string());
    Bytes::from(format!("event: {name}\ndata: {json}\n\n"))
}

/// A response body fed by a channel: the event stream of one page.
pub struct EventStream {
    rx: mpsc::Receiver<Bytes>,
}

impl EventStream {
    /// A stream and the sender that feeds it; the stream ends when the sender is dropped.
    pub fn channel(buffer: usize) -> (mpsc::Sender<Bytes>, Self) {
        let (tx, rx) = mpsc::channel(buffer);
        (tx, Self { rx })
    }
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(Frame::data(bytes))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_become_url_paths() {
        assert_eq!(url_path("index.html"), "/");
        assert_eq!(url_path("posts/rope/index.html"), "/posts/rope/");
        assert_eq!(url_path("tags/自监督学习/index.html"), "/tags/自监督学习/");
        assert_eq!(url_path("404.html"), "/404.html");
        assert_eq!(url_path("katex/fonts/a.woff2"), "/katex/fonts/a.woff2");
    }

    #[test]
    fn events_are_one_json_line() {
        let event = reload_event(3, &["posts/a/index.html".into()]);
        assert_eq!(
            &event[..],
            b"event: reload\ndata: {\"version\":3,\"changed\":[\"/posts/a/\"]}\n\n"
        );
        let errors = errors_event(&[ErrorView {
            location: "content/a.md:3:1".into(),
            message: "two\nlines".into(),
            hint: None,
        }]);
        let text = String::from_utf8_lossy(&errors);
        assert_eq!(text.lines().filter(|l| !l.is_empty()).count(), 2, "{text}");
        assert!(text.ends_with("\n\n"));
    }
}
