//! `check --external`: links to other sites requested from a real HTTP
//! server on 127.0.0.1, broken ones reported where they are written, the
//! good results reused from the cache, and no request at all without the flag.

mod common;

use std::time::Duration;

use blogsmith::diagnostic::Diagnostic;
use blogsmith::linkcheck::{ExternalOptions, ExternalSummary};
use blogsmith::{BuildOptions, ExternalCheck};
use common::server::{Server, refused_url};
use common::{Fixture, lines};

const CONFIG: &str = "title: 外链\nbase_url: https://example.com/\n";

/// A site linking to every path of `server` (two articles, some links in both).
fn site(server: &Server, refused: &str) -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    let url = |path: &str| server.url(path);
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        &format!(
            "好的 [链接]({})\n[坏的]({})。\n\n\
             ![图]({}) <{}>\n\n\
             ## 慢 [慢的]({})\n\n\
             [出错]({})\n[拒绝]({refused})\n\n\
             <p><a href=\"{}\">HTML</a></p>\n",
            url("/ok#第一节"),
            url("/missing"),
            url("/no-head"),
            url("/moved"),
            url("/slow"),
            url("/error"),
            url("/html"),
        ),
    );
    site.article(
        "b.md",
        "title: B\ndate: 2026-01-02",
        &format!(
            "同一个坏链接：[再坏]({})\n\n同一个好链接：[再好]({})\n",
            url("/missing"),
            url("/ok#别处")
        ),
    );
    site
}

fn external(timeout: Duration) -> ExternalOptions {
    ExternalOptions {
        timeout,
        ..ExternalOptions::default()
    }
}

fn check(options: &BuildOptions) -> (Vec<Diagnostic>, ExternalSummary) {
    let ExternalCheck {
        site: result,
        links,
    } = blogsmith::check_external(options, &external(Duration::from_secs(1)));
    let diagnostics = match result {
        Ok(report) => report.warnings,
        Err(failure) => failure.diagnostics,
    };
    (diagnostics, links)
}

fn located(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let severity = if d.is_error() { "error" } else { "warning" };
            let url = d.message.split('`').nth(1).unwrap_or("");
            let path = url.rsplit('/').next().unwrap_or("");
            format!("{}: {severity}: {path}", d.location())
        })
        .collect()
}

fn sorted(mut requests: Vec<String>) -> Vec<String> {
    requests.sort();
    requests
}

#[test]
fn broken_links_are_reported_where_written_and_good_ones_come_from_the_cache() {
    let server = Server::start();
    let refused = refused_url();
    let site = site(&server, &refused);
    let options = site.options();

    let ExternalCheck { site: result, .. } =
        blogsmith::check_external(&options, &external(Duration::from_secs(1)));
    let failure = result.expect_err("a 404 fails the check");
    assert_eq!(
        failure.errors().count(),
        2,
        "{}",
        lines(&failure.diagnostics)
    );
    assert_eq!(
        located(&failure.diagnostics),
        [
            "content/a.md:6:1: error: missing",
            "content/a.md:10:6: warning: slow",
            "content/a.md:12:1: warning: error",
            "content/a.md:13:1: warning: ",
            "content/b.md:5:8: error: missing",
        ],
        "{}",
        lines(&failure.diagnostics)
    );
    let messages = lines(&failure.diagnostics);
    assert!(messages.contains("is broken: 404 Not Found"), "{messages}");
    assert!(messages.contains("did not answer in time"), "{messages}");
    assert!(
        messages.contains("answers 503 Service Unavailable"),
        "{messages}"
    );
    assert!(messages.contains("connection refused"), "{messages}");
    // HEAD first; GET when HEAD is refused or answered with an error; redirects followed.
    // The same URL is requested once, whatever its fragment and however often it is used.
    assert_eq!(
        sorted(server.take_requests()),
        [
            "GET /error",
            "GET /missing",
            "GET /no-head",
            "HEAD /error",
            "HEAD /html",
            "HEAD /landing",
            "HEAD /missing",
            "HEAD /moved",
            "HEAD /no-head",
            "HEAD /ok",
            "HEAD /slow",
        ]
    );

    // The good results were saved: the only file `check --external` writes.
    let mut written: Vec<String> = walkdir::WalkDir::new(site.root())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let path = e.path().strip_prefix(site.root()).unwrap();
            path.to_string_lossy().replace('\\', "/")
        })
        .filter(|path| !path.starts_with("content/") && path != "blogsmith.yaml")
        .collect();
    written.sort();
    assert_eq!(written, [".blogsmith-cache/external-links.json"]);

    // Again: the good links come from the cache, the bad ones are asked again.
    let (diagnostics, summary) = check(&options);
    assert_eq!(
        summary,
        ExternalSummary {
            checked: 8,
            from_cache: 4,
            broken: 1,
            unreachable: 3,
            timeouts: 1,
        }
    );
    assert_eq!(
        summary.to_string(),
        "external links: 8 checked (4 from the cache), 1 broken, 3 unreachable (1 timed out)"
    );
    assert_eq!(located(&diagnostics), located(&failure.diagnostics));
    assert_eq!(
        sorted(server.take_requests()),
        [
            "GET /error",
            "GET /missing",
            "HEAD /error",
            "HEAD /missing",
            "HEAD /slow",
        ]
    );

    // Without the cache every link is asked again, and nothing is saved.
    std::fs::remove_dir_all(site.root().join(".blogsmith-cache")).unwrap();
    let no_cache = BuildOptions {
        cache: false,
        ..options.clone()
    };
    let (_, summary) = check(&no_cache);
    assert_eq!(summary.from_cache, 0);
    assert_eq!(server.take_requests().len(), 11);
    assert!(!site.root().join(".blogsmith-cache").exists());
}

#[test]
fn a_site_whose_links_all_answer_passes_with_a_summary() {
    let server = Server::start();
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        &format!(
            "[好]({}) [搬]({})\n",
            server.url("/ok"),
            server.url("/moved")
        ),
    );
    let checked = blogsmith::check_external(&site.options(), &external(Duration::from_secs(5)));
    let report = checked.site.expect("no broken link");
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    assert_eq!(
        checked.links,
        ExternalSummary {
            checked: 2,
            ..ExternalSummary::default()
        }
    );
}

#[test]
fn other_errors_do_not_stop_the_external_links_from_being_checked() {
    let server = Server::start();
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        &format!(
            "[坏的本地链接](nowhere.md) [坏的外链]({})\n",
            server.url("/missing")
        ),
    );
    let checked = blogsmith::check_external(&site.options(), &external(Duration::from_secs(5)));
    let failure = checked.site.expect_err("two errors");
    assert_eq!(
        failure.errors().count(),
        2,
        "{}",
        lines(&failure.diagnostics)
    );
    assert_eq!(checked.links.broken, 1);
}

#[test]
fn build_and_plain_check_make_no_request() {
    let server = Server::start();
    let site = site(&server, &refused_url());
    blogsmith::check(&site.options()).expect("the site itself is fine");
    site.build_ok();
    site.build_ok();
    assert_eq!(server.take_requests(), Vec::<String>::new());
    assert!(
        !site
            .root()
            .join(".blogsmith-cache/external-links.json")
            .exists()
    );
}
