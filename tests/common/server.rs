//! A real HTTP/1.1 server on 127.0.0.1 for the external link tests: it
//! answers a few fixed paths and records every request it gets.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long `/slow` waits before answering.
pub const SLOW: Duration = Duration::from_secs(3);

/// The server; it runs until the test process ends.
pub struct Server {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the server on a free port. Paths:
    ///
    /// - `/ok`, `/landing`, `/html`: 200;
    /// - `/missing`: 404;
    /// - `/moved`: 302 to `/landing`;
    /// - `/no-head`: 405 to `HEAD`, 200 to `GET`;
    /// - `/slow`: 200 after [`SLOW`];
    /// - `/error`: 503;
    /// - anything else: 404.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || answer(stream, &log));
            }
        });
        Self { port, requests }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request so far, as `METHOD /path`, in order of arrival; the log
    /// is emptied.
    pub fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().expect("log"))
    }
}

/// A URL on 127.0.0.1 where nothing listens (connections are refused).
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

fn answer(stream: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The headers, up to the blank line.
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    log.lock().expect("log").push(format!("{method} {path}"));
    let (status, extra) = match (method.as_str(), path.as_str()) {
        (_, "/ok" | "/landing" | "/html") => ("200 OK", ""),
        (_, "/moved") => ("302 Found", "Location: /landing\r\n"),
        ("HEAD", "/no-head") => ("405 Method Not Allowed", "Allow: GET\r\n"),
        (_, "/no-head") => ("200 OK", ""),
        (_, "/slow") => {
            std::thread::sleep(SLOW);
            ("200 OK", "")
        }
        (_, "/error") => ("503 Service Unavailable", ""),
        _ => ("404 Not Found", ""),
    };
    let body = if method == "HEAD" { "" } else { "ok" };
    let response =
        format!("HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n{extra}\r\n{body}");
    let _ = (&stream).write_all(response.as_bytes());
}
