"""scripts/stop-services.sh stops what the start scripts started, found by their pid files."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

STOP = str(ROOT / "scripts" / "stop-services.sh")


def _stop(services_dir, *names):
    return subprocess.run(["bash", STOP, *names], env={**os.environ, "DATAGUARD_SERVICES_DIR": str(services_dir)},
                          capture_output=True, text=True, timeout=60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_stops_the_service_of_its_pid_file_only(tmp_path):
    # a daemon like the services (not this process's child), and a process of someone else
    ours = int(subprocess.run(["bash", "-c", f"setsid {sys.executable} -c 'import signal; signal.pause()' "
                               f"</dev/null >/dev/null 2>&1 & echo $!"], capture_output=True, text=True).stdout)
    other = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])
    try:
        (tmp_path / "samba").mkdir()
        (tmp_path / "samba" / "smbd.pid").write_text(f"{ours}\n")
        res = _stop(tmp_path, "samba")
        assert res.returncode == 0, res.stderr
        assert not _alive(ours) and not (tmp_path / "samba" / "smbd.pid").exists()
        assert other.poll() is None                        # a process it did not start: untouched
        again = _stop(tmp_path)                            # nothing running: not an error
        assert again.returncode == 0 and "not running" in again.stderr
        assert _stop(tmp_path, "ftp").returncode == 2
    finally:
        if _alive(ours):
            os.kill(ours, 9)
        other.kill()
        other.wait()
