//! Thin entry point: parse the command line, run the library, map the outcome to an exit code.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // clap exits with status 2 on usage errors and 0 for --help/--version by itself.
    let cli = mmbrand::cli::Cli::parse();
    let json = cli.json();
    let setup = mmbrand::stage::interrupts::install().and_then(|()| match cli.uses_git() {
        true => mmbrand::git_net::set_timeouts(),
        false => Ok(()),
    });
    if let Err(err) = setup {
        mmbrand::report::print_failure(&err, json);
        return ExitCode::from(1);
    }
    mmbrand::report::quiet_on_closed_stdout();
    let outcome = std::panic::catch_unwind(|| mmbrand::run(cli));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        // `mmbrand plan … | head`: the reader left. Unwinding has removed the scratch
        // directories; exit as a program killed by SIGPIPE does, without a message.
        Err(payload) if mmbrand::report::is_closed_stdout(payload.as_ref()) => {
            return ExitCode::from(141)
        }
        Err(payload) => std::panic::resume_unwind(payload),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if mmbrand::stage::interrupts::pending() {
                // The interrupt handler is removing the staging directory and exits 130/143.
                std::thread::sleep(std::time::Duration::from_secs(30));
            }
            mmbrand::report::print_failure(&err, json);
            ExitCode::from(1)
        }
    }
}
