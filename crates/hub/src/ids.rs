//! Checks of the identifiers and codes that callers type or send: INSEE département codes,
//! UUIDs (before casting them in SQL) and enrollment codes as typed. No dependency: the
//! operators' commands, the enrollment and the HTTP handlers all use them.

/// Whether `code` is an INSEE département code (same rule as the database's CHECK).
pub fn is_departement(code: &str) -> bool {
    let b = code.as_bytes();
    match b {
        [d1, d2] if d1.is_ascii_digit() && d2.is_ascii_digit() => {
            !matches!(code, "00" | "20" | "96" | "97" | "98" | "99")
        }
        [b'2', b'A' | b'B'] => true,
        [b'9', b'7', d] => (b'1'..=b'6').contains(d),
        _ => false,
    }
}

/// Whether `id` is written like a UUID (so it can be cast in SQL without an error).
pub fn is_uuid(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The canonical form of an enrollment code as typed: upper case, no dashes nor spaces.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}
