//! The negcycle command line: run experiments, shard and merge them, sweep a parameter, list,
//! show and check scenarios. `run`, `merge`, `presets`, `show` and `check` also handle alliances
//! (one patron, several hosts: [`negcycle::alliance`]).
//!
//! Exit status: 0 success, 2 invalid input or usage, 1 any other failure. Every input is
//! checked before anything runs or any output file or directory is created. The `--out` folder
//! is then opened (created, locked against concurrent runs, checked writable:
//! [`negcycle::report::write::OutputDir`]) before the simulation starts, and its files are
//! staged and committed as one set with a manifest written last. Text from the user (names,
//! paths) is printed through [`negcycle::report::escape::terminal_text`].

mod args;
mod calibrate;
mod catalog;
#[cfg(feature = "explore")]
mod explore;
mod input;
mod merge;
mod output;
mod progress;
mod run;
mod sweep;

use args::{Cli, Command};
use clap::Parser;
use negcycle::Error;
use negcycle::report::escape::terminal_text;
use std::io::Write;
use std::process::ExitCode;

/// Why a command failed, and so its exit status.
#[derive(Debug)]
enum Failure {
    /// Invalid input or usage: exit status 2.
    Invalid(String),
    /// Anything else (writing output, internal errors): exit status 1.
    Failed(String),
}

impl Failure {
    fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Invalid(_) => ExitCode::from(2),
            Failure::Failed(_) => ExitCode::from(1),
        }
    }

    fn message(&self) -> &str {
        match self {
            Failure::Invalid(m) | Failure::Failed(m) => m,
        }
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::Invalid(message.into())
}

/// A library error met while reading input or running: invalid input, except I/O and internal
/// errors.
fn from_lib(e: Error) -> Failure {
    match e {
        Error::Io { .. } | Error::Internal(_) => Failure::Failed(e.to_string()),
        _ => Failure::Invalid(e.to_string()),
    }
}

/// A library error met while checking or running an experiment: as [`from_lib`], naming the
/// option `--reference` when the reference arm is refused.
fn from_run(e: Error) -> Failure {
    match &e {
        Error::InvalidExperiment { field, rule, got } if field == "reference" => {
            invalid(format!("--reference: {rule}, got {got}"))
        }
        Error::Variant { name, source } => invalid(format!("--variant {name}: {source}")),
        _ => from_lib(e),
    }
}

/// A library error met while writing output: always a failure (exit status 1).
fn output_failure(e: Error) -> Failure {
    Failure::Failed(e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(c) => c,
        // `negcycle` alone is `negcycle run` with every default.
        None => match Cli::try_parse_from(["negcycle", "run"]) {
            Ok(Cli { command: Some(c) }) => c,
            _ => {
                note_error("internal error: cannot build the default run command");
                return ExitCode::from(1);
            }
        },
    };
    let result = match command {
        Command::Run(args) => run::cmd_run(args),
        Command::Merge(args) => merge::cmd_merge(args),
        Command::Sweep(args) => sweep::cmd_sweep(args),
        #[cfg(feature = "explore")]
        Command::Explore(args) => explore::cmd_explore(*args),
        Command::Calibrate(args) => calibrate::cmd_calibrate(args),
        Command::Presets => catalog::cmd_presets(),
        Command::Show { preset } => catalog::cmd_show(&preset),
        Command::Check { file } => catalog::cmd_check(&file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            note_error(f.message());
            f.exit_code()
        }
    }
}

/// `text` for a terminal: each line through [`terminal_text`] (control characters, such as an
/// escape sequence in a scenario name, shown as visible escapes), the line breaks kept.
fn terminal_lines(text: &str) -> String {
    text.split('\n')
        .map(terminal_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes `negcycle: <message>` to stderr (ignoring a closed stderr).
fn note_error(message: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "negcycle: {}",
        terminal_lines(message)
    );
}

/// Writes an informational line to stderr unless `quiet`.
fn note(quiet: bool, message: &str) {
    if !quiet {
        let _ = writeln!(std::io::stderr().lock(), "{}", terminal_lines(message));
    }
}

/// Writes the result to stdout. A closed pipe (`negcycle | head`) is not an error.
fn emit(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Failed(format!("writing to stdout: {e}"))),
    }
}

/// Writes text for people (a table, a list) to stdout through [`terminal_lines`]; JSON and
/// CSV go through [`emit`] unchanged (they are data, identical to the files).
fn emit_text(text: &str) -> Result<(), Failure> {
    emit(&terminal_lines(text))
}

/// `text` with exactly one final newline.
fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
