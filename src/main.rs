//! The `smtp-sim` binary: on wasm32 it starts the browser app; natively it is the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    smtp_sim::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    smtp_sim::cli::main()
}
