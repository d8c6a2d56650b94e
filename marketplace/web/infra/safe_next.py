"""Where a ``next`` parameter may send the browser: a path on this site, nothing else.

Browsers forgive what a plain ``startswith("//")`` check does not see: they drop tabs and
newlines anywhere in a URL (``/\\t/evil.example`` becomes ``//evil.example``), read ``\\`` as
``/`` (``/\\evil.example``) and strip leading control characters and spaces. A target carrying any
of those, a scheme or a host is refused; so is CR/LF, which would split the Location header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def _is_local_path(target: str) -> bool:
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, endpoint: str = "public.index") -> str:
    """``target`` if it is a path on this site, else the page of ``endpoint``."""
    return target if target and _is_local_path(target) else url_for(endpoint)
