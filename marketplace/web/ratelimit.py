"""Log-in throttling: at most 5 failed attempts per e-mail and IP address in 15 minutes.

Kept in memory, per web worker (no new service, no table): with N gunicorn workers an attacker
gets at most 5×N tries per window, which still defeats password guessing. A restart forgets.
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta
from threading import Lock

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)

_failures: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)
_lock = Lock()


def _recent(key: tuple[str, str], now: datetime) -> deque[datetime]:
    times = _failures[key]
    while times and now - times[0] >= WINDOW:
        times.popleft()
    return times


def blocked(email: str, ip: str, now: datetime) -> bool:
    with _lock:
        return len(_recent((email.lower(), ip), now)) >= MAX_FAILURES


def fail(email: str, ip: str, now: datetime) -> None:
    with _lock:
        _recent((email.lower(), ip), now).append(now)


def forget(email: str, ip: str) -> None:
    """A successful log-in clears the count."""
    with _lock:
        _failures.pop((email.lower(), ip), None)


def reset() -> None:
    """Tests start from a clean slate."""
    with _lock:
        _failures.clear()
