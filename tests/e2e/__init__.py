"""End-to-end tests: the local stack as a subprocess, exercised over real HTTP."""
