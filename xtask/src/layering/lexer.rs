//! Just enough of a Rust lexer for the layering check: comments and literals blanked out, the rest cut
//! into tokens that know their line, and the items under `#[cfg(test)]` dropped.
//!
//! It does not parse Rust. It only has to make sure that a `crate::x` in a comment or a string does not
//! count as a path, and that a brace in a string or a char does not throw the brace matching off.

/// One token: an identifier or keyword (a raw identifier keeps its `r#`), `::`, or any other single
/// character of punctuation. Numbers come out as identifier-like tokens starting with a digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    /// 1-based line in the source file.
    pub line: usize,
}

impl Token {
    /// An identifier or a keyword (what a path segment can be).
    pub fn is_ident(&self) -> bool {
        self.text
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
    }
}

/// The tokens of a source file outside comments, literals and `#[cfg(test)]` items.
pub fn tokens(source: &str) -> Vec<Token> {
    without_test_items(tokenize(&strip(source)))
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Pushes the blank that stands for `c` (a newline stays a newline, so that lines keep their number).
fn blank(out: &mut String, c: char) {
    out.push(if c == '\n' { '\n' } else { ' ' });
}

/// The source with every comment (doc comments included) and every string, byte string, raw string and
/// char literal replaced by blanks. Lifetimes and labels (`'a`) are kept.
pub fn strip(source: &str) -> String {
    let c: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied();
        let prev_is_ident = i > 0 && is_ident_char(c[i - 1]);
        if c[i] == '/' && at(i + 1) == Some('/') {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '/' && at(i + 1) == Some('*') {
            // Block comments nest.
            let mut depth = 0usize;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == Some('*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == Some('/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if !prev_is_ident && let Some((prefix, hashes)) = raw_string_start(&c, i) {
            // r"..", r#".."#, br"..", cr"..": no escapes, ends at `"` followed by as many `#`.
            let body = i + prefix + hashes + 1;
            let mut end = body;
            while end < c.len()
                && !(c[end] == '"' && (1..=hashes).all(|h| at(end + h) == Some('#')))
            {
                end += 1;
            }
            let stop = (end + 1 + hashes).min(c.len());
            for &ch in &c[i..stop] {
                blank(&mut out, ch);
            }
            i = stop;
        } else if c[i] == '"'
            || (!prev_is_ident && matches!(c[i], 'b' | 'c') && at(i + 1) == Some('"'))
        {
            // "..", b"..", c"..", with backslash escapes.
            let mut k = if c[i] == '"' { i + 1 } else { i + 2 };
            while k < c.len() && c[k] != '"' {
                k += if c[k] == '\\' { 2 } else { 1 };
            }
            let stop = (k + 1).min(c.len());
            for &ch in &c[i..stop] {
                blank(&mut out, ch);
            }
            i = stop;
        } else if c[i] == '\'' {
            // A char literal ('x', '\n', '\u{7FFF}', b'x' after its `b`) or a lifetime / label ('a).
            let end = if at(i + 1) == Some('\\') {
                (i + 3..(i + 12).min(c.len())).find(|&k| c[k] == '\'')
            } else if at(i + 2) == Some('\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for &ch in &c[i..=end] {
                        blank(&mut out, ch);
                    }
                    i = end + 1;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// At `i`, the start of a raw string literal: the length of its prefix (`r`, `br`, `cr`) and its
/// number of `#`. `r#ident` (a raw identifier) is not one.
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, usize)> {
    let prefix = match (c.get(i), c.get(i + 1)) {
        (Some('r'), _) => 1,
        (Some('b' | 'c'), Some('r')) => 2,
        _ => return None,
    };
    let hashes = c[i + prefix..].iter().take_while(|&&ch| ch == '#').count();
    (c.get(i + prefix + hashes) == Some(&'"')).then_some((prefix, hashes))
}

/// Cuts stripped source into tokens.
pub fn tokenize(stripped: &str) -> Vec<Token> {
    let c: Vec<char> = stripped.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if is_ident_char(ch) {
            let start = i;
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
            // A raw identifier `r#name` stays one token, `r#` included, so it never reads as a keyword.
            if i - start == 1
                && ch == 'r'
                && c.get(i) == Some(&'#')
                && c.get(i + 1).is_some_and(|&n| is_ident_char(n))
            {
                i += 1;
                while i < c.len() && is_ident_char(c[i]) {
                    i += 1;
                }
            }
            tokens.push(Token {
                text: c[start..i].iter().collect(),
                line,
            });
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            tokens.push(Token {
                text: "::".to_owned(),
                line,
            });
            i += 2;
        } else {
            tokens.push(Token {
                text: ch.to_string(),
                line,
            });
            i += 1;
        }
    }
    tokens
}

fn texts_at(tokens: &[Token], i: usize, expected: &[&str]) -> bool {
    tokens.len() >= i + expected.len()
        && expected.iter().zip(&tokens[i..]).all(|(e, t)| t.text == *e)
}

/// The tokens without the items marked `#[cfg(test)]` (a `mod tests { .. }`, a `use`, a `fn`...) and
/// without what follows an inner `#![cfg(test)]` up to the end of its enclosing block or file.
/// Only the exact attribute `cfg(test)` is recognised (`cfg(any(test, ..))` still counts as code).
pub fn without_test_items(tokens: Vec<Token>) -> Vec<Token> {
    const OUTER: &[&str] = &["#", "[", "cfg", "(", "test", ")", "]"];
    const INNER: &[&str] = &["#", "!", "[", "cfg", "(", "test", ")", "]"];
    let mut kept = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if texts_at(&tokens, i, OUTER) {
            i = item_end(&tokens, i + OUTER.len());
        } else if texts_at(&tokens, i, INNER) {
            i = block_end(&tokens, i + INNER.len());
        } else {
            kept.push(tokens[i].clone());
            i += 1;
        }
    }
    kept
}

/// Where the item starting at `start` ends: after its `;` or its closing `}` at its own level, or at a
/// closing bracket it did not open (then the attribute was on a field or an argument; what follows it
/// in the same list is dropped too, which can only hide paths, never invent them).
fn item_end(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    for (k, token) in tokens.iter().enumerate().skip(start) {
        match token.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                if depth == 0 {
                    return k;
                }
                depth -= 1;
                if depth == 0 && token.text == "}" {
                    return k + 1;
                }
            }
            ";" if depth == 0 => return k + 1,
            _ => {}
        }
    }
    tokens.len()
}

/// The closing bracket of the block that contains `start` (or the end of the file).
fn block_end(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    for (k, token) in tokens.iter().enumerate().skip(start) {
        match token.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                if depth == 0 {
                    return k;
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    tokens.len()
}
