"""`tools/render-deps.sh`, which `make test` runs: installs only the missing Debian packages, quietly, and
nothing when all are there. dpkg-query, apt-get, id and sudo are stand-ins on PATH that record their calls."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "render-deps.sh"
PACKAGES = "libreoffice-calc libreoffice-writer poppler-utils fonts-liberation2 fonts-dejavu-core"


def shims(tmp_path: Path, installed: set[str], uid: int = 0, apt_fails: bool = False) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    scripts = {
        "dpkg-query": "pkg=\"$3\"\ncase \" " + " ".join(sorted(installed)) + " \" in *\" $pkg \"*) printf 'ii ' ;; "
                      "*) echo \"dpkg-query: no packages found matching $pkg\" >&2; exit 1 ;; esac",
        "apt-get": f'echo "apt-get $*" >> "{log}"\n' + ("echo 'E: Unable to locate package' >&2; exit 100"
                                                          if apt_fails else "echo 'lots of apt output'"),
        "id": f"echo {uid}",
        "sudo": f'echo "sudo $*" >> "{log}"\nexit 1',
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body + "\n")
        path.chmod(0o755)
    return bin_dir


def run(tmp_path: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_nothing_is_done_when_every_package_is_installed(tmp_path):
    done = run(tmp_path, shims(tmp_path, set(PACKAGES.split())))
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert calls(tmp_path) == []


def test_only_the_missing_packages_are_installed_quietly(tmp_path):
    done = run(tmp_path, shims(tmp_path, {"libreoffice-calc", "libreoffice-writer", "fonts-dejavu-core"}))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == "render-deps: installing poppler-utils fonts-liberation2\n"
    assert calls(tmp_path) == ["apt-get update -qq",
                               "apt-get install -y -qq --no-install-recommends poppler-utils fonts-liberation2"]


def test_a_failed_install_fails_with_apt_s_own_message(tmp_path):
    done = run(tmp_path, shims(tmp_path, set(), apt_fails=True))
    assert done.returncode == 1
    assert "Unable to locate package" in done.stderr and "render-deps: could not install" in done.stderr


def test_without_root_it_says_what_is_missing_and_leaves_the_failure_to_the_tests(tmp_path):
    done = run(tmp_path, shims(tmp_path, set(PACKAGES.split()) - {"poppler-utils"}, uid=1000))
    assert done.returncode == 0
    assert "missing Debian packages: poppler-utils" in done.stderr
    assert calls(tmp_path) == ["sudo -n true"]  # asked whether sudo works without a password, installed nothing
