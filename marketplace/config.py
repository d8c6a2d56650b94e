"""Settings come from ``MARKETPLACE_*`` environment variables, with safe defaults for local use."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The app cannot start with these settings; the message says what to set."""


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("MARKETPLACE_SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "MARKETPLACE_SECRET_KEY must be set when MARKETPLACE_ENV=production "
            "(a long random string shared by every web worker)."
        )
    # Local use: one generated key kept in the instance folder, so every worker and every
    # restart signs sessions the same way.
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def load_config(instance_path: Path) -> dict[str, Any]:
    """Read the environment once at start-up."""
    production = os.environ.get("MARKETPLACE_ENV", "development") == "production"
    instance_path.mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{instance_path / 'marketplace.sqlite3'}"
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("MARKETPLACE_DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # The longest a writer waits for another's lock before answering 503 (writelock.py).
        "LOCK_WAIT_SECONDS": float(os.environ.get("MARKETPLACE_LOCK_WAIT_SECONDS", "10")),
        "TIMEZONE": os.environ.get("MARKETPLACE_TIMEZONE", "Asia/Shanghai"),
        "EVALUATION_PASS_MARK": int(os.environ.get("MARKETPLACE_PASS_MARK", "60")),
        # Open Contracting ID prefix, in the registered form "ocds-" + 6 characters. The default
        # is a placeholder: replace it by the prefix the Open Contracting Partnership assigns.
        "OCID_PREFIX": os.environ.get("MARKETPLACE_OCID_PREFIX", "ocds-lovest"),
        # Where ``flask audit anchor`` appends the audit chain's head (copy it off the server).
        "AUDIT_ANCHOR_LOG": os.environ.get("MARKETPLACE_AUDIT_ANCHOR_LOG",
                                           str(instance_path / "audit-anchors.jsonl")),
        # A signed-in session ends after this many hours without a request (web/security.py).
        "SESSION_IDLE_HOURS": float(os.environ.get("MARKETPLACE_SESSION_IDLE_HOURS", "12")),
        "API_TOKEN_TTL_HOURS": int(os.environ.get("MARKETPLACE_API_TOKEN_TTL_HOURS", "24")),
        "EVALUATION_EXCELLENT_MARK": int(os.environ.get("MARKETPLACE_EXCELLENT_MARK", "90")),
        "STANDSTILL_DAYS": int(os.environ.get("MARKETPLACE_STANDSTILL_DAYS", "5")),
        # The clock's notices: days before a milestone's due day its reminder goes out; the most
        # months between progress reports; days the panel has to score; days before that the
        # panel's reminder goes out.
        "MILESTONE_REMINDER_DAYS": int(os.environ.get("MARKETPLACE_MILESTONE_REMINDER_DAYS",
                                                      "7")),
        "PROGRESS_REPORT_MONTHS": int(os.environ.get("MARKETPLACE_PROGRESS_REPORT_MONTHS", "3")),
        "EVALUATION_DAYS": int(os.environ.get("MARKETPLACE_EVALUATION_DAYS", "30")),
        "EVALUATION_REMINDER_DAYS": int(os.environ.get("MARKETPLACE_EVALUATION_REMINDER_DAYS",
                                                       "7")),
        "PANEL_SIZE": int(os.environ.get("MARKETPLACE_PANEL_SIZE", "3")),
        "COVERAGE_TARGET_TOWNS": int(os.environ.get("MARKETPLACE_COVERAGE_TARGET_TOWNS", "50")),
        "COVERAGE_PLAN": os.environ.get("MARKETPLACE_COVERAGE_PLAN", ""),  # "鹿城区=6,瑞安市=8"
        "SCHEDULER_INTERVAL_SECONDS": int(os.environ.get("MARKETPLACE_SCHEDULER_INTERVAL", "30")),
        # A second scheduler stands by, asking for the leader lock this often; on SQLite the
        # lock is a file (default instance/scheduler.lock).
        "SCHEDULER_STANDBY_SECONDS": float(os.environ.get("MARKETPLACE_SCHEDULER_STANDBY_SECONDS",
                                                          "5")),
        "SCHEDULER_LOCK_FILE": os.environ.get("MARKETPLACE_SCHEDULER_LOCK_FILE", ""),
        # E-mail: written to the log unless an SMTP host is set.
        "SMTP_HOST": os.environ.get("MARKETPLACE_SMTP_HOST"),
        "SMTP_PORT": int(os.environ.get("MARKETPLACE_SMTP_PORT", "25")),
        "SMTP_USER": os.environ.get("MARKETPLACE_SMTP_USER"),
        "SMTP_PASSWORD": os.environ.get("MARKETPLACE_SMTP_PASSWORD"),
        "SMTP_STARTTLS": os.environ.get("MARKETPLACE_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        "MAIL_FROM": os.environ.get("MARKETPLACE_MAIL_FROM", "noreply@localhost"),
        # The footer: who runs the site, how to reach them, and the registration numbers a
        # Chinese site shows (ICP 备案号, 公安备案号); an empty one is left out.
        "SITE_ORGANISER": os.environ.get("MARKETPLACE_ORGANISER", "温州市民政局"),
        "SITE_CONTACT": os.environ.get("MARKETPLACE_CONTACT", ""),
        "SITE_ICP": os.environ.get("MARKETPLACE_ICP", ""),
        "SITE_PSB": os.environ.get("MARKETPLACE_PSB", ""),
        # Hardening: request bodies above this many bytes get 413; logs "plain" or "json";
        # the number of reverse proxies in front whose X-Forwarded-* headers are trusted.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MARKETPLACE_MAX_CONTENT_LENGTH",
                                                 str(16 * 1024 * 1024))),
        "LOG_FORMAT": os.environ.get("MARKETPLACE_LOG_FORMAT", "plain"),
        "PROXY_COUNT": int(os.environ.get("MARKETPLACE_PROXY_COUNT", "0") or 0),
        # Evidence files: kept outside the web root (never under static/), under generated names;
        # the upload routes take bodies of UPLOAD_MAX_FILES × UPLOAD_MAX_MB + 1 MB (security.py).
        "UPLOAD_FOLDER": os.environ.get("MARKETPLACE_UPLOAD_DIR",
                                        str(instance_path / "uploads")),
        "UPLOAD_MAX_MB": int(os.environ.get("MARKETPLACE_UPLOAD_MAX_MB", "10")),
        "UPLOAD_MAX_FILES": int(os.environ.get("MARKETPLACE_UPLOAD_MAX_FILES", "5")),
        # Anonymous listing, project pages and API list served from each worker's memory for
        # this many seconds (web/pagecache.py); 0, the default, renders every request.
        "PUBLIC_CACHE_SECONDS": float(os.environ.get("MARKETPLACE_PUBLIC_CACHE_SECONDS", "0")
                                      or 0),
        # A read-only replica anonymous public GETs read from (web/infra/replica.py); unset: the
        # primary serves everything.
        "READ_DATABASE_URL": os.environ.get("MARKETPLACE_READ_DATABASE_URL") or None,
        # How long a reverse proxy may serve a public answer before asking again with its ETag
        # (web/infra/httpcache.py); 0: it asks every time.
        "HTTP_CACHE_SECONDS": int(os.environ.get("MARKETPLACE_HTTP_CACHE_SECONDS", "5") or 0),
    }
