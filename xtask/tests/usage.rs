//! The `xtask` binary as `.ci/run` calls it: built by `cargo test --no-run`
//! with the workspace's features, then run directly (not through `cargo
//! xtask`, whose `-p xtask` build resolves other features).

use std::process::Command;

const TASKS: [&str; 8] = [
    "bench-peers",
    "codegen",
    "md",
    "compat",
    "python",
    "reproduce",
    "honest",
    "tidy",
];

#[test]
fn help_names_every_task_and_a_bad_task_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for task in TASKS {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(task)),
            "{task} is not in the usage:\n{text}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("no-such-task")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: cargo xtask"));
}
