//! `interstice info` on the bundled LAMMPS fixture, and its one-line errors.

mod common;

use common::interstice;

#[test]
fn describes_the_fixture() {
    let (ok, out, err) = interstice(&[
        "info",
        "fixtures/cuzr-tiny/shear.dump.gz",
        "--types",
        "1=Cu,2=Zr",
        "--frame",
        "-1",
    ]);
    assert!(ok, "{err}");
    let expected = [
        "file       fixtures/cuzr-tiny/shear.dump.gz (gzip)",
        "frames     5",
        "frame      4 (timestep 844)",
        "atoms      500",
        "box lo     -0.119887 -0.019283 -0.034403",
        "box hi     20.119887 20.019283 20.034403",
        "tilts      2.074764 0.710521 0.051524 (xy xz yz)",
        "periodic   ppp",
        "columns    id type x y z ix iy iz",
        "  type 1   Cu        320 atoms  64.00 %  (r = 1.26 Å)",
        "  type 2   Zr        180 atoms  36.00 %  (r = 1.58 Å)",
    ];
    for line in expected {
        assert!(
            out.lines().any(|l| l == line),
            "missing line {line:?} in\n{out}"
        );
    }
}

#[test]
fn lists_extra_columns() {
    let (ok, out, err) = interstice(&["info", "fixtures/cuzr-tiny/shear-scaled.dump.gz"]);
    assert!(ok, "{err}");
    assert!(out.contains("columns    type id xsu ysu zsu c_pe"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("  column c_pe         real     -")),
        "{out}"
    );
}

#[test]
fn errors_are_one_clear_line() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["info", "no/such.dump"],
            "error: no/such.dump: cannot open: No such file or directory (os error 2)\n",
        ),
        (
            &[
                "info",
                "fixtures/cuzr-tiny/shear.dump.gz",
                "--types",
                "1=Cu",
            ],
            "error: fixtures/cuzr-tiny/shear.dump.gz:10: atom type 2 is not in the type map '1=Cu'\n",
        ),
        (
            &[
                "info",
                "fixtures/cuzr-tiny/shear.dump.gz",
                "--types",
                "1=Cu,2=Zz",
            ],
            "error: --types: unknown element 'Zz': expected a chemical symbol such as Cu or Zr\n",
        ),
        (
            &["info", "fixtures/cuzr-tiny/shear.dump.gz", "--frame", "5"],
            "error: --frame 5: fixtures/cuzr-tiny/shear.dump.gz: frame 5 is out of range: the file has 5 frames\n",
        ),
    ];
    for (args, expected) in cases {
        let (ok, out, err) = interstice(args);
        assert!(!ok);
        assert_eq!(out, "");
        assert_eq!(err, expected);
    }
}
