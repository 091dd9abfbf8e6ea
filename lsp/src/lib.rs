//! The Edict language server (`edict lsp`): the compiler's workspace behind the Language
//! Server Protocol, over standard input and output.
//!
//! It speaks JSON-RPC itself ([`transport`]) with the message types of `lsp-types`, rather
//! than through `lsp-server` or `tower-lsp`: `lsp-server`'s reader stops at the first
//! malformed message, and an editor or a fuzzer sending garbage must get an error answer and a
//! server that goes on; `tower-lsp` brings an async runtime to a server whose state (the salsa
//! database) is best owned by one thread that handles messages in order. See [`server`] for
//! the loop, [`requests`] for what it answers, [`lines`] for UTF-16 positions.

pub mod lines;
pub mod server;
pub mod transport;

/// Serves on standard input and output until the client exits; returns the exit status
/// (0 after `shutdown` then `exit`, 1 otherwise).
pub fn run_stdio() -> i32 {
    let stdin = std::io::BufReader::new(std::io::stdin());
    let stdout = std::io::stdout();
    server::run(stdin, stdout.lock())
}
