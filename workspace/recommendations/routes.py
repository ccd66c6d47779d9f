"""The recommendation page (read only for now)."""

from __future__ import annotations

from uuid import UUID

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from workspace.core.web import CurrentUser, DbSession
from workspace.discussion import services as discussion
from workspace.recommendations import services


@get("/recommendations/{recommendation_id:uuid}", name="recommendation")
async def recommendation_page(db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]) -> Template:
    recommendation, access = await services.get_recommendation(db_session, recommendation_id, user)
    comments = await discussion.visible_comments(db_session, recommendation.id)
    return Template(
        "recommendations/recommendation.html",
        context={"recommendation": recommendation, "access": access, "comments": comments},
    )


recommendation_routes = [recommendation_page]
