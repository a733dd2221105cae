//! Fixture tests: expected lines, snapshots, the automatic fix check and prefilter soundness.
//!
//! Fixtures live in `tests/fixtures/rules/*.py`; a line whose finding must be reported ends with
//! `# expect: CSP-D404`. Every fix is applied (alone, and all together) in both styles; the result
//! must parse as well as the original and the fixed literal must no longer be reported.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::finding::apply_edits;
use crate::finding::{Edit, Finding};
use crate::python::{Flavor, parse};
use crate::source::{Encoding, SourceText};

use super::{FixStyle, Options, check, check_unfiltered, may_contain_bind};

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    assert!(out.len() >= 8, "fixtures missing");
    out
}

fn options(style: FixStyle) -> Options {
    Options { fix_style: style, ..Options::default() }
}

fn run(text: &str, opts: &Options) -> (SourceText, Vec<Finding>) {
    let source = SourceText::from_text(text.to_string(), Encoding::Utf8);
    let module = parse(text, Flavor::Module);
    let findings = check(&source, &module, opts);
    (source, findings)
}

fn active_lines(source: &SourceText, findings: &[Finding]) -> Vec<usize> {
    let mut lines: Vec<usize> =
        findings.iter().filter(|f| !f.suppressed).map(|f| source.line_of(f.value.start)).collect();
    lines.dedup();
    lines
}

#[test]
fn reported_lines_are_exactly_the_marked_lines() {
    for (name, text) in fixtures() {
        let (source, findings) = run(&text, &Options::default());
        let expected: Vec<usize> =
            text.lines().enumerate().filter(|(_, l)| l.contains("# expect: CSP-D404")).map(|(i, _)| i + 1).collect();
        assert_eq!(active_lines(&source, &findings), expected, "{name}");
    }
}

fn render(source: &SourceText, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let (line, col) = source.line_col(f.value.start);
        let state = if f.suppressed { " [suppressed]" } else { "" };
        let sink_line = source.line_of(f.sink.range.start);
        let _ = writeln!(out, "{line}:{col} {} -> {} (line {sink_line}){state}", f.host, f.sink.description);
        match &f.fix {
            Ok(fix) => {
                for e in &fix.edits {
                    let _ = writeln!(out, "    fix {:?} -> {:?}", &source.text()[e.range.clone()], e.content);
                }
            }
            Err(no) => {
                let _ = writeln!(out, "    no fix: {}", no.0);
            }
        }
    }
    out
}

#[test]
fn snapshots() {
    for (name, text) in fixtures() {
        for style in [FixStyle::Loopback, FixStyle::Env] {
            let (source, findings) = run(&text, &options(style));
            let suffix = if style == FixStyle::Env { "_env" } else { "" };
            insta::assert_snapshot!(format!("{name}{suffix}"), render(&source, &findings));
        }
    }
}

fn merged(findings: &[Finding]) -> Vec<Edit> {
    let mut edits: Vec<Edit> =
        findings.iter().filter_map(|f| f.fix.as_ref().ok()).flat_map(|f| f.edits.clone()).collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end, e.content.clone()));
    edits.dedup();
    edits
}

#[test]
fn fixes_parse_and_silence_the_finding() {
    for (name, text) in fixtures() {
        let errors_before = parse(&text, Flavor::Module).syntax_errors().len();
        for style in [FixStyle::Loopback, FixStyle::Env] {
            let opts = options(style);
            let (_, findings) = run(&text, &opts);
            for f in findings.iter().filter(|f| f.fix.is_ok()) {
                let fixed = apply_edits(&text, &f.fix.as_ref().unwrap().edits).expect("edits apply");
                assert_eq!(parse(&fixed, Flavor::Module).syntax_errors().len(), errors_before, "{name}: {fixed}");
                let (_, after) = run(&fixed, &opts);
                assert_eq!(
                    after.len(),
                    findings.len() - 1,
                    "{name} {style:?}: fix of {:?} left it reported\n{fixed}",
                    f.value
                );
            }
            let all = apply_edits(&text, &merged(&findings)).expect("fixes do not overlap");
            assert_eq!(parse(&all, Flavor::Module).syntax_errors().len(), errors_before, "{name}: {all}");
            let (_, after) = run(&all, &opts);
            assert_eq!(after.len(), findings.iter().filter(|f| f.fix.is_err()).count(), "{name} {style:?}\n{all}");
        }
    }
}

/// The fixture with its wildcards respelled, so that the gate meets other spellings.
fn variants(text: &str) -> Vec<String> {
    vec![
        text.to_string(),
        text.replace("\"0.0.0.0\"", "\"0.\" \"0.\" \"0.\" \"0\""),
        text.replace("\"0.0.0.0\"", "\"\\x30.\\x30.\\x30.\\x30\""),
        text.replace("\"::\"", "\"0:0:0:0:0:0:0:0\""),
        text.replace("\"0.0.0.0\"", "f\"{'0.0'}.{'0.0'}\""),
        text.replace("\"0.0.0.0\"", "(\"0.0.\"  # split\n \"0.0\")"),
        text.replace("\"0.0.0.0\"", "\"%s.%s\" % (\"0.0\", \"0.0\")"),
        text.replace("\"0.0.0.0\"", "\"{}.{}\".format(\"0.0\", \"0.0\")"),
        text.replace("\"0.0.0.0\"", "\"\\60.\\N{DIGIT ZERO}.0.0\""),
        text.replace("\"::\"", "\":\" \":\""),
        text.replace("\"::\"", "\"\\x3a\\x3a\""),
        text.replace("''", "'' ''"),
        text.replace('\n', "\r\n"),
    ]
}

#[test]
fn the_gate_never_skips_a_fixture_with_findings() {
    for (name, text) in fixtures() {
        for (i, variant) in variants(&text).into_iter().enumerate() {
            let source = SourceText::from_text(variant.clone(), Encoding::Utf8);
            let found = check_unfiltered(&source, &parse(&variant, Flavor::Module), &Options::default());
            if !found.is_empty() {
                assert!(may_contain_bind(variant.as_bytes()), "{name} variant {i}");
            }
        }
    }
}

#[test]
fn the_gate_skips_ordinary_code() {
    let text = "import json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f) or ''\n";
    assert!(!may_contain_bind(text.as_bytes()));
}

#[test]
fn hostile_inputs_do_not_panic() {
    use super::Limit;
    let deep =
        format!("import socket\nx = {}'0.0.0.0'{}\nsocket.socket().bind(x)\n", "(".repeat(5000), ")".repeat(5000));
    let deep_tuple = deep.replace("bind(x)", "bind((x, 1))");
    let chain = format!("import socket\nh = {}'0.0.0.0'\nsocket.socket().bind((h, 1))\n", "'' + ".repeat(3000));
    let long = format!("import socket\nsocket.socket().bind(('0.0.0.0', 1)); s = '{}'\n", "x".repeat(20000));
    let cyclic = "import socket\na = b\nb = a\nwhile True:\n    a = a + b\n    socket.socket().bind((a, 1))\n";
    let broken = "import socket\ndef f(:\n    socket.socket().bind(('0.0.0.0', 1)\n'''";
    let cases: [(&str, &[&str], &[Limit]); 9] = [
        // A string alone is an AF_UNIX path for `bind`: nothing to report, however deep.
        (&deep, &[], &[]),
        (&deep_tuple, &["main.py:2 0.0.0.0"], &[]),
        // Too deep to follow: nothing found, and the analysis says it is incomplete.
        (&chain, &[], &[Limit::Nesting]),
        (&long, &["main.py:2 0.0.0.0"], &[]),
        // Names defined by each other and nothing else: the cycle is cut, nothing is known.
        (cyclic, &[], &[]),
        (broken, &["main.py:3 0.0.0.0"], &[]),
        ("", &[], &[]),
        ("\u{feff}", &[], &[]),
        ("x = '\\N{DIGIT ZERO}'", &[], &[]),
    ];
    for (text, found, limits) in cases {
        let got = analyse_one(text);
        let head = &text[..text.len().min(80)];
        assert_eq!(got.found, found, "{head}");
        assert_eq!(got.limits, limits, "{head}");
    }
    let (source, findings) = run(&long, &Options::default());
    assert_eq!(active_lines(&source, &findings), vec![2]);
}

#[test]
fn env_fix_adds_import_after_docstring_and_future_imports() {
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/env_fix.py"))
            .unwrap();
    let (_, findings) = run(&text, &options(FixStyle::Env));
    let fixed = apply_edits(&text, &merged(&findings)).unwrap();
    assert!(fixed.contains("from __future__ import annotations\nimport os\n"), "{fixed}");
    assert!(fixed.contains("app.run(host=os.environ.get('APP_HOST', '127.0.0.1'))"), "{fixed}");
    assert!(fixed.contains("os.environ.get(\"APP_HOST\", \"::1\")"), "{fixed}");
    assert_eq!(fixed.matches("\nimport os\n").count(), 1);
}

#[test]
fn foreign_markers_only_when_enabled() {
    let text = "import socket\nsocket.socket().bind(('0.0.0.0', 1))  # nosec\nsocket.socket().bind(('0.0.0.0', 2))  # noqa: S104\n";
    let (_, off) = run(text, &Options::default());
    assert!(off.iter().all(|f| !f.suppressed) && off.len() == 2);
    let (_, on) = run(text, &Options { foreign_markers: true, ..Options::default() });
    assert!(on.iter().all(|f| f.suppressed) && on.len() == 2);
}

#[test]
fn no_fix_when_the_constant_has_other_uses() {
    let text = "from flask import Flask\napp = Flask(__name__)\nHOST = '0.0.0.0'\nprint(HOST)\napp.run(host=HOST)\n";
    let (_, findings) = run(text, &Options::default());
    assert_eq!(findings.len(), 1);
    assert!(findings[0].fix.as_ref().is_err_and(|e| e.0.contains("HOST")));
    let (_, direct) = run(&text.replace("print(HOST)\n", ""), &Options::default());
    assert!(direct[0].fix.is_ok());
}

#[test]
fn one_finding_per_literal_even_with_several_sinks() {
    let text = "import socket\nADDR = ('0.0.0.0', 1)\nsocket.socket().bind(ADDR)\nsocket.create_server(ADDR)\n";
    let (_, findings) = run(text, &Options::default());
    assert_eq!(findings.len(), 1);
    assert!(findings[0].fix.is_ok(), "two binds read ADDR, both are sinks");
}

/// Sinks the gate must recognise, each with a hole `{H}` for the host expression.
const SINK_SHAPES: &[&str] = &[
    "import socket\ns = socket.socket()\ns.bind(({H}, 80))\n",
    "from flask import Flask\napp = Flask(__name__)\napp.run(host={H})\n",
    "import uvicorn\nuvicorn.run(app, host={H}, port=8000)\n",
    "from myproject import app\napp.run({H}, 5000)\n",
    "import zmq\nsock = zmq.Context().socket(zmq.REP)\nsock.bind('tcp://' + {H} + ':5555')\n",
    "config = {'bind': {H} + ':8000'}\n",
    "import subprocess\nsubprocess.run(['uvicorn', 'app:app', '--host', {H}])\n",
    "def serve(h):\n    import socket\n    socket.create_server((h, 80))\nserve({H})\n",
    "from twisted.internet import reactor\nreactor.listenTCP(80, factory, interface={H})\n",
    "c.ServerApp.ip = {H}\n",
    "c.JupyterHub.ip = {H}\n",
    "c.IPController.client_ip = {H}\n",
    "TELNETCONSOLE_HOST = {H}\n",
    "settings = {'TELNETCONSOLE_HOST': {H}}\n",
    "import tornado.web\ntornado.web.Application().listen(8888, {H})\n",
    "import asyncio\nasync def main():\n    await asyncio.start_server(cb, {H}, 8080)\n",
    "class Srv:\n    def __init__(self, host):\n        self.host = host\n    def start(self):\n        import socket\n        socket.socket().bind((self.host, 1))\nSrv({H})\n",
];

/// All-interfaces hosts, each with the spellings of its text a file may use.
const HOSTS: &[&str] = &["0.0.0.0", "::", "", "*", "0:0:0:0:0:0:0:0", "[::]"];

/// One way to write `host` as a Python expression.
fn spell(host: &str, how: usize, split: usize) -> String {
    let at = if host.is_empty() { 0 } else { split % (host.len() + 1) };
    let (a, b) = host.split_at(at);
    let escaped: String = host.chars().map(|c| if c == '0' { "\\x30".to_string() } else { c.to_string() }).collect();
    match how {
        0 => format!("'{host}'"),
        1 => format!("\"{host}\""),
        2 => format!("'{a}' '{b}'"),
        3 => format!("'{escaped}'"),
        4 => format!("f'{{\"{a}\"}}{b}'"),
        5 => format!("'%s%s' % ('{a}', '{b}')"),
        6 => format!("'{{}}{{}}'.format('{a}', '{b}')"),
        7 => format!("os.environ.get('HOST', '{host}')"),
        8 => format!("('{a}' + '{b}')"),
        9 => format!("(None or '{host}')"),
        10 => format!("r'{host}'"),
        _ => format!("('{a}'  # piece\n '{b}')"),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
    /// Whenever the analysis of a generated file finds something, the gate lets it through:
    /// respelled hosts (escapes, pieces, formatting, lookups), through variables and helpers.
    #[test]
    fn the_gate_passes_every_file_the_analysis_reports(
        shape in 0..SINK_SHAPES.len(),
        host in 0..HOSTS.len(),
        how in 0usize..12,
        split in 0usize..16,
        via_name in proptest::bool::ANY,
    ) {
        let expr = spell(HOSTS[host], how, split);
        let body = if via_name {
            SINK_SHAPES[shape].replace("{H}", "ADDRESS").replacen("", &format!("import os\nADDRESS = {expr}\n"), 1)
        } else {
            format!("import os\n{}", SINK_SHAPES[shape].replace("{H}", &expr))
        };
        let source = SourceText::from_text(body.clone(), Encoding::Utf8);
        let found = check_unfiltered(&source, &parse(&body, Flavor::Module), &Options::default());
        if !found.is_empty() {
            proptest::prop_assert!(may_contain_bind(body.as_bytes()), "the gate must keep:\n{}", body);
        }
    }
}

/// NFKC-folded names are names: the gate cannot read them, so the file passes.
#[test]
fn the_gate_keeps_files_with_folding_names() {
    let cases = [
        "import ｆｌａｓｋ\napp = ｆｌａｓｋ.Flask(__name__)\napp.run(host='0.0.0.0')",
        "import socket\ns = socket.socket()\ns.ｂｉｎｄ(('0.0.0.0', 80))",
        "f(ｂｉｎｄ='0.0.0.0')",
    ];
    for text in cases {
        let source = SourceText::from_text(text.to_string(), Encoding::Utf8);
        let found = check_unfiltered(&source, &parse(text, Flavor::Module), &Options::default());
        assert!(!found.is_empty(), "the analysis reports this one: {text}");
        assert!(may_contain_bind(text.as_bytes()), "the gate must keep: {text}");
    }
}

/// Files in another encoding are decoded before parsing, and their identifiers folded: bytes
/// that are not UTF-8 can spell `ª` (latin-1) or a fullwidth `ｂｉｎｄ` (GBK, `Shift_JIS`).
#[test]
fn the_gate_keeps_files_whose_encoding_hides_folding_names() {
    let cases: [&[u8]; 3] = [
        b"# -*- coding: latin-1 -*-\nloop.cre\xaate_server(factory, '0.0.0.0', 80)\n",
        b"# -*- coding: gbk -*-\nsock.\xa3\xe2\xa3\xe9\xa3\xee\xa3\xe4(('0.0.0.0', 80))\n",
        b"# -*- coding: shift_jis -*-\nsock.\x82\x82\x82\x89\x82\x8e\x82\x84(('0.0.0.0', 80))\n",
    ];
    for bytes in cases {
        let source = SourceText::decode(bytes, 1 << 20).expect("decodable");
        let found = check_unfiltered(&source, &parse(source.text(), Flavor::Module), &Options::default());
        assert!(!found.is_empty(), "the analysis reports this one: {bytes:?}");
        assert!(may_contain_bind(bytes), "the gate must keep: {bytes:?}");
    }
}

/// A project held in memory, for tests that follow values across modules.
pub(crate) struct MemFiles(pub Vec<(String, String)>);

impl crate::snapshot::Snapshot for MemFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.0.iter().find(|(p, _)| p == path).map(|(_, text)| text.clone().into_bytes())
    }
    fn exists(&self, path: &str) -> bool {
        self.0.iter().any(|(p, _)| p == path)
    }
}

/// What the analysis of one file of a project reports.
#[derive(Debug)]
pub(crate) struct Analysed {
    /// Each finding as `path:line host` (the literal's place), `[suppressed]` appended when
    /// silenced, `via line,line` when it passes through calls, `sink path:line` when the sink
    /// is in another file.
    pub found: Vec<String>,
    pub limits: Vec<super::Limit>,
    /// Evaluation steps the analysis took.
    pub steps: u64,
    /// Calls followed into a helper's frame.
    pub calls_followed: u64,
}

/// Analyses `root` among `files` (paths relative to the project root), following imports.
pub(crate) fn analyse(files: &[(&str, &str)], root: &str) -> Analysed {
    analyse_with(files, &[root], &Options::default()).pop().expect("one root")
}

/// Analyses each of `roots` in turn in one run (one project, whose shared caches they share).
pub(crate) fn analyse_with(files: &[(&str, &str)], roots: &[&str], options: &Options) -> Vec<Analysed> {
    let files = MemFiles(files.iter().map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect());
    let project = super::Project::new(&files, &super::RULE, u64::MAX);
    roots.iter().map(|root| analyse_in(&files, &project, root, options)).collect()
}

fn analyse_in(files: &MemFiles, project: &super::Project<'_>, root: &str, options: &Options) -> Analysed {
    let text = String::from_utf8(crate::snapshot::Snapshot::read(files, root).expect("root is a file")).unwrap();
    let loaded = super::Loaded::new(root.to_owned(), SourceText::from_text(text, Encoding::Utf8), false);
    let checked = super::check_file(&loaded, project, options, None, super::Places::All, None);
    let mut found = Vec::new();
    for file in &checked.files {
        let source = file.source.as_ref().unwrap_or(&loaded.source);
        for f in &file.findings {
            let mut s = format!("{}:{} {}", file.path, source.line_of(f.value.start), f.host);
            if f.suppressed {
                s.push_str(" [suppressed]");
            }
            if !f.via.is_empty() {
                let lines: Vec<String> = f.via.iter().map(|p| p.line.to_string()).collect();
                let _ = write!(s, " via {}", lines.join(","));
            }
            if let Some(sink_file) = &f.sink.file {
                let _ = write!(s, " sink {sink_file}:{}", f.sink.line);
            }
            found.push(s);
        }
    }
    found.sort();
    Analysed { found, limits: checked.limits, steps: checked.steps, calls_followed: checked.calls_followed }
}

/// [`analyse`] of a single file `main.py`.
pub(crate) fn analyse_one(text: &str) -> Analysed {
    analyse(&[("main.py", text)], "main.py")
}

/// Differential check of [`super::inert`]: on every fixture, a line it calls inert touches no
/// place (value, sink, call on the way) of any finding the full analysis makes, suppressed ones
/// included; and it does call some lines inert, or the check would prove nothing.
#[test]
fn inert_lines_hold_no_place_of_any_finding() {
    let mut inert_lines = 0;
    let mut place_lines = 0;
    for (name, text) in fixtures() {
        let source = SourceText::from_text(text.clone(), Encoding::Utf8);
        let module = parse(&text, Flavor::Module);
        let findings = check_unfiltered(&source, &module, &Options::default());
        let mut touched: Vec<u32> = Vec::new();
        for f in &findings {
            for range in f.own_places() {
                let first = source.line_of(range.start);
                let last = source.line_of(range.end.saturating_sub(1).max(range.start));
                touched.extend((first..=last).map(|l| l as u32));
            }
        }
        touched.sort_unstable();
        touched.dedup();
        place_lines += touched.len();
        for line in 1..=text.lines().count() as u32 {
            let inert = super::inert::lines_spell_no_place(text.as_bytes(), &[line])
                && super::inert::inside_no_place(&source, &module, &[line]);
            if inert {
                inert_lines += 1;
                assert!(touched.binary_search(&line).is_err(), "{name}:{line} is called inert but holds a place");
            }
        }
    }
    assert!(inert_lines > 20 && place_lines > 100, "{inert_lines} inert lines, {place_lines} place lines");
}

/// Differential check of [`super::narrow`]: on every fixture, for every line that is a bare call
/// (a change the hooks may narrow), whenever a finding of the full analysis has a place on that
/// line, the analysis narrowed to it finds something too (and is then run again in full). It
/// also checks that the narrowing keeps fewer sites than the file has, or it would prove nothing.
#[test]
fn a_narrowed_analysis_finds_every_change_of_calls_the_full_one_reports() {
    use super::narrow::{Narrowed, calls_only};
    let (mut bare_lines, mut reported_lines, mut kept, mut sites) = (0, 0, 0, 0);
    for (name, text) in fixtures() {
        let source = SourceText::from_text(text.clone(), Encoding::Utf8);
        let module = parse(&text, Flavor::Module);
        let findings = check_unfiltered(&source, &module, &Options::default());
        for line in 1..=text.lines().count() as u32 {
            let lines = [line];
            let inert = super::inert::lines_spell_no_place(text.as_bytes(), &lines)
                && super::inert::inside_no_place(&source, &module, &lines);
            if inert || calls_only(&source, &module, &lines).is_none() {
                continue;
            }
            let Some(narrowed) = Narrowed::new(&source, &module, &lines) else { continue };
            bare_lines += 1;
            let narrowed_run = check_narrowed(&source, &narrowed);
            kept += narrowed_run.1;
            sites += narrowed_run.2;
            let touches = |f: &Finding| {
                f.own_places().any(|r| {
                    let (first, last) = (source.line_of(r.start), source.line_of(r.end.saturating_sub(1).max(r.start)));
                    (first..=last).contains(&(line as usize))
                })
            };
            if findings.iter().any(touches) {
                reported_lines += 1;
                assert!(narrowed_run.0 > 0, "{name}:{line} holds a place of a finding the narrowed analysis misses");
            }
        }
    }
    assert!(bare_lines > 50 && reported_lines > 25, "{bare_lines} bare-call lines, {reported_lines} reported");
    assert!(kept * 2 < sites, "the narrowing kept {kept} of {sites} sites");
}

/// Findings (suppressed ones included), sites kept and sites in all of an analysis of one file
/// narrowed to `narrowed`.
fn check_narrowed(source: &SourceText, narrowed: &super::narrow::Narrowed<'_>) -> (usize, usize, usize) {
    let loaded = super::Loaded::new(String::new(), source.clone(), false);
    let project = super::Project::new(&crate::snapshot::Alone, &super::RULE, u64::MAX);
    let checked = super::check_file(&loaded, &project, &Options::default(), None, super::Places::All, Some(narrowed));
    let found = checked.files.iter().map(|f| f.findings.len()).sum();
    let index = crate::rules::engine::collect::collect(
        loaded.parsed.body(),
        0,
        crate::rules::engine::collect::Uses::Skipped,
        &super::RULE,
    );
    let kept = index.sites.iter().filter(|(site, _)| narrowed.keeps(site)).count();
    (found, kept, index.sites.len())
}
