"""Demo data for the local stack: a realistic, clearly fictional data set seeded through the
real APIs (`python -m devstack --demo`).

- `texts`: the fictional people and the words they write, in English and Welsh, each
  marked "[Demo]" (names "Demo Person N", addresses on example.ac.uk / example.org, phone
  numbers in Ofcom's drama range 07700 900000-900999);
- `plan`: the data set as a deterministic list of steps (a seed gives the same reports,
  answers and staff actions, in the same order), built without the stack;
- `seeding`: the steps carried out against a running stack over HTTP — `POST /reports` as
  the form sends it, the staff API with the demo staff's own sign-ins — moving the stack's
  clock forward between them so that triage, SLA chasing, statistics and retention run as
  they would over two academic years.
"""
