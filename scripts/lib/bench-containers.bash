# shellcheck shell=bash disable=SC2154 # count and busybox come from the sourcing script
# Sourced by the bench scripts: starts a throwaway dockerd (its own data
# root, exec root, socket, in a private network namespace), imports a busybox
# image and runs $count containers with a mix of settings (all --network
# none). Needs `count`, `busybox` and `say`; sets `work`, `DOCKER_HOST`, and
# an EXIT trap that removes everything.
work=$(mktemp -d /tmp/stockade-bench.XXXXXX)
netns="stockade-bench-$$"
dockerd_pid=""
export DOCKER_HOST="unix://$work/docker.sock"

cleanup() {
    if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
        docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
        kill -TERM "$dockerd_pid" 2>/dev/null || true
        for _ in $(seq 1 200); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$dockerd_pid" 2>/dev/null || true
    fi
    awk -v p="$work" '$5 ~ "^"p {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    ip netns del "$netns" 2>/dev/null || true
    rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
echo '{}' > "$work/daemon.json"
nsenter --net="/run/netns/$netns" dockerd \
    --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" \
    --host "$DOCKER_HOST" --config-file "$work/daemon.json" \
    >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 600); do
    curl -sf --max-time 2 --unix-socket "$work/docker.sock" http://docker/_ping >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || { tail -5 "$work/dockerd.log" >&2; exit 1; }
    sleep 0.1
done

# A root filesystem with busybox and a few applets, imported as an image.
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc"
cp "$busybox" "$work/rootfs/bin/busybox"
for applet in sh sleep ps true; do ln -s busybox "$work/rootfs/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
docker import --change 'CMD ["sleep", "86400"]' "$work/rootfs.tar" stockade/bench:1 >/dev/null

# One setting per container, cycling through the CIS section 5 controls.
settings=(
    ""
    "--memory 64m"
    "--read-only"
    "--security-opt no-new-privileges"
    "--user 1000"
    "--pids-limit 100"
    "--cap-drop ALL"
    "--cap-add SYS_ADMIN"
    "--restart on-failure:5"
    "--restart always"
    "--pid host"
    "--ipc host"
    "--security-opt seccomp=unconfined"
    "--cpu-shares 512"
    "-v /etc:/host/etc:ro"
    "--health-cmd true --health-interval 1h"
)
say "starting $count containers"
for i in $(seq 1 "$count"); do
    setting=${settings[$(( (i - 1) % ${#settings[@]} ))]}
    # shellcheck disable=SC2086 # the setting is a list of flags
    echo "docker run -d --network none --name bench-$i $setting stockade/bench:1 >/dev/null"
done | xargs -P 4 -I{} sh -c '{}'
running=$(docker ps -q | wc -l)
[ "$running" -eq "$count" ] || { say "only $running of $count containers run"; exit 1; }
