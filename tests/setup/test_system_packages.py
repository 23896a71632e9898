"""`make run` / `make test` on a fresh machine (issue 17): the Debian packages they need are checked
first; when they cannot be installed (not root), the check stops at once with the one command to run."""
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "system-packages.sh"


def _run(purpose: str, **env) -> subprocess.CompletedProcess:
    command = ["bash", str(SCRIPT), purpose]
    if os.geteuid() == 0:  # as root the script would install: check as an ordinary user instead
        if not shutil.which("su"):
            pytest.skip("no su to drop root")
        folder = tempfile.mkdtemp()  # a copy the other user can read, wherever the checkout lies
        os.chmod(folder, 0o755)
        script = shutil.copy(SCRIPT, folder)
        os.chmod(script, 0o755)
        assignments = " ".join(f"{k}={v}" for k, v in env.items())
        command = ["su", "nobody", "-s", "/bin/bash", "-c", f"{assignments} bash {script} {purpose}"]
        env = {}
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=60, cwd="/")


def test_a_machine_with_everything_passes_the_check():
    assert _run("test").returncode == 0


def test_a_missing_package_stops_with_the_one_command_to_run():
    result = _run("test", CHROMIUM_PATH="/nonexistent/chromium")
    assert result.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends chromium" in result.stderr
    assert "Il manque des paquets système" in result.stderr


def test_make_run_does_not_need_the_browser():
    assert _run("run", CHROMIUM_PATH="/nonexistent/chromium").returncode == 0
