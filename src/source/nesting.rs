//! The nesting guard: a cheap scan that bounds how deep the parse tree of a text can be, run
//! before the parser sees it.
//!
//! The parser recurses once (or a few times) per level of nesting, and dropping a tree recurses
//! once per level; a 50,000-deep list or a million-term `0+0+…` chain would overflow any thread's
//! stack and abort the process. `CPython` refuses such code itself (200 nested brackets, 100
//! indentation levels, and a compiler recursion limit near 3,000 levels), so a file over
//! [`MAX_DEPTH`] is reported as not analysed instead of parsed; everything under it fits the
//! stack that every parsing thread gets ([`STACK_SIZE`], proven by the tests below).
//!
//! The estimate is an upper bound of the tree depth, computed on tokens without building them:
//! every open bracket, string and f-string replacement field counts one level, every operator
//! (unary or binary, `.`, `not`, `lambda`, `if`/`else`, `await`, …) counts one level until a
//! separator (`,`, `;`, `:`, `=`, the end of a logical line) ends the chain it belongs to, and
//! every indentation level counts one. Ordinary code stays far below the limit: a long data
//! literal is separated by commas, a statement ends at its line.

/// Deepest estimate that is parsed.
pub(crate) const MAX_DEPTH: usize = 5_000;

/// Stack size of every thread that parses or analyses: what a tree [`MAX_DEPTH`] deep needs in
/// the parser, the analysis and the drop, with a wide margin (unoptimised builds included). Only
/// the pages a thread touches are ever committed.
pub const STACK_SIZE: usize = 64 << 20;

/// Where a scan is: in code (top level, inside brackets, inside an f-string replacement field),
/// inside a string, or inside an f-string format spec.
#[derive(Clone, Copy, Debug)]
enum Frame {
    Code { closer: u8, run: usize, lambdas: usize },
    Str { quote: u8, triple: bool, raw: bool, format: bool },
    Spec,
}

/// The scan's state: the frame stack, the operator runs in it, the indentation stack.
struct Scan<'t> {
    bytes: &'t [u8],
    at: usize,
    frames: Vec<Frame>,
    runs: usize,
    indents: Vec<usize>,
    deepest: usize,
    /// Names, numbers, strings, operators and brackets seen: about one tree node each.
    nodes: usize,
}

/// What the scan found: how deep the tree can be, and about how many nodes it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) depth: usize,
    pub(crate) nodes: usize,
}

/// An upper bound of the parse tree's depth, or the first estimate over `limit` (the scan stops
/// there).
#[cfg(test)]
pub(crate) fn estimate(text: &str, limit: usize) -> usize {
    shape(text, limit).depth
}

/// The tree's depth bound (stopping at the first estimate over `depth_limit`) and node count.
pub(crate) fn shape(text: &str, depth_limit: usize) -> Shape {
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
        frames: vec![Frame::Code { closer: 0, run: 0, lambdas: 0 }],
        runs: 0,
        indents: vec![0],
        deepest: 0,
        nodes: 0,
    };
    scan.indentation();
    while scan.at < scan.bytes.len() && scan.deepest <= depth_limit {
        match scan.frames.last().copied() {
            Some(Frame::Str { quote, triple, raw, format }) => scan.string(quote, triple, raw, format),
            Some(Frame::Spec) => scan.spec(),
            Some(Frame::Code { .. }) | None => scan.code(),
        }
    }
    Shape { depth: scan.deepest, nodes: scan.nodes }
}

impl Scan<'_> {
    fn peek(&self, offset: usize) -> u8 {
        self.bytes.get(self.at + offset).copied().unwrap_or(0)
    }

    fn measure(&mut self) {
        let depth = self.frames.len() + self.runs + self.indents.len() - 1;
        self.deepest = self.deepest.max(depth);
    }

    fn push(&mut self, frame: Frame) {
        self.nodes += 1;
        self.frames.push(frame);
        self.measure();
    }

    fn pop(&mut self) {
        if self.frames.len() > 1
            && let Some(Frame::Code { run, .. }) = self.frames.pop()
        {
            self.runs -= run;
        }
    }

    /// One more operator in the current chain.
    fn operator(&mut self) {
        self.nodes += 1;
        if let Some(Frame::Code { run, .. }) = self.frames.last_mut() {
            *run += 1;
            self.runs += 1;
        }
        self.measure();
    }

    /// A separator ends the current chain.
    fn separator(&mut self) {
        if let Some(Frame::Code { run, .. }) = self.frames.last_mut() {
            self.runs -= *run;
            *run = 0;
        }
    }

    /// Whether the innermost code frame is an f-string replacement field.
    fn in_field(&self) -> bool {
        matches!(self.frames.last(), Some(Frame::Code { closer: b'}', .. }))
            && matches!(self.frames.get(self.frames.len().wrapping_sub(2)), Some(Frame::Str { format: true, .. }))
    }

    fn code(&mut self) {
        let byte = self.bytes[self.at];
        match byte {
            b'\n' | b'\r' => {
                self.at += 1;
                if self.frames.len() == 1 {
                    self.separator();
                    self.indentation();
                }
            }
            b'\\' => {
                // A line continuation (`\\\r\n` included) joins the lines into one.
                self.at += 1;
                if self.peek(0) == b'\r' {
                    self.at += 1;
                }
                if self.peek(0) == b'\n' {
                    self.at += 1;
                }
            }
            b'#' => {
                self.at =
                    memchr::memchr2(b'\n', b'\r', &self.bytes[self.at..]).map_or(self.bytes.len(), |n| self.at + n);
            }
            b'\'' | b'"' => self.open_string(&[]),
            b'(' | b'[' | b'{' => {
                self.at += 1;
                let closer = match byte {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                self.push(Frame::Code { closer, run: 0, lambdas: 0 });
            }
            b')' | b']' | b'}' => {
                self.at += 1;
                self.pop();
                // A call, subscript or display continues the chain it stands in (`f()()()` is a
                // tree as deep as it is long).
                self.operator();
            }
            b',' | b';' => {
                self.at += 1;
                self.separator();
            }
            b':' if self.peek(1) == b'=' => {
                self.at += 2;
                self.operator();
            }
            b':' => {
                self.at += 1;
                if let Some(Frame::Code { lambdas: pending @ 1.., .. }) = self.frames.last_mut() {
                    *pending -= 1;
                } else if self.in_field() {
                    self.push(Frame::Spec);
                } else {
                    self.separator();
                }
            }
            b'=' if self.peek(1) == b'=' => {
                self.at += 2;
                self.operator();
            }
            b'=' => {
                self.at += 1;
                self.separator();
            }
            b'-' if self.peek(1) == b'>' => {
                self.at += 2;
                self.separator();
            }
            b'!' if self.in_field() && self.peek(1) != b'=' => self.at += 1,
            b'.' if self.peek(1).is_ascii_digit() => self.number(),
            b'0'..=b'9' => self.number(),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'<' | b'>' | b'!' | b'.' => {
                let pair = [byte, self.peek(1)];
                let two = matches!(&pair, b"**" | b"//" | b"<<" | b">>" | b"<=" | b">=" | b"!=");
                self.at += if two { 2 } else { 1 };
                self.operator();
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => self.word(),
            b' ' | b'\t' => {
                // Runs of blanks are the commonest bytes of code: skipped here, not one by one.
                self.at += 1;
                while matches!(self.peek(0), b' ' | b'\t') {
                    self.at += 1;
                }
            }
            _ => self.at += 1,
        }
    }

    fn number(&mut self) {
        self.nodes += 1;
        while self.peek(0).is_ascii_alphanumeric() || matches!(self.peek(0), b'_' | b'.') {
            self.at += 1;
        }
    }

    /// A name, a keyword, or a string prefix.
    fn word(&mut self) {
        self.nodes += 1;
        let start = self.at;
        while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' || self.peek(0) >= 0x80 {
            self.at += 1;
        }
        let bytes = self.bytes;
        let word = &bytes[start..self.at];
        if matches!(self.peek(0), b'\'' | b'"') && word.len() <= 2 && word.iter().all(|b| b"rRbBuUfFtT".contains(b)) {
            self.open_string(word);
            return;
        }
        if word == b"lambda" {
            // Its `:` does not end the chain: the body nests inside the lambda.
            if let Some(Frame::Code { lambdas, .. }) = self.frames.last_mut() {
                *lambdas += 1;
            }
        }
        if matches!(word, b"not" | b"lambda" | b"await" | b"if" | b"else" | b"and" | b"or" | b"in" | b"is") {
            self.operator();
        }
    }

    /// Opens a string at the quote under the cursor, written with `prefix` (`rb`, `f`, …).
    fn open_string(&mut self, prefix: &[u8]) {
        let raw = prefix.iter().any(|b| matches!(b, b'r' | b'R'));
        let format = prefix.iter().any(|b| matches!(b, b'f' | b'F' | b't' | b'T'));
        let quote = self.bytes[self.at];
        let triple = self.peek(1) == quote && self.peek(2) == quote;
        self.at += if triple { 3 } else { 1 };
        self.push(Frame::Str { quote, triple, raw, format });
    }

    fn string(&mut self, quote: u8, triple: bool, raw: bool, format: bool) {
        let byte = self.bytes[self.at];
        match byte {
            b'\\' if !raw && format && self.peek(1) == b'N' && self.peek(2) == b'{' => {
                self.at = memchr::memchr(b'}', &self.bytes[self.at..]).map_or(self.bytes.len(), |n| self.at + n + 1);
            }
            b'\\' => self.at += 2,
            b'\n' | b'\r' if !triple => {
                // An unterminated string ends at the line, as the tokenizer recovers.
                self.frames.pop();
            }
            b'{' if format && self.peek(1) == b'{' => self.at += 2,
            b'}' if format && self.peek(1) == b'}' => self.at += 2,
            b'{' if format => {
                self.at += 1;
                self.push(Frame::Code { closer: b'}', run: 0, lambdas: 0 });
            }
            q if q == quote && (!triple || (self.peek(1) == quote && self.peek(2) == quote)) => {
                self.at += if triple { 3 } else { 1 };
                self.frames.pop();
            }
            _ => self.skip_plain_text(quote, triple, format),
        }
    }

    /// Moves past string text up to the next byte [`Self::string`] may act on (a quote, a
    /// backslash, a line end, a brace of an f-string): most of a string is plain text.
    fn skip_plain_text(&mut self, quote: u8, triple: bool, format: bool) {
        self.at += 1;
        let rest = &self.bytes[self.at..];
        if triple && !format {
            // Line ends do not matter in a triple-quoted string.
            self.at = memchr::memchr2(quote, b'\\', rest).map_or(self.bytes.len(), |n| self.at + n);
            return;
        }
        let stops = |b: &u8| *b == quote || matches!(b, b'\\' | b'\n' | b'\r') || format && matches!(b, b'{' | b'}');
        self.at = rest.iter().position(stops).map_or(self.bytes.len(), |n| self.at + n);
    }

    /// A format spec (`f"{x:>{width}}"`): text with nested fields, ended by `}` (which also ends
    /// its field) or by the string's own quote.
    fn spec(&mut self) {
        match self.bytes[self.at] {
            b'{' => {
                self.at += 1;
                self.push(Frame::Code { closer: b'}', run: 0, lambdas: 0 });
            }
            b'}' => {
                self.at += 1;
                self.frames.pop();
                self.pop();
            }
            b'\n' | b'\r' | b'\'' | b'"' => {
                // The string ends here (or the spec is broken): back to its string frame.
                self.frames.pop();
                self.pop();
            }
            _ => self.at += 1,
        }
    }

    /// At the start of a line outside brackets: the indentation level of the next line that is
    /// not blank or a comment.
    fn indentation(&mut self) {
        let mut column = 0;
        while self.at < self.bytes.len() {
            match self.bytes[self.at] {
                b' ' => column += 1,
                b'\t' => column = (column / 8 + 1) * 8,
                b'\x0c' => column = 0,
                b'\n' | b'\r' => column = 0,
                b'#' => return,
                _ => break,
            }
            self.at += 1;
        }
        if self.at >= self.bytes.len() {
            return;
        }
        let top = self.indents.last().copied().unwrap_or(0);
        if column > top {
            self.indents.push(column);
        } else {
            while self.indents.len() > 1 && self.indents.last().is_some_and(|&i| i > column) {
                self.indents.pop();
            }
        }
        self.measure();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        estimate(text, usize::MAX)
    }

    #[test]
    fn ordinary_code_is_shallow() {
        let code = "import os\n\nclass App:\n    def run(self, host='127.0.0.1', port=8000):\n        \
                    return serve(self, host=os.environ.get('HOST', host), port=int(port) + 1)\n";
        assert!(depth(code) < 12, "{}", depth(code));
        let data = format!("TABLE = [{}]\n", (0..10_000).map(|i| format!("-{i}")).collect::<Vec<_>>().join(", "));
        assert!(depth(&data) < 5, "{}", depth(&data));
        let statements = "x = a + b * c - d\n".repeat(10_000);
        assert!(depth(&statements) < 8, "{}", depth(&statements));
    }

    #[test]
    fn every_kind_of_nesting_counts() {
        let n = 1000;
        let cases = [
            format!("x = {}0{}", "[".repeat(n), "]".repeat(n)),
            format!("x = {}0{}", "(".repeat(n), ")".repeat(n)),
            format!("x = {}0", "0+".repeat(n)),
            format!("x = {}0", "not ".repeat(n)),
            format!("x = {}0", "-".repeat(n)),
            format!("x = {}0", "lambda: ".repeat(n)),
            format!("x = {}0", "0 if 0 else ".repeat(n)),
            format!("x = a{}", ".b".repeat(n)),
            format!("x = f{}", "()".repeat(n)),
            format!("x = {}0", "2**".repeat(n)),
            format!("x = 0{}", " +\\\r\n0".repeat(n)),
            format!("x = {}1{}", "f'{".repeat(n), "}'".repeat(n)),
            format!("x = f'{{0:{}}}'", "{0:".repeat(n) + &"}".repeat(n)),
            (0..n).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(n) + "pass\n",
        ];
        for case in &cases {
            assert!(depth(case) >= n, "{} for {:?}", depth(case), &case[..40.min(case.len())]);
        }
    }

    #[test]
    fn strings_and_comments_do_not_count() {
        let n = 10_000;
        let text = format!("x = '{}' # {}\ny = \"\"\"{}\"\"\"\n", "(".repeat(n), "[".repeat(n), "{".repeat(n));
        assert!(depth(&text) < 5, "{}", depth(&text));
        assert!(depth("x = f'{{literal}}' + r'\\' + '\\''\n") < 5);
    }

    #[test]
    fn the_scan_stops_past_the_limit() {
        let text = "[".repeat(1_000_000);
        assert_eq!(estimate(&text, 10), 11);
        assert_eq!(shape("x = [1, 2, 'a']\n", usize::MAX).nodes, 6);
    }
}
