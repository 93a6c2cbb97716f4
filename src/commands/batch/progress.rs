//! Per-brand progress on stderr: one indicatif spinner line per brand on a terminal, plain
//! lines (`acme: applying…`, `acme: ok (3.2 s)`) otherwise, e.g. in CI logs.
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

pub enum Progress {
    Bars {
        multi: MultiProgress,
        bars: Vec<ProgressBar>,
    },
    Lines {
        names: Vec<String>,
    },
}

impl Progress {
    /// One line per brand, in the order given.
    pub fn new(names: &[String]) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress::Lines {
                names: names.to_vec(),
            };
        }
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template("{spinner} {prefix}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars = names
            .iter()
            .map(|name| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(name.clone());
                bar.set_message("waiting");
                bar
            })
            .collect();
        Progress::Bars { multi, bars }
    }

    /// A line about the whole batch (e.g. a source being cloned).
    pub fn note(&self, message: &str) {
        match self {
            Progress::Bars { multi, .. } => {
                let _ = multi.println(message);
            }
            Progress::Lines { .. } => eprintln!("{message}"),
        }
    }

    pub fn start(&self, index: usize) {
        match self {
            Progress::Bars { bars, .. } => {
                if let Some(bar) = bars.get(index) {
                    bar.set_message("applying…");
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            }
            Progress::Lines { names } => eprintln!("{}: applying…", names[index]),
        }
    }

    pub fn finish(&self, index: usize, ok: bool, seconds: f64) {
        let result = if ok { "ok" } else { "failed" };
        let message = format!("{result} ({seconds:.1} s)");
        match self {
            Progress::Bars { bars, .. } => {
                if let Some(bar) = bars.get(index) {
                    bar.finish_with_message(message);
                }
            }
            Progress::Lines { names } => eprintln!("{}: {message}", names[index]),
        }
    }
}
