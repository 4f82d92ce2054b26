"""Cases: triage, screening, routing, assignment and the case workflow."""
