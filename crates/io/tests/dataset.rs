//! Partitioned tables: parts written apart, committed with a manifest, read
//! back as one table; a failed or foreign folder is never taken for one.

use interstice_io::{ParquetTableWriter, Table, dataset};

fn write_part(out: &std::path::Path, k: usize, n: usize, ids: &[u64]) -> (String, u64) {
    let cols = vec!["a".to_string(), "b".to_string()];
    let kv = vec![("source.file".to_string(), "glass.dump".to_string())];
    let mut w =
        ParquetTableWriter::create(dataset::part_path(out, k, n), &cols, true, false, &kv).unwrap();
    let values: Vec<f64> = ids
        .iter()
        .flat_map(|&i| [i as f64 * 0.5, -(i as f64)])
        .collect();
    let types: Vec<u32> = ids.iter().map(|&i| 1 + (i % 2) as u32).collect();
    w.write_rows(ids, Some(&types), None, &values).unwrap();
    w.finish().unwrap();
    (dataset::part_name(k, n), ids.len() as u64)
}

#[test]
fn parts_commit_into_one_table_and_replace_only_a_data_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("features");
    let chunks: [&[u64]; 3] = [&[5, 1], &[], &[9, 2, 7]];
    dataset::begin(&out).unwrap();
    let parts: Vec<_> = chunks
        .iter()
        .enumerate()
        .map(|(k, ids)| write_part(&out, k, 3, ids))
        .collect();
    dataset::commit(&out, &parts).unwrap();
    assert!(dataset::is_dataset(&out));
    assert!(!dataset::staging(&out).exists());
    let (t, m) = dataset::read(&out).unwrap();
    assert_eq!(t.ids, vec![5, 1, 9, 2, 7]);
    assert_eq!(t.columns, vec!["a", "b"]);
    assert_eq!(t.values[4..6], [4.5, -9.0]);
    assert_eq!(m.types, Some(vec![2, 2, 2, 1, 2]));
    assert_eq!(m.key_values[0].1, "glass.dump");
    assert_eq!(Table::read(&out).unwrap(), t);

    // A second run with other parts replaces it; a run that stops before
    // its commit leaves it as it was.
    dataset::begin(&out).unwrap();
    let parts = vec![write_part(&out, 0, 1, &[3])];
    dataset::commit(&out, &parts).unwrap();
    assert_eq!(Table::read(&out).unwrap().ids, vec![3]);
    dataset::begin(&out).unwrap();
    write_part(&out, 0, 2, &[4]);
    let e = dataset::commit(
        &out,
        &[write_part(&out, 1, 2, &[6]), (dataset::part_name(7, 9), 1)],
    )
    .unwrap_err();
    assert!(e.to_string().contains("expected the parts"), "{e}");
    assert_eq!(Table::read(&out).unwrap().ids, vec![3]);

    // Never replaced: a file, or a folder without a manifest.
    let file = dir.path().join("table.parquet");
    std::fs::write(&file, b"mine").unwrap();
    let e = dataset::begin(&file).unwrap_err();
    assert!(e.to_string().contains("not replaced"), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    assert!(dataset::begin(&mine).is_err());

    // A manifest that disagrees with its parts is an error naming the file.
    std::fs::write(
        out.join(dataset::MANIFEST),
        "interstice partitioned table 1\nparts 1\nrows 2\npart-00000-of-00001.parquet 2\n",
    )
    .unwrap();
    let e = dataset::read(&out).unwrap_err();
    assert!(e.to_string().contains("1 rows, the manifest says 2"), "{e}");
    std::fs::write(
        out.join(dataset::MANIFEST),
        "interstice partitioned table 1\nparts x\n",
    )
    .unwrap();
    let e = dataset::read(&out).unwrap_err();
    assert!(e.to_string().contains(":2: expected 'parts N'"), "{e}");
}
