"""Retention: redaction and deletion on schedule, and the redaction an erasure asks for.

What happens when (windows per institution, `Institution.retention`):

- a named case closed or filed is **redacted** `redact_named_after_months` after that
  (reopening cancels it): every sealed field, the email's blind index and the
  repeat-concern links go, the clear multiple-choice answers stay, the status becomes
  `redacted`; it is then an anonymised record;
- an anonymised record (an anonymous report, or a redacted case) is **deleted**
  `delete_anonymised_after_years` after submission, with its demographics, timeline,
  audit trail, claims, receipt and notifications; a signed tombstone records that it was;
- a legal hold stops both until it is lifted; an anonymous report still open in screening
  when its deletion falls due is deferred (audited) until it is closed or filed.

A pending action lives on the case item: `retention_next` (the action) and
`retention_due_at`; `retention_action` repeats the action while nothing holds it back,
which puts the case in the sparse index `retention_due` (the rules:
`chalicelib.cases.retention_schedule`). Every step is idempotent and safe to crash in; until
its last step a case stays in the index, so the next run resumes where a crashed one stopped.

The modules, one responsibility each:

- `sweep`: `Retention`, the service the daily schedule and the rights desk call — the
  sweep over the index in bounded batches, the erasure contract, and the answers about
  what was done (a tombstone, a month's log);
- `redaction`: claim, strip the children, finish;
- `deletion`: the tombstone and the case's mark, the cascade, the case item last; deferral;
- `tombstones`: what a tombstone holds and what its MAC signs (also checked by the audit
  checkpoint);
- `log`: the retention log, what was redacted and deleted in a month.

Their items live in `chalicelib.storage` (`retention_items`, `tombstones`, `demographics`,
`notifications`); every change of a case goes through `chalicelib.cases.ledger.CaseLedger`.
"""
