//! Thin wrapper over Ruff's Python parser: the only module that names the parser crate.
//!
//! The rules walk `ruff_python_ast` nodes (re-exported here as [`ast`]); parser-specific types
//! (`Parsed`, tokens, errors) stay behind this module so that upgrading the pinned parser touches
//! one place.

pub(crate) use ruff_python_ast as ast;
pub(crate) use ruff_text_size::Ranged;

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{ModModule, PySourceType};
use ruff_python_parser::Parsed;

/// A parsed module: the (possibly error-recovered) tree plus what the rules need of the tokens.
pub(crate) struct ParsedModule {
    parsed: Parsed<ModModule>,
}

/// A syntax error, located by byte offset into the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// Which grammar flavour to parse with; stubs allow a few extra forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Module,
    Stub,
}

impl Flavor {
    pub(crate) fn for_stub(stub: bool) -> Self {
        if stub { Flavor::Stub } else { Flavor::Module }
    }
}

/// Parses with error recovery: a file with syntax errors still yields a tree.
pub(crate) fn parse(text: &str, flavor: Flavor) -> ParsedModule {
    let source_type = match flavor {
        Flavor::Module => PySourceType::Python,
        Flavor::Stub => PySourceType::Stub,
    };
    ParsedModule { parsed: ruff_python_parser::parse_unchecked_source(text, source_type) }
}

impl ParsedModule {
    pub(crate) fn body(&self) -> &[ast::Stmt] {
        &self.parsed.syntax().body
    }

    pub(crate) fn syntax_errors(&self) -> Vec<SyntaxError> {
        self.parsed
            .errors()
            .iter()
            .map(|e| SyntaxError { offset: e.location.start().to_usize(), message: e.error.to_string() })
            .collect()
    }

    /// Byte ranges of real comment tokens (never text inside strings).
    pub(crate) fn comments(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        self.parsed
            .tokens()
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment)
            .map(|t| t.range().start().to_usize()..t.range().end().to_usize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_from_syntax_errors_and_keeps_statements() {
        let m = parse("x = 1\ndef broken(:\n    pass\ny = 2\n", Flavor::Module);
        assert!(!m.syntax_errors().is_empty());
        assert!(m.body().len() >= 2);
    }

    #[test]
    fn comments_are_tokens_not_string_text() {
        let text = "s = '# ignore'  # real\n";
        let m = parse(text, Flavor::Module);
        let comments: Vec<_> = m.comments().map(|r| &text[r]).collect();
        assert_eq!(comments, vec!["# real"]);
    }

    #[test]
    fn parses_pep701_fstrings() {
        let m = parse("cfg = {}\nx = f\"{cfg[\"host\"]}\"\n", Flavor::Module);
        assert!(m.syntax_errors().is_empty());
    }
}
