//! Text looked at eight bytes at a time (SWAR): the search records' scanners skip the plain
//! runs between the bytes they act on without a test per byte.

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGH: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of `word` below `n` (at most 0x80), and possibly of bytes above
/// the first such one: a byte below `n` borrows when `n` is taken from it, and the borrow
/// carries upward only, so the lowest flag is always a true one.
pub(super) fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
}

/// The high bit of each byte of `word` that is `b` (and possibly of bytes above the first).
pub(super) fn equal(word: u64, b: u8) -> u64 {
    below(word ^ (ONES * u64::from(b)), 1)
}

/// The high bit of each byte of `word` that is not ASCII.
pub(super) fn non_ascii(word: u64) -> u64 {
    word & HIGH
}

/// Where, from `i`, the first byte of `bytes` that `flags` flags is, eight bytes at a time; or
/// where the last whole eight bytes end when none of them has one (the rest is for the caller
/// to look at a byte at a time).
pub(super) fn skip_unflagged(bytes: &[u8], mut i: usize, flags: impl Fn(u64) -> u64) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let found = flags(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        if found != 0 {
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The first byte flagged is the first byte that is below `n`, is `b` or is not ASCII.
        #[test]
        fn the_lowest_flag_is_the_first_matching_byte(bytes in proptest::collection::vec(0u8..=255, 0..24), n in 1u8..=0x80, b in 0u8..0x80) {
            let flagged = skip_unflagged(&bytes, 0, |w| below(w, n) | equal(w, b) | non_ascii(w));
            let first = bytes.iter().position(|&x| x < n || x == b || x >= 0x80);
            match first {
                Some(at) if at < bytes.len() / 8 * 8 => proptest::prop_assert_eq!(flagged, at),
                _ => proptest::prop_assert_eq!(flagged, bytes.len() / 8 * 8),
            }
        }
    }
}
