"""The container tests (marker `container`) build the image from the Dockerfile with podman and
run it; they take minutes, need root, podman and debootstrap, and run only when asked for:
TRACKER_CONTAINER_TESTS=1 (`.ci/run` sets it) or `-m container`. Once asked for, nothing missing
is a reason to skip: the test fails and says what is missing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.container import podman

ROOT = Path(__file__).resolve().parents[2]
IMAGE_NAME = "localhost/accountability-tracker:test"
# What the run learnt about the image, printed at the end (docs/DEPLOY.md quotes the size).
REPORT: list[str] = []


def _asked_for(config: pytest.Config) -> bool:
    markexpr = str(config.getoption("markexpr", "") or "")
    return os.environ.get("TRACKER_CONTAINER_TESTS") == "1" or (
        "container" in markexpr and "not container" not in markexpr
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _asked_for(config):
        return
    skip = pytest.mark.skip(reason="container test: set TRACKER_CONTAINER_TESTS=1 to run it")
    for item in items:
        if item.get_closest_marker("container"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> podman.Image:
    """The tracker's image, built from the Dockerfile as it is (its layers cached by podman)."""
    if os.geteuid() != 0:
        pytest.fail("the container tests need root (debootstrap, mount, chroot)")
    missing = podman.missing_tools()
    if missing:
        pytest.fail(f"the container tests need {', '.join(missing)}: apt-get install -y podman "
                    "debootstrap (.ci/run installs them)")  # fmt: skip
    logs = tmp_path_factory.mktemp("image")
    started = time.monotonic()
    made = podman.ensure_base_image(logs / "debootstrap.log")
    built = podman.build(ROOT, IMAGE_NAME, logs / "build.log")
    REPORT.append(
        f"{built.name}: {built.size / 1e6:.0f} MB ({built.size / 2**20:.0f} MiB); base "
        f"{'made' if made else 'kept'}, built in {time.monotonic() - started:.0f} s"
    )
    return built


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if REPORT:
        terminalreporter.section("container image")
        for line in REPORT:
            terminalreporter.write_line(line)
