"""Long commands draw a progress bar on a terminal and nothing when they are not on one."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.services.record.transparency import ledger_csv, ledger_entries
from tests.factories import gen_cast, gen_project

# generate last: the OCDS export is run on projects the services made, not bulk rows
COMMANDS = [["export", "ocds", "--out", "{tmp}/ocds"],
            ["ledger", "export", "-o", "{tmp}/ledger.csv"],
            ["demo", "generate", "--projects", "30", "--subscriptions", "200"]]
LABELS = ("Generating", "OCDS", "Ledger")


def test_off_a_terminal_the_long_commands_draw_nothing(app, tmp_path) -> None:
    gen_project(gen_cast(), State.IMPLEMENTATION)
    runner = app.test_cli_runner()
    for args in COMMANDS:
        result = runner.invoke(args=[a.format(tmp=tmp_path) for a in args])
        assert result.exit_code == 0, result.output
        assert result.stderr == "", args
        assert not any(label in result.output for label in LABELS), result.output
        assert "%" not in result.output and "[#" not in result.output
    exported = runner.invoke(args=["ledger", "export"])
    assert exported.stdout.splitlines() == ledger_csv().splitlines()  # the data alone


def test_on_a_terminal_the_ledger_export_draws_its_bar_on_stderr(app, tmp_path) -> None:
    gen_project(gen_cast(), State.IMPLEMENTATION)
    db.session.commit()
    leader, follower = pty.openpty()
    out = tmp_path / "ledger.csv"
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "MARKETPLACE_SECRET_KEY": "test", "FLASK_APP": "marketplace",
           "PYTHONPATH": str(Path(__file__).parent.parent), "COLUMNS": "100"}
    try:
        done = subprocess.run([sys.executable, "-m", "flask", "ledger", "export", "-o", str(out)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=follower, env=env, timeout=120, check=False)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0, drawn
    entries = ledger_entries()
    assert b"Ledger" in drawn and f"{entries}/{entries}".encode() in drawn
    assert out.read_bytes().decode("utf-8") == ledger_csv()
