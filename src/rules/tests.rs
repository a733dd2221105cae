//! Fixture tests: expected lines, snapshots, the automatic fix check and prefilter soundness.
//!
//! Fixtures live in `tests/fixtures/rules/*.py`; a line whose finding must be reported ends with
//! `# expect: CSP-D404`. Every fix is applied (alone, and all together) in both styles; the result
//! must parse as well as the original and the fixed literal must no longer be reported.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::finding::{Edit, Finding};
use crate::fix::apply_edits;
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

/// The fixture with its wildcards respelled, so that the prefilter meets other spellings.
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
fn prefilter_never_skips_a_file_with_findings() {
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
fn prefilter_skips_ordinary_code() {
    let text = "import json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f) or ''\n";
    assert!(!may_contain_bind(text.as_bytes()));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let deep =
        format!("import socket\nx = {}'0.0.0.0'{}\nsocket.socket().bind(x)\n", "(".repeat(5000), ")".repeat(5000));
    let chain = format!("import socket\nh = {}'0.0.0.0'\nsocket.socket().bind((h, 1))\n", "'' + ".repeat(3000));
    let long = format!("import socket\nsocket.socket().bind(('0.0.0.0', 1)); s = '{}'\n", "x".repeat(20000));
    let cyclic = "import socket\na = b\nb = a\nwhile True:\n    a = a + b\n    socket.socket().bind((a, 1))\n";
    let broken = "import socket\ndef f(:\n    socket.socket().bind(('0.0.0.0', 1)\n'''";
    for text in [deep.as_str(), chain.as_str(), long.as_str(), cyclic, broken, "", "\u{feff}", "x = '\\N{DIGIT ZERO}'"]
    {
        let _ = run(text, &Options::default());
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

/// Spellings that once slipped past the prefilter although the analysis reports them: escapes
/// that decode to delimiters, names assembled from pieces, and NFKC-normalised identifiers.
#[test]
fn prefilter_keeps_escaped_assembled_and_unicode_spellings() {
    let cases = [
        r"import waitress
waitress.serve(app, listen='127.0.0.1:8080\t0.0.0.0:80')",
        r"import waitress
waitress.serve(app, listen='127.0.0.1:8080\n0.0.0.0:80')",
        r"import waitress
waitress.serve(app, listen='\x200.0.0.0:80')",
        r"import waitress
waitress.serve(app, listen='\0400.0.0.0:80')",
        r"import waitress
waitress.serve(app, listen='127.0.0.1:8080\t*:80')",
        r"import socket
s.bind(('\x5b::]', 80))",
        r"import zmq
s.bind('tcp:\x2f\x2f0.0.0.0:5555')",
        r"import zmq
s.bind('tcp:\x2f\x2f*:5555')",
        r"import subprocess
subprocess.run(['uvicorn', 'app:app', '--host\x3d0.0.0.0'])",
        r"from twisted.internet.endpoints import serverFromString
serverFromString(reactor, 'tcp:80:interface\x3d0.0.0.0')",
        "config = {'bi' 'nd': '0.0.0.0'}",
        "config = {'LIS' 'TEN': '0.0.0.0:80'}",
        "config = {'bi\\\nnd': '0.0.0.0'}",
        "config = {'bi' r'nd': '0.0.0.0'}",
        "config = {u'bi' R'nd': '0.0.0.0'}",
        "config = {'bi''nd': '0.0.0.0'}",
        "config = {'''bi''' '''nd''': '0.0.0.0'}",
        "config = {'bi' '' 'nd': '0.0.0.0'}",
        "config = {'li' 's' 'ten': '0.0.0.0:80'}",
        "config = {('bi'  # half of the name\n 'nd'): '0.0.0.0'}",
        "config = {' #bi'\n 'nd': '0.0.0.0'}",
        "config = {'\\x62i' 'nd': '0.0.0.0'}",
        "config = {'\\U00000062\\U00000069' '\\U0000006e\\U00000064': '0.0.0.0'}",
        "config = {'bi\\\n' 'nd': '0.0.0.0'}",
        "config = {'\\N{LATIN SMALL LETTER B}ind': '0.0.0.0'}",
        "config = {'li\\163ten': '0.0.0.0:80'}",
        "config = {'LI' '\\x53' 'TEN': '0.0.0.0:80'}",
        "import ｆｌａｓｋ\napp = ｆｌａｓｋ.Flask(__name__)\napp.run(host='0.0.0.0')",
        "from flask import Flask\napp = Flask(__name__)\napp.ｒｕｎ(host='0.0.0.0')",
        "import socket\ns = socket.socket()\ns.ｂｉｎｄ(('0.0.0.0', 80))",
        "f(ｂｉｎｄ='0.0.0.0')",
        "import ſocketserver\nſocketserver.TCPServer(('0.0.0.0', 80), H)",
        "cfg = {'b' 'ind': '0.0.0.0:80'}",
        "cfg = {'server.socket_hos' 't': '0.0.0.0'}",
        "opts = {'lis' 't' 'en': '0.0.0.0:80'}",
        "cfg = {'l'                              'iste'                              'n': '0.0.0.0:80'}",
        "cfg = {'s'  # c\n       'ocket_ho'  # c\n       'st': '0.0.0.0'}",
        "c = {'''N''' '''otebookAp''' '''p.ip''': '*'}",
        "serve(ˡisten='0.0.0.0:8080')",
        "loop.create_ˢerver(factory, '0.0.0.0', 80)",
        "import os\nos.eˣecv('/usr/bin/uvicorn', ['uvicorn', 'app:app', '--host', '0.0.0.0'])",
        "import socketserver\nsocketserver.TꟲPServer(('0.0.0.0', 80), H)",
        "x = 1;\u{a0}import flask\napp = flask.Flask(__name__)\napp.run(host='0.0.0.0')",
        "cfg = {r'\\xab' 'in\\x64': '0.0.0.0'}",
        "cfg = {r'\\xab' '\\x69nd': '0.0.0.0'}",
        "cfg = {r'\\u0bab' 'in\\x64': '0.0.0.0'}",
        "cfg = {'bi'  # \\\n       'n\\x64': '0.0.0.0'}",
        "cfg = {'bi'  # \\x0a x\n       'n\\x64': '0.0.0.0'}",
        "cfg = {'lis'  # \\\n       'te\\x6e': '0.0.0.0'}",
        "c = {'c.La'  # \\\n     'bAp\\x70.ip': '*'}",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='%' r's0.0.0.0' % '')",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host=('%'  # pct\n         's0.0.0.0') % '')",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='%(a))s0.0.0.0' % '')",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='\\x25----------s0.0.0.0' % '')",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='%\\x2d----------s0.0.0.0' % '')",
        "from flask import Flask\napp = Flask(__name__)\np = '%'\napp.run(host=(p + 's0.0.0.0') % '')",
        "c.NotebookApp.ip = '%' r's*' % ''",
        "import zmq\nsock = zmq.Context().socket(zmq.REP)\nsock.bind('%' r's0.0.0.0:5555' % 'tcp://')",
        "from django.core.management import call_command\ncall_command('runserver', '%' r's0:8000' % '')",
        "cfg = {'\\\\x6b' 'ind': '0.0.0.0'}",
        "# \\x41\ncfg = {r'\\xab' 'ind': '0.0.0.0'}",
        "# \\x41\ncfg = {r'\\u0bab' 'ind': '0.0.0.0'}",
        "cfg = {'bi'  # note \\\n       'nd': '0.0.0.0'}",
        "cfg = {'bi'  # \\x41\\x0a x\n       'nd': '0.0.0.0'}",
        "conf = {'server.socket_'  # \\\n        'host': '0.0.0.0'}",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='%!s0.0.0.0' % '')",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='%1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111s0.0.0.0' % '')",
        "c.NotebookApp.ip = '%=s*' % ''",
        "import waitress\nwaitress.serve(app, listen='%=s*:8080' % '')",
        "import os . path, flask\napp = flask.Flask(__name__)\napp.run(host='0.0.0.0')",
        "import os.\\\npath, flask\nflask.Flask(__name__).run(host='0.0.0.0')",
        "import os as π, flask\nflask.Flask(__name__).run(host='0.0.0.0')",
        "import données, flask\nflask.Flask(__name__).run(host='0.0.0.0')",
    ];
    for text in cases {
        let source = SourceText::from_text(text.to_string(), Encoding::Utf8);
        let found = check_unfiltered(&source, &parse(text, Flavor::Module), &Options::default());
        assert!(!found.is_empty(), "the analysis reports this one: {text}");
        assert!(may_contain_bind(text.as_bytes()), "the prefilter must keep: {text}");
    }
}

/// Files in another encoding are decoded before parsing, and their identifiers folded: bytes
/// that are not UTF-8 can spell `ª` (latin-1) or a fullwidth `ｂｉｎｄ` (GBK, Shift_JIS).
#[test]
fn prefilter_keeps_files_whose_encoding_hides_folding_names() {
    let cases: [&[u8]; 3] = [
        b"# -*- coding: latin-1 -*-\nloop.cre\xaate_server(factory, '0.0.0.0', 80)\n",
        b"# -*- coding: gbk -*-\nsock.\xa3\xe2\xa3\xe9\xa3\xee\xa3\xe4(('0.0.0.0', 80))\n",
        b"# -*- coding: shift_jis -*-\nsock.\x82\x82\x82\x89\x82\x8e\x82\x84(('0.0.0.0', 80))\n",
    ];
    for bytes in cases {
        let source = SourceText::decode(bytes, 1 << 20).expect("decodable");
        let found = check_unfiltered(&source, &parse(source.text(), Flavor::Module), &Options::default());
        assert!(!found.is_empty(), "the analysis reports this one: {bytes:?}");
        assert!(may_contain_bind(bytes), "the prefilter must keep: {bytes:?}");
    }
}
