//! Just enough HTTP/1.1 to read the Docker Engine API's answers: a status
//! line, headers, and a body framed by Content-Length, chunked encoding or
//! the end of the connection.

use std::io::{self, Read};

/// A complete response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub body: Vec<u8>,
}

/// What can be wrong with the bytes the server sent.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    #[error("the answer is not HTTP: {0}")]
    NotHttp(String),
    #[error("the answer ended after {got} of {expected} body bytes")]
    Truncated { expected: usize, got: usize },
    #[error("the chunked body is malformed: {0}")]
    BadChunk(String),
    #[error("the answer is larger than {}", crate::bounded::exact_size(*.0 as u64))]
    TooLarge(usize),
    #[error("the status line and headers are larger than {}: not an Engine API answer", crate::bounded::exact_size(*.0 as u64))]
    HeaderTooLarge(usize),
    #[error("the connection closed before any answer")]
    Empty,
}

/// Largest response accepted (the biggest Engine API answers — container
/// lists on busy hosts — stay far below this).
pub const MAX_RESPONSE: usize = 256 * 1024 * 1024;

/// Largest status line and header block accepted (the Engine API sends a
/// few hundred bytes).
pub const MAX_HEADER: usize = 64 * 1024;

/// Reads a whole response from `reader` (which the server closes, as the
/// request said `Connection: close`). The end of the headers is looked for
/// in the new bytes only, so reading stays linear in the answer's size.
pub fn read_response(reader: &mut impl Read) -> Result<Response, ReadError> {
    let mut raw = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 64 * 1024];
    let mut framing: Option<Framing> = None;
    loop {
        let n = reader.read(&mut chunk).map_err(ReadError::Io)?;
        if n == 0 {
            break;
        }
        let searched = raw.len();
        raw.extend_from_slice(&chunk[..n]);
        if raw.len() > MAX_RESPONSE {
            return Err(ResponseError::TooLarge(MAX_RESPONSE).into());
        }
        if framing.is_none() {
            framing = find_header_end(&raw, searched)?.map(|end| Framing::of(&raw, end));
        }
        // Stop early once a Content-Length framed body is complete, so a
        // server that keeps the connection open does not cost a timeout.
        if let Some(Framing {
            total: Some(total), ..
        }) = framing
            && raw.len() >= total
        {
            raw.truncate(total);
            break;
        }
    }
    parse_response(&raw).map_err(ReadError::Response)
}

/// Where the header block ends, looking from `searched` on (less the three
/// bytes a `\r\n\r\n` split across reads may start with); an error once
/// the block outgrows [`MAX_HEADER`].
fn find_header_end(raw: &[u8], searched: usize) -> Result<Option<usize>, ResponseError> {
    let from = searched.saturating_sub(3);
    let found = raw[from..]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| from + i + 4);
    match found {
        Some(end) if end > MAX_HEADER => Err(ResponseError::HeaderTooLarge(MAX_HEADER)),
        None if raw.len() > MAX_HEADER => Err(ResponseError::HeaderTooLarge(MAX_HEADER)),
        found => Ok(found),
    }
}

/// How the body is framed, worked out once from the headers.
#[derive(Clone, Copy, Debug)]
struct Framing {
    /// Head + body length, for a Content-Length framed answer.
    total: Option<usize>,
}

impl Framing {
    fn of(raw: &[u8], end: usize) -> Framing {
        let total = std::str::from_utf8(&raw[..end]).ok().and_then(|head| {
            let chunked = header(head, "transfer-encoding")
                .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
            if chunked {
                return None;
            }
            header(head, "content-length")?
                .parse::<usize>()
                .ok()
                .map(|len| end.saturating_add(len))
        });
        Framing { total }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Io(io::Error),
    #[error(transparent)]
    Response(#[from] ResponseError),
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Parses a complete response held in memory.
pub fn parse_response(raw: &[u8]) -> Result<Response, ResponseError> {
    if raw.is_empty() {
        return Err(ResponseError::Empty);
    }
    let Some(end) = find_header_end(raw, 0)? else {
        return Err(ResponseError::NotHttp(preview(raw)));
    };
    let head =
        std::str::from_utf8(&raw[..end]).map_err(|_| ResponseError::NotHttp(preview(raw)))?;
    let status_line = head.split("\r\n").next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(ResponseError::NotHttp(preview(raw)));
    }
    let status = parts
        .next()
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| ResponseError::NotHttp(preview(raw)))?;
    let reason = parts.next().unwrap_or_default().to_owned();
    let rest = &raw[end..];
    let chunked =
        header(head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        decode_chunked(rest)?
    } else if let Some(length) = header(head, "content-length") {
        let expected: usize = length
            .parse()
            .map_err(|_| ResponseError::NotHttp(format!("bad Content-Length `{length}`")))?;
        if rest.len() < expected {
            return Err(ResponseError::Truncated {
                expected,
                got: rest.len(),
            });
        }
        rest[..expected].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Response {
        status,
        reason,
        body,
    })
}

fn decode_chunked(mut rest: &[u8]) -> Result<Vec<u8>, ResponseError> {
    let mut body = Vec::with_capacity(rest.len());
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(|| {
            ResponseError::BadChunk("the body ended inside a chunk header".into())
        })?;
        let size_text = std::str::from_utf8(&rest[..line_end])
            .map_err(|_| ResponseError::BadChunk("non-text chunk size".into()))?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| ResponseError::BadChunk(format!("chunk size `{size_text}`")))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size {
            return Err(ResponseError::Truncated {
                expected: body.len() + size,
                got: body.len() + rest.len(),
            });
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
}

fn preview(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(&raw[..raw.len().min(60)]);
    format!("starts with {:?}", text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_bodies() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}").unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"{}"[..]));
    }

    #[test]
    fn chunked_bodies() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n";
        assert_eq!(parse_response(raw).unwrap().body, b"{\"a\":1}");
    }

    #[test]
    fn truncated_and_garbage_answers_are_errors() {
        let err = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}").unwrap_err();
        assert!(
            matches!(
                err,
                ResponseError::Truncated {
                    expected: 10,
                    got: 2
                }
            ),
            "{err}"
        );
        let err = parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nabc")
            .unwrap_err();
        assert!(matches!(err, ResponseError::Truncated { .. }), "{err}");
        assert!(matches!(
            parse_response(b"SSH-2.0-OpenSSH\r\n"),
            Err(ResponseError::NotHttp(_))
        ));
        assert!(matches!(parse_response(b""), Err(ResponseError::Empty)));
        assert!(matches!(
            parse_response(b"HTTP/1.1 abc\r\n\r\n"),
            Err(ResponseError::NotHttp(_))
        ));
        assert!(matches!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            Err(ResponseError::BadChunk(_))
        ));
    }

    /// Hands out its bytes a few at a time, as a socket may.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn headers_split_across_reads_are_found() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}trailing junk";
        for step in 1..6 {
            let response = read_response(&mut Trickle(raw, step)).unwrap();
            assert_eq!(response.body, b"{}", "step {step}");
        }
    }

    #[test]
    fn a_huge_header_block_is_refused_after_the_cap() {
        let mut raw = b"HTTP/1.1 200 OK\r\nX-Junk: ".to_vec();
        raw.resize(10 * 1024 * 1024, b'a');
        let started = std::time::Instant::now();
        let error = read_response(&mut Trickle(&raw, 1024)).unwrap_err();
        assert!(
            matches!(error, ReadError::Response(ResponseError::HeaderTooLarge(_))),
            "{error}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(matches!(
            parse_response(&raw),
            Err(ResponseError::HeaderTooLarge(_))
        ));
    }
}
