"""One of two processes sending the same API request at the same moment, as two workers would.

Started by ``test_races.py``. It builds the app on the test database, makes one warm-up
request with its token (so the token's first-use note is written before the race), prints
``READY``, waits until the parent creates the ``go`` file, then sends its request and prints
``RESULT <status> <json>``. To make the two requests overlap whatever the scheduling, the
first flush of the request (after the service has read and checked, before it writes)
stalls for ``STALL_SECONDS``: a session event registered here, in this test-only script.

    python -m tests.scaleout.racer DATABASE_URL ISO_TIME TOKEN GO_FILE METHOD PATH JSON [HEADERS]

HEADERS, a JSON object, are sent with the raced request (an Idempotency-Key, say).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace import create_app

STALL_SECONDS = 1.0
GO_WAIT_SECONDS = 60  # bounded, so a lost child ends anyway


stalled: list[bool] = []


def stall_once(session: Session, _context: object, _instances: object) -> None:
    if not stalled:
        stalled.append(True)
        time.sleep(STALL_SECONDS)


def main(url: str, now: datetime, token: str, go: Path, method: str, path: str,
         payload: str, extra: str = "{}") -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True,
                      "CLOCK": lambda: now, "API_TOKEN_TTL_HOURS": 24 * 365})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    warm = client.get("/api/v1/credit", headers=headers)
    assert warm.status_code != 401, warm.get_data(as_text=True)
    event.listen(Session, "before_flush", stall_once)
    print("READY", flush=True)
    deadline = time.monotonic() + GO_WAIT_SECONDS
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go")
        time.sleep(0.002)
    response = client.open(path, method=method, headers={**headers, **json.loads(extra)},
                           json=json.loads(payload))
    print("RESULT", response.status_code, json.dumps(response.get_json()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], datetime.fromisoformat(sys.argv[2]), sys.argv[3], Path(sys.argv[4]),
         sys.argv[5], sys.argv[6], sys.argv[7], *sys.argv[8:9])
