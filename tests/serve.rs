//! `blogsmith serve`: HTTP from memory, paths, live rebuilds and their events.
//!
//! Each test starts a server on a free port of 127.0.0.1 over a fixture site in
//! a temporary folder, and talks to it with a few lines of `std::net`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use blogsmith::serve::{ServeError, ServeOptions, Server};
use common::Fixture;
use serde_json::Value;

/// How long a rebuild may take to be announced before a test fails.
const EVENT_TIMEOUT: Duration = Duration::from_secs(20);

/// A response, read whole.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `METHOD target` (the target is sent as is, unnormalised) and reads the reply.
fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("\r\n");
    stream.write_all(raw.as_bytes()).expect("send the request");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the response");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head for {target}: {bytes:?}"));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    Reply {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target, &[])
}

/// The event stream of one page: a chunked response read event by event.
struct Events {
    reader: BufReader<TcpStream>,
    pending: String,
}

impl Events {
    fn connect(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).expect("connect to the server");
        write!(
            stream,
            "GET /__blogsmith/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send the request");
        let mut reader = BufReader::new(stream);
        reader
            .get_ref()
            .set_read_timeout(Some(EVENT_TIMEOUT))
            .expect("read timeout");
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read the head");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "{head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("transfer-encoding: chunked"),
            "{head}"
        );
        Events {
            reader,
            pending: String::new(),
        }
    }

    /// The next event (name, data), skipping comments; panics after `timeout`.
    fn next(&mut self, timeout: Duration) -> (String, Value) {
        let deadline = Instant::now() + timeout;
        loop {
            while let Some(end) = self.pending.find("\n\n") {
                let frame: String = self.pending.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = None;
                for line in frame.lines() {
                    if let Some(value) = line.strip_prefix("event: ") {
                        name = value.to_string();
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(value).expect("JSON data"));
                    }
                }
                if let Some(data) = data {
                    return (name, data);
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no event within {timeout:?}");
            self.reader
                .get_ref()
                .set_read_timeout(Some(left))
                .expect("read timeout");
            // One chunk: its size in hex, the bytes, CRLF.
            let mut size = String::new();
            self.reader.read_line(&mut size).expect("a chunk size");
            let size = usize::from_str_radix(size.trim(), 16).expect("a hex chunk size");
            assert!(size > 0, "the event stream ended");
            let mut chunk = vec![0; size + 2];
            self.reader.read_exact(&mut chunk).expect("a chunk");
            self.pending
                .push_str(&String::from_utf8_lossy(&chunk[..size]));
        }
    }

    /// Skips events until one named `name`.
    fn wait_for(&mut self, name: &str) -> Value {
        let deadline = Instant::now() + EVENT_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (event, data) = self.next(left);
            if event == name {
                return data;
            }
        }
    }
}

/// Saves a file as many editors do: write a hidden temporary file, rename it
/// over the old one. One event, so a test never sees a half-written file.
fn save(site: &Fixture, path: &str, text: &str) {
    let path = site.root().join(path);
    let temp = path.with_file_name(".blogsmith-test-save.tmp");
    std::fs::write(&temp, text).expect("write the temporary file");
    std::fs::rename(&temp, &path).expect("rename it over the file");
}

fn start(site: &Fixture) -> Server {
    let options = ServeOptions {
        port: 0,
        ..ServeOptions::new(site.root())
    };
    Server::start(options, |_| {}).unwrap_or_else(|e| panic!("the server starts: {e}"))
}

fn article(slug: &str, title: &str, date: &str, tags: &str, body: &str) -> (String, String) {
    (
        format!("title: {title}\ndate: {date}\ntags: [{tags}]\ncategories: 笔记\nslug: {slug}"),
        body.to_string(),
    )
}

/// Three articles; `rope` is tagged 自监督学习, and the configuration publishes under a sub-folder.
fn site() -> Fixture {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "title: 预览测试\nbase_url: https://example.com/notes/\n",
    );
    for (name, (front, body)) in [
        (
            "rope.md",
            article(
                "rope",
                "旋转位置编码",
                "2026-03-01",
                "Transformer, 自监督学习",
                "RoPE 把位置编码成旋转：$R_\\theta x$。\n\n```python\nprint('rope')\n```\n",
            ),
        ),
        (
            "lora.md",
            article(
                "lora",
                "低秩适配",
                "2026-02-01",
                "微调",
                "LoRA 的更新是$\\Delta W = BA$。\n",
            ),
        ),
        (
            "bert.md",
            article(
                "bert",
                "BERT",
                "2026-01-01",
                "自监督学习",
                "掩码语言模型。\n",
            ),
        ),
    ] {
        site.article(name, &front, &body);
    }
    site
}

const SSL_TAG: &str = "/tags/%E8%87%AA%E7%9B%91%E7%9D%A3%E5%AD%A6%E4%B9%A0/";

#[test]
fn serves_pages_chinese_paths_types_and_the_theme_404() {
    let site = site();
    let server = start(&site);
    let addr = server.addr();
    assert_eq!(server.url(), format!("http://{addr}/"));

    let index = get(addr, "/");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        site.root().join(".blogsmith-cache/math.bin").is_file()
            && site.root().join(".blogsmith-cache/code.bin").is_file(),
        "the first build's formulas and code blocks are saved for later builds"
    );
    let html = index.text();
    assert!(html.contains("旋转位置编码") && html.contains("低秩适配"));
    assert!(
        html.contains("<script src=\"/__blogsmith/live.js\"></script>\n</body>"),
        "the live reload script, before </body>"
    );
    // base_url's /notes/ is for publishing: the preview's links point at the preview.
    assert!(html.contains("href=\"/posts/rope/\""), "{html}");
    assert!(!html.contains("/notes/"), "{html}");

    let rope = get(addr, "/posts/rope/");
    assert_eq!(rope.status, 200);
    assert!(rope.text().contains("RoPE 把位置编码成旋转"));
    assert!(rope.text().contains("class=\"katex"), "math is typeset");
    assert_eq!(
        rope.header("server-timing"),
        Some("blogsmith;desc=\"1\""),
        "the page's build"
    );

    let tag = get(addr, SSL_TAG);
    assert_eq!(tag.status, 200, "{}", tag.head);
    assert!(tag.text().contains("旋转位置编码") && tag.text().contains("BERT"));
    assert!(!tag.text().contains("低秩适配"));
    assert_eq!(get(addr, &SSL_TAG.to_lowercase()).status, 200);

    let missing = get(addr, "/posts/nothing-here/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        missing.text().contains("页面不存在"),
        "the theme's 404 page"
    );
    assert!(
        missing
            .header("server-timing")
            .is_some_and(|t| t.contains("blogsmith-404"))
    );

    for (path, content_type) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/highlight.css", "text/css; charset=utf-8"),
        ("/__blogsmith/live.js", "text/javascript; charset=utf-8"),
        (
            "/__blogsmith/live-worker.js",
            "text/javascript; charset=utf-8",
        ),
        ("/katex/katex.min.css", "text/css; charset=utf-8"),
        ("/katex/fonts/KaTeX_Main-Regular.woff2", "font/woff2"),
    ] {
        let reply = get(addr, path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        assert!(!reply.body.is_empty(), "{path}");
    }
}

#[test]
fn head_redirects_and_revalidation() {
    let site = site();
    let server = start(&site);
    let addr = server.addr();
    let full = get(addr, "/posts/lora/");

    let head = request(addr, "HEAD", "/posts/lora/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(
        head.header("content-length"),
        Some(full.body.len().to_string().as_str())
    );
    assert_eq!(
        head.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(request(addr, "HEAD", "/nowhere/", &[]).status, 404);

    let moved = get(addr, "/posts/lora?x=1");
    assert_eq!(moved.status, 302);
    assert_eq!(moved.header("location"), Some("/posts/lora/?x=1"));
    let moved = get(addr, &SSL_TAG[..SSL_TAG.len() - 1]);
    assert_eq!(moved.header("location"), Some(SSL_TAG));

    let etag = full.header("etag").expect("an ETag").to_string();
    let again = request(addr, "GET", "/posts/lora/", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(full.header("cache-control"), Some("no-cache"));

    let post = request(addr, "POST", "/posts/lora/", &[("Content-Length", "0")]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn nothing_outside_the_output_is_ever_served() {
    let site = site();
    site.write("secret.txt", "TOP SECRET");
    let server = start(&site);
    let addr = server.addr();
    for target in [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/posts/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/posts%2f..%2f..%2fsecret.txt",
        "/posts/%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/posts\\..\\..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/blogsmith.yaml%00.html",
    ] {
        let reply = get(addr, target);
        assert!(
            [400, 403].contains(&reply.status),
            "{target}: {}",
            reply.head
        );
        assert!(!reply.text().contains("TOP SECRET"), "{target}");
        assert!(!reply.text().contains("root:"), "{target}");
    }
    // Absolute paths and site sources are simply not in the output.
    for target in [
        "/etc/passwd",
        "/secret.txt",
        "/blogsmith.yaml",
        "/content/rope.md",
        "http://evil.example/etc/passwd",
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 404, "{target}: {}", reply.head);
        assert!(!reply.text().contains("TOP SECRET"), "{target}");
        assert!(!reply.text().contains("root:"), "{target}");
    }
    assert_eq!(get(addr, "/%ff%fe/").status, 400);
}

#[test]
fn an_edit_reloads_and_a_failed_build_keeps_the_last_good_site() {
    let site = site();
    let server = start(&site);
    let addr = server.addr();
    let mut events = Events::connect(addr);
    let hello = events.wait_for("hello");
    assert_eq!(hello["version"], 1);
    assert_eq!(hello["errors"], Value::Array(Vec::new()));

    // An edit: the article and the lists showing it change, nothing else.
    let (front, _) = article("lora", "低秩适配", "2026-02-01", "微调", "");
    save(
        &site,
        "content/lora.md",
        &format!("---\n{front}\n---\nLoRA 的更新是低秩的：第二版。\n"),
    );
    let reload = events.wait_for("reload");
    assert_eq!(reload["version"], 2);
    let changed: Vec<&str> = reload["changed"]
        .as_array()
        .expect("changed paths")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(changed.contains(&"/posts/lora/"), "{changed:?}");
    assert!(
        !changed.contains(&"/posts/bert/"),
        "an unrelated article did not change: {changed:?}"
    );
    let lora = get(addr, "/posts/lora/");
    assert!(lora.text().contains("第二版"));
    assert_eq!(lora.header("server-timing"), Some("blogsmith;desc=\"2\""));

    // A broken edit: errors with their place, and the last good site stays up.
    save(
        &site,
        "content/lora.md",
        "---\ntitle: 低秩适配\ndate: 昨天\n---\n坏掉的第三版。\n",
    );
    let errors = events.wait_for("errors");
    let first = &errors["errors"][0];
    assert_eq!(first["location"], "content/lora.md:3:7", "{errors}");
    assert!(
        first["message"]
            .as_str()
            .is_some_and(|m| m.contains("date")),
        "{errors}"
    );
    let lora = get(addr, "/posts/lora/");
    assert_eq!(lora.status, 200);
    assert!(lora.text().contains("第二版") && !lora.text().contains("第三版"));

    // A page opened now learns of the errors at once.
    let mut late = Events::connect(addr);
    let hello = late.wait_for("hello");
    assert_eq!(hello["errors"][0]["location"], "content/lora.md:3:7");
    assert_eq!(hello["version"], 2);

    // The fix clears them everywhere.
    save(
        &site,
        "content/lora.md",
        &format!("---\n{front}\n---\n修好的第四版。\n"),
    );
    for stream in [&mut events, &mut late] {
        let reload = stream.wait_for("reload");
        assert_eq!(reload["version"], 3);
    }
    assert!(get(addr, "/posts/lora/").text().contains("第四版"));
    let hello = Events::connect(addr).wait_for("hello");
    assert_eq!(hello["errors"], Value::Array(Vec::new()));
    server.stop();
}

#[test]
fn templates_static_files_and_new_articles_are_picked_up() {
    let site = site();
    site.write("static/extra.css", "body { color: red; }\n");
    let server = start(&site);
    let addr = server.addr();
    let mut events = Events::connect(addr);
    events.wait_for("hello");

    save(&site, "static/extra.css", "body { color: blue; }\n");
    let reload = events.wait_for("reload");
    assert_eq!(reload["changed"], serde_json::json!(["/extra.css"]));
    assert_eq!(get(addr, "/extra.css").text(), "body { color: blue; }\n");

    // A folder that did not exist when the server started.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>迷路了</p>{% endblock content %}",
    );
    let reload = events.wait_for("reload");
    assert_eq!(reload["changed"], serde_json::json!(["/404.html"]));
    let missing = get(addr, "/nowhere/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("迷路了"));

    let (front, body) = article(
        "vit",
        "视觉 Transformer",
        "2026-04-01",
        "视觉",
        "切成小块。\n",
    );
    site.article("vit.md", &front, &body);
    let reload = events.wait_for("reload");
    let changed = reload["changed"].to_string();
    for path in ["/posts/vit/", "/", "/tags/视觉/"] {
        assert!(
            changed.contains(&format!("\"{path}\"")),
            "{path}: {changed}"
        );
    }
    assert!(get(addr, "/posts/vit/").text().contains("切成小块"));

    std::fs::remove_file(site.root().join("content/vit.md")).expect("remove");
    let reload = events.wait_for("reload");
    assert!(reload["changed"].to_string().contains("\"/posts/vit/\""));
    assert_eq!(get(addr, "/posts/vit/").status, 404);
}

#[test]
fn a_site_that_does_not_build_yet_is_served_once_fixed() {
    let site = Fixture::new();
    site.write("content/a.md", "---\ntitle: [unclosed\n---\n正文。\n");
    let server = start(&site);
    let addr = server.addr();
    let placeholder = get(addr, "/");
    assert_eq!(placeholder.status, 503);
    assert!(placeholder.text().contains("/__blogsmith/live.js"));
    let mut events = Events::connect(addr);
    let hello = events.wait_for("hello");
    assert_eq!(hello["version"], 0);
    assert!(
        hello["errors"][0]["location"]
            .as_str()
            .is_some_and(|l| l.starts_with("content/a.md:2:")),
        "{hello}"
    );
    save(&site, "content/a.md", "---\ntitle: 好了\n---\n正文。\n");
    let reload = events.wait_for("reload");
    assert_eq!(reload["version"], 1);
    assert_eq!(get(addr, "/").status, 200);
    assert!(get(addr, "/posts/a/").text().contains("好了"));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let site = site();
    let options = ServeOptions {
        port,
        ..ServeOptions::new(site.root())
    };
    match Server::start(options, |_| {}) {
        Err(e @ ServeError::PortInUse { .. }) => {
            assert!(e.to_string().contains(&port.to_string()), "{e}");
            assert!(e.hint().is_some_and(|h| h.contains("--port")), "{e}");
        }
        Err(e) => panic!("expected PortInUse, got {e}"),
        Ok(_) => panic!("started on a port in use"),
    }
}

#[test]
fn idle_and_slow_clients_do_not_block_others() {
    let site = site();
    let server = start(&site);
    let addr = server.addr();
    // Clients that connect and say nothing, or half a request head, and stay.
    let mut idle = Vec::new();
    for i in 0..150 {
        let mut stream = TcpStream::connect(addr).expect("connect");
        if i % 2 == 0 {
            stream
                .write_all(b"GET /posts/rope/ HTTP/1.1\r\nHost: x\r\n")
                .expect("half a head");
        }
        idle.push(stream);
    }
    let mut streams: Vec<Events> = (0..50).map(|_| Events::connect(addr)).collect();
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(get(addr, "/posts/rope/").status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "20 requests took {:?} beside 200 idle connections",
        started.elapsed()
    );
    for stream in &mut streams {
        stream.wait_for("hello");
    }
}
