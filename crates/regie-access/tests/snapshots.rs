//! Snapshots of the Hart van Brabant case history and its deadline lists.

mod common;

use chrono::Duration;
use common::*;
use regie_access::*;

#[test]
fn hart_van_brabant_history() {
    let f = hvb_case();
    insta::assert_snapshot!(render::history(&f.case));
}

#[test]
fn hart_van_brabant_deadlines() {
    let f = hvb_case();
    let all = DeadlineEngine::seeds().evaluate(&f.case, d(2025, 9, 10));
    insta::assert_snapshot!("all_deadlines", render::deadlines(&all));
    let due = f.case.deadlines(d(2025, 9, 10), Duration::days(14));
    insta::assert_snapshot!("due_within_14d", render::deadlines(&due));
}
