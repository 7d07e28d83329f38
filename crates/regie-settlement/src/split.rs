//! Splitting money exactly to the cent.
//!
//! Every split in this crate must add up to the amount it splits, so the
//! parts are computed in whole cents and the rounding remainder is placed
//! deliberately (never lost, never invented).

use regie_domain::Money;
use rust_decimal::Decimal;

/// Splits `total` in proportion to `weights`: every part but the last is
/// truncated to whole cents (towards zero), the last takes what is left so
/// the parts sum to `total` and the last part is never smaller (in absolute
/// value) than its exact share.
/// Used for day-based splits (moves within a month), where the last stretch
/// of days is the natural place for the rounding cent.
///
/// With all weights zero the whole amount goes to the last part; with no
/// weights the result is empty.
pub fn split_remainder_last(total: Money, weights: &[u64]) -> Vec<Money> {
    let Some(last) = weights.len().checked_sub(1) else {
        return Vec::new();
    };
    let sum: u64 = weights.iter().sum();
    let mut out = Vec::with_capacity(weights.len());
    let mut given = Money::ZERO;
    for &w in &weights[..last] {
        let part = if sum == 0 {
            Money::ZERO
        } else {
            Money::from_euros(
                (total.euros() * Decimal::from(w) / Decimal::from(sum))
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero),
            )
        };
        given += part;
        out.push(part);
    }
    out.push(total - given);
    out
}

/// Splits `total` by `weights` with the largest-remainder (Hamilton) method:
/// each part gets its floor in cents, then the leftover cents go one by one to
/// the parts with the largest fractional remainder (ties: earlier part first).
/// Used to divide a lumpsum over municipalities, where no municipality should
/// systematically carry the rounding cent.
pub fn split_largest_remainder(total: Money, weights: &[u64]) -> Vec<Money> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 {
        let mut v = vec![Money::ZERO; weights.len()];
        *v.last_mut().expect("non-empty") = total;
        return v;
    }
    let cents = total.cents();
    let negative = cents < 0;
    let abs = u128::from(cents.unsigned_abs());
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut rems: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let num = abs * u128::from(*w);
        parts.push(num / sum);
        rems.push((num % sum, i));
    }
    let given: u128 = parts.iter().sum();
    let mut left = abs - given;
    // Largest remainder first; on ties the earlier index wins (stable order).
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|c| {
            let c = i64::try_from(c).expect("cents fit i64");
            Money::from_cents(if negative { -c } else { c })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn remainder_goes_last() {
        let parts = split_remainder_last(Money::from_cents(1000), &[1, 1, 1]);
        assert_eq!(
            parts,
            vec![
                Money::from_cents(333),
                Money::from_cents(333),
                Money::from_cents(334)
            ]
        );
    }

    #[test]
    fn largest_remainder_spreads_cents() {
        // 100 cents over 3 equal shares: 34, 33, 33 (first wins the tie).
        let parts = split_largest_remainder(Money::from_cents(100), &[1, 1, 1]);
        assert_eq!(
            parts,
            vec![
                Money::from_cents(34),
                Money::from_cents(33),
                Money::from_cents(33)
            ]
        );
        let neg = split_largest_remainder(Money::from_cents(-100), &[1, 1, 1]);
        assert_eq!(neg.iter().copied().sum::<Money>(), Money::from_cents(-100));
        assert_eq!(neg[0], Money::from_cents(-34));
    }

    proptest! {
        #[test]
        fn splits_are_exact(cents in -10_000_000_000i64..10_000_000_000, ws in proptest::collection::vec(0u64..10_000, 1..12)) {
            let total = Money::from_cents(cents);
            prop_assert_eq!(split_remainder_last(total, &ws).into_iter().sum::<Money>(), total);
            let lr = split_largest_remainder(total, &ws);
            prop_assert_eq!(lr.iter().copied().sum::<Money>(), total);
            // Largest remainder never deviates more than a cent from the exact share.
            let sum: u64 = ws.iter().sum();
            if sum > 0 {
                for (p, w) in lr.iter().zip(&ws) {
                    let exact = Decimal::from(cents) * Decimal::from(*w) / Decimal::from(sum);
                    prop_assert!((Decimal::from(p.cents()) - exact).abs() < Decimal::ONE);
                }
            }
        }
    }
}
