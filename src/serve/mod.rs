//! `blogsmith serve`: the site served from memory, rebuilt on every save, and
//! open pages told what changed.
//!
//! Three parts run side by side:
//!
//! - the **watcher** ([`watch`]): `notify` reports writes under `content/`,
//!   `templates/`, `static/` and to `blogsmith.yaml`;
//! - the **builder**, one thread owning the [`Session`]: it waits for a burst
//!   of writes to end (`debounce`), refreshes the session (which re-renders
//!   only what changed), publishes the new files and broadcasts what changed;
//! - the **HTTP server** ([`http`]), hyper on a small tokio runtime: answers
//!   from the last published files and streams build events ([`reload`]).
//!
//! A request never waits for a build: the files are an `Arc` swapped in when a
//! build is complete. A failed build keeps the last good files and sends the
//! errors to every page, which shows them in an overlay.

pub mod http;
pub mod reload;
pub mod watch;

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::broadcast;

use crate::diagnostic::Diagnostic;
use crate::output::{Contents, OutputFile};
use crate::pipeline::{BuildFailure, BuildOptions, BuildReport, Refreshed, Session};
use crate::render::RenderOptions;
use reload::ErrorView;
use watch::{Burst, Message, SiteWatcher};

/// The port `blogsmith serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 1111;
/// How long the sources must be quiet before a rebuild: an editor's save is
/// several writes (write, rename, chmod) within a few milliseconds.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(30);
/// A client must send its request head within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Build events kept for pages that read them late.
const EVENT_BACKLOG: usize = 32;

/// What to serve, and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root (holding `blogsmith.yaml`, `content/`).
    pub root: PathBuf,
    /// The address to listen on: loopback unless asked otherwise.
    pub bind: IpAddr,
    /// The port; 0 picks a free one ([`Server::addr`] tells which).
    pub port: u16,
    /// Include articles with `draft: true`.
    pub drafts: bool,
    /// Quiet time that ends a burst of writes.
    pub debounce: Duration,
}

impl ServeOptions {
    /// Serves `root` on 127.0.0.1:1111.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            drafts: false,
            debounce: DEFAULT_DEBOUNCE,
        }
    }
}

/// Why the server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Another program listens on the address.
    #[error("{addr} is already in use (is another `blogsmith serve` running?)")]
    PortInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Listening failed for another reason (a port below 1024, an address not on this machine).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: io::Error,
    },
    /// The site folder is missing or unreadable.
    #[error("cannot open the site folder {}: {source}", path.display())]
    Root {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The file watcher could not start.
    #[error("cannot watch {} for changes: {message}", path.display())]
    Watch {
        /// What was to be watched.
        path: PathBuf,
        /// What the watcher said.
        message: String,
    },
    /// Threads, the async runtime or signal handlers could not be set up.
    #[error("cannot start the server: {0}")]
    Runtime(#[source] io::Error),
}

impl ServeError {
    /// What the user can do about it, when we can tell.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::PortInUse { addr } => Some(format!(
                "choose another port with --port, e.g. --port {}, or --port 0 for any free one",
                addr.port().wrapping_add(1).max(1024)
            )),
            Self::Bind { addr, .. } if addr.port() < 1024 && addr.port() != 0 => {
                Some("ports below 1024 need privileges; try --port 1111".into())
            }
            Self::Bind { .. } => {
                Some("check --bind: it must be an address of this machine, e.g. 127.0.0.1".into())
            }
            Self::Root { .. } => Some("pass the site folder with --root DIR".into()),
            _ => None,
        }
    }
}

/// What the server tells its user (the CLI prints these).
#[derive(Debug)]
pub enum Notice {
    /// Listening; the first build starts.
    Listening {
        /// `http://127.0.0.1:PORT/`.
        url: String,
    },
    /// A build succeeded and changed these output paths.
    Built {
        /// The build's figures and warnings.
        report: BuildReport,
        /// Output paths added, removed or changed (all of them for the first build).
        changed: Vec<String>,
        /// From the first write of the burst to the reload message (`None` for the first build).
        latency: Option<Duration>,
    },
    /// A rebuild found nothing to change in the output.
    Unchanged {
        /// The build's figures and warnings.
        report: BuildReport,
    },
    /// A build failed; the last good build is still served.
    Failed {
        /// Every problem.
        failure: BuildFailure,
    },
    /// The watcher reported a problem (changes may have been missed; everything was rebuilt).
    WatchError(String),
}

/// What the pages are served from: one good build, and the state of the last one.
#[derive(Clone)]
pub(crate) struct Snapshot {
    /// Counts the good builds that changed something; 0 before the first.
    version: u64,
    /// Whether any build succeeded yet.
    built: bool,
    /// The files of the last good build.
    files: Arc<BTreeMap<String, OutputFile>>,
    /// The errors of the last build, if it failed.
    errors: Vec<ErrorView>,
}

/// Shared by the builder and every connection.
pub(crate) struct State {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Build events, already formatted for the event stream.
    events: broadcast::Sender<Bytes>,
    /// Tells a page that reconnects whether it talks to the same server process.
    server_id: String,
}

impl State {
    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn publish(&self, snapshot: Snapshot, event: Bytes) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(snapshot);
        // No page listening is fine.
        let _ = self.events.send(event);
    }

    /// The first event of every stream: the current version and errors.
    fn hello(&self) -> Bytes {
        let snapshot = self.snapshot();
        reload::hello_event(&self.server_id, snapshot.version, &snapshot.errors)
    }
}

/// A running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    url: String,
    stop: Sender<Message>,
    builder: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// Listens, builds the site, starts watching and serving, and returns.
    ///
    /// `notice` is called with what happens (from another thread, after the
    /// first build). A failed first build still starts the server: every page
    /// shows the errors until they are fixed.
    pub fn start(
        options: ServeOptions,
        mut notice: impl FnMut(Notice) + Send + 'static,
    ) -> Result<Self, ServeError> {
        let root = options
            .root
            .canonicalize()
            .map_err(|source| ServeError::Root {
                path: options.root.clone(),
                source,
            })?;
        let asked = SocketAddr::new(options.bind, options.port);
        let listener = std::net::TcpListener::bind(asked).map_err(|source| {
            if source.kind() == io::ErrorKind::AddrInUse {
                ServeError::PortInUse { addr: asked }
            } else {
                ServeError::Bind {
                    addr: asked,
                    source,
                }
            }
        })?;
        let addr = listener.local_addr().map_err(ServeError::Runtime)?;
        let url = local_url(addr);
        notice(Notice::Listening { url: url.clone() });

        // Watch first: a save during the first build is not missed.
        let (tx, rx) = mpsc::channel();
        let watcher = SiteWatcher::start(&root, tx.clone())?;

        let build_options = BuildOptions {
            drafts: options.drafts,
            base_url: Some(url.clone()),
            render: RenderOptions {
                live_reload: Some(reload::SCRIPT_TAG.to_string()),
            },
            ..BuildOptions::new(&root)
        };
        let mut session = Session::new(build_options);
        let first_build = refresh(&mut session);
        if first_build.is_ok() {
            // The formulas and code blocks of the first build serve later builds
            // too (saving after every save's rebuild would cost more than it gives).
            let _ = session.save_caches();
        }
        let (snapshot, first) = match first_build {
            Ok(refreshed) => (
                Snapshot {
                    version: 1,
                    built: true,
                    files: Arc::new(session.files().clone()),
                    errors: Vec::new(),
                },
                Notice::Built {
                    report: refreshed.report,
                    changed: refreshed.changed,
                    latency: None,
                },
            ),
            Err(failure) => (
                Snapshot {
                    version: 0,
                    built: false,
                    files: Arc::default(),
                    errors: reload::error_views(&failure.diagnostics),
                },
                Notice::Failed { failure },
            ),
        };
        notice(first);
        let state = Arc::new(State {
            snapshot: RwLock::new(Arc::new(snapshot)),
            events: broadcast::channel(EVENT_BACKLOG).0,
            server_id: server_id(),
        });

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("blogsmith-http")
            .build()
            .map_err(ServeError::Runtime)?;
        listener
            .set_nonblocking(true)
            .map_err(ServeError::Runtime)?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(ServeError::Runtime)?
        };
        runtime.spawn(accept_loop(listener, Arc::clone(&state)));

        let debounce = options.debounce;
        let builder = std::thread::Builder::new()
            .name("blogsmith-builder".into())
            .spawn(move || {
                Builder {
                    session,
                    watcher,
                    state,
                    root,
                }
                .run(&rx, debounce, &mut notice);
            })
            .map_err(ServeError::Runtime)?;
        Ok(Self {
            addr,
            url,
            stop: tx,
            builder: Some(builder),
            runtime: Some(runtime),
        })
    }

    /// The address the server listens on (with the actual port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The site's URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Serves until Ctrl-C (or SIGTERM), then stops.
    pub fn run_until_signal(mut self) -> Result<(), ServeError> {
        if let Some(runtime) = &self.runtime {
            runtime
                .block_on(shutdown_signal())
                .map_err(ServeError::Runtime)?;
        }
        self.shutdown();
        Ok(())
    }

    /// Stops watching and serving; open connections are closed.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(Message::Stop);
        if let Some(builder) = self.builder.take() {
            let _ = builder.join();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(500));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn shutdown_signal() -> io::Result<()> {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// Accepts connections for ever; each is served by its own task, so a slow
/// or idle client holds only its own task.
async fn accept_loop(listener: tokio::net::TcpListener, state: Arc<State>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it was accepted:
                // back off a little instead of spinning.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let http = http.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                http::respond(request, Arc::clone(&state))
            });
            // A client that goes away mid-response is not an error worth reporting.
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// The builder thread's state.
struct Builder {
    session: Session,
    watcher: SiteWatcher,
    state: Arc<State>,
    root: PathBuf,
}

impl Builder {
    fn run(mut self, rx: &Receiver<Message>, debounce: Duration, notice: &mut impl FnMut(Notice)) {
        let longest = (debounce * 10).max(Duration::from_millis(300));
        loop {
            let burst = watch::next_burst(rx, debounce, longest);
            if burst.stop {
                return;
            }
            for dir in &burst.appeared {
                if let Err(e) = self.watcher.watch_dir(dir) {
                    notice(Notice::WatchError(e.to_string()));
                }
            }
            for error in &burst.errors {
                notice(Notice::WatchError(error.clone()));
            }
            let result = refresh(&mut self.session);
            notice(self.publish(result, &burst));
        }
    }

    /// Publishes a build's result and tells the pages.
    fn publish(&mut self, result: Result<Refreshed, BuildFailure>, burst: &Burst) -> Notice {
        let previous = self.state.snapshot();
        match result {
            Ok(refreshed) => {
                let mut changed = refreshed.changed;
                changed.extend(copied_from(self.session.files(), burst, &self.root));
                changed.sort();
                changed.dedup();
                if changed.is_empty() && previous.built && previous.errors.is_empty() {
                    return Notice::Unchanged {
                        report: refreshed.report,
                    };
                }
                let version = previous.version + u64::from(!changed.is_empty());
                self.state.publish(
                    Snapshot {
                        version,
                        built: true,
                        files: Arc::new(self.session.files().clone()),
                        errors: Vec::new(),
                    },
                    reload::reload_event(version, &changed),
                );
                Notice::Built {
                    report: refreshed.report,
                    changed,
                    latency: burst.first.map(|first| first.elapsed()),
                }
            }
            Err(failure) => {
                let errors = reload::error_views(&failure.diagnostics);
                let event = reload::errors_event(&errors);
                self.state.publish(
                    Snapshot {
                        errors,
                        ..(*previous).clone()
                    },
                    event,
                );
                Notice::Failed { failure }
            }
        }
    }
}

/// Output files copied from a source that changed in `burst`. The session
/// compares copied files by their source path, not their bytes (it does not
/// read them), so a saved image or stylesheet is found here.
fn copied_from(files: &BTreeMap<String, OutputFile>, burst: &Burst, root: &Path) -> Vec<String> {
    files
        .iter()
        .filter(|(_, file)| match &file.contents {
            Contents::Copy(source) => {
                burst.everything
                    || burst.paths.contains(source)
                    || burst.paths.contains(&root.join(source))
            }
            _ => false,
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// Refreshes the session; a panic (a bug) is reported as a failed build and
/// the next refresh starts from scratch, so the server keeps running.
fn refresh(session: &mut Session) -> Result<Refreshed, BuildFailure> {
    let started = Instant::now();
    match std::panic::catch_unwind(AssertUnwindSafe(|| session.refresh())) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let options = session.options().clone();
            *session = Session::new(options);
            Err(BuildFailure {
                diagnostics: vec![
                    Diagnostic::error(
                        crate::config::CONFIG_FILE,
                        format!(
                            "internal error while building ({message}, after {:?})",
                            started.elapsed()
                        ),
                    )
                    .with_hint("this is a bug in blogsmith: please report it; save again to retry"),
                ],
            })
        }
    }
}

/// The URL to open: the address itself, or loopback when listening on all addresses.
fn local_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Different for every server process (and every `Server` in one process).
fn server_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{nanos:x}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_point_at_loopback() {
        let v4: SocketAddr = "0.0.0.0:1111".parse().expect("addr");
        assert_eq!(local_url(v4), "http://127.0.0.1:1111/");
        let v6: SocketAddr = "[::]:8080".parse().expect("addr");
        assert_eq!(local_url(v6), "http://[::1]:8080/");
        let lan: SocketAddr = "192.168.1.5:1111".parse().expect("addr");
        assert_eq!(local_url(lan), "http://192.168.1.5:1111/");
    }
}
