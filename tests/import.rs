//! `blogsmith import hexo|jekyll|hugo PATH DIR` (issue 13): each fixture is a
//! small blog in its generator's real layout; the import must build with
//! blogsmith, keep the old addresses, and leave the old blog untouched.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use blogsmith::import::{Generator, ImportError, ImportReport, import};
use blogsmith::{BuildOptions, BuildReport};
use common::{lines, tree};

/// An old blog at `old/` in a temporary folder; the import goes to `new/`.
struct Blog {
    dir: tempfile::TempDir,
}

impl Blog {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn old(&self) -> PathBuf {
        self.dir.path().join("old")
    }

    fn new_site(&self) -> PathBuf {
        self.dir.path().join("new")
    }

    fn write(&self, path: &str, text: &str) -> &Self {
        let path = self.old().join(path);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// Imports, checking that the old blog did not change by a byte.
    fn import(&self, generator: Generator) -> ImportReport {
        let before = tree(&self.old());
        let report = import(generator, &self.old(), &self.new_site())
            .unwrap_or_else(|e| panic!("import failed: {e}"));
        assert_eq!(tree(&self.old()), before, "the old blog is untouched");
        report
    }

    /// Builds the new site; panics with every diagnostic on failure.
    fn build(&self) -> BuildReport {
        blogsmith::build(&BuildOptions::new(self.new_site()))
            .unwrap_or_else(|f| panic!("build failed:\n{}", lines(&f.diagnostics)))
    }

    fn config(&self) -> String {
        self.read_new("blogsmith.yaml")
    }

    fn read_new(&self, path: &str) -> String {
        let path = self.new_site().join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn has_output(&self, path: &str) -> bool {
        self.new_site().join("public").join(path).is_file()
    }

    fn output(&self, path: &str) -> String {
        self.read_new(&format!("public/{path}"))
    }
}

fn hexo_blog() -> Blog {
    let blog = Blog::new();
    blog.write(
        "_config.yml",
        "title: 注意力笔记\nsubtitle: 一步一个公式\nauthor: 小王\nlanguage: zh-CN\n\
         timezone: Asia/Shanghai\nurl: https://example.com\nroot: /\nper_page: 5\ntheme: next\n",
    )
    .write(
        "package.json",
        "{\"dependencies\": {\"hexo\": \"^7\", \"hexo-renderer-marked\": \"^6\"}}\n",
    )
    .write(
        "source/_posts/attention.md",
        "---\ntitle: 注意力机制\ndate: 2019-07-29 10:00:00\ncategories:\n- [机器学习, 深度学习]\n\
         tags: [Transformer]\n---\n缩放因子是 $\\sqrt{d_k}$，下标写作 $a\\_i$。\n\n![结构](structure.png)\n",
    )
    .write("source/_posts/attention/structure.png", "png bytes")
    .write(
        "source/_posts/adam.md",
        "---\ntitle: Adam 优化器\ndate: 2020-03-01 09:00:00\ncategories: 优化\n---\n一阶矩与二阶矩。\n",
    )
    .write(
        "source/_drafts/wip.md",
        "---\ntitle: 草稿\n---\n未完成。\n",
    )
    .write(
        "source/about/index.md",
        "---\ntitle: 关于\ndate: 2019-01-01 00:00:00\n---\n关于我。\n",
    )
    .write("source/images/logo.png", "logo bytes")
    .write("source/_data/menu.yml", "home: /\n")
    .write("node_modules/hexo/index.js", "module.exports = 1;\n")
    .write("public/index.html", "<p>old output</p>\n");
    blog
}

#[test]
fn a_hexo_blog_is_imported_and_keeps_its_addresses() {
    let blog = hexo_blog();
    let report = blog.import(Generator::Hexo);
    let config = blog.config();
    for line in [
        "title: \"注意力笔记\"",
        "subtitle: \"一步一个公式\"",
        "author: \"小王\"",
        "base_url: \"https://example.com/\"",
        "paginate: 5",
        "permalink: \":year/:month/:day/:title/\"",
        "math:\n  # 1 post(s) write",
        "  markdown_escapes: true",
    ] {
        assert!(config.contains(line), "{line} in\n{config}");
    }
    assert!(config.starts_with("# blogsmith configuration, imported from Hexo ("));
    let said = report.not_mapped.join("\n");
    assert!(
        said.contains("theme `next`") && said.contains("source/_data"),
        "{said}"
    );
    let notes = report.notes.join("\n");
    assert!(notes.contains("hexo-renderer-marked"), "{notes}");
    assert_eq!((report.articles, report.drafts, report.pages), (2, 1, 1));
    assert!(!blog.new_site().join("node_modules").exists());
    assert!(
        !blog.new_site().join("static/index.html").exists(),
        "old output left out"
    );
    let built = blog.build();
    assert_eq!(built.articles, 3, "two posts and the about page");
    let page = blog.output("2019/07/29/attention/index.html");
    assert!(page.contains("class=\"katex\""), "formulas typeset");
    assert!(
        blog.has_output("2019/07/29/attention/structure.png"),
        "the asset folder"
    );
    assert!(blog.has_output("2020/03/01/adam/index.html"));
    assert!(blog.output("about/index.html").contains("关于我"));
    assert!(blog.has_output("images/logo.png"));
    assert!(blog.has_output("categories/机器学习/深度学习/index.html"));
}

fn jekyll_blog() -> Blog {
    let blog = Blog::new();
    blog.write(
        "_config.yml",
        "title: 学习笔记\ntagline: 机器学习\nauthor:\n  name: 小李\nlang: zh-CN\n\
         url: https://example.com\nbaseurl: \"\"\npaginate: 4\npermalink: /:year/:month/:day/:title/\n\
         exclude: [README.md, scripts/]\n",
    )
    .write("Gemfile", "source \"https://rubygems.org\"\n")
    .write(
        "_posts/2019-07-29-attention.md",
        "---\nlayout: post\ntitle: 注意力机制\ncategories: [机器学习, 深度学习]\n---\n\
         缩放因子是 $$\\sqrt{d_k}$$，见下图。\n\n![结构](/assets/img/structure.png)\n",
    )
    .write(
        "_posts/2020-03-01-adam.md",
        "---\nlayout: post\ntitle: Adam\ndate: 2020-03-01 09:00:00 +0800\n---\nAdam 优化器。\n",
    )
    .write("_drafts/wip.md", "---\ntitle: 草稿\n---\n未完成。\n")
    .write("assets/img/structure.png", "png bytes")
    .write("images/logo.png", "logo bytes")
    .write("about.md", "---\nlayout: page\ntitle: 关于\ndate: 2019-01-01\n---\n关于我。\n")
    .write("index.md", "---\nlayout: home\n---\n")
    .write("notes.md", "没有前言的笔记。\n")
    .write("feed.xml", "---\nlayout: null\n---\n<feed></feed>\n")
    .write("_layouts/post.html", "<html>{{ content }}</html>\n")
    .write("README.md", "# 说明\n")
    .write("scripts/deploy.sh", "echo\n")
    .write("_site/index.html", "old output\n");
    blog
}

#[test]
fn a_jekyll_blog_is_imported_and_keeps_its_addresses() {
    let blog = jekyll_blog();
    let report = blog.import(Generator::Jekyll);
    let config = blog.config();
    for line in [
        "title: \"学习笔记\"",
        "subtitle: \"机器学习\"",
        "author: \"小李\"",
        "language: \"zh-CN\"",
        "base_url: \"https://example.com/\"",
        "paginate: 4",
        "permalink: \"/:year/:month/:day/:title/\"",
    ] {
        assert!(config.contains(line), "{line} in\n{config}");
    }
    let said = report.not_mapped.join("\n");
    for part in ["index.md", "notes.md", "feed.xml", "_layouts/"] {
        assert!(said.contains(part), "{part}: {said}");
    }
    assert!(
        report.notes.iter().any(|n| n.contains("$$…$$")),
        "{:?}",
        report.notes
    );
    for gone in [
        "static/Gemfile",
        "static/README.md",
        "static/scripts/deploy.sh",
        "static/feed.xml",
        "content/index.md",
    ] {
        assert!(!blog.new_site().join(gone).exists(), "{gone}");
    }
    assert_eq!((report.articles, report.drafts, report.pages), (2, 1, 1));
    blog.build();
    assert!(
        blog.output("2019/07/29/attention/index.html")
            .contains("class=\"katex\"")
    );
    assert!(blog.has_output("2020/03/01/adam/index.html"));
    assert!(blog.has_output("assets/img/structure.png"));
    assert!(blog.has_output("images/logo.png"));
    assert!(
        blog.output("about/index.html").contains("关于我"),
        "`/about/`, as the pattern ends in /"
    );
    assert!(blog.has_output("categories/深度学习/index.html"));
}

fn hugo_blog() -> Blog {
    let blog = Blog::new();
    blog.write(
        "hugo.toml",
        "baseURL = \"https://example.org/\"\ntitle = \"模型笔记\"\nlanguageCode = \"zh-CN\"\n\
         theme = \"PaperMod\"\n[pagination]\npagerSize = 6\n[permalinks]\nposts = \"/:year/:month/:day/:slug/\"\n\
         [params]\nsubtitle = \"从公式到代码\"\nauthor = \"小张\"\n",
    )
    .write(
        "content/posts/attention/index.md",
        "+++\ntitle = \"注意力机制\"\ndate = 2019-07-29T10:00:00+08:00\ncategories = [\"机器学习/深度学习\"]\n+++\n\
         缩放因子是 $\\sqrt{d_k}$。\n\n![结构](structure.png)\n",
    )
    .write("content/posts/attention/structure.png", "png bytes")
    .write(
        "content/posts/adam.md",
        "---\ntitle: Adam\ndate: 2020-03-01T09:00:00+08:00\n---\nAdam 优化器，步长 `$\\alpha$`（blogdown 的写法）。\n",
    )
    .write("content/posts/_index.md", "---\ntitle: 文章\n---\n")
    .write("content/_index.md", "# 首页\n")
    .write(
        "content/about.md",
        "+++\ntitle = \"关于\"\ndate = 2019-01-01\n+++\n关于我。\n",
    )
    .write("content/notes/first.md", "# 随记\n\n没有前言。\n")
    .write("static/images/logo.png", "logo bytes")
    .write("layouts/_default/single.html", "{{ .Content }}\n")
    .write("resources/_gen/x.css", "css\n");
    blog
}

#[test]
fn a_hugo_site_is_imported_and_keeps_its_addresses() {
    let blog = hugo_blog();
    let report = blog.import(Generator::Hugo);
    let config = blog.config();
    for line in [
        "title: \"模型笔记\"",
        "subtitle: \"从公式到代码\"",
        "author: \"小张\"",
        "base_url: \"https://example.org/\"",
        "paginate: 6",
        "permalink: \"/:year/:month/:day/:slug/\"",
    ] {
        assert!(config.contains(line), "{line} in\n{config}");
    }
    let said = report.not_mapped.join("\n");
    for part in ["2 _index.md", "layouts/", "theme `PaperMod`"] {
        assert!(said.contains(part), "{part}: {said}");
    }
    assert_eq!(report.pages, 2, "about and notes/first");
    assert!(
        blog.read_new("content/about.md")
            .starts_with("+++\nurl = \"/about/\"\n")
    );
    assert!(
        blog.read_new("content/notes/first.md")
            .starts_with("---\nurl: \"/notes/first/\"\n---\n# 随记")
    );
    assert!(!blog.new_site().join("resources").exists());
    blog.build();
    assert!(
        blog.output("2019/07/29/attention/index.html")
            .contains("class=\"katex\"")
    );
    assert!(
        blog.has_output("2019/07/29/attention/structure.png"),
        "the bundle's image"
    );
    assert!(
        config.contains("math:\n  # A blogdown site") && config.contains("  code_spans: true"),
        "{config}"
    );
    let adam = blog.output("2020/03/01/adam/index.html");
    assert!(
        adam.contains("class=\"katex\"") && !adam.contains("<code>$"),
        "{adam}"
    );
    assert!(blog.output("about/index.html").contains("关于我"));
    assert!(blog.output("notes/first/index.html").contains("没有前言"));
    assert!(blog.has_output("images/logo.png"));
}

#[test]
fn a_folder_that_is_not_that_kind_of_blog_is_refused() {
    let blog = hugo_blog();
    let error = import(Generator::Hexo, &blog.old(), &blog.new_site()).expect_err("not Hexo");
    assert!(matches!(error, ImportError::NotABlog { .. }), "{error}");
    assert!(
        error.to_string().contains("does not look like a Hexo blog"),
        "{error}"
    );
    assert!(error.hint().is_some_and(|h| h.contains("source/")));
    assert!(!blog.new_site().exists(), "nothing written");
    let error = import(
        Generator::Jekyll,
        &blog.dir.path().join("missing"),
        &blog.new_site(),
    )
    .expect_err("no folder");
    assert!(matches!(error, ImportError::NoSource { .. }), "{error}");
}

#[test]
fn the_new_site_goes_into_a_new_or_empty_folder_outside_the_blog() {
    let blog = hexo_blog();
    blog.write("../new/notes.txt", "mine\n");
    let error = import(Generator::Hexo, &blog.old(), &blog.new_site()).expect_err("not empty");
    assert!(
        matches!(error, ImportError::DestinationNotEmpty { .. }),
        "{error}"
    );
    assert_eq!(tree(&blog.new_site()).len(), 1, "left as it was");
    let inside = blog.old().join("converted");
    let error = import(Generator::Hexo, &blog.old(), &inside).expect_err("inside");
    assert!(
        matches!(error, ImportError::DestinationInsideSource { .. }),
        "{error}"
    );
    assert!(!inside.exists());
    // An empty folder is fine, and no staging folder is left beside it.
    let empty = blog.dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    import(Generator::Hexo, &blog.old(), &empty).expect("into an empty folder");
    assert!(empty.join("blogsmith.yaml").is_file());
    let names: Vec<String> = std::fs::read_dir(blog.dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("importing")), "{names:?}");
}

#[test]
fn the_command_prints_what_was_mapped_and_fails_with_a_hint() {
    let blog = hexo_blog();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_blogsmith"))
            .args(args)
            .current_dir(blog.dir.path())
            .env_remove("CLICOLOR_FORCE")
            .output()
            .expect("runs")
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    // DIR left out: `<name of PATH>-blogsmith` in the current folder.
    let done = run(&["import", "hexo", "old"]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    let stdout = text(&done.stdout);
    assert!(
        stdout.starts_with("imported Hexo blog old → old-blogsmith\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  mapped  title: \"注意力笔记\"  (from _config.yml: title)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  not mapped  _config.yml: theme `next`"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("next: cd old-blogsmith && blogsmith build\n"),
        "{stdout}"
    );
    assert!(Path::new(&blog.dir.path().join("old-blogsmith/blogsmith.yaml")).is_file());
    let failed = run(&["import", "hugo", "old", "other"]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = text(&failed.stderr);
    assert!(
        stderr.starts_with("error: old does not look like a Hugo blog")
            && stderr.contains("(hint: "),
        "{stderr}"
    );
    assert!(!blog.dir.path().join("other").exists());
}
