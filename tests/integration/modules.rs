//! Values that cross modules, through real commits: both directions block (a changed sink using
//! an unchanged imported constant, and a changed constant whose value reaches an unchanged sink
//! in another module), the module is read from the index (never the worktree), and a second
//! sink of an old value blocks too.

use std::path::{Path, PathBuf};

use crate::support::{Run, Sandbox, write};

const SETTINGS: &str = "HOST = '0.0.0.0'\nPORT = 8000\n";
const SAFE_SETTINGS: &str = "HOST = '127.0.0.1'\nPORT = 8000\n";
const APP: &str = "from flask import Flask\n\nfrom myapp.settings import HOST, PORT\n\napp = Flask(__name__)\n\n\ndef main():\n    app.run(host=HOST, port=PORT)\n";

fn hooked_repo(sb: &Sandbox) -> PathBuf {
    let repo = sb.repo("work");
    write(&repo.join("README"), "hello\n");
    sb.git(&repo, &["add", "README"]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    let run = sb.install_sh(&repo, &[]);
    assert_eq!(run.code, 0, "install.sh failed: {}", run.all());
    repo
}

fn commit_unchecked(sb: &Sandbox, repo: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        write(&repo.join(path), content);
        sb.git(repo, &["add", "--", path]);
    }
    sb.git(repo, &["commit", "-q", "--no-verify", "-m", "history"]);
}

fn stage(sb: &Sandbox, repo: &Path, path: &str, content: &str) {
    write(&repo.join(path), content);
    sb.git(repo, &["add", "--", path]);
}

fn blocked(run: &Run) -> bool {
    run.code == 1 && run.stderr.contains("commit blocked")
}

#[test]
fn a_new_sink_using_an_unchanged_imported_constant_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("myapp/__init__.py", ""), ("myapp/settings.py", SETTINGS)]);
    stage(&sb, &repo, "myapp/app.py", APP);
    let run = sb.git_commit(&repo, &["-m", "app"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("myapp/settings.py:1:"), "the finding is at the literal: {}", run.stderr);
    assert!(run.stderr.contains("myapp/app.py:9"), "the sink in the changed file is named: {}", run.stderr);
}

#[test]
fn a_changed_constant_reaching_an_unchanged_sink_elsewhere_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let files = [("myapp/__init__.py", ""), ("myapp/settings.py", SAFE_SETTINGS), ("myapp/app.py", APP)];
    commit_unchecked(&sb, &repo, &files);
    stage(&sb, &repo, "myapp/settings.py", SETTINGS);
    let run = sb.git_commit(&repo, &["-m", "listen everywhere"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("myapp/settings.py:1:8"), "{}", run.stderr);
    assert!(run.stderr.contains("myapp/app.py:9"), "{}", run.stderr);
    // An unrelated change to the same module does not block on the old value.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let files = [("myapp/__init__.py", ""), ("myapp/settings.py", SETTINGS), ("myapp/app.py", APP)];
    commit_unchecked(&sb, &repo, &files);
    stage(&sb, &repo, "myapp/settings.py", "HOST = '0.0.0.0'\nPORT = 9000\n");
    let run = sb.git_commit(&repo, &["-m", "another port"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_literal_passed_to_an_unchanged_helper_in_another_module_blocks_and_a_changed_helper_too() {
    let helper =
        "import socket\n\n\ndef serve(host, port):\n    s = socket.socket()\n    s.bind((host, port))\n    return s\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("net.py", helper)]);
    stage(&sb, &repo, "main.py", "from net import serve\n\nserve('0.0.0.0', 8080)\n");
    let run = sb.git_commit(&repo, &["-m", "main"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("main.py:3:7"), "{}", run.stderr);
    // The other direction: the caller is old, the helper's bind is what the commit adds.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let old_helper = "def serve(host, port):\n    return (host, port)\n";
    commit_unchecked(
        &sb,
        &repo,
        &[("net.py", old_helper), ("main.py", "from net import serve\n\nserve('0.0.0.0', 8080)\n")],
    );
    stage(&sb, &repo, "net.py", helper);
    let run = sb.git_commit(&repo, &["-m", "really listen"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("main.py:3:7"), "{}", run.stderr);
}

#[test]
fn imported_modules_are_read_from_the_index_not_the_worktree() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("myapp/__init__.py", ""), ("myapp/settings.py", SETTINGS)]);
    // The worktree says loopback, the index (what the commit records) still says all interfaces.
    write(&repo.join("myapp/settings.py"), SAFE_SETTINGS);
    stage(&sb, &repo, "myapp/app.py", APP);
    let run = sb.git_commit(&repo, &["-m", "app"]);
    assert!(blocked(&run), "{}", run.all());
    // And the other way round: a safe index with a dangerous worktree passes.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("myapp/__init__.py", ""), ("myapp/settings.py", SAFE_SETTINGS)]);
    write(&repo.join("myapp/settings.py"), SETTINGS);
    stage(&sb, &repo, "myapp/app.py", APP);
    let run = sb.git_commit(&repo, &["-m", "app"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_second_sink_of_an_old_value_blocks() {
    let first = "import socket\nHOST = '0.0.0.0'\na = socket.socket()\na.bind((HOST, 1))\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("srv.py", first)]);
    stage(&sb, &repo, "srv.py", &format!("{first}b = socket.socket()\nb.bind((HOST, 2))\n"));
    let run = sb.git_commit(&repo, &["-m", "second listener"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("srv.py:2:8"), "{}", run.stderr);
    assert!(run.stderr.contains("on line 6"), "the new sink is named: {}", run.stderr);
}

#[test]
fn check_follows_imports_within_the_given_tree_and_reports_every_sink() {
    let sb = Sandbox::new();
    let dir = sb.path().join("proj");
    write(&dir.join("myapp/__init__.py"), "");
    write(&dir.join("myapp/settings.py"), SETTINGS);
    write(&dir.join("myapp/app.py"), APP);
    write(&dir.join("myapp/worker.py"), "import socket\nfrom .settings import HOST\nsocket.create_server((HOST, 9))\n");
    let run = sb.bindguard(&dir, &["check", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "one literal, one finding: {}", run.stdout);
    assert_eq!(findings[0]["path"], "myapp/settings.py");
    let sinks: Vec<&str> =
        findings[0]["sinks"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(sinks, vec!["myapp/app.py", "myapp/worker.py"], "{}", run.stdout);
    // Checking only the app follows the import into its package, but not outside the tree.
    let run = sb.bindguard(&dir, &["check", "--format", "json", "myapp/app.py"]);
    assert_eq!(run.code, 1, "{}", run.all());
    write(&sb.path().join("outside/config.py"), "HOST = '0.0.0.0'\n");
    write(
        &sb.path().join("outside/proj2/run.py"),
        "from flask import Flask\nfrom config import HOST\nFlask(__name__).run(host=HOST)\n",
    );
    let run = sb.bindguard(&sb.path().join("outside/proj2"), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 0, "modules outside the given tree are not read: {}", run.all());
}

/// An entry point on a receiver nobody can resolve (`app.run`), fed by another module: the file
/// with the call spells no address itself.
const RUNNER: &str = "def main(app, host):\n    app.run(host=host)\n";
const CALLER: &str = "import runner\n\nrunner.main(object(), '0.0.0.0')\n";
const ENTRY_WITH_CONSTANT: &str = "from settings import HOST\n\n\ndef main(app):\n    app.run(host=HOST)\n";

#[test]
fn check_follows_addresses_of_other_modules_into_entry_points_of_unknown_receivers() {
    let sb = Sandbox::new();
    let dir = sb.path().join("proj");
    write(&dir.join("runner.py"), RUNNER);
    write(&dir.join("caller.py"), CALLER);
    write(&dir.join("settings.py"), "HOST = '0.0.0.0'\n");
    write(&dir.join("main.py"), ENTRY_WITH_CONSTANT);
    let run = sb.bindguard(&dir, &["check", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut places: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!("{}:{} via {}", f["path"].as_str().unwrap(), f["line"], f["sinks"][0]["path"].as_str().unwrap())
        })
        .collect();
    places.sort();
    assert_eq!(places, ["caller.py:3 via runner.py", "settings.py:1 via main.py"], "{}", run.stdout);
    // Each file alone still follows its imports.
    let run = sb.bindguard(&dir, &["check", "main.py"]);
    assert_eq!(run.code, 1, "{}", run.all());
    // A module that spells no address leaves the entry point clean.
    write(&dir.join("settings.py"), "HOST = '127.0.0.1'\n");
    let run = sb.bindguard(&dir, &["check", "main.py"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_commit_of_an_entry_point_fed_by_an_unchanged_module_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("runner.py", "def main(app, host):\n    return app\n"), ("caller.py", CALLER)]);
    stage(&sb, &repo, "runner.py", RUNNER);
    let run = sb.git_commit(&repo, &["-m", "run"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("caller.py:3:"), "the finding is at the literal: {}", run.stderr);
}

// ---- Pushes: the modules come from the pushed commit's tree ----

/// A server with the pre-receive hook, and a clone whose history predates the hook's checks.
fn server_with_history(sb: &Sandbox, files: &[(&str, &str)]) -> (PathBuf, PathBuf) {
    let server = sb.path().join("server.git");
    sb.git(sb.path(), &["init", "-q", "--bare", "server.git"]);
    let work = sb.clone_repo(&server, "work");
    sb.commit_files(&work, files, "history");
    let run = sb.push(&work, &["-q", "origin", "HEAD:main"]);
    assert_eq!(run.code, 0, "{}", run.all());
    sb.install_hooks(&server, &["--server"]);
    (server, work)
}

fn rejected(run: &Run) -> bool {
    run.code != 0 && run.stderr.contains("push rejected")
}

#[test]
fn a_push_of_a_sink_using_an_imported_constant_is_rejected() {
    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("myapp/__init__.py", ""), ("myapp/settings.py", SETTINGS)]);
    sb.commit_files(&work, &[("myapp/app.py", APP)], "app");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(run.stderr.contains("myapp/settings.py:1:"), "{}", run.stderr);
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

#[test]
fn a_push_changing_a_constant_that_an_unchanged_module_binds_with_is_rejected() {
    let sb = Sandbox::new();
    let files = [("myapp/__init__.py", ""), ("myapp/settings.py", SAFE_SETTINGS), ("myapp/app.py", APP)];
    let (_server, work) = server_with_history(&sb, &files);
    sb.commit_files(&work, &[("myapp/settings.py", SETTINGS)], "listen everywhere");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(run.stderr.contains("myapp/settings.py:1:8"), "{}", run.stderr);
    assert!(run.stderr.contains("myapp/app.py:9"), "{}", run.stderr);
}

#[test]
fn a_push_of_an_entry_point_fed_by_an_unchanged_module_is_rejected() {
    let sb = Sandbox::new();
    let (server, work) =
        server_with_history(&sb, &[("runner.py", "def main(app, host):\n    return app\n"), ("caller.py", CALLER)]);
    sb.commit_files(&work, &[("runner.py", RUNNER)], "run");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(run.stderr.contains("caller.py:3:"), "{}", run.stderr);
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

#[test]
fn a_pushed_module_is_read_from_its_own_commit() {
    // The constant is dangerous in the first pushed commit and safe in the second; the app is
    // added in the second. Only the second commit's tree counts for the app.
    let sb = Sandbox::new();
    let (_server, work) = server_with_history(&sb, &[("myapp/__init__.py", "")]);
    sb.commit_files(&work, &[("myapp/settings.py", SETTINGS)], "settings");
    sb.commit_files(&work, &[("myapp/settings.py", SAFE_SETTINGS), ("myapp/app.py", APP)], "app");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // The same app over the dangerous constant is rejected.
    sb.commit_files(&work, &[("myapp/settings.py", SETTINGS)], "back to every interface");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
}

// ---- A run script that hands a constant of one module to a helper of another ----

const NET: &str = "import socket\n\n\ndef open_port(host):\n    socket.socket().bind((host, 80))\n";
/// Spells no address and names no sink: only the project says it binds.
const RUN_SCRIPT: &str = "from config import HOST\nfrom net import open_port\n\nopen_port(HOST)\n";

#[test]
fn check_follows_a_constant_of_one_module_into_a_helper_of_another() {
    let sb = Sandbox::new();
    let dir = sb.path().join("proj");
    write(&dir.join("config.py"), "HOST = '0.0.0.0'\n");
    write(&dir.join("net.py"), NET);
    write(&dir.join("run.py"), RUN_SCRIPT);
    let run = sb.bindguard(&dir, &["check", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = &doc["findings"][0];
    assert_eq!((finding["path"].as_str(), finding["line"].as_u64()), (Some("config.py"), Some(1)), "{}", run.stdout);
    assert_eq!(finding["sinks"][0]["path"], "net.py", "{}", run.stdout);
    // Without a helper that binds, or without an address, nothing.
    write(&dir.join("config.py"), "HOST = '127.0.0.1'\n");
    let run = sb.bindguard(&dir, &["check", "."]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_commit_of_a_run_script_joining_two_unchanged_modules_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("config.py", "HOST = '0.0.0.0'\n"), ("net.py", NET)]);
    stage(&sb, &repo, "run.py", RUN_SCRIPT);
    let run = sb.git_commit(&repo, &["-m", "run script"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("config.py:1:"), "the finding is at the literal: {}", run.stderr);
    // An unrelated staged file that imports the same modules and calls nothing with them passes.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("config.py", "HOST = '0.0.0.0'\n"), ("net.py", NET)]);
    stage(&sb, &repo, "other.py", "from config import HOST\nfrom net import open_port\n\nprint(len('x'))\n");
    let run = sb.git_commit(&repo, &["-m", "other"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_push_of_a_run_script_joining_two_unchanged_modules_is_rejected() {
    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("config.py", "HOST = '0.0.0.0'\n"), ("net.py", NET)]);
    sb.commit_files(&work, &[("run.py", RUN_SCRIPT)], "run script");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(run.stderr.contains("config.py:1:"), "{}", run.stderr);
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

#[test]
fn a_push_redirecting_an_unchanged_bind_through_an_alias_is_rejected() {
    let config = "LOCAL = '127.0.0.1'\nANY = '0.0.0.0'\nHOST = LOCAL\n";
    let app = "from flask import Flask\nfrom config import HOST\napp = Flask(__name__)\napp.run(host=HOST)\n";
    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("config.py", config), ("app.py", app)]);
    sb.commit_files(&work, &[("config.py", &config.replace("HOST = LOCAL", "HOST = ANY"))], "redirect");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(run.stderr.contains("config.py:2:"), "{}", run.stderr);
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

// ---- Importers of importers, and import statements of every shape ----

/// A changed constant re-exported by its package, and a changed helper re-exported the same way,
/// reach unchanged binds in modules that import the package; so does one imported in brackets
/// over several lines.
#[test]
fn a_change_reaching_a_bind_through_a_re_export_or_a_bracketed_import_blocks() {
    let srv = "import socket\nfrom pkg import HOST\nsocket.create_server((HOST, 80))\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let files = [
        ("pkg/__init__.py", "from .settings import HOST\n"),
        ("pkg/settings.py", "HOST = '127.0.0.1'\n"),
        ("srv.py", srv),
    ];
    commit_unchecked(&sb, &repo, &files);
    stage(&sb, &repo, "pkg/settings.py", "HOST = '0.0.0.0'\n");
    let run = sb.git_commit(&repo, &["-m", "re-exported"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("pkg/settings.py:1:8"), "{}", run.stderr);

    let helper =
        |bind: &str| format!("import socket\n\n\ndef serve(host):\n    return socket.create_server(({bind}, 80))\n");
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let files = [
        ("pkg/__init__.py", "from .helpers import serve\n".to_owned()),
        ("pkg/helpers.py", helper("'127.0.0.1'")),
        ("main.py", "from pkg import serve\nserve('0.0.0.0')\n".to_owned()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    commit_unchecked(&sb, &repo, &files);
    stage(&sb, &repo, "pkg/helpers.py", &helper("host"));
    let run = sb.git_commit(&repo, &["-m", "serve anywhere"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("main.py:2:7"), "{}", run.stderr);

    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let srv = "import socket\nfrom pkg import (\n    config,\n)\nsocket.create_server((config.HOST, 80))\n";
    let files = [("pkg/__init__.py", ""), ("pkg/config.py", "HOST = '127.0.0.1'\n"), ("srv.py", srv)];
    commit_unchecked(&sb, &repo, &files);
    stage(&sb, &repo, "pkg/config.py", "HOST = '0.0.0.0'\n");
    let run = sb.git_commit(&repo, &["-m", "bracketed"]);
    assert!(blocked(&run), "{}", run.all());
}

/// The assignment between a bind and an address may sit in a third module: a settings module
/// that takes its value from a module of addresses, by assignment or by import.
#[test]
fn redirecting_a_bind_in_a_settings_module_between_two_others_blocks() {
    let addrs = "LOCAL = '127.0.0.1'\nANY = '0.0.0.0'\n";
    let srv = "import socket\nfrom config import HOST\nsocket.create_server((HOST, 80))\n";
    for (config, from, to) in [
        ("from addrs import ANY, LOCAL\nHOST = LOCAL\n", "HOST = LOCAL", "HOST = ANY"),
        ("from addrs import LOCAL as HOST\n", "LOCAL as HOST", "ANY as HOST"),
    ] {
        let sb = Sandbox::new();
        let repo = hooked_repo(&sb);
        commit_unchecked(&sb, &repo, &[("addrs.py", addrs), ("config.py", config), ("srv.py", srv)]);
        stage(&sb, &repo, "config.py", &config.replace(from, to));
        let run = sb.git_commit(&repo, &["-m", "redirect"]);
        assert!(blocked(&run), "{to}: {}", run.all());
        assert!(run.stderr.contains("addrs.py:2:7"), "{to}: {}", run.stderr);
    }
}

#[test]
fn a_literal_reached_from_files_of_several_batches_is_reported_once() {
    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("README", "hello\n")]);
    // More files than the analysis takes in one batch: the batches each reach the literal.
    let services: Vec<(String, String)> = (0..300)
        .map(|i| {
            let text =
                format!("import socket\nfrom settings import HOST\nsocket.create_server((HOST, {}))\n", 1000 + i);
            (format!("svc{i:03}.py"), text)
        })
        .collect();
    let mut files: Vec<(&str, &str)> = services.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    files.push(("settings.py", "HOST = ''\n"));
    sb.commit_files(&work, &files, "services");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert_eq!(run.stderr.matches("error[CSP-D404]").count(), 1, "one literal, one finding: {}", run.stderr);
    assert!(run.stderr.contains("settings.py:1:"), "{}", run.stderr);
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

#[test]
fn a_literal_in_a_file_with_syntax_errors_is_placed_in_its_text() {
    let sb = Sandbox::new();
    let dir = sb.path().join("proj");
    // The file is parsed (it binds, safely) and has no finding of its own; another file's
    // analysis reaches its literal.
    write(&dir.join("a.py"), "import socket\ndef f(:\n    pass\nHOST = ''\nsocket.socket().bind(('127.0.0.1', 0))\n");
    write(&dir.join("b.py"), "import socket\nfrom a import HOST\nsocket.socket().bind((HOST, 80))\n");
    let run = sb.bindguard(&dir, &["check", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!((findings[0]["path"].as_str(), findings[0]["line"].as_u64()), (Some("a.py"), Some(4)), "{}", run.stdout);
    assert_eq!(findings[0]["column"], 8, "{}", run.stdout);
    assert!(findings[0]["fix"]["diff"].as_str().is_some_and(|d| d.contains("+HOST = '127.0.0.1'")), "{}", run.stdout);
    assert_eq!(doc["summary"]["files_with_syntax_errors"], 1, "{}", run.stdout);
}

const SERVE_HELPER: &str = "import socket\n\ndef serve(host):\n    socket.socket().bind((host, 80))\n";

/// Writes `files` (names as bytes) into `work` and commits them, then commits one more file, so
/// that the push has a history as well as a final state.
fn commit_bytes_named(sb: &Sandbox, work: &Path, files: &[(&[u8], &str)]) {
    use std::os::unix::ffi::OsStrExt;
    for (name, text) in files {
        write(&work.join(std::ffi::OsStr::from_bytes(name)), text);
    }
    sb.git(work, &["add", "-A"]);
    sb.git(work, &["commit", "-qm", "files"]);
    sb.commit_files(work, &[("z.py", "y = 2\n")], "more");
}

#[test]
fn files_whose_names_differ_only_in_bytes_that_are_not_utf8_stay_apart() {
    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("README", "hello\n")]);
    // One file holds a literal that reaches a bind in the helper (and a syntax error); the
    // other, shown under the same lossy name, binds the same spelling with a marker.
    commit_bytes_named(
        &sb,
        &work,
        &[
            (b"helper.py", SERVE_HELPER),
            (b"a\xfe.py", "from helper import serve\nHOST = \"0.0.0.0\"\nserve(HOST)\nx = (\n"),
            (
                b"a\xff.py",
                "from helper import serve\nHOST = \"0.0.0.0\"  # ignore: CSP-D404\nimport socket\nsocket.socket().bind((HOST, 80))\n",
            ),
        ],
    );
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(run.stderr.contains(".py:2:8"), "the literal of the first file is told: {}", run.stderr);
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

#[test]
fn a_suppressed_sink_seen_by_the_history_does_not_hide_an_unsuppressed_one_of_the_final_state() {
    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("README", "hello\n")]);
    // The history analyses each commit's files alone and sees only the suppressed bind; the
    // final state follows the import into the helper, whose bind is not suppressed.
    let app = "import socket\nfrom helper import serve\nHOST = \"0.0.0.0\"\nsocket.socket().bind((HOST, 80))  # ignore: CSP-D404\nserve(HOST)\n";
    commit_bytes_named(&sb, &work, &[(b"helper.py", SERVE_HELPER), (b"app.py", app)]);
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(run.stderr.contains("app.py:3:"), "{}", run.stderr);
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

const SUPPRESSED_HERE: &str = "import socket\nHOST = '0.0.0.0'\nsocket.socket().bind((HOST, 80))  # ignore: CSP-D404\n";
const RUN_ELSEWHERE: &str = "from flask import Flask\nfrom a import HOST\napp = Flask(__name__)\napp.run(host=HOST)\n";

#[test]
fn a_literal_reached_from_two_files_is_headed_by_the_sink_that_blocks() {
    let sb = Sandbox::new();
    let dir = sb.path().join("proj");
    write(&dir.join("a.py"), SUPPRESSED_HERE);
    write(&dir.join("b.py"), RUN_ELSEWHERE);
    let run = sb.bindguard(&dir, &["check", "--format", "json", "a.py", "b.py"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = &doc["findings"][0];
    assert_eq!(
        (finding["sink"]["path"].as_str(), finding["sink"]["line"].as_u64()),
        (Some("b.py"), Some(4)),
        "{}",
        run.stdout
    );
    assert_eq!(finding["sinks"].as_array().map(Vec::len), Some(2), "{}", run.stdout);
}

#[test]
fn a_literal_the_history_saw_suppressed_and_the_final_state_blocks_is_told_once() {
    let sb = Sandbox::new();
    let (_server, work) = server_with_history(&sb, &[("README", "hello\n")]);
    sb.commit_files(&work, &[("a.py", SUPPRESSED_HERE)], "a");
    sb.commit_files(&work, &[("b.py", RUN_ELSEWHERE)], "b");
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert!(
        run.stderr.contains("1 finding (") || run.stderr.contains("1 finding,") || run.stderr.contains(": 1 finding"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("suppressed"), "the literal is told once, as blocking: {}", run.stderr);
    assert!(run.stderr.contains("Flask app.run() listens on 0.0.0.0"), "{}", run.stderr);
}

#[test]
fn a_push_importing_a_settings_module_through_a_symlink_is_rejected() {
    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("base.py", "x = 1\n")]);
    write(&work.join("conf/real.py"), "HOST = '0.0.0.0'\n");
    std::os::unix::fs::symlink("conf/real.py", work.join("settings.py")).unwrap();
    write(&work.join("app.py"), "import socket\nfrom settings import HOST\nsocket.socket().bind((HOST, 80))\n");
    sb.git(&work, &["add", "-A"]);
    sb.git(&work, &["commit", "-qm", "link"]);
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}

#[test]
fn a_commit_importing_a_settings_module_through_a_symlink_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    write(&repo.join("conf/real.py"), "HOST = '0.0.0.0'\n");
    std::os::unix::fs::symlink("conf/real.py", repo.join("settings.py")).unwrap();
    commit_unchecked(&sb, &repo, &[("conf/real.py", "HOST = '0.0.0.0'\n")]);
    sb.git(&repo, &["add", "settings.py"]);
    sb.git(&repo, &["commit", "-q", "--no-verify", "-m", "link"]);
    // Only the bind is new: the value comes through the link, from the index.
    stage(&sb, &repo, "app.py", "import socket\nfrom settings import HOST\nsocket.socket().bind((HOST, 80))\n");
    let run = sb.git_commit(&repo, &["-m", "app"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("settings.py:1:"), "{}", run.stderr);
}

/// A package folder that is a symlink (`myapp -> src/myapp`): the module under it is read from
/// the link's target, in the index and in a pushed tree.
#[test]
fn modules_under_a_symlinked_folder_are_followed_by_both_hooks() {
    let app = "import socket\nfrom myapp.settings import HOST\nsocket.socket().bind((HOST, 80))\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, &[("src/myapp/__init__.py", ""), ("src/myapp/settings.py", "HOST = '0.0.0.0'\n")]);
    std::os::unix::fs::symlink("src/myapp", repo.join("myapp")).unwrap();
    sb.git(&repo, &["add", "myapp"]);
    sb.git(&repo, &["commit", "-q", "--no-verify", "-m", "link"]);
    stage(&sb, &repo, "app.py", app);
    let run = sb.git_commit(&repo, &["-m", "app"]);
    assert!(blocked(&run), "{}", run.all());
    assert!(run.stderr.contains("settings.py:1:"), "{}", run.stderr);

    let sb = Sandbox::new();
    let (server, work) = server_with_history(&sb, &[("base.py", "x = 1\n")]);
    write(&work.join("src/myapp/__init__.py"), "");
    write(&work.join("src/myapp/settings.py"), "HOST = '0.0.0.0'\n");
    std::os::unix::fs::symlink("src/myapp", work.join("myapp")).unwrap();
    write(&work.join("app.py"), app);
    sb.git(&work, &["add", "-A"]);
    sb.git(&work, &["commit", "-qm", "link"]);
    let run = sb.push(&work, &["origin", "HEAD:main"]);
    assert!(rejected(&run), "{}", run.all());
    assert_ne!(sb.ref_id(&server, "main"), sb.ref_id(&work, "HEAD"));
}
