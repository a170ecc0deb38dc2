"""Container images built on this machine, with no registry and no network inside a build.

- A base image per flavour is made from Debian packages with `debootstrap` and `docker import`.
- Python packages come from a wheelhouse resolved on the host for the image's interpreter
  (Debian 12's Python 3.11.2) from the same lock as the hub, so every image matches the hub.
- `docker build --network none` then installs them with `--no-index`.

Every tag carries a digest of its inputs, so a changed lock, package or Dockerfile gives a
new tag and a stale image is never used by mistake.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .config import REPO_ROOT

IMAGES_DIR = REPO_ROOT / "images"
DEBIAN_SUITE = "bookworm"
# The Python the wheelhouse is resolved for: Debian 12's python3 (3.11.2), not the host's.
IMAGE_PYTHON = "3.11.2"
# What the hub image holds of this clone (besides node_modules/).
APP_TREE = ("pyproject.toml", "requirements.txt", "pasaporte", "hub_config", "courses", "training", "images")
WHEEL_PLATFORMS = ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64", "linux_x86_64"]


@dataclass(frozen=True)
class Image:
    name: str
    debian_packages: tuple[str, ...]  # what debootstrap puts in its base
    needs_python: bool  # the wheelhouse and the project package go into its build context
    needs_app: bool = False  # the project tree (hub_config/, courses/, node_modules/) goes in whole

    @property
    def repository(self) -> str:
        return f"pasaporte/{self.name}"

    @property
    def base_repository(self) -> str:
        return f"pasaporte/base-{self.name}"


IMAGES = {
    image.name: image
    for image in (
        Image("singleuser", ("python3", "python3-venv", "ca-certificates", "tzdata"), needs_python=True),
        Image("hub", ("python3", "python3-venv", "ca-certificates", "tzdata", "nodejs"), needs_python=True,
              needs_app=True),
        Image("postgres", ("postgresql", "tzdata"), needs_python=False),
    )
}


class ImageError(RuntimeError):
    """An image cannot be built; the message says why, for the operator."""


def cache_dir() -> Path:
    default = Path("/var/cache/pasaporte") if os.geteuid() == 0 else Path.home() / ".cache" / "pasaporte"
    return Path(os.environ.get("PASAPORTE_BUILD_CACHE") or default)


def _package_files() -> list[Path]:
    files = [REPO_ROOT / "requirements.txt", REPO_ROOT / "pyproject.toml"]
    files += sorted(p for p in (REPO_ROOT / "pasaporte").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return files


def _digest(paths: list[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for path in paths:
        h.update(str(path.relative_to(REPO_ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def base_tag(image: Image) -> str:
    return f"{image.base_repository}:{DEBIAN_SUITE}-{_digest([], ' '.join(image.debian_packages))}"


def image_tag(name: str) -> str:
    """The tag the current sources build for image `name` (what the hub spawns)."""
    image = IMAGES[name]
    inputs = sorted(p for p in (IMAGES_DIR / name).rglob("*") if p.is_file())
    if image.needs_python:
        inputs += _package_files()
    if image.needs_app:
        inputs += [REPO_ROOT / "package-lock.json"]
        inputs += sorted(p for part in APP_TREE[2:] for p in (REPO_ROOT / part).rglob("*")
                         if p.is_file() and "__pycache__" not in p.parts)
    return f"{image.repository}:{_digest(inputs, base_tag(image))}"


def docker(*args: str, check: bool = True, capture: bool = True, **kwargs) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(["docker", *args], text=True, capture_output=capture, **kwargs)
    except FileNotFoundError:
        raise ImageError("the docker command is missing; run scripts/docker-engine.sh (as root)") from None
    if check and result.returncode != 0:
        raise ImageError(f"docker {' '.join(args[:2])} failed: {(result.stderr or '').strip()[-2000:]}")
    return result


def image_exists(tag: str) -> bool:
    return docker("image", "inspect", tag, check=False).returncode == 0


def image_size(tag: str) -> int:
    return int(docker("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip())


def engine_answers() -> bool:
    try:
        return docker("info", "--format", "{{.ServerVersion}}", check=False, timeout=20).returncode == 0
    except (ImageError, subprocess.TimeoutExpired):
        return False


def debian_mirror() -> str:
    return os.environ.get("PASAPORTE_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def build_base(image: Image, out: TextIO) -> str:
    """debootstrap a minimal Debian with the image's packages and import it as a local image."""
    tag = base_tag(image)
    if image_exists(tag):
        return tag
    if shutil.which("debootstrap") is None:
        raise ImageError("debootstrap is missing; run scripts/docker-engine.sh (as root)")
    with tempfile.TemporaryDirectory(prefix="pasaporte-rootfs-", dir=cache_dir()) as tmp:
        root = Path(tmp) / "root"
        print(f"  debootstrap {DEBIAN_SUITE} with {', '.join(image.debian_packages)} ...", file=out, flush=True)
        result = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(image.debian_packages)}", DEBIAN_SUITE,
             str(root), debian_mirror()], capture_output=True, text=True)
        if result.returncode != 0:
            raise ImageError(f"debootstrap failed (mirror {debian_mirror()}, PASAPORTE_DEBIAN_MIRROR):\n"
                             f"{result.stdout[-1500:]}{result.stderr[-1500:]}")
        # No package lists or caches in the image.
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for p in (root / junk).glob("*"):
                if p.is_file():
                    p.unlink()
        print(f"  docker import -> {tag}", file=out, flush=True)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        docker("import", "--change", "ENV LANG=C.UTF-8", "-", tag, stdin=tar.stdout)
        tar.wait()
    return tag


def prepare_wheelhouse(out: TextIO) -> Path:
    """Wheels for requirements.txt resolved for the image's Python, plus the project's own wheel."""
    lock = REPO_ROOT / "requirements.txt"
    house = cache_dir() / "wheelhouse" / _digest([lock])
    done = house / ".complete"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    if not done.exists():
        house.mkdir(parents=True, exist_ok=True)
        print(f"  wheelhouse for Python {IMAGE_PYTHON} in {house} ...", file=out, flush=True)
        target = ["--only-binary=:all:", "--python-version", IMAGE_PYTHON, "--implementation", "cp",
                  "--abi", "cp311", "--abi", "abi3", "--abi", "none"]
        for platform in WHEEL_PLATFORMS:
            target += ["--platform", platform]
        for _ in range(10):
            result = subprocess.run([*pip, "download", "-q", "--find-links", str(house), *target, "-d", str(house),
                                     "-r", str(lock)], capture_output=True, text=True)
            if result.returncode == 0:
                break
            # A package published only as source: build its wheel here (pure Python ones are portable).
            missing = re.search(r"No matching distribution found for (\S+)", result.stderr)
            if not missing:
                raise ImageError(f"pip download failed:\n{result.stderr[-2000:]}")
            print(f"  building a wheel for {missing.group(1)} (no wheel published)", file=out, flush=True)
            subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(house), missing.group(1)], check=True,
                           capture_output=True)
        else:
            raise ImageError("pip download kept failing; see above")
        done.touch()
    return house


def build_context(image: Image, out: TextIO) -> tempfile.TemporaryDirectory:
    """A build context with the Dockerfile, and for Python images the wheelhouse, the
    project's wheel and the assets every Jupyter server of ours reads."""
    from .views import install_assets

    ctx = tempfile.TemporaryDirectory(prefix=f"pasaporte-build-{image.name}-", dir=cache_dir())
    root = Path(ctx.name)
    shutil.copytree(IMAGES_DIR / image.name, root, dirs_exist_ok=True)
    if image.needs_python:
        house = prepare_wheelhouse(out)
        wheels = root / "wheelhouse"
        wheels.mkdir()
        for wheel in house.glob("*.whl"):
            os.link(wheel, wheels / wheel.name)
        shutil.copyfile(REPO_ROOT / "requirements.txt", wheels / "requirements.txt")
    if image.needs_app:
        app = root / "app"
        app.mkdir()
        for part in APP_TREE:
            src = REPO_ROOT / part
            if src.is_dir():
                shutil.copytree(src, app / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                shutil.copyfile(src, app / part)
        shutil.copytree(REPO_ROOT / "node_modules", app / "node_modules", symlinks=True)
    elif image.needs_python:
        # The project itself, as a wheel: a copy of the package, not an editable link to this clone.
        with tempfile.TemporaryDirectory() as src:
            for name in ("pyproject.toml", "requirements.txt"):
                shutil.copyfile(REPO_ROOT / name, Path(src) / name)
            shutil.copytree(REPO_ROOT / "pasaporte", Path(src) / "pasaporte",
                            ignore=shutil.ignore_patterns("__pycache__"))
            subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(root / "project"), src], check=True, capture_output=True)
        install_assets(root / "assets")
    return ctx


def build(name: str, out: TextIO = sys.stdout) -> str:
    """Build image `name` if its current tag is missing; return the tag."""
    image = IMAGES[name]
    tag = image_tag(name)
    if image_exists(tag):
        print(f"{tag}: up to date ({image_size(tag) / 1e6:.0f} MB)", file=out, flush=True)
        return tag
    cache_dir().mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"Building {tag}", file=out, flush=True)
    base = build_base(image, out)
    with build_context(image, out) as ctx:
        print(f"  docker build --network none (base {base}) ...", file=out, flush=True)
        process = subprocess.Popen(["docker", "build", "--network", "none", "--build-arg", f"BASE={base}",
                                    "--label", "org.pasaporte.image=" + name, "-t", tag, ctx],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, "DOCKER_BUILDKIT": "0"})
        tail = []
        for line in process.stdout:
            tail = (tail + [line])[-40:]
            if line.startswith("Step "):
                print("   " + line.rstrip(), file=out, flush=True)
        if process.wait() != 0:
            raise ImageError(f"docker build of {name} failed:\n{''.join(tail)}")
    remove_stale(image, keep=tag)
    print(f"{tag}: built in {time.monotonic() - started:.0f} s, {image_size(tag) / 1e6:.0f} MB", file=out,
          flush=True)
    return tag


def remove_stale(image: Image, keep: str) -> None:
    """Older tags of the same image only take disk space; containers still using one keep it."""
    listing = docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", image.repository).stdout.split()
    for tag in listing:
        if tag != keep:
            docker("image", "rm", tag, check=False)


def build_all(names: list[str] | None = None, out: TextIO = sys.stdout) -> dict[str, str]:
    if not engine_answers():
        raise ImageError("no Docker engine answers; run scripts/docker-engine.sh (as root) to install and start one")
    return {name: build(name, out) for name in (names or list(IMAGES))}
