"""A small Flask application that keeps its leads in salescore, on SQLite.

Run it with ``flask --app app run`` (or ``python app.py``) in this folder:
``/`` shows a capture form and the leads (filter them with rule text such as
``status == 'new' and score >= 20``), ``/leads/<id>`` shows a lead's timeline.
The application never writes SQL: it calls the workspace and the store.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, abort, redirect, render_template_string, request, url_for

from salescore.decisions.scoring import Criterion, ScoreModel
from salescore.domain.parties import PartyKind, PartyRef
from salescore.errors import NotFound, SalescoreError, ValidationError
from salescore.rules import parse
from salescore.storage import SQLiteStore
from salescore.workspace import Workspace

MODEL = ScoreModel(
    key="web",
    criteria=(
        Criterion(key="saas", rule=parse("industry == 'saas'"), points=30),
        Criterion(key="size", rule=parse("employees >= 100"), points=20),
    ),
)

PAGE = """<!doctype html>
<title>Leads</title>
<h1>Leads</h1>
{% if error %}<p class="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ url_for('capture') }}">
  <input name="email" placeholder="email"> <input name="company" placeholder="company">
  <input name="industry" placeholder="industry"> <input name="employees" placeholder="employees">
  <button>Capture</button>
</form>
<form method="get"><input name="where" value="{{ where }}" placeholder="rule, e.g. score >= 20">
  <button>Filter</button></form>
<table>
{% for lead in leads %}
  <tr><td><a href="{{ url_for('lead', lead_id=lead.id) }}">{{ lead.email or lead.company }}</a></td>
      <td>{{ lead.company }}</td><td>{{ lead.status }}</td><td>{{ lead.score }}</td></tr>
{% endfor %}
</table>
{% if cursor %}<a href="?where={{ where | urlencode }}&after={{ cursor }}">next page</a>{% endif %}
"""

TIMELINE = """<!doctype html>
<title>{{ lead.email or lead.company }}</title>
<h1>{{ lead.email or lead.company }}</h1>
<p>Status {{ lead.status }}, score {{ lead.score }}</p>
<ol>
{% for entry in entries %}
  <li>{{ entry.at.isoformat() }}: {{ entry.kind }} {{ describe(entry) }}</li>
{% endfor %}
</ol>
<a href="{{ url_for('index') }}">all leads</a>
"""


def _describe(entry: Any) -> str:
    item = entry.item
    if entry.kind == "stage_change":
        return f"{item.funnel}: {item.from_stage} → {item.to_stage}"
    if entry.kind == "interaction":
        return f"{item.channel.value} {item.kind}"
    return str(entry.subject_id)


def create_app(database: str = "crm.db") -> Flask:
    """Build the application on an SQLite database file.

    Args:
        database: The SQLite file (created and migrated if needed).

    Returns:
        The Flask application.
    """
    store = SQLiteStore(database)
    store.migrate()  # idempotent: once per database, here at start-up
    workspace = Workspace(store, score_model=MODEL)
    app = Flask(__name__)

    @app.get("/")
    def index() -> Any:
        where = request.args.get("where", "").strip()
        after = request.args.get("after") or None
        with store.unit_of_work() as uow:
            try:
                page = uow.leads.find(where or None, order_by="-score", limit=20, after=after)
            except ValidationError as exc:
                body = render_template_string(PAGE, leads=(), where=where, error=str(exc))
                return body, 400
        return render_template_string(
            PAGE, leads=page.items, cursor=page.cursor, where=where, error=None
        )

    @app.post("/leads")
    def capture() -> Any:
        form = {k: v.strip() for k, v in request.form.items() if v.strip()}
        if "employees" in form:
            if not form["employees"].isdigit():
                body = render_template_string(
                    PAGE, leads=(), where="", error="employees must be a whole number"
                )
                return body, 400
            form["employees"] = int(form["employees"])  # type: ignore[assignment]
        try:
            captured = workspace.capture_lead(actor="web-form", **form)
        except SalescoreError as exc:
            return render_template_string(PAGE, leads=(), where="", error=str(exc)), 400
        assert captured.lead is not None
        return redirect(url_for("lead", lead_id=captured.lead.id))

    @app.get("/leads/<lead_id>")
    def lead(lead_id: str) -> Any:
        try:
            entries = workspace.timeline(PartyRef(PartyKind.LEAD, lead_id))
            with store.unit_of_work() as uow:
                found = uow.leads.get(lead_id)
        except NotFound:
            abort(404)
        return render_template_string(TIMELINE, lead=found, entries=entries, describe=_describe)

    return app


if __name__ == "__main__":
    create_app(os.environ.get("CRM_DATABASE", "crm.db")).run(debug=False)
