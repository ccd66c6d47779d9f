"""The shared glossary: read by anyone (it is the network's public knowledge, and recommendation pages link
to it), kept by facilitators and admins."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import User
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import require
from workspace.recommendations import glossary
from workspace.recommendations.models import GlossaryTerm


class GlossaryController(Controller):
    path = "/glossary"

    @get(name="glossary")
    async def glossary_page(self, db_session: DbSession, user: CurrentUser) -> Template:
        language = current_language.get()
        terms = glossary.sorted_for(await glossary.all_terms(db_session), language)
        context = {
            "terms": terms,
            "names": glossary.display_names(terms, language),
            "can_edit": await glossary.can_edit(db_session, user),
        }
        return Template("recommendations/glossary.html", context=context)

    @get("/new", name="glossary_new", guards=[requires_user])
    async def new_term_page(self, db_session: DbSession, me: SignedIn) -> Template:
        await _keeper(db_session, me)
        return _term_form(Form(), None)

    @post("/new", name="glossary_new_post", guards=[requires_user])
    async def create_term(self, request: Request, db_session: DbSession, me: SignedIn) -> Template | Redirect:
        await _keeper(db_session, me)
        form = await read_form(request)
        once = await submissions.claim(db_session, form, me.id, fallback="/glossary")
        try:
            term = await glossary.create_term(db_session, form, me)
        except FormError as error:
            return _term_form(error.form, None, status=400)
        await submissions.settle(db_session, once, f"/glossary#term-{term.id}")
        notify(request, _("The term has been added to the glossary."))
        return see_other(f"/glossary#term-{term.id}")

    @get("/{term_id:uuid}/edit", name="glossary_edit", guards=[requires_user])
    async def edit_term_page(self, db_session: DbSession, me: SignedIn, term_id: FromPath[UUID]) -> Template:
        await _keeper(db_session, me)
        term = await glossary.get_term(db_session, term_id)
        return _term_form(glossary.form_for(term), term)

    @post("/{term_id:uuid}/edit", name="glossary_edit_post", guards=[requires_user])
    async def update_term(
        self, request: Request, db_session: DbSession, me: SignedIn, term_id: FromPath[UUID]
    ) -> Template | Redirect:
        await _keeper(db_session, me)
        term = await glossary.get_term(db_session, term_id)
        try:
            await glossary.update_term(db_session, term, await read_form(request), me)
        except FormError as error:
            return _term_form(error.form, term, status=400)
        notify(request, _("The term has been saved."))
        return see_other(f"/glossary#term-{term.id}")

    @post("/{term_id:uuid}/delete", name="glossary_delete", guards=[requires_user])
    async def delete_term(
        self, request: Request, db_session: DbSession, me: SignedIn, term_id: FromPath[UUID]
    ) -> Redirect:
        await _keeper(db_session, me)
        term = await glossary.get_term(db_session, term_id)
        await glossary.delete_term(db_session, term, me)
        notify(request, _("The term has been removed from the glossary."))
        return see_other("/glossary")


async def _keeper(db_session: AsyncSession, me: User) -> None:
    require(await glossary.can_edit(db_session, me))


def _term_form(form: Form, term: GlossaryTerm | None, status: int = 200) -> Template:
    return Template("recommendations/glossary_form.html", context={"form": form, "term": term}, status_code=status)


glossary_routes = [GlossaryController]
