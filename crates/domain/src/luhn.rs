//! The Luhn check digit, as used by RPPS numbers (11 digits) and FINESS-like identifiers.

/// True when `digits` is a non-empty string of ASCII digits whose Luhn checksum is valid.
pub fn is_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// True when `rpps` is an 11-digit RPPS number with a valid Luhn key.
pub fn is_valid_rpps(rpps: &str) -> bool {
    rpps.len() == 11 && is_valid(rpps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpps_numbers_of_the_sample_file_are_valid() {
        // Taken from the synthetic RPPS sample, whose numbers carry a valid key by construction.
        assert!(is_valid_rpps("10181590836"));
    }

    #[test]
    fn a_changed_digit_breaks_the_key() {
        assert!(!is_valid_rpps("10181590837"), "last digit changed");
        assert!(!is_valid_rpps("1018159083"), "too short");
        assert!(!is_valid_rpps("1018159083a"), "not a digit");
    }
}
