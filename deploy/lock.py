"""`make lock`: each service image's third-party dependencies, pinned with their hashes, in
deploy/requirements/<service>.txt — what the Dockerfile installs with `pip --require-hashes`.

The pins come from shared/pyproject.toml and services/<service>/pyproject.toml (exact versions
already); uv resolves what those need in turn and records every file's hash, so an image build
installs exactly these files or fails. Run it after changing a pyproject's dependencies
(tests/deploy/test_image_lock.py says when it is due).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("applications", "vetting", "access", "notifications")
OUT = ROOT / "deploy" / "requirements"
# The build backend of our own packages, installed from the lock too (--no-build-isolation).
BUILD = ("setuptools==84.2.1",)


def direct_requirements(service: str) -> list[str]:
    """The pyprojects' dependencies of the image for `service`, our own packages left out."""
    found: list[str] = []
    for pyproject in (
        ROOT / "shared" / "pyproject.toml",
        ROOT / "services" / service / "pyproject.toml",
    ):
        for requirement in tomllib.loads(pyproject.read_text())["project"]["dependencies"]:
            if not requirement.startswith("ma-"):
                found.append(requirement)
    return [*found, *BUILD]


def lock(service: str) -> None:
    source = OUT / f"{service}.in"
    source.write_text(
        f"# The {service} image's direct dependencies (written by deploy/lock.py).\n"
        + "\n".join(direct_requirements(service))
        + "\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "compile",
            str(source.relative_to(ROOT)),
            "--generate-hashes",
            "--python-version",
            "3.11",
            "--universal",
            "--no-header",
            "--quiet",
            "-o",
            str((OUT / f"{service}.txt").relative_to(ROOT)),
        ],
        cwd=ROOT,
        check=True,
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[1:] or SERVICES:
        lock(name)
        print(f"deploy/requirements/{name}.txt")
