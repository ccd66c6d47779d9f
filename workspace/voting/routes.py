"""Casting a ballot from a web page, the results page and the facilitators' voting rules."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core import events
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import require
from workspace.cycles.models import Eligibility, SideSplit
from workspace.voting import results, rules, services


async def _ballot_context(
    db_session: DbSession, recommendation_id: UUID, user: CurrentUser, form: Form | None = None
) -> dict:  # type: ignore[type-arg]
    recommendation, access = await services.load_for_voting(db_session, recommendation_id, user)
    panel = await results.panel(db_session, recommendation, access)
    if form is None:
        ballot = panel.ballot if panel else None
        form = Form(values={"choice": ballot.choice.value, "reason": ballot.reason} if ballot else {})
    return {"recommendation": recommendation, "access": access, "panel": panel, "form": form}


@get("/recommendations/{recommendation_id:uuid}/ballot", name="ballot", guards=[requires_user])
async def ballot_page(db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]) -> Template:
    context = await _ballot_context(db_session, recommendation_id, user)
    return Template("voting/ballot.html", context=context)


@post("/recommendations/{recommendation_id:uuid}/ballot", guards=[requires_user])
async def cast(request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]) -> Template | Redirect:
    """Cast or change one's ballot. The form carries no voter: it is always the signed-in person."""
    user = signed_in(request)
    form = await read_form(request)
    recommendation, access = await services.load_for_ballot(db_session, recommendation_id, user)
    partial = "voting/_panel.html" if request.htmx else "voting/ballot.html"  # type: ignore[attr-defined]
    try:
        choice, reason = services.read_ballot(form)
        await services.cast_ballot(db_session, recommendation, access, choice, reason)
    except FormError as error:
        context = await _ballot_context(db_session, recommendation_id, user, error.form)
        return Template(partial, context=context, status_code=400)
    except services.BallotRefused as refusal:
        if request.htmx:  # type: ignore[attr-defined]
            context = await _ballot_context(db_session, recommendation_id, user, form)
            return Template(partial, context={**context, "refusal": refusal.message}, status_code=refusal.status_code)
        notify(request, refusal.message, "error")
        return see_other(f"/recommendations/{recommendation_id}#vote")
    announce = events.after_response(request, events.votes_channel(access.cycle.id), str(recommendation.id))
    if request.htmx:  # type: ignore[attr-defined]
        await db_session.flush()
        context = await _ballot_context(db_session, recommendation_id, user)
        return Template(partial, context={**context, "saved": True}, background=announce)
    notify(request, _("Your ballot has been counted. You can change it until the vote closes."))
    redirect = see_other(f"/recommendations/{recommendation_id}#vote")
    redirect.background = announce
    return redirect


@get("/cycles/{slug:str}/vote", name="vote")
async def vote_page(
    db_session: DbSession, user: CurrentUser, slug: FromPath[str], order: FromQuery[str] = "reference"
) -> Template:
    """The ballot paper during the vote, the results after it (or live, when the cycle shows them)."""
    access = await cycles.get_cycle(db_session, slug, user)
    order = order if order in results.ORDERS else "reference"
    visible = rules.results_visible(access)
    by_axis = await results.cycle_results(db_session, access, order) if visible else []
    on_ballot = [] if visible else await services.recommendations_on_ballot(db_session, access.cycle)
    turnout = await services.tallies(db_session, access.cycle, on_ballot) if access.is_participant else {}
    context = {
        "access": access,
        "visible": visible,
        "by_axis": by_axis,
        "on_ballot": on_ballot,
        "turnout": turnout,
        "order": order,
        "mine": await services.my_choices(db_session, access.cycle, user),
        "vote_open": rules.vote_is_open(access.cycle),
        "vote_closed": rules.vote_is_closed(access.cycle),
    }
    return Template("voting/vote.html", context=context)


def _rules_context(access: cycles.CycleAccess, form: Form) -> dict:  # type: ignore[type-arg]
    return {
        "access": access,
        "form": form,
        "frozen": rules.rules_are_frozen(access.cycle),
        "eligibilities": list(Eligibility),
        "splits": list(SideSplit),
    }


@get("/cycles/{slug:str}/voting-rules", name="voting_rules", guards=[requires_user])
async def rules_page(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    require(access.is_participant)
    return Template("voting/rules.html", context=_rules_context(access, services.rules_form(access.cycle)))


@post("/cycles/{slug:str}/voting-rules", guards=[requires_user])
async def save_rules(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template | Redirect:
    user = signed_in(request)
    access = await cycles.get_cycle(db_session, slug, user)
    require(access.is_facilitator)
    form = await read_form(request)
    try:
        await services.update_rules(db_session, access, form, user)
    except FormError as error:
        status = 409 if rules.rules_are_frozen(access.cycle) else 400
        return Template("voting/rules.html", context=_rules_context(access, error.form), status_code=status)
    notify(request, _("The voting rules have been saved."))
    return see_other(f"/cycles/{slug}/voting-rules")


voting_routes = [ballot_page, cast, vote_page, rules_page, save_rules]
