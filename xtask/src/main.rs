//! `cargo xtask serve | test | build`: the project's build and test automation.
fn main() {}
