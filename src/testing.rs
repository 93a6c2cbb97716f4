//! Settings shared by this crate's unit tests.

/// Proptest settings of this crate: `n` cases, and failing seeds saved beside the test's
/// source file (`<file>.proptest-regressions`) instead of a folder at the crate root.
pub fn cases(n: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..proptest::test_runner::Config::with_cases(n)
    }
}
