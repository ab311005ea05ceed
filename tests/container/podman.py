"""Building the tracker's image with podman and running what it runs, on a machine with no Docker
daemon and no registry.

The base, debian:bookworm-slim, is made here when podman does not have it yet: debootstrap's
minbase from the Debian mirror apt uses, trimmed and configured the way Debian's slim images
are, imported under the name the Dockerfile asks for, so that the build pulls nothing. pip in the
build uses the machine's pip configuration and CA bundle, mounted read-only at /mnt.

Containers are not started by podman (this machine refuses `podman run`): the filesystem of a
container made from the image is mounted (`podman create`, `podman mount`) and the image's
command runs in a chroot of it, in a mount namespace of its own that holds the volume at its
path, /proc and /dev, as the image's user and with the image's environment. The network is the
host's, as with `--network=host`.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_IMAGE = "docker.io/library/debian:bookworm-slim"
SUITE = "bookworm"
# Read by pip in the build (Dockerfile: ARG PIP_CONFIG_FILE).
BUILD_MOUNT = "/mnt"

# What Debian's slim images leave out, and the apt settings its container images carry
# (debuerreotype): no documentation or translations, no caches kept in layers.
SLIM_DPKG_EXCLUDES = """\
# The "slim" variant: files normally unneeded in containers are left out, and stay out.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
"""
SLIM_TRIMMED = ["groff", "info", "linda", "lintian/overrides", "locale", "man"]
CONTAINER_APT_CONFIG = {
    "etc/apt/apt.conf.d/docker-clean": 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
    "etc/apt/apt.conf.d/docker-no-languages": 'Acquire::Languages "none";\n',
    "etc/apt/apt.conf.d/docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "etc/apt/apt.conf.d/docker-autoremove-suggests": (
        'Apt::AutoRemove::SuggestsImportant "false";\n'
    ),
    "etc/dpkg/dpkg.cfg.d/docker-apt-speedup": "force-unsafe-io\n",
    "etc/dpkg/dpkg.cfg.d/docker": SLIM_DPKG_EXCLUDES,
}

# Run in the new mount namespace, as root: the mounts, then the chroot as the image's user.
IN_CONTAINER = r"""
set -e
root=$1 volume=$2 target=$3 user=$4 workdir=$5
shift 5
if [ -n "$volume" ]; then mount --bind "$volume" "$root$target"; fi
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
exec chroot --userspec="$user" --groups="${user#*:}" "$root" \
  /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
"""


class PodmanError(RuntimeError):
    pass


def run(args: list[str], *, timeout: float = 120, **options: Any) -> str:
    """Run a command; its output is the error's message when it fails."""
    try:
        result = subprocess.run(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
            **options,
        )
    except subprocess.TimeoutExpired as exc:
        raise PodmanError(f"{args[:3]} took more than {timeout}s:\n{exc.output}") from None
    if result.returncode != 0:
        raise PodmanError(f"{' '.join(args[:4])} exited {result.returncode}:\n{result.stdout}")
    return result.stdout


def missing_tools() -> list[str]:
    needed = ["podman", "debootstrap", "unshare", "chroot", "mount", "tar"]
    return [tool for tool in needed if shutil.which(tool) is None]


# --- the base image -------------------------------------------------------------------------


def apt_mirror(suite: str = SUITE) -> str:
    """The Debian mirror apt's sources name for `suite` main (deb822 or one-line format)."""
    apt = Path("/etc/apt")
    files = [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in stanza.splitlines():
                    if line.strip() and not line.lstrip().startswith("#") and ":" in line:
                        key, _, value = line.partition(":")
                        fields[key.strip().lower()] = value.strip()
                if (
                    "deb" in fields.get("types", "").split()
                    and fields.get("enabled", "yes").lower() != "no"
                    and suite in fields.get("suites", "").split()
                    and "main" in fields.get("components", "").split()
                ):
                    return fields["uris"].split()[0]
        elif path.name == "sources.list" or path.suffix == ".list":
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
                deb = len(words) >= 4 and words[0] == "deb"
                if deb and words[2] == suite and "main" in words[3:]:
                    return words[1]
    raise PodmanError(f"no Debian mirror for {suite} main in apt's sources under {apt}")


def image_exists(name: str) -> bool:
    return subprocess.run(["podman", "image", "exists", name], check=False).returncode == 0


def _slim(root: Path) -> None:
    doc = root / "usr/share/doc"
    for path in sorted(doc.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.name != "copyright":
            path.unlink()
    for name in SLIM_TRIMMED:
        folder = root / "usr/share" / name
        if folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
    for pattern in ["var/lib/apt/lists/*", "var/cache/apt/*.bin", "var/cache/apt/archives/*.deb"]:
        for path in root.glob(pattern):
            if path.is_file():
                path.unlink()
    for path in (root / "var/log").rglob("*"):
        if path.is_file():
            path.write_bytes(b"")
    for relative, content in CONTAINER_APT_CONFIG.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


def ensure_base_image(log: Path) -> bool:
    """Make debian:bookworm-slim from Debian's packages unless podman has it; True if made."""
    if image_exists(BASE_IMAGE):
        return False
    mirror = apt_mirror()
    keyring = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
    with tempfile.TemporaryDirectory(prefix="tracker-base-", dir="/var/tmp") as scratch:
        root = Path(scratch) / "root"
        output = run(
            ["debootstrap", "--variant=minbase", f"--keyring={keyring}", SUITE, str(root), mirror],
            timeout=900,
        )
        log.write_text(output)
        _slim(root)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        try:
            run(
                [
                    "podman", "import",
                    "--change", 'CMD ["bash"]',
                    "--change", f"LABEL org.opencontainers.image.description=\"Debian {SUITE} "
                    f"minbase from {mirror}, trimmed like debian:{SUITE}-slim\"",
                    "-", BASE_IMAGE,
                ],
                stdin=tar.stdout,
                timeout=300,
            )  # fmt: skip
        finally:
            assert tar.stdout is not None
            tar.stdout.close()
            tar.wait()
    return True


# --- pip in the build -----------------------------------------------------------------------


def _is_local(value: str) -> bool:
    return value.startswith(("/", "file:", "."))


def write_build_pip_config(folder: Path) -> Path:
    """This machine's pip configuration for the build, mounted read-only at /mnt: its CA bundle
    copied beside it (never over the image's own certificates), and what names a local path
    left out, since the build cannot see the host's files."""
    listing = run([sys.executable, "-m", "pip", "config", "list"])
    chosen: dict[tuple[str, str], str] = {}
    from_environment: dict[tuple[str, str], str] = {}
    for line in listing.splitlines():
        name, sep, raw = line.partition("=")
        if not sep or "." not in name:
            continue
        section, key = name.rsplit(".", 1)
        value = str(ast.literal_eval(raw))
        if section == ":env:":
            from_environment[("global", key)] = value
        else:
            chosen[(section, key)] = value
    chosen.update(from_environment)  # PIP_* variables win, as they do for pip
    sections: dict[str, dict[str, str]] = {}
    for (section, key), value in chosen.items():
        if key == "cert":
            shutil.copyfile(value, folder / "ca.pem")
            value = f"{BUILD_MOUNT}/ca.pem"
        else:
            kept = [word for word in value.split() if not _is_local(word)]
            if not kept and value.split():
                continue
            value = " ".join(kept)
        sections.setdefault(section, {})[key] = value
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    path = folder / "pip.conf"
    path.write_text("\n".join(lines))
    return path


# --- the tracker's image --------------------------------------------------------------------


@dataclass
class Image:
    id: str
    name: str
    size: int
    env: dict[str, str]
    user: str
    workdir: str
    entrypoint: list[str]
    cmd: list[str]
    volumes: list[str]
    healthcheck: list[str]
    healthcheck_timeout: float
    exposed_ports: list[str]


def inspect(reference: str) -> Image:
    data = json.loads(run(["podman", "image", "inspect", reference]))[0]
    config = data.get("Config") or {}
    health = config.get("Healthcheck") or data.get("Healthcheck") or {}
    return Image(
        id=data["Id"],
        name=(data.get("RepoTags") or [reference])[0],
        size=int(data["Size"]),
        env=dict(item.split("=", 1) for item in config.get("Env") or []),
        user=config.get("User") or "",
        workdir=config.get("WorkingDir") or "/",
        entrypoint=list(config.get("Entrypoint") or []),
        cmd=list(config.get("Cmd") or []),
        volumes=sorted(config.get("Volumes") or {}),
        healthcheck=list(health.get("Test") or []),
        healthcheck_timeout=(health.get("Timeout") or 30_000_000_000) / 1e9,
        exposed_ports=sorted(config.get("ExposedPorts") or {}),
    )


def build(context: Path, name: str, log: Path) -> Image:
    """Build the Dockerfile in `context` and tag it `name`, the layers cached between builds.
    The image is the one this build made, by id, whatever a build elsewhere tags meanwhile."""
    with tempfile.TemporaryDirectory(prefix="tracker-pip-") as folder:
        os.chmod(folder, 0o755)
        pip_config = write_build_pip_config(Path(folder))
        iidfile = Path(folder) / "image-id"
        output = run(
            [
                "podman", "build",
                "--isolation=chroot", "--network=host", "--pull=never", "--layers",
                "--format=docker",  # OCI images cannot hold a HEALTHCHECK
                "--volume", f"{folder}:{BUILD_MOUNT}:ro",
                "--build-arg", f"PIP_CONFIG_FILE={BUILD_MOUNT}/{pip_config.name}",
                "--iidfile", str(iidfile),
                "--tag", name,
                str(context),
            ],
            timeout=1500,
        )  # fmt: skip
        image_id = iidfile.read_text().strip().removeprefix("sha256:")
    log.write_text(output)
    return inspect(image_id)


# --- containers -----------------------------------------------------------------------------


def _numeric_user(root: Path, user: str) -> tuple[int, int, str]:
    """uid, gid and home of the image's USER (a name or a number, with or without a group)."""
    name, _, group = user.partition(":")
    passwd = [line.split(":") for line in (root / "etc/passwd").read_text().splitlines()]
    entry = next((e for e in passwd if name in (e[0], e[2])), None)
    if entry is None and not name.isdigit():
        raise PodmanError(f"user {name!r} is not in the image's /etc/passwd")
    uid = int(entry[2]) if entry else int(name or 0)
    gid = int(entry[3]) if entry else uid
    if group:
        groups = [line.split(":") for line in (root / "etc/group").read_text().splitlines()]
        match = next((g for g in groups if group in (g[0], g[2])), None)
        gid = int(match[2]) if match else int(group)
    return uid, gid, entry[5] if entry else "/"


class Container:
    """A container's filesystem, mounted; processes run in a chroot of it (see the module)."""

    def __init__(self, image: Image, volume: Path | None) -> None:
        self.image = image
        self.volume = volume
        self.id = run(
            ["podman", "create", "--no-healthcheck", "--image-volume=ignore", image.id]
        ).strip()
        self.root = Path(run(["podman", "mount", self.id]).strip())
        self.uid, self.gid, home = _numeric_user(self.root, image.user)
        self.base_env = {"HOME": home, **image.env}

    def _command(self, argv: list[str]) -> list[str]:
        target = self.image.volumes[0] if self.image.volumes else "/data"
        return [
            shutil.which("unshare") or "unshare", "--mount", "--propagation", "private",
            "/bin/sh", "-c", IN_CONTAINER, "in-container",
            str(self.root), str(self.volume or ""), target,
            f"{self.uid}:{self.gid}", self.image.workdir, *argv,
        ]  # fmt: skip

    def env(self, **overrides: str | None) -> dict[str, str]:
        merged = {**self.base_env, **overrides}
        return {key: value for key, value in merged.items() if value is not None}

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        """Start `argv` (e.g. the image's entrypoint and command); the process keeps its pid
        through every exec down to the command itself."""
        with log.open("ab") as out:
            return subprocess.Popen(
                self._command(argv),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(
        self,
        argv: list[str],
        env: dict[str, str],
        *,
        stdin: str | bytes | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` to its end; its output comes back as text."""
        result = subprocess.run(
            self._command(argv),
            env=env,
            input=stdin.encode() if isinstance(stdin, str) else stdin,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        return subprocess.CompletedProcess(
            result.args,
            result.returncode,
            result.stdout.decode(errors="replace"),
            result.stderr.decode(errors="replace"),
        )

    def remove(self) -> None:
        subprocess.run(["podman", "umount", self.id], capture_output=True, check=False)
        subprocess.run(["podman", "rm", "--force", self.id], capture_output=True, check=False)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Kill what is left of a process group this test started (its workers too)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
