//! End-to-end tests in a real headless Chromium, driven over the Chrome
//! DevTools Protocol: fixture sites are built with the library, served by a
//! tiny local HTTP server, opened in the browser, checked and screenshotted
//! (into `target/screenshots/`).

mod cdp;
mod fonts;
mod http;
mod reading;

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::Duration;

use cdp::{Browser, Page};
use common::{Fixture, ml_notes_site};
use http::Server;

/// Where screenshots go: `target/screenshots/<name>`.
fn screenshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots")
        .join(name)
}

/// Lets late requests (fonts, images) and console messages arrive, then
/// asserts that nothing failed and nothing was logged as an error.
fn assert_clean(page: &mut Page, what: &str) {
    page.settle(Duration::from_millis(200));
    let failed: Vec<String> = page
        .failed_requests()
        .into_iter()
        .filter(|f| !is_favicon(f))
        .collect();
    assert!(
        failed.is_empty(),
        "{what}: failed requests:\n{}",
        failed.join("\n")
    );
    let errors: Vec<String> = page
        .console_errors()
        .into_iter()
        .filter(|e| !is_favicon(e))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: console errors:\n{}",
        errors.join("\n")
    );
}

/// Chromium asks for `/favicon.ico` by itself and logs its 404; the theme
/// declares no icon (yet), so that one is not counted against the page.
fn is_favicon(message: &str) -> bool {
    message.contains("/favicon.ico")
}

/// Asserts every request of the page went to `origin` (or was a data: URL).
fn assert_same_origin(page: &mut Page, origin: &str) {
    let foreign: Vec<String> = page
        .requested_urls()
        .into_iter()
        .filter(|url| !url.starts_with(&format!("{origin}/")) && !url.starts_with("data:"))
        .collect();
    assert!(
        foreign.is_empty(),
        "requests to another origin than {origin}:\n{}",
        foreign.join("\n")
    );
}

/// Waits for the fonts the page uses and returns the families of the loaded faces.
fn loaded_font_faces(page: &mut Page) -> Vec<String> {
    let faces = page.eval(
        "document.fonts.ready.then(() => [...document.fonts]
            .filter(f => f.status === 'loaded')
            .map(f => f.family.replace(/[\"']/g, '') + ' ' + f.weight + ' ' + f.style))",
    );
    faces
        .as_array()
        .expect("an array of font faces")
        .iter()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect()
}

fn count(page: &mut Page, selector: &str) -> u64 {
    page.eval(&format!(
        "document.querySelectorAll({}).length",
        serde_json::Value::from(selector)
    ))
    .as_u64()
    .expect("a count")
}

#[test]
fn math_page_loads_its_own_katex_fonts_without_errors() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: 公式测试\n");
    site.article(
        "formulas.md",
        "title: 公式\ndate: 2026-01-01\ntags: [数学]\ncategories: 笔记",
        r"线性回归里，式中$x_i$和$y_i$分别是第$i$个样本的特征与标签，权重$\boldsymbol{w} \in \mathbb{R}^d$。

最小二乘的损失与梯度：

$$
\begin{aligned}
L(\boldsymbol{w}) &= \frac{1}{n} \sum_{i=1}^{n} \left( y_i - \boldsymbol{w}^\top x_i \right)^2 \\
\nabla_{\boldsymbol{w}} L &= -\frac{2}{n} \sum_{i=1}^{n} x_i \left( y_i - \boldsymbol{w}^\top x_i \right)
\end{aligned}
$$

令梯度为零即得正规方程，其中$X \in \mathbb{R}^{n \times d}$。
",
    );
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();

    let status = page.navigate(&server.url("/posts/formulas/"));
    assert_eq!(status, 200);

    // Polled, not read once after `document.fonts.ready`: that promise settles
    // as soon as no font is loading, which on a busy machine can be before
    // layout has asked for KaTeX's (the test failed so under a full `.ci/run`).
    let katex_main_ok = page.eval(
        "new Promise(done => {
            const start = performance.now();
            const poll = () => document.fonts.check('1em KaTeX_Main') ? done(true)
                : performance.now() - start > 10000 ? done(false)
                : setTimeout(poll, 50);
            document.fonts.ready.then(poll);
        })",
    );
    assert_eq!(
        katex_main_ok, true,
        "document.fonts.check('1em KaTeX_Main')"
    );
    let faces = loaded_font_faces(&mut page);
    for family in ["KaTeX_Main 400 normal", "KaTeX_Math 400 italic"] {
        assert!(
            faces.iter().any(|f| f == family),
            "font face {family} not loaded; loaded: {faces:?}"
        );
    }
    assert!(
        count(&mut page, ".katex") >= 4,
        "inline and display math rendered"
    );
    assert_eq!(count(&mut page, ".math.display .katex-display"), 1);
    assert_eq!(count(&mut page, ".katex-error, .math-error"), 0);
    let inline = page.eval("document.querySelector('.math.inline').closest('p').textContent");
    assert!(
        inline.as_str().is_some_and(|t| t.contains("式中")),
        "inline math sits in the Chinese paragraph: {inline}"
    );

    page.screenshot(&screenshot_path("math-article.png"));
    assert_clean(&mut page, "math article");
    assert_same_origin(&mut page, &server.origin());
    let fonts: Vec<String> = page
        .requested_urls()
        .into_iter()
        .filter(|u| u.ends_with(".woff2"))
        .collect();
    assert!(
        fonts
            .iter()
            .any(|u| u.ends_with("/katex/fonts/KaTeX_Main-Regular.woff2")),
        "KaTeX_Main comes from the site itself: {fonts:?}"
    );
}

#[test]
fn display_math_scrolls_instead_of_overflowing_on_a_narrow_screen() {
    let site = Fixture::new();
    let long_sum: Vec<String> = (1..=40).map(|i| format!(r"w_{{{i}}} x_{{{i}}}")).collect();
    site.article(
        "long.md",
        "title: 很长的公式\ndate: 2026-01-02\ntags: [数学]",
        &format!(
            "一个很长的线性组合：\n\n$$\nf(\\boldsymbol{{x}}) = {} + b\n$$\n\n公式之后的正文不应被挤出屏幕。\n",
            long_sum.join(" + ")
        ),
    );
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();
    page.set_viewport(360, 740, true);

    assert_eq!(page.navigate(&server.url("/posts/long/")), 200);
    page.eval("document.fonts.ready.then(() => true)");

    let widths = page.eval(
        "(() => {
            const d = document.querySelector('.math.display');
            return {
                pageScroll: document.documentElement.scrollWidth,
                inner: window.innerWidth,
                mathScroll: d.scrollWidth,
                mathClient: d.clientWidth,
            };
        })()",
    );
    let get = |key: &str| {
        widths[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} in {widths}"))
    };
    assert_eq!(get("inner"), 360, "viewport emulation applies: {widths}");
    assert!(
        get("pageScroll") <= get("inner"),
        "the page scrolls sideways on a 360 px screen: {widths}"
    );
    assert!(
        get("mathScroll") > get("mathClient"),
        "the long formula scrolls inside its block: {widths}"
    );
    assert!(get("mathClient") <= 360, "{widths}");

    page.screenshot(&screenshot_path("narrow-math.png"));
    assert_clean(&mut page, "narrow math article");
}

#[test]
fn index_and_article_render_without_errors() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "title: 机器学习笔记\nsubtitle: 测试站点\npaginate: 3\n",
    );
    let topics = [
        ("linear", "线性回归", "监督学习"),
        ("logistic", "逻辑回归", "监督学习"),
        ("svm", "支持向量机", "监督学习"),
        ("kmeans", "K 均值聚类", "无监督学习"),
        ("pca", "主成分分析", "无监督学习"),
        ("mlp", "多层感知机", "深度学习"),
        ("cnn", "卷积神经网络", "深度学习"),
        ("attention", "注意力机制", "深度学习"),
    ];
    for (i, (slug, title, category)) in topics.iter().enumerate() {
        site.article(
            &format!("{slug}.md"),
            &format!(
                "title: {title}\ndate: 2026-02-{:02}\ntags: [机器学习, {category}]\ncategories: {category}",
                i + 1
            ),
            &format!(
                "{title}是机器学习中的常见方法，本文记录它的要点。\n\n\
                 ## 模型\n\n设输入为$\\boldsymbol{{x}} \\in \\mathbb{{R}}^d$，输出为$\\hat{{y}}$。\n\n\
                 ```python\nimport numpy as np\n\ndef predict(w, x):\n    return np.dot(w, x)\n```\n\n\
                 ## 小结\n\n**{title}**的优点是简单，缺点是表达能力有限。\n"
            ),
        );
    }
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();

    assert_eq!(page.navigate(&server.url("/")), 200);
    page.eval("document.fonts.ready.then(() => true)");
    assert_eq!(count(&mut page, ".entry"), 3, "paginate: 3");
    assert_eq!(count(&mut page, ".pager"), 1);
    page.screenshot(&screenshot_path("index.png"));
    assert_clean(&mut page, "index");
    assert_same_origin(&mut page, &server.origin());

    let tag_url = page.eval(
        "[...document.querySelectorAll('a.tag')].map(a => a.href).find(h => h.includes('/tags/%'))",
    );
    let tag_url = tag_url
        .as_str()
        .unwrap_or_else(|| panic!("a link to a Chinese tag on the index, got {tag_url}"))
        .to_owned();
    let article_url = page.eval("document.querySelector('.entry-title a').href");
    let article_url = article_url
        .as_str()
        .expect("a link to an article on the index")
        .to_owned();

    let mut article = browser.new_page();
    assert_eq!(article.navigate(&article_url), 200);
    article.eval("document.fonts.ready.then(() => true)");
    assert_eq!(
        count(&mut article, ".katex"),
        2,
        "inline math in the article"
    );
    assert!(count(&mut article, "pre.code") >= 1, "code block rendered");
    article.screenshot(&screenshot_path("article.png"));
    assert_clean(&mut article, "article");
    assert_same_origin(&mut article, &server.origin());

    assert_eq!(page.navigate(&tag_url), 200, "{tag_url}");
    let path = page.eval("decodeURIComponent(location.pathname)");
    assert_eq!(path, "/tags/机器学习/", "{tag_url}");
    assert_eq!(count(&mut page, ".entry"), 3, "{tag_url} lists articles");
    assert_eq!(count(&mut page, ".pager"), 1, "8 articles in 3s");
    page.screenshot(&screenshot_path("tag.png"));
    assert_clean(&mut page, "tag page");
}

/// Waits until the search page has loaded its index and shown results.
fn wait_for_search(page: &mut Page) {
    let ready = page.eval(
        "new Promise(resolve => {
            const started = Date.now();
            const check = () => {
                const busy = document.getElementById('search-results').getAttribute('aria-busy');
                if (busy === 'false' || Date.now() - started > 10000) resolve(busy === 'false');
                else setTimeout(check, 20);
            };
            check();
        })",
    );
    assert_eq!(ready, true, "the search index loads within 10 s");
}

/// Runs a query from the search box, as a reader pressing Enter.
fn search_for(page: &mut Page, query: &str) {
    page.eval(&format!(
        "(() => {{
            const input = document.getElementById('search-query');
            input.value = {};
            input.form.requestSubmit();
        }})()",
        serde_json::Value::from(query)
    ));
}

/// The titles of the results shown, in order.
fn result_titles(page: &mut Page) -> Vec<String> {
    let titles = page.eval(
        "[...document.querySelectorAll('.search-result .entry-title')].map(h => h.textContent)",
    );
    titles
        .as_array()
        .expect("an array of titles")
        .iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}

fn search_status(page: &mut Page) -> String {
    page.eval("document.getElementById('search-status').textContent")
        .as_str()
        .expect("a status line")
        .to_owned()
}

#[test]
fn search_finds_chinese_and_latin_words_and_says_when_nothing_matches() {
    let site = ml_notes_site();
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();

    // The header's search box submits to /search/?q=….
    assert_eq!(page.navigate(&server.url("/")), 200);
    page.eval(
        "(() => {
            const form = document.querySelector('header form.site-search');
            form.querySelector('input').value = '注意力';
            form.submit();
        })()",
    );
    assert!(
        page.wait_for_event("Page.loadEventFired", cdp::LOAD_TIMEOUT)
            .is_some(),
        "the header search box leads to the search page"
    );
    let path = page.eval("decodeURIComponent(location.pathname + location.search)");
    assert_eq!(path, "/search/?q=注意力");
    wait_for_search(&mut page);
    page.eval("document.fonts.ready.then(() => true)");
    assert_eq!(
        result_titles(&mut page),
        [
            "注意力机制：从加权平均说起",
            "Transformer 架构笔记",
            "FlashAttention：IO 感知的精确计算",
        ],
        "the title hit first, then by how often the text says it; not word2vec's 需要注意"
    );
    assert_eq!(search_status(&mut page), "找到 3 篇文章。");
    let marks = page.eval(
        "[...new Set([...document.querySelectorAll('.search-results mark')].map(m => m.textContent))]",
    );
    assert_eq!(
        marks,
        serde_json::json!(["注意力"]),
        "whole words highlighted"
    );
    let snippet = page.eval("document.querySelector('.search-snippet').textContent");
    assert!(
        snippet.as_str().is_some_and(|s| s.contains("加权平均")),
        "{snippet}"
    );
    page.screenshot(&screenshot_path("search.png"));

    search_for(&mut page, "AdamW");
    assert_eq!(result_titles(&mut page), ["AdamW：把权重衰减从梯度里解耦"]);
    let search = page.eval("location.search");
    assert_eq!(search, "?q=AdamW", "the address keeps the query");
    search_for(&mut page, "adam");
    assert_eq!(
        result_titles(&mut page),
        ["AdamW：把权重衰减从梯度里解耦"],
        "a word finds longer words it starts"
    );
    search_for(&mut page, "梯");
    assert_eq!(
        result_titles(&mut page),
        ["AdamW：把权重衰减从梯度里解耦"],
        "one Chinese character is enough"
    );
    search_for(&mut page, "softmax 注意力");
    assert_eq!(result_titles(&mut page).len(), 2, "every word must match");
    search_for(&mut page, "加权注意力");
    assert_eq!(
        result_titles(&mut page).first().map(String::as_str),
        Some("注意力机制：从加权平均说起"),
        "no article says 加权注意力: the one with 加权 and 注意力 comes first"
    );
    assert!(
        search_status(&mut page).starts_with("没有完全匹配的文章，"),
        "{}",
        search_status(&mut page)
    );

    for nonsense in ["量子纠缠咖啡机", "zzqxj"] {
        search_for(&mut page, nonsense);
        assert!(result_titles(&mut page).is_empty(), "{nonsense}");
        assert_eq!(
            search_status(&mut page),
            format!("没有找到与“{nonsense}”相关的文章。")
        );
    }

    search_for(&mut page, "转义");
    assert_eq!(result_titles(&mut page), ["转义测试 <b>不是粗体</b>"]);
    let injected = page.eval(
        "document.querySelectorAll('.search-results b, .search-results img').length
            + (window.__pwned ? 100 : 0)",
    );
    assert_eq!(injected, 0, "titles and snippets are text, never HTML");

    assert_clean(&mut page, "search page");
    assert_same_origin(&mut page, &server.origin());
}

/// A raw `GET` with `Connection: close`: (status, Content-Type, Location, body).
fn get(server: &Server, target: &str) -> (u16, String, String, Vec<u8>) {
    use std::io::{Read, Write};
    let address = server.origin().replacen("http://", "", 1);
    let mut stream = std::net::TcpStream::connect(&address).expect("connect to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    (
        status,
        header("content-type"),
        header("location"),
        raw[split + 4..].to_vec(),
    )
}

#[test]
fn test_server_serves_types_folders_chinese_paths_and_404s() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, bytes: &[u8]| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    };
    write("index.html", b"<p>home</p>");
    write("404.html", b"<p>lost</p>");
    write("tags/自然语言处理/index.html", "<p>标签</p>".as_bytes());
    write("a b/c.css", b"p{}");
    for name in ["x.js", "f.woff2", "i.png", "i.svg", "d.json", "feed.xml"] {
        write(&format!("assets/{name}"), b"x");
    }
    let server = Server::serve(dir.path());

    assert_eq!(
        get(&server, "/"),
        (
            200,
            "text/html; charset=utf-8".into(),
            String::new(),
            b"<p>home</p>".to_vec()
        )
    );
    let tag = "/tags/%E8%87%AA%E7%84%B6%E8%AF%AD%E8%A8%80%E5%A4%84%E7%90%86/";
    let (status, _, _, body) = get(&server, tag);
    assert_eq!((status, body), (200, "<p>标签</p>".as_bytes().to_vec()));
    let (status, _, location, _) = get(&server, &tag[..tag.len() - 1]);
    assert_eq!((status, location.as_str()), (301, tag));
    assert_eq!(
        get(&server, "/a%20b/c.css?v=1").1,
        "text/css; charset=utf-8"
    );
    for (name, expected) in [
        ("x.js", "text/javascript; charset=utf-8"),
        ("f.woff2", "font/woff2"),
        ("i.png", "image/png"),
        ("i.svg", "image/svg+xml"),
        ("d.json", "application/json"),
        ("feed.xml", "text/xml; charset=utf-8"),
    ] {
        assert_eq!(
            get(&server, &format!("/assets/{name}")).1,
            expected,
            "{name}"
        );
    }
    let (status, content_type, _, body) = get(&server, "/missing/page/");
    assert_eq!(
        (status, content_type.as_str(), body),
        (404, "text/html; charset=utf-8", b"<p>lost</p>".to_vec())
    );
    assert_eq!(get(&server, "/../etc/passwd").0, 403);
    assert_eq!(get(&server, "/%2e%2e/etc/passwd").0, 403);
    assert_eq!(get(&server, "/%ff").0, 400);
}

#[test]
fn the_copy_button_copies_the_code_without_line_numbers() {
    let site = Fixture::new();
    site.article(
        "code.md",
        "title: 代码\ndate: 2026-01-01",
        "```python,linenos,hl_lines=2,title=\"train.py\"\nimport torch\nx = torch.ones(3)\nprint(x)\n```\n",
    );
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();
    assert_eq!(page.navigate(&server.url("/posts/code/")), 200);
    assert_clean(&mut page, "code page");
    // Record what the page hands to the Clipboard API (headless has no clipboard to read back).
    page.eval("window.__copied = null; navigator.clipboard.writeText = t => { window.__copied = t; return Promise.resolve(); }; true");
    let label = page.eval("const b = document.querySelector('.code-frame .copy-code'); b.click(); new Promise(r => setTimeout(() => r(b.textContent), 100))");
    assert_eq!(label, "已复制", "the button confirms the copy");
    let copied = page.eval("window.__copied");
    assert_eq!(
        copied, "import torch\nx = torch.ones(3)\nprint(x)",
        "the code, without line numbers"
    );
    let numbers = page.eval("[...document.querySelectorAll('.ln')].map(e => getComputedStyle(e, '::before').content).join(' ')");
    assert_eq!(
        numbers, "\"1\" \"2\" \"3\"",
        "line numbers are shown by CSS"
    );
    page.screenshot(&screenshot_path("code-block.png"));
}

#[test]
fn front_matter_text_is_escaped_and_never_runs() {
    let site = Fixture::new();
    site.article(
        "xss.md",
        "title: \"<script>window.__xss = 'title'</script>标题\"\ndate: 2026-01-01\ntags: [\"<img src=x onerror=\\\"window.__xss='tag'\\\">\"]\ncategories: \"<b onmouseover=alert(1)>类</b>\"\nsummary: \"<script>window.__xss = 'summary'</script>摘要\"\nmood: \"<script>window.__xss = 'extra'</script>\"",
        "正文。\n",
    );
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();
    for path in ["/", "/posts/xss/", "/tags/", "/categories/", "/archives/"] {
        assert_eq!(page.navigate(&server.url(path)), 200, "{path}");
        page.settle(Duration::from_millis(150));
        assert_eq!(
            page.eval("String(window.__xss)"),
            "undefined",
            "{path}: injected script ran"
        );
        assert_eq!(
            count(&mut page, "img[src='x']"),
            0,
            "{path}: injected element"
        );
    }
    assert_eq!(page.navigate(&server.url("/posts/xss/")), 200);
    let title = page.eval("document.querySelector('h1.post-title').textContent");
    assert_eq!(
        title, "<script>window.__xss = 'title'</script>标题",
        "shown as text"
    );
}

/// Saves a file as editors do: a hidden temporary file renamed over the original.
fn save(site: &Fixture, path: &str, text: &str) {
    let path = site.root().join(path);
    let temp = path.with_file_name(".blogsmith-test-save.tmp");
    std::fs::write(&temp, text).expect("write the temporary file");
    std::fs::rename(&temp, &path).expect("rename it over the file");
}

/// Whether the page's live-reload client got the server's `hello` (within [`LIVE_TIMEOUT`]).
fn is_live(page: &mut Page) -> bool {
    page.wait_until(
        "document.documentElement.dataset.blogsmith === 'live'",
        LIVE_TIMEOUT,
    )
}

/// How long a save may take to show in the browser before the test fails.
const LIVE_TIMEOUT: Duration = Duration::from_secs(15);

/// The text of the build-error overlay, or `null` when there is none.
const OVERLAY_TEXT: &str = "(() => { const o = document.querySelector('blogsmith-overlay'); return o ? o.shadowRoot.textContent : null; })()";

#[test]
fn served_pages_reload_on_save_and_show_build_errors() {
    use blogsmith::serve::{ServeOptions, Server};

    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: 实时预览\n");
    // The theme's stylesheet, overridden by the site with one probe rule added.
    let theme_css =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static/style.css"))
            .expect("the theme's style.css");
    let css = |probe: u32| format!("{theme_css}\nbody {{ --probe: {probe}; }}\n");
    site.write("static/style.css", &css(1));
    let front = "title: 旋转位置编码\ndate: 2026-03-01\ntags: [Transformer, 自监督学习]";
    let article = |body: &str| format!("---\n{front}\n---\n{body}");
    site.write(
        "content/rope.md",
        &article("RoPE 把位置编码成旋转：$R_\\theta x$。第一版。\n"),
    );
    site.article(
        "bert.md",
        "title: BERT\ndate: 2026-01-01\ntags: [自监督学习]",
        "掩码语言模型。\n",
    );
    let options = ServeOptions {
        port: 0,
        ..ServeOptions::new(site.root())
    };
    let server = Server::start(options, |_| {}).expect("the server starts");
    let url = |path: &str| format!("{}{}", server.url(), path.trim_start_matches('/'));
    let mut browser = Browser::launch();
    let mut page = browser.new_page();

    assert_eq!(page.navigate(&url("/posts/rope/")), 200);
    assert!(
        is_live(&mut page),
        "the page connects to the event stream and gets its hello"
    );
    assert_clean(&mut page, "served article");
    let origin = server.url().trim_end_matches('/').to_owned();
    assert_same_origin(&mut page, &origin);

    // An edit: the page reloads by itself (the marker set on the old document is gone).
    page.eval("window.__beforeSave = true");
    save(
        &site,
        "content/rope.md",
        &article("RoPE 把位置编码成旋转：$R_\\theta x$。第二版，保存后自动刷新。\n"),
    );
    assert!(
        page.wait_until(
            "document.querySelector('main').textContent.includes('第二版，保存后自动刷新') && window.__beforeSave === undefined",
            LIVE_TIMEOUT
        ),
        "the page did not reload with the new text: {:?}",
        page.try_eval("document.querySelector('main').textContent")
    );
    assert_eq!(count(&mut page, ".katex"), 1, "math still typeset");

    // An edit to another article does not reload this one.
    page.eval("window.__beforeSave = true");
    save(
        &site,
        "content/bert.md",
        "---\ntitle: BERT\ndate: 2026-01-01\ntags: [自监督学习]\n---\n双向编码器。\n",
    );
    // A stylesheet edit is swapped in place, without a reload.
    save(&site, "static/style.css", &css(2));
    assert!(
        page.wait_until(
            "getComputedStyle(document.body).getPropertyValue('--probe').trim() === '2'",
            LIVE_TIMEOUT
        ),
        "the new stylesheet was not applied"
    );
    assert_eq!(
        page.eval("window.__beforeSave === true"),
        true,
        "neither the other article nor the stylesheet reloaded the page"
    );

    // A broken edit: the overlay shows where, and the page keeps the last good build.
    save(
        &site,
        "content/rope.md",
        "---\ntitle: 旋转位置编码\ndate: 昨天\n---\n坏掉的第三版。\n",
    );
    assert!(
        page.wait_until(
            &format!("({OVERLAY_TEXT} || '').includes('content/rope.md:3:7')"),
            LIVE_TIMEOUT
        ),
        "no overlay with the error's place: {:?}",
        page.try_eval(OVERLAY_TEXT)
    );
    let shown = page.eval(OVERLAY_TEXT);
    assert!(
        shown.as_str().is_some_and(|t| t.contains("date")),
        "{shown}"
    );
    assert_eq!(
        page.eval("document.querySelector('main').textContent.includes('第二版')"),
        true
    );
    page.screenshot(&screenshot_path("serve-error-overlay.png"));

    // A page opened while the site is broken shows the overlay at once.
    let mut fresh = browser.new_page();
    assert_eq!(fresh.navigate(&url("/")), 200);
    assert!(
        fresh.wait_until(
            &format!("({OVERLAY_TEXT} || '').includes('content/rope.md:3:7')"),
            LIVE_TIMEOUT
        ),
        "a newly opened page shows the errors too"
    );

    // The fix clears the overlay and shows the fixed text.
    save(
        &site,
        "content/rope.md",
        &article("RoPE 修好了：第四版。\n"),
    );
    for (page, what) in [(&mut page, "article"), (&mut fresh, "index")] {
        assert!(
            page.wait_until(
                &format!("{OVERLAY_TEXT} === null && document.querySelector('main').textContent.includes('第四版')"),
                LIVE_TIMEOUT
            ),
            "{what}: the overlay did not clear or the text did not update: {:?}",
            page.try_eval(OVERLAY_TEXT)
        );
    }
    let errors: Vec<String> = page
        .console_errors()
        .into_iter()
        .filter(|e| !is_favicon(e))
        .collect();
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
}

#[test]
fn many_open_tabs_share_one_event_stream_and_all_reload() {
    use blogsmith::serve::{ServeOptions, Server};

    let site = Fixture::new();
    let article = |body: &str| format!("---\ntitle: 标签页\ndate: 2026-03-01\n---\n{body}\n");
    site.write("content/tab.md", &article("第一版。"));
    let options = ServeOptions {
        port: 0,
        ..ServeOptions::new(site.root())
    };
    let server = Server::start(options, |_| {}).expect("the server starts");
    let url = format!("{}posts/tab/", server.url());
    let mut browser = Browser::launch();
    // More tabs than the six connections a browser opens to one host: with a
    // stream per tab, the seventh would never load.
    let mut tabs: Vec<Page> = (0..9).map(|_| browser.new_page()).collect();
    for (i, tab) in tabs.iter_mut().enumerate() {
        assert_eq!(tab.navigate(&url), 200, "tab {i}");
        assert!(is_live(tab), "tab {i} is not live");
    }
    save(
        &site,
        "content/tab.md",
        &article("第二版，所有标签页都刷新。"),
    );
    for (i, tab) in tabs.iter_mut().enumerate() {
        assert!(
            tab.wait_until(
                "document.querySelector('main').textContent.includes('第二版，所有标签页都刷新')",
                LIVE_TIMEOUT
            ),
            "tab {i} did not reload"
        );
    }
    let errors: Vec<String> = tabs[0]
        .console_errors()
        .into_iter()
        .filter(|e| !is_favicon(e))
        .collect();
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
}

#[test]
fn notes_features_show_in_the_browser() {
    let site = Fixture::new();
    site.write(
        "content/notes/fig.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"#0b5cad\"/></svg>\n",
    );
    site.article(
        "notes/index.md",
        "title: 笔记的构件\ndate: 2026-01-01",
        "如式 \\eqref{eq:a}。\n\n$$\n\\begin{equation}\na = b \\label{eq:a}\n\\end{equation}\n$$\n\n\
         ![示意图](fig.svg)\n\n> [!TIP]\n> 一个提示。\n\n::: theorem 名字 {#thm:name}\n内容。\n:::\n\n\
         正文[^注]。\n\n[^注]: 脚注。\n\n```mermaid\nflowchart LR\n  a[输入] --> b[输出]\n```\n",
    );
    site.article(
        "other.md",
        "title: 引用另一篇\ndate: 2026-01-03",
        "由那篇的 \\eqref{eq:a} 与定理 \\ref{thm:name}。\n",
    );
    site.build_ok();
    let server = Server::serve(&site.public());
    let mut browser = Browser::launch();
    let mut page = browser.new_page();
    assert_eq!(page.navigate(&server.url("/posts/notes/")), 200);
    // Mermaid draws after load: wait for its SVG.
    let drawn = page.eval(
        "new Promise(r => { let n = 0; const t = setInterval(() => { \
           const s = document.querySelector('pre.mermaid svg'); \
           if (s || ++n > 100) { clearInterval(t); r(s ? 'drawn' : 'not drawn'); } }, 50); })",
    );
    assert_eq!(drawn, "drawn", "the Mermaid diagram is drawn");
    assert_clean(&mut page, "notes page");
    let nodes = page.eval("document.querySelector('pre.mermaid svg').textContent");
    let nodes = nodes.as_str().unwrap_or_default().to_string();
    assert!(nodes.contains("输入") && nodes.contains("输出"), "{nodes}");
    let target = page.eval("document.querySelector('a.eqref').getAttribute('href')");
    assert_eq!(target, "#eq:a");
    assert_eq!(
        page.eval("String(!!document.getElementById('eq:a'))"),
        "true"
    );
    assert_eq!(
        page.eval("document.querySelector('a.eqref').textContent"),
        "(1)"
    );
    let caption = page.eval("document.querySelector('figure figcaption').textContent");
    assert_eq!(caption, "图 1 示意图");
    let image_width = page.eval("String(document.querySelector('figure img').naturalWidth)");
    assert_eq!(image_width, "40", "the figure's image loads");
    let callout =
        page.eval("getComputedStyle(document.querySelector('.callout-tip')).borderLeftStyle");
    assert_eq!(callout, "solid", "callouts are styled");
    assert_eq!(
        page.eval("document.querySelector('.theorem-title').textContent"),
        "定理 1（名字）"
    );
    assert_eq!(count(&mut page, "section.footnotes li"), 1);
    page.screenshot(&screenshot_path("notes-features.png"));
    // References to another article's equation and theorem reach them.
    assert_eq!(page.navigate(&server.url("/posts/other/")), 200);
    let references = page.eval(
        "[...document.querySelectorAll('a.eqref')].map(a => a.textContent + ' ' + a.getAttribute('href')).join(', ')",
    );
    assert_eq!(
        references,
        "(1) /posts/notes/#eq:a, 1 /posts/notes/#thm:name"
    );
    for (target, element) in [
        ("/posts/notes/#eq:a", "DIV#eq:a"),
        ("/posts/notes/#thm:name", "DIV#thm:name"),
    ] {
        assert_eq!(page.navigate(&server.url(target)), 200);
        let found = page.eval(
            "(e => e ? e.tagName + '#' + e.id : 'not found')(document.getElementById(decodeURIComponent(location.hash.slice(1))))",
        );
        assert_eq!(found, element, "{target}");
        // Another page in between: a new fragment alone fires no load event.
        assert_eq!(page.navigate(&server.url("/posts/other/")), 200);
    }
    // A page without a diagram does not load Mermaid.
    site.article("plain.md", "title: 无图\ndate: 2026-01-02", "正文。\n");
    site.build_ok();
    assert_eq!(page.navigate(&server.url("/posts/plain/")), 200);
    assert_eq!(count(&mut page, "script[src*='mermaid']"), 0);
}
