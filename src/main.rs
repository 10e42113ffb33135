//! The `smtp-sim` binary: on wasm32 it starts the browser app; natively it is the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    smtp_sim::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, so printing to a closed pipe (`smtp-sim run ID | head`) is an error
    // that `println!` turns into a panic; with the default action the process ends quietly.
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    smtp_sim::cli::main()
}
