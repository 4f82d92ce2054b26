"""HTTP API: Chalice blueprints by audience, body parsing, and the one error map."""
