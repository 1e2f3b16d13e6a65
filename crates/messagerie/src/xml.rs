//! The one XML text escape of the crate (element content and attribute values).

/// `s` with `&`, `<`, `>`, `"` and `'` escaped, and control characters (other than tab and
/// newlines), which XML 1.0 forbids, dropped.
pub(crate) fn echapper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_controls_are_neutralised() {
        assert_eq!(
            super::echapper("A&B <x> \"q\" 'a'\u{1}"),
            "A&amp;B &lt;x&gt; &quot;q&quot; &apos;a&apos;"
        );
    }
}
