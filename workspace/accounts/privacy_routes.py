"""Privacy rights pages: a member downloads or erases their own data; an admin does it on request."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts import lookalikes, privacy, services
from workspace.accounts.models import User
from workspace.accounts.sessions import renew_session
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.tokens import utcnow
from workspace.core.web import DbSession, notify, read_form, requires_admin, requires_user, see_other, signed_in


async def _load(db_session: AsyncSession, user_id: UUID) -> User:
    user = await db_session.get(User, user_id)
    if user is None:
        raise NotFoundException()
    return user


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


async def _privacy_page(db_session: AsyncSession, user: User, form: Form, *, admin: bool, status: int = 200,
                        refusal: str = "") -> Template:  # fmt: skip
    votes = await privacy.open_votes(db_session, user.id)
    template = "accounts/admin_user.html" if admin else "accounts/privacy.html"
    context = {"person": user, "form": form, "open_votes": votes, "refusal": refusal}
    if admin:
        context["lookalikes"] = lookalikes.lookalikes(await _everyone(db_session)).get(user.id, [])
        context["disguises"] = lookalikes.disguises(user.email + user.display_name)
    return Template(template, context=context, status_code=status)


@get("/profile/privacy", name="privacy", guards=[requires_user])
async def privacy_page(request: Request, db_session: DbSession) -> Template:
    return await _privacy_page(db_session, signed_in(request), Form(), admin=False)


@post("/profile/data", guards=[requires_user])
async def download_my_data(request: Request, db_session: DbSession) -> Response[bytes]:
    user = await _load(db_session, signed_in(request).id)
    return _zip(await privacy.export_zip(db_session, user, actor_id=user.id))


@post("/profile/delete", guards=[requires_user])
async def delete_my_account(request: Request, db_session: DbSession) -> Template | Redirect:
    user = await _load(db_session, signed_in(request).id)
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


@get("/admin/users", name="admin_users", guards=[requires_admin])
async def admin_users(db_session: DbSession) -> Template:
    users = await _everyone(db_session)
    return Template("accounts/admin_users.html", context={"users": users, "lookalikes": lookalikes.lookalikes(users)})


@get("/admin/users/{user_id:uuid}", name="admin_user", guards=[requires_admin])
async def admin_user(db_session: DbSession, user_id: FromPath[UUID]) -> Template:
    return await _privacy_page(db_session, await _load(db_session, user_id), Form(), admin=True)


@post("/admin/users/{user_id:uuid}/data", guards=[requires_admin])
async def admin_download(request: Request, db_session: DbSession, user_id: FromPath[UUID]) -> Response[bytes]:
    user = await _load(db_session, user_id)
    return _zip(await privacy.export_zip(db_session, user, actor_id=signed_in(request).id))


@post("/admin/users/{user_id:uuid}/delete", guards=[requires_admin])
async def admin_delete(request: Request, db_session: DbSession, user_id: FromPath[UUID]) -> Template | Redirect:
    user = await _load(db_session, user_id)
    form = await read_form(request)
    try:
        await privacy.erase(db_session, user, form, actor_id=signed_in(request).id)
    except FormError as error:
        return await _privacy_page(db_session, user, error.form, admin=True, status=400)
    except privacy.DeletionRefusedError as refused:
        return await _privacy_page(db_session, user, form, admin=True, status=409, refusal=str(refused))
    notify(request, _("The account has been deleted. Its contributions stay under a pseudonym."))
    return see_other("/admin/users")


@post("/admin/users/{user_id:uuid}/sessions/revoke", guards=[requires_admin])
async def admin_sign_out_everywhere(request: Request, db_session: DbSession, user_id: FromPath[UUID]) -> Redirect:
    user = await _load(db_session, user_id)
    await services.sign_out_everywhere(db_session, user.id, actor_id=signed_in(request).id)
    notify(request, _("This person has been signed out on every device."))
    return see_other(f"/admin/users/{user.id}")


privacy_routes = [
    privacy_page,
    download_my_data,
    delete_my_account,
    admin_users,
    admin_user,
    admin_download,
    admin_delete,
    admin_sign_out_everywhere,
]
