"""Real ``flask`` processes for tests that kill them: started, watched line by line, killed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Child:
    """A subprocess whose merged output is read on a thread, so waiting for a line is bounded."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self._cursor = 0  # wait_for looks at lines after the last one it matched
        self._new: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            args, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def flask(cls, *command: str, env: dict[str, str]) -> Child:
        return cls([sys.executable, "-m", "flask", *command],
                   {"FLASK_APP": "marketplace", **env})

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._new.put(line)
        self._new.put(None)

    def wait_for(self, text: str, timeout: float) -> float:
        """Seconds until a new line containing ``text`` appears; fails after ``timeout``."""
        started = time.monotonic()
        for index in range(self._cursor, len(self.lines)):
            if text in self.lines[index]:
                self._cursor = index + 1
                return 0.0
        self._cursor = len(self.lines)
        while (left := timeout - (time.monotonic() - started)) > 0:
            try:
                line = self._new.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"exited before {text!r}:\n{self.output}")
            self.lines.append(line)
            self._cursor = len(self.lines)
            if text in line:
                return time.monotonic() - started
        raise AssertionError(f"no {text!r} within {timeout}s:\n{self.output}")

    def saw(self, text: str) -> bool:
        """Whether ``text`` appeared in what was read so far (reading what is waiting)."""
        while True:
            try:
                line = self._new.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.lines.append(line)
        return any(text in line for line in self.lines)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)  # the pipe is at its end once the process is gone
        assert self.process.stdout is not None
        self.process.stdout.close()
