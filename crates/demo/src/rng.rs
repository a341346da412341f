//! A small deterministic random source on top of ChaCha8.
//!
//! Only the ChaCha8 word stream comes from the `rand` crates (its output is fixed by the
//! algorithm); every derived draw (ranges, floats, normals, weights) is computed here with plain
//! arithmetic, so the demo data does not change when `rand` changes its sampling algorithms and
//! does not depend on the platform's `exp`/`ln`.

use chrono::{Days, NaiveDate};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// Stream `stream` of the generator seeded with `seed` (stream 0 = village, 1.. = families).
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        Rng(r)
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`; the bias of the multiply-shift is below 2^-40 here).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Approximately standard normal (Irwin-Hall sum of 12 uniforms; tails cut at +-6).
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// One item drawn with the given weights (weights need not sum to 1).
    pub fn weighted<T: Copy>(&mut self, items: &[(T, f64)]) -> T {
        let total: f64 = items.iter().map(|(_, w)| w.max(0.0)).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            let w = w.max(0.0);
            if x < w {
                return *item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }

    /// A day in `lo..=hi`, or `None` when the range is empty.
    pub fn date_between(&mut self, lo: NaiveDate, hi: NaiveDate) -> Option<NaiveDate> {
        let span = (hi - lo).num_days();
        if span < 0 {
            return None;
        }
        lo.checked_add_days(Days::new(self.range(0, span) as u64))
    }
}

/// Smooth step from 0 to 1 (a logistic-like curve using only `sqrt`, which is exact in IEEE).
pub(crate) fn sig(x: f64) -> f64 {
    0.5 * (1.0 + x / (1.0 + x * x).sqrt())
}

/// `e^x` by repeated squaring (relative error < 0.5% for |x| < 3): enough for synthetic data
/// and free of platform `libm` differences.
pub(crate) fn exp(x: f64) -> f64 {
    let mut y = 1.0 + x / 1024.0;
    for _ in 0..10 {
        y *= y;
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range() {
        let mut r = Rng::new(7, 0);
        for _ in 0..10_000 {
            let x = r.range(-3, 5);
            assert!((-3..=5).contains(&x));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert!((exp(1.0) - std::f64::consts::E).abs() < 0.01);
        assert!(sig(-50.0) < 0.001 && sig(50.0) > 0.999 && sig(0.0) == 0.5);
    }
}
