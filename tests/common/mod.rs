//! A fixture site in a temporary folder, built with the library.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use blogsmith::{BuildFailure, BuildOptions, BuildReport};

/// A site under construction in a temporary folder.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// An empty site.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The output folder.
    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes a file (relative to the root), creating folders.
    pub fn write(&self, path: &str, text: &str) -> &Self {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// Writes `content/<name>` as an article with the given front matter lines and body.
    pub fn article(&self, name: &str, front_matter: &str, body: &str) -> &Self {
        self.write(
            &format!("content/{name}"),
            &format!("---\n{front_matter}\n---\n{body}"),
        )
    }

    /// Builds with default options.
    pub fn build(&self) -> Result<BuildReport, BuildFailure> {
        blogsmith::build(&self.options())
    }

    /// The default build options for this site.
    pub fn options(&self) -> BuildOptions {
        BuildOptions::new(self.root())
    }

    /// Builds and panics with every diagnostic if the build fails.
    pub fn build_ok(&self) -> BuildReport {
        match self.build() {
            Ok(report) => report,
            Err(failure) => panic!("build failed:\n{}", lines(&failure.diagnostics)),
        }
    }

    /// A file of the output, as text.
    pub fn read(&self, path: &str) -> String {
        let path = self.public().join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Whether the output has this file.
    pub fn has(&self, path: &str) -> bool {
        self.public().join(path).is_file()
    }

    /// Every output file (relative path → bytes).
    pub fn output_tree(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.public())
    }
}

/// Every file under `dir` (relative path → bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .into_owned();
            (relative, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Diagnostics one per line, for assertion messages.
pub fn lines(diagnostics: &[blogsmith::diagnostic::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of an HTML fragment: tags removed, whitespace collapsed.
pub fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of `html` from the first `start` to the following `end` (inclusive).
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)?;
    let to = html[from..].find(end)? + from + end.len();
    Some(&html[from..to])
}
