"""Pluggable e-mail senders: the log by default, SMTP when ``MARKETPLACE_SMTP_HOST`` is set."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any, Protocol

from marketplace.models import OutboxMail

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, mail: OutboxMail) -> None:
        """Deliver the mail or raise; the outbox records the error and tries again later."""


class LogSender:
    """Writes each mail to the log: enough for development and demos, never loses a message."""

    def send(self, mail: OutboxMail) -> None:
        log.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.body)


class SmtpSender:
    def __init__(self, host: str, port: int = 25, *, user: str | None = None,
                 password: str | None = None, starttls: bool = False,
                 sender: str = "noreply@localhost") -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.starttls, self.sender = starttls, sender

    def send(self, mail: OutboxMail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message.set_content(mail.body)
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def sender_from_config(config: dict[str, Any]) -> Sender:
    if not config.get("SMTP_HOST"):
        return LogSender()
    return SmtpSender(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25),
                      user=config.get("SMTP_USER"), password=config.get("SMTP_PASSWORD"),
                      starttls=bool(config.get("SMTP_STARTTLS")),
                      sender=config.get("MAIL_FROM") or "noreply@localhost")
