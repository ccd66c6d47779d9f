"""What a person wrote while their session had ended, offered again once they have signed in."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from workspace.accounts.guards import SignedIn, requires_user
from workspace.core import kept
from workspace.core.i18n import gettext as _
from workspace.core.i18n import lazy_gettext
from workspace.core.web import notify, safe_next, see_other

TEXT_FIELDS = {
    "body": lazy_gettext("Your text"),
    "title": lazy_gettext("Title"),
    "title_fr": lazy_gettext("Title (French)"),
    "title_nl": lazy_gettext("Title (Dutch)"),
    "title_en": lazy_gettext("Title (English)"),
    "finding": lazy_gettext("Finding"),
    "proposal": lazy_gettext("Proposal"),
    "expected_effect": lazy_gettext("Expected effect"),
    "institutions": lazy_gettext("Named institutions"),
    "scheme_fr": lazy_gettext("Current scheme in France"),
    "scheme_wal": lazy_gettext("Current scheme in Wallonia"),
    "scheme_vl": lazy_gettext("Current scheme in Flanders"),
    "harmonisation": lazy_gettext("What harmonising would mean"),
    "tags": lazy_gettext("Tags"),
    "message": lazy_gettext("What changed (revision message)"),
    "reason": lazy_gettext("Reason"),
    "decision_reason": lazy_gettext("Reason"),
    "commitment": lazy_gettext("Commitment"),
    "responsible_service": lazy_gettext("Responsible service"),
    "deadline": lazy_gettext("Deadline"),
    "note": lazy_gettext("Note"),
    "agenda": lazy_gettext("Agenda"),
    "minutes": lazy_gettext("Minutes"),
    "place": lazy_gettext("Place"),
    "introduction_fr": lazy_gettext("Introduction (French)"),
    "introduction_nl": lazy_gettext("Introduction (Dutch)"),
    "definition_fr": lazy_gettext("Definition (French)"),
    "definition_nl": lazy_gettext("Definition (Dutch)"),
}
"""Fields people write in, shown to be read and corrected; every other field goes back as it was."""


def _shown(name: str, value: str) -> bool:
    if name in TEXT_FIELDS:
        return True
    return not name.startswith("_") and (len(value) > 40 or "\n" in value)


class KeptController(Controller):
    path = "/kept"
    guards = [requires_user]

    @get(name="kept")
    async def kept_page(self, request: Request, me: SignedIn) -> Template | Redirect:
        submission = kept.kept(request.scope.get("session"))
        if submission is None or submission.for_user not in (None, str(me.id)):
            return see_other("/")
        fields = [
            {"name": name, "value": value, "shown": _shown(name, value), "label": TEXT_FIELDS.get(name, name)}
            for name, value in submission.fields
        ]
        return Template(
            "accounts/kept.html",
            context={"submission": submission, "fields": fields, "back": safe_next(submission.return_to, "/")},
        )

    @post("/discard", name="kept_discard")
    async def discard(self, request: Request) -> Redirect:
        submission = kept.kept(request.scope.get("session"))
        session = request.scope.get("session")
        if isinstance(session, dict):
            request.set_session({key: value for key, value in session.items() if key != kept.KEPT_KEY})
        notify(request, _("What you had written is discarded."), "info")
        return see_other(safe_next(submission.return_to, "/") if submission else "/")


kept_routes = [KeptController]
