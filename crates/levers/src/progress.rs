//! The CLI's progress bars (indicatif, on standard error, hidden when it is not a terminal so that
//! logs and pipes get only the results): over a file's bytes, over an import's steps, or a spinner.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

fn hidden_unless_terminal(bar: ProgressBar, msg: &str, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(msg.to_string());
    bar
}

/// A bar over a file's bytes (registers and postcode directories run to gigabytes).
pub fn bytes_bar(msg: &str, len: u64) -> ProgressBar {
    hidden_unless_terminal(
        ProgressBar::new(len),
        msg,
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
    )
}

/// A bar over an import's steps (read, stored …), each named as it starts.
pub fn steps_bar(msg: &str, steps: u64) -> ProgressBar {
    hidden_unless_terminal(
        ProgressBar::new(steps),
        msg,
        "{msg} [{bar:30}] step {pos} of {len}, {elapsed}",
    )
}

/// A spinner for work whose size is not known.
pub fn spinner(msg: &str) -> ProgressBar {
    let bar = hidden_unless_terminal(ProgressBar::new_spinner(), msg, "{spinner} {msg} {elapsed}");
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
