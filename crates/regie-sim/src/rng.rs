//! A small, stable PRNG. Our own so that a seed gives the same population on
//! every version of every dependency (rand's streams are not guaranteed stable).

/// SplitMix64: tiny, fast, good enough statistical quality for simulation.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one stream, derived from a seed and a stream number.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by 128-bit multiply (no modulo bias worth noting).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// Picks an index with probability proportional to `weights`; `None` if all are zero.
    pub fn weighted(&mut self, weights: &[u64]) -> Option<usize> {
        let total: u64 = weights.iter().sum();
        if total == 0 {
            return None;
        }
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return Some(i);
            }
            x -= w;
        }
        unreachable!("x < total")
    }

    /// Approximately normal with mean 0 and sd 1 (Irwin–Hall, 12 uniforms), in
    /// thousandths, to stay in integer arithmetic.
    pub fn normal_milli(&mut self) -> i64 {
        let s: i64 = (0..12).map(|_| self.below(1000) as i64).sum();
        // Each uniform on 0..=999 has mean 499.5 and variance ≈ 1000²/12,
        // so the sum of twelve has mean 5994 and sd ≈ 1000.
        s - 5994
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_stream() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new(7, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 3).next_u64(), Rng::new(7, 4).next_u64());
    }

    #[test]
    fn weighted_follows_weights() {
        let mut r = Rng::new(1, 1);
        let mut hits = [0u32; 3];
        for _ in 0..30_000 {
            hits[r.weighted(&[1, 0, 2]).unwrap()] += 1;
        }
        assert_eq!(hits[1], 0);
        assert!((9_000..11_000).contains(&hits[0]), "{hits:?}");
        assert_eq!(r.weighted(&[0, 0]), None);
    }

    #[test]
    fn normal_is_centred() {
        let mut r = Rng::new(5, 0);
        let n = 20_000;
        let mean: i64 = (0..n).map(|_| r.normal_milli()).sum::<i64>() / n;
        assert!(mean.abs() < 30, "mean {mean}");
    }
}
