"""`pip install host/python` gives a working package with the core inside."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from shmkit._core import core_sha256


def test_pip_installs_the_package_with_its_core(tmp_path: Path) -> None:
    # From a copy: a build leaves build/ and *.egg-info beside its sources.
    source = tmp_path / "source"
    checkout = Path(__file__).resolve().parents[1]
    shutil.copytree(checkout, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import shmkit, shmkit._core as c; print(shmkit.__file__); print(c.core_sha256())"],
        capture_output=True, text=True, env={"PYTHONPATH": str(target)}, cwd=tmp_path, timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    where, digest = probe.stdout.split()
    assert where.startswith(str(target)) and digest == core_sha256()
