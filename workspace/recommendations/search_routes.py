"""The search page: full text over the recommendations the reader may see, with filters."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from workspace.accounts.guards import CurrentUser
from workspace.accounts.models import Side
from workspace.core.web import DbSession
from workspace.cycles.services import visible_cycles
from workspace.recommendations import listing, search
from workspace.recommendations.models import Status
from workspace.recommendations.services import PUBLIC_STATUSES


@get("/search", name="search")
async def search_page(
    request: HTMXRequest,
    db_session: DbSession,
    user: CurrentUser,
    q: FromQuery[str] = "",
    cycle: FromQuery[str] = "",
    axis: FromQuery[str] = "",
    status: FromQuery[str] = "",
    tag: FromQuery[str] = "",
    side: FromQuery[str] = "",
    group: FromQuery[str] = "",
    language: FromQuery[str] = "",
    order: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template:
    filters = search.Filters.from_query(
        q=q, cycle=cycle, axis=axis, status=status, tag=tag, side=side, group=group, language=language, order=order
    )
    found = await search.search(db_session, user, filters, page=page)
    context = {"found": found, "filters": filters}
    htmx = request.htmx
    if htmx and not htmx.history_restore_request:
        return Template("recommendations/_search_results.html", context=context)
    choices = await search.filter_choices(db_session, user, await visible_cycles(db_session, user))
    context |= {
        "choices": choices,
        "statuses": list(Status) if user is not None else list(PUBLIC_STATUSES),
        "sides": list(Side),
        "order_labels": listing.order_labels(),
    }
    return Template("recommendations/search.html", context=context)


search_routes = [search_page]
