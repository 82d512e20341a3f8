//! The negcycle command line.
fn main() {}
