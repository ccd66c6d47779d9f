"""The shared glossary: read by anyone (it is the network's public knowledge, and recommendation pages link
to it), kept by facilitators and admins."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import require
from workspace.recommendations import glossary


@get("/glossary", name="glossary")
async def glossary_page(db_session: DbSession, user: CurrentUser) -> Template:
    language = current_language.get()
    terms = glossary.sorted_for(await glossary.all_terms(db_session), language)
    context = {
        "terms": terms,
        "names": glossary.display_names(terms, language),
        "can_edit": await glossary.can_edit(db_session, user),
    }
    return Template("recommendations/glossary.html", context=context)


async def _keeper(request: Request, db_session: DbSession) -> None:
    require(await glossary.can_edit(db_session, signed_in(request)))


@get("/glossary/new", name="glossary_new", guards=[requires_user])
async def new_term_page(request: Request, db_session: DbSession) -> Template:
    await _keeper(request, db_session)
    return Template("recommendations/glossary_form.html", context={"form": Form(), "term": None})


@post("/glossary/new", guards=[requires_user])
async def create_term(request: Request, db_session: DbSession) -> Template | Redirect:
    await _keeper(request, db_session)
    form = await read_form(request)
    once = await submissions.claim(db_session, form, signed_in(request).id, fallback="/glossary")
    try:
        term = await glossary.create_term(db_session, form, signed_in(request))
    except FormError as error:
        return Template("recommendations/glossary_form.html", context={"form": error.form, "term": None},
                        status_code=400)  # fmt: skip
    await submissions.settle(db_session, once, f"/glossary#term-{term.id}")
    notify(request, _("The term has been added to the glossary."))
    return see_other(f"/glossary#term-{term.id}")


@get("/glossary/{term_id:uuid}/edit", name="glossary_edit", guards=[requires_user])
async def edit_term_page(request: Request, db_session: DbSession, term_id: FromPath[UUID]) -> Template:
    await _keeper(request, db_session)
    term = await glossary.get_term(db_session, term_id)
    return Template("recommendations/glossary_form.html", context={"form": glossary.form_for(term), "term": term})


@post("/glossary/{term_id:uuid}/edit", guards=[requires_user])
async def update_term(request: Request, db_session: DbSession, term_id: FromPath[UUID]) -> Template | Redirect:
    await _keeper(request, db_session)
    term = await glossary.get_term(db_session, term_id)
    form = await read_form(request)
    try:
        await glossary.update_term(db_session, term, form, signed_in(request))
    except FormError as error:
        return Template("recommendations/glossary_form.html", context={"form": error.form, "term": term},
                        status_code=400)  # fmt: skip
    notify(request, _("The term has been saved."))
    return see_other(f"/glossary#term-{term.id}")


@post("/glossary/{term_id:uuid}/delete", guards=[requires_user])
async def delete_term(request: Request, db_session: DbSession, term_id: FromPath[UUID]) -> Redirect:
    await _keeper(request, db_session)
    term = await glossary.get_term(db_session, term_id)
    await glossary.delete_term(db_session, term, signed_in(request))
    notify(request, _("The term has been removed from the glossary."))
    return see_other("/glossary")


glossary_routes = [glossary_page, new_term_page, create_term, edit_term_page, update_term, delete_term]
