"""POST /tokens: trade an e-mail and password for a bearer token; DELETE /tokens/current."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request
from flask.typing import ResponseReturnValue

from marketplace.services.identity.tokens import issue_token, revoke_token
from marketplace.web.api import bp
from marketplace.web.api.common import body, iso, now, signed_in, text

DEFAULT_TTL_HOURS = 24


@bp.post("/tokens")
def create_token() -> ResponseReturnValue:
    data = body()
    ttl = timedelta(hours=current_app.config.get("API_TOKEN_TTL_HOURS", DEFAULT_TTL_HOURS))
    raw, token = issue_token(text(data, "email", max_length=254),
                             text(data, "password", max_length=1000), now=now(), ttl=ttl,
                             ip=request.remote_addr or "-")
    return {"token": raw, "token_type": "Bearer", "expires_at": iso(token.expires_at),
            "account": {"id": token.account.id, "role": token.account.role.value}}, 201


@bp.delete("/tokens/current")
def revoke_current() -> ResponseReturnValue:
    """Log out a client: the token of this very call stops working (401 from now on)."""
    account = signed_in()
    token = revoke_token(g.api_token_id, actor=account, now=now())
    return {"revoked_at": iso(token.revoked_at)}
