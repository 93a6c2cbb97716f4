//! The end of a batch: a table of every brand's result (or one JSON document), each failure
//! in full on stderr, and exit status 1 when any brand failed.
use anyhow::Result;
use serde_json::{json, Value};

use super::Outcome;
use crate::cli::BatchArgs;
use crate::report;

pub fn print(outcomes: &[Outcome], args: &BatchArgs) -> Result<()> {
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    if args.json {
        report::print_json(&document(outcomes, args, failed == 0));
    } else {
        print_table(outcomes);
    }
    for o in outcomes {
        match &o.result {
            Ok(applied) => {
                let name = shown_name(o);
                for w in applied.built.iter().flat_map(|b| &b.warnings) {
                    eprintln!("warning: {name}: {w}");
                }
                if let Some(d) = &applied.drift {
                    eprintln!(
                        "{name}: upstream moved from {} to {}",
                        crate::apply::short(&d.from),
                        crate::apply::short(&d.to)
                    );
                    d.lines().iter().for_each(|l| eprintln!("  {l}"));
                }
            }
            Err(messages) => messages
                .iter()
                .for_each(|m| eprintln!("error: {}", report::redact(m))),
        }
    }
    if failed > 0 {
        return Err(report::Reported(format!(
            "{failed} of {} brands failed; the others were written",
            outcomes.len()
        ))
        .into());
    }
    Ok(())
}

fn shown_name(o: &Outcome) -> String {
    o.name.clone().unwrap_or_else(|| "?".to_string())
}

fn out_shown(o: &Outcome) -> Option<String> {
    o.out.as_ref().map(|p| p.display().to_string())
}

/// The summary table on stdout: brand, time, output directory and result (ok, or failed and
/// the first line of the error; last, because it may be long).
fn print_table(outcomes: &[Outcome]) {
    let rows: Vec<[String; 4]> = outcomes
        .iter()
        .map(|o| {
            let result = match &o.result {
                Ok(a) if a.built.is_none() => "ok (up to date)".to_string(),
                Ok(_) => "ok".to_string(),
                Err(m) => {
                    let first = m.first().map(String::as_str).unwrap_or("");
                    let first = report::redact(first);
                    format!("failed: {}", first.lines().next().unwrap_or(""))
                }
            };
            [
                shown_name(o),
                format!("{:.1} s", o.seconds),
                out_shown(o).unwrap_or_else(|| "-".to_string()),
                result,
            ]
        })
        .collect();
    let header = ["brand", "time", "output", "result"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}

fn document(outcomes: &[Outcome], args: &BatchArgs, ok: bool) -> Value {
    let brands: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            let mut doc = json!({
                "brand": o.name,
                "file": o.file.display().to_string(),
                "ok": o.result.is_ok(),
                "out": out_shown(o),
                "seconds": (o.seconds * 100.0).round() / 100.0,
            });
            let extra = match &o.result {
                Ok(applied) => json!({
                    "up_to_date": applied.built.is_none(),
                    "commit": applied.commit,
                    "upstream": applied.built.as_ref().map(|b| &b.upstream),
                    "files": applied.built.as_ref().map(|b| b.lock.files.len()),
                    "drift": applied.drift,
                    "warnings": applied.built.as_ref().map(|b| b.warnings.clone()).unwrap_or_default(),
                }),
                Err(messages) => json!({ "error": report::redact(&messages.join("\n")) }),
            };
            if let (Some(doc), Value::Object(extra)) = (doc.as_object_mut(), extra) {
                doc.extend(extra);
            }
            doc
        })
        .collect();
    json!({
        "ok": ok,
        "command": "batch",
        "out": args.out.display().to_string(),
        "brands": brands,
    })
}
