"""Time is stored as naive UTC everywhere; services take ``now`` so tests never sleep."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
