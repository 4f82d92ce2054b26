"""Composition root: builds clients and adapters lazily, once per process.

Nothing here runs at import time: a boto3 client made at import binds to whatever endpoint
or mock was current then. Tests call `reset()` between cases so each gets fresh clients
bound to its own mock.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.clock import Clock, SystemClock
from chalicelib.institution import load_institution
from chalicelib.institution.models import Institution
from chalicelib.settings import Settings

if TYPE_CHECKING:
    import boto3

    from chalicelib.admin_trail import AdminTrail
    from chalicelib.audit import AuditSigner, AuditTrail
    from chalicelib.cases.casework import Casework
    from chalicelib.cases.follow_up import FollowUpDesk
    from chalicelib.cases.intake import ReportIntake
    from chalicelib.cases.sla import SlaWatch
    from chalicelib.cases.thread import MessageThread
    from chalicelib.cases.triage import TriageService
    from chalicelib.checkpoint import Checkpoints
    from chalicelib.concerns import ConcernIndex
    from chalicelib.crypto import BlindIndex, Sealer, WriteOnlySealer
    from chalicelib.cursors import PageCursors
    from chalicelib.directory import StaffDirectory
    from chalicelib.insights.counting import InsightsJob
    from chalicelib.insights.reading import InsightsDashboard
    from chalicelib.institution.working_time import WorkingCalendar
    from chalicelib.notify.worker import NotifyService
    from chalicelib.queues import WorkQueue
    from chalicelib.records import RecordsOffice
    from chalicelib.retention.sweep import Retention
    from chalicelib.rights.desk import RightsDesk
    from chalicelib.staff_access import StaffAccess
    from chalicelib.staff_tokens import TokenVerifier
    from chalicelib.storage.notifications import Outbox
    from chalicelib.storage.reports_table import ReportsTable
    from chalicelib.trends import TrendWatch

_T = TypeVar("_T")
_built: list[Callable[[], Any]] = []
_clock_override: list[Clock] = []


def _once(builder: Callable[[], _T]) -> Callable[[], _T]:
    cached = cache(builder)
    _built.append(cached)
    return cached


def reset(*, clock: Clock | None = None) -> None:
    """Forget every built client and adapter (tests: call inside each mock)."""
    for cached in _built:
        cached.cache_clear()  # type: ignore[attr-defined]
    _clock_override.clear()
    if clock is not None:
        _clock_override.append(clock)


@_once
def settings() -> Settings:
    """The settings, read from the environment once."""
    return Settings.from_environment()


@_once
def institution() -> Institution:
    """The configured institution."""
    return load_institution(settings().institution)


def clock() -> Clock:
    """The clock (a test may hold it still through `reset(clock=...)`)."""
    return _clock_override[0] if _clock_override else SystemClock()


def identity_clock() -> Clock:
    """The identity provider's clock: always the real one, never `reset(clock=...)`'s.

    A staff token's times (`iat`, `auth_time`, `exp`) are Cognito's, so a revocation's
    `not_before`, compared with them, is stamped on the same clock. The local stack moves
    `clock()` forward (`devstack.clock`); a revocation stamped on the moved clock would refuse
    every token until the real time caught up with it.
    """
    return SystemClock()


@cache
def _api_model_loader() -> Any:
    # Only a cache of AWS's API definitions (no endpoint, credentials or state), so it is
    # kept across reset(): reading those definitions again is most of a client's build time.
    import botocore.loaders

    return botocore.loaders.create_loader()


@_once
def botocore_session() -> Any:
    """One botocore session shared by boto3 and the encryption SDK (so calls can be counted)."""
    import botocore.session

    session = botocore.session.Session()
    session.register_component("data_loader", _api_model_loader())
    return session


@_once
def _boto3_session() -> boto3.Session:
    import boto3

    return boto3.Session(botocore_session=botocore_session(), region_name=settings().region)


def _client(service: str) -> Any:
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=5
    )
    return _boto3_session().client(service, config=config)


@_once
def dynamodb() -> Any:
    """The DynamoDB client."""
    return _client("dynamodb")


@_once
def sqs() -> Any:
    """The SQS client."""
    return _client("sqs")


@_once
def kms() -> Any:
    """The KMS client: for MACs, and shared by the sealers' key providers."""
    return _client("kms")


def _sealer(key_arn: str, purpose: str) -> Sealer:
    from chalicelib.crypto import Sealer

    config = settings()
    return Sealer(
        key_arn=key_arn,
        purpose=purpose,
        app_name=config.app_name,
        botocore_session=botocore_session(),
        cache_max_age_seconds=config.seal_cache_max_age_seconds,
        cache_max_messages=config.seal_cache_max_messages,
        kms_client=kms(),
    )


@_once
def identity_sealer() -> Sealer:
    """Seals and unseals identifying data under the `identity` key."""
    return _sealer(settings().identity_key_arn, "identity")


@_once
def insight_sealer() -> WriteOnlySealer:
    """Seals demographics under the `insight` key. The API gets no way to unseal them."""
    from chalicelib.crypto import WriteOnlySealer

    return WriteOnlySealer(_sealer(settings().insight_key_arn, "insight"))


@_once
def blind_index() -> BlindIndex:
    """Keyed MACs of normalised values (email), computed in KMS."""
    from chalicelib.crypto import BlindIndex

    return BlindIndex(kms_client=kms(), key_arn=settings().blind_index_key_arn)


@_once
def report_store() -> ReportsTable:
    """Report storage in DynamoDB."""
    from chalicelib.storage.reports_table import ReportsTable

    config = settings()
    return ReportsTable(dynamodb(), config.reports_table, config.demographics_table, page_cursors())


@_once
def cognito() -> Any:
    """The Cognito identity provider client (the local stack and tests create users)."""
    return _client("cognito-idp")


@_once
def sesv2() -> Any:
    """The SES (v2) client."""
    return _client("sesv2")


@_once
def triage_queue() -> WorkQueue:
    """The queue that feeds triage."""
    from chalicelib.queues import WorkQueue

    return WorkQueue(sqs(), settings().triage_queue_url, "report_id")


@_once
def notify_queue() -> WorkQueue:
    """The queue that feeds the notify worker."""
    from chalicelib.queues import WorkQueue

    return WorkQueue(sqs(), settings().notify_queue_url, "notification_id")


@_once
def staff_directory() -> StaffDirectory:
    """Teams and their members."""
    from chalicelib.directory import StaffDirectory
    from chalicelib.storage.staff_table import StaffTable

    return StaffDirectory(StaffTable(dynamodb(), settings().staff_table), identity_sealer())


def add_staff_member() -> Callable[[Any], dict[str, Any]]:
    """The `add_staff_member` function: one member into the directory (ops, no HTTP route)."""
    from chalicelib.directory import enrol

    directory = staff_directory()
    return lambda event: enrol(directory, event)


@_once
def staff_access() -> StaffAccess:
    """Revoking and restoring staff access, in the directory and in Cognito."""
    from chalicelib.staff_access import StaffAccess

    return StaffAccess(staff_directory(), cognito(), settings().staff_pool_id, identity_clock())


def manage_staff_member() -> Callable[[Any], dict[str, Any]]:
    """The `manage_staff_member` function: deactivate, sign out, delete, roles (ops)."""
    from chalicelib.staff_access import manage

    access = staff_access()
    return lambda event: manage(access, event)


def record_cognito_change() -> Callable[[Any], dict[str, Any]]:
    """The `record_cognito_change` function: a change made in Cognito, into the directory."""
    from chalicelib.staff_access import record_cognito_change as record

    directory, client, pool_id = staff_directory(), cognito(), settings().staff_pool_id
    return lambda event: record(directory, client, pool_id, event)


@_once
def outbox() -> Outbox:
    """The notification outbox."""
    from chalicelib.storage.notifications import Outbox

    return Outbox(dynamodb(), settings().notifications_table)


@_once
def working_calendar() -> WorkingCalendar:
    """The institution's working days and clocks."""
    from chalicelib.institution.working_time import WorkingCalendar

    return WorkingCalendar(institution().working_time)


@_once
def report_intake() -> ReportIntake:
    """The intake use case, wired."""
    from chalicelib.cases.intake import ReportIntake

    return ReportIntake(
        institution=institution(),
        store=report_store(),
        identity=identity_sealer(),
        insight=insight_sealer(),
        blind_index=blind_index(),
        triage_queue=triage_queue(),
        clock=clock(),
        audit=audit_trail(),
        calendar=working_calendar(),
    )


@_once
def triage_service() -> TriageService:
    """The triage use case, wired."""
    from chalicelib.cases.ledger import CaseLedger
    from chalicelib.cases.triage import TriageService

    return TriageService(
        institution=institution(),
        store=report_store(),
        calendar=working_calendar(),
        outbox=outbox(),
        ledger=CaseLedger(report_store(), audit_trail(), identity_sealer(), clock()),
        notify_queue=notify_queue(),
        clock=clock(),
        concerns=concern_index(),
        trends=trend_watch(),
    )


@_once
def audit_trail() -> AuditTrail:
    """The per-case audit chains."""
    from chalicelib.audit import AuditTrail
    from chalicelib.storage.audit_entries import AuditEntries

    return AuditTrail(
        AuditEntries(dynamodb(), settings().reports_table),
        audit_signer(),
        anchors=audit_checkpoints(),
    )


@_once
def admin_trail() -> AdminTrail:
    """The signed trail of every change to the staff directory and the content."""
    from chalicelib.admin_trail import AdminTrail
    from chalicelib.storage.admin_trail import AdminTrailItems

    return AdminTrail(
        AdminTrailItems(dynamodb(), settings().admin_table),
        audit_signer(),
        identity_sealer(),
        clock(),
        anchors=audit_checkpoints(),
    )


@_once
def audit_signer() -> AuditSigner:
    """The audit key's signatures of entries, heads, tombstones and checkpoints."""
    from chalicelib.audit import AuditSigner

    return AuditSigner(kms(), settings().audit_key_arn)


@_once
def audit_checkpoints() -> Checkpoints:
    """The signed checkpoints of every case's audit head."""
    from chalicelib.checkpoint import Checkpoints
    from chalicelib.storage.admin_trail import AdminTrailItems
    from chalicelib.storage.checkpoints import CheckpointStore

    return Checkpoints(
        CheckpointStore(dynamodb(), settings().reports_table),
        audit_signer(),
        clock(),
        trail=AdminTrailItems(dynamodb(), settings().admin_table),
    )


def audit_checkpoint() -> Callable[[], dict[str, int]]:
    """The hourly job: checkpoint every case's audit head, signed."""
    return audit_checkpoints().run


@_once
def casework() -> Casework:
    """The case API's use cases, wired."""
    from chalicelib.cases.casework import Casework

    return Casework(
        cases=report_store(),
        audit=audit_trail(),
        directory=staff_directory(),
        identity=identity_sealer(),
        outbox=outbox(),
        notify_queue=notify_queue(),
        clock=clock(),
        fallback_team=institution().triage.routing.fallback_team,
        concerns=concern_index(),
        retention=institution().retention,
        record_only=institution().triage.record_only,
        advisor_preferences=institution().form.contact.advisor_preferences,
    )


@_once
def message_thread() -> MessageThread:
    """The message thread with reporters who kept a receipt code, wired."""
    from chalicelib.cases.thread import MessageThread

    return MessageThread(access=casework().access, calendar=working_calendar())


@_once
def page_cursors() -> PageCursors:
    """Seals paging cursors; the key is derived from the audit key on first use, then kept."""
    from chalicelib.cursors import PageCursors, key_from_kms

    return PageCursors(key_from_kms(kms(), settings().audit_key_arn))


@_once
def token_verifier() -> TokenVerifier:
    """Verifies staff access tokens against the pool's keys (fetched once, then cached)."""
    from functools import partial

    from chalicelib.staff_tokens import TokenVerifier, fetch_json

    config = settings()
    return TokenVerifier(
        issuer=config.staff_token_issuer,
        client_id=config.staff_client_id,
        jwks_url=config.staff_jwks,
        fetch=partial(fetch_json, region=config.region),
    )


@_once
def notify_service() -> NotifyService:
    """The notify worker's use case, wired."""
    from chalicelib.notify.mailer import Mailer
    from chalicelib.notify.rendering import EmailRenderer
    from chalicelib.notify.worker import NotifyService

    config = settings()
    return NotifyService(
        outbox=outbox(),
        directory=staff_directory(),
        renderer=EmailRenderer(
            institution().name["en"], config.portal_url, institution().time_zone
        ),
        mailer=Mailer(sesv2(), config.sender_email),
        clock=clock(),
        fallback_team=institution().triage.routing.fallback_team,
        max_attempts=config.notification_max_attempts,
    )


@_once
def sla_watch() -> SlaWatch:
    """The clock-escalation job, wired."""
    from chalicelib.cases.sla import SlaWatch

    return SlaWatch(
        store=report_store(),
        outbox=outbox(),
        notify_queue=notify_queue(),
        clock=clock(),
        escalation=institution().triage.escalation,
    )


# --- repeat-concern links and trend alerts ----------------------------------------------------


@_once
def concern_index() -> ConcernIndex:
    """The reports naming each person (blind-indexed), in the reports table."""
    from chalicelib.concerns import ConcernIndex
    from chalicelib.storage.concern_links import ConcernLinks

    return ConcernIndex(ConcernLinks(dynamodb(), settings().reports_table))


@_once
def trend_watch() -> TrendWatch:
    """The trend alerts of the institution's insight settings, wired."""
    from chalicelib.storage.insights_table import InsightsTable
    from chalicelib.trends import TrendWatch

    return TrendWatch(
        rules=institution().insights.trend_alerts,
        form=institution().form,
        store=report_store(),
        alerts=InsightsTable(dynamodb(), settings().insights_table),
        outbox=outbox(),
        notify_queue=notify_queue(),
        team_id=institution().triage.routing.fallback_team,
        clock=clock(),
    )


# --- anonymous follow-up ---------------------------------------------------------------------


@_once
def follow_up_desk() -> FollowUpDesk:
    """Opening a report with its receipt code, wired (issue 14)."""
    from chalicelib.cases.follow_up import FailureBudget, FollowUpDesk
    from chalicelib.cases.ledger import CaseLedger
    from chalicelib.cases.seal import CaseSeal
    from chalicelib.storage.receipts import ReceiptsTable

    receipts = ReceiptsTable(dynamodb(), settings().reports_table)
    cases = report_store()
    return FollowUpDesk(
        budget=FailureBudget(receipts, settings().receipt_failure_budget, clock()),
        receipts=receipts,
        cases=cases,
        blind_index=blind_index(),
        seal=CaseSeal(audit_trail(), identity_sealer()),
        ledger=CaseLedger(cases, audit_trail(), identity_sealer(), clock()),
        form=institution().form,
        thread=message_thread().opened_for_reporter,
        post=message_thread().post_from_reporter,
    )


# --- data-subject rights ------------------------------------------------------------------


@_once
def rights_desk() -> RightsDesk:
    """The data protection officer's subject access, rectification and erasure, wired."""
    from zoneinfo import ZoneInfo

    from chalicelib.cases.ledger import CaseLedger
    from chalicelib.rights.desk import RightsDesk
    from chalicelib.storage.rights import RightsTable

    config = settings()
    cases = report_store()
    return RightsDesk(
        requests=RightsTable(dynamodb(), config.rights_table),
        cases=cases,
        ledger=CaseLedger(cases, audit_trail(), identity_sealer(), clock()),
        audit=audit_trail(),
        identity=identity_sealer(),
        blind_index=blind_index(),
        form=institution().form,
        time_zone=ZoneInfo(institution().time_zone),
        clock=clock(),
        eraser=retention,
    )


# --- insights -----------------------------------------------------------------------------------


def insight_reader() -> Sealer:
    """Opens demographics under the `insight` key: for the insights job alone.

    Not cached and not used by anything the HTTP API builds (a test holds that): only
    `insights_job` calls it, and in a deployment only the job's role may decrypt the key.
    """
    return _sealer(settings().insight_key_arn, "insight")


@_once
def insights_job() -> InsightsJob:
    """The `build_insights` job, wired (with the only sealer that opens demographics)."""
    from chalicelib.insights.counting import InsightsJob

    config = settings()
    return InsightsJob(
        client=dynamodb(),
        reports_table=config.reports_table,
        demographics_table=config.demographics_table,
        insights_table=config.insights_table,
        reader=insight_reader(),
        institution=institution(),
        clock=clock(),
    )


@_once
def insights_dashboard() -> InsightsDashboard:
    """The analysts' statistics, read from the counters (no sealer at all)."""
    from chalicelib.insights.reading import InsightsDashboard

    def team_name(team_id: str) -> str | None:
        team = staff_directory().team(team_id)
        return team.name if team else None

    return InsightsDashboard(
        client=dynamodb(),
        insights_table=settings().insights_table,
        institution=institution(),
        clock=clock(),
        team_name=team_name,
    )


def triage_handler() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The SQS triage handler, bound to the wired triage service."""
    from chalicelib.queues import process_batch

    service = triage_service()
    return lambda event: process_batch(event, service.handle)


def notify_handler() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The SQS notify handler, bound to the wired notify service."""
    from chalicelib.queues import process_batch

    service = notify_service()
    return lambda event: process_batch(event, service.handle)


def redrive_outbox() -> Callable[[], dict[str, int]]:
    """The redrive job: reports that never reached triage, notifications never sent."""
    from chalicelib.cases.redrive import resend_awaiting_triage
    from chalicelib.notify.redrive import resend_unsent

    grace = settings().triage_redrive_after_seconds

    def run() -> dict[str, int]:
        reports = resend_awaiting_triage(report_store(), triage_queue(), clock(), grace)
        notifications = resend_unsent(outbox(), notify_queue(), clock(), grace)
        return {**reports, "notifications_resent": notifications}

    return run


# --- retention ---------------------------------------------------------------------------------


@_once
def retention() -> Retention:
    """Redaction and deletion (the sweep's, and an erasure's), wired."""
    from zoneinfo import ZoneInfo

    from chalicelib.retention.sweep import Retention, Tables

    config = settings()
    return Retention(
        client=dynamodb(),
        tables=Tables(
            reports=config.reports_table,
            demographics=config.demographics_table,
            notifications=config.notifications_table,
        ),
        audit=audit_trail(),
        identity=identity_sealer(),
        clock=clock(),
        policy=institution().retention,
        time_zone=ZoneInfo(institution().time_zone),
        cursors=page_cursors(),
    )


def retention_sweep() -> Callable[[], dict[str, int]]:
    """The daily retention job: redact and delete what is due."""
    return retention().sweep


# --- records: what is held about a reference -----------------------------------------------


@_once
def records_office() -> RecordsOffice:
    """The data protection officer's view of a reference (the case, or its tombstone) and
    of what retention did in a month."""
    from zoneinfo import ZoneInfo

    from chalicelib.records import RecordsOffice

    return RecordsOffice(
        cases=casework(),
        tombstones=retention().tombstone,
        logged=retention().log,
        clock=clock(),
        time_zone=ZoneInfo(institution().time_zone),
    )
