//! The c7doctor binary: parse, run, map the result to an exit code (0/1/2, 3 on a bug).

fn main() {
    let code = std::panic::catch_unwind(|| c7doctor::main_with_args(std::env::args_os()))
        .unwrap_or_else(|_| {
            c7doctor::output::stderr_line(
                "c7doctor: internal error (a bug): please report it with the command you ran",
            );
            3
        });
    std::process::exit(code);
}
