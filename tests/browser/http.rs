//! A tiny static file server for tests: serves a folder on 127.0.0.1 at a
//! free port, a thread per connection, HTTP/1.1 with keep-alive.
//!
//! GET and HEAD only; Content-Type by extension; `index.html` for folders
//! (with a redirect to the trailing-slash URL); percent-decoded UTF-8 paths;
//! 404 (with the site's `404.html` as body, if any) for missing files.
//! [`Server::serve_compressed`] also gzips text for clients that accept it,
//! as the static hosts sites are published on do.

#![allow(dead_code)] // Not every test target uses every helper.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest request head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// A running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `root` on 127.0.0.1 at a free port.
    pub fn serve(root: &Path) -> Server {
        Self::start(root, false)
    }

    /// Serves `root` like [`Server::serve`], gzipping text (HTML, CSS,
    /// JavaScript, JSON, SVG, XML) for requests that accept gzip.
    pub fn serve_compressed(root: &Path) -> Server {
        Self::start(root, true)
    }

    fn start(root: &Path, gzip: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("local address of the listener");
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let acceptor = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let root = root.clone();
                    std::thread::spawn(move || handle_connection(stream, &root, gzip));
                }
            })
        };
        Server {
            addr,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Answers requests on one connection until it closes or idles out.
fn handle_connection(stream: TcpStream, root: &Path, gzip: bool) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut writer = write_half;
    while let Some(head) = read_head(&mut reader) {
        let keep_alive = !head
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        let mut response = respond(&head.method, &head.target, root);
        let accepts_gzip = head.headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("accept-encoding")
                && v.split(',').any(|e| e.trim().starts_with("gzip"))
        });
        if gzip && accepts_gzip && is_text(&response.content_type) {
            response.compress();
        }
        let head_only = head.method == "HEAD";
        if write_response(&mut writer, &response, head_only, keep_alive).is_err() || !keep_alive {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

struct RequestHead {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

/// Reads a request line and headers; `None` at end of stream, on a timeout
/// or on a malformed request.
fn read_head(reader: &mut BufReader<TcpStream>) -> Option<RequestHead> {
    let mut line = String::new();
    let mut total = 0;
    // Skip stray empty lines between requests (allowed by RFC 9112).
    loop {
        line.clear();
        total += reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        total += reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
        if total > MAX_HEAD {
            return None;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    Some(RequestHead {
        method,
        target,
        headers,
    })
}

struct Response {
    status: u16,
    content_type: String,
    location: Option<String>,
    body: Vec<u8>,
    /// `Content-Encoding`, when the body is compressed.
    encoding: Option<&'static str>,
}

impl Response {
    /// Gzips the body.
    fn compress(&mut self) {
        use flate2::{Compression, write::GzEncoder};
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        if encoder.write_all(&self.body).is_ok()
            && let Ok(body) = encoder.finish()
        {
            self.body = body;
            self.encoding = Some("gzip");
        }
    }

    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            location: None,
            encoding: None,
            body: body.as_bytes().to_vec(),
        }
    }
}

/// The response to `method target` for a site in `root`.
fn respond(method: &str, target: &str, root: &Path) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::text(405, "method not allowed\n");
    }
    // Drop the query and fragment; keep the raw path for redirects.
    let raw_path = target.split(['?', '#']).next().unwrap_or("");
    if !raw_path.starts_with('/') {
        return Response::text(400, "bad request target\n");
    }
    let Some(path) = percent_decode(raw_path) else {
        return Response::text(400, "bad percent-encoding or non-UTF-8 path\n");
    };
    let Some(relative) = safe_relative(&path) else {
        return Response::text(403, "forbidden path\n");
    };
    let mut file = root.join(&relative);
    if file.is_dir() {
        if !raw_path.ends_with('/') {
            let query = &target[raw_path.len()..];
            return Response {
                status: 301,
                content_type: "text/plain; charset=utf-8".into(),
                location: Some(format!("{raw_path}/{query}")),
                encoding: None,
                body: b"moved\n".to_vec(),
            };
        }
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => Response {
            status: 200,
            content_type: content_type(&file),
            location: None,
            encoding: None,
            body,
        },
        Err(_) => match std::fs::read(root.join("404.html")) {
            Ok(body) => Response {
                status: 404,
                content_type: "text/html; charset=utf-8".into(),
                location: None,
                encoding: None,
                body,
            },
            Err(_) => Response::text(404, "not found\n"),
        },
    }
}

fn write_response(
    writer: &mut TcpStream,
    response: &Response,
    head_only: bool,
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: {}\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    if let Some(encoding) = response.encoding {
        head.push_str(&format!(
            "Content-Encoding: {encoding}\r\nVary: Accept-Encoding\r\n"
        ));
    }
    if let Some(location) = &response.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&response.body);
    }
    writer.write_all(&bytes)?;
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    }
}

/// Whether a response of this type is text worth compressing.
fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || [
            "application/json",
            "application/javascript",
            "image/svg+xml",
            "application/xml",
            "application/atom+xml",
            "application/rss+xml",
        ]
        .iter()
        .any(|t| content_type.starts_with(t))
}

/// Content-Type by extension: the same table as `blogsmith serve`'s.
pub fn content_type(path: &Path) -> String {
    blogsmith::serve::http::content_type(&path.to_string_lossy())
}

/// Decodes `%XX` escapes; `None` for a bad escape or non-UTF-8 result.
pub fn percent_decode(path: &str) -> Option<String> {
    blogsmith::util::url::percent_decode(path)
}

/// The decoded URL path as a path relative to the root; `None` if it would
/// leave the root (`..`) or holds a NUL or backslash.
fn safe_relative(path: &str) -> Option<PathBuf> {
    if path.contains('\0') || path.contains('\\') {
        return None;
    }
    let mut relative = PathBuf::new();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(relative)
}
