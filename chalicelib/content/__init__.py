"""Content without a deploy: the part of the institution's configuration its administrators
edit from the portal (support services, emergency contacts, policies, next steps, the
privacy notice, the options of existing questions), saved as numbered versions, previewed,
published explicitly and audited, with the previous version restorable in one action.

- `document`: the editable document, and how it applies to the deployed configuration
  (validated by the same models as `default.json`, so every rule holds);
- `desk`: saving, reading, previewing, publishing and restoring versions (admins only);
- `published`: the institution as reporters see it now, cached in the process.

What stays in code (routing, risk rules, retention, demographic questions, insights
settings, working time) is left out of the document on purpose: see the README.
"""
