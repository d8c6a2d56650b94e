"""Browser-facing defences in one place: security headers, cookie flags, body size, proxies.

The pages use no inline script or style, so the Content-Security-Policy can forbid both; a
template that needs either must put it in a file under ``static/``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response, current_app, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join([
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"
# The routes that take evidence files (and a bid's documents): their body may hold them all.
UPLOAD_ENDPOINTS = frozenset({"ngo.report", "api.upload", "ngo.bid"})


def upload_body_limit(config: dict[str, Any]) -> int:
    """Every file of a report at its size limit, plus a megabyte for the rest of the form."""
    return (int(config.get("UPLOAD_MAX_FILES", 5)) * int(config.get("UPLOAD_MAX_MB", 10))
            + 1) * 1024 * 1024


class SizedRequest(Request):
    """Bodies are capped by ``MAX_CONTENT_LENGTH`` (16 MB) everywhere but on the upload routes,
    so a JSON or form endpoint never reads 50 MB because reports may carry files."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.url_rule is not None \
                and self.url_rule.endpoint in UPLOAD_ENDPOINTS:
            return upload_body_limit(current_app.config)
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


class SecureCookieResponse(Response):
    """Every cookie set while answering an HTTPS request is marked Secure, whatever the config
    says, so a development server behind TLS does not leak the session over plain HTTP."""

    def set_cookie(self, key: str, *args: Any, **kwargs: Any) -> None:
        if has_request_context() and request.is_secure:
            kwargs["secure"] = True
        super().set_cookie(key, *args, **kwargs)


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:  # over plain HTTP the header would be ignored, and must not pin
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


DEFAULT_IDLE_HOURS = 12


def init_app(app: Flask) -> None:
    """Cookie flags (Secure in production), headers on every response, ProxyFix if configured."""
    production = app.config.get("ENV_NAME") == "production"
    config = app.config
    for prefix in ("SESSION", "REMEMBER"):  # Flask ships defaults for these: tighten them
        config[f"{prefix}_COOKIE_HTTPONLY"] = True
        config[f"{prefix}_COOKIE_SAMESITE"] = config.get(f"{prefix}_COOKIE_SAMESITE") or "Lax"
        config[f"{prefix}_COOKIE_SECURE"] = bool(config.get(f"{prefix}_COOKIE_SECURE")) \
            or production
    # Sessions end after SESSION_IDLE_HOURS without a request: log-in makes them permanent,
    # each request re-signs the cookie, and Flask refuses a signature older than the lifetime.
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(
        config.get("SESSION_IDLE_HOURS") or DEFAULT_IDLE_HOURS))
    config["SESSION_REFRESH_EACH_REQUEST"] = True
    app.response_class = SecureCookieResponse
    app.request_class = SizedRequest
    app.after_request(_headers)
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:  # trust exactly this many X-Forwarded-* hops, no more
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies, x_port=proxies)
