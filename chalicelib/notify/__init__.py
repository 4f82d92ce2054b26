"""Notifications: an outbox in DynamoDB, rendering, and delivery through SES.

A notification is written to the outbox in the same transaction as the change that causes
it, then its id is queued. The notify worker claims it with a short lease, sends one email,
and marks it sent, so a duplicate delivery sends nothing and a crash before sending leaves
it for the redrive job. Emails carry a reference, the case's priority and a portal link (a
trend alert instead the place or department, a count and a window, and no priority: it is
about many reports): never a name, an email address of a reporter, a narrative or what
happened.

- `messages.py`: the notification (and a trend alert's trend) written to the outbox;
  what the case workflow and the trend watch import.
- `rendering.py`: an email from a stored notification and the templates.
- `mailer.py`: sending through SES.
- `worker.py`: the notify worker (claim, recipients, send, retries).
- `redrive.py`: queueing again what stayed unsent.

The outbox table itself is `chalicelib.storage.notifications`. Import from the module that
defines a name: this package re-exports nothing, so a worker that needs only the message
types loads nothing else.
"""
