//! Embeds the default theme (`templates/` and `static/`) into the binary, so a
//! new site builds without any theme files of its own, and derives the cache
//! version: a hash of every source that can change what a build writes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let mut code = String::new();
    for (name, dir) in [("TEMPLATES", "templates"), ("STATIC", "static")] {
        println!("cargo:rerun-if-changed={dir}");
        let mut files = Vec::new();
        collect(&root.join(dir), &mut files);
        files.sort();
        writeln!(
            code,
            "/// Files of the embedded theme's `{dir}/`: (path, contents)."
        )
        .unwrap();
        writeln!(code, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
        for file in files {
            let relative = file
                .strip_prefix(root.join(dir))
                .expect("collected under dir");
            let key = relative.to_string_lossy().replace('\\', "/");
            writeln!(
                code,
                "    ({key:?}, include_bytes!({:?})),",
                file.display().to_string()
            )
            .unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("theme.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
    println!(
        "cargo:rustc-env=BLOGSMITH_CACHE_VERSION={}",
        cache_version(&root)
    );
}

/// What a build's output depends on besides its inputs: the code (`src/`, the
/// vendored crates), the embedded theme, the locked dependency versions and
/// the compiler (whose `Hash` implementations feed some persisted hashes).
/// Persisted caches and manifests carry this version, so no change to any of
/// them can ever serve stale output; nobody has to remember to bump a string.
/// FNV-1a over each file's path and bytes, in path order: this script cannot
/// use the crate's dependencies, and the version only needs to differ when
/// a byte does.
fn cache_version(root: &Path) -> String {
    let mut files = Vec::new();
    for dir in ["src", "templates", "static", "vendor"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(&root.join(dir), &mut files);
    }
    for file in ["Cargo.lock", "Cargo.toml", "build.rs"] {
        println!("cargo:rerun-if-changed={file}");
        files.push(root.join(file));
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so that moving bytes from one part to the next changes the hash.
        hash = (hash ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    };
    for file in &files {
        let relative = file.strip_prefix(root).unwrap_or(file);
        feed(relative.to_string_lossy().replace('\\', "/").as_bytes());
        feed(&std::fs::read(file).unwrap_or_default());
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let compiler = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .map(|out| out.stdout)
        .unwrap_or_default();
    feed(&compiler);
    format!(
        "{}-{hash:016x}",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    )
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
