//! `interstice demo`: the whole method on the bundled Cu65Zr35 glass —
//! the paper's 80 features of the quenched glass, D²min labels at 5 %
//! shear, the 3 × 5 protocol, quench-in softness — with the metrics table
//! on screen and every intermediate file in one output folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use interstice_pipeline::common;

/// The default fixture folder, relative to a checkout's root.
const DEFAULT_FIXTURE: &str = "fixtures/cuzr65-4000";

/// The default fixture's reference, 5 % frame and manifest, for a binary
/// installed outside the checkout (about 1 MB).
const EMBEDDED: [(&str, &[u8]); 3] = [
    (
        "frame_000.dump.gz",
        include_bytes!("../../../fixtures/cuzr65-4000/frame_000.dump.gz"),
    ),
    (
        "frame_040.dump.gz",
        include_bytes!("../../../fixtures/cuzr65-4000/frame_040.dump.gz"),
    ),
    (
        "manifest.json",
        include_bytes!("../../../fixtures/cuzr65-4000/manifest.json"),
    ),
];

/// Arguments of `interstice demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Output folder (created if needed; existing files of the same names are replaced atomically).
    #[arg(long, default_value = "interstice-demo")]
    pub out: PathBuf,
    /// The bundled 4 000-atom Cu65Zr35 fixture (the quenched glass and its sheared frames).
    #[arg(long, default_value = DEFAULT_FIXTURE)]
    pub fixture: PathBuf,
    /// The deformed frame: 40 × 0.125 % = 5 % shear strain.
    #[arg(long, default_value_t = 40)]
    pub strain_step: usize,
    /// Boosting stages per model (the paper uses 300).
    #[arg(long, default_value_t = 300)]
    pub trees: usize,
    /// Seed of the undersampling, folds and feature sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Runs the demo; prints each step and the metrics table to `out`.
pub fn run(args: &DemoArgs, out: &mut impl Write) -> Result<()> {
    common::check_trees(args.trees, "--trees")?;
    if args.strain_step == 0 {
        anyhow::bail!("--strain-step must be 1 or more: frame 0 is the reference itself");
    }
    if args.out.exists() && !args.out.is_dir() {
        anyhow::bail!("--out {}: is a file; expected a folder", args.out.display());
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    // Outside a checkout (an installed binary), the default fixture's two
    // frames and manifest come from the binary itself.
    let fixture = if !args.fixture.exists()
        && args.fixture == Path::new(DEFAULT_FIXTURE)
        && args.strain_step == 40
    {
        let dir = args.out.join("fixture");
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in EMBEDDED {
            std::fs::write(dir.join(name), bytes)
                .with_context(|| format!("cannot write {}", dir.join(name).display()))?;
        }
        dir
    } else {
        args.fixture.clone()
    };
    interstice_pipeline::demo::run(
        &interstice_pipeline::demo::DemoParams {
            fixture,
            out: args.out.clone(),
            strain_step: args.strain_step,
            trees: args.trees,
            seed: args.seed,
        },
        out,
    )
}
