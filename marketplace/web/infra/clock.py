"""The time views pass to services as ``now``: the platform's one clock (``marketplace.clock``),
real UTC or the ``CLOCK`` tests set."""

from __future__ import annotations

from marketplace.clock import current_time

__all__ = ["current_time"]
