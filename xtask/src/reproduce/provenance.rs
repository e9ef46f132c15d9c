//! What a figure's manifest records: git revision, toolchain, versions, seeds
//! and the SHA-256 of every frame read.

use super::*;

/// Output of a command, trimmed, if it ran and succeeded.
pub(super) fn capture(program: &str, args: &[&str], dir: &Path) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The value of `key = "..."` in `[table]` of a TOML file, by a line scan.
pub(super) fn toml_value(text: &str, table: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            current = line.trim_matches(|c| c == '[' || c == ']').to_string();
        } else if current == table
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// The version of the `interstice` package (its own, or the workspace's).
pub(super) fn interstice_version(root: &Path) -> String {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
    let cli = read("crates/cli/Cargo.toml");
    toml_value(&cli, "package", "version")
        .or_else(|| toml_value(&read("Cargo.toml"), "workspace.package", "version"))
        .unwrap_or_else(|| "unknown".into())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
pub fn utc_timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The provenance shared by every figure's manifest.
pub(super) fn provenance(
    root: &Path,
    opts: &Options,
    args: &[String],
    config: &Path,
    samples: &[Sample],
) -> Result<Value> {
    let run = Config::read(config)?;
    let revision = capture("git", &["rev-parse", "HEAD"], root).unwrap_or_else(|| "unknown".into());
    let dirty = capture("git", &["status", "--porcelain"], root).map(|s| !s.is_empty());
    let mut used = Vec::new();
    for s in samples {
        let mut sums = Map::new();
        for k in s.entry.frames() {
            let f = frame_file(k);
            sums.insert(f.clone(), json!(sha256(&s.dir.join(&f))?));
        }
        let manifest: Value = std::fs::read_to_string(s.dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        used.push(json!({
            "name": s.entry.name(),
            "id": s.entry.id(),
            "dir": s.dir,
            "role": s.entry.role.name(),
            "condition": s.entry.condition.name,
            "atoms": s.entry.atoms(),
            "rate_K_per_s": s.entry.rate,
            "seed": s.entry.seed,
            "lammps_seeds": manifest["lammps_seeds"],
            "lammps": manifest["lammps"]["version"],
            "frames_sha256": sums,
        }));
    }
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(json!({
        "data": opts.data.name(),
        "command": format!("cargo xtask reproduce {}", args.join(" ")).trim_end(),
        "config": config,
        "git": { "revision": revision, "dirty": dirty },
        "seeds": { "protocol": run.seed, "samples": samples.iter().map(|s| (s.entry.name(), s.entry.seed)).collect::<BTreeMap<_, _>>() },
        "labels": { "cutoff_A": run.labels.cutoff, "percent": run.labels.percent, "frame": run.labels.frame },
        "toolchain": {
            "rustc": capture("rustc", &["--version"], root),
            "cargo": capture(&cargo(), &["--version"], root),
        },
        "interstice_version": interstice_version(root),
        "date_utc": utc_timestamp(now),
        "samples": used,
    }))
}

pub(super) fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}
