//! Runs the `interstice` binary from the workspace root, for the CLI tests.

use std::process::Command;

/// Runs `interstice ARGS`; returns success, standard output and standard error.
pub fn interstice(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_interstice"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
