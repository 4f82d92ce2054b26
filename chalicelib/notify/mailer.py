"""Sending a rendered email through SES v2: one raw MIME message with plain-text and HTML
parts, quoted-printable, marked auto-generated."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DomainError
from chalicelib.notify.rendering import Email


@dataclass
class Mailer:
    """Sends email through SES (v2, raw MIME with plain-text and HTML parts)."""

    client: Any
    sender: str

    def send(self, recipients: list[str], email: Email) -> str:
        """Send one message to these recipients; the SES message id."""
        message = EmailMessage()
        try:
            message["From"] = self.sender
            message["To"] = ", ".join(recipients)
            message["Subject"] = email.subject
        except ValueError:
            # e.g. a line break in an address: no header can carry it, and no retry will.
            raise InvalidRecipient("a sender or recipient address cannot be used") from None
        message["Auto-Submitted"] = "auto-generated"
        # Quoted-printable keeps non-ASCII text (an em dash, a Welsh name) 7-bit safe.
        message.set_content(email.text, cte="quoted-printable")
        message.add_alternative(email.html, subtype="html", cte="quoted-printable")
        with unavailable_on_failure("ses"):
            response = self.client.send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": recipients},
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        return str(response["MessageId"])


class InvalidRecipient(DomainError):
    """An address that cannot be put in an email header."""
