//! Every numeric option of every subcommand, out of range, and output paths
//! that cannot be written (issue 17.6, 17.8): a one-line error naming the
//! option and the accepted range, given before any file is read or any work
//! is done, never a panic and never a silently odd result.

mod common;

use common::interstice;

const F0: &str = "fixtures/cuzr65-4000/frame_000.dump.gz";
const F40: &str = "fixtures/cuzr65-4000/frame_040.dump.gz";

#[test]
fn out_of_range_options_are_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let out = out.to_str().unwrap();
    // (arguments, the error it must give)
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["label", F0, F40, "--cutoff=0", "--out", out],
            "--cutoff: invalid parameter: cutoff must be finite and positive, found 0",
        ),
        (
            vec!["label", F0, F40, "--cutoff=inf", "--out", out],
            "--cutoff: invalid parameter: cutoff must be finite and positive, found inf",
        ),
        (
            vec![
                "label",
                F0,
                F40,
                "--cutoff=5",
                "--percent=101",
                "--out",
                out,
            ],
            "--percent must be in (0, 100], found 101",
        ),
        (
            vec![
                "label",
                F0,
                F40,
                "--cutoff=5",
                "--percent=nan",
                "--out",
                out,
            ],
            "--percent must be in (0, 100], found NaN",
        ),
        (
            vec![
                "label",
                F0,
                F40,
                "--cutoff=5",
                "--threshold=nan",
                "--out",
                out,
            ],
            "--threshold must be a finite D²min ≥ 0 Å², found NaN",
        ),
        (
            vec![
                "label",
                F0,
                F40,
                "--cutoff=5",
                "--threshold=-1",
                "--out",
                out,
            ],
            "--threshold must be a finite D²min ≥ 0 Å², found -1",
        ),
        (
            vec![
                "label",
                F0,
                F40,
                "--cutoff=5",
                "--noise-floor=-1",
                "--out",
                out,
            ],
            "--noise-floor must be a finite D²min ≥ 0 Å², found -1",
        ),
        (
            vec!["first-plastic", F0, F40, "--cutoff=-2", "--out", out],
            "--cutoff: invalid parameter: cutoff must be finite and positive, found -2",
        ),
        (
            vec![
                "first-plastic",
                F0,
                F40,
                "--cutoff=5",
                "--strain-step=nan",
                "--out",
                out,
            ],
            "--strain-step must be a finite strain > 0, found NaN",
        ),
        (
            vec![
                "first-plastic",
                F0,
                F40,
                "--cutoff=5",
                "--percent=0",
                "--out",
                out,
            ],
            "--percent must be in (0, 100], found 0",
        ),
        (
            vec![
                "first-plastic",
                F0,
                F40,
                "--cutoff=5",
                "--threshold=inf",
                "--out",
                out,
            ],
            "--threshold must be a finite D²min ≥ 0 Å², found inf",
        ),
        (
            vec![
                "featurize",
                F0,
                "--types",
                "1=Cu,2=Zr",
                "--face-threshold=5",
                "--out",
                out,
            ],
            "--face-threshold must be in [0, 1) (a fraction of the cell's face area; 0 keeps every face), found 5",
        ),
        (
            vec![
                "featurize",
                F0,
                "--types",
                "1=Cu,2=Zr",
                "--face-threshold=-0.1",
                "--out",
                out,
            ],
            "--face-threshold must be in [0, 1)",
        ),
        (
            vec!["voronoi", F0, "--amlearn-filter=1", "--out", out],
            "--amlearn-filter must be in [0, 1), found 1",
        ),
        (
            vec![
                "train",
                "--features",
                "f.csv",
                "--labels",
                "l.csv",
                "--trees=0",
            ],
            "--trees must be 1 to 100000, found 0",
        ),
        (
            vec![
                "train",
                "--features",
                "f.csv",
                "--labels",
                "l.csv",
                "--trees=18446744073709551615",
            ],
            "--trees must be 1 to 100000, found 18446744073709551615",
        ),
        (
            vec![
                "evaluate",
                "--model",
                "m.json",
                "--features",
                "f.csv",
                "--labels",
                "l.csv",
                "--top-percent=0",
            ],
            "--top-percent must be in (0, 100], found 0",
        ),
        (
            vec![
                "demo",
                "--strain-step=0",
                "--out",
                dir.path().to_str().unwrap(),
            ],
            "--strain-step must be 1 or more: frame 0 is the reference itself",
        ),
        (
            vec!["demo", "--trees=0", "--out", dir.path().to_str().unwrap()],
            "--trees must be 1 to 100000, found 0",
        ),
        (vec!["info", F0, "--frame=7"], "--frame 7: "),
        (
            vec!["label", F0, F40, "--cutoff=5", "--frame=3", "--out", out],
            "--frame 3: ",
        ),
    ];
    for (args, want) in cases {
        let (ok, stdout, err) = interstice(&args);
        assert!(!ok, "{args:?} succeeded: {stdout}");
        assert!(
            err.starts_with("error: ") && err.contains(want),
            "{args:?}: expected '{want}', got {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn outputs_that_cannot_be_written_are_refused_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    let missing = dir.path().join("no/such/folder/x.csv");
    let missing = missing.to_str().unwrap();
    let same = dir.path().join("same.json");
    let same = same.to_str().unwrap();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["label", F0, F40, "--cutoff=5", "--out", folder],
            format!("--out {folder}: is a directory; expected a file name"),
        ),
        (
            vec!["label", F0, F40, "--cutoff=5", "--out", missing],
            "does not exist".to_string(),
        ),
        (
            vec!["featurize", F0, "--types", "1=Cu,2=Zr", "--out", folder],
            "is a directory".to_string(),
        ),
        (
            vec!["first-plastic", F0, F40, "--cutoff=5", "--out", folder],
            "is a directory".to_string(),
        ),
        (
            vec![
                "train",
                "--features",
                "f.csv",
                "--labels",
                "l.csv",
                "--out",
                same,
                "--model",
                same,
            ],
            format!("--out and --model name the same file {same}"),
        ),
        (
            vec![
                "train",
                "--features",
                "f.csv",
                "--labels",
                "l.csv",
                "--model",
                same,
                "--metrics",
                same,
            ],
            format!("--model and --metrics name the same file {same}"),
        ),
    ];
    for (args, want) in cases {
        let (ok, _, err) = interstice(&args);
        assert!(!ok, "{args:?} succeeded");
        assert!(
            err.contains(&want),
            "{args:?}: expected '{want}', got {err}"
        );
    }
    // Nothing was written into the folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
