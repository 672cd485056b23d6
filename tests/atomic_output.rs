//! A build killed with SIGKILL at any moment leaves the previous output whole:
//! after every kill, `public/` is exactly the old site or exactly the new one.

mod common;

use std::process::{Command, Stdio};
use std::time::Instant;

use common::{Fixture, tree};

fn write_version(site: &Fixture, version: usize) {
    for i in 0..100 {
        site.article(
            &format!("a{i:03}.md"),
            &format!(
                "title: 第{version}版第{i}篇\ndate: 2026-01-01 {:02}:{:02}\ntags: [t{}]",
                i / 60,
                i % 60,
                i % 7
            ),
            &format!(
                "版本{version}。公式$x_{{{i}}}^{{{version}}}$。\n\n```python\nprint({i})\n```\n"
            ),
        );
    }
}

fn build(site: &Fixture) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_blogsmith"))
        .arg("build")
        .current_dir(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("blogsmith starts")
}

#[test]
fn killed_builds_never_leave_a_half_written_site() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    write_version(&site, 0);
    let started = Instant::now();
    assert!(build(&site).wait().expect("waits").success());
    let full_build = started.elapsed();
    let mut old = tree(&site.public());
    assert!(old.len() > 100);

    // A fixed sequence of kill moments spread over the whole build, from
    // "just started" to "about to swap", so every phase gets hit.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut kills_before_swap = 0;
    for version in 1..=8 {
        write_version(&site, version);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = (seed >> 33) as f64 / (1u64 << 31) as f64;
        let mut child = build(&site);
        std::thread::sleep(full_build.mul_f64(fraction * 1.1));
        let _ = child.kill();
        let _ = child.wait();
        let after_kill = tree(&site.public());
        assert!(
            build(&site).wait().expect("waits").success(),
            "the next build still works"
        );
        let new = tree(&site.public());
        assert!(
            after_kill == old || after_kill == new,
            "version {version}: a half-written site after a kill at {fraction:.2} of a build"
        );
        kills_before_swap += usize::from(after_kill == old);
        old = new;
    }
    assert!(
        kills_before_swap > 0,
        "at least one kill landed before the swap"
    );
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .expect("readable")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("blogsmith-tmp"))
        // The previous output, kept to be the next build's spare, and its lock.
        .filter(|n| !n.ends_with("-spare") && !n.ends_with("-lock"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders of killed builds are cleaned up: {leftovers:?}"
    );

    // Builds killed while updating the spare never leak into later outputs:
    // the last output is exactly what a build from scratch writes.
    let fresh = site.root().join("fresh");
    let status = Command::new(env!("CARGO_BIN_EXE_blogsmith"))
        .args(["build", "--no-cache", "--output"])
        .arg(&fresh)
        .current_dir(site.root())
        .stdout(Stdio::null())
        .status()
        .expect("blogsmith runs");
    assert!(status.success());
    assert_eq!(tree(&site.public()), tree(&fresh));
}
