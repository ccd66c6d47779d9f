"""Following an invitation: the sign-up page for someone new, joining the cycle for someone signed in."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.models import User
from workspace.accounts.routes import profile_choices
from workspace.accounts.sessions import open_signed_in_session
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, requires_user, see_other, signed_in
from workspace.cycles import invitations


def _invitation_refused(request: Request, reason: str) -> Template:
    user = request.scope.get("user")
    context = {"reason": reason, "account_email": user.email if isinstance(user, User) else None}
    return Template("cycles/invitation_refused.html", context=context, status_code=403)


@get("/signup/{token:str}", name="signup")
async def signup_page(request: Request, db_session: DbSession, token: FromPath[str]) -> Template:
    opened = await invitations.open_invitation(db_session, token)
    if opened is None:
        return Template("cycles/invitation_invalid.html", status_code=404)
    invitation, cycle, group = opened
    context = {"invitation": invitation, "cycle": cycle, "group": group, "token": token}
    user = request.scope.get("user")
    try:
        invitations.check_usable_by(invitation, user.email if isinstance(user, User) else invitation.email or "")
    except invitations.InvitationRefusedError as refused:
        return _invitation_refused(request, refused.reason)
    if user is not None:
        return Template("cycles/invitation_join.html", context=context)
    form = Form(values={"email": invitation.email or "", "language": "fr"})
    return Template("cycles/signup.html", context={**context, "form": form, **profile_choices()})


@post("/signup/{token:str}")
async def signup(request: Request, db_session: DbSession, token: FromPath[str]) -> Template | Redirect:
    form = await read_form(request)
    try:
        user = await invitations.sign_up(db_session, token, form)
    except invitations.InvitationRefusedError as refused:
        return _invitation_refused(request, refused.reason)
    except FormError as error:
        opened = await invitations.open_invitation(db_session, token)
        if opened is None:
            return Template("cycles/invitation_invalid.html", status_code=404)
        invitation, cycle, group = opened
        context = {"invitation": invitation, "cycle": cycle, "group": group, "token": token}
        return Template(
            "cycles/signup.html", context={**context, "form": error.form, **profile_choices()}, status_code=400
        )
    open_signed_in_session(request, user)
    notify(request, _("Welcome to Passerelle, %(name)s.", name=user.display_name))
    return see_other("/")


@post("/invitations/{token:str}/accept", guards=[requires_user])
async def accept_invitation(request: Request, db_session: DbSession, token: FromPath[str]) -> Template | Redirect:
    try:
        accepted = await invitations.accept_as_member(db_session, token, signed_in(request))
    except invitations.InvitationRefusedError as refused:
        return _invitation_refused(request, refused.reason)
    if not accepted:
        return Template("cycles/invitation_invalid.html", status_code=404)
    notify(request, _("You have joined the cycle."))
    return see_other("/")


invitation_routes = [signup_page, signup, accept_invitation]
