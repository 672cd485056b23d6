//! Requests to responses: the site is served from the session's files in
//! memory, so nothing outside the output can ever be reached; paths that try
//! are refused all the same, and say so.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::broadcast::error::RecvError;

use super::State;
use super::reload::{self, EventStream};
use crate::output::{Contents, OutputFile};

/// Every response body: a whole file, or the event stream.
pub type ResponseBody = Either<Full<Bytes>, EventStream>;

/// How often an idle event stream gets a comment, to keep it (and find it) alive.
const PING_EVERY: Duration = Duration::from_secs(15);
/// How long a page may take to read one event before its stream is closed.
const EVENT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Answers one request.
pub(crate) async fn respond(
    request: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<ResponseBody>, Infallible> {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(response);
    }
    let head = method == Method::HEAD;
    let path = request.uri().path();
    if path == reload::EVENTS_PATH {
        if head {
            let mut response = bytes_response(
                StatusCode::OK,
                "text/event-stream; charset=utf-8",
                Bytes::new(),
                true,
            );
            response.headers_mut().remove(header::CONTENT_LENGTH);
            return Ok(response);
        }
        return Ok(events(&state));
    }
    let script = match path {
        reload::SCRIPT_PATH => Some(reload::SCRIPT),
        reload::WORKER_PATH => Some(reload::WORKER),
        _ => None,
    };
    if let Some(script) = script {
        let mut response = bytes_response(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Bytes::from_static(script.as_bytes()),
            head,
        );
        no_cache(&mut response);
        return Ok(response);
    }
    let snapshot = state.snapshot();
    if !snapshot.built {
        return Ok(placeholder(head));
    }
    let files = &snapshot.files;
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = match resolve(path, request.uri().query(), |key| files.contains_key(key)) {
        Target::File(key) => {
            file_response(
                files,
                &key,
                StatusCode::OK,
                snapshot.version,
                if_none_match.as_ref(),
                head,
            )
            .await
        }
        Target::Redirect(location) => redirect(&location),
        Target::NotFound => not_found(files, snapshot.version, head).await,
        Target::Forbidden => text(StatusCode::FORBIDDEN, "forbidden path\n"),
        Target::BadRequest => text(StatusCode::BAD_REQUEST, "bad request path\n"),
    };
    Ok(response)
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// An output file, by its key in the session's files.
    File(String),
    /// A folder asked for without its trailing slash: where to go instead.
    Redirect(String),
    /// Nothing there.
    NotFound,
    /// A path that tries to leave the site (`..`, encoded slashes, backslashes, `//`, `C:`).
    Forbidden,
    /// Not a path (bad percent-encoding, not UTF-8).
    BadRequest,
}

/// Resolves a raw (percent-encoded) request path against the output files.
pub fn resolve(path: &str, query: Option<&str>, has: impl Fn(&str) -> bool) -> Target {
    if !path.starts_with('/') {
        return Target::BadRequest;
    }
    let lower = path.to_ascii_lowercase();
    // An encoded `/` or `\` would let one segment hide a path; `%00` ends C strings.
    if path.contains('\\') || ["%2f", "%5c", "%00"].iter().any(|e| lower.contains(e)) {
        return Target::Forbidden;
    }
    let Some(decoded) = crate::util::url::percent_decode(path) else {
        return Target::BadRequest;
    };
    let key = &decoded[1..];
    let segments: Vec<&str> = key.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let drive = i == 0 && segment.len() == 2 && segment.ends_with(':');
        if *segment == "." || *segment == ".." || (segment.is_empty() && !last) || drive {
            return Target::Forbidden;
        }
    }
    if key.is_empty() || key.ends_with('/') {
        let index = format!("{key}index.html");
        return if has(&index) {
            Target::File(index)
        } else {
            Target::NotFound
        };
    }
    if has(key) {
        return Target::File(key.to_string());
    }
    if has(&format!("{key}/index.html")) {
        let query = query.map(|q| format!("?{q}")).unwrap_or_default();
        return Target::Redirect(format!(
            "{}/{query}",
            crate::util::url::encode_header_path(&decoded)
        ));
    }
    Target::NotFound
}

/// The stream of build events for one page.
fn events(state: &Arc<State>) -> Response<ResponseBody> {
    // Subscribe before reading the state, so no build falls between the two.
    let mut builds = state.events.subscribe();
    let hello = state.hello();
    let (tx, body) = EventStream::channel(8);
    let state = Arc::clone(state);
    tokio::spawn(async move {
        let send = |frame: Bytes| tokio::time::timeout(EVENT_WRITE_TIMEOUT, tx.send(frame));
        if !matches!(send(hello).await, Ok(Ok(()))) {
            return;
        }
        let mut ping =
            tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
        loop {
            let frame = tokio::select! {
                build = builds.recv() => match build {
                    Ok(frame) => frame,
                    // Too slow to keep up: the page resynchronises from a fresh hello.
                    Err(RecvError::Lagged(_)) => state.hello(),
                    Err(RecvError::Closed) => break,
                },
                _ = ping.tick() => reload::ping(),
                () = tx.closed() => break,
            };
            if !matches!(send(frame).await, Ok(Ok(()))) {
                break;
            }
        }
    });
    let mut response = Response::new(Either::Right(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn file_response(
    files: &BTreeMap<String, OutputFile>,
    key: &str,
    status: StatusCode,
    version: u64,
    if_none_match: Option<&HeaderValue>,
    head: bool,
) -> Response<ResponseBody> {
    let Some(file) = files.get(key) else {
        return text(StatusCode::NOT_FOUND, "not found\n");
    };
    let bytes = match &file.contents {
        Contents::Bytes(bytes) => Bytes::from_owner(Arc::clone(bytes)),
        Contents::Embedded(bytes) => Bytes::from_static(bytes),
        // Serve never links the previous output, but reading it works all the same.
        Contents::Copy(source) | Contents::Previous(source, _) | Contents::Spilled(source, _) => {
            let source = source.clone();
            match tokio::task::spawn_blocking(move || std::fs::read(source)).await {
                Ok(Ok(bytes)) => Bytes::from(bytes),
                // Removed since the last build: the next build will say so.
                _ => return text(StatusCode::NOT_FOUND, "not found (the file was removed)\n"),
            }
        }
    };
    let content_type = content_type(key);
    let etag = etag(&bytes);
    let fresh = status == StatusCode::OK
        && if_none_match
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        let mut response = Response::new(Either::Left(Full::new(Bytes::new())));
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        bytes_response(status, &content_type, bytes, head)
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    no_cache(&mut response);
    if content_type.starts_with("text/html") {
        // The page's build, for the client script: `blogsmith;desc="7"`.
        let mut timing = format!("blogsmith;desc=\"{version}\"");
        if status == StatusCode::NOT_FOUND {
            timing.push_str(", blogsmith-404");
        }
        if let Ok(value) = HeaderValue::from_str(&timing) {
            response.headers_mut().insert("server-timing", value);
        }
    }
    response
}

/// The theme's 404 page, with status 404.
async fn not_found(
    files: &BTreeMap<String, OutputFile>,
    version: u64,
    head: bool,
) -> Response<ResponseBody> {
    if files.contains_key("404.html") {
        file_response(
            files,
            "404.html",
            StatusCode::NOT_FOUND,
            version,
            None,
            head,
        )
        .await
    } else {
        text(StatusCode::NOT_FOUND, "not found\n")
    }
}

/// What every page shows until the first build succeeds: the overlay has the errors.
fn placeholder(head: bool) -> Response<ResponseBody> {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>blogsmith: the site did not build</title></head>\n<body>\
         <p>The site has not built yet: fix the errors shown above (and in the terminal), \
         and this page reloads by itself.</p>\n{}\n</body></html>\n",
        reload::SCRIPT_TAG
    );
    let mut response = bytes_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html; charset=utf-8",
        Bytes::from(html),
        head,
    );
    no_cache(&mut response);
    response.headers_mut().insert(
        "server-timing",
        HeaderValue::from_static("blogsmith;desc=\"0\""),
    );
    response
}

/// A temporary redirect: a development server's folders come and go, and a
/// permanent one would be cached by the browser for the next site on this port.
fn redirect(location: &str) -> Response<ResponseBody> {
    let mut response = text(StatusCode::FOUND, "moved\n");
    match HeaderValue::from_str(location) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => text(StatusCode::BAD_REQUEST, "bad request path\n"),
    }
}

fn text(status: StatusCode, body: &'static str) -> Response<ResponseBody> {
    let mut response = bytes_response(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(body.as_bytes()),
        false,
    );
    no_cache(&mut response);
    response
}

/// A response with `bytes` as body (or, for `HEAD`, only their length).
fn bytes_response(
    status: StatusCode,
    content_type: &str,
    bytes: Bytes,
    head: bool,
) -> Response<ResponseBody> {
    let length = bytes.len();
    let body = if head { Bytes::new() } else { bytes };
    let mut response = Response::new(Either::Left(Full::new(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Revalidate every time: the site changes under the browser's feet.
fn no_cache(response: &mut Response<ResponseBody>) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", crate::util::hash::hash_bytes(bytes))
}

/// Content-Type by extension (`mime_guess`'s table); text types and
/// JavaScript say `charset=utf-8`, unknown ones are `application/octet-stream`.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT || mime.subtype().as_str() == "javascript";
    if textual && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(key: &str) -> bool {
        matches!(
            key,
            "index.html" | "posts/x/index.html" | "tags/自监督学习/index.html" | "style.css"
        )
    }

    #[test]
    fn paths_resolve_to_files_folders_and_redirects() {
        assert_eq!(resolve("/", None, site), Target::File("index.html".into()));
        assert_eq!(
            resolve("/posts/x/", None, site),
            Target::File("posts/x/index.html".into())
        );
        assert_eq!(
            resolve("/posts/x", Some("a=1"), site),
            Target::Redirect("/posts/x/?a=1".into())
        );
        assert_eq!(
            resolve(
                "/tags/%E8%87%AA%E7%9B%91%E7%9D%A3%E5%AD%A6%E4%B9%A0",
                None,
                site
            ),
            Target::Redirect("/tags/%E8%87%AA%E7%9B%91%E7%9D%A3%E5%AD%A6%E4%B9%A0/".into())
        );
        assert_eq!(
            resolve(
                "/tags/%e8%87%aa%e7%9b%91%e7%9d%a3%e5%ad%a6%e4%b9%a0/",
                None,
                site
            ),
            Target::File("tags/自监督学习/index.html".into())
        );
        assert_eq!(
            resolve("/style.css", None, site),
            Target::File("style.css".into())
        );
        assert_eq!(resolve("/style.css/", None, site), Target::NotFound);
        assert_eq!(resolve("/nothing", None, site), Target::NotFound);
    }

    #[test]
    fn escapes_are_refused() {
        for path in [
            "/../etc/passwd",
            "/posts/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/etc/passwd",
            "/posts%2f..%2f..%2fetc%2fpasswd",
            "/posts/%2F",
            "/..\\..\\etc\\passwd",
            "/posts/%5c..%5cx",
            "//etc/passwd",
            "/posts//x/",
            "/C:/Windows/win.ini",
            "/./index.html",
            "/index.html%00.png",
        ] {
            assert_eq!(resolve(path, None, site), Target::Forbidden, "{path}");
        }
        assert_eq!(resolve("/%ff", None, site), Target::BadRequest);
        assert_eq!(resolve("/%zz", None, site), Target::BadRequest);
        assert_eq!(
            resolve("/%+1", None, site),
            Target::BadRequest,
            "not U+0001"
        );
        assert_eq!(resolve("*", None, site), Target::BadRequest);
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.JS"), "text/javascript; charset=utf-8");
        assert_eq!(
            content_type("katex/fonts/KaTeX_Main-Regular.woff2"),
            "font/woff2"
        );
        assert_eq!(content_type("图.svg"), "image/svg+xml");
        assert_eq!(content_type("feed.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("d.json"), "application/json");
        assert_eq!(content_type("v1.2/LICENSE"), "application/octet-stream");
    }

    #[test]
    fn locations_are_encoded() {
        use crate::util::url::encode_header_path;
        assert_eq!(encode_header_path("/tags/自/"), "/tags/%E8%87%AA/");
        assert_eq!(encode_header_path("/a b/c+d"), "/a%20b/c+d");
    }
}
