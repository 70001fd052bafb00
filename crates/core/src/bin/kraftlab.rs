//! The `kraftlab` command line.
fn main() {}
