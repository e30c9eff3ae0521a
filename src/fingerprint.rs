//! FNV-1a: a small hash fixed by its definition, so what it derives (a PDF's /ID, the seed of an
//! exercise's variants) is the same on every machine, toolchain and build.

/// The 64-bit FNV-1a hash of `bytes`, its offset basis xored with `seed` (0 is plain FNV-1a),
/// so different uses of the same bytes get different hashes.
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>, seed: u64) -> u64 {
    bytes
        .into_iter()
        .fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn it_is_fnv1a() {
        // The published test vectors of 64-bit FNV-1a.
        assert_eq!(super::fnv1a(*b"", 0), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(*b"a", 0), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::fnv1a(*b"foobar", 0), 0x8594_4171_f739_67e8);
    }
}
