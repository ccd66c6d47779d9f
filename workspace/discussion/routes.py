"""Discussion pages: posting and replying, editing and deleting, following, reporting, and the live
stream of a recommendation page (new comments, ballot counts, phase changes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from markupsafe import escape

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.accounts.sessions import SessionWatch
from workspace.core import events, i18n, live, submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import require
from workspace.discussion import comments, moderation, notifications
from workspace.discussion.views import discussion_context
from workspace.recommendations import services as recommendations
from workspace.recommendations.routes import page_context
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


@post("/recommendations/{recommendation_id:uuid}/comments", guards=[requires_user])
async def post_comment(request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]) -> Any:
    user = signed_in(request)
    recommendation, access = await comments.load(db_session, recommendation_id, user)
    form = await read_form(request)
    discussion = f"/recommendations/{recommendation.id}#discussion"
    once = await submissions.claim(db_session, form, user.id, fallback=discussion)
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
    outgoing = await notifications.on_comment(db_session, comment, recommendation, user)
    background = after_post(request, recommendation.id, outgoing)
    if request.htmx:  # type: ignore[attr-defined]
        await db_session.flush()
        context = await discussion_context(db_session, recommendation, access)
        return Template("discussion/_posted.html", context={**context, "recommendation": recommendation,
                                                            "access": access}, background=background)  # fmt: skip
    notify(request, _("Your comment is posted."))
    redirect = see_other(f"/recommendations/{recommendation.id}#comment-{comment.id}")
    redirect.background = background
    return redirect


async def _refused(
    request: Request, db_session: Any, recommendation: Any, access: Any, form: Form, status: int
) -> Template:
    """The comment comes back with its text and the message beside it."""
    if request.htmx:  # type: ignore[attr-defined]
        context = await discussion_context(db_session, recommendation, access, form)
        return Template("discussion/_form.html", context={**context, "recommendation": recommendation},
                        status_code=status)  # fmt: skip
    context = await page_context(db_session, recommendation, access, comment_form=form)
    return Template("recommendations/recommendation.html", context=context, status_code=status)


@get("/comments/{comment_id:uuid}/edit", guards=[requires_user])
async def edit_page(db_session: DbSession, user: CurrentUser, comment_id: FromPath[UUID]) -> Template:
    comment, recommendation, access = await comments.load_comment(db_session, comment_id, user)
    require(comments.may_change(comment, access))
    return Template("discussion/edit.html", context={
        "comment": comment, "recommendation": recommendation, "form": Form(values={"body": comment.body}),
        "history": await comments.history(db_session, comment)})  # fmt: skip


@post("/comments/{comment_id:uuid}/edit", guards=[requires_user])
async def edit(request: Request, db_session: DbSession, comment_id: FromPath[UUID]) -> Template | Redirect:
    comment, recommendation, access = await comments.load_comment(db_session, comment_id, signed_in(request))
    form = await read_form(request)
    try:
        await comments.edit_comment(db_session, comment, access, form)
    except FormError as error:
        return Template("discussion/edit.html", context={
            "comment": comment, "recommendation": recommendation, "form": error.form,
            "history": await comments.history(db_session, comment)}, status_code=400)  # fmt: skip
    notify(request, _("Your comment is updated; its previous text is kept in its history."))
    return discussion_changed(request, recommendation.id, f"comment-{comment.id}")


@post("/comments/{comment_id:uuid}/delete", guards=[requires_user])
async def delete(request: Request, db_session: DbSession, comment_id: FromPath[UUID]) -> Redirect:
    comment, recommendation, access = await comments.load_comment(db_session, comment_id, signed_in(request))
    try:
        await comments.delete_comment(db_session, comment, access)
    except comments.CommentUnderReview:
        notify(request, _("This comment was reported: it can be deleted once a facilitator has looked at the "
                          "report. You can still edit it."), "error")  # fmt: skip
        return see_other(f"/recommendations/{recommendation.id}#comment-{comment.id}")
    notify(request, _("Your comment is deleted. The replies to it stay in the discussion."))
    return discussion_changed(request, recommendation.id, f"comment-{comment.id}")


@post("/recommendations/{recommendation_id:uuid}/follow", guards=[requires_user])
async def follow(request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]) -> Redirect:
    user = signed_in(request)
    recommendation, access = await comments.load(db_session, recommendation_id, user)
    require(access.is_participant)
    if (await read_form(request)).get("action") == "unfollow":
        await comments.unfollow(db_session, user.id, recommendation.id)
        notify(request, _("You no longer follow this recommendation."))
    else:
        await comments.follow(db_session, user.id, recommendation.id)
        notify(request, _("You follow this recommendation: new comments reach your inbox."))
    return see_other(f"/recommendations/{recommendation.id}#discussion")


@post("/comments/{comment_id:uuid}/report", guards=[requires_user])
async def report_comment(request: Request, db_session: DbSession, comment_id: FromPath[UUID]) -> Template | Redirect:
    comment, recommendation, access = await comments.load_comment(db_session, comment_id, signed_in(request))
    require(not comment.deleted_at and not comment.hidden_at)
    return await _report(request, db_session, recommendation, access, comment=comment)


@post("/recommendations/{recommendation_id:uuid}/report", guards=[requires_user])
async def report_recommendation(
    request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]
) -> Template | Redirect:
    recommendation, access = await comments.load(db_session, recommendation_id, signed_in(request))
    return await _report(request, db_session, recommendation, access)


async def _report(
    request: Request, db_session: Any, recommendation: Any, access: Any, *, comment: Any = None
) -> Template | Redirect:
    form = await read_form(request)
    try:
        if comment is not None:
            await moderation.report(db_session, access, form, comment=comment)
        else:
            await moderation.report(db_session, access, form, recommendation=recommendation)
    except FormError as error:
        return Template("discussion/report.html", context={"recommendation": recommendation, "comment": comment,
                                                           "form": error.form}, status_code=400)  # fmt: skip
    except moderation.AlreadyReported:
        notify(request, _("You already reported it: the facilitators have it in their queue."), "info")
        return see_other(f"/recommendations/{recommendation.id}#discussion")
    notify(request, _("Thank you: the facilitators will look at your report."))
    anchor = f"comment-{comment.id}" if comment is not None else "discussion"
    return see_other(f"/recommendations/{recommendation.id}#{anchor}")


@get("/recommendations/{recommendation_id:uuid}/discussion/stream")
async def discussion_stream(
    request: Request, db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID], channels: Channels
) -> ServerSentEvent:
    """Live events for an open recommendation page. Each event carries HTML rendered for this reader
    (with their rights): `comments` (its id changes with the discussion, so a page reconnecting with
    `Last-Event-ID` gets the discussion again only if it missed a change), `vote` and `phase`."""
    recommendation, _access = await recommendations.get_recommendation(db_session, recommendation_id, user)
    cycle_id = recommendation.cycle_id
    language = i18n.current_language.get()
    engine = request.app.template_engine  # type: ignore[union-attr]
    last_seen = request.headers.get("last-event-id")
    reader = SessionWatch.of(request)

    async def render(name: str) -> tuple[str, str] | None:
        """The fragment for `name` and the discussion's marker, or None when the reader lost sight of
        the recommendation."""
        i18n.current_language.set(language)
        async with request.app.state.db.session(write=False) as session:
            try:
                fresh, fresh_access = await recommendations.get_recommendation(session, recommendation_id, reader.user)
            except NotFoundException:
                return None
            if name == "vote":
                panel = await voting.panel(session, fresh, fresh_access)
                if panel is None:
                    return "", ""
                ballot = panel.ballot if panel else None
                form = Form(values={"choice": ballot.choice.value, "reason": ballot.reason} if ballot else {})
                context: dict[str, Any] = {
                    "panel": panel,
                    "form": form,
                    "recommendation": fresh,
                    "access": fresh_access,
                }
                template_name = "voting/_panel.html"
            else:
                context = {
                    **await discussion_context(session, fresh, fresh_access),
                    "recommendation": fresh,
                    "access": fresh_access,
                }
                template_name = "discussion/_list.html"
        full = Template(template_name, context=context).create_template_context(request)
        return engine.get_template(template_name).render(**full), context.get("discussion_marker", "")

    def classify(data: bytes) -> str | None:
        text = data.decode(errors="replace")
        if text in {"comments", "phase"}:
            return text
        return "vote" if text == str(recommendation_id) else None

    async def stream() -> AsyncIterator[ServerSentEventMessage]:
        async for batch in live.batches(
            channels,
            [events.discussion_channel(recommendation_id), events.votes_channel(cycle_id)],
            classify=classify,
            still_allowed=reader.check,
            coalesce=REDRAW_AT_MOST_EVERY,
            catch_up=frozenset({"comments", "vote"}),
        ):
            if batch.is_keepalive:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            if batch.initial:
                rendered = await render("comments")
                if rendered is None:
                    return
                if rendered[1] != last_seen:
                    yield ServerSentEventMessage(data=rendered[0], event="comments", id=rendered[1])
                continue
            for kind in sorted(batch.kinds):
                if kind == "phase":
                    yield ServerSentEventMessage(data=_phase_notice(), event="phase")
                    continue
                rendered = await render(kind)
                if rendered is None:
                    return
                if kind == "comments":
                    yield ServerSentEventMessage(data=rendered[0], event="comments", id=rendered[1])
                elif rendered[0]:
                    yield ServerSentEventMessage(data=rendered[0], event="vote")

    return ServerSentEvent(stream())


def _phase_notice() -> str:
    message = _("The cycle has moved on to another phase. Reload the page to see what you can do now.")
    return f'<p class="flash flash--info" role="status">{escape(message)}</p>'


discussion_routes = [
    post_comment,
    edit_page,
    edit,
    delete,
    follow,
    report_comment,
    report_recommendation,
    discussion_stream,
]
