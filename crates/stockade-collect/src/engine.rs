//! A blocking, read-only Docker Engine API client.
//!
//! It only ever sends `GET`. Each request opens its own connection, so
//! several can run on different threads; connecting, sending and reading the
//! whole answer end by one deadline per request (the client's timeout).

use std::io::{self, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::deadline::{self, Deadlined, TimedStream};
use crate::http::{self, ReadError};

/// Where the Engine API listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// Plain TCP `host:port` (TLS endpoints are not supported).
    Tcp(String),
}

impl Endpoint {
    /// Reads `unix:///path`, `/path`, or `tcp://host:port`.
    pub fn parse(text: &str) -> Result<Endpoint, EngineError> {
        if let Some(path) = text.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(EngineError::BadEndpoint(text.to_owned(), "no socket path"));
            }
            Ok(Endpoint::Unix(PathBuf::from(path)))
        } else if text.starts_with('/') {
            Ok(Endpoint::Unix(PathBuf::from(text)))
        } else if let Some(address) = text.strip_prefix("tcp://") {
            let address = address.trim_end_matches('/');
            if address.is_empty() {
                return Err(EngineError::BadEndpoint(text.to_owned(), "no address"));
            }
            Ok(Endpoint::Tcp(address.to_owned()))
        } else {
            Err(EngineError::BadEndpoint(
                text.to_owned(),
                "expected unix:///path/to/docker.sock or tcp://host:port",
            ))
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(address) => write!(f, "tcp://{address}"),
        }
    }
}

/// Why a request to the Engine API failed. Messages name the endpoint and
/// say what to do.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("`{0}` is not a Docker endpoint: {1}")]
    BadEndpoint(String, &'static str),
    #[error("no Docker socket at {0} (is dockerd running? point --docker-host at its socket)")]
    NoSocket(PathBuf),
    #[error("{0} refused the connection: nothing is listening there (stale socket?)")]
    Refused(String),
    #[error("permission denied opening {0} (run as root or as a member of the socket's group)")]
    PermissionDenied(String),
    #[error("{endpoint} did not answer GET {path} within {within} (--timeout)")]
    Timeout {
        endpoint: String,
        path: String,
        /// The timeout, as written in messages (`3 s`).
        within: String,
    },
    #[error("GET {path} on {endpoint}: {source}")]
    Io {
        endpoint: String,
        path: String,
        source: io::Error,
    },
    #[error("GET {path} on {endpoint}: {source}")]
    BadResponse {
        endpoint: String,
        path: String,
        source: http::ResponseError,
    },
    #[error("GET {path} on {endpoint} answered {status} {reason}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        endpoint: String,
        path: String,
        status: u16,
        reason: String,
        message: Option<String>,
    },
    #[error("GET {path} on {endpoint} answered something that is not JSON ({detail})")]
    NotJson {
        endpoint: String,
        path: String,
        detail: String,
    },
    #[error("{endpoint} reports no usable API version in GET /version")]
    NoApiVersion { endpoint: String },
}

impl EngineError {
    /// Whether the daemon answered with this HTTP status.
    pub fn is_status(&self, code: u16) -> bool {
        matches!(self, EngineError::Status { status, .. } if *status == code)
    }

    /// Whether the daemon is gone or stuck rather than answering badly:
    /// further requests would fail the same way (or wait as long).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            EngineError::NoSocket(_)
                | EngineError::Refused(_)
                | EngineError::PermissionDenied(_)
                | EngineError::Timeout { .. }
        )
    }
}

/// A client bound to one endpoint and, once negotiated, one API version.
#[derive(Clone, Debug)]
pub struct EngineClient {
    endpoint: Endpoint,
    timeout: Duration,
    api_version: Option<String>,
    server_pid: Option<u32>,
}

impl EngineClient {
    pub fn new(endpoint: Endpoint, timeout: Duration) -> Self {
        EngineClient {
            endpoint,
            timeout,
            api_version: None,
            server_pid: None,
        }
    }

    /// A client that uses an API version negotiated earlier.
    #[must_use]
    pub fn with_api_version(mut self, api_version: &str) -> Self {
        if is_api_version(api_version) {
            self.api_version = Some(api_version.to_owned());
        }
        self
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// The process that answered `GET /version` on a unix socket, as this
    /// process's pid namespace numbers it (see [`crate::process::peer_pid`]).
    pub fn server_pid(&self) -> Option<u32> {
        self.server_pid
    }

    /// Asks `GET /version` and pins the daemon's API version for every
    /// later request. Returns the `/version` answer.
    pub fn negotiate(&mut self) -> Result<Value, EngineError> {
        let (version, server_pid) = self.get_raw_from("/version")?;
        self.server_pid = server_pid;
        let api = version
            .get("ApiVersion")
            .and_then(Value::as_str)
            .filter(|v| is_api_version(v))
            .ok_or_else(|| EngineError::NoApiVersion {
                endpoint: self.endpoint.to_string(),
            })?;
        self.api_version = Some(api.to_owned());
        Ok(version)
    }

    /// `GET /v{api}{path}` (or the unversioned path before negotiation).
    pub fn get(&self, path: &str) -> Result<Value, EngineError> {
        match &self.api_version {
            Some(api) => self.get_raw(&format!("/v{api}{path}")),
            None => self.get_raw(path),
        }
    }

    fn get_raw(&self, path: &str) -> Result<Value, EngineError> {
        self.get_raw_from(path).map(|(value, _)| value)
    }

    /// The answer, and the pid of the process that gave it (unix sockets).
    fn get_raw_from(&self, path: &str) -> Result<(Value, Option<u32>), EngineError> {
        let (response, server_pid) = self.exchange(path)?;
        let endpoint = self.endpoint.to_string();
        if response.status != 200 {
            let message = serde_json::from_slice::<Value>(&response.body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned));
            return Err(EngineError::Status {
                endpoint,
                path: path.to_owned(),
                status: response.status,
                reason: response.reason,
                message,
            });
        }
        serde_json::from_slice(&response.body)
            .map(|value| (value, server_pid))
            .map_err(|error| EngineError::NotJson {
                endpoint,
                path: path.to_owned(),
                detail: error.to_string(),
            })
    }

    /// One request on its own connection: connecting, sending and reading
    /// the whole answer all end by one deadline, `timeout` from now.
    fn exchange(&self, path: &str) -> Result<(http::Response, Option<u32>), EngineError> {
        let deadline = Instant::now() + self.timeout;
        match &self.endpoint {
            Endpoint::Unix(socket) => {
                let stream = UnixStream::connect(socket).map_err(|e| self.connect_error(e))?;
                let server_pid = crate::process::peer_pid(&stream);
                let response = self.send(stream, path, deadline)?;
                Ok((response, server_pid))
            }
            Endpoint::Tcp(address) => {
                let address = std::net::ToSocketAddrs::to_socket_addrs(address.as_str())
                    .map_err(|e| self.io_error(path, e))?
                    .next()
                    .ok_or_else(|| {
                        self.io_error(path, io::Error::other("the address resolves to nothing"))
                    })?;
                let left = deadline::remaining(deadline).map_err(|e| self.connect_error(e))?;
                let stream = TcpStream::connect_timeout(&address, left)
                    .map_err(|e| self.connect_error(e))?;
                Ok((self.send(stream, path, deadline)?, None))
            }
        }
    }

    /// Writes the GET and reads the answer before `deadline`.
    fn send(
        &self,
        stream: impl TimedStream,
        path: &str,
        deadline: Instant,
    ) -> Result<http::Response, EngineError> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: stockade/{}\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let mut stream = Deadlined::new(stream, deadline);
        stream
            .write_all(request.as_bytes())
            .map_err(|e| self.io_error(path, e))?;
        http::read_response(&mut stream).map_err(|error| match error {
            ReadError::Io(e) => self.io_error(path, e),
            ReadError::Response(source) => EngineError::BadResponse {
                endpoint: self.endpoint.to_string(),
                path: path.to_owned(),
                source,
            },
        })
    }

    fn connect_error(&self, error: io::Error) -> EngineError {
        match (&self.endpoint, error.kind()) {
            (Endpoint::Unix(path), io::ErrorKind::NotFound) => EngineError::NoSocket(path.clone()),
            (_, io::ErrorKind::ConnectionRefused) => {
                EngineError::Refused(self.endpoint.to_string())
            }
            (_, io::ErrorKind::PermissionDenied) => {
                EngineError::PermissionDenied(self.endpoint.to_string())
            }
            (_, io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => EngineError::Timeout {
                endpoint: self.endpoint.to_string(),
                path: "(connect)".to_owned(),
                within: deadline::describe(self.timeout),
            },
            _ => EngineError::Io {
                endpoint: self.endpoint.to_string(),
                path: "(connect)".to_owned(),
                source: error,
            },
        }
    }

    fn io_error(&self, path: &str, error: io::Error) -> EngineError {
        match error.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => EngineError::Timeout {
                endpoint: self.endpoint.to_string(),
                path: path.to_owned(),
                within: deadline::describe(self.timeout),
            },
            _ => EngineError::Io {
                endpoint: self.endpoint.to_string(),
                path: path.to_owned(),
                source: error,
            },
        }
    }
}

/// `1.41`-style version strings only, so the answer cannot inject a path.
fn is_api_version(text: &str) -> bool {
    let mut parts = text.split('.');
    let ok =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::os::unix::net::UnixListener;
    use std::thread;

    use super::*;

    /// A one-shot server that answers every connection with `answer`.
    fn serve(answers: Vec<&'static [u8]>) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.sock");
        let listener = UnixListener::bind(&path).unwrap();
        thread::spawn(move || {
            for answer in answers {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let _ = stream.write_all(answer);
            }
        });
        (dir, path)
    }

    fn client(path: PathBuf) -> EngineClient {
        EngineClient::new(Endpoint::Unix(path), Duration::from_secs(2))
    }

    #[test]
    fn endpoints_parse() {
        assert_eq!(
            Endpoint::parse("unix:///var/run/docker.sock").unwrap(),
            Endpoint::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            Endpoint::parse("tcp://127.0.0.1:2375").unwrap(),
            Endpoint::Tcp("127.0.0.1:2375".into())
        );
        assert!(Endpoint::parse("ssh://host").is_err());
        assert!(Endpoint::parse("unix://").is_err());
    }

    #[test]
    fn negotiation_pins_the_api_version() {
        let (_dir, path) = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"ApiVersion\":\"1.41\"}",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        ]);
        let mut client = client(path);
        let err = client.negotiate();
        // The first answer above has a Content-Length one byte short.
        assert!(matches!(err, Err(EngineError::NotJson { .. })), "{err:?}");
        let (_dir, path) = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\n{\"ApiVersion\":\"1.41\"}",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        ]);
        let mut client = self::client(path);
        client.negotiate().unwrap();
        assert_eq!(client.api_version(), Some("1.41"));
        assert_eq!(client.get("/info").unwrap(), serde_json::json!({}));
    }

    #[test]
    fn daemon_errors_carry_its_message() {
        let (_dir, path) = serve(vec![
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 40\r\n\r\n{\"message\":\"network bridge not found\"}\n\n",
        ]);
        let err = client(path).get("/networks/bridge").unwrap_err();
        assert!(err.is_status(404));
        assert!(
            err.to_string()
                .contains("404 Not Found: network bridge not found"),
            "{err}"
        );
    }

    #[test]
    fn missing_socket_and_refused_connection_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let err = client(dir.path().join("absent.sock"))
            .get("/version")
            .unwrap_err();
        assert!(matches!(err, EngineError::NoSocket(_)), "{err}");

        let stale = dir.path().join("stale.sock");
        drop(UnixListener::bind(&stale).unwrap());
        let err = client(stale).get("/version").unwrap_err();
        assert!(matches!(err, EngineError::Refused(_)), "{err}");
    }

    /// A server that accepts one connection and hands it to `behave`, which
    /// runs until the test drops the returned sender.
    fn hold(
        behave: impl FnOnce(UnixStream, std::sync::mpsc::Receiver<()>) + Send + 'static,
    ) -> (tempfile::TempDir, PathBuf, std::sync::mpsc::Sender<()>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let (done, until) = std::sync::mpsc::channel();
        thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                behave(stream, until);
            }
        });
        (dir, path, done)
    }

    #[test]
    fn a_silent_daemon_times_out() {
        let (_dir, path, done) = hold(|_stream, until| {
            let _ = until.recv();
        });
        let started = std::time::Instant::now();
        let err = EngineClient::new(Endpoint::Unix(path), Duration::from_millis(300))
            .get("/version")
            .unwrap_err();
        let elapsed = started.elapsed();
        drop(done);
        assert!(matches!(err, EngineError::Timeout { .. }), "{err}");
        assert!(err.to_string().contains("within 300 ms"), "{err}");
        assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }

    #[test]
    fn a_dripping_daemon_is_cut_off_at_the_deadline() {
        // One byte every 50 ms: each read is quick, the answer never ends.
        let (_dir, path, done) = hold(|mut stream, until| {
            let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".iter();
            for byte in answer.chain(std::iter::repeat(&b' ')) {
                if stream.write_all(&[*byte]).is_err()
                    || until.recv_timeout(Duration::from_millis(50)).is_ok()
                {
                    return;
                }
            }
        });
        let started = std::time::Instant::now();
        let err = EngineClient::new(Endpoint::Unix(path), Duration::from_secs(1))
            .get("/info")
            .unwrap_err();
        let elapsed = started.elapsed();
        drop(done);
        assert!(matches!(err, EngineError::Timeout { .. }), "{err}");
        assert!(err.to_string().contains("GET /info within 1 s"), "{err}");
        assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    }

    #[test]
    fn an_endless_header_line_is_refused_quickly() {
        let (_dir, path, done) = hold(|mut stream, _until| {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nX-Junk: ");
            let junk = vec![b'a'; 1024 * 1024];
            for _ in 0..10 {
                if stream.write_all(&junk).is_err() {
                    return;
                }
            }
        });
        let err = client(path).get("/version").unwrap_err();
        drop(done);
        assert!(
            err.to_string()
                .contains("the status line and headers are larger than 64 KiB"),
            "{err}"
        );
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let (_dir, path) = serve(vec![b"hello, this is not http\r\n\r\n"]);
        let err = client(path).get("/version").unwrap_err();
        assert!(matches!(err, EngineError::BadResponse { .. }), "{err}");

        let (_dir, path) = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":",
        ]);
        let err = client(path).get("/version").unwrap_err();
        assert!(err.to_string().contains("ended after 11 of 100"), "{err}");

        let (_dir, path) = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n<html/>\r\n",
        ]);
        let err = client(path).get("/version").unwrap_err();
        assert!(matches!(err, EngineError::NotJson { .. }), "{err}");
    }

    #[test]
    fn api_versions_are_validated() {
        assert!(is_api_version("1.41"));
        assert!(!is_api_version("1.41/../x"));
        assert!(!is_api_version("1"));
    }
}
