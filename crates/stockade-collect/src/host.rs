//! Machine-wide facts: mounts, accounts, OS identity.

use stockade_core::snapshot::{Group, Mount, Mounts, Probe, SecurityModules};

use crate::fs::HostFs;

/// Mounted filesystems: the kernel's table when the host is this machine,
/// else what the mounted host's /etc/fstab declares.
pub fn mounts(host: &HostFs) -> Probe<Mounts> {
    // Mounted from a container in the host's pid namespace, the host's mount
    // table is its init's.
    let live_table = if host.is_live_root() {
        Some("/proc/self/mountinfo")
    } else if host.sees_live_host() {
        Some("/proc/1/mountinfo")
    } else {
        None
    };
    if let Some(table) = live_table {
        match std::fs::read_to_string(table) {
            Ok(text) => Probe::Ok(Mounts {
                source: table.to_owned(),
                entries: parse_mountinfo(&text),
            }),
            Err(e) => Probe::Error(format!("{table}: {e}")),
        }
    } else {
        match host.read_text("/etc/fstab") {
            Ok(Some(text)) => Probe::Ok(Mounts {
                source: "/etc/fstab".to_owned(),
                entries: parse_fstab(&text),
            }),
            Ok(None) => Probe::Error(
                "no /etc/fstab in the mounted host, and its live mount table is not visible"
                    .to_owned(),
            ),
            Err(e) => Probe::Error(e.to_string()),
        }
    }
}

/// `/proc/PID/mountinfo`: field 5 is the mount point, the fields after ` - `
/// are the filesystem type and source.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let fields: Vec<&str> = left.split(' ').collect();
            let filesystem = (*fields.get(2)?).to_owned();
            let source_root = unescape_octal(fields.get(3)?);
            let mount_point = unescape_octal(fields.get(4)?);
            let mut right = right.split(' ');
            let fstype = right.next()?.to_owned();
            let device = unescape_octal(right.next().unwrap_or_default());
            Some(Mount {
                mount_point,
                device,
                fstype,
                filesystem: Some(filesystem),
                bind: source_root != "/",
            })
        })
        .collect()
}

/// `/proc/PID/mountinfo`: each mount's root inside its filesystem (field
/// 4) and its mount point (field 5).
pub fn parse_mountinfo_roots(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let root = fields.nth(3)?;
            let mount_point = fields.next()?;
            Some((unescape_octal(root), unescape_octal(mount_point)))
        })
        .collect()
}

/// `/etc/fstab`: device, mount point, type; comments and swap skipped.
pub fn parse_fstab(text: &str) -> Vec<Mount> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let device = unescape_octal(fields.next()?);
            let mount_point = unescape_octal(fields.next()?);
            let fstype = fields.next()?.to_owned();
            let bind = fields
                .next()
                .is_some_and(|options| options.split(',').any(|o| o == "bind" || o == "rbind"));
            (mount_point.starts_with('/')).then_some(Mount {
                mount_point,
                filesystem: Some(device.clone()),
                device,
                fstype,
                bind,
            })
        })
        .collect()
}

/// Mount tables escape spaces and tabs as `\040` and `\011`.
fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let value =
                (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(value);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `docker` group of the audited host, with its members.
pub fn docker_group(host: &HostFs) -> Probe<Option<Group>> {
    match host.read_text("/etc/group") {
        Ok(Some(text)) => Probe::Ok(find_group(&text, "docker")),
        Ok(None) => Probe::Error("/etc/group does not exist".to_owned()),
        Err(e) => Probe::Error(e.to_string()),
    }
}

fn find_group(text: &str, wanted: &str) -> Option<Group> {
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        if name != wanted {
            return None;
        }
        let _password = fields.next();
        let gid = fields.next()?.trim().parse().ok()?;
        let members = fields
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect();
        Some(Group {
            name: name.to_owned(),
            gid,
            members,
        })
    })
}

/// The mandatory access control modules of the running kernel: the LSM
/// list in securityfs when it is mounted, else AppArmor's module parameter
/// and a mounted selinuxfs.
pub fn security_modules(host: &HostFs) -> Probe<SecurityModules> {
    // The kernel's facts: through the host root when its /sys is mounted
    // there, else this machine's own /sys when it runs on that kernel.
    let kernel_is_visible = host.sees_live_host();
    let read = |path: &str| -> Option<(String, String)> {
        if let Ok(Some(text)) = host.read_text(path) {
            return Some((text, path.to_owned()));
        }
        (kernel_is_visible && !host.is_live_root())
            .then(|| std::fs::read_to_string(path).ok())
            .flatten()
            .map(|text| (text, path.to_owned()))
    };
    if let Some((list, source)) = read("/sys/kernel/security/lsm") {
        let modules: Vec<&str> = list.trim().split(',').collect();
        return Probe::Ok(SecurityModules {
            apparmor: modules.contains(&"apparmor"),
            selinux: modules.contains(&"selinux"),
            source,
        });
    }
    if !kernel_is_visible {
        return Probe::Error(
            "a mounted host root does not show which security modules its kernel runs".to_owned(),
        );
    }
    let apparmor = matches!(
        read("/sys/module/apparmor/parameters/enabled"),
        Some((text, _)) if text.trim() == "Y"
    );
    let selinux = host.exists("/sys/fs/selinux/enforce")
        || (!host.is_live_root() && std::path::Path::new("/sys/fs/selinux/enforce").exists());
    Probe::Ok(SecurityModules {
        apparmor,
        selinux,
        source: "/sys/module/apparmor/parameters/enabled and /sys/fs/selinux (securityfs is not mounted)".to_owned(),
    })
}

/// `PRETTY_NAME` from the host's os-release.
pub fn os_name(host: &HostFs) -> Option<String> {
    let text = host
        .read_text("/etc/os-release")
        .ok()
        .flatten()
        .or_else(|| host.read_text("/usr/lib/os-release").ok().flatten())?;
    text.lines().find_map(|line| {
        line.strip_prefix("PRETTY_NAME=")
            .map(|v| v.trim_matches('"').to_owned())
    })
}

pub fn hostname(host: &HostFs) -> Option<String> {
    let text = if host.is_live_root() {
        std::fs::read_to_string("/proc/sys/kernel/hostname").ok()
    } else {
        host.read_text("/etc/hostname").ok().flatten()
    }?;
    let name = text.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

pub fn kernel(host: &HostFs) -> Option<String> {
    host.sees_live_host()
        .then(|| std::fs::read_to_string("/proc/sys/kernel/osrelease").ok())
        .flatten()
        .map(|k| k.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines() {
        let text = "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n\
                    30 22 0:25 / /var/lib/docker rw - xfs /dev/sdb1 rw\n\
                    31 22 0:26 / /mnt/with\\040space rw - tmpfs tmpfs rw\n";
        let mounts = parse_mountinfo(text);
        assert_eq!(mounts.len(), 3);
        assert_eq!(mounts[1].mount_point, "/var/lib/docker");
        assert_eq!(mounts[1].fstype, "xfs");
        assert_eq!(mounts[1].filesystem.as_deref(), Some("0:25"));
        assert!(!mounts[1].bind);
        assert_eq!(mounts[2].mount_point, "/mnt/with space");
        let bind =
            parse_mountinfo("42 27 254:0 /tmp/d/data /tmp/d/data rw shared:1 - ext4 /dev/vda rw\n");
        assert!(
            bind[0].bind,
            "dockerd's bind mount of its data root onto itself"
        );
    }

    #[test]
    fn fstab_lines() {
        let text = "# comment\nUUID=abc / ext4 defaults 0 1\n/dev/sdb1 /var/lib/docker xfs defaults 0 2\n/swap none swap sw 0 0\n";
        let mounts = parse_fstab(text);
        assert_eq!(
            mounts
                .iter()
                .map(|m| m.mount_point.as_str())
                .collect::<Vec<_>>(),
            ["/", "/var/lib/docker"]
        );
    }

    #[test]
    fn groups_list_their_members() {
        let group = find_group("root:x:0:\ndocker:x:998:alice, bob\n", "docker").unwrap();
        assert_eq!(group.gid, 998);
        assert_eq!(group.members, ["alice", "bob"]);
        assert!(find_group("root:x:0:\n", "docker").is_none());
    }
}
