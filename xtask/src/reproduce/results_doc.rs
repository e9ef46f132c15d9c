//! The results block of docs/results.md between its markers.

use super::*;

pub(super) fn begin_marker(data: &str) -> String {
    format!("<!-- results:{data}:begin -->")
}

pub(super) fn end_marker(data: &str) -> String {
    format!("<!-- results:{data}:end -->")
}

/// docs/results.md when it does not exist yet.
pub(super) fn results_header() -> String {
    let mut s = String::from(
        "# Results\n\n\
         The tables below are written by `cargo xtask reproduce`, one block per data set (see paper/README.md).\n\
         Everything between a pair of markers is replaced on the next run; edit outside them only.\n",
    );
    for data in [Data::Quick, Data::PaperScaled] {
        let _ = write!(
            s,
            "\n## {}\n\n{}\n_Not run yet._\n{}\n",
            data.name(),
            begin_marker(data.name()),
            end_marker(data.name())
        );
    }
    s
}

/// Puts `block` between the `data` markers of docs/results.md (`doc`, or a
/// fresh file when `None`), keeping everything outside them; markers that
/// are missing are appended.
pub fn splice_results(doc: Option<&str>, data: &str, block: &str) -> Result<String> {
    let doc = doc.map_or_else(results_header, str::to_string);
    let (begin, end) = (begin_marker(data), end_marker(data));
    let inner = format!("\n{}\n", block.trim());
    match (doc.find(&begin), doc.find(&end)) {
        (Some(b), Some(e)) if b < e => {
            let start = b + begin.len();
            Ok(format!("{}{inner}{}", &doc[..start], &doc[e..]))
        }
        (None, None) => {
            let sep = if doc.ends_with('\n') { "\n" } else { "\n\n" };
            Ok(format!("{doc}{sep}{begin}{inner}{end}\n"))
        }
        _ => bail!("docs/results.md: the markers {begin} and {end} are not a pair in that order"),
    }
}
