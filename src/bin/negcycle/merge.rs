//! `negcycle merge`: combine the partial reports of `run --shard` into the full report.

use crate::args::MergeArgs;
use crate::output::{check_out_dir, open_out, output_report};
use crate::{Failure, from_lib, invalid};
use negcycle::{PartialReport, Report};

/// The message for a full report given to `merge`.
fn full_report_given(origin: &str) -> Failure {
    invalid(format!(
        "{origin}: this is a full report, not a partial report of \
         `negcycle run --shard I/N --format json`"
    ))
}

pub(crate) fn cmd_merge(args: MergeArgs) -> Result<(), Failure> {
    check_out_dir(args.out.as_deref())?;
    let mut parts: Vec<PartialReport> = Vec::with_capacity(args.files.len());
    for path in &args.files {
        // The reader of scenario files, with the part cap: a FIFO, a device or an oversized
        // file is refused (exit 2) before it is read.
        let text = PartialReport::read_text(path).map_err(from_lib)?;
        let origin = path.display().to_string();
        let part = PartialReport::from_json_str(&text, &origin).map_err(|e| {
            if Report::from_json_str(&text, &origin).is_ok() {
                full_report_given(&origin)
            } else {
                from_lib(e)
            }
        })?;
        parts.push(part);
    }
    // Every message about a part names its file (several files can hold the same trials).
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let report = Report::merge_named(&parts, &names).map_err(from_lib)?;
    // Every part is read and checked before --out is created.
    let out = open_out(args.out.as_deref())?;
    output_report(&report, args.format, out, args.quiet)
}
