//! The base protocol: messages framed by a `Content-Length` header, each a JSON-RPC object.
//!
//! Reading never gives up on bad input: a malformed header, a body that is not UTF-8 or not
//! JSON is reported as [`Incoming::Garbage`] and reading goes on with the next message, so the
//! server can answer with a parse error and keep serving. Only the end of the input ends it.

use std::io::{self, BufRead, Read, Write};

use serde_json::Value;

/// The largest body read; a longer one is skipped as garbage.
const MAX_BODY: usize = 256 << 20;

/// What the client sent.
#[derive(Debug)]
pub enum Incoming {
    Message(Value),
    /// Something that is not a message, and why.
    Garbage(String),
    /// The input ended.
    Eof,
}

/// Reads the next message.
pub fn read(input: &mut impl BufRead) -> Incoming {
    let mut length: Option<usize> = None;
    let mut problem: Option<String> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return Incoming::Eof,
            Ok(_) => {}
            Err(e) => return Incoming::Garbage(format!("cannot read the input: {e}")),
        }
        let text = String::from_utf8_lossy(&line);
        let header = text.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() || problem.is_some() {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => problem = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {}
            None => problem = Some(format!("a header line without `:`: `{}`", shorten(header))),
        }
    }
    let Some(length) = length else {
        return Incoming::Garbage(problem.unwrap_or_else(|| "no Content-Length header".to_owned()));
    };
    if length > MAX_BODY {
        let skipped = io::copy(&mut input.take(length as u64), &mut io::sink());
        return Incoming::Garbage(format!(
            "a body of {length} bytes is too long (skipped {} bytes)",
            skipped.unwrap_or(0)
        ));
    }
    let mut body = vec![0; length];
    if input.read_exact(&mut body).is_err() {
        return Incoming::Eof;
    }
    if let Some(problem) = problem {
        return Incoming::Garbage(problem);
    }
    let text = match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            return Incoming::Garbage(format!(
                "the body is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ));
        }
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(value) => Incoming::Message(value),
        Err(e) => Incoming::Garbage(format!("the body is not JSON: {e}")),
    }
}

/// Writes one message.
pub fn write(output: &mut impl Write, message: &Value) -> io::Result<()> {
    let body = message.to_string();
    write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
    output.write_all(body.as_bytes())?;
    output.flush()
}

fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Vec<String> {
        let mut reader = io::BufReader::new(input);
        let mut out = Vec::new();
        loop {
            match read(&mut reader) {
                Incoming::Eof => return out,
                Incoming::Message(v) => out.push(format!("message {v}")),
                Incoming::Garbage(why) => out.push(format!("garbage: {why}")),
            }
        }
    }

    #[test]
    fn garbage_is_reported_and_reading_goes_on() {
        let mut input = Vec::new();
        input.extend_from_slice(b"Content-Length: 7\r\n\r\n{\"a\":1}");
        input.extend_from_slice(b"Content-Length: 5\r\n\r\nhello");
        input.extend_from_slice(b"Content-Length: 3\r\n\r\n\"\xff\"");
        input.extend_from_slice(b"nonsense line\r\n\r\n");
        input.extend_from_slice(b"Content-Length: x\r\n\r\n");
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n[]");
        assert_eq!(
            all(&input),
            vec![
                "message {\"a\":1}",
                "garbage: the body is not JSON: expected value at line 1 column 1",
                "garbage: the body is not UTF-8 (invalid byte at offset 1)",
                "garbage: a header line without `:`: `nonsense line`",
                "garbage: bad Content-Length `x`",
                "message []",
            ]
        );
    }

    #[test]
    fn a_message_written_is_read_back() {
        let mut out = Vec::new();
        let value = serde_json::json!({"jsonrpc": "2.0", "method": "x", "params": {"t": "第七条"}});
        write(&mut out, &value).expect("written");
        assert_eq!(all(&out), vec![format!("message {value}")]);
    }
}
