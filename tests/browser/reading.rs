//! The reading experience in the browser: what a printed article keeps and
//! drops, and links told apart from text without colour.

use serde_json::json;

use super::cdp::Browser;
use super::common::Fixture;
use super::http::Server;

/// An article with everything a printed page must keep whole.
fn article_site() -> Fixture {
    let site = Fixture::new();
    site.article(
        "print.md",
        "title: 打印\ndate: 2026-03-01\ntags: [数学]",
        "正文见 [论文](https://arxiv.org/abs/2104.09864) 与 [另一篇](/posts/other/)。\n\n\
         $$\nE = mc^2\n$$\n\n\
         ```python\nprint('hi')\n```\n\n\
         | a | b |\n| - | - |\n| 1 | 2 |\n\n\
         ![图](x.png \"图一\")\n",
    );
    site
}

#[test]
fn printed_articles_drop_navigation_keep_blocks_whole_and_write_out_links() {
    let site = article_site();
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();
    assert_eq!(page.navigate(&server.url("/posts/print/")), 200);
    // Print media, with a reader whose screen is dark: the page must print light.
    page.call(
        "Emulation.setEmulatedMedia",
        json!({ "media": "print", "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    );
    let seen = page.eval(
        "(() => {
            const style = (s, pseudo) => {
                const el = document.querySelector(s);
                return el ? getComputedStyle(el, pseudo || null) : null;
            };
            const shown = s => { const c = style(s); return c ? c.display !== 'none' : null; };
            const breaks = ['.math.display', 'pre.code', '.prose table', '.prose figure']
                .map(s => [s, style(s) && style(s).breakInside]);
            return {
                header: shown('.site-header'),
                nav: shown('.site-nav'),
                search: shown('.site-search'),
                footer: shown('.site-footer'),
                article: shown('.prose'),
                breaks,
                external: style('.prose a[href^=\"https://\"]', '::after').content,
                internal: style('.prose a[href^=\"/\"]', '::after').content,
                background: getComputedStyle(document.body).backgroundColor,
                text: getComputedStyle(document.body).color,
            };
        })()",
    );
    assert_eq!(seen["header"], false, "{seen}");
    assert_eq!(seen["nav"], false, "{seen}");
    assert_eq!(seen["search"], false, "{seen}");
    assert_eq!(seen["footer"], false, "{seen}");
    assert_eq!(seen["article"], true, "{seen}");
    for pair in seen["breaks"].as_array().expect("a list") {
        assert_eq!(
            pair[1], "avoid",
            "{} may be cut across pages: {seen}",
            pair[0]
        );
    }
    assert!(
        seen["external"]
            .as_str()
            .is_some_and(|c| c.contains("https://arxiv.org/abs/2104.09864")),
        "the address of a link to another site is printed: {seen}"
    );
    assert_eq!(seen["internal"], "none", "{seen}");
    assert_eq!(
        seen["background"], "rgb(255, 255, 255)",
        "never the dark theme: {seen}"
    );
    assert_eq!(seen["text"], "rgb(0, 0, 0)", "{seen}");

    // On screen, the same dark reader gets the dark theme, and links in text are underlined.
    page.call(
        "Emulation.setEmulatedMedia",
        json!({ "media": "screen", "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
    );
    let screen = page.eval(
        "(() => {
            const link = document.querySelector('.prose a');
            const footer = document.querySelector('.site-footer a');
            return {
                background: getComputedStyle(document.body).backgroundColor,
                link: getComputedStyle(link).textDecorationLine,
                footer: getComputedStyle(footer).textDecorationLine,
            };
        })()",
    );
    assert_ne!(screen["background"], "rgb(255, 255, 255)", "{screen}");
    assert_eq!(screen["link"], "underline", "{screen}");
    assert_eq!(screen["footer"], "underline", "{screen}");
}
