"""JSON API for casting and reading one's ballot, for a kiosk in the colloquium room or a phone.

Authentication is the web session (sign in at /login). Like every unsafe request, a PUT must carry
the CSRF token in the `x-csrftoken` header: `GET /api/session` returns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from litestar import Request, Response, get, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.utils.scope.state import ScopeState

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core import events
from workspace.core.forms import Form, FormError
from workspace.core.inputs import MAX_JSON_BYTES, MAX_JSON_DEPTH
from workspace.core.web import DbSession
from workspace.voting import rules, services
from workspace.voting.models import Choice


@dataclass
class SessionInfo:
    user_id: UUID
    display_name: str
    csrf_token: str
    """Send it back in the `x-csrftoken` header of every PUT, POST or DELETE."""


@dataclass
class BallotIn:
    choice: Choice
    reason: str = ""
    """Required for a blocking objection; optional for against or abstain; ignored for for."""


@dataclass
class BallotOut:
    recommendation_id: UUID
    vote_open: bool
    may_vote: bool
    choice: Choice | None = None
    reason: str = ""
    updated_at: datetime | None = None


@dataclass
class Problem:
    status_code: int
    detail: str
    errors: dict[str, str] = field(default_factory=dict)
    """Messages by field, for a ballot that cannot be counted."""


def _problems(**descriptions: str) -> dict[int, ResponseSpec]:
    """The error answers an operation documents (errors are JSON: workspace/core/errors.py)."""
    codes = {"unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409, "too_large": 413}
    return {
        codes[name]: ResponseSpec(data_container=Problem, description=description)
        for name, description in descriptions.items()
    }


NOT_SIGNED_IN = "Not signed in: sign in at /login, the session cookie authenticates API calls."
NOT_FOUND = "No such recommendation, or out of the signed-in person's reach."


@get(
    "/api/session",
    guards=[requires_user],
    tags=["session"],
    summary="The signed-in person and CSRF token",
    responses=_problems(unauthorized=NOT_SIGNED_IN),
)
async def session_info(request: Request) -> SessionInfo:
    user = signed_in(request)
    return SessionInfo(
        user_id=user.id, display_name=user.display_name, csrf_token=ScopeState.from_scope(request.scope).csrf_token
    )


@get(
    "/api/recommendations/{recommendation_id:uuid}/ballot",
    guards=[requires_user],
    tags=["voting"],
    summary="Read my ballot on a recommendation",
    responses=_problems(unauthorized=NOT_SIGNED_IN, not_found=NOT_FOUND),
)
async def read_my_ballot(db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]) -> BallotOut:
    recommendation, access = await services.load_for_voting(db_session, recommendation_id, user)
    ballot = await services.my_ballot(db_session, recommendation.id, user)
    return BallotOut(
        recommendation_id=recommendation.id,
        vote_open=rules.vote_is_open(access.cycle),
        may_vote=rules.vote_is_open(access.cycle) and rules.may_vote(access, recommendation.group_id),
        choice=ballot.choice if ballot else None,
        reason=ballot.reason if ballot else "",
        updated_at=ballot.updated_at if ballot else None,
    )


@put(
    "/api/recommendations/{recommendation_id:uuid}/ballot",
    guards=[requires_user],
    tags=["voting"],
    summary="Cast or change my ballot",
    description="Idempotent: sending the same ballot twice counts once. 409 when the vote is not open, "
    "403 when the signed-in person is not among the voters, 400 with errors by field for a bad ballot "
    f"(or for a body nested more than {MAX_JSON_DEPTH} levels deep). The reason is cleaned as the ballot form "
    "cleans it: NUL characters and surrounding spaces removed.",
    responses=_problems(
        unauthorized=NOT_SIGNED_IN,
        forbidden="Not among the voters of this recommendation, or no valid CSRF token in x-csrftoken.",
        not_found=NOT_FOUND,
        conflict="The vote is not open.",
        too_large=f"The body is longer than {MAX_JSON_BYTES // 1024} KiB.",
    ),
)
async def put_my_ballot(
    request: Request, db_session: DbSession, recommendation_id: FromPath[UUID], data: JSONBody[BallotIn]
) -> Response[BallotOut | Problem]:
    user = signed_in(request)
    recommendation, access = await services.load_for_ballot(db_session, recommendation_id, user)
    form = Form.from_data({"choice": data.choice.value, "reason": data.reason})
    try:
        choice, reason = services.read_ballot(form)
        await services.cast_ballot(db_session, recommendation, access, choice, reason)
    except FormError as error:
        problem = Problem(400, "The ballot cannot be counted.", error.form.errors)
        return Response(problem, status_code=400)
    except services.BallotRefused as refusal:
        return Response(Problem(refusal.status_code, refusal.message, {}), status_code=refusal.status_code)
    ballot = BallotOut(
        recommendation_id=recommendation.id,
        vote_open=True,
        may_vote=True,
        choice=choice,
        reason=reason if choice != Choice.FOR else "",
    )
    announce = events.after_response(request, events.votes_channel(access.cycle.id), str(recommendation.id))
    return Response(ballot, status_code=200, background=announce)


api_routes = [session_info, read_my_ballot, put_my_ballot]
