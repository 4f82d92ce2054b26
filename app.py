"""Report + Support: the switchboard. Registers blueprints and wires events to domain handlers."""

from typing import Any

from chalice.app import Chalice, Rate

from chalicelib import services
from chalicelib.api.administration import administration_api
from chalicelib.api.body import media_type_refusals
from chalicelib.api.content_admin import content_admin_api
from chalicelib.api.directory_admin import directory_admin_api
from chalicelib.api.follow_up import follow_up_api
from chalicelib.api.insights import insights_api
from chalicelib.api.meta import meta_api
from chalicelib.api.portal import staff_api
from chalicelib.api.records import records_api
from chalicelib.api.reporter import reporter_api
from chalicelib.api.rights import rights_api
from chalicelib.api.security import add_security_headers
from chalicelib.resources import NOTIFY_QUEUE, TRIAGE_QUEUE

app = Chalice(app_name="report-support", configure_logs=False)
app.register_blueprint(meta_api)
app.register_blueprint(reporter_api)
app.register_blueprint(follow_up_api)
app.register_blueprint(staff_api)
app.register_blueprint(rights_api)
app.register_blueprint(records_api)
app.register_blueprint(insights_api)
app.register_blueprint(administration_api)
app.register_blueprint(content_admin_api)
app.register_blueprint(directory_admin_api)
app.register_middleware(add_security_headers, "http")
# Inside the security headers' middleware, so the answer it rewrites still gets them.
app.register_middleware(media_type_refusals, "http")


@app.on_sqs_message(queue=TRIAGE_QUEUE.logical_name, batch_size=10)
def on_triage_message(event: Any) -> dict[str, Any]:
    """Triage newly submitted reports; failed messages are reported one by one."""
    return services.triage_handler()(event.to_dict())


@app.on_sqs_message(queue=NOTIFY_QUEUE.logical_name, batch_size=10)
def on_notify_message(event: Any) -> dict[str, Any]:
    """Send notification emails from the outbox; failed messages are reported one by one."""
    return services.notify_handler()(event.to_dict())


@app.lambda_function(name="add_staff_member")
def add_staff_member(event: Any, context: Any) -> dict[str, Any]:
    """Add a staff member to the directory (ops invoke it: `scripts/first-admin`)."""
    return services.add_staff_member()(event)


@app.lambda_function(name="manage_staff_member")
def manage_staff_member(event: Any, context: Any) -> dict[str, Any]:
    """Deactivate, reactivate, sign out, delete a staff member or set their roles (ops)."""
    return services.manage_staff_member()(event)


@app.lambda_function(name="record_cognito_change")
def record_cognito_change(event: Any, context: Any) -> dict[str, Any]:
    """A change made directly in Cognito (CloudTrail, through EventBridge), into the directory."""
    return services.record_cognito_change()(event)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def redrive_outbox(event: Any) -> dict[str, int]:
    """Send again what never reached its queue: reports to triage, notifications to send."""
    return services.redrive_outbox()()


@app.schedule(Rate(15, unit=Rate.MINUTES))
def sla_watch(event: Any) -> dict[str, int]:
    """Chase the screeners about cases whose clocks are overdue or nearly due."""
    return services.sla_watch().run()


@app.schedule(Rate(1, unit=Rate.DAYS))
def retention_sweep(event: Any) -> dict[str, int]:
    """Redact closed cases and delete anonymised records whose retention period has passed."""
    return services.retention_sweep()()


@app.schedule(Rate(1, unit=Rate.HOURS))
def audit_checkpoint(event: Any) -> dict[str, int]:
    """Checkpoint every case's audit head, signed, so a later truncation or rollback shows."""
    return services.audit_checkpoint()()


@app.schedule(Rate(15, unit=Rate.MINUTES))
def build_insights(event: Any) -> dict[str, int]:
    """Count what changed since the last run into the anonymised statistics."""
    return services.insights_job().run()
