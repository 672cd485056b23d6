//! Tests of the render cache's store.

use super::*;

fn value(text: &str) -> Arc<[u8]> {
    Arc::from(text.as_bytes())
}

/// The value for `key` as text.
fn text(store: &Store, key: u128) -> Option<String> {
    store
        .get(key)
        .map(|bytes| String::from_utf8(bytes).unwrap())
}

/// The names in `dir`, sorted, without marks.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !lock::is_mark(name))
        .collect();
    names.sort();
    names
}

/// A store in `dir` holding `value k` for each key of `keys`, saved.
fn saved(dir: &Path, keys: std::ops::Range<u128>) {
    let store = Store::open(dir, "t.bin", "v");
    for k in keys {
        store.put(k, value(&format!("value {k}")));
    }
    store.save().unwrap();
}

#[test]
fn values_survive_a_save_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), "t.bin", "v1");
    assert_eq!(store.get(7), None);
    store.put(7, value("七"));
    store.save().unwrap();
    assert_eq!(
        names(dir.path()),
        ["t-1.data", "t.bin"],
        "a data file and its index"
    );
    let again = Store::open(dir.path(), "t.bin", "v1");
    assert_eq!(text(&again, 7).as_deref(), Some("七"));
    assert_eq!(
        Store::open(dir.path(), "t.bin", "v2").get(7),
        None,
        "another version starts empty"
    );
}

#[test]
fn new_records_kept_on_disk_are_saved_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let in_memory = Store::open(&dir.path().join("a"), "t.bin", "v");
    let on_disk = Store::open(&dir.path().join("b"), "t.bin", "v").keeping_new_on_disk();
    for k in (0..50u128).rev() {
        let text = format!("记录 {k} ").repeat(k as usize + 1);
        in_memory.put(k, value(&text));
        on_disk.put(k, value(&text));
    }
    // Kept in a file (unlinked: nothing to clean up) until saved, not in memory.
    assert!(
        lock(&on_disk.new)
            .values
            .values()
            .all(|(v, _)| matches!(v, NewValue::File { .. }))
    );
    in_memory.save().unwrap();
    on_disk.save().unwrap();
    drop(on_disk);
    let b = dir.path().join("b");
    assert_eq!(
        names(&b),
        ["t-1.data", "t.bin"],
        "the file of new records is gone"
    );
    for name in names(&b) {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(&name)).unwrap(),
            std::fs::read(b.join(&name)).unwrap(),
            "the same {name} either way"
        );
    }
    let again = Store::open(&b, "t.bin", "v");
    assert_eq!(text(&again, 49), Some("记录 49 ".repeat(50)));
}

#[test]
fn a_save_appends_its_records_and_leaves_the_old_bytes_alone() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path(), 0..10);
    let data = dir.path().join("t-1.data");
    let before = std::fs::read(&data).unwrap();
    let build = Store::open(dir.path(), "t.bin", "v");
    assert_eq!(build.loaded(), 10);
    assert_eq!(text(&build, 3).as_deref(), Some("value 3"));
    build.put(10, value("value 10"));
    build.save().unwrap();
    let after = std::fs::read(&data).unwrap();
    assert_eq!(after.len(), before.len() + "value 10".len());
    assert!(after.starts_with(&before), "appended, not rewritten");
    assert_eq!(names(dir.path()), ["t-1.data", "t.bin"]);
    let again = Store::open(dir.path(), "t.bin", "v");
    for k in 0..=10 {
        assert_eq!(text(&again, k), Some(format!("value {k}")));
    }
}

#[test]
fn a_data_file_mostly_dead_is_compacted_into_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open_keeping(dir.path(), "t.bin", "v", 1);
    for k in 0..10u128 {
        first.put(k, value(&format!("value {k}")));
    }
    first.save().unwrap();
    // Uses 2 of 10 and makes one: 7 of 10 records are dead.
    let second = Store::open_keeping(dir.path(), "t.bin", "v", 1);
    assert!(second.get(2).is_some() && second.get(7).is_some());
    second.put(20, value("value 20"));
    second.save().unwrap();
    assert_eq!(
        names(dir.path()),
        ["t-2.data", "t.bin"],
        "the old file removed"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t-2.data")).unwrap(),
        "value 2value 7value 20",
        "the live records in the order they lay, then the new"
    );
    let third = Store::open(dir.path(), "t.bin", "v");
    assert_eq!(third.loaded(), 3);
    for k in [2, 7, 20] {
        assert_eq!(text(&third, k), Some(format!("value {k}")));
    }
}

#[test]
fn a_save_killed_before_its_index_leaves_the_previous_cache() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path(), 0..4);
    // What a build killed after appending and before renaming its index leaves.
    let data = dir.path().join("t-1.data");
    let mut bytes = std::fs::read(&data).unwrap();
    bytes.extend_from_slice(b"half a record");
    std::fs::write(&data, &bytes).unwrap();
    let temp = lock::work_file(dir.path(), "t.bin.tmp");
    std::fs::write(&temp, b"half an index").unwrap();
    let build = Store::open(dir.path(), "t.bin", "v");
    assert_eq!(text(&build, 3).as_deref(), Some("value 3"));
    build.put(4, value("value 4"));
    build.save().unwrap();
    let again = Store::open(dir.path(), "t.bin", "v");
    for k in 0..=4 {
        assert_eq!(text(&again, k), Some(format!("value {k}")), "{k}");
    }
}

#[cfg(unix)]
#[test]
fn a_data_file_replaced_meanwhile_is_not_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path(), 0..4);
    let build = Store::open(dir.path(), "t.bin", "v");
    assert!(build.get(1).is_some());
    // Record 2 is damaged, then another build compacts meanwhile: the file
    // this one read is gone.
    let data = dir.path().join("t-1.data");
    let mut bytes = std::fs::read(&data).unwrap();
    bytes[2 * "value 0".len()] ^= 0xff;
    std::fs::write(&data, &bytes).unwrap();
    std::fs::rename(dir.path().join("t-1.data"), dir.path().join("elsewhere")).unwrap();
    build.put(9, value("value 9"));
    build.save().unwrap();
    assert_eq!(names(dir.path()), ["elsewhere", "t-2.data", "t.bin"]);
    let again = Store::open(dir.path(), "t.bin", "v");
    for k in [0, 1, 3, 9] {
        assert_eq!(text(&again, k), Some(format!("value {k}")), "{k}");
    }
    assert_eq!(again.loaded(), 4, "the damaged record is not copied");
}

#[cfg(unix)]
#[test]
fn files_left_by_killed_builds_are_removed() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    // No process has this id (above the kernels' pid limits).
    let dead = [
        ".blogsmith-4999999-code.bin.new",
        ".blogsmith-4999999-math.bin.tmp",
    ];
    for name in dead.iter().chain(&["code.bin"]) {
        std::fs::write(dir.join(name), "x").unwrap();
    }
    let _mark = lock::LiveMark::take(dir, lock::WORK_PREFIX).unwrap();
    let own = lock::work_file(dir, "articles.bin.new");
    std::fs::write(&own, "x").unwrap();
    Stores::open(dir, "light dark");
    let mut left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !lock::is_mark(name))
        .collect();
    left.sort();
    let own = own.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(left, [own, "code.bin".to_string()]);
}

#[test]
fn damage_loses_only_the_damaged_record() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path(), 0..10);
    let data = dir.path().join("t-1.data");
    let mut bytes = std::fs::read(&data).unwrap();
    // Flip a byte in the 6th record's value (records are sorted by key).
    bytes[5 * "value 0".len() + 2] ^= 0xff;
    std::fs::write(&data, &bytes).unwrap();
    let damaged = Store::open(dir.path(), "t.bin", "v");
    assert_eq!(damaged.get(5), None, "a damaged record is a miss");
    assert_eq!(text(&damaged, 4).as_deref(), Some("value 4"));
    assert_eq!(text(&damaged, 6).as_deref(), Some("value 6"));
    // Computed again, it replaces the damaged one.
    damaged.put(5, value("value 5"));
    damaged.save().unwrap();
    let again = Store::open(dir.path(), "t.bin", "v");
    assert_eq!(again.loaded(), 10);
    for k in 0..10 {
        assert_eq!(text(&again, k), Some(format!("value {k}")), "{k}");
    }
}

#[test]
fn a_damaged_index_or_a_data_file_cut_short_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path(), 0..10);
    let index = dir.path().join("t.bin");
    let good = std::fs::read(&index).unwrap();
    let mut bytes = good.clone();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&index, &bytes).unwrap();
    assert_eq!(Store::open(dir.path(), "t.bin", "v").loaded(), 0);
    std::fs::write(&index, b"garbage\x00\xff").unwrap();
    assert_eq!(Store::open(dir.path(), "t.bin", "v").loaded(), 0);
    std::fs::write(&index, &good).unwrap();
    let data = dir.path().join("t-1.data");
    let bytes = std::fs::read(&data).unwrap();
    std::fs::write(&data, &bytes[..bytes.len() - 3]).unwrap();
    assert_eq!(Store::open(dir.path(), "t.bin", "v").loaded(), 0);
    // Saved again, into a new data file; the old one is removed.
    let build = Store::open(dir.path(), "t.bin", "v");
    build.put(1, value("value 1"));
    build.save().unwrap();
    assert_eq!(names(dir.path()), ["t-2.data", "t.bin"]);
    assert_eq!(
        text(&Store::open(dir.path(), "t.bin", "v"), 1).as_deref(),
        Some("value 1")
    );
}

#[test]
fn unused_records_are_evicted_after_max_age_builds() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path(), "t.bin", "v");
    first.put(1, value("kept"));
    first.put(2, value("dropped"));
    first.save().unwrap();
    for i in 0..MAX_AGE + 1 {
        let build = Store::open(dir.path(), "t.bin", "v");
        assert!(build.get(1).is_some());
        build.put(100 + u128::from(i), value("new"));
        build.save().unwrap();
    }
    let last = Store::open(dir.path(), "t.bin", "v");
    assert!(last.get(1).is_some());
    assert_eq!(last.get(2), None, "unused for {MAX_AGE} builds");
}

#[test]
fn a_store_keeping_one_build_drops_what_the_build_did_not_use() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open_keeping(dir.path(), "a.bin", "v", 1);
    first.put(1, value("old version"));
    first.put(2, value("kept"));
    first.save().unwrap();
    let second = Store::open_keeping(dir.path(), "a.bin", "v", 1);
    assert!(second.get(2).is_some());
    second.put(3, value("new version"));
    second.save().unwrap();
    let third = Store::open_keeping(dir.path(), "a.bin", "v", 1);
    assert_eq!(third.get(1), None, "unused by the last build");
    assert!(third.get(2).is_some() && third.get(3).is_some());
}

#[test]
fn a_build_that_adds_nothing_leaves_the_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path(), 1..2);
    let stamps = || {
        ["t.bin", "t-1.data"].map(|name| {
            std::fs::metadata(dir.path().join(name))
                .unwrap()
                .modified()
                .unwrap()
        })
    };
    let before = stamps();
    for _ in 0..MAX_AGE + 1 {
        let build = Store::open(dir.path(), "t.bin", "v");
        assert!(build.get(1).is_some());
        build.save().unwrap();
    }
    assert_eq!(stamps(), before);
    assert!(Store::open(dir.path(), "t.bin", "v").get(1).is_some());
}

#[test]
fn a_disabled_store_keeps_nothing() {
    let store = Store::disabled();
    store.put(1, value("x"));
    assert_eq!(store.get(1), None);
    store.save().unwrap();
}
