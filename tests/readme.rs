//! The README's flagship output block is the binary's real output: `cargo run --release` (no
//! arguments) must print exactly the block that follows "`cargo run --release` prints".

use std::process::Command;

#[test]
fn the_readme_flagship_block_is_what_the_binary_prints() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("`cargo run --release` prints")
        .expect("the README introduces the flagship output");
    let block = readme[start..]
        .split_once("```text\n")
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .map(|(block, _)| block)
        .expect("a ```text block after the introduction");
    let out = Command::new(env!("CARGO_BIN_EXE_negcycle"))
        .output()
        .expect("run negcycle");
    assert!(out.status.success(), "negcycle exited with {}", out.status);
    let printed = String::from_utf8(out.stdout).expect("UTF-8 output");
    assert_eq!(
        block, printed,
        "README.md's flagship block is stale: replace it with the output of `cargo run --release`"
    );
}
