"""Following an invitation: the sign-up page for someone new, joining the cycle for someone signed in."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import User
from workspace.accounts.routes import profile_choices
from workspace.accounts.sessions import open_signed_in_session
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import invitations


def _invitation_refused(user: User | None, reason: str) -> Template:
    context = {"reason": reason, "account_email": user.email if user is not None else None}
    return Template("cycles/invitation_refused.html", context=context, status_code=403)


def _invalid() -> Template:
    return Template("cycles/invitation_invalid.html", status_code=404)


class SignUpController(Controller):
    """An invitation's link: someone new makes their account with it, someone signed in joins."""

    path = "/signup/{token:str}"

    @get(name="signup")
    async def signup_page(self, db_session: DbSession, user: CurrentUser, token: FromPath[str]) -> Template:
        opened = await invitations.open_invitation(db_session, token)
        if opened is None:
            return _invalid()
        invitation, cycle, group = opened
        context = {"invitation": invitation, "cycle": cycle, "group": group, "token": token}
        try:
            invitations.check_usable_by(invitation, user.email if user is not None else invitation.email or "")
        except invitations.InvitationRefusedError as refused:
            return _invitation_refused(user, refused.reason)
        if user is not None:
            return Template("cycles/invitation_join.html", context=context)
        form = Form(values={"email": invitation.email or "", "language": invitation.language or "fr"})
        return Template("cycles/signup.html", context={**context, "form": form, **profile_choices()})

    @post(name="signup_post")
    async def signup(
        self, request: Request, db_session: DbSession, user: CurrentUser, token: FromPath[str]
    ) -> Template | Redirect:
        form = await read_form(request)
        try:
            new = await invitations.sign_up(db_session, token, form)
        except invitations.InvitationRefusedError as refused:
            return _invitation_refused(user, refused.reason)
        except FormError as error:
            opened = await invitations.open_invitation(db_session, token)
            if opened is None:
                return _invalid()
            invitation, cycle, group = opened
            context = {"invitation": invitation, "cycle": cycle, "group": group, "token": token}
            return Template(
                "cycles/signup.html", context={**context, "form": error.form, **profile_choices()}, status_code=400
            )
        open_signed_in_session(request, new)
        notify(request, _("Welcome to Passerelle, %(name)s.", name=new.display_name))
        return see_other("/")


class InvitationController(Controller):
    path = "/invitations/{token:str}"
    guards = [requires_user]

    @post("/accept", name="accept_invitation")
    async def accept(
        self, request: Request, db_session: DbSession, me: SignedIn, token: FromPath[str]
    ) -> Template | Redirect:
        try:
            accepted = await invitations.accept_as_member(db_session, token, me)
        except invitations.InvitationRefusedError as refused:
            return _invitation_refused(me, refused.reason)
        if not accepted:
            return _invalid()
        notify(request, _("You have joined the cycle."))
        return see_other("/")


invitation_routes = [SignUpController, InvitationController]
