//! One pod of a rendered workload, prepared on this machine the way the kubelet would: every
//! volume becomes a directory (ConfigMap volumes hold the rendered keys, read-only; emptyDir and
//! claims start empty), a container's mount paths are substituted by those directories in its
//! command line and env values, and its env is resolved (`value` as written, every
//! `secretKeyRef` the test password, `HOSTNAME` the pod name). Init containers then run their
//! real scripts with `sh`.

use super::render::{argv, containers, str_at, Rendered};
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub struct Pod {
    name: String,
    root: PathBuf,
    spec: Value,
    volumes: HashMap<String, PathBuf>,
    password: String,
}

/// A container of a [`Pod`] ready to run here: host paths in place of mount paths.
pub struct Launch {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    mounts: Vec<(String, PathBuf)>,
    cwd: PathBuf,
}

impl Pod {
    /// Creates the pod's volumes under `root`. `claims` are the names of the workload's
    /// volumeClaimTemplates (they become empty directories like emptyDirs). Pods given the same
    /// `root` share their volumes by name, which is how two jobs share one claim here.
    pub fn new(
        rendered: &Rendered,
        spec: &Value,
        claims: &[String],
        name: &str,
        root: &Path,
        password: &str,
    ) -> Result<Pod, String> {
        let mut volumes = HashMap::new();
        let declared = spec.get("volumes").and_then(Value::as_array);
        for v in declared.into_iter().flatten() {
            let vol = str_at(v, "/name");
            let dir = root.join("volumes").join(vol);
            mkdir(&dir)?;
            if let Some(cm) = v.get("configMap") {
                fill_config_map(rendered, cm, &dir)?;
            } else if v.get("emptyDir").is_none() && v.get("persistentVolumeClaim").is_none() {
                return Err(format!(
                    "volume {vol}: only configMap, emptyDir and claims are mirrored"
                ));
            }
            volumes.insert(vol.to_owned(), dir);
        }
        for claim in claims {
            let dir = root.join("volumes").join(claim);
            mkdir(&dir)?;
            volumes.insert(claim.clone(), dir);
        }
        Ok(Pod {
            name: name.to_owned(),
            root: root.to_owned(),
            spec: spec.clone(),
            volumes,
            password: password.to_owned(),
        })
    }

    /// Runs every init container's command to completion, in order.
    pub fn run_init_containers(&self) -> Result<(), String> {
        for c in containers(&self.spec, "initContainers") {
            let name = str_at(c, "/name");
            self.launch_container(c, &[])?
                .run_to_completion(Duration::from_secs(60))
                .map_err(|e| format!("init container {name} of {}: {e}", self.name))?;
        }
        Ok(())
    }

    /// The main container `name`, with `overrides` replacing env values (after mapping).
    pub fn launch(&self, name: &str, overrides: &[(&str, &str)]) -> Result<Launch, String> {
        let c = containers(&self.spec, "containers")
            .iter()
            .find(|c| str_at(c, "/name") == name)
            .ok_or_else(|| format!("{}: no container {name}", self.name))?;
        self.launch_container(c, overrides)
    }

    fn launch_container(&self, c: &Value, overrides: &[(&str, &str)]) -> Result<Launch, String> {
        let mut mounts = Vec::new();
        for m in c
            .get("volumeMounts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let vol = str_at(m, "/name");
            let dir = self
                .volumes
                .get(vol)
                .ok_or_else(|| format!("mount of unknown volume {vol}"))?;
            mounts.push((str_at(m, "/mountPath").to_owned(), dir.clone()));
        }
        // Longest first, so /etc/redis-template is not rewritten as /etc/redis + "-template".
        mounts.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let mut env = vec![("HOSTNAME".to_owned(), self.name.clone())];
        for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
            let key = str_at(e, "/name").to_owned();
            let value = if let Some(v) = e.get("value").and_then(Value::as_str) {
                map_paths(v, &mounts)
            } else if e.pointer("/valueFrom/secretKeyRef").is_some() {
                self.password.clone()
            } else {
                return Err(format!(
                    "env {key}: only value and secretKeyRef are mirrored"
                ));
            };
            env.push((key, value));
        }
        for (k, v) in overrides {
            match env.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = (*v).to_owned(),
                None => return Err(format!("override of {k}, which the container does not set")),
            }
        }
        let argv = argv(c).iter().map(|a| map_paths(a, &mounts)).collect();
        Ok(Launch {
            argv,
            env,
            mounts,
            cwd: self.root.clone(),
        })
    }
}

impl Launch {
    /// The host path of a path inside the container, when it lies on a mount.
    pub fn host_path(&self, path: &str) -> Option<String> {
        let mapped = map_paths(path, &self.mounts);
        (mapped != path).then_some(mapped)
    }

    /// A `Command` for this container: argv, env (nothing inherited but `PATH`).
    pub fn command(&self) -> Result<Command, String> {
        let (program, args) = self.argv.split_first().ok_or("empty command line")?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.cwd);
        Ok(cmd)
    }

    /// Runs the container to completion within `limit`; its output, or why it failed.
    pub fn run_to_completion(&self, limit: Duration) -> Result<String, String> {
        let mut child = self
            .command()?
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("start {:?}: {e}", self.argv.first()))?;
        let start = Instant::now();
        while child.try_wait().map_err(|e| e.to_string())?.is_none() {
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("did not finish within {limit:?}"));
            }
            thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            Ok(text)
        } else {
            Err(format!("exited with {}:\n{text}", out.status))
        }
    }
}

/// Writes the keys of the ConfigMap a volume names (its `items`, or all keys), read-only.
fn fill_config_map(rendered: &Rendered, volume: &Value, dir: &Path) -> Result<(), String> {
    let data = rendered.config_map_data(str_at(volume, "/name"));
    let items: Vec<(String, String)> = match volume.get("items").and_then(Value::as_array) {
        Some(items) => items
            .iter()
            .map(|i| (str_at(i, "/key").to_owned(), str_at(i, "/path").to_owned()))
            .collect(),
        None => data.keys().map(|k| (k.clone(), k.clone())).collect(),
    };
    for (key, path) in items {
        let text = data
            .get(&key)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("ConfigMap key {key} is missing"))?;
        let file = dir.join(&path);
        fs::write(&file, text).map_err(|e| format!("write {}: {e}", file.display()))?;
        fs::set_permissions(&file, fs::Permissions::from_mode(0o444))
            .map_err(|e| format!("chmod {}: {e}", file.display()))?;
    }
    Ok(())
}

fn mkdir(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))
}

/// Replaces, in one pass, every mount path in `text` that stands as a whole path (not inside a
/// longer name, and not inside a host path this function already produced).
fn map_paths(text: &str, mounts: &[(String, PathBuf)]) -> String {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || "._-/".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let before = text[..i].chars().next_back();
        let hit = mounts.iter().find(|(mount, _)| {
            rest.starts_with(mount.as_str())
                && !before.is_some_and(is_name_char)
                && !rest[mount.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c != '/' && is_name_char(c))
        });
        match hit {
            Some((mount, host)) => {
                out.push_str(&host.to_string_lossy());
                i += mount.len();
            }
            None => {
                let c = rest.chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::map_paths;
    use std::path::PathBuf;

    #[test]
    fn maps_only_whole_mount_paths_once() {
        let mounts = [
            ("/etc/redis".to_owned(), PathBuf::from("/tmp/c")),
            ("/tmp".to_owned(), PathBuf::from("/tmp/t")),
        ];
        let t =
            "cp /etc/redis-template/r.conf /etc/redis/r.conf; x=/etc/redisx /a/etc/redis /tmp/s";
        assert_eq!(
            map_paths(t, &mounts),
            "cp /etc/redis-template/r.conf /tmp/c/r.conf; x=/etc/redisx /a/etc/redis /tmp/t/s"
        );
        assert_eq!(
            map_paths("dir /data", &[("/data".to_owned(), PathBuf::from("/d"))]),
            "dir /d"
        );
    }
}
