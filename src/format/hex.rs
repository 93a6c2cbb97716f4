//! Hexadecimal digests: lower-case for hashes mmbrand records, colon-separated upper-case
//! for certificate fingerprints (the form Android's assetlinks.json expects).

/// Lower-case hex, two digits a byte (`0aff10`).
pub fn lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Upper-case hex bytes joined by `:` (`0A:FF:10`).
pub fn colon_upper(bytes: &[u8]) -> String {
    let upper = lower(bytes).to_ascii_uppercase();
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, c) in upper.chars().enumerate() {
        if i > 0 && i % 2 == 0 {
            out.push(':');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_is_two_digits_a_byte() {
        assert_eq!(lower(&[0x00, 0x0a, 0xff, 0x10]), "000aff10");
        assert_eq!(lower(&[]), "");
    }

    #[test]
    fn colon_upper_joins_pairs() {
        assert_eq!(colon_upper(&[0x0a, 0xff, 0x10]), "0A:FF:10");
        assert_eq!(colon_upper(&[]), "");
    }
}
