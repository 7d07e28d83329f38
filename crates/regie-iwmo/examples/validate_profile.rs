//! A steady validation loop for profilers, without file IO or xmllint.
//!
//! Wall-clock numbers on a shared 2-core machine are noisy, so parser work
//! was measured in instructions instead:
//!
//! ```text
//! cargo build --release -p regie-iwmo --example validate_profile
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/validate_profile 2000 gen
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/validate_profile 2000 validate
//! ```
//!
//! The difference of the two `I refs` totals is the cost of 10 × COUNT
//! validations of the benchmark message mix (`sample::bench_message`).
//! Without a mode it also prints messages/s for validate and parse alone.

use regie_iwmo::bericht::{self, Bericht};
use regie_iwmo::sample::{self, Partijen};
use regie_iwmo::validate::{self, InMemoryContext, Uitvoeringsvariant};
use std::time::Instant;

const REPS: usize = 10;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let mode = args.next().unwrap_or_default();
    let p = Partijen::default();
    let mut ctx = InMemoryContext::new();
    let mut data = Vec::with_capacity(n);
    for i in 0..n {
        let b = sample::bench_message(&p, i);
        if let Bericht::Wmo301(_) = &b {
            ctx.record(&b);
        }
        data.push(b.to_xml().into_bytes());
    }
    if mode == "gen" {
        return;
    }
    let bytes: usize = data.iter().map(Vec::len).sum();
    let rate = |what: &str, start: Instant| {
        let s = start.elapsed().as_secs_f64();
        println!(
            "{what}: {:.0} msg/s, {:.1} MB/s",
            (n * REPS) as f64 / s,
            (bytes * REPS) as f64 / 1e6 / s
        );
    };
    let t = Instant::now();
    for _ in 0..REPS {
        for d in &data {
            std::hint::black_box(validate::validate(
                d,
                &ctx,
                Uitvoeringsvariant::Inspanningsgericht,
            ));
        }
    }
    rate("validate", t);
    if mode == "validate" {
        return;
    }
    let t = Instant::now();
    for _ in 0..REPS {
        for d in &data {
            std::hint::black_box(bericht::parse(d).is_ok());
        }
    }
    rate("parse only", t);
}
