//! Reading scenario and alliance files through `Input::from_path` (and the `from_path` of
//! `Scenario` and `Alliance`, which share its reader): only regular files of at most
//! `MAX_SCENARIO_BYTES` are read, FIFOs and devices are refused before they are opened or read,
//! and either kind of input is recognised from the text.

mod common;

use common::TempDir;
use negcycle::alliance::Alliance;
use negcycle::scenario::MAX_SCENARIO_BYTES;
use negcycle::{Input, Scenario, ScenarioError};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// The result of `f`, which must return within a few seconds (a reader that opened a FIFO
/// would block forever waiting for a writer).
fn promptly<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what}: did not return within 10 s (it blocked)"))
}

/// The path and message of a `ScenarioError::Io`, or a panic naming what was expected.
fn io_error<T: std::fmt::Debug>(what: &str, r: Result<T, ScenarioError>) -> (String, String) {
    match r {
        Err(ScenarioError::Io { path, message }) => (path, message),
        other => panic!("{what}: expected ScenarioError::Io, got {other:?}"),
    }
}

/// Checks that all three readers refuse `path` promptly with an `Io` error naming the path
/// and containing every one of `words`.
fn assert_refused(what: &str, path: &Path, words: &[&str]) {
    let shown = path.display().to_string();
    let p = path.to_path_buf();
    let results = promptly(what, move || {
        (
            Input::from_path(&p).map(|_| ()),
            Scenario::from_path(&p).map(|_| ()),
            Alliance::from_path(&p).map(|_| ()),
        )
    });
    for (reader, r) in [
        ("Input", results.0),
        ("Scenario", results.1),
        ("Alliance", results.2),
    ] {
        let e = r
            .clone()
            .expect_err(&format!("{what}: {reader} accepted it"));
        let display = e.to_string();
        assert!(display.starts_with(&shown), "{what}: {reader}: {display}");
        let (path, message) = io_error(what, r);
        assert_eq!(path, shown, "{what}: {reader}");
        for w in words {
            assert!(
                message.contains(w),
                "{what}: {reader}: {message:?} lacks {w:?}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_being_opened() {
    let dir = TempDir::new("fifo");
    let fifo = dir.path().join("pipe.toml");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(status) if status.success() => {}
        other => {
            eprintln!("note: skipping the FIFO test: mkfifo is unavailable ({other:?})");
            return;
        }
    }
    // Opening a FIFO for reading blocks until a writer appears: `promptly` fails if any
    // reader opens it.
    assert_refused(
        "FIFO",
        &fifo,
        &["not a regular file", "FIFO", "must be a regular"],
    );
    // Through a symlink as well.
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&fifo, &link).expect("symlink");
    assert_refused("symlink to a FIFO", &link, &["not a regular file", "FIFO"]);
}

#[cfg(unix)]
#[test]
fn a_symlink_to_dev_zero_is_refused_without_being_read() {
    let zero = Path::new("/dev/zero");
    if !zero.exists() {
        eprintln!("note: skipping the /dev/zero test: no /dev/zero here");
        return;
    }
    let dir = TempDir::new("zero");
    let link = dir.path().join("zero.toml");
    std::os::unix::fs::symlink(zero, &link).expect("symlink");
    // Refused for what it is (a device), not after reading up to the size cap.
    assert_refused(
        "symlink to /dev/zero",
        &link,
        &["not a regular file", "character device"],
    );
}

#[test]
fn a_directory_is_refused() {
    let dir = TempDir::new("dir");
    let sub = dir.path().join("folder.toml");
    std::fs::create_dir(&sub).expect("mkdir");
    assert_refused("directory", &sub, &["not a regular file", "directory"]);
}

#[test]
fn a_file_over_the_size_cap_is_refused_and_one_at_the_cap_loads() {
    let dir = TempDir::new("size");
    let cap = usize::try_from(MAX_SCENARIO_BYTES).expect("the cap fits in usize");

    // A valid preset padded with a comment to exactly the cap loads.
    let text = Input::preset_toml("frictionless").expect("preset");
    let mut exact = text.as_bytes().to_vec();
    exact.extend_from_slice(b"\n#");
    exact.resize(cap, b'x');
    let p = dir.write("exact.toml", &exact);
    assert_eq!(
        Input::from_path(&p).expect("a file of exactly MAX_SCENARIO_BYTES loads"),
        Input::preset("frictionless").expect("preset")
    );

    // One byte more is refused, by all three readers, with the cap in the message.
    exact.push(b'x');
    let p = dir.write("over.toml", &exact);
    assert_refused(
        "oversize file",
        &p,
        &[
            &format!("the file is {} bytes", cap + 1),
            &format!("at most {MAX_SCENARIO_BYTES} bytes"),
            "MAX_SCENARIO_BYTES",
        ],
    );
}

#[test]
fn every_preset_written_to_a_file_loads_as_its_kind() {
    let dir = TempDir::new("presets");
    let names = Input::presets();
    assert_eq!(
        names,
        [
            "us_rok_sma",
            "us_rok_sma_history",
            "wage_round",
            "frictionless",
            "us_alliances"
        ]
    );
    for name in names {
        let expected = Input::preset(name).expect("preset");
        let alliance = Alliance::presets().contains(&name);
        assert_eq!(expected.is_alliance(), alliance, "{name}");

        // TOML: the preset's own text.
        let text = Input::preset_toml(name).expect("preset text");
        let p = dir.write(&format!("{name}.toml"), text.as_bytes());
        let loaded = Input::from_path(&p).expect("the preset file loads");
        assert_eq!(loaded, expected, "{name} (TOML)");
        assert_eq!(matches!(loaded, Input::Alliance(_)), alliance, "{name}");
        match &loaded {
            Input::Single(s) => assert_eq!(Scenario::from_path(&p).as_ref(), Ok(s), "{name}"),
            Input::Alliance(a) => assert_eq!(Alliance::from_path(&p).as_ref(), Ok(a), "{name}"),
        }

        // JSON: the same scenario in the file form of its kind.
        let json = match &expected {
            Input::Single(s) => s.to_json_string().expect("JSON"),
            Input::Alliance(a) => serde_json::to_string_pretty(a).expect("JSON"),
        };
        let p = dir.write(&format!("{name}.JSON"), json.as_bytes());
        assert_eq!(Input::from_path(&p), Ok(expected.clone()), "{name} (JSON)");

        // A symlink to a regular file is followed.
        #[cfg(unix)]
        {
            let link = dir.path().join(format!("{name}-link.toml"));
            std::os::unix::fs::symlink(dir.path().join(format!("{name}.toml")), &link)
                .expect("symlink");
            assert_eq!(Input::from_path(&link), Ok(expected), "{name} (symlink)");
        }
    }
}

#[test]
fn an_alliance_file_with_a_broken_rule_names_the_host_field() {
    let dir = TempDir::new("invalid");
    let mut alliance = Alliance::preset("us_alliances").expect("preset");
    let host = alliance.hosts[1].name.clone();
    alliance.hosts[1].party.margin = -0.5;
    alliance.hosts[1].agreement.indexation = 2.0;
    let text = alliance.to_toml_string().expect("TOML");
    let p = dir.write("broken.toml", text.as_bytes());
    let violations = match Input::from_path(&p) {
        Err(ScenarioError::Invalid(v)) => v,
        other => panic!("expected ScenarioError::Invalid, got {other:?}"),
    };
    let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            format!("hosts.{host}.agreement.indexation"),
            format!("hosts.{host}.party.margin")
        ],
        "{violations:?}"
    );
    assert_eq!(violations[0].rule, "must be in [0, 1]");
    assert_eq!(violations[1].rule, "must be >= 0");
    assert_eq!(violations[1].got, "-0.5");
    // The same from the alliance's own reader.
    assert_eq!(
        Alliance::from_path(&p),
        Err(ScenarioError::Invalid(violations))
    );
}

#[test]
fn the_kind_is_told_by_the_hosts_key() {
    // A `hosts` key of the wrong shape is still read as an alliance, so the error is about
    // `hosts`, not an unknown key of a single scenario.
    let e = Input::from_toml_str("name = \"x\"\nhosts = 5\n").expect_err("not an alliance");
    assert!(
        matches!(&e, ScenarioError::Parse { format: "TOML", .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("hosts"), "{e}");
    // An alliance without hosts breaks the alliance's rule.
    let e = Input::from_json_str(r#"{"name": "x", "hosts": []}"#).expect_err("no hosts");
    assert!(
        e.to_string().contains("hosts: at least one host is needed"),
        "{e}"
    );
    // No `hosts`: a single scenario, with the single scenario's errors.
    assert!(matches!(
        Input::from_toml_str("name = \"x\"\n"),
        Ok(Input::Single(_))
    ));
    let e = Input::from_toml_str("name = \"x\"\nhots = 1\n").expect_err("unknown key");
    assert!(e.to_string().contains("hots"), "{e}");
    // Not TOML at all: the TOML parser's error with its location.
    assert!(matches!(
        Input::from_toml_str("name = "),
        Err(ScenarioError::Parse {
            format: "TOML",
            line: Some(1),
            ..
        })
    ));
}

#[test]
fn input_dispatches_to_the_scenario_or_the_alliance() {
    let single = Input::preset("us_rok_sma").expect("preset");
    let alliance = Input::preset("us_alliances").expect("preset");
    let Input::Single(s) = &single else {
        panic!("us_rok_sma is a single scenario")
    };
    let Input::Alliance(a) = &alliance else {
        panic!("us_alliances is an alliance")
    };

    assert_eq!(Input::from(s.clone()), single);
    assert_eq!(Input::from(a.clone()), alliance);
    for (input, name, units, spy, years) in [
        (
            &single,
            &s.name,
            &s.units,
            s.steps_per_year,
            s.horizon_years,
        ),
        (
            &alliance,
            &a.name,
            &a.units,
            a.steps_per_year,
            a.horizon_years,
        ),
    ] {
        assert_eq!(input.name(), name);
        assert_eq!(input.units(), units);
        assert_eq!(input.steps_per_year(), spy);
        assert_eq!(input.horizon_years(), years);
        assert_eq!(input.validate(), Ok(()));
        // The TOML is the untagged file form and reads back as the same kind.
        let toml = input.to_toml_string().expect("TOML");
        assert_eq!(Input::from_toml_str(&toml).as_ref(), Ok(input));
        let untagged = match input {
            Input::Single(_) => Scenario::from_toml_str(&toml).map(Input::from),
            Input::Alliance(_) => Alliance::from_toml_str(&toml).map(Input::from),
        };
        assert_eq!(untagged.as_ref(), Ok(input));
        // The serde form is tagged.
        let json = serde_json::to_value(input).expect("JSON");
        let kind = if input.is_alliance() {
            "alliance"
        } else {
            "single"
        };
        assert_eq!(json["kind"], kind);
        assert_eq!(json["scenario"]["name"], name.as_str());
        let back: Input = serde_json::from_value(json).expect("reads back");
        assert_eq!(&back, input);
    }

    assert_eq!(single.host_names(), ["host"]);
    assert_eq!(single.to_alliance(), Alliance::from_scenario(s));
    assert_eq!(single.to_alliance().host_names(), single.host_names());
    assert_eq!(alliance.host_names(), a.host_names());
    assert_eq!(&alliance.to_alliance(), a);

    // Overrides go to the right kind's rules.
    assert_eq!(
        single.with_override("host.margin", "0.1"),
        Ok(Input::Single(
            s.with_override("host.margin", "0.1").expect("set")
        ))
    );
    let key = format!("hosts.{}.party.margin", a.hosts[0].name);
    assert_eq!(
        alliance.with_override(&key, "0.1"),
        Ok(Input::Alliance(a.with_override(&key, "0.1").expect("set")))
    );
    assert!(matches!(
        single.with_override("linkage.leverage", "1"),
        Err(ScenarioError::Override { .. })
    ));
    assert_eq!(
        alliance
            .with_override("linkage.leverage", "1")
            .map(|i| i.is_alliance()),
        Ok(true)
    );

    // Presets of either kind; an unknown name lists them all.
    assert_eq!(
        Input::preset_toml("us_alliances"),
        Alliance::preset_toml("us_alliances")
    );
    assert_eq!(
        Input::preset_toml("wage_round"),
        Scenario::preset_toml("wage_round")
    );
    for r in [
        Input::preset("nope").map(|_| ()),
        Input::preset_toml("nope").map(|_| ()),
    ] {
        match r {
            Err(ScenarioError::UnknownPreset { name, available }) => {
                assert_eq!(name, "nope");
                assert_eq!(available, Input::presets());
            }
            other => panic!("expected UnknownPreset, got {other:?}"),
        }
    }
}
