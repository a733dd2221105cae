//! Reading command-line definitions and imports: argparse destinations, click / typer option
//! defaults, and the Python 2 module names that map onto today's standard-library servers.

use rustc_hash::FxHashMap as HashMap;

use crate::python::ast::{self, Expr};

pub(crate) fn keyword<'a>(c: &'a ast::ExprCall, name: &str) -> Option<&'a Expr> {
    c.arguments.keywords.iter().find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name)).map(|k| &k.value)
}

fn str_value(e: &Expr) -> Option<&str> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

/// The destination of `parser.add_argument('--host', …)`, as argparse derives it.
pub(crate) fn argparse_dest(c: &ast::ExprCall) -> Option<String> {
    let Expr::Attribute(a) = &*c.func else { return None };
    if a.attr.as_str() != "add_argument" {
        return None;
    }
    if let Some(dest) = keyword(c, "dest").and_then(str_value) {
        return Some(dest.to_string());
    }
    option_name(c.arguments.args.iter().filter_map(str_value))
}

/// `--metrics-host` → `metrics_host`; a plain name wins; else the first short flag.
fn option_name<'s>(flags: impl Iterator<Item = &'s str>) -> Option<String> {
    let flags: Vec<&str> = flags.collect();
    let pick = flags
        .iter()
        .find(|f| !f.starts_with('-'))
        .or_else(|| flags.iter().find(|f| f.starts_with("--")))
        .or_else(|| flags.first())?;
    Some(pick.trim_start_matches('-').replace('-', "_"))
}

/// click / typer-style `@option('--host', default=…)` decorators: parameter → default.
pub(crate) fn cli_options(f: &ast::StmtFunctionDef) -> HashMap<String, &Expr> {
    let mut out = HashMap::default();
    for d in &f.decorator_list {
        let Expr::Call(c) = &d.expression else { continue };
        let is_option = match &*c.func {
            Expr::Attribute(a) => matches!(a.attr.as_str(), "option" | "argument"),
            Expr::Name(n) => matches!(n.id.as_str(), "option" | "argument"),
            _ => false,
        };
        let name = option_name(c.arguments.args.iter().filter_map(str_value));
        if let (true, Some(name), Some(default)) = (is_option, name, keyword(c, "default")) {
            out.insert(name.to_lowercase(), default);
        }
    }
    out
}

/// Python 2 module names that became today's standard-library servers, and the names `six.moves`
/// gives them (`from six.moves import socketserver`): a dotted name that starts with one is
/// renamed.
pub(crate) fn canonical_module(name: &str) -> String {
    const RENAMED: &[(&str, &str)] = &[
        ("SocketServer", "socketserver"),
        ("BaseHTTPServer", "http.server"),
        ("SimpleHTTPServer", "http.server"),
        ("CGIHTTPServer", "http.server"),
        ("SimpleXMLRPCServer", "xmlrpc.server"),
        ("DocXMLRPCServer", "xmlrpc.server"),
        ("distributed", "dask.distributed"),
        ("six.moves.socketserver", "socketserver"),
        ("six.moves.BaseHTTPServer", "http.server"),
        ("six.moves.SimpleHTTPServer", "http.server"),
        ("six.moves.CGIHTTPServer", "http.server"),
        ("six.moves.xmlrpc_server", "xmlrpc.server"),
    ];
    for (old, new) in RENAMED {
        if let Some(rest) = name.strip_prefix(old)
            && (rest.is_empty() || rest.starts_with('.'))
        {
            return format!("{new}{rest}");
        }
    }
    name.to_string()
}
