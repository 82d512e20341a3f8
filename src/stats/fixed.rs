//! Exact fixed-point arithmetic on little-endian `u64` limbs (two's complement where
//! signed), used by [`super::Moments`] to keep `Σx` and `Σx²` exactly.

/// Splits a finite `x` into sign, integer significand `m < 2⁵³` and exponent `k ≥ −1074`
/// with `|x| = m · 2ᵏ`.
pub(super) fn decompose(x: f64) -> (bool, u64, i64) {
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let exp_field = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    if exp_field == 0 {
        (negative, frac, -1074)
    } else {
        (negative, frac | (1u64 << 52), exp_field - 1075)
    }
}

/// `v << bit` as three 64-bit words starting at limb `bit / 64`.
fn shifted_words(v: u128, bit: usize) -> (usize, [u64; 3]) {
    let limb = bit / 64;
    let b = (bit % 64) as u32;
    let lo = v << b;
    let hi = if b == 0 { 0 } else { v >> (128 - b) };
    (limb, [lo as u64, (lo >> 64) as u64, hi as u64])
}

/// `limbs += v · 2^bit` modulo 2^(64·len).
pub(super) fn add_at(limbs: &mut [u64], v: u128, bit: usize) {
    let (start, words) = shifted_words(v, bit);
    let mut carry = false;
    for (j, w) in words.into_iter().enumerate() {
        let Some(l) = limbs.get_mut(start + j) else {
            return;
        };
        let (s1, c1) = l.overflowing_add(w);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *l = s2;
        carry = c1 | c2;
    }
    let mut i = start + 3;
    while carry {
        let Some(l) = limbs.get_mut(i) else {
            return;
        };
        let (s, c) = l.overflowing_add(1);
        *l = s;
        carry = c;
        i += 1;
    }
}

/// `limbs −= v · 2^bit` modulo 2^(64·len).
pub(super) fn sub_at(limbs: &mut [u64], v: u128, bit: usize) {
    let (start, words) = shifted_words(v, bit);
    let mut borrow = false;
    for (j, w) in words.into_iter().enumerate() {
        let Some(l) = limbs.get_mut(start + j) else {
            return;
        };
        let (s1, b1) = l.overflowing_sub(w);
        let (s2, b2) = s1.overflowing_sub(u64::from(borrow));
        *l = s2;
        borrow = b1 | b2;
    }
    let mut i = start + 3;
    while borrow {
        let Some(l) = limbs.get_mut(i) else {
            return;
        };
        let (s, b) = l.overflowing_sub(1);
        *l = s;
        borrow = b;
        i += 1;
    }
}

/// `acc += other` modulo 2^(64·len) (equal lengths).
pub(super) fn add_limbs(acc: &mut [u64], other: &[u64]) {
    let mut carry = false;
    for (a, &b) in acc.iter_mut().zip(other) {
        let (s1, c1) = a.overflowing_add(b);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *a = s2;
        carry = c1 || c2;
    }
}

/// Magnitude of a two's complement number, and whether it is negative.
pub(super) fn twos_abs(limbs: &[u64]) -> (bool, Vec<u64>) {
    let negative = limbs.last().is_some_and(|&top| top >> 63 == 1);
    if !negative {
        return (false, limbs.to_vec());
    }
    let mut out: Vec<u64> = limbs.iter().map(|&l| !l).collect();
    let mut carry = true;
    for l in &mut out {
        if !carry {
            break;
        }
        let (s, c) = l.overflowing_add(1);
        *l = s;
        carry = c;
    }
    (true, out)
}

/// Drops the zero high limbs.
fn trimmed(limbs: &[u64]) -> &[u64] {
    let len = limbs.iter().rposition(|&l| l != 0).map_or(0, |p| p + 1);
    &limbs[..len]
}

/// Exact product of two unsigned numbers.
pub(super) fn mul_limbs(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (a, b) = (trimmed(a), trimmed(b));
    let mut out = vec![0u64; a.len() + b.len() + 1];
    for (i, &x) in a.iter().enumerate() {
        let mut carry: u128 = 0;
        for (j, &y) in b.iter().enumerate() {
            let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        let mut k = i + b.len();
        while carry != 0 && k < out.len() {
            let t = u128::from(out[k]) + carry;
            out[k] = t as u64;
            carry = t >> 64;
            k += 1;
        }
    }
    out
}

/// `a − b` for unsigned numbers, or `None` if it would be negative.
pub(super) fn sub_limbs(a: &[u64], b: &[u64]) -> Option<Vec<u64>> {
    let len = a.len().max(b.len());
    let mut out = Vec::with_capacity(len);
    let mut borrow = false;
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out.push(d2);
        borrow = b1 || b2;
    }
    (!borrow).then_some(out)
}

/// The 64 leading bits of a non-zero unsigned `N`: `(lead, shift)` with
/// `lead = ⌊N / 2^shift⌋ < 2⁶⁴`, except that bit 0 of `lead` is also set when any bit of `N`
/// below `2^shift` is (a sticky bit). `shift > 0` only when `N ≥ 2⁶⁴`, and then
/// `lead ≥ 2⁶³`, so the sticky bit lies 11 bits below the last bit an `f64` keeps. `None`
/// when `N = 0`.
fn leading_bits(limbs: &[u64]) -> Option<(u64, u64)> {
    let limbs = trimmed(limbs);
    let top_index = limbs.len().checked_sub(1)?;
    let top = limbs[top_index];
    let bit_len = top_index as u64 * 64 + u64::from(64 - top.leading_zeros());
    let shift = bit_len.saturating_sub(64);
    // The 64 leading bits.
    let limb = (shift / 64) as usize;
    let b = (shift % 64) as u32;
    let low = limbs[limb];
    let mut lead = if b == 0 {
        low
    } else {
        let high = limbs.get(limb + 1).copied().unwrap_or(0);
        (low >> b) | (high << (64 - b))
    };
    // Sticky bit: any discarded bit set. Bit 0 lies below the rounding position of a
    // 64-bit to 53-bit conversion, so OR-ing it in makes `as f64` round correctly.
    let discarded_low = if b == 0 { 0 } else { low & ((1u64 << b) - 1) };
    if discarded_low != 0 || limbs[..limb].iter().any(|&l| l != 0) {
        lead |= 1;
    }
    Some((lead, shift))
}

/// An unsigned number `N` as `(f, e)` with `f` = `N / 2^e` correctly rounded to `f64`
/// (`f < 2⁶⁴`); `None` when `N = 0`.
pub(super) fn to_mant_exp(limbs: &[u64]) -> Option<(f64, i64)> {
    leading_bits(limbs).map(|(lead, shift)| (lead as f64, shift as i64))
}

/// `(N + δ) · 2^e` rounded once to the nearest `f64`, ties to even, for an unsigned `N`:
/// `δ = 0` when `!inexact`, and some unknown `0 < δ < 1` when `inexact` (the remainder of
/// an exact division, see [`div_small`]). Unlike `ldexp(to_mant_exp(N))` this rounds once
/// in the subnormal range too. 0 when `N = 0` and `!inexact`.
///
/// Requires `N ≥ 2⁵⁴` when `inexact` (so the rounding position lies above bit 0 of `N` and
/// `δ` only acts as a sticky bit) and a result below `f64::MAX`.
pub(super) fn to_f64_rounded(limbs: &[u64], inexact: bool, e: i64) -> f64 {
    let Some((lead, shift)) = leading_bits(limbs) else {
        return 0.0;
    };
    debug_assert!(!inexact || shift > 0 || lead >= 1 << 54);
    // `lead · 2^low` is `N · 2^e` up to the sticky bit; `top` is the weight of its leading
    // bit, `last` the weight of the last bit the result keeps: 53 significant bits, or
    // fewer where the result is subnormal (no bit below 2⁻¹⁰⁷⁴).
    let low = e + shift as i64;
    let top = low + i64::from(63 - lead.leading_zeros());
    let last = (top - 52).max(-1074);
    let dropped = last - low;
    if dropped <= 0 {
        // Every bit is kept (and then `shift = 0`: `lead` is exact and has ≤ 53 bits).
        return ldexp(lead as f64, low);
    }
    let dropped = u32::try_from(dropped).unwrap_or(u32::MAX);
    let kept = lead.checked_shr(dropped).unwrap_or(0);
    let (half, below) = match dropped {
        1..=64 => (
            (lead >> (dropped - 1)) & 1 == 1,
            lead & ((1u64 << (dropped - 1)) - 1),
        ),
        _ => (false, lead),
    };
    let round_up = half && (below != 0 || inexact || kept & 1 == 1);
    // `kept + 1 ≤ 2⁵³` and `last ≥ −1074`: exactly representable, so `ldexp` is exact.
    ldexp((kept + u64::from(round_up)) as f64, last)
}

/// `limbs ← ⌊limbs / d⌋` in place (unsigned), returning the remainder `limbs mod d`.
/// Panics if `d = 0`.
pub(super) fn div_small(limbs: &mut [u64], d: u64) -> u64 {
    let d = u128::from(d);
    let mut rem: u128 = 0;
    for l in limbs.iter_mut().rev() {
        let cur = (rem << 64) | u128::from(*l);
        *l = (cur / d) as u64;
        rem = cur % d;
    }
    rem as u64
}

/// `x · 2^e`, scaling in steps so that no intermediate overflows or underflows early.
pub(super) fn ldexp(mut x: f64, mut e: i64) -> f64 {
    let two_pow = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
    while e > 1000 {
        x *= two_pow(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= two_pow(-1000);
        e += 1000;
    }
    x * two_pow(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact rational value of the limbs as f64 via a slow reference path.
    fn limbs_from_u128(v: u128, len: usize) -> Vec<u64> {
        let mut out = vec![0; len];
        out[0] = v as u64;
        out[1] = (v >> 64) as u64;
        out
    }

    #[test]
    fn decompose_roundtrips() {
        for &x in &[
            1.0,
            -2.5,
            0.1,
            f64::MIN_POSITIVE,
            5e-324,
            -1e140,
            123456.789,
        ] {
            let (neg, m, k) = decompose(x);
            let back = ldexp(m as f64, k);
            assert_eq!(if neg { -back } else { back }, x);
        }
    }

    #[test]
    fn add_and_sub_at_cancel_and_carry() {
        let mut limbs = vec![u64::MAX, u64::MAX, 0, 0, 0];
        add_at(&mut limbs, 1, 0);
        assert_eq!(limbs, vec![0, 0, 1, 0, 0]);
        sub_at(&mut limbs, 1, 0);
        assert_eq!(limbs, vec![u64::MAX, u64::MAX, 0, 0, 0]);
        let mut z = vec![0u64; 6];
        add_at(&mut z, u128::MAX, 63);
        sub_at(&mut z, u128::MAX, 63);
        assert!(z.iter().all(|&l| l == 0));
        sub_at(&mut z, 5, 70);
        let (neg, mag) = twos_abs(&z);
        assert!(neg);
        let (f, e) = to_mant_exp(&mag).unwrap();
        assert_eq!(ldexp(f, e), 5.0 * 2f64.powi(70));
    }

    #[test]
    fn to_mant_exp_rounds_correctly_with_sticky_bit() {
        // 2^64 + 2^11 + 1: the tie at bit 11 of a 65-bit number is broken upward by the
        // sticky bit below it.
        let limbs = vec![(1u64 << 11) | 1, 1];
        let (f, e) = to_mant_exp(&limbs).unwrap();
        let exact = 2f64.powi(64) + 2f64.powi(12); // next representable above 2^64
        assert_eq!(ldexp(f, e), exact);
        assert_eq!(to_mant_exp(&[0, 0]), None);
    }

    #[test]
    fn mul_and_sub_limbs() {
        let a = limbs_from_u128(u128::from(u64::MAX) + 7, 3);
        let p = mul_limbs(&a, &a);
        let (f, e) = to_mant_exp(&p).unwrap();
        let v = (u64::MAX as f64 + 7.0).powi(2);
        assert!((ldexp(f, e) - v).abs() <= v * 1e-15);
        assert_eq!(sub_limbs(&[1], &[2]), None);
        assert_eq!(sub_limbs(&[0, 1], &[1]), Some(vec![u64::MAX, 0]));
    }

    #[test]
    fn div_small_matches_u128_and_reconstructs_the_dividend() {
        for (v, d) in [
            (0u128, 1u64),
            (u128::MAX, 1),
            (u128::MAX, 3),
            (12345, 7),
            (1 << 100, u64::MAX),
        ] {
            let mut limbs = limbs_from_u128(v, 3);
            let r = div_small(&mut limbs, d);
            assert_eq!(limbs, limbs_from_u128(v / u128::from(d), 3), "{v} / {d}");
            assert_eq!(u128::from(r), v % u128::from(d));
        }
        // A wide dividend: q·d + r gives it back, with r < d.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state
        };
        for _ in 0..50 {
            let a: Vec<u64> = (0..9).map(|_| next()).collect();
            let d = next() >> (next() % 64);
            let d = d.max(1);
            let mut q = a.clone();
            let r = div_small(&mut q, d);
            assert!(r < d);
            let mut back = mul_limbs(&q, &[d]);
            add_at(&mut back, u128::from(r), 0);
            assert_eq!(back[..9], a[..]);
            assert!(back[9..].iter().all(|&l| l == 0));
        }
    }

    #[test]
    fn to_f64_rounded_rounds_once_to_nearest_even() {
        // 55 bits, the two dropped bits are exactly one half: ties to even (down), and an
        // inexact tail breaks the tie upward.
        let n = limbs_from_u128((1 << 54) + 2, 2);
        assert_eq!(to_f64_rounded(&n, false, 0), 2f64.powi(54));
        assert_eq!(to_f64_rounded(&n, true, 0), 2f64.powi(54) + 4.0);
        let n = limbs_from_u128((1 << 54) + 6, 2);
        assert_eq!(to_f64_rounded(&n, false, 0), 2f64.powi(54) + 8.0);
        // Exact values, zero.
        assert_eq!(to_f64_rounded(&[12345, 0], false, -3), 12345.0 / 8.0);
        assert_eq!(to_f64_rounded(&[0, 0], false, -1074), 0.0);
        // Subnormal: (2⁶⁴ + 2⁶³ − 1) · 2⁻¹¹³⁸ is just below 1.5 · 2⁻¹⁰⁷⁴, so it rounds to
        // 2⁻¹⁰⁷⁴. Rounding to 53 bits first (`to_mant_exp`) makes it the tie 1.5 · 2⁻¹⁰⁷⁴,
        // which then rounds to even, 2⁻¹⁰⁷³: the double rounding this function avoids.
        let tiny = 5e-324;
        let n = vec![(1u64 << 63) - 1, 1];
        assert_eq!(to_f64_rounded(&n, false, -1138), tiny);
        let (f, e) = to_mant_exp(&n).unwrap();
        assert_eq!(ldexp(f, e - 1138), 2.0 * tiny);
        // Subnormal ties and tails: 1.5 → 2, 0.5 → 0, 0.5 + δ → 1, 0.25 → 0 (units 2⁻¹⁰⁷⁴).
        assert_eq!(to_f64_rounded(&[3], false, -1075), 2.0 * tiny);
        assert_eq!(to_f64_rounded(&[1 << 54], false, -1075 - 54), 0.0);
        assert_eq!(to_f64_rounded(&[1 << 54], true, -1075 - 54), tiny);
        assert_eq!(to_f64_rounded(&[1 << 60], false, -1076 - 60), 0.0);
        assert_eq!(to_f64_rounded(&[u64::MAX], true, -1074 - 200), 0.0);
        // The smallest normal number, reached by rounding up from just below it.
        let n = limbs_from_u128((1u128 << 80) - 1, 2);
        assert_eq!(to_f64_rounded(&n, false, -1022 - 80), f64::MIN_POSITIVE);
        // In the normal range it agrees with `to_mant_exp` (one rounding there too).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200 {
            let len = 1 + (next() % 5) as usize;
            let mut n: Vec<u64> = (0..len).map(|_| next()).collect();
            n[len - 1] = (n[len - 1] >> (next() % 64)).max(1);
            let e = -1000 + (next() % 1200) as i64 - 64 * len as i64;
            let (f, k) = to_mant_exp(&n).unwrap();
            let expected = ldexp(f, k + e);
            if expected >= f64::MIN_POSITIVE {
                assert_eq!(to_f64_rounded(&n, false, e), expected, "{n:?} · 2^{e}");
            }
        }
    }
}
