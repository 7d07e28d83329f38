//! Money in euros, exact to the cent. Never a float.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// An amount of euros rounded to whole cents (banker's rounding is not used:
/// Dutch invoicing rounds half away from zero).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(Decimal);

impl Money {
    /// Zero euros.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Rounds any decimal euro amount to cents.
    pub fn from_euros(d: Decimal) -> Self {
        Money(d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    /// Whole eurocents, the unit iWmo messages use (`LDT_Bedrag`).
    pub fn from_cents(c: i64) -> Self {
        Money(Decimal::new(c, 2))
    }

    /// The amount in eurocents.
    pub fn cents(self) -> i64 {
        (self.0 * Decimal::ONE_HUNDRED)
            .to_i64()
            .expect("money fits i64 cents")
    }

    /// The amount as a decimal number of euros.
    pub fn euros(self) -> Decimal {
        self.0
    }

    /// Multiplies by a quantity and rounds the result to cents once.
    pub fn times(self, q: Decimal) -> Money {
        Money::from_euros(self.0 * q)
    }

    /// True for amounts below zero (credits, corrections).
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "€ {:.2}", self.0)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl Mul<i64> for Money {
    type Output = Money;
    fn mul(self, n: i64) -> Money {
        Money(self.0 * Decimal::from(n))
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Money::from_euros(dec!(1.005)).cents(), 101);
        assert_eq!(Money::from_euros(dec!(-1.005)).cents(), -101);
        assert_eq!(Money::from_euros(dec!(1.004)).cents(), 100);
    }

    #[test]
    fn cents_roundtrip_and_display() {
        let m = Money::from_cents(455_800);
        assert_eq!(m.euros(), dec!(4558.00));
        assert_eq!(m.to_string(), "€ 4558.00");
        assert_eq!(m.times(dec!(12)).cents(), 5_469_600);
    }
}
