//! The oracle: the real `redis-server` 7.0.15 run on one config, and its verdict read back.
//!
//! Two recipes from the research (redis.md §2.3):
//! - [`Mode::ParseOnly`] (redis.conf): `redis-server - --zz-grill-lint-end-marker yes < file`.
//!   The server reads the file from stdin, then the appended unknown directive; it always exits 1.
//!   The file is accepted iff the fatal banner names the marker line. Nothing is listened on,
//!   nothing is written.
//! - [`Mode::Start`] (sentinel.conf, and the Debian files): a real start with `--port 0` (no TCP
//!   listener at all), a unix socket, pid and log file in the run's own temp directory. Accepted
//!   iff the log shows the readiness line before the process exits; the process is then killed.
//!
//! Every run is bounded ([`RUN_LIMIT`]); a child is killed and reaped on every path (a guard's
//! `Drop`), so no server outlives its run even when the test panics.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The directive appended after the candidate in parse-only mode.
pub const END_MARKER: &str = "zz-grill-lint-end-marker";

/// Longest time one redis-server run may take before it is killed (a run takes ~5-10 ms).
pub const RUN_LIMIT: Duration = Duration::from_secs(10);

/// What redis-server made of a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Refused; `line` is the 1-based line Redis names (none for errors without a line: a
    /// missing include, a crash, a startup error written to the log).
    Refused {
        line: Option<u32>,
        message: String,
    },
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        *self == Verdict::Accepted
    }
}

/// How to run the server.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    ParseOnly,
    /// A real start; `sentinel` adds `--sentinel`, `ready` is the lower-case log text that means
    /// the server came up.
    Start {
        sentinel: bool,
        ready: &'static str,
    },
}

/// Sentinel: accepted once it has an ID (it logs it after loading and rewriting its config).
pub const SENTINEL: Mode = Mode::Start {
    sentinel: true,
    ready: "sentinel id is",
};
/// A plain server with `--port 0` logs "The server is now ready to accept connections at <sock>".
pub const SERVER: Mode = Mode::Start {
    sentinel: false,
    ready: "ready to accept connections",
};

/// The fatal banner redis-server prints on stderr for a refused config line.
#[derive(Debug, PartialEq, Eq)]
pub struct Banner {
    pub line: u32,
    /// The offending line as Redis re-quotes it.
    pub offending: String,
    pub message: String,
}

/// Parses `*** FATAL CONFIG FILE ERROR … at line N / >>> '…' / message`; `None` without one.
pub fn read_banner(stderr: &str) -> Option<Banner> {
    let mut lines = stderr
        .lines()
        .skip_while(|l| !l.contains("FATAL CONFIG FILE ERROR"));
    lines.next()?;
    let at = lines.next()?;
    let line = at
        .strip_prefix("Reading the configuration file, at line ")?
        .trim()
        .parse()
        .ok()?;
    let quoted = lines.next()?.strip_prefix(">>> '")?;
    let offending = quoted.strip_suffix('\'').unwrap_or(quoted).to_string();
    let message = lines.next().unwrap_or("").trim().to_string();
    Some(Banner {
        line,
        offending,
        message,
    })
}

/// `redis-server` on `PATH`, if any.
pub fn find_redis_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|p| p.is_file())
}

/// A private temp directory, removed on drop.
pub struct Workdir {
    pub path: PathBuf,
}

impl Workdir {
    pub fn new(tag: &str) -> Workdir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("grill-ra-{}-{tag}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("cannot create {path:?}: {e}"));
        Workdir { path }
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A running child that is killed and reaped whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

enum Ended {
    Exited(ExitStatus),
    Ready,
}

pub struct Oracle {
    binary: PathBuf,
}

impl Oracle {
    pub fn new(binary: PathBuf) -> Oracle {
        Oracle { binary }
    }

    /// Runs the server on `text` inside a fresh `run` directory under `dir` (the cwd of the
    /// server, so relative paths in the config resolve there).
    pub fn check(&self, dir: &Path, mode: Mode, text: &str) -> Result<Verdict, String> {
        let run = dir.join("run");
        let _ = fs::remove_dir_all(&run);
        fs::create_dir_all(&run).map_err(|e| format!("cannot create {run:?}: {e}"))?;
        match mode {
            Mode::ParseOnly => self.parse_only(&run, text),
            Mode::Start { sentinel, ready } => self.start(&run, text, sentinel, ready),
        }
    }

    fn parse_only(&self, run: &Path, text: &str) -> Result<Verdict, String> {
        let conf = write(run, "candidate.conf", text)?;
        let mut cmd = Command::new(&self.binary);
        cmd.args(["-", &format!("--{END_MARKER}"), "yes"])
            .stdin(File::open(&conf).map_err(|e| e.to_string())?);
        let status = match self.spawn_and_wait(run, cmd, None)? {
            Ended::Exited(status) => status,
            Ended::Ready => return Err("parse-only run cannot become ready".into()),
        };
        let (stdout, stderr) = outputs(run);
        if let Some(banner) = read_banner(&stderr) {
            if banner.offending.starts_with(END_MARKER) {
                return Ok(Verdict::Accepted);
            }
            return Ok(Verdict::Refused {
                line: Some(banner.line),
                message: banner.message,
            });
        }
        Ok(Verdict::Refused {
            line: None,
            message: unbannered_reason(status, &stdout, &stderr),
        })
    }

    fn start(
        &self,
        run: &Path,
        text: &str,
        sentinel: bool,
        ready: &str,
    ) -> Result<Verdict, String> {
        let name = if sentinel {
            "sentinel.conf"
        } else {
            "redis.conf"
        };
        let conf = write(run, name, text)?;
        let log = run.join("log");
        let mut cmd = Command::new(&self.binary);
        cmd.arg(&conf);
        if sentinel {
            cmd.arg("--sentinel");
        }
        cmd.args(["--port", "0", "--daemonize", "no", "--unixsocket"])
            .arg(run.join("s.sock"))
            .arg("--pidfile")
            .arg(run.join("pid"))
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null());
        match self.spawn_and_wait(run, cmd, Some((&log, ready)))? {
            Ended::Ready => Ok(Verdict::Accepted),
            Ended::Exited(status) => {
                let (stdout, stderr) = outputs(run);
                if let Some(banner) = read_banner(&stderr) {
                    return Ok(Verdict::Refused {
                        line: Some(banner.line),
                        message: banner.message,
                    });
                }
                let log_text = fs::read_to_string(&log).unwrap_or_default();
                let all = format!("{stdout}{log_text}");
                Ok(Verdict::Refused {
                    line: None,
                    message: unbannered_reason(status, &all, &stderr),
                })
            }
        }
    }

    /// Spawns with stdout/stderr into files of `run`, then waits for exit, for the readiness
    /// text in the log, or for [`RUN_LIMIT`] (then kills it and reports an error).
    fn spawn_and_wait(
        &self,
        run: &Path,
        mut cmd: Command,
        ready: Option<(&Path, &str)>,
    ) -> Result<Ended, String> {
        let stdout = File::create(run.join("stdout")).map_err(|e| e.to_string())?;
        let stderr = File::create(run.join("stderr")).map_err(|e| e.to_string())?;
        cmd.current_dir(run).stdout(stdout).stderr(stderr);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {:?}: {e}", self.binary))?;
        let mut child = Running(child);
        let started = Instant::now();
        let mut pause = Duration::from_micros(200);
        loop {
            if let Some(status) = child.0.try_wait().map_err(|e| e.to_string())? {
                return Ok(Ended::Exited(status));
            }
            if let Some((log, marker)) = ready {
                let text = fs::read_to_string(log).unwrap_or_default();
                if text.to_ascii_lowercase().contains(marker) {
                    return Ok(Ended::Ready);
                }
            }
            if started.elapsed() > RUN_LIMIT {
                return Err(format!(
                    "redis-server still running after {RUN_LIMIT:?}: killed"
                ));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(2));
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, String> {
    let path = dir.join(name);
    fs::write(&path, text).map_err(|e| format!("cannot write {path:?}: {e}"))?;
    Ok(path)
}

fn outputs(run: &Path) -> (String, String) {
    let read = |n| fs::read_to_string(run.join(n)).unwrap_or_default();
    (read("stdout"), read("stderr"))
}

/// Why a run ended without a banner: a signal (crash), or the last meaningful log line.
fn unbannered_reason(status: ExitStatus, log: &str, stderr: &str) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        return format!("redis-server died of signal {sig}");
    }
    let last = log
        .lines()
        .chain(stderr.lines())
        .rev()
        .find(|l| l.contains(" # ") || l.contains(" * "))
        .map(|l| {
            l.split_once(" # ")
                .or(l.split_once(" * "))
                .map_or(l, |p| p.1)
        })
        .unwrap_or("no message");
    format!("{last} (exit {status})")
}

/// Applies `f` to every item with `workers` threads (each with its own index), keeping order.
pub fn run_parallel<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for w in 0..workers {
            let (next, results, f) = (&next, &results, &f);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(w, item);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item is processed by a worker"))
        .collect()
}
