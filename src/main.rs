//! The c7doctor binary: parse, run, map the result to an exit code (0/1/2, 3 on a bug, 4
//! incomplete).
//!
//! It starts from C's `main`, not Rust's: the standard library's start-up reads
//! `/proc/self/maps` to find the main thread's stack for its stack-overflow message, about
//! 0.1 M instructions and five system calls, a tenth of a `token` run. What else that
//! start-up does is done here: the standard descriptors are made safe and SIGPIPE is
//! ignored. A stack overflow on the main thread now ends in SIGSEGV without the message.
#![no_main]

use std::ffi::{c_char, c_int};

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    open_closed_standard_descriptors();
    // A reader that goes away (`c7doctor … | head`) is a write error c7doctor handles, not
    // a signal that kills it before the exit code is set.
    // SAFETY: setting a signal's disposition to "ignore" before any thread exists.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    // glibc hands the arguments to the standard library before `main`, as for Rust's `main`.
    let code = std::panic::catch_unwind(|| c7doctor::main_with_args(std::env::args_os()))
        .unwrap_or_else(|_| {
            c7doctor::output::stderr_line(
                "c7doctor: internal error (a bug): please report it with the command you ran",
            );
            3
        });
    // Flushes stdout, as returning from Rust's `main` would.
    std::process::exit(code)
}

/// A closed stdin, stdout or stderr is opened on /dev/null, so that no file c7doctor opens
/// (a saved token, `--out`) takes its number and receives the report or the trace.
fn open_closed_standard_descriptors() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd for the duration of the call.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } < 0 {
        return;
    }
    for pfd in fds {
        if pfd.revents & libc::POLLNVAL != 0 {
            // SAFETY: a NUL-terminated path; the descriptor opened is the lowest free one,
            // the closed standard descriptor, and is kept for the life of the process.
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
}
