"""GET /form carries the full privacy notice, with the retention figures the settings give
(not retyped), and the institution's policies and formal complaint procedure."""

from __future__ import annotations

import pytest
from chalice.test import Client

from chalicelib import services
from chalicelib.institution import load_institution
from chalicelib.institution.models import Retention


def test_the_notice_names_the_controller_the_dpo_and_the_limits_of_confidentiality(
    client: Client,
) -> None:
    notice = client.http.get("/form").json_body["privacy_notice"]

    assert notice["controller"]["en"].startswith("Example University is the data controller")
    assert notice["data_protection_officer"]["email"] == "dataprotection@example.ac.uk"
    assert notice["lawful_bases"] and all(basis["cy"] for basis in notice["lawful_bases"])
    assert "life or safety is at risk" in notice["confidentiality"]["summary"]["en"]
    assert len(notice["confidentiality"]["circumstances"]) == 4
    assert "Information Commissioner" in notice["supervisory_authority"]["en"]


def test_the_notice_states_the_default_retention_periods(client: Client) -> None:
    notice = client.http.get("/form").json_body["privacy_notice"]

    assert notice["retention"] == {
        "redact_named_after_months": 6,
        "delete_anonymised_after_years": 3,
    }
    assert notice["suppression_threshold"] == 5
    assert "deleted 6 months after your case closes" in notice["summary"]["en"]
    assert "after 3 years" in notice["summary"]["en"]


def test_the_notice_follows_the_retention_settings(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    institution = load_institution()
    changed = institution.model_copy(
        update={
            "retention": Retention(redact_named_after_months=12, delete_anonymised_after_years=7)
        }
    )
    monkeypatch.setattr(services, "institution", lambda: changed)

    notice = client.http.get("/form").json_body["privacy_notice"]

    assert notice["retention"] == {
        "redact_named_after_months": 12,
        "delete_anonymised_after_years": 7,
    }
    assert "deleted 12 months after your case closes" in notice["summary"]["en"]
    assert "after 7 years" in notice["summary"]["en"]
    assert "12 o fisoedd" in notice["summary"]["cy"]
    assert "6 months" not in notice["summary"]["en"]
    assert "sweep_batch_size" not in notice["retention"]


def test_the_form_lists_the_policies_and_how_to_make_a_formal_complaint(client: Client) -> None:
    body = client.http.get("/form").json_body

    titles = [policy["title"]["en"] for policy in body["policies"]]
    assert "Dignity at Work and Study Policy" in titles
    assert all(policy["url"].startswith("https://") for policy in body["policies"])
    assert body["formal_complaint"]["link_text"] == {
        "en": "How to make a formal complaint",
        "cy": "Sut i wneud cwyn ffurfiol",
    }
    assert body["formal_complaint"]["url"] == "https://www.example.ac.uk/complaints"
