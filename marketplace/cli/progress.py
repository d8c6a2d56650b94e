"""Progress of a long command: click's bar on a terminal, nothing at all otherwise.

The bar goes to standard error, so a command that writes its data to standard output (``flask
ledger export``) keeps that clean; in a pipe, a cron job or CI nothing is drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

T = TypeVar("T")


def on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def bar(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` moves the bar by n of ``length`` steps; a no-op off a terminal."""
    if not on_terminal():
        yield lambda _n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr,
                           show_pos=True) as shown:
        yield shown.update


def tracked(items: Iterable[T], length: int, label: str) -> Iterator[T]:
    """The items, one step of the bar each."""
    with bar(length, label) as advance:
        for item in items:
            yield item
            advance(1)
