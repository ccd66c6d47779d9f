"""Schemathesis against the JSON API's OpenAPI schema: signed in, with the CSRF header, no 500 and no
answer that the schema does not describe (status, content type, body)."""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.security.world import session_cookie
from tests.servers import serve
from workspace.app import create_app
from workspace.cycles.models import Phase
from workspace.settings import Settings

EXAMPLES_PER_OPERATION = 80
# No 500, and every answer as the schema describes it. Not `positive_data_acceptance`: a schema-valid
# ballot may still be refused with a documented 400 (a blocking objection needs a reason, a rule across
# two fields that the schema cannot express).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def fuzz(operation: Any, base_url: str, headers: dict[str, str], cookies: dict[str, str], real_id: str) -> None:
    """Generated requests for one operation; half of them aimed at a recommendation that exists."""

    @given(case=operation.as_strategy(), real=st.booleans())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_described(case: Any, real: bool) -> None:
        if real and "recommendation_id" in (case.path_parameters or {}):
            case.path_parameters["recommendation_id"] = real_id
        response = case.call(base_url=base_url, headers=headers, cookies=cookies)
        case.validate_response(response, checks=CHECKS)

    answers_as_described()


async def test_the_json_api_keeps_to_its_schema(database_url: str, db) -> None:
    cycle = await make_cycle(db, phase=Phase.VOTING, ballots_open=False)
    voter = await make_user(db)
    await add_member(db, voter, cycle)
    recommendation = await make_recommendation(db, cycle)
    app = create_app(Settings(database_url=database_url))
    cookie = {app.state.settings.session_cookie_name: await session_cookie(db, voter)}
    with serve(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, cookies=cookie) as http:
            token = (await http.get("/api/session")).json()["csrf_token"]
            cookies = {**{c.name: c.value for c in http.cookies.jar}, **cookie}
        # Schemathesis calls block: the server runs on its own thread and loop (tests/servers.py).
        schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 3

        for operation in operations:
            fuzz(operation, base_url, {"x-csrftoken": token}, cookies, str(recommendation.id))
