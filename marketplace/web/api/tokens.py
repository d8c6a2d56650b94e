"""POST /tokens: trade an e-mail and password for a bearer token."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask.typing import ResponseReturnValue

from marketplace.services.tokens import issue_token
from marketplace.web.api import bp
from marketplace.web.api.common import body, iso, now, text

DEFAULT_TTL_HOURS = 24


@bp.post("/tokens")
def create_token() -> ResponseReturnValue:
    data = body()
    ttl = timedelta(hours=current_app.config.get("API_TOKEN_TTL_HOURS", DEFAULT_TTL_HOURS))
    raw, token = issue_token(text(data, "email", max_length=254),
                             text(data, "password", max_length=1000), now=now(), ttl=ttl)
    return {"token": raw, "token_type": "Bearer", "expires_at": iso(token.expires_at),
            "account": {"id": token.account.id, "role": token.account.role.value}}, 201
