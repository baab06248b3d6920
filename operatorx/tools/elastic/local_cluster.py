"""Install, start and stop the local Elasticsearch 8 used by the demo and the tests.

    python -m operatorx.tools.elastic.local_cluster install|start|stop|status [--port N] [--home DIR]

Why it looks the way it does (each point was measured on Debian 12 with OpenJDK 17):

* The distribution is Maven Central's ``integ-test-zip`` (Maven Central is where our
  machines may fetch Elasticsearch from). It has no bundled JDK, so ``ES_JAVA_HOME`` must name a JDK >= 17;
  it has no ``GET /`` handler (405), so readiness is ``GET /_cluster/health`` and the
  version comes from ``GET /_nodes/_local``; it lacks the wildcard and match_only_text
  field types.
* Elasticsearch refuses to run as root, so as root it runs as the system user
  ``operatorx-es``. Root's own ``~`` is mode 700 and unreachable for that user, so as root
  the default home is ``/var/lib/operatorx/elasticsearch`` (``OPERATORX_HOME`` still wins).
* On first start it switches security and TLS on by rewriting ``elasticsearch.yml`` unless
  that file already says ``xpack.security.enabled: false``; each instance therefore gets its
  own config directory (``ES_PATH_CONF``) holding our ``elasticsearch.yml``.

Layout under the home: ``elasticsearch-<version>/`` (the distribution, shared) and
``instances/<port>/`` (config, data, logs, pid file) so the demo (9200) and the tests (9201)
never share data.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

from operatorx.config import state_dir
from operatorx.errors import OperatorXError, ToolUnavailable

VERSION = "8.19.21"
ZIP_URL = (
    "https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/"
    f"elasticsearch/{VERSION}/elasticsearch-{VERSION}.zip"
)
ZIP_SHA1 = "8861771bbfe2fab12ccc386bc8b4c5c6f9619865"
SERVICE_USER = "operatorx-es"
DEMO_PORT = 9200
TEST_PORT = 9201
HEAP = "-Xms512m -Xmx512m"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


@dataclasses.dataclass(frozen=True)
class ClusterHandle:
    url: str
    pid: int | None  # None when the cluster on the port is not one we launched
    started: bool  # True when this call launched it (so the caller may stop it)


@dataclasses.dataclass(frozen=True)
class ClusterStatus:
    port: int
    url: str
    pid: int | None
    health: str | None  # green / yellow / red, None when nothing answers
    version: str | None


def default_home() -> Path:
    if os.geteuid() == 0 and not os.environ.get("OPERATORX_HOME"):
        return Path("/var/lib/operatorx/elasticsearch")
    return state_dir() / "elasticsearch"


def instance_dir(home: Path, port: int) -> Path:
    return Path(home) / "instances" / str(port)


# ---------------------------------------------------------------- install


def install(home: Path | None = None) -> Path:
    """Download (sha1-verified) and unpack the distribution once; return its directory."""
    home = Path(home or default_home())
    dist = home / f"elasticsearch-{VERSION}"
    if (dist / "bin" / "elasticsearch").is_file():
        return dist
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home / ".install.lock"):
        if (dist / "bin" / "elasticsearch").is_file():
            return dist
        archive = home / "downloads" / f"elasticsearch-{VERSION}.zip"
        if not archive.is_file() or _sha1(archive) != ZIP_SHA1:
            _download(archive)
        tmp = home / f".elasticsearch-{VERSION}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        _unzip(archive, tmp)
        (tmp / f"elasticsearch-{VERSION}").rename(dist)
        shutil.rmtree(tmp, ignore_errors=True)
        archive.unlink()
    return dist


def _download(dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_suffix(".part")
    print(f"Downloading Elasticsearch {VERSION} (107 MB) from Maven Central …", file=sys.stderr)
    try:
        with urllib.request.urlopen(ZIP_URL, timeout=60, context=_tls()) as r, part.open("wb") as f:
            shutil.copyfileobj(r, f, 1 << 20)
    except (OSError, urllib.error.URLError) as e:
        raise ToolUnavailable(f"Could not download Elasticsearch from {ZIP_URL}: {e}") from e
    got = _sha1(part)
    if got != ZIP_SHA1:
        part.unlink()
        raise ToolUnavailable(
            f"The Elasticsearch download has sha1 {got}, expected {ZIP_SHA1}; not using it."
        )
    part.rename(dest)


def _tls() -> ssl.SSLContext:
    """The system's trust store (it holds site CAs, e.g. a TLS-inspecting proxy's); certifi's
    bundle only when the system has none (a fresh Debian without ca-certificates)."""
    paths = ssl.get_default_verify_paths()
    if any(p and Path(p).exists() for p in (paths.cafile, paths.capath)):
        return ssl.create_default_context()
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


def _sha1(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha1").hexdigest()


def _unzip(archive: Path, dest: Path) -> None:
    """zipfile drops Unix modes; restore them (bin/* must stay executable)."""
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            target = Path(z.extract(info, dest))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode | 0o444 | (0o111 if target.is_dir() else 0))


# ---------------------------------------------------------------- start / stop / status


def start(
    home: Path | None = None,
    port: int = DEMO_PORT,
    name: str = "operatorx-demo",
    *,
    fresh: bool = False,
    timeout_s: float = START_TIMEOUT_S,
) -> ClusterHandle:
    """Start a single-node cluster on 127.0.0.1:port, or reuse a healthy one already there.

    ``fresh`` wipes this instance's data before launching (never touches a running cluster).
    Raises ToolUnavailable (with the end of its log) when it does not come up.
    """
    home = Path(home or default_home())
    url = f"http://127.0.0.1:{port}"
    inst = instance_dir(home, port)
    if _health(port):
        return ClusterHandle(url, _running_pid(inst), started=False)
    if _port_open(port) and _running_pid(inst) is None:
        raise ToolUnavailable(
            f"Port {port} on 127.0.0.1 is in use by something that is not a healthy Elasticsearch "
            f"({_probe(port)}); stop it or choose another port."
        )
    dist = install(home)
    inst.mkdir(parents=True, exist_ok=True)
    with _locked(inst / ".start.lock"):
        pid = _running_pid(inst)
        if pid is None:
            pid = _launch(dist, inst, port, name, fresh)
            started = True
        else:  # another process launched it a moment ago: wait for it like we would for ours
            started = False
        try:
            _wait_healthy(inst, port, pid, timeout_s)
        except ToolUnavailable:
            if started:  # leave no half-started JVM behind
                stop(home, port)
            raise
    return ClusterHandle(url, pid, started)


def stop(home: Path | None = None, port: int = DEMO_PORT) -> bool:
    """SIGTERM the cluster we launched on this port, SIGKILL after 30 s. False: nothing ran."""
    inst = instance_dir(Path(home or default_home()), port)
    pid = _running_pid(inst)
    if pid is None:
        (inst / "es.pid").unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.25)
    if _group_alive(pid):
        _signal_group(pid, signal.SIGKILL)
        while _group_alive(pid):
            time.sleep(0.1)
    (inst / "es.pid").unlink(missing_ok=True)
    return True


def status(home: Path | None = None, port: int = DEMO_PORT) -> ClusterStatus:
    inst = instance_dir(Path(home or default_home()), port)
    health = _health(port)
    version = None
    if health:
        with contextlib.suppress(OSError, ValueError):
            nodes = _get_json(port, "/_nodes/_local").get("nodes", {})
            version = next(iter(nodes.values()), {}).get("version")
    return ClusterStatus(port, f"http://127.0.0.1:{port}", _running_pid(inst), health, version)


def _launch(dist: Path, inst: Path, port: int, name: str, fresh: bool) -> int:
    if fresh:
        shutil.rmtree(inst / "data", ignore_errors=True)
    conf = inst / "config"
    if not (conf / "jvm.options").is_file():
        shutil.copytree(dist / "config", conf, dirs_exist_ok=True)
    (conf / "elasticsearch.yml").write_text(render_config(inst, port, name), encoding="utf-8")
    for sub in ("data", "logs", "tmp"):
        (inst / sub).mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(inst),
        "ES_JAVA_HOME": str(find_java()),
        "ES_JAVA_OPTS": HEAP,
        "ES_PATH_CONF": str(conf),
        "ES_TMPDIR": str(inst / "tmp"),
    }
    user = _service_user() if os.geteuid() == 0 else None
    if user:
        _check_reachable(dist, user)
        for p in [inst, *inst.rglob("*")]:
            os.chown(p, user.pw_uid, user.pw_gid, follow_symlinks=False)
    log = (inst / "logs" / "console.log").open("wb")
    with log:
        proc = subprocess.Popen(
            [str(dist / "bin" / "elasticsearch")],
            cwd=inst / "logs",  # jvm.options writes gc.log and hs_err files relative to the cwd
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() signals the launcher and the JVM
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
        )
    (inst / "es.pid").write_text(f"{proc.pid}\n")
    return proc.pid


def render_config(inst: Path, port: int, name: str) -> str:
    """Our elasticsearch.yml; the explicit security line stops ES rewriting it (see module doc)."""
    return (
        "# Written by operatorx.tools.elastic.local_cluster; rewritten on every start.\n"
        f"cluster.name: {name}\n"
        f"node.name: {name}-{port}\n"
        "discovery.type: single-node\n"
        "network.host: 127.0.0.1\n"
        f"http.port: {port}\n"
        f"path.data: {inst / 'data'}\n"
        f"path.logs: {inst / 'logs'}\n"
        "xpack.security.enabled: false\n"
        "xpack.ml.enabled: false\n"
        "cluster.routing.allocation.disk.threshold_enabled: false\n"
    )


def _wait_healthy(inst: Path, port: int, pid: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _health(port) in ("green", "yellow"):
            return
        if not _alive(pid):
            (inst / "es.pid").unlink(missing_ok=True)
            raise ToolUnavailable(f"Elasticsearch on port {port} exited during start-up.\n{_log_tail(inst)}")
        time.sleep(0.5)
    raise ToolUnavailable(
        f"Elasticsearch on port {port} was not healthy after {timeout_s:.0f} s.\n{_log_tail(inst)}"
    )


def _log_tail(inst: Path, lines: int = 25) -> str:
    try:
        text = (inst / "logs" / "console.log").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return f"Last lines of {inst / 'logs' / 'console.log'}:\n" + "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------- HTTP probes


def _get_json(port: int, path: str, timeout: float = 2.0) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return json.loads(r.read())


def _health(port: int) -> str | None:
    """The cluster's health colour, or None when nothing Elasticsearch-like answers."""
    try:
        body = _get_json(port, "/_cluster/health")
    except (OSError, ValueError):
        return None
    status = body.get("status") if isinstance(body, dict) else None
    return status if status in ("green", "yellow", "red") else None


def _probe(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_cluster/health", timeout=2) as r:
            return f"GET /_cluster/health answered {r.status} without a cluster health body"
    except urllib.error.HTTPError as e:
        return f"GET /_cluster/health answered HTTP {e.code}"
    except OSError as e:
        return f"it does not answer HTTP: {e}"


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


# ---------------------------------------------------------------- processes


def _running_pid(inst: Path) -> int | None:
    try:
        pid = int((inst / "es.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) and _is_elasticsearch(pid) else None


def _is_elasticsearch(pid: int) -> bool:
    """Guards against a stale pid file whose number now belongs to another program."""
    try:
        return b"elasticsearch" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child, so it is not a zombie
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _group_alive(pgid: int) -> bool:
    """Whether any live process remains in the group (the launcher JVM and the server JVM)."""
    _alive(pgid)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


# ---------------------------------------------------------------- Java and the service user


def find_java() -> Path:
    """A JDK >= 17: ES_JAVA_HOME if set, else the lowest such version found (17 is what we test)."""
    explicit = os.environ.get("ES_JAVA_HOME")
    if explicit:
        return Path(explicit)
    candidates = [os.environ.get("JAVA_HOME", ""), *map(str, Path("/usr/lib/jvm").glob("*"))]
    java = shutil.which("java")
    if java:
        candidates.append(str(Path(java).resolve().parent.parent))
    found = sorted({(_java_major(Path(c)), Path(c).resolve()) for c in candidates if c})
    for major, path in found:
        if major >= 17:
            return path
    raise ToolUnavailable(
        "Elasticsearch needs Java 17 or newer and none was found; run scripts/install-system.sh "
        "(it installs openjdk-17-jre-headless) or set ES_JAVA_HOME."
    )


def _java_major(home: Path) -> int:
    try:
        text = (home / "release").read_text()
    except OSError:
        return 0
    m = re.search(r'^JAVA_VERSION="(\d+)', text, re.M)
    return int(m.group(1)) if m and (home / "bin" / "java").exists() else 0


def _service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        pass
    cmd = ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin"]
    res = subprocess.run([*cmd, SERVICE_USER], capture_output=True, text=True)
    if res.returncode != 0 and "already exists" not in res.stderr:
        raise ToolUnavailable(
            f"Could not create the user {SERVICE_USER} to run Elasticsearch: {res.stderr.strip()}"
        )
    return pwd.getpwnam(SERVICE_USER)


def _check_reachable(path: Path, user: pwd.struct_passwd) -> None:
    """Every parent must be searchable by the service user (root's ~ is not)."""
    for parent in [path, *path.parents]:
        st = parent.stat()
        if st.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        else:
            bit = stat.S_IXGRP if st.st_gid == user.pw_gid else stat.S_IXOTH
        if not st.st_mode & bit:
            raise ToolUnavailable(
                f"Elasticsearch runs as the user {SERVICE_USER}, who cannot enter {parent}; "
                "choose a home outside it (--home, or unset OPERATORX_HOME to use /var/lib/operatorx)."
            )


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m operatorx.tools.elastic.local_cluster", description=__doc__.split("\n")[0]
    )
    ap.add_argument("action", choices=["install", "start", "stop", "status"])
    ap.add_argument("--port", type=int, default=DEMO_PORT)
    ap.add_argument("--home", type=Path, default=None, help=f"default: {default_home()}")
    ap.add_argument("--name", default="operatorx-demo", help="cluster.name (start only)")
    args = ap.parse_args(argv)
    try:
        if args.action == "install":
            print(install(args.home))
        elif args.action == "start":
            t0 = time.monotonic()
            h = start(args.home, args.port, args.name)
            how = f"started in {time.monotonic() - t0:.0f} s" if h.started else "already running"
            print(f"Elasticsearch {h.url} ({how}, pid {h.pid or 'not ours'})")
        elif args.action == "stop":
            stopped = stop(args.home, args.port)
            print("stopped" if stopped else f"nothing of ours was running on port {args.port}")
        else:
            s = status(args.home, args.port)
            print(json.dumps(dataclasses.asdict(s)))
            return 0 if s.health else 1
    except OperatorXError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
