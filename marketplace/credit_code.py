"""统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters, last is a check."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """What is wrong with the code, or None if it is valid."""
    code = code.strip().upper()
    if len(code) != 18:
        return "A unified social credit code has 18 characters."
    if any(c not in ALPHABET for c in code):
        return "A unified social credit code uses digits and capital letters except I, O, S, V, Z."
    if check_character(code[:17]) != code[17]:
        return "The check character (the 18th) does not match: please check the code."
    return None
