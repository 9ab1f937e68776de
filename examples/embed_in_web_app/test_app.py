"""The web example's tests, with Flask's test client on a temporary database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parent))

from app import create_app


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return create_app(str(tmp_path / "crm.db")).test_client()


def test_capture_list_filter_and_timeline(client: FlaskClient) -> None:
    reply = client.post(
        "/leads",
        data={"email": "Ana@ACME.io", "company": "Acme", "industry": "saas", "employees": "120"},
    )
    assert reply.status_code == 302
    lead_url = reply.headers["Location"]
    client.post("/leads", data={"email": "bo@globex.com", "company": "Globex"})

    page = client.get("/").get_data(as_text=True)
    assert "Ana@acme.io" in page
    assert "bo@globex.com" in page
    assert page.index("Ana@acme.io") < page.index("bo@globex.com")  # by score, highest first

    filtered = client.get("/", query_string={"where": "score >= 40"}).get_data(as_text=True)
    assert "Ana@acme.io" in filtered
    assert "bo@globex.com" not in filtered

    timeline = client.get(lead_url).get_data(as_text=True)
    assert "lead_status: None → new" in timeline
    assert "Status new, score 50.0" in timeline


def test_bad_input_is_a_400_and_stores_nothing(client: FlaskClient) -> None:
    assert client.post("/leads", data={"industry": "saas"}).status_code == 400
    assert client.post("/leads", data={"email": "a@b.io", "employees": "many"}).status_code == 400
    reply = client.get("/", query_string={"where": "budgett >= 5"})
    assert reply.status_code == 400
    assert "budgett" in reply.get_data(as_text=True)
    assert "<td>" not in client.get("/").get_data(as_text=True)
    assert client.get("/leads/lead-none").status_code == 404


def test_hostile_input_is_escaped_and_kept(client: FlaskClient) -> None:
    hostile = "<script>alert(1)</script>'; DROP TABLE leads;--"
    reply = client.post("/leads", data={"company": hostile})
    assert reply.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
