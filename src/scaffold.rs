//! `blogsmith init` and `blogsmith new`: starting a site and an article.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config};
use crate::content::CONTENT_DIR;
use crate::util::url::slugify;

/// Why a scaffold could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The file exists; we never overwrite an author's work.
    #[error("{0} already exists; nothing was overwritten")]
    Exists(PathBuf),
    /// The title has nothing to make a file name from.
    #[error("the title `{0}` has no letters or digits to name the file after")]
    EmptySlug(String),
    /// The configuration is broken.
    #[error("{0}")]
    Config(crate::diagnostic::Diagnostic),
    /// A write failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

const INIT_CONFIG: &str = r#"# blogsmith configuration: every key is optional.
title: "我的学习笔记"
subtitle: "机器学习，一步一个公式"
description: "机器学习与深度学习的学习笔记"
base_url: "https://example.com/"   # where you publish: feeds and the sitemap need it
language: zh-CN
timezone: Asia/Shanghai
author: ""
paginate: 10
summary_length: 350
math:
  macros:
    "\\R": "\\mathbb{R}"
"#;

const INIT_ARTICLE: &str = r#"---
title: "你好，blogsmith"
date: {date}
tags: [入门, 示例]
categories: 笔记
---

这是第一篇文章。行内公式写在美元符号之间，比如$E = mc^2$，中文和公式之间不必加空格。

<!-- more -->

## 公式

独立公式用两个美元符号：

$$
\mathcal{L}(\theta) = -\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(y_i \mid x_i), \quad \theta \in \R^d
$$

## 代码

```python
import numpy as np

def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
```

运行 `blogsmith build`，网站就在 `public/` 里。
"#;

/// What a new site keeps out of git: the output, the folder the previous
/// output is kept in between builds, and the render cache.
const INIT_GITIGNORE: &str = "/public/\n/.public.blogsmith-tmp-*\n/.blogsmith-cache/\n";

/// The CI services `init` writes a build-and-publish workflow for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    /// GitHub Actions and GitHub Pages: `.github/workflows/blogsmith.yml`.
    Github,
    /// GitLab CI and GitLab Pages: `.gitlab-ci.yml`.
    Gitlab,
}

impl Ci {
    /// Where the workflow goes, relative to the site folder.
    pub fn workflow_path(self) -> &'static str {
        match self {
            Self::Github => ".github/workflows/blogsmith.yml",
            Self::Gitlab => ".gitlab-ci.yml",
        }
    }

    /// The workflow's text, for this version of blogsmith.
    pub fn workflow(self) -> String {
        let template = match self {
            Self::Github => include_str!("scaffold/github-pages.yml"),
            Self::Gitlab => include_str!("scaffold/gitlab-pages.yml"),
        };
        template
            .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
            .replace("@REPOSITORY@", env!("CARGO_PKG_REPOSITORY"))
    }
}

/// Creates a new site in `dir`: a configuration, one example article, the
/// workflow for `ci` if any and, unless there is one, a `.gitignore` for what
/// builds write. Nothing is written if any of the first three exists.
pub fn init(dir: &Path, ci: Option<Ci>) -> Result<Vec<PathBuf>, ScaffoldError> {
    let config = dir.join(CONFIG_FILE);
    let article = dir.join(CONTENT_DIR).join("hello-blogsmith.md");
    let workflow = ci.map(|ci| (dir.join(ci.workflow_path()), ci.workflow()));
    for path in [&config, &article]
        .into_iter()
        .chain(workflow.as_ref().map(|(path, _)| path))
    {
        if path.exists() {
            return Err(ScaffoldError::Exists(path.clone()));
        }
    }
    // The example config says Asia/Shanghai, so the date is written in that zone.
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let date = jiff::Timestamp::now()
        .to_zoned(zone)
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    write_new(&config, INIT_CONFIG)?;
    write_new(&article, &INIT_ARTICLE.replace("{date}", &date))?;
    let mut created = vec![config, article];
    if let Some((path, text)) = workflow {
        write_new(&path, &text)?;
        created.push(path);
    }
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        write_new(&gitignore, INIT_GITIGNORE)?;
        created.push(gitignore);
    }
    Ok(created)
}

/// Creates `content/<slug>.md` for an article titled `title`, dated now.
pub fn new_article(root: &Path, title: &str) -> Result<PathBuf, ScaffoldError> {
    let config = Config::load(root).map_err(ScaffoldError::Config)?;
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptySlug(title.to_string()));
    }
    let path = root.join(CONTENT_DIR).join(format!("{slug}.md"));
    if path.exists() {
        return Err(ScaffoldError::Exists(path));
    }
    let now = jiff::Timestamp::now().to_zoned(config.time_zone());
    let text = format!(
        "---\ntitle: {}\ndate: {}\ntags: []\ncategories: []\n---\n\n",
        yaml_string(title),
        now.strftime("%Y-%m-%d %H:%M")
    );
    write_new(&path, &text)?;
    Ok(path)
}

/// A double-quoted YAML string, safe whatever the title contains.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    let io = |source| ScaffoldError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_article_uses_a_chinese_slug_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = new_article(dir.path(), "注意力: 机制").unwrap();
        assert_eq!(path, dir.path().join("content/注意力-机制.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("---\ntitle: \"注意力: 机制\"\ndate: "),
            "{text}"
        );
        assert!(matches!(
            new_article(dir.path(), "注意力: 机制"),
            Err(ScaffoldError::Exists(_))
        ));
        assert!(matches!(
            new_article(dir.path(), "!!!"),
            Err(ScaffoldError::EmptySlug(_))
        ));
    }

    #[test]
    fn init_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            init(dir.path(), None).unwrap().len(),
            3,
            "config, article, .gitignore"
        );
        assert!(matches!(
            init(dir.path(), None),
            Err(ScaffoldError::Exists(_))
        ));
        // A .gitignore of the author's own is kept as it is.
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join(".gitignore"), "mine\n").unwrap();
        assert_eq!(init(other.path(), None).unwrap().len(), 2);
        assert_eq!(
            std::fs::read_to_string(other.path().join(".gitignore")).unwrap(),
            "mine\n"
        );
    }

    #[test]
    fn init_never_overwrites_a_workflow_and_writes_nothing_then() {
        let dir = tempfile::tempdir().unwrap();
        let workflow = dir.path().join(".gitlab-ci.yml");
        std::fs::write(&workflow, "mine\n").unwrap();
        assert!(matches!(
            init(dir.path(), Some(Ci::Gitlab)),
            Err(ScaffoldError::Exists(path)) if path == workflow
        ));
        assert!(!dir.path().join(CONFIG_FILE).exists());
        assert_eq!(std::fs::read_to_string(&workflow).unwrap(), "mine\n");
    }

    #[test]
    fn workflows_name_this_version_and_leave_no_placeholder() {
        for ci in [Ci::Github, Ci::Gitlab] {
            let text = ci.workflow();
            assert!(
                text.contains(&format!(
                    "BLOGSMITH_VERSION: \"{}\"",
                    env!("CARGO_PKG_VERSION")
                )),
                "{text}"
            );
            assert!(
                !text.contains("@VERSION@") && !text.contains("@REPOSITORY@"),
                "{text}"
            );
            assert!(text.contains(&format!(
                "{}/releases/download/v",
                env!("CARGO_PKG_REPOSITORY")
            )));
        }
    }
}
