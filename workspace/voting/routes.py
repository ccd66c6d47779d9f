"""Casting a ballot from a web page, the ballot paper and results of a cycle, and its voting rules."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import User
from workspace.core import events
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.cycles.models import Eligibility, SideSplit
from workspace.recommendations import listing
from workspace.voting import results, rules, services
from workspace.voting.ballot_paper import ballot_paper


async def _ballot_context(
    db_session: AsyncSession, recommendation_id: UUID, user: User | None, form: Form | None = None
) -> dict[str, Any]:
    recommendation, access = await services.load_for_voting(db_session, recommendation_id, user)
    panel = await results.panel(db_session, recommendation, access)
    if form is None:
        ballot = panel.ballot if panel else None
        form = Form(values={"choice": ballot.choice.value, "reason": ballot.reason} if ballot else {})
    return {"recommendation": recommendation, "access": access, "panel": panel, "form": form}


class BallotController(Controller):
    """A member's ballot on one recommendation: the page, and casting or changing it."""

    path = "/recommendations/{recommendation_id:uuid}/ballot"
    guards = [requires_user]

    @get(name="ballot")
    async def ballot_page(self, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]) -> Template:
        return Template("voting/ballot.html", context=await _ballot_context(db_session, recommendation_id, me))

    @post(name="cast")
    async def cast(
        self, request: HTMXRequest, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Cast or change one's ballot. The form carries no voter: it is always the signed-in person."""
        form = await read_form(request)
        recommendation, access = await services.load_for_ballot(db_session, recommendation_id, me)
        partial = "voting/_panel.html" if request.htmx else "voting/ballot.html"
        try:
            choice, reason = services.read_ballot(form)
            await services.cast_ballot(db_session, recommendation, access, choice, reason)
        except FormError as error:
            context = await _ballot_context(db_session, recommendation_id, me, error.form)
            return Template(partial, context=context, status_code=400)
        except services.BallotRefused as refusal:
            if request.htmx:
                context = await _ballot_context(db_session, recommendation_id, me, form)
                context["refusal"] = refusal.message
                return Template(partial, context=context, status_code=refusal.status_code)
            notify(request, refusal.message, "error")
            return see_other(f"/recommendations/{recommendation_id}#vote")
        announce = events.after_response(request, events.votes_channel(access.cycle.id), str(recommendation.id))
        if request.htmx:
            await db_session.flush()
            context = await _ballot_context(db_session, recommendation_id, me)
            return Template(partial, context={**context, "saved": True}, background=announce)
        notify(request, _("Your ballot has been counted. You can change it until the vote closes."))
        redirect = see_other(f"/recommendations/{recommendation_id}#vote")
        redirect.background = announce
        return redirect


class CycleVoteController(Controller):
    """A cycle's ballot paper (then its results) and its voting rules."""

    path = "/cycles/{slug:str}"

    @get("/vote", name="vote")
    async def vote_page(
        self,
        db_session: DbSession,
        user: CurrentUser,
        access: CycleInReach,
        order: FromQuery[str] = "reference",
        axis: FromQuery[str] = "",
        group: FromQuery[str] = "",
        language: FromQuery[str] = "",
    ) -> Template:
        """The ballot paper during the vote, the results after it (or live, when the cycle shows them)."""
        visible = rules.results_visible(access)
        raw = {"order": order, "axis": axis, "group": group, "language": language}
        paper = None if visible else await ballot_paper(db_session, access, raw)
        order = order if order in results.ORDERS else "reference"
        by_axis = await results.cycle_results(db_session, access, order) if visible else []
        on_ballot = [row.recommendation for row in paper.listing.rows] if paper else []
        turnout = await services.tallies(db_session, access.cycle, on_ballot) if access.is_participant else {}
        context = {
            "access": access,
            "visible": visible,
            "by_axis": by_axis,
            "on_ballot": on_ballot,
            "paper": paper,
            "order_labels": listing.order_labels(),
            "turnout": turnout,
            "order": order,
            "mine": await services.my_choices(db_session, access.cycle, user),
            "vote_open": rules.vote_is_open(access.cycle),
            "vote_closed": rules.vote_is_closed(access.cycle),
        }
        return Template("voting/vote.html", context=context)

    @get("/voting-rules", name="voting_rules", guards=[requires_user])
    async def rules_page(self, access: CycleInReach) -> Template:
        require(access.is_participant)
        return Template("voting/rules.html", context=_rules_context(access, services.rules_form(access.cycle)))

    @post("/voting-rules", name="save_voting_rules", guards=[requires_user])
    async def save_rules(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(access.is_facilitator)
        form = await read_form(request)
        try:
            await services.update_rules(db_session, access, form, me)
        except FormError as error:
            status = 409 if rules.rules_are_frozen(access.cycle) else 400
            return Template("voting/rules.html", context=_rules_context(access, error.form), status_code=status)
        notify(request, _("The voting rules have been saved."))
        return see_other(f"/cycles/{access.cycle.slug}/voting-rules")


def _rules_context(access: CycleAccess, form: Form) -> dict[str, Any]:
    return {
        "access": access,
        "form": form,
        "frozen": rules.rules_are_frozen(access.cycle),
        "eligibilities": list(Eligibility),
        "splits": list(SideSplit),
    }


voting_routes = [BallotController, CycleVoteController]
