//! A list page preloads exactly the KaTeX fonts Chromium loads for its
//! excerpts' formulas: none missing (a request at the highest priority,
//! which Lighthouse counts against the first paint), none wasted (bytes and
//! a console warning). An article preloads none (see src/render/mod.rs).

use std::path::Path;

use crate::cdp::{Browser, Page};
use crate::http::Server;

/// The font files of the faces Chromium has loaded, as URL paths, sorted.
fn loaded_fonts(page: &mut Page) -> Vec<String> {
    list(&page.eval(
        r#"(async () => {
          await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          await document.fonts.ready;
          const weight = w => ({ normal: '400', bold: '700' })[w] || w;
          const key = (family, w, style) =>
            [family.replace(/["']/g, ''), weight(w || 'normal'), style || 'normal'].join(' ');
          const files = new Map();
          for (const sheet of document.styleSheets) {
            for (const rule of sheet.cssRules) {
              if (!(rule instanceof CSSFontFaceRule)) continue;
              const s = rule.style;
              const url = s.getPropertyValue('src').match(/url\("?([^")]+\.woff2)"?\)/);
              files.set(key(s.getPropertyValue('font-family'), s.getPropertyValue('font-weight'),
                s.getPropertyValue('font-style')), url ? new URL(url[1], location.href).pathname : '?');
            }
          }
          const loaded = [...document.fonts].filter(f => f.status === 'loaded')
            .map(f => files.get(key(f.family, f.weight, f.style)) || ('no file for ' + f.family));
          return [...new Set(loaded)].sort();
        })()"#
    ))
}

/// The fonts the page preloads, as URL paths, sorted.
fn preloaded_fonts(page: &mut Page) -> Vec<String> {
    list(&page.eval(
        "[...new Set([...document.querySelectorAll('link[rel=preload][as=font]')]
            .map(l => new URL(l.href).pathname))].sort()",
    ))
}

fn list(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .expect("a list of URLs")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn lists_preload_exactly_the_katex_fonts_their_excerpts_use() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let options = blogsmith::BuildOptions {
        output: out.path().join("public"),
        // The render cache would go into the checkout.
        cache: false,
        ..blogsmith::BuildOptions::new(Path::new(env!("CARGO_MANIFEST_DIR")))
    };
    blogsmith::build(&options).expect("the flagship site builds");
    let server = Server::serve(&out.path().join("public"));
    let mut browser = Browser::launch();
    let mut page = browser.new_page();
    let mut checked = 0;
    // Lists lay out every excerpt at once: they preload the fonts of all
    // of them. An article lays out blocks as they come into view and
    // fetches their fonts then: it preloads none.
    for path in ["/tags/pytorch/", "/", "/posts/rope/", "/search/"] {
        assert_eq!(page.navigate(&server.url(path)), 200, "{path}");
        let preloaded = preloaded_fonts(&mut page);
        let loaded = loaded_fonts(&mut page);
        if path.starts_with("/posts/") {
            assert!(!loaded.is_empty(), "{path} has formulas");
            assert_eq!(preloaded, Vec::<String>::new(), "{path} preloads nothing");
        } else {
            assert_eq!(
                preloaded, loaded,
                "{path}: preloaded (left) and loaded (right)"
            );
        }
        checked += usize::from(!preloaded.is_empty());
    }
    assert!(checked >= 2, "two lists have formulas");
}
