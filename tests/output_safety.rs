//! Output safety, library level: files are written only inside the output folder, through
//! exclusive temporaries, never through a symbolic link planted there; a run's set of files is
//! committed with a manifest written last; a lock keeps concurrent runs apart; leftovers of
//! killed runs are cleaned; and user text is escaped for CSV, SVG and terminals.

use negcycle::Error;
use negcycle::report::escape::{csv_field, terminal_text, xml_text};
use negcycle::report::write::{
    LOCK_FILE, MANIFEST_FILE, OutputDir, TEMP_PREFIX, verify_manifest, write_atomic,
};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const VICTIM: &str = "victim: must never change\n";

/// A scratch folder holding `out/` (the output folder) and `victim` (a file outside it).
struct Scratch {
    root: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let root = tempfile::Builder::new()
            .prefix("negcycle-output-safety-")
            .tempdir()
            .expect("a scratch folder");
        std::fs::create_dir(root.path().join("out")).expect("mkdir out");
        std::fs::write(root.path().join("victim"), VICTIM).expect("write the victim");
        Scratch { root }
    }
    fn out(&self) -> PathBuf {
        self.root.path().join("out")
    }
    fn victim(&self) -> PathBuf {
        self.root.path().join("victim")
    }
    fn assert_victim_unchanged(&self) {
        let meta = std::fs::symlink_metadata(self.victim()).expect("the victim exists");
        assert!(meta.is_file(), "the victim is still a regular file");
        assert_eq!(
            std::fs::read_to_string(self.victim()).expect("read the victim"),
            VICTIM,
            "the victim was modified"
        );
    }
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("list the folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn is_regular(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

/// Writes a set of two files into `dir` through an [`OutputDir`].
fn write_set(dir: &Path, json: &str, csv: &str) -> Vec<PathBuf> {
    let mut out = OutputDir::open(dir).expect("open the output folder");
    out.stage("report.json", json.as_bytes()).expect("stage");
    out.stage("report.csv", csv.as_bytes()).expect("stage");
    out.commit().expect("commit")
}

#[test]
fn a_committed_set_has_its_files_and_a_verifying_manifest_and_no_leftovers() {
    let s = Scratch::new();
    let written = write_set(&s.out(), "{}\n", "a,b\n");
    assert_eq!(
        written,
        vec![
            s.out().join("report.json"),
            s.out().join("report.csv"),
            s.out().join(MANIFEST_FILE)
        ]
    );
    // The lock file goes with the run; no temporaries or staging folders are left.
    assert_eq!(
        names_in(&s.out()),
        set(&["report.json", "report.csv", MANIFEST_FILE])
    );
    verify_manifest(s.out()).expect("the manifest verifies");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.out().join(MANIFEST_FILE)).expect("read"))
            .expect("JSON");
    assert_eq!(manifest["negcycle"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["files"][0]["name"], "report.json");
    assert_eq!(manifest["files"][0]["bytes"], 3);
    // SHA-256 of "{}\n".
    assert_eq!(
        manifest["files"][0]["sha256"],
        "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356"
    );
    // A second run replaces the set.
    write_set(&s.out(), "{\"x\": 1}\n", "c\n");
    assert_eq!(
        std::fs::read_to_string(s.out().join("report.csv")).expect("read"),
        "c\n"
    );
    verify_manifest(s.out()).expect("the new manifest verifies");
}

#[cfg(unix)]
#[test]
fn written_files_get_the_permissions_of_an_ordinary_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new();
    write_set(&s.out(), "{}\n", "x\n");
    write_atomic(&s.out().join("single.json"), b"1\n").expect("write_atomic");
    let reference = s.root.path().join("reference");
    std::fs::File::create(&reference).expect("create a reference file");
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    for name in ["report.json", MANIFEST_FILE, "single.json"] {
        assert_eq!(mode(&s.out().join(name)), mode(&reference), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_planted_in_the_folder_never_lead_to_the_victim() {
    use std::os::unix::fs::symlink;
    let s = Scratch::new();
    let out = s.out();
    let victim_dir = s.root.path().join("victim_dir");
    std::fs::create_dir(&victim_dir).expect("mkdir");
    std::fs::write(victim_dir.join("keep"), VICTIM).expect("write");
    // Every name we might use: the final names, the manifest, the old temporary names
    // (.NAME.tmp-PID), and names with our temporary prefix (to a file and to a folder).
    let pid = std::process::id();
    for name in [
        "report.json".to_string(),
        "report.csv".to_string(),
        MANIFEST_FILE.to_string(),
        format!(".report.json.tmp-{pid}"),
        format!(".manifest.json.tmp-{pid}"),
        format!("{TEMP_PREFIX}planted"),
        format!("{TEMP_PREFIX}stage-planted"),
    ] {
        symlink(s.victim(), out.join(&name)).expect("plant a link");
    }
    symlink(&victim_dir, out.join(format!("{TEMP_PREFIX}dir"))).expect("plant a link");
    write_set(&out, "{\"new\": true}\n", "new\n");
    s.assert_victim_unchanged();
    assert_eq!(
        std::fs::read_to_string(victim_dir.join("keep")).expect("read"),
        VICTIM,
        "a folder behind a planted link was changed"
    );
    for name in ["report.json", "report.csv", MANIFEST_FILE] {
        assert!(is_regular(&out.join(name)), "{name} is a regular file now");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("report.json")).expect("read"),
        "{\"new\": true}\n"
    );
    verify_manifest(&out).expect("verifies");
    // Our prefix: removed (the links, not their targets); other names: left alone.
    let left = names_in(&out);
    assert!(
        !left.iter().any(|n| n.starts_with(TEMP_PREFIX)),
        "stale entries left: {left:?}"
    );
    assert!(left.contains(&format!(".report.json.tmp-{pid}")));

    // write_atomic over a link replaces the link.
    let single = out.join("single.json");
    symlink(s.victim(), &single).expect("plant a link");
    write_atomic(&single, b"single\n").expect("write_atomic");
    s.assert_victim_unchanged();
    assert!(is_regular(&single));
}

#[cfg(unix)]
#[test]
fn a_planted_lock_link_is_refused_and_its_target_is_not_created() {
    use std::os::unix::fs::symlink;
    let s = Scratch::new();
    let missing = s.root.path().join("would_be_created");
    symlink(&missing, s.out().join(LOCK_FILE)).expect("plant a link");
    let e = OutputDir::open(s.out()).expect_err("a link at the lock file's name is refused");
    assert!(
        e.to_string().contains("symbolic link"),
        "the message says why: {e}"
    );
    assert!(!missing.exists(), "the link's target was created");
    std::fs::remove_file(s.out().join(LOCK_FILE)).expect("remove the link");
    symlink(s.victim(), s.out().join(LOCK_FILE)).expect("plant a link");
    assert!(OutputDir::open(s.out()).is_err());
    s.assert_victim_unchanged();
}

#[test]
fn leftovers_of_a_killed_run_are_removed_at_the_next_open_and_nothing_else() {
    let s = Scratch::new();
    let out = s.out();
    // A killed run: a staging folder with a half-written file, a temporary, a probe.
    let stage = out.join(format!("{TEMP_PREFIX}stage-AbC123xyz789"));
    std::fs::create_dir(&stage).expect("mkdir");
    std::fs::write(stage.join("report.json"), "{\"half").expect("write");
    std::fs::write(out.join(format!("{TEMP_PREFIX}Zz9Yy8Xx7Ww6")), "tmp").expect("write");
    std::fs::write(out.join(format!("{TEMP_PREFIX}probe-q")), "").expect("write");
    // The user's own files, hidden or not, and a name close to ours.
    for name in [
        "notes.txt",
        ".hidden",
        ".negcycle",
        ".negcycleX",
        "negcycle-x",
    ] {
        std::fs::write(out.join(name), "mine").expect("write");
    }
    let dir = OutputDir::open(&out).expect("open");
    let left = names_in(&out);
    assert!(
        !left.iter().any(|n| n.starts_with(TEMP_PREFIX)),
        "left: {left:?}"
    );
    for name in [
        "notes.txt",
        ".hidden",
        ".negcycle",
        ".negcycleX",
        "negcycle-x",
    ] {
        assert!(left.contains(name), "{name} was removed");
    }
    drop(dir);
    // Not committed: no manifest was written, the user's files are as they were.
    assert!(!out.join(MANIFEST_FILE).exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).expect("read"),
        "mine"
    );
}

#[test]
fn a_second_concurrent_run_gets_a_clear_error_naming_the_folder() {
    let s = Scratch::new();
    let first = OutputDir::open(s.out()).expect("the first run opens");
    let started = Instant::now();
    let e = OutputDir::open(s.out()).expect_err("the second run is refused");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait"
    );
    assert!(matches!(&e, Error::OutputLocked { path } if path == &s.out().display().to_string()));
    let message = e.to_string();
    assert!(
        message.contains(&s.out().display().to_string())
            && message.contains("another negcycle run is writing there"),
        "{message}"
    );
    // Shards (shared) cannot join an exclusive run either.
    assert!(matches!(
        OutputDir::open_shared(s.out()),
        Err(Error::OutputLocked { .. })
    ));
    drop(first);
    // Released: the next run gets it; shards share it with each other but not with a run.
    let a = OutputDir::open_shared(s.out()).expect("a shard");
    let b = OutputDir::open_shared(s.out()).expect("another shard at the same time");
    assert!(matches!(
        OutputDir::open(s.out()),
        Err(Error::OutputLocked { .. })
    ));
    let path = a
        .write("shard_0_of_2.json", b"{}\n")
        .expect("a shard writes");
    assert_eq!(path, s.out().join("shard_0_of_2.json"));
    b.write("shard_1_of_2.json", b"{}\n")
        .expect("the other shard writes");
    assert!(a.write("../escape.json", b"x").is_err());
    drop((a, b));
    let run = OutputDir::open(s.out()).expect("free again");
    drop(run);
}

#[test]
fn an_unusable_folder_fails_at_open() {
    let s = Scratch::new();
    // Root can write anywhere, but not below a regular file.
    let started = Instant::now();
    for dir in [
        s.victim().join("out"),
        s.victim(),
        PathBuf::from(""),
        s.victim().join("a").join("b"),
    ] {
        let e = OutputDir::open(&dir).expect_err("unusable");
        assert!(matches!(e, Error::Io { .. }), "{dir:?}: {e:?}");
        assert!(
            e.to_string().starts_with(&dir.display().to_string()),
            "the message names the folder: {e}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    s.assert_victim_unchanged();
    #[cfg(unix)]
    {
        // A link to nothing is not followed to create a folder.
        let dangling = s.root.path().join("dangling");
        std::os::unix::fs::symlink(s.root.path().join("nowhere"), &dangling).expect("link");
        assert!(OutputDir::open(&dangling).is_err());
        assert!(!s.root.path().join("nowhere").exists());
        // A link to a folder (the user's own --out) is followed.
        let link = s.root.path().join("out_link");
        std::os::unix::fs::symlink(s.out(), &link).expect("link");
        write_set(&link, "{}\n", "x\n");
        verify_manifest(s.out()).expect("written into the linked folder");
    }
}

#[test]
fn a_folder_created_by_a_run_that_does_not_commit_is_removed_again() {
    let s = Scratch::new();
    let fresh = s.root.path().join("fresh").join("results");
    let mut dir = OutputDir::open(&fresh).expect("open creates it");
    assert!(fresh.is_dir());
    dir.stage("report.json", b"{}").expect("stage");
    drop(dir);
    assert!(!fresh.exists(), "the empty folder it created is removed");
    // An existing folder stays.
    drop(OutputDir::open(s.out()).expect("open"));
    assert!(s.out().is_dir());
    assert!(names_in(&s.out()).is_empty(), "{:?}", names_in(&s.out()));
}

#[test]
fn stage_refuses_anything_but_a_plain_file_name() {
    let s = Scratch::new();
    let mut dir = OutputDir::open(s.out()).expect("open");
    for name in [
        "",
        "a/b",
        "/etc/passwd",
        "../victim",
        "..",
        ".",
        "a..b",
        ".hidden",
        ".negcycle.lock",
        "sub\\file",
        "line\nbreak",
        "esc\u{1b}",
        MANIFEST_FILE,
        &"x".repeat(256),
    ] {
        match dir.stage(name, b"x") {
            Err(Error::OutputName { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name:?} was accepted: {other:?}"),
        }
    }
    dir.stage("report.json", b"1").expect("a plain name");
    assert!(matches!(
        dir.stage("report.json", b"2"),
        Err(Error::OutputName { .. })
    ));
    let written = dir.commit().expect("commit");
    assert_eq!(written.len(), 2);
    assert_eq!(
        names_in(&s.out()),
        set(&["report.json", MANIFEST_FILE]),
        "nothing else was written"
    );
    assert_eq!(
        names_in(s.root.path()),
        set(&["out", "victim"]),
        "nothing was written outside the folder"
    );
    s.assert_victim_unchanged();
}

#[test]
fn the_manifest_detects_edited_missing_and_replaced_files() {
    let s = Scratch::new();
    let out = s.out();
    write_set(&out, "{\"a\": 1}\n", "a,b\n1,2\n");
    verify_manifest(&out).expect("verifies");
    // Same size, different content.
    std::fs::write(out.join("report.csv"), "a,b\n1,3\n").expect("edit");
    match verify_manifest(&out) {
        Err(Error::Manifest { path, problem }) => {
            assert!(path.ends_with("report.csv"), "{path}");
            assert!(problem.contains("SHA-256"), "{problem}");
        }
        other => panic!("an edited file passed: {other:?}"),
    }
    // Other size.
    std::fs::write(out.join("report.csv"), "a,b\n").expect("edit");
    assert!(
        matches!(verify_manifest(&out), Err(Error::Manifest { problem, .. }) if problem.contains("bytes"))
    );
    // Missing.
    std::fs::remove_file(out.join("report.csv")).expect("remove");
    assert!(verify_manifest(&out).is_err());
    // Replaced by a link to a copy with the right content.
    #[cfg(unix)]
    {
        let copy = s.root.path().join("copy.csv");
        std::fs::write(&copy, "a,b\n1,2\n").expect("write");
        std::os::unix::fs::symlink(&copy, out.join("report.csv")).expect("link");
        assert!(matches!(verify_manifest(&out), Err(Error::Manifest { .. })));
    }
    // No manifest: the set is incomplete.
    std::fs::remove_file(out.join(MANIFEST_FILE)).expect("remove");
    match verify_manifest(&out) {
        Err(Error::Manifest { problem, .. }) => {
            assert!(problem.contains("incomplete"), "{problem}")
        }
        other => panic!("{other:?}"),
    }
    s.assert_victim_unchanged();
}

#[test]
fn a_run_that_dies_before_commit_leaves_the_old_set_and_one_failing_in_commit_leaves_no_manifest() {
    let s = Scratch::new();
    let out = s.out();
    write_set(&out, "{\"old\": 1}\n", "old\n");
    // Dies before commit (here: dropped; a killed process leaves the staging folder, removed
    // by the next open, as tested above): the old set and its manifest are untouched.
    {
        let mut dir = OutputDir::open(&out).expect("open");
        dir.stage("report.json", b"{\"new\": 1}\n").expect("stage");
        dir.stage("report.csv", b"new\n").expect("stage");
    }
    verify_manifest(&out).expect("the old set is intact");
    assert_eq!(
        std::fs::read_to_string(out.join("report.csv")).expect("read"),
        "old\n"
    );
    // Fails during commit (a folder is in the way of report.csv): no manifest, detectable.
    let mut dir = OutputDir::open(&out).expect("open");
    dir.stage("report.json", b"{\"new\": 2}\n").expect("stage");
    dir.stage("blocked", b"new\n").expect("stage");
    std::fs::create_dir(out.join("blocked")).expect("mkdir");
    std::fs::write(out.join("blocked").join("inside"), "x").expect("write");
    let e = dir
        .commit()
        .expect_err("a folder cannot be replaced by a file");
    assert!(e.to_string().contains("blocked"), "{e}");
    assert!(
        !out.join(MANIFEST_FILE).exists(),
        "no manifest after a failed commit"
    );
    assert!(verify_manifest(&out).is_err());
    let left = names_in(&out);
    assert!(
        !left
            .iter()
            .any(|n| n.starts_with(TEMP_PREFIX) || n == LOCK_FILE),
        "{left:?}"
    );
}

#[test]
fn write_atomic_replaces_the_file_and_leaves_no_temporary() {
    let s = Scratch::new();
    let path = s.out().join("report.json");
    write_atomic(&path, b"one\n").expect("write");
    write_atomic(&path, b"two\n").expect("replace");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "two\n");
    assert_eq!(names_in(&s.out()), set(&["report.json"]));
    // Into a folder that does not exist, or over a folder: an error, nothing left.
    assert!(matches!(
        write_atomic(&s.out().join("no").join("x.json"), b"x"),
        Err(Error::Io { .. })
    ));
    std::fs::create_dir(s.out().join("a_dir")).expect("mkdir");
    assert!(write_atomic(&s.out().join("a_dir"), b"x").is_err());
    assert_eq!(names_in(&s.out()), set(&["report.json", "a_dir"]));
}

#[cfg(feature = "plot")]
#[test]
fn chart_text_from_user_names_is_escaped_once_and_has_no_forbidden_characters() {
    use negcycle::prelude::*;
    let mut report = Experiment::new(Scenario::preset("us_rok_sma").expect("preset"))
        .cycle_years([1.0, 5.0])
        .trials(40)
        .seed(1)
        .run()
        .expect("run");
    report.scenario = "A<&>\"q'\u{1b}[31m\u{0}\u{fffe}\tZ".to_string();
    report.units = "u<b>\u{7}".to_string();
    for (name, svg) in negcycle::plot::run_charts_svg(&report).expect("charts") {
        assert!(
            svg.contains("A&lt;&amp;&gt;&quot;q&apos;[31m Z"),
            "{name}: the name is escaped exactly once"
        );
        assert!(!svg.contains("&amp;lt;"), "{name}: escaped twice");
        assert!(!svg.contains("<b>"), "{name}: markup from the units");
        check_xml_chars(&svg);
    }
}

/// Every character is allowed in XML 1.0, and every `&` starts one of the five entities.
#[cfg(feature = "plot")]
fn check_xml_chars(text: &str) {
    for c in text.chars() {
        let ok = matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}';
        assert!(ok, "U+{:04X} is not allowed in XML 1.0", u32::from(c));
    }
    for (i, _) in text.match_indices('&') {
        let rest = &text[i..];
        assert!(
            ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"]
                .iter()
                .any(|e| rest.starts_with(e))
                || rest.starts_with("&#"),
            "a bare &: {}",
            &rest[..rest.len().min(20)]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Escaping, as properties.

/// Parses one CSV record (RFC 4180, strictly: a quote only opens a field or doubles inside a
/// quoted one; an unquoted field has no quote and no CR). Returns the fields and the number of
/// line terminators outside quotes, which must all be at the end.
fn parse_record(row: &str) -> Result<(Vec<String>, usize), String> {
    let mut fields = Vec::new();
    let mut chars = row.chars().peekable();
    let mut terminators = 0;
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => return Err("unclosed quote".into()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c == '\n' {
                    break;
                }
                if c == '"' || c == '\r' {
                    return Err(format!("{c:?} in an unquoted field"));
                }
                field.push(c);
                chars.next();
            }
        }
        fields.push(field);
        match chars.next() {
            Some(',') => continue,
            Some('\n') => {
                terminators += 1;
                if chars.next().is_some() {
                    return Err("text after the line terminator".into());
                }
                return Ok((fields, terminators));
            }
            Some(c) => return Err(format!("{c:?} after a quoted field")),
            None => return Ok((fields, terminators)),
        }
    }
}

fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        1 => prop::sample::select(vec![
            ',', '"', '\n', '\r', '\t', '=', '+', '-', '@', '\'', '\u{0}', '\u{1b}', '\u{7f}',
            '\u{85}', '\u{9b}', '\u{fffe}', '\u{ffff}', '\u{2028}', '\u{202e}', 'a', ' ',
        ]),
    ]
}

fn tricky_string() -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..24).prop_map(|v| v.into_iter().collect())
}

/// What a CSV field of `original` reads back as: the original, or with the formula guard.
fn expected_back(original: &str) -> String {
    if original.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{original}")
    } else {
        original.to_string()
    }
}

proptest! {
    #[test]
    fn csv_fields_read_back_and_a_row_has_one_line_terminator(
        a in tricky_string(),
        b in tricky_string(),
    ) {
        let row = format!("{},{},1.5\n", csv_field(&a), csv_field(&b));
        let (fields, terminators) = parse_record(&row).map_err(TestCaseError::fail)?;
        prop_assert_eq!(terminators, 1);
        prop_assert_eq!(fields.len(), 3);
        prop_assert_eq!(&fields[0], &expected_back(&a));
        prop_assert_eq!(&fields[1], &expected_back(&b));
        prop_assert_eq!(&fields[2], "1.5");
        // No control character outside quotes: a line-based reader sees one physical line
        // unless a field itself holds a line break.
        if !a.contains(['\n', '\r']) && !b.contains(['\n', '\r']) {
            prop_assert_eq!(row.matches('\n').count(), 1);
        }
        // A field starting with a formula character is always quoted and guarded.
        for field in [&a, &b] {
            let f = csv_field(field);
            if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                prop_assert!(f.starts_with("\"'"));
            }
            prop_assert!(!f.starts_with(['=', '+', '-', '@', '\t', '\r']));
        }
    }

    #[test]
    fn xml_text_is_always_allowed_in_xml(s in tricky_string()) {
        let t = xml_text(&s);
        for c in t.chars() {
            let allowed = ('\u{20}'..='\u{d7ff}').contains(&c)
                || ('\u{e000}'..='\u{fffd}').contains(&c)
                || c >= '\u{10000}';
            prop_assert!(allowed, "U+{:04X} in {:?}", u32::from(c), t);
            prop_assert!(!c.is_control());
        }
        // Nothing else changes: ordinary text passes as it is.
        let kept: String = s
            .chars()
            .filter(|c| {
                let u = u32::from(*c);
                !c.is_control() && u & 0xFFFE != 0xFFFE && !(0xFDD0..=0xFDEF).contains(&u)
            })
            .collect();
        let t_plain: String = t.chars().filter(|c| *c != ' ').collect();
        let kept_plain: String = kept.chars().filter(|c| *c != ' ').collect();
        prop_assert_eq!(t_plain, kept_plain);
    }

    #[test]
    fn terminal_text_has_no_control_characters(s in tricky_string()) {
        let t = terminal_text(&s);
        prop_assert!(!t.chars().any(char::is_control), "{:?}", t);
        prop_assert!(!t.contains(['\u{202e}', '\u{2028}']), "{:?}", t);
        if !s.chars().any(char::is_control) && !s.contains(['\u{202e}', '\u{2028}']) {
            prop_assert_eq!(t.as_ref(), s.as_str());
        }
    }
}
