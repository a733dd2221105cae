//! Sink evaluation: for every recorded site, find the catalogue entries (or the configuration
//! name rule) that apply, evaluate the address argument and classify it.
//!
//! The result is a list of [`Raw`] findings — one per all-interfaces literal and sink — that
//! `mod.rs` then de-duplicates, suppresses and fixes.

use std::ops::Range;

use crate::python::Ranged;
use crate::python::ast::{self, Expr};

use super::address::{self, Accept, Hit};
use super::catalogue::{self as sinks, Arg, Kind, Shape};
use super::engine::flow::{FUEL, Flow};
use super::engine::index::{Ctx, Site};
use super::engine::strings::{Located, SymStr, range};
use super::engine::values::Val;

/// One all-interfaces literal reaching one sink.
#[derive(Debug, Clone)]
pub(crate) struct Raw<'a> {
    pub loc: Located<'a>,
    pub hit: Hit,
    pub sink: Range<usize>,
    pub callee: String,
    pub description: String,
    /// Found by the configuration-name rule rather than a catalogued API.
    pub config: bool,
    /// The host sits in a host:port / URL / argv string rather than alone.
    pub compound: bool,
    /// Source ranges and loopbacks of further hosts in the same literal (`None`: not mappable).
    pub more: Option<Vec<(Range<usize>, &'static str)>>,
}

pub(crate) fn evaluate<'a>(flow: &Flow<'_, 'a>, sites: &[(Site<'a>, Ctx)]) -> Vec<Raw<'a>> {
    let mut out = Vec::new();
    for (site, ctx) in sites {
        flow.fuel.set(FUEL);
        match *site {
            Site::Call(c) => call_site(flow, c, *ctx, &mut out),
            Site::Assign { target, value } => assign_site(flow, target, value, *ctx, &mut out),
            Site::DictKey { key: key @ Expr::StringLiteral(k), value } => {
                let name = k.value.to_str();
                config(flow, name, || format!("{name:?}"), key, value, *ctx, &mut out);
            }
            Site::DictKey { .. } => {}
            Site::Keyword(k) => {
                if let Some(arg) = &k.arg {
                    config(flow, arg.as_str(), || format!("{}=", arg.as_str()), k, &k.value, *ctx, &mut out);
                }
            }
        }
    }
    out
}

/// A sink described for a finding.
struct SinkInfo {
    range: Range<usize>,
    callee: String,
    description: String,
    config: bool,
}

fn call_site<'a>(flow: &Flow<'_, 'a>, c: &'a ast::ExprCall, ctx: Ctx, out: &mut Vec<Raw<'a>>) {
    let Some(mut key) = flow.res.callee_key(&c.func, ctx) else { return };
    let mut func: &Expr = &c.func;
    let mut offset = 0;
    if key == "functools.partial" {
        let Some(inner) = c.arguments.args.first() else { return };
        let Some(k) = flow.res.callee_key(inner, ctx) else { return };
        (key, func, offset) = (k, inner, 1);
    }
    let apis: Vec<&sinks::Api> = sinks::apis(&key, Kind::Call).collect();
    if apis.is_empty() {
        return;
    }
    let callee = format!("{}()", short(flow.text, func));
    for api in apis {
        let sink = SinkInfo {
            range: range(c),
            callee: callee.clone(),
            description: format!("{} {callee}", api.what),
            config: false,
        };
        for arg in api.args {
            let vals = argument(flow, c, arg, offset, ctx);
            classify_into(flow, &vals, arg, &sink, out);
        }
        if api.args.iter().any(|a| a.shape == Shape::Django) {
            django(flow, c, ctx, &sink, out);
        }
        if api.args.iter().any(|a| a.shape == Shape::ArgvStar) {
            let elems: Vec<Vec<Val<'a>>> = c.arguments.args.iter().map(|a| flow.eval(a, ctx, 0)).collect();
            argv(&Val::Seq(elems), &sink, out);
        }
    }
}

/// The values passed for `arg`: positional, keyword, or an entry of a `**dict` splat.
fn argument<'a>(flow: &Flow<'_, 'a>, c: &'a ast::ExprCall, arg: &Arg, offset: usize, ctx: Ctx) -> Vec<Val<'a>> {
    let args = &c.arguments.args;
    if let Some(p) = arg.pos {
        let starred_before = args.iter().take(p + offset + 1).any(|a| matches!(a, Expr::Starred(_)));
        if let (false, Some(e)) = (starred_before, args.get(p + offset)) {
            return flow.eval(e, ctx, 0);
        }
    }
    if arg.kw.is_empty() {
        return Vec::new();
    }
    if let Some(e) = super::engine::cli::keyword(c, arg.kw) {
        return flow.eval(e, ctx, 0);
    }
    let mut out = Vec::new();
    for k in c.arguments.keywords.iter().filter(|k| k.arg.is_none()) {
        for v in flow.eval(&k.value, ctx, 0) {
            if let Val::Dict(entries) = v {
                out.extend(entries.into_iter().filter(|(key, _)| key.as_deref() == Some(arg.kw)).flat_map(|(_, v)| v));
            }
        }
    }
    out
}

fn assign_site<'a>(flow: &Flow<'_, 'a>, target: &'a Expr, value: &'a Expr, ctx: Ctx, out: &mut Vec<Raw<'a>>) {
    if let Expr::Attribute(a) = target
        && sinks::is_attr_sink(a.attr.as_str())
    {
        let key = match flow.res.callee_key(&a.value, ctx) {
            Some(k) => format!("{k}.{}", a.attr.as_str()),
            None => format!("?.{}", a.attr.as_str()),
        };
        for api in sinks::apis(&key, Kind::Attr) {
            let name = short(flow.text, target);
            let sink = SinkInfo {
                range: range(target),
                callee: name.clone(),
                description: format!("{} {name}", api.what),
                config: false,
            };
            let vals = flow.eval(value, ctx, 0);
            for arg in api.args {
                classify_into(flow, &vals, arg, &sink, out);
            }
        }
    }
    let dotted = flow.text.get(range(target)).unwrap_or_default();
    config(flow, dotted, || short(flow.text, target), target, value, ctx, out);
}

/// The configuration-name rule: a name that says it holds a listen address. The callee text
/// is only built for a matching name (this runs for every keyword, dict key and assignment).
fn config<'a>(
    flow: &Flow<'_, 'a>,
    name: &str,
    callee: impl FnOnce() -> String,
    at: &impl Ranged,
    value: &'a Expr,
    ctx: Ctx,
    out: &mut Vec<Raw<'a>>,
) {
    let Some((shape, accept)) = sinks::config_key(name) else { return };
    let callee = callee();
    let sink = SinkInfo { range: range(at), description: format!("setting {callee}"), callee, config: true };
    let vals = flow.eval(value, ctx, 0);
    classify_into(flow, &vals, &Arg { pos: None, kw: "", shape, accept }, &sink, out);
}

fn classify_into<'a>(_flow: &Flow<'_, 'a>, vals: &[Val<'a>], arg: &Arg, sink: &SinkInfo, out: &mut Vec<Raw<'a>>) {
    for v in vals {
        match (arg.shape, v) {
            (Shape::Argv, seq @ Val::Seq(_)) => argv(seq, sink, out),
            (Shape::Addr, Val::Seq(elems)) => {
                for s in elems.first().into_iter().flatten().filter_map(as_str) {
                    emit(s, address::host(&s.flat(), arg.accept), false, sink, out);
                }
            }
            (Shape::Hosts | Shape::HostPorts, Val::Seq(elems)) => {
                for s in elems.iter().flatten().filter_map(as_str) {
                    emit(s, by_shape(arg.shape, &s.flat(), arg.accept), false, sink, out);
                }
            }
            (_, Val::Str(s)) => emit(s, by_shape(arg.shape, &s.flat(), arg.accept), false, sink, out),
            _ => {}
        }
    }
}

fn by_shape(shape: Shape, s: &str, accept: Accept) -> Option<Hit> {
    match shape {
        Shape::Host | Shape::Hosts => address::host(s, accept),
        Shape::HostPort | Shape::HostPorts | Shape::Django => address::host_port(s, accept),
        Shape::Url => address::url(s, accept),
        Shape::Listen => address::listen_list(s, accept),
        Shape::Endpoint => address::endpoint(s),
        Shape::Addr | Shape::Argv | Shape::ArgvStar => None,
    }
}

fn emit<'a>(s: &SymStr<'a>, hit: Option<Hit>, in_argv: bool, sink: &SinkInfo, out: &mut Vec<Raw<'a>>) {
    let Some(hit) = hit else { return };
    let Some(loc) = s.locate(hit.range.clone()) else { return };
    let compound = in_argv || hit.range.len() != s.flat().len();
    let more = hit
        .more
        .iter()
        .map(|h| s.locate(h.range.clone()).and_then(|l| l.host_src).map(|r| (r, h.family.loopback())))
        .collect();
    out.push(Raw {
        loc,
        hit,
        sink: sink.range.clone(),
        callee: sink.callee.clone(),
        description: sink.description.clone(),
        config: sink.config,
        compound,
        more,
    });
}

fn as_str<'v, 'a>(v: &'v Val<'a>) -> Option<&'v SymStr<'a>> {
    if let Val::Str(s) = v { Some(s) } else { None }
}

/// `call_command('runserver', '0.0.0.0:8000')`.
fn django<'a>(flow: &Flow<'_, 'a>, c: &'a ast::ExprCall, ctx: Ctx, sink: &SinkInfo, out: &mut Vec<Raw<'a>>) {
    let args = &c.arguments.args;
    let is_runserver = args.first().is_some_and(|a| flow.strs(a, ctx, 0).iter().any(|s| s.flat() == "runserver"));
    if !is_runserver {
        return;
    }
    for a in args.iter().skip(1) {
        for s in flow.strs(a, ctx, 0) {
            emit(&s, address::host_port(&s.flat(), Accept::ZERO), false, sink, out);
        }
    }
}

/// An argv list that starts a known server program with a host flag.
fn argv<'a>(v: &Val<'a>, sink: &SinkInfo, out: &mut Vec<Raw<'a>>) {
    let Val::Seq(elems) = v else { return };
    let words: Vec<Option<String>> = elems.iter().map(|alts| alts.iter().find_map(as_str).map(SymStr::flat)).collect();
    let Some((start, prog)) = find_program(&words) else { return };
    let mut i = start + 1;
    while i < elems.len() {
        let word = words[i].as_deref().unwrap_or_default();
        if prog.runserver
            && word == "runserver"
            && let Some((j, _)) =
                words.iter().enumerate().skip(i + 1).find(|(_, w)| w.as_deref().is_some_and(|w| !w.starts_with('-')))
        {
            value_hits(&elems[j], 0, Shape::HostPort, Accept::ZERO, sink, out);
        }
        for &(flag, shape, accept) in prog.flags {
            if word == flag {
                if let Some(next) = elems.get(i + 1) {
                    value_hits(next, 0, shape, accept, sink, out);
                }
            } else if word.strip_prefix(flag).is_some_and(|r| r.starts_with('=')) {
                value_hits(&elems[i], flag.len() + 1, shape, accept, sink, out);
            }
        }
        i += 1;
    }
}

fn value_hits<'a>(
    alts: &[Val<'a>],
    skip: usize,
    shape: Shape,
    accept: Accept,
    sink: &SinkInfo,
    out: &mut Vec<Raw<'a>>,
) {
    for s in alts.iter().filter_map(as_str) {
        let tail = s.skip(skip);
        emit(&tail, by_shape(shape, &tail.flat(), accept), true, sink, out);
    }
}

/// The argv index of the server program (`uvicorn`, `python -m http.server`, `manage.py`).
fn find_program(words: &[Option<String>]) -> Option<(usize, &'static sinks::Program)> {
    for (i, w) in words.iter().enumerate().take(4) {
        let w = w.as_deref().unwrap_or_default();
        if w == "-m" {
            let module = words.get(i + 1)?.as_deref()?;
            return sinks::program(module).map(|p| (i + 1, p));
        }
        if let Some(p) = sinks::program(w) {
            return Some((i, p));
        }
    }
    None
}

/// Callee text as written, kept short: `app.run`, `….launch`.
pub(crate) fn short(text: &str, e: &Expr) -> String {
    let src = text.get(range(e)).unwrap_or_default();
    if src.len() <= 40 && !src.contains('\n') {
        return src.to_string();
    }
    match e {
        Expr::Attribute(a) => format!("….{}", a.attr.as_str()),
        _ => src.chars().take(30).collect::<String>() + "…",
    }
}
