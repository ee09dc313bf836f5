//! A socket whose reads and writes all end by one instant: a request's
//! deadline, not an idle timeout per read (a daemon dripping one byte a
//! second would otherwise hold a request for ever).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// A stream that can bound its next read or write.
pub trait TimedStream: Read + Write {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl TimedStream for UnixStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_write_timeout(self, timeout)
    }
}

impl TimedStream for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
}

/// The time left before `deadline`, or a `TimedOut` error once it passed.
pub fn remaining(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the request's deadline passed",
        ));
    }
    Ok(left)
}

/// `stream`, with every read and write bounded by the time left.
#[derive(Debug)]
pub struct Deadlined<S> {
    stream: S,
    deadline: Instant,
}

impl<S: TimedStream> Deadlined<S> {
    pub fn new(stream: S, deadline: Instant) -> Self {
        Deadlined { stream, deadline }
    }
}

impl<S: TimedStream> Read for Deadlined<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream
            .set_read_timeout(Some(remaining(self.deadline)?))?;
        self.stream.read(buf)
    }
}

impl<S: TimedStream> Write for Deadlined<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream
            .set_write_timeout(Some(remaining(self.deadline)?))?;
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// `3 s`, `300 ms`: a timeout as messages say it.
pub fn describe(timeout: Duration) -> String {
    if timeout.subsec_millis() == 0 && timeout.as_secs() > 0 {
        format!("{} s", timeout.as_secs())
    } else if timeout.as_secs() == 0 {
        format!("{} ms", timeout.as_millis().max(1))
    } else {
        format!("{:.1} s", timeout.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_fails_the_next_read_at_once() {
        let (left, mut right) = UnixStream::pair().unwrap();
        right.write_all(b"x").unwrap();
        let mut stream = Deadlined::new(left, Instant::now());
        let error = stream.read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn timeouts_read_as_people_write_them() {
        assert_eq!(describe(Duration::from_secs(3)), "3 s");
        assert_eq!(describe(Duration::from_millis(300)), "300 ms");
        assert_eq!(describe(Duration::from_millis(1500)), "1.5 s");
    }
}
