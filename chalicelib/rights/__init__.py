"""Data-subject rights for the data protection officer: access, rectification, erasure.

A request is logged with the subject's email address and the day it was received; it is
due one calendar month later (clamped to the end of a shorter month) and stays in the
sparse `open_by_due` index until it is completed or refused. The address is sealed under
the identity key (bound to the request) and kept with its blind index, which is all that is
needed to find the subject's reports (`by_email_mac`): named reports only, since an
anonymous report carries no address.

- **Access**: a JSON document of what the subject gave and what was done with them:
  answers with the form's English labels, contact details and preferences, dates, contact
  attempts and support given. Whatever may hold other people's data — the narrative and
  free-text answers, staff notes, assessment notes, action justifications, audit reasons —
  is not opened but listed for review by hand, as are demographic answers, which are sealed
  under the `insight` key the API cannot use.
- **Rectification** of a report's contact details: resealed, and the email's blind index
  recomputed, so the old address no longer finds the report.
- **Erasure** of every report found, through the retention service; refused as a whole,
  with the reason recorded, if any of them is under legal hold.

Every look at or change of a case appends an entry to its audit chain (actor: the admin,
reason sealed) through the same `CaseLedger` as case work: a look before anything is
opened, a change in the same transaction as the change.
"""
