//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, never in a release build):
//! thin calls into the private pipeline, each stating what must hold for any input. Not an API.

use crate::changes::{ChangeSet, ChangedFile, LineFilter};
use crate::git::push_refs::RefUpdate;
use crate::source::SourceText;

/// A sink line that makes the gate let a file through, so that the parser and the analysis see
/// the fuzzed bytes (the gate alone rules out almost every random input).
const SINK: &[u8] = b"import socket\nsocket.socket().bind(('0.0.0.0', 80))\n";

/// The whole analysis of `bytes` as a Python file, on a thread with the stack every analysis
/// thread has: must not panic, overflow or hang. An even first byte puts a sink line first.
pub fn analyze(bytes: &[u8]) {
    let bytes = match bytes.split_first() {
        Some((mode, rest)) if mode % 2 == 0 => [SINK, rest].concat(),
        _ => bytes.to_vec(),
    };
    on_analysis_stack(move || {
        let file = ChangedFile::new("fuzz.py".into(), b"fuzz.py".to_vec(), bytes, LineFilter::All);
        let changes = ChangeSet { files: vec![file], ..ChangeSet::default() };
        let options = crate::rules::Options::default();
        let cx = crate::analysis::Context { options: &options, max_file_size: 1 << 20, deadline: None };
        let report = crate::analysis::analyze(changes, &cx);
        // Checked (perhaps with limits reached, listed as incomplete), or not analysed: never
        // dropped.
        let said = report.files_checked == 1 || report.incomplete.iter().any(|gap| gap.path == "fuzz.py");
        assert!(said, "every file is analysed or said not to be");
    });
}

/// Every address parser over `text`: each hit lies inside the text on character boundaries.
pub fn addresses(text: &str) {
    for range in crate::rules::address_hits(text) {
        assert!(range.end <= text.len() && range.start <= range.end, "{range:?} outside {text:?}");
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end), "{range:?} in {text:?}");
    }
}

/// Fixing a file: when a fix is written, the fixed text parses no worse and has fewer findings.
pub fn fix(bytes: &[u8]) {
    let bytes = [SINK, bytes].concat();
    on_analysis_stack(move || {
        let Ok(source) = SourceText::decode_owned(bytes, 1 << 20) else { return };
        let options = crate::rules::Options::default();
        let (errors_before, findings_before) = check(&source, &options);
        let findings = crate::rules::check_unfiltered(
            &source,
            &crate::python::parse(source.text(), crate::python::Flavor::Module),
            &options,
        );
        if let Ok(Some(fixed)) = crate::fix::fix_source(&source, &findings, false, &options) {
            let after = SourceText::from_text(fixed.text, source.encoding());
            let (errors_after, findings_after) = check(&after, &options);
            assert!(errors_after <= errors_before, "the fix added syntax errors");
            assert!(findings_after < findings_before, "the fix removed no finding");
        }
    });
}

/// The hook input parsers over arbitrary stdin and push options: errors, never panics.
pub fn hook_input(bytes: &[u8]) {
    let _ = crate::modes::push_input::read_updates(bytes, RefUpdate::parse_receive);
    let _ = crate::modes::push_input::read_updates(bytes, RefUpdate::parse_push);
    let options: Vec<String> = String::from_utf8_lossy(bytes).lines().map(str::to_owned).collect();
    let _ = crate::modes::push_input::skip_request(&options);
}

fn check(source: &SourceText, options: &crate::rules::Options) -> (usize, usize) {
    let module = crate::python::parse(source.text(), crate::python::Flavor::Module);
    let active = crate::rules::check_unfiltered(source, &module, options).iter().filter(|f| !f.suppressed).count();
    (module.syntax_errors().len(), active)
}

fn on_analysis_stack(run: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(crate::source::STACK_SIZE).spawn(run).expect("a thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}
