//! Fixes as data (spec §7): edits that make the literal loopback, or read the host from the
//! environment with a loopback default.
//!
//! A fix is only offered when it is faithful: the literal spells the host one-to-one (or the
//! host is the literal's whole value, so the literal can be rewritten), the literal is not also
//! used for something other than the bind, and — for `--fix-style env` — the literal is a bare
//! host (a `host:port` string would need its port split out, which is left to people).

use crate::finding::{Edit, Fix, NoFix};
use crate::python::Ranged;
use crate::python::ast::{Expr, Stmt};
use crate::source::SourceText;

use super::engine::index::{Index, Owner};
use super::engine::strings::{content_range, range};
use super::sites::Raw;
use super::{FixStyle, Options};

/// What every fix in one file shares.
pub(crate) struct FixEnv<'x> {
    pub text: &'x str,
    pub options: &'x Options,
    /// The `import os` insertion, when the module lacks one.
    pub import_os: Option<Edit>,
    pub index: &'x Index<'x>,
}

/// The fix for `raw`; `api_sinks` is how many catalogued sinks this literal reaches.
pub(crate) fn fix(raw: &Raw<'_>, api_sinks: u32, env: &FixEnv<'_>) -> Result<Fix, NoFix> {
    shared_use(raw, api_sinks, env)?;
    let edits = match (env.options.fix_style, raw.loc.lookup) {
        (FixStyle::Env, false) => env_edits(raw, env)?,
        _ => loopback_edits(raw, env.text)?,
    };
    Ok(Fix { edits })
}

/// Refuses when the literal reaches the sink through a name that is read more often than the
/// binds use it (changing the literal would change those other reads too).
fn shared_use(raw: &Raw<'_>, api_sinks: u32, env: &FixEnv<'_>) -> Result<(), NoFix> {
    let at = raw.loc.expr.start().to_usize();
    let elsewhere = raw.sink.module != raw.loc.module;
    let flows_out = |r: &std::ops::Range<usize>| r.contains(&at) && (elsewhere || !r.contains(&raw.sink.range.start));
    let owner = env.index.owners.iter().filter(|(r, _)| flows_out(r)).min_by_key(|(r, _)| r.len());
    match owner {
        Some((_, o)) if env.index.reads(*o) > api_sinks => {
            let name = match o {
                Owner::Name(_, n) | Owner::Attr(n) => n,
            };
            Err(NoFix(format!("`{name}` is also used for something other than this bind; change it by hand")))
        }
        _ => Ok(()),
    }
}

fn loopback_edits(raw: &Raw<'_>, text: &str) -> Result<Vec<Edit>, NoFix> {
    let loopback = raw.hit.family.loopback();
    if raw.hit.flag {
        return Err(NoFix("this flag listens on all interfaces; pass a loopback host instead".into()));
    }
    if raw.hit.escaped {
        return Err(NoFix("the host is written with endpoint escapes (`\\:`); rewrite it by hand".into()));
    }
    let more = raw
        .more
        .clone()
        .ok_or_else(|| NoFix("another host in this list is spelled with escapes; rewrite it by hand".into()))?;
    if let Some(r) = &raw.loc.host_src {
        let first = Edit { range: r.clone(), content: loopback.to_string() };
        return Ok(std::iter::once(first)
            .chain(more.into_iter().map(|(range, l)| Edit { range, content: l.to_string() }))
            .collect());
    }
    if raw.loc.whole {
        return rewrite_parts(raw.loc.expr, text, loopback);
    }
    Err(NoFix("the host is spelled with escapes or split across literals; rewrite it by hand".into()))
}

/// Rewrites every part of a (possibly implicitly concatenated) literal: the first becomes
/// `content`, the others empty.
fn rewrite_parts(expr: &Expr, text: &str, content: &str) -> Result<Vec<Edit>, NoFix> {
    let parts: Vec<std::ops::Range<usize>> = match expr {
        Expr::StringLiteral(s) => s.value.iter().map(range).collect(),
        Expr::BytesLiteral(b) => b.value.iter().map(range).collect(),
        _ => return Err(NoFix("the host is part of an f-string that cannot be rewritten faithfully".into())),
    };
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let inner = content_range(text, p).ok_or_else(|| NoFix("unterminated literal".into()))?;
            Ok(Edit { range: inner, content: if i == 0 { content.to_string() } else { String::new() } })
        })
        .collect()
}

fn env_edits(raw: &Raw<'_>, env: &FixEnv<'_>) -> Result<Vec<Edit>, NoFix> {
    if raw.compound || !raw.loc.whole {
        return Err(NoFix(
            "the host is part of a longer address; read it from the environment by hand (or use the loopback fix)"
                .into(),
        ));
    }
    if matches!(raw.loc.expr, Expr::BytesLiteral(_)) {
        return Err(NoFix("a bytes host cannot be read from os.environ; use the loopback fix".into()));
    }
    let var = &env.options.env_var;
    if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(NoFix(format!("{var:?} is not a usable environment variable name")));
    }
    let src = env.text.get(range(raw.loc.expr)).unwrap_or_default();
    let q = if src.trim_start_matches(|c: char| c.is_ascii_alphabetic()).starts_with('\'') { '\'' } else { '"' };
    let call = format!("os.environ.get({q}{var}{q}, {q}{}{q})", raw.hit.family.loopback());
    let mut edits = vec![Edit { range: range(raw.loc.expr), content: call }];
    edits.extend(env.import_os.clone());
    Ok(edits)
}

/// Where `import os` goes when the module does not import it at top level: after a module
/// docstring and `from __future__` imports, else after the leading comment lines.
pub(crate) fn import_os(body: &[Stmt], source: &SourceText) -> Option<Edit> {
    let imported = body.iter().any(|s| match s {
        Stmt::Import(i) => i.names.iter().any(|a| match &a.asname {
            Some(as_) => as_.as_str() == "os" && a.name.as_str() == "os",
            None => a.name.as_str() == "os" || a.name.as_str().starts_with("os."),
        }),
        _ => false,
    });
    if imported {
        return None;
    }
    let text = source.text();
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut last = None;
    for (i, s) in body.iter().enumerate() {
        let docstring = i == 0 && matches!(s, Stmt::Expr(e) if matches!(&*e.value, Expr::StringLiteral(_)));
        let future = matches!(s, Stmt::ImportFrom(f) if f.module.as_ref().is_some_and(|m| m.as_str() == "__future__"));
        if !(docstring || future) {
            break;
        }
        last = Some(s.end().to_usize());
    }
    let at = match last {
        Some(end) => {
            let line = source.line_of(end);
            if line < source.line_count() {
                source.line_start(line + 1)
            } else {
                return Some(Edit { range: text.len()..text.len(), content: format!("{nl}import os{nl}") });
            }
        }
        None => leading_comments_end(text),
    };
    let lead = if at == text.len() && !text.is_empty() && !text.ends_with('\n') { nl } else { "" };
    Some(Edit { range: at..at, content: format!("{lead}import os{nl}") })
}

/// The offset after the shebang / encoding / comment lines that open a file.
fn leading_comments_end(text: &str) -> usize {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim_start().starts_with('#') {
            break;
        }
        at += line.len();
    }
    at
}
