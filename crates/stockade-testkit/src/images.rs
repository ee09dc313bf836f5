//! Images for test daemons, built without a registry: a root filesystem
//! holding a statically linked busybox, imported with `docker import`, and
//! images built on top of it with `docker build`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::TestDaemon;

/// The statically linked busybox to put in test images: `STOCKADE_BUSYBOX`,
/// else `/bin/busybox` (Debian's busybox-static).
pub fn busybox() -> Result<PathBuf, String> {
    let path = std::env::var_os("STOCKADE_BUSYBOX")
        .map_or_else(|| PathBuf::from("/bin/busybox"), PathBuf::from);
    if !path.is_file() {
        return Err(format!(
            "{} does not exist (install busybox-static or set STOCKADE_BUSYBOX)",
            path.display()
        ));
    }
    if is_dynamically_linked(&path)? {
        return Err(format!(
            "{} is dynamically linked and cannot run in an image without libc (install busybox-static)",
            path.display()
        ));
    }
    Ok(path)
}

/// Whether an ELF executable asks for a program interpreter (PT_INTERP).
fn is_dynamically_linked(path: &Path) -> Result<bool, String> {
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if head.get(..4) != Some(b"\x7fELF".as_slice()) || head.get(4) != Some(&2) {
        return Err(format!("{} is not a 64-bit ELF executable", path.display()));
    }
    let u16_at = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u64_at = |at: usize| {
        head.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let (Some(offset), Some(size), Some(count)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        return Err(format!("{}: truncated ELF header", path.display()));
    };
    let offset = usize::try_from(offset).map_err(|e| e.to_string())?;
    Ok((0..usize::from(count)).any(|i| {
        let at = offset + i * usize::from(size);
        head.get(at..at + 4) == Some(3u32.to_le_bytes().as_slice())
    }))
}

/// The applets linked into the test image's /bin.
const APPLETS: [&str; 10] = [
    "sh", "sleep", "ps", "cat", "true", "ls", "id", "echo", "env", "top",
];

impl TestDaemon {
    /// Imports a busybox image as `tag`; its command is `sleep 3600`.
    pub fn import_busybox(&self, tag: &str) -> Result<(), String> {
        let busybox = busybox()?;
        let root = self.dir().join("busybox-rootfs");
        let bin = root.join("bin");
        fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
        fs::create_dir_all(root.join("etc")).map_err(|e| e.to_string())?;
        let target = bin.join("busybox");
        if !target.exists() {
            fs::copy(&busybox, &target).map_err(|e| format!("copy busybox: {e}"))?;
        }
        for applet in APPLETS {
            let link = bin.join(applet);
            if !link.exists() {
                std::os::unix::fs::symlink("busybox", &link).map_err(|e| e.to_string())?;
            }
        }
        fs::write(
            root.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        )
        .map_err(|e| e.to_string())?;
        let tar = self.dir().join("busybox-rootfs.tar");
        let packed = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .output()
            .map_err(|e| format!("tar: {e}"))?;
        if !packed.status.success() {
            return Err(format!("tar: {}", String::from_utf8_lossy(&packed.stderr)));
        }
        self.docker_checked(&[
            "import",
            "--change",
            r#"CMD ["sleep", "3600"]"#,
            &tar.to_string_lossy(),
            tag,
        ])
        .map(|_| ())
    }

    /// Builds `tag` from a Dockerfile and context files (name, content).
    pub fn build_image(
        &self,
        tag: &str,
        dockerfile: &str,
        files: &[(&str, &str)],
    ) -> Result<(), String> {
        let context = self
            .dir()
            .join(format!("build-{}", tag.replace(['/', ':'], "-")));
        fs::create_dir_all(&context).map_err(|e| e.to_string())?;
        fs::write(context.join("Dockerfile"), dockerfile).map_err(|e| e.to_string())?;
        for (name, content) in files {
            fs::write(context.join(name), content).map_err(|e| e.to_string())?;
        }
        let context = context.to_string_lossy().into_owned();
        self.docker_checked(&["build", "-q", "-t", tag, &context])
            .map(|_| ())
    }

    /// `docker ARGS`, its standard output trimmed, or its error.
    pub fn docker_checked(&self, args: &[&str]) -> Result<String, String> {
        let output = self.docker(args);
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(format!(
                "docker {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }

    /// Creates an exec session through the Engine API without starting it
    /// (`POST /containers/{id}/exec`): the daemon keeps it, with its
    /// settings, until the container stops. Returns the session's id.
    pub fn create_exec(
        &self,
        container: &str,
        config: &serde_json::Value,
    ) -> Result<String, String> {
        let output = Command::new("curl")
            .args(["-sf", "--max-time", "10", "--unix-socket"])
            .arg(self.socket())
            .args(["-H", "Content-Type: application/json", "-d"])
            .arg(config.to_string())
            .arg(format!("http://docker/containers/{container}/exec"))
            .output()
            .map_err(|e| format!("curl: {e}"))?;
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("POST /containers/{container}/exec answered no JSON: {e}"))?;
        answer
            .get("Id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("POST /containers/{container}/exec: {answer}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_binary_is_dynamically_linked() {
        let me = std::env::current_exe().unwrap();
        assert!(is_dynamically_linked(&me).unwrap());
        assert!(is_dynamically_linked(Path::new("/etc/hostname")).is_err());
        if let Ok(busybox) = busybox() {
            assert!(!is_dynamically_linked(&busybox).unwrap());
        }
    }
}
