"""The local stack: the whole of Report + Support on one machine, with no AWS account.

An in-process moto server stands in for DynamoDB, SQS, KMS and SES; the resources in
`chalicelib.resources` are provisioned on it and a demo staff directory is seeded; chalice's
local server runs the API; a pump delivers SQS messages and a scheduler fires the schedules
(chalice local does neither); the static front ends in `web/` are served alongside. Run it
with `python -m devstack`; read the emails it has sent with `python -m devstack.emails`.
"""
