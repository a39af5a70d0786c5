"""The package as users get it: installed offline into a venv that sees Debian's packages, and typed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _require(what: str) -> None:
    if os.environ.get("HSMCA_REQUIRE_ALL") == "1":
        pytest.fail("missing: " + what)
    pytest.skip("missing: %s (HSMCA_REQUIRE_ALL=1 makes this a failure)" % what)


def test_installs_offline_into_a_venv_with_system_site_packages(tmp_path: Path) -> None:
    """``pip install --no-build-isolation ./clients/python`` with no package index (PIP_NO_INDEX: as offline)."""
    env_dir = tmp_path / "venv"
    try:
        venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    except (OSError, subprocess.CalledProcessError) as e:
        _require("python3-venv (%s)" % e)
    python = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    source = tmp_path / "source"  # a copy: the build writes build/ and *.egg-info beside the sources
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".*cache"))
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-build-isolation", str(source)],
                             env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    assert install.returncode == 0, install.stdout.decode()[-3000:]
    check = subprocess.run([str(python), "-c", """
import importlib.metadata, pathlib, hsmca_client
from hsmca_client import PKIClient, PKIClientError, CertificateNotFoundError
print(importlib.metadata.version("hsmca-client"), hsmca_client.__file__,
      (pathlib.Path(hsmca_client.__file__).parent / "py.typed").is_file())
"""], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert check.returncode == 0, check.stdout.decode()
    version, location, typed = check.stdout.decode().split()
    assert version == "0.1.0"
    assert Path(location).is_relative_to(env_dir), "imported from the venv, not the source tree"
    assert typed == "True", "py.typed is installed"


def test_strictly_typed(tmp_path: Path) -> None:
    try:
        import mypy  # noqa: F401
    except ImportError:
        _require("python3-mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--cache-dir", str(tmp_path / "mypy"), "src/hsmca_client"],
                          cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    assert done.returncode == 0, done.stdout.decode()
