"""Intake of reports: the submission model, validation against the form, storage, redrive."""
