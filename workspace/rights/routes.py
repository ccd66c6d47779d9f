"""Privacy rights pages: a member downloads or erases their own data; an admin does it on request."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts import lookalikes, services
from workspace.accounts.guards import SignedIn, requires_admin, requires_user
from workspace.accounts.models import User
from workspace.accounts.sessions import renew_session
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.tokens import utcnow
from workspace.core.web import DbSession, found, notify, read_form, see_other
from workspace.rights import services as privacy


async def _load(db_session: AsyncSession, user_id: UUID) -> User:
    return found(await db_session.get(User, user_id))


def _zip(content: bytes) -> Response[bytes]:
    filename = f"passerelle-data-{utcnow():%Y%m%d}.zip"
    return Response(
        content,
        media_type="application/zip",
        status_code=200,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _everyone(db_session: AsyncSession) -> list[User]:
    return list((await db_session.scalars(select(User).order_by(User.display_name))).all())


async def _privacy_page(
    db_session: AsyncSession, user: User, form: Form, *, admin: bool, status: int = 200, refusal: str = ""
) -> Template:
    votes = await privacy.open_votes(db_session, user.id)
    template = "rights/admin_user.html" if admin else "rights/privacy.html"
    context = {"person": user, "form": form, "open_votes": votes, "refusal": refusal}
    if admin:
        context["lookalikes"] = lookalikes.lookalikes(await _everyone(db_session)).get(user.id, [])
        context["disguises"] = lookalikes.disguises(user.email + user.display_name)
    return Template(template, context=context, status_code=status)


class MyDataController(Controller):
    """A member downloads or erases their own data."""

    path = "/profile"
    guards = [requires_user]

    @get("/privacy", name="privacy")
    async def privacy_page(self, db_session: DbSession, me: SignedIn) -> Template:
        return await _privacy_page(db_session, me, Form(), admin=False)

    @post("/data", name="my_data")
    async def download_my_data(self, db_session: DbSession, me: SignedIn) -> Response[bytes]:
        user = await _load(db_session, me.id)
        return _zip(await privacy.export_zip(db_session, user, actor_id=user.id))

    @post("/delete", name="delete_my_account")
    async def delete_my_account(self, request: Request, db_session: DbSession, me: SignedIn) -> Template | Redirect:
        user = await _load(db_session, me.id)
        form = await read_form(request)
        try:
            await privacy.erase(db_session, user, form, actor_id=user.id)
        except FormError as error:
            return await _privacy_page(db_session, user, error.form, admin=False, status=400)
        except privacy.DeletionRefusedError as refused:
            return await _privacy_page(db_session, user, form, admin=False, status=409, refusal=str(refused))
        renew_session(request)
        request.set_session({})
        notify(request, _("Your account has been deleted. Your contributions stay under a pseudonym."))
        return see_other("/")


class PeopleController(Controller):
    """The admin's list of accounts, and what they do for a person on request."""

    path = "/admin/users"
    guards = [requires_admin]

    @get(name="admin_users")
    async def admin_users(self, db_session: DbSession) -> Template:
        users = await _everyone(db_session)
        context = {"users": users, "lookalikes": lookalikes.lookalikes(users)}
        return Template("rights/admin_users.html", context=context)

    @get("/{user_id:uuid}", name="admin_user")
    async def admin_user(self, db_session: DbSession, user_id: FromPath[UUID]) -> Template:
        return await _privacy_page(db_session, await _load(db_session, user_id), Form(), admin=True)

    @post("/{user_id:uuid}/data", name="admin_user_data")
    async def admin_download(self, db_session: DbSession, me: SignedIn, user_id: FromPath[UUID]) -> Response[bytes]:
        user = await _load(db_session, user_id)
        return _zip(await privacy.export_zip(db_session, user, actor_id=me.id))

    @post("/{user_id:uuid}/delete", name="admin_user_delete")
    async def admin_delete(
        self, request: Request, db_session: DbSession, me: SignedIn, user_id: FromPath[UUID]
    ) -> Template | Redirect:
        user = await _load(db_session, user_id)
        form = await read_form(request)
        try:
            await privacy.erase(db_session, user, form, actor_id=me.id)
        except FormError as error:
            return await _privacy_page(db_session, user, error.form, admin=True, status=400)
        except privacy.DeletionRefusedError as refused:
            return await _privacy_page(db_session, user, form, admin=True, status=409, refusal=str(refused))
        notify(request, _("The account has been deleted. Its contributions stay under a pseudonym."))
        return see_other("/admin/users")

    @post("/{user_id:uuid}/sessions/revoke", name="admin_user_sign_out")
    async def admin_sign_out_everywhere(
        self, request: Request, db_session: DbSession, me: SignedIn, user_id: FromPath[UUID]
    ) -> Redirect:
        user = await _load(db_session, user_id)
        await services.sign_out_everywhere(db_session, user.id, actor_id=me.id)
        notify(request, _("This person has been signed out on every device."))
        return see_other(f"/admin/users/{user.id}")


privacy_routes = [MyDataController, PeopleController]
