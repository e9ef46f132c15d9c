//! Every rank count gives the single-process table bit for bit: the
//! fixture glass and a replica large enough that ranks hold only their
//! domain and a skin, read from a gzipped dump, a plain dump (byte ranges)
//! and a per-processor dump, over in-process ranks.

use std::path::{Path, PathBuf};

use interstice_core::{Frame, TypeMap};
use interstice_distributed::{Featurize, Input, Voronoi, featurize, run_threads, voronoi};
use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_geometry::VoronoiParams;
use interstice_io::{DumpReader, DumpWriter, dataset};

fn fixture() -> Frame {
    DumpReader::open(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/cuzr65-4000/frame_000.dump.gz"),
    )
    .unwrap()
    .read()
    .unwrap()
    .unwrap()
}

fn write_dump(frame: &Frame, path: &Path) {
    let mut w = DumpWriter::create(path).unwrap();
    w.write(frame).unwrap();
    w.finish().unwrap();
}

/// The rows of a data set by id, with their types and elements.
fn rows_by_id(dir: &Path) -> Vec<(u64, u32, String, Vec<u64>)> {
    let (t, m) = dataset::read(dir).unwrap();
    let k = t.columns.len();
    let mut rows: Vec<_> = (0..t.ids.len())
        .map(|r| {
            (
                t.ids[r],
                m.types.as_ref().unwrap()[r],
                m.elements.as_ref().map_or(String::new(), |e| e[r].clone()),
                t.values[r * k..(r + 1) * k]
                    .iter()
                    .map(|x| x.to_bits())
                    .collect(),
            )
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    rows
}

/// The single-process paper80 rows of `frame` by id, as [`rows_by_id`]
/// gives a data set's.
fn single_process_rows(frame: &Frame) -> Vec<(u64, u32, String, Vec<u64>)> {
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(frame, &types, ContextParams::paper()).unwrap();
    let (_, whole) = Preset::Paper80.compute(&ctx).unwrap();
    let mut expected: Vec<(u64, u32, String, Vec<u64>)> = (0..frame.len())
        .map(|i| {
            (
                frame.ids()[i],
                frame.types()[i],
                if frame.types()[i] == 1 { "Cu" } else { "Zr" }.to_string(),
                whole.row(i).iter().map(|x| x.to_bits()).collect(),
            )
        })
        .collect();
    expected.sort_by_key(|r| r.0);
    expected
}

fn featurize_job(path: &Path, out: &Path) -> Featurize {
    Featurize {
        input: Input {
            path: path.to_path_buf(),
            frame: 0,
            types: Some(TypeMap::parse("1=Cu,2=Zr").unwrap()),
        },
        params: ContextParams::paper(),
        block_atoms: 3000,
        out: out.to_path_buf(),
        skin: None,
    }
}

#[test]
fn featurize_on_any_rank_count_equals_the_single_process_table() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixture();
    // 2 × 2 × 1 copies: 16 000 atoms, 80 Å across, so four ranks hold
    // their domain and a skin, not the box.
    let frame = base.replicate([2, 2, 1]).unwrap();
    let expected = single_process_rows(&frame);

    let plain = dir.path().join("replica.dump");
    let gz = dir.path().join("replica.dump.gz");
    write_dump(&frame, &plain);
    write_dump(&frame, &gz);
    for (path, ranks) in [(&plain, 4), (&gz, 3), (&plain, 1), (&gz, 2)] {
        let out = dir.path().join(format!("f{ranks}"));
        let reports = run_threads(ranks, |c| featurize(c, &featurize_job(path, &out)).unwrap());
        let r = &reports[0];
        assert_eq!(r.atoms, 16_000);
        assert_eq!(r.rows.iter().sum::<u64>(), 16_000);
        if ranks == 4 {
            assert_eq!(r.dims, [2, 2, 1]);
            // Each rank holds its domain and a skin, not the whole box.
            assert!(r.held.iter().all(|&h| h < 12_000), "{:?}", r.held);
        }
        assert_eq!(
            rows_by_id(&out),
            expected,
            "{} on {ranks} ranks",
            path.display()
        );
        assert_eq!(dataset::parts(&out).unwrap().len(), ranks);
    }

    // A per-processor dump: pieces in files 0..5, read by 4 ranks.
    let n = frame.len();
    for p in 0..5 {
        let idx: Vec<usize> = (n * p / 5..n * (p + 1) / 5).collect();
        write_dump(
            &frame.select(&idx).unwrap(),
            &dir.path().join(format!("pieces.{p}.gz")),
        );
    }
    let out = dir.path().join("from-pieces");
    let pieces = dir.path().join("pieces.%.gz");
    run_threads(4, |c| featurize(c, &featurize_job(&pieces, &out)).unwrap());
    assert_eq!(rows_by_id(&out), expected);

    // A skin too thin to start with is widened on every rank: the same
    // rows.
    let out = dir.path().join("thin");
    let mut job = featurize_job(&plain, &out);
    job.skin = Some(2.0);
    let reports = run_threads(4, |c| featurize(c, &job).unwrap());
    assert!(reports[0].tries > 1 && reports.iter().all(|r| r.tries == reports[0].tries));
    assert_eq!(rows_by_id(&out), expected);
}

#[test]
fn voronoi_on_any_rank_count_equals_the_single_process_cells() {
    let dir = tempfile::tempdir().unwrap();
    let frame = fixture().replicate([2, 1, 1]).unwrap();
    let path = dir.path().join("replica.dump");
    write_dump(&frame, &path);
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    for radical in [false, true] {
        let params = if radical {
            VoronoiParams::radical(
                frame
                    .types()
                    .iter()
                    .map(|&t| types.radius(t).unwrap())
                    .collect(),
            )
        } else {
            VoronoiParams::plain()
        };
        let v = interstice_geometry::Voronoi::compute(frame.positions(), frame.sim_box(), &params)
            .unwrap();
        let mut expected: Vec<(u64, u32, String, Vec<u64>)> = (0..frame.len())
            .map(|i| {
                let mut row = vec![v.volume(i), v.coordination(i) as f64];
                row.extend(v.index(i).iter().map(|&x| f64::from(x)));
                (
                    frame.ids()[i],
                    frame.types()[i],
                    if frame.types()[i] == 1 { "Cu" } else { "Zr" }.to_string(),
                    row.iter().map(|x| x.to_bits()).collect(),
                )
            })
            .collect();
        expected.sort_by_key(|r| r.0);
        for ranks in [1, 2, 4] {
            let out = dir.path().join(format!("v{ranks}{radical}"));
            let job = Voronoi {
                input: Input {
                    path: path.clone(),
                    frame: 0,
                    types: Some(types.clone()),
                },
                radical,
                radii: None,
                amlearn_filter: None,
                region_atoms: 1000,
                out: out.clone(),
                skin: None,
            };
            let s = run_threads(ranks, |c| voronoi(c, &job).unwrap());
            let sums = &s[0].1;
            assert!((sums.volume / sums.box_volume - 1.0).abs() < 1e-9);
            assert_eq!(sums.faces as usize, v.num_faces());
            assert_eq!(sums.atoms as usize, frame.len());
            assert!(s.iter().all(|x| x.1 == *sums));
            assert_eq!(
                rows_by_id(&out),
                expected,
                "radical {radical}, {ranks} ranks"
            );
        }
    }
}

#[test]
fn bad_input_fails_on_every_rank_with_the_single_process_message() {
    let dir = tempfile::tempdir().unwrap();
    let frame = fixture();
    let good = dir.path().join("good.dump");
    write_dump(&frame, &good);
    let text = std::fs::read_to_string(&good).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Atom 3990 (line 4000) takes atom 5's id: two ranks read the copies.
    let id5 = frame.ids()[5];
    let rest: Vec<String> = lines[3999]
        .split_whitespace()
        .skip(1)
        .map(String::from)
        .collect();
    let mut dup = lines.clone();
    dup[3999] = format!("{id5} {}", rest.join(" "));
    let bad = dir.path().join("dup.dump");
    std::fs::write(&bad, dup.join("\n") + "\n").unwrap();
    let single = DumpReader::open(&bad)
        .unwrap()
        .read()
        .unwrap_err()
        .to_string();
    let out = dir.path().join("never");
    let errs = run_threads(3, |c| {
        featurize(c, &featurize_job(&bad, &out))
            .unwrap_err()
            .to_string()
    });
    assert_eq!(
        single,
        format!(
            "{}:4000: atom id {id5} appears twice (first on line 15)",
            bad.display()
        )
    );
    for e in &errs {
        assert!(e.starts_with(&single), "{e}");
    }
    assert!(!out.exists() && !dataset::staging(&out).exists());

    // A malformed line: the rank that reads it names the file and line;
    // the others say which rank found it.
    lines[3000] = "1 2 3".into();
    let broken = dir.path().join("broken.dump");
    std::fs::write(&broken, lines.join("\n") + "\n").unwrap();
    let errs = run_threads(4, |c| {
        featurize(c, &featurize_job(&broken, &out))
            .unwrap_err()
            .to_string()
    });
    for e in &errs {
        assert!(e.contains("broken.dump:3001:"), "{e}");
    }
    assert_eq!(
        errs.iter().filter(|e| e.contains("(rank ")).count(),
        3,
        "{errs:?}"
    );
    assert!(!out.exists());
}

#[test]
fn label_on_any_rank_count_equals_the_single_process_labels() {
    use interstice_distributed::{Label, label};
    use interstice_pipeline::common::LabelRule;
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str| {
        DumpReader::open(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/cuzr65-4000")
                .join(name),
        )
        .unwrap()
        .read()
        .unwrap()
        .unwrap()
        .replicate([2, 1, 1])
        .unwrap()
    };
    let (reference, deformed) = (read("frame_000.dump.gz"), read("frame_040.dump.gz"));
    let (rp, dp) = (dir.path().join("ref.dump"), dir.path().join("def.dump.gz"));
    write_dump(&reference, &rp);
    write_dump(&deformed, &dp);
    for rule in [
        LabelRule {
            cutoff: 5.0,
            percent: 5.0,
            threshold: None,
            noise_floor: 0.01,
        },
        LabelRule {
            cutoff: 4.0,
            percent: 5.0,
            threshold: Some(0.3),
            noise_floor: 0.01,
        },
    ] {
        let single =
            interstice_pipeline::label::label(&reference, &deformed, &rule, false).unwrap();
        let s = &single.strain;
        let mut expected: Vec<(u64, u32, String, Vec<u64>)> = (0..s.ids.len())
            .map(|i| {
                (
                    s.ids[i],
                    single.types[i],
                    String::new(),
                    [
                        s.d2min[i],
                        s.shear_strain[i],
                        s.volumetric_strain[i],
                        f64::from(u8::from(single.plastic[i])),
                    ]
                    .iter()
                    .map(|x| x.to_bits())
                    .collect(),
                )
            })
            .collect();
        expected.sort_by_key(|r| r.0);
        let n_plastic = single.plastic.iter().filter(|&&p| p).count() as u64;
        for ranks in [1, 2, 4] {
            let out = dir.path().join(format!("l{ranks}-{}", rule.cutoff));
            let job = Label {
                reference: Input {
                    path: rp.clone(),
                    frame: 0,
                    types: None,
                },
                deformed: Input {
                    path: dp.clone(),
                    frame: -1,
                    types: None,
                },
                rule: rule.clone(),
                per_neighbor: false,
                out: out.clone(),
                skin: None,
            };
            let got = run_threads(ranks, |c| label(c, &job).unwrap());
            assert!(got.iter().all(|g| g.1.plastic == n_plastic));
            if ranks == 4 {
                assert!(
                    got[0].0.held.iter().all(|&h| h < 8000),
                    "{:?}",
                    got[0].0.held
                );
            }
            assert_eq!(
                rows_by_id(&out),
                expected,
                "{ranks} ranks, cutoff {}",
                rule.cutoff
            );
        }
    }
    // A deformed frame that lacks an atom of the reference.
    let short = dir.path().join("short.dump");
    let keep: Vec<usize> = (1..deformed.len()).collect();
    write_dump(&deformed.select(&keep).unwrap(), &short);
    let job = Label {
        reference: Input {
            path: rp.clone(),
            frame: 0,
            types: None,
        },
        deformed: Input {
            path: short,
            frame: 0,
            types: None,
        },
        rule: LabelRule {
            cutoff: 5.0,
            percent: 5.0,
            threshold: None,
            noise_floor: 0.01,
        },
        per_neighbor: false,
        out: dir.path().join("never"),
        skin: None,
    };
    let errs = run_threads(3, |c| label(c, &job).unwrap_err().to_string());
    for e in errs {
        assert!(e.contains("short.dump") && e.contains("7999 atoms"), "{e}");
    }
}

#[test]
fn predict_on_any_rank_count_scores_every_row_as_one_process() {
    use interstice_distributed::{Predict, predict};
    use interstice_learn::ensemble::{MODEL_FORMAT, ModelFile};
    use interstice_learn::gbdt::{GbdtParams, Matrix};
    let dir = tempfile::tempdir().unwrap();
    // A feature table of three parts (as featurize --distributed writes).
    let frame = fixture();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let feats = dir.path().join("features");
    run_threads(3, |c| {
        featurize(
            c,
            &featurize_job(
                &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../fixtures/cuzr65-4000/frame_000.dump.gz"),
                &feats,
            ),
        )
        .unwrap()
    });
    let table = interstice_io::Table::read(&feats).unwrap();
    let k = table.columns.len();
    let x = Matrix::new(&table.values, table.ids.len(), k).unwrap();
    // Any labels will do: the test is that every row is scored as one
    // process scores it.
    let y: Vec<bool> = table.ids.iter().map(|&id| id % 3 == 0).collect();
    let models = (0..2)
        .map(|s| {
            GbdtParams {
                n_trees: 5,
                seed: s,
                ..GbdtParams::default()
            }
            .fit(&x, &y)
            .unwrap()
        })
        .collect();
    let model = ModelFile {
        format: MODEL_FORMAT.into(),
        interstice_version: "test".into(),
        features: table.columns.clone(),
        label_column: "plastic".into(),
        seed: 1,
        gbdt: GbdtParams::default(),
        training_sha256: [String::new(), String::new()],
        preset: None,
        models,
    };
    let mpath = dir.path().join("model.json");
    interstice_pipeline::model::save(&model, &mpath).unwrap();
    let qs = model.softness(&x).unwrap();
    let mut expected: Vec<(u64, u64)> = table
        .ids
        .iter()
        .zip(&qs)
        .map(|(&i, q)| (i, q.to_bits()))
        .collect();
    expected.sort_unstable();
    // From the partitioned table, and from one Parquet file.
    let one = dir.path().join("one.parquet");
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let source = interstice_pipeline::featurize::Source {
        name: "fixture".into(),
        frame: 0,
    };
    let t = interstice_pipeline::featurize::features(&ctx, Preset::Paper80, &source).unwrap();
    interstice_pipeline::featurize::write(&t, &ctx, Preset::Paper80, &source, &one).unwrap();
    for (input, ranks) in [(&feats, 1), (&feats, 2), (&feats, 5), (&one, 3)] {
        let out = dir.path().join(format!("qs-{ranks}"));
        let job = Predict {
            model: mpath.clone(),
            features: input.clone(),
            out: out.clone(),
        };
        let r = run_threads(ranks, |c| predict(c, &job).unwrap());
        assert_eq!(r[0], (4000, 2));
        let got = interstice_io::Table::read(&out).unwrap();
        let mut rows: Vec<(u64, u64)> = got
            .ids
            .iter()
            .zip(&got.values)
            .map(|(&i, q)| (i, q.to_bits()))
            .collect();
        rows.sort_unstable();
        assert_eq!(rows, expected, "{} on {ranks} ranks", input.display());
    }
}

#[test]
fn a_tilted_box_gives_the_single_process_rows_on_four_ranks() {
    // The fixture sheared to 5 % (xy tilt), replicated: domains are boxes
    // of fractional coordinates, their skins measured across the tilted
    // faces.
    let dir = tempfile::tempdir().unwrap();
    let frame = DumpReader::open(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/cuzr65-4000/frame_040.dump.gz"),
    )
    .unwrap()
    .read()
    .unwrap()
    .unwrap()
    .replicate([2, 2, 1])
    .unwrap();
    assert!(frame.sim_box().is_triclinic());
    let expected = single_process_rows(&frame);
    let path = dir.path().join("tilted.dump");
    write_dump(&frame, &path);
    let out = dir.path().join("tilted-features");
    let r = run_threads(4, |c| featurize(c, &featurize_job(&path, &out)).unwrap());
    assert_eq!(r[0].dims, [2, 2, 1]);
    assert_eq!(rows_by_id(&out), expected);
}

#[test]
fn any_frame_of_a_multi_frame_dump_on_ranks_that_read_nothing() {
    // Frame 0 of two: the byte ranges of the later ranks hold only the
    // second frame, so they read no atoms.
    let dir = tempfile::tempdir().unwrap();
    let a = fixture();
    let b = DumpReader::open(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/cuzr65-4000/frame_040.dump.gz"),
    )
    .unwrap()
    .read()
    .unwrap()
    .unwrap();
    let path = dir.path().join("two.dump");
    let mut w = DumpWriter::create(&path).unwrap();
    w.write(&a).unwrap();
    w.write(&b).unwrap();
    w.finish().unwrap();
    for (frame, expected) in [(0i64, &a), (-2, &a), (1, &b), (-1, &b)] {
        let expected = single_process_rows(expected);
        for ranks in [2, 3] {
            let out = dir.path().join(format!("f{frame}-{ranks}"));
            let mut job = featurize_job(&path, &out);
            job.input.frame = frame;
            run_threads(ranks, |c| featurize(c, &job).unwrap());
            assert_eq!(rows_by_id(&out), expected, "frame {frame}, {ranks} ranks");
        }
    }
}
