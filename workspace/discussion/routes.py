"""Discussion pages: posting and replying, editing and deleting, following, reporting, and the live
stream of a recommendation page (new comments, ballot counts, phase changes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from markupsafe import escape
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.sessions import SessionWatch
from workspace.core import events, i18n, live, submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.templating import render_fragment
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.discussion import comments, moderation, notifications
from workspace.discussion.models import Comment
from workspace.discussion.views import discussion_context
from workspace.recommendations import services as recommendations
from workspace.recommendations.models import Recommendation
from workspace.recommendations.views import page_context
from workspace.voting import results as voting

REDRAW_AT_MOST_EVERY = 0.3
Channels = NamedDependency[ChannelsPlugin]


def discussion_changed(request: Request, recommendation_id: UUID, anchor: str) -> Redirect:
    """Back to the recommendation at `anchor`; once the change is committed, open pages redraw."""
    redirect = see_other(f"/recommendations/{recommendation_id}#{anchor}")
    redirect.background = events.after_response(request, events.discussion_channel(recommendation_id), "comments")
    return redirect


def after_post(request: Request, recommendation_id: UUID, outgoing: list[notifications.Outgoing]) -> BackgroundTasks:
    """Once the response is sent (so the comment is committed): tell open pages, then send e-mails."""
    settings = request.app.state.settings
    tasks: list[BackgroundTask] = [
        events.after_response(request, events.discussion_channel(recommendation_id), "comments")
    ]
    if outgoing:
        tasks.append(BackgroundTask(notifications.send_emails, request.app.state.mailer, settings.base_url, outgoing))
    return BackgroundTasks(tasks)


def send_after_response(request: Request, outgoing: list[notifications.Outgoing]) -> BackgroundTask | None:
    """The e-mails, handed to the mailer once the response is sent (so what they tell of is committed)."""
    if not outgoing:
        return None
    settings = request.app.state.settings
    return BackgroundTask(notifications.send_emails, request.app.state.mailer, settings.base_url, outgoing)


class RecommendationDiscussionController(Controller):
    """What a person does in a recommendation's discussion: post, follow, report it, and the page's
    live stream."""

    path = "/recommendations/{recommendation_id:uuid}"

    @post("/comments", name="post_comment", guards=[requires_user])
    async def post_comment(
        self, request: HTMXRequest, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Template | Redirect:
        recommendation, access = await comments.load(db_session, recommendation_id, me)
        form = await read_form(request)
        discussion = f"/recommendations/{recommendation.id}#discussion"
        once = await submissions.claim(db_session, form, me.id, fallback=discussion)
        try:
            comment = await comments.post_comment(db_session, recommendation, access, form)
        except comments.DiscussionClosed as closed:
            return await _refused(request, db_session, recommendation, access, closed.form, 409)
        except FormError as error:
            return await _refused(request, db_session, recommendation, access, error.form, 400)
        except comments.PostingTooFast:
            form.add_error(
                "body",
                _("You have posted a lot in the last minute. Wait a moment and send again: your text is kept here."),
            )
            return await _refused(request, db_session, recommendation, access, form, 429)
        await submissions.settle(db_session, once, f"/recommendations/{recommendation.id}#comment-{comment.id}")
        outgoing = await notifications.on_comment(db_session, comment, recommendation, me)
        background = after_post(request, recommendation.id, outgoing)
        if request.htmx:
            await db_session.flush()
            context = await discussion_context(db_session, recommendation, access)
            context.update(recommendation=recommendation, access=access)
            return Template("discussion/_posted.html", context=context, background=background)
        notify(request, _("Your comment is posted."))
        redirect = see_other(f"/recommendations/{recommendation.id}#comment-{comment.id}")
        redirect.background = background
        return redirect

    @post("/follow", name="follow", guards=[requires_user])
    async def follow(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Redirect:
        recommendation, access = await comments.load(db_session, recommendation_id, me)
        require(access.is_participant)
        if (await read_form(request)).get("action") == "unfollow":
            await comments.unfollow(db_session, me.id, recommendation.id)
            notify(request, _("You no longer follow this recommendation."))
        else:
            await comments.follow(db_session, me.id, recommendation.id)
            notify(request, _("You follow this recommendation: new comments reach your inbox."))
        return see_other(f"/recommendations/{recommendation.id}#discussion")

    @post("/report", name="report_recommendation", guards=[requires_user])
    async def report_recommendation(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Template | Redirect:
        recommendation, access = await comments.load(db_session, recommendation_id, me)
        return await _report(request, db_session, recommendation, access)

    @get("/discussion/stream", name="discussion_stream")
    async def discussion_stream(
        self,
        request: Request,
        db_session: DbSession,
        user: CurrentUser,
        recommendation_id: FromPath[UUID],
        channels: Channels,
    ) -> ServerSentEvent:
        """Live events for an open recommendation page. Each event carries HTML rendered for this reader
        (with their rights): `comments` (its id changes with the discussion, so a page reconnecting with
        `Last-Event-ID` gets the discussion again only if it missed a change), `vote` and `phase`."""
        recommendation, _access = await recommendations.get_recommendation(db_session, recommendation_id, user)
        page = _LivePage(request, recommendation_id, SessionWatch.of(request))
        return ServerSentEvent(page.events(channels, recommendation.cycle_id, request.headers.get("last-event-id")))


class CommentController(Controller):
    """What the author of a comment, or anyone reading it, does with it."""

    path = "/comments/{comment_id:uuid}"
    guards = [requires_user]

    @get("/edit", name="comment_edit")
    async def edit_page(self, db_session: DbSession, me: SignedIn, comment_id: FromPath[UUID]) -> Template:
        comment, recommendation, access = await comments.load_comment(db_session, comment_id, me)
        require(comments.may_change(comment, access))
        return await _edit_page(db_session, comment, recommendation, Form(values={"body": comment.body}))

    @post("/edit", name="comment_edit_post")
    async def edit(
        self, request: Request, db_session: DbSession, me: SignedIn, comment_id: FromPath[UUID]
    ) -> Template | Redirect:
        comment, recommendation, access = await comments.load_comment(db_session, comment_id, me)
        form = await read_form(request)
        try:
            await comments.edit_comment(db_session, comment, access, form)
        except FormError as error:
            return await _edit_page(db_session, comment, recommendation, error.form, status=400)
        notify(request, _("Your comment is updated; its previous text is kept in its history."))
        return discussion_changed(request, recommendation.id, f"comment-{comment.id}")

    @post("/delete", name="comment_delete")
    async def delete(
        self, request: Request, db_session: DbSession, me: SignedIn, comment_id: FromPath[UUID]
    ) -> Redirect:
        comment, recommendation, access = await comments.load_comment(db_session, comment_id, me)
        try:
            await comments.delete_comment(db_session, comment, access)
        except comments.CommentUnderReview:
            message = _(
                "This comment was reported: it can be deleted once a facilitator has looked at the report. "
                "You can still edit it."
            )
            notify(request, message, "error")
            return see_other(f"/recommendations/{recommendation.id}#comment-{comment.id}")
        notify(request, _("Your comment is deleted. The replies to it stay in the discussion."))
        return discussion_changed(request, recommendation.id, f"comment-{comment.id}")

    @post("/report", name="report_comment")
    async def report_comment(
        self, request: Request, db_session: DbSession, me: SignedIn, comment_id: FromPath[UUID]
    ) -> Template | Redirect:
        comment, recommendation, access = await comments.load_comment(db_session, comment_id, me)
        require(not comment.deleted_at and not comment.hidden_at)
        return await _report(request, db_session, recommendation, access, comment=comment)


async def _refused(
    request: HTMXRequest,
    db_session: AsyncSession,
    recommendation: Recommendation,
    access: CycleAccess,
    form: Form,
    status: int,
) -> Template:
    """The comment comes back with its text and the message beside it."""
    if request.htmx:
        context = await discussion_context(db_session, recommendation, access, form)
        context["recommendation"] = recommendation
        return Template("discussion/_form.html", context=context, status_code=status)
    context = await page_context(db_session, recommendation, access, comment_form=form)
    return Template("recommendations/recommendation.html", context=context, status_code=status)


async def _edit_page(
    db_session: AsyncSession, comment: Comment, recommendation: Recommendation, form: Form, status: int = 200
) -> Template:
    context = {
        "comment": comment,
        "recommendation": recommendation,
        "form": form,
        "history": await comments.history(db_session, comment),
    }
    return Template("discussion/edit.html", context=context, status_code=status)


async def _report(
    request: Request,
    db_session: AsyncSession,
    recommendation: Recommendation,
    access: CycleAccess,
    *,
    comment: Comment | None = None,
) -> Template | Redirect:
    form = await read_form(request)
    try:
        if comment is not None:
            await moderation.report(db_session, access, form, comment=comment)
        else:
            await moderation.report(db_session, access, form, recommendation=recommendation)
    except FormError as error:
        context = {"recommendation": recommendation, "comment": comment, "form": error.form}
        return Template("discussion/report.html", context=context, status_code=400)
    except moderation.AlreadyReported:
        notify(request, _("You already reported it: the facilitators have it in their queue."), "info")
        return see_other(f"/recommendations/{recommendation.id}#discussion")
    assert access.user is not None
    outgoing = await notifications.on_report(db_session, recommendation, access.user, comment=comment)
    notify(request, _("Thank you: the facilitators will look at your report."))
    anchor = f"comment-{comment.id}" if comment is not None else "discussion"
    redirect = see_other(f"/recommendations/{recommendation.id}#{anchor}")
    redirect.background = send_after_response(request, outgoing)
    return redirect


class _LivePage:
    """An open recommendation page as one reader sees it, redrawn part by part while they may."""

    def __init__(self, request: Request, recommendation_id: UUID, reader: SessionWatch) -> None:
        self.request = request
        self.recommendation_id = recommendation_id
        self.reader = reader
        self.language = i18n.current_language.get()

    async def render(self, name: str) -> tuple[str, str] | None:
        """The fragment for `name` and the discussion's marker, or None when the reader lost sight of
        the recommendation."""
        i18n.current_language.set(self.language)
        async with self.request.app.state.db.session(write=False) as session:
            try:
                fresh, access = await recommendations.get_recommendation(
                    session, self.recommendation_id, self.reader.user
                )
            except NotFoundException:
                return None
            if name == "vote":
                panel = await voting.panel(session, fresh, access)
                if panel is None:
                    return "", ""
                ballot = panel.ballot
                form = Form(values={"choice": ballot.choice.value, "reason": ballot.reason} if ballot else {})
                context: dict[str, Any] = {"panel": panel, "form": form, "recommendation": fresh, "access": access}
                template_name = "voting/_panel.html"
            else:
                context = {
                    **await discussion_context(session, fresh, access),
                    "recommendation": fresh,
                    "access": access,
                }
                template_name = "discussion/_list.html"
        return render_fragment(self.request, template_name, context), context.get("discussion_marker", "")

    def classify(self, data: bytes) -> str | None:
        text = data.decode(errors="replace")
        if text in {"comments", "phase"}:
            return text
        return "vote" if text == str(self.recommendation_id) else None

    async def events(
        self, channels: ChannelsPlugin, cycle_id: UUID, last_seen: str | None
    ) -> AsyncIterator[ServerSentEventMessage]:
        async for batch in live.batches(
            channels,
            [events.discussion_channel(self.recommendation_id), events.votes_channel(cycle_id)],
            classify=self.classify,
            still_allowed=self.reader.check,
            coalesce=REDRAW_AT_MOST_EVERY,
            catch_up=frozenset({"comments", "vote"}),
        ):
            if batch.is_keepalive:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            kinds = ["comments"] if batch.initial else sorted(batch.kinds)
            for kind in kinds:
                if kind == "phase":
                    yield ServerSentEventMessage(data=_phase_notice(), event="phase")
                    continue
                rendered = await self.render(kind)
                if rendered is None:
                    return
                if kind == "comments":
                    if not (batch.initial and rendered[1] == last_seen):
                        yield ServerSentEventMessage(data=rendered[0], event="comments", id=rendered[1])
                elif rendered[0]:
                    yield ServerSentEventMessage(data=rendered[0], event="vote")


def _phase_notice() -> str:
    message = _("The cycle has moved on to another phase. Reload the page to see what you can do now.")
    return f'<p class="flash flash--info" role="status">{escape(message)}</p>'


discussion_routes = [RecommendationDiscussionController, CommentController]
