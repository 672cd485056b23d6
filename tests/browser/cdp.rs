//! A minimal Chrome DevTools Protocol client over a synchronous WebSocket.
//!
//! [`Browser::launch`] starts a headless Chromium with a fresh profile;
//! [`Browser::new_page`] opens a tab attached with a flattened session.
//! Every wait has a deadline and panics with a clear message, so a test can
//! fail but never hang.

#![allow(dead_code)] // Not every test target uses every helper.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use tungstenite::WebSocket;
use tungstenite::protocol::WebSocketConfig;

/// How long a single CDP command may take to answer.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a navigation may take to fire its load event.
pub const LOAD_TIMEOUT: Duration = Duration::from_secs(45);
/// How long Chromium may take to print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Read timeout of the socket: the granularity of every wait.
const POLL: Duration = Duration::from_millis(25);
/// Stderr lines of Chromium kept for failure messages.
const STDERR_TAIL: usize = 40;

/// A headless Chromium and the WebSocket to its browser target.
pub struct Browser {
    // Fields drop in this order, after `Drop::drop` asked Chromium to close:
    // the socket, then the process group, then the profile folder.
    conn: Rc<RefCell<Connection>>,
    process: Process,
    stderr: Arc<Mutex<VecDeque<String>>>,
    _profile_dir: tempfile::TempDir,
}

/// Chromium's process group (it leads it); killed when dropped, so that a
/// panic anywhere, even halfway through `launch`, leaves no process behind.
struct Process {
    child: Child,
}

/// One tab, driven through its flattened session.
pub struct Page {
    conn: Rc<RefCell<Connection>>,
    session_id: String,
    target_id: String,
    /// Index into the connection's event log: `wait_for_event` looks from here.
    cursor: usize,
}

/// The socket, the next command id and every message received so far.
struct Connection {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    /// Answers to commands not yet collected, by id.
    responses: HashMap<u64, Value>,
    /// Every event received, in order, each with its `sessionId` if any.
    events: Vec<Value>,
}

impl Browser {
    /// Launches `$CHROMIUM` (default `/usr/bin/chromium`) headless with a
    /// fresh profile, and connects to its DevTools WebSocket.
    pub fn launch() -> Browser {
        let program = chromium_path();
        let profile_dir = tempfile::Builder::new()
            .prefix("blogsmith-chromium-")
            .tempdir()
            .expect("create a temporary Chromium profile folder");
        let mut command = Command::new(&program);
        command
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--remote-debugging-port=0",
                "--hide-scrollbars",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile_dir.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group, so that cleanup can reach its helpers.
            .process_group(0);
        let child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start Chromium at {}: {e}\n\
                 Install it with `scripts/test` (which installs it) or `apt-get install chromium`, \
                 or point $CHROMIUM at a Chromium binary.",
                program.display()
            )
        });

        let mut process = Process { child };
        let stderr_pipe = process
            .child
            .stderr
            .take()
            .expect("Chromium's stderr is piped");
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let (url_tx, url_rx) = mpsc::channel();
        {
            let stderr = Arc::clone(&stderr);
            // Drains stderr for the browser's whole life so Chromium never blocks on it.
            std::thread::spawn(move || {
                let mut url_tx = Some(url_tx);
                for line in BufReader::new(stderr_pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Some(url) = line.strip_prefix("DevTools listening on ")
                        && let Some(tx) = url_tx.take()
                    {
                        let _ = tx.send(url.trim().to_owned());
                    }
                    let mut tail = stderr.lock().unwrap_or_else(|e| e.into_inner());
                    if tail.len() == STDERR_TAIL {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            });
        }

        let ws_url = match url_rx.recv_timeout(LAUNCH_TIMEOUT) {
            Ok(url) => url,
            Err(_) => {
                let status = process.child.try_wait().ok().flatten();
                panic!(
                    "Chromium ({}) did not print its DevTools address within {LAUNCH_TIMEOUT:?} \
                     (exit status: {status:?}); its stderr ends with:\n{}",
                    program.display(),
                    tail_of(&stderr)
                );
            }
        };
        let ws = connect(&ws_url);
        Browser {
            process,
            conn: Rc::new(RefCell::new(Connection {
                ws,
                next_id: 1,
                responses: HashMap::new(),
                events: Vec::new(),
            })),
            stderr,
            _profile_dir: profile_dir,
        }
    }

    /// Sends a command to the browser target and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.conn.borrow_mut().call(method, params, None)
    }

    /// Opens a new tab on `about:blank`, attaches to it with a flattened
    /// session and enables the Page, Runtime, Log and Network domains.
    pub fn new_page(&mut self) -> Page {
        let target = self.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = str_field(&target, "targetId").to_owned();
        let attached = self.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        let session_id = str_field(&attached, "sessionId").to_owned();
        let mut page = Page {
            conn: Rc::clone(&self.conn),
            session_id,
            target_id,
            cursor: 0,
        };
        for domain in ["Page", "Runtime", "Log", "Network"] {
            page.call(&format!("{domain}.enable"), json!({}));
        }
        page.cursor = page.conn.borrow().events.len();
        page
    }

    /// The last lines Chromium wrote to stderr, for failure messages.
    pub fn stderr_tail(&self) -> String {
        tail_of(&self.stderr)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ask politely, so Chromium takes its helper processes down with it.
        let closed = {
            let mut conn = self.conn.borrow_mut();
            let id = conn.next_id;
            conn.next_id += 1;
            let message = json!({ "id": id, "method": "Browser.close" }).to_string();
            conn.ws.send(tungstenite::Message::text(message)).is_ok()
        };
        if closed {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.process.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // `self.process` drops next and kills whatever is left.
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // The whole group: helpers (zygotes, renderers, GPU and network
        // processes) that outlive the browser process too.
        if let Some(group) = i32::try_from(self.child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Page {
    /// Sends a command to this page's session and returns its result.
    /// Panics if Chromium answers with an error.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.conn
            .borrow_mut()
            .call(method, params, Some(&self.session_id))
    }

    /// The target id of this tab.
    pub fn target_id(&self) -> &str {
        &self.target_id
    }

    /// Navigates to `url`, waits for its load event and returns the HTTP
    /// status of the document. Panics if the navigation fails or does not
    /// finish within [`LOAD_TIMEOUT`].
    pub fn navigate(&mut self, url: &str) -> u16 {
        self.navigate_within(url, LOAD_TIMEOUT)
    }

    /// [`Page::navigate`], for a page that may take up to `timeout` to load
    /// (thousands of formulas on a machine busy with other work).
    pub fn navigate_within(&mut self, url: &str, timeout: Duration) -> u16 {
        self.cursor = self.conn.borrow().events.len();
        let result = self.call("Page.navigate", json!({ "url": url }));
        if let Some(error) = result.get("errorText").and_then(Value::as_str) {
            panic!("navigating to {url} failed: {error}");
        }
        if self
            .wait_for_event("Page.loadEventFired", timeout)
            .is_none()
        {
            panic!("{url} did not fire its load event within {timeout:?}");
        }
        let loader_id = result.get("loaderId").and_then(Value::as_str);
        self.conn
            .borrow()
            .events
            .iter()
            .filter(|e| self.owns(e) && method_of(e) == "Network.responseReceived")
            .find(|e| e["params"]["requestId"].as_str() == loader_id)
            .and_then(|e| e["params"]["response"]["status"].as_u64())
            .and_then(|status| u16::try_from(status).ok())
            .unwrap_or_else(|| panic!("no document response seen for {url}"))
    }

    /// Evaluates `js` (awaiting a promise) and returns its value as JSON
    /// (`null` for `undefined`). Panics with the message of any exception.
    pub fn eval(&mut self, js: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({
                "expression": js,
                "awaitPromise": true,
                "returnByValue": true,
                "userGesture": true,
            }),
        );
        if let Some(details) = result.get("exceptionDetails") {
            let message = details["exception"]["description"]
                .as_str()
                .or_else(|| details["text"].as_str())
                .unwrap_or("unknown exception");
            panic!("evaluating `{js}` threw: {message}");
        }
        result["result"]
            .get("value")
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Evaluates `js` like [`Page::eval`], but returns `None` instead of
    /// panicking when it throws or the page is between documents (reloading).
    pub fn try_eval(&mut self, js: &str) -> Option<Value> {
        let result = self
            .conn
            .borrow_mut()
            .try_call(
                "Runtime.evaluate",
                json!({ "expression": js, "awaitPromise": true, "returnByValue": true }),
                Some(&self.session_id),
            )
            .ok()?;
        if result.get("exceptionDetails").is_some() {
            return None;
        }
        result["result"].get("value").cloned()
    }

    /// Evaluates `js` every 50 ms until it returns `true`; returns whether it
    /// did before `timeout`. Reloads in between are fine.
    pub fn wait_until(&mut self, js: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.try_eval(js) == Some(Value::Bool(true)) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
            self.settle(Duration::from_millis(1));
        }
    }

    /// Sets the viewport size in CSS pixels (`mobile` also honours
    /// `<meta name="viewport">` as a phone does).
    pub fn set_viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": mobile,
            }),
        );
    }

    /// Saves a PNG of the whole document (not only the viewport) at `path`,
    /// creating its folder.
    pub fn screenshot(&mut self, path: &Path) {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let viewport = &metrics["cssLayoutViewport"];
        let width = size["width"]
            .as_f64()
            .unwrap_or(0.0)
            .max(viewport["clientWidth"].as_f64().unwrap_or(0.0));
        let height = size["height"].as_f64().unwrap_or(0.0);
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
            }),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(str_field(&shot, "data"))
            .expect("Chromium sent valid base64 for the screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        }
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// Waits for the next event named `method` on this page after the last
    /// one waited for (or the last navigation), and returns its `params`.
    pub fn wait_for_event(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let conn = self.conn.borrow();
                if let Some((i, event)) = conn
                    .events
                    .iter()
                    .enumerate()
                    .skip(self.cursor)
                    .find(|(_, e)| self.owns(e) && method_of(e) == method)
                {
                    self.cursor = i + 1;
                    return Some(event["params"].clone());
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            self.conn.borrow_mut().pump(deadline);
        }
    }

    /// Reads whatever events Chromium has already sent, waiting up to
    /// `quiet` for each next one: lets late requests and logs arrive.
    pub fn settle(&mut self, quiet: Duration) {
        let mut conn = self.conn.borrow_mut();
        while conn.pump(Instant::now() + quiet) {}
    }

    /// Every event of this page so far (`{method, params, sessionId}`).
    pub fn events(&mut self) -> Vec<Value> {
        self.settle(POLL);
        let conn = self.conn.borrow();
        conn.events
            .iter()
            .filter(|e| self.owns(e))
            .cloned()
            .collect()
    }

    /// Console errors, uncaught exceptions and error log entries so far.
    pub fn console_errors(&mut self) -> Vec<String> {
        self.events()
            .iter()
            .filter_map(|e| {
                let p = &e["params"];
                match method_of(e) {
                    "Runtime.consoleAPICalled" if p["type"] == "error" => {
                        let args: Vec<String> = p["args"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|a| match &a["value"] {
                                Value::String(s) => s.clone(),
                                Value::Null => a["description"].as_str().unwrap_or("").to_owned(),
                                v => v.to_string(),
                            })
                            .collect();
                        Some(format!("console.error: {}", args.join(" ")))
                    }
                    "Runtime.exceptionThrown" => {
                        let d = &p["exceptionDetails"];
                        let message = d["exception"]["description"]
                            .as_str()
                            .or_else(|| d["text"].as_str())
                            .unwrap_or("unknown exception");
                        Some(format!("exception: {message}"))
                    }
                    "Log.entryAdded" if p["entry"]["level"] == "error" => Some(format!(
                        "log ({}): {} {}",
                        p["entry"]["source"].as_str().unwrap_or("?"),
                        p["entry"]["text"].as_str().unwrap_or(""),
                        p["entry"]["url"].as_str().unwrap_or(""),
                    )),
                    _ => None,
                }
            })
            .collect()
    }

    /// Requests that failed (network errors, blocked) or answered >= 400.
    pub fn failed_requests(&mut self) -> Vec<String> {
        let events = self.events();
        let urls: HashMap<&str, &str> = events
            .iter()
            .filter(|e| method_of(e) == "Network.requestWillBeSent")
            .filter_map(|e| {
                let p = &e["params"];
                Some((p["requestId"].as_str()?, p["request"]["url"].as_str()?))
            })
            .collect();
        events
            .iter()
            .filter_map(|e| {
                let p = &e["params"];
                match method_of(e) {
                    "Network.loadingFailed" => {
                        let id = p["requestId"].as_str().unwrap_or("");
                        Some(format!(
                            "{} failed: {}{}",
                            urls.get(id).copied().unwrap_or("(unknown URL)"),
                            p["errorText"].as_str().unwrap_or("?"),
                            p["blockedReason"]
                                .as_str()
                                .map(|r| format!(" (blocked: {r})"))
                                .unwrap_or_default(),
                        ))
                    }
                    "Network.responseReceived" => {
                        let status = p["response"]["status"].as_u64().unwrap_or(0);
                        (status >= 400).then(|| {
                            format!(
                                "{} answered {status}",
                                p["response"]["url"].as_str().unwrap_or("?")
                            )
                        })
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The URL of every request the page sent so far, in order.
    pub fn requested_urls(&mut self) -> Vec<String> {
        self.events()
            .iter()
            .filter(|e| method_of(e) == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// Whether `event` belongs to this page's session.
    fn owns(&self, event: &Value) -> bool {
        event["sessionId"].as_str() == Some(self.session_id.as_str())
    }
}

impl Connection {
    /// Sends a command and reads until its answer; panics on an error answer
    /// or after [`COMMAND_TIMEOUT`].
    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.try_call(method, params, session)
            .unwrap_or_else(|error| panic!("{method} failed: {error}"))
    }

    /// Like [`Connection::call`], but an error answer is returned, not a panic.
    fn try_call(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.ws
            .send(tungstenite::Message::text(message.to_string()))
            .unwrap_or_else(|e| panic!("sending {method} to Chromium failed: {e}"));
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            if let Some(mut response) = self.responses.remove(&id) {
                if let Some(error) = response.get_mut("error") {
                    return Err(error.take());
                }
                return Ok(response["result"].take());
            }
            if Instant::now() >= deadline {
                panic!("Chromium did not answer {method} within {COMMAND_TIMEOUT:?}");
            }
            self.pump(deadline);
        }
    }

    /// Reads at most one message, waiting until `deadline`; returns whether
    /// one was read. Answers are kept by id, events appended to the log.
    fn pump(&mut self, deadline: Instant) -> bool {
        loop {
            match self.ws.read() {
                Ok(tungstenite::Message::Text(text)) => {
                    let message: Value = serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("Chromium sent invalid JSON ({e}): {text}"));
                    match message.get("id").and_then(Value::as_u64) {
                        Some(id) => {
                            self.responses.insert(id, message);
                        }
                        None => self.events.push(message),
                    }
                    return true;
                }
                Ok(_) => {} // ping/pong/binary: nothing for us.
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() >= deadline {
                        return false;
                    }
                }
                Err(e) => panic!("the DevTools connection to Chromium broke: {e}"),
            }
        }
    }
}

/// `$CHROMIUM`, or Debian's `/usr/bin/chromium`; panics with an install hint
/// if it is missing.
fn chromium_path() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !path.is_file() {
        panic!(
            "Chromium not found at {}: the browser tests need a headless Chromium.\n\
             Install it with `scripts/test` (which installs it) or `apt-get install chromium`, \
             or set $CHROMIUM to a Chromium binary.",
            path.display()
        );
    }
    path
}

/// Opens the DevTools WebSocket at `url` (`ws://127.0.0.1:PORT/devtools/browser/ID`).
fn connect(url: &str) -> WebSocket<TcpStream> {
    let address = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected DevTools address from Chromium: {url}"));
    let stream = TcpStream::connect(address)
        .unwrap_or_else(|e| panic!("cannot connect to Chromium's DevTools at {address}: {e}"));
    // A long timeout for the handshake; short polls afterwards.
    stream
        .set_read_timeout(Some(COMMAND_TIMEOUT))
        .expect("set a read timeout on the DevTools socket");
    stream
        .set_write_timeout(Some(COMMAND_TIMEOUT))
        .expect("set a write timeout on the DevTools socket");
    stream.set_nodelay(true).expect("set TCP_NODELAY");
    // Full-page screenshots arrive as one large base64 message.
    let config = WebSocketConfig::default()
        .max_message_size(Some(512 << 20))
        .max_frame_size(Some(512 << 20));
    let (ws, _) = tungstenite::client::client_with_config(url, stream, Some(config))
        .unwrap_or_else(|e| panic!("WebSocket handshake with Chromium at {url} failed: {e}"));
    ws.get_ref()
        .set_read_timeout(Some(POLL))
        .expect("set a read timeout on the DevTools socket");
    ws
}

fn tail_of(stderr: &Mutex<VecDeque<String>>) -> String {
    let tail = stderr.lock().unwrap_or_else(|e| e.into_inner());
    tail.iter().cloned().collect::<Vec<_>>().join("\n")
}

fn method_of(event: &Value) -> &str {
    event["method"].as_str().unwrap_or("")
}

fn str_field<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("CDP result without a string `{field}`: {value}"))
}
