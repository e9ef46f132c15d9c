//! Source hygiene, checked on every `.rs` file of the workspace:
//!
//! - the file opens with a `//!` doc comment saying what it is for;
//! - no test is skipped or expects a panic (assert the `Err` instead);
//! - error messages (`#[error("...")]` and the message arguments of our error
//!   helpers) start lowercase and end without a period.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// Folders whose `.rs` files are checked.
const ROOTS: [&str; 3] = ["crates", "xtask", "benches"];

/// Calls whose first string literal is an error message.
const MESSAGE_OPENERS: [&str; 8] = [
    "#[error(\"",
    ".err(\"",
    ".err(format!(\"",
    "bail!(\"",
    "anyhow!(\"",
    "::invalid(&name, \"",
    "::invalid(&name, format!(\"",
    "::invalid(name, format!(\"",
];

/// Runs every check and reports all problems at once.
pub fn run(root: &Path) -> Result<()> {
    let mut files = Vec::new();
    for r in ROOTS {
        collect(&root.join(r), &mut files)?;
    }
    files.sort();
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f)?;
        let rel = f.strip_prefix(root).unwrap_or(f).display().to_string();
        problems.extend(check_file(&rel, &text));
    }
    if problems.is_empty() {
        println!("tidy: {} files clean", files.len());
        Ok(())
    } else {
        bail!(
            "tidy found {} problems:\n{}",
            problems.len(),
            problems.join("\n")
        )
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The problems of one file, each as `path:line: what`.
pub fn check_file(path: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !first.starts_with("//!") {
        problems.push(format!(
            "{path}:1: the file must open with a //! comment saying what it is for"
        ));
    }
    // Built from pieces so that this file does not flag itself.
    let banned = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    for (k, line) in text.lines().enumerate() {
        for b in banned {
            if line.contains(b) {
                problems.push(format!(
                    "{path}:{}: `{b}]`: assert the Err instead of skipping or expecting a panic",
                    k + 1
                ));
            }
        }
    }
    for opener in MESSAGE_OPENERS {
        let mut from = 0;
        while let Some(at) = text[from..].find(opener) {
            let start = from + at + opener.len();
            from = start;
            let Some(message) = literal_at(&text[start..]) else {
                continue;
            };
            let line = text[..start].matches('\n').count() + 1;
            if let Some(why) = message_problem(&message) {
                problems.push(format!("{path}:{line}: error message \"{message}\" {why}"));
            }
        }
    }
    problems
}

/// The string literal that starts right after an opening quote.
fn literal_at(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => {
                out.push(c);
                out.push(chars.next()?);
            }
            _ => out.push(c),
        }
    }
    None
}

/// Why a message breaks the house style, if it does.
fn message_problem(m: &str) -> Option<&'static str> {
    let first_word: String = m.chars().take_while(|c| c.is_alphanumeric()).collect();
    let acronym = first_word.len() > 1 && first_word.chars().all(|c| !c.is_lowercase());
    if m.starts_with(|c: char| c.is_uppercase()) && !acronym {
        return Some("must start lowercase");
    }
    if m.ends_with('.') && !m.ends_with("..") {
        return Some("must not end with a period");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy() {
        let root = crate::project_root();
        if let Err(e) = run(&root) {
            panic!("{e}");
        }
    }

    #[test]
    fn the_checks_catch_what_they_should() {
        let bad = format!(
            "fn f() {{}}\n{}\n#[error(\"Bad thing.\")]\nlet e = self.err(\"ends with a period.\");\n",
            concat!("#[", "ignore]")
        );
        let p = check_file("x.rs", &bad);
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].starts_with("x.rs:1: the file must open with a //! comment"));
        assert!(p[1].starts_with("x.rs:2: `#["));
        assert_eq!(
            p[2],
            "x.rs:3: error message \"Bad thing.\" must start lowercase"
        );
        assert_eq!(
            p[3],
            "x.rs:4: error message \"ends with a period.\" must not end with a period"
        );
        let good =
            "//! Fine.\n#[error(\"{path}: DOS line endings are fine\")]\nbail!(\"GZIP stream\");\n";
        assert!(check_file("y.rs", good).is_empty());
    }
}
