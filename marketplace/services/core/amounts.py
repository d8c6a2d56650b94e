"""Money as people read it: fen are counted as integers everywhere and shown in yuan only here.

A message's parameter named ``*_fen`` is an amount; wherever the message is shown (a page, a
confirmation, the API's ``message``) it reads in yuan, so a rule's refusal says the same sum
to a person and to a funder's system.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def yuan(fen: int | None) -> str:
    """12345 fen → '¥123.45' (integer arithmetic, no float)."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def shown(params: Mapping[str, Any]) -> dict[str, Any]:
    """A message's parameters as shown: amounts (``*_fen``) in yuan, the rest as they are."""
    return {name: yuan(value) if name.endswith("_fen") else value
            for name, value in params.items()}
