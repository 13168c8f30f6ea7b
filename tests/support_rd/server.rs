//! `redis-server` processes started by a test, always stopped again (also when the test fails),
//! and `redis-cli` queries against them.

use std::fs::{self, File};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub struct Server {
    pub name: String,
    pub port: u16,
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `cmd` with stdout and stderr going to `log`.
    pub fn start(name: &str, port: u16, mut cmd: Command, log: PathBuf) -> Server {
        let out = File::create(&log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log handle");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        Server {
            name: name.to_owned(),
            port,
            child,
            log,
        }
    }

    /// Waits until the log contains `needle` (case-insensitive); fails when the process exits
    /// or `limit` passes, with the end of the log.
    pub fn wait_for_log(&mut self, needle: &str, limit: Duration) -> Result<(), String> {
        let needle = needle.to_lowercase();
        let start = Instant::now();
        loop {
            if self.log().to_lowercase().contains(&needle) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited ({status}):\n{}",
                    self.name,
                    self.log_tail()
                ));
            }
            if start.elapsed() > limit {
                return Err(format!(
                    "{} did not log {needle:?} within {limit:?}:\n{}",
                    self.name,
                    self.log_tail()
                ));
            }
            thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(25)..].join("\n")
    }

    /// Stops the process at once (SIGKILL), as a crashed node would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `redis-cli -p <port> <args>` on loopback; `auth` goes through REDISCLI_AUTH, as in the
/// deployment. The reply as printed (`--raw`), or why the call failed.
pub fn cli(port: u16, auth: Option<&str>, args: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new("redis-cli");
    cmd.args(["-h", "127.0.0.1", "-p", &port.to_string(), "--raw"])
        .args(args)
        .env_remove("REDISCLI_AUTH");
    if let Some(pw) = auth {
        cmd.env("REDISCLI_AUTH", pw);
    }
    let out = cmd.output().map_err(|e| format!("run redis-cli: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "redis-cli {args:?} on {port}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Polls `probe` until it succeeds or `limit` passes (then the last error).
pub fn wait_until<T>(
    what: &str,
    limit: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> Result<T, String> {
    let start = Instant::now();
    loop {
        match probe() {
            Ok(v) => return Ok(v),
            Err(e) if start.elapsed() > limit => {
                return Err(format!("{what}: not reached within {limit:?}; last: {e}"))
            }
            Err(_) => thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// `n` distinct loopback ports that were free a moment ago (all held at once while choosing).
pub fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a loopback port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("local address").port())
        .collect()
}
