"""The Telegram application: handlers in one ordered list, resources injected, and ``python -m bot run``.

``build_application(settings, runner=..., store=...)`` wires python-telegram-bot (HTML by default, the
AIORateLimiter with retries for messages (chat actions not queued), concurrent updates, one error handler);
:func:`serve` runs it until a stop event (long polling or a webhook); :func:`run_command` is the ``run``
subcommand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import secrets
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.config import Settings, SettingsError, webhook_secret
from bot.extraction.checks import report_version
from bot.links.fetch import Fetcher
from bot.links.policy import AllowList
from bot.service import ArticleService, PageFetcher, RateLimits, RestartingRunner, Runner
from handlers import articles, callbacks, chats, commands, desk
from handlers.context import CONTEXT_TYPES, AdminCache, App, BotData, Context
from handlers.reply import TelegramReply
from handlers.updates import DurableUpdateProcessor, DurableUpdateQueue
from handlers.webhook import WebhookServer, register, webhook_path
from storage import Storage, StorageError, open_store

log = logging.getLogger(__name__)

#: Seconds between looks at the inbox for retries that are due.
RETRY_POLL_SECONDS = 30.0
RETENTION_PERIOD_SECONDS = 24 * 3600.0  # how often old analyses are purged when CLAIMDESK_RETENTION_DAYS is set
#: Long-polling timeout of getUpdates (seconds).
POLL_TIMEOUT = 10
RATE_LIMIT_RETRIES = 3

ARTICLE_CONTENT = filters.TEXT | filters.CAPTION | filters.Document.ALL
TelegramResult = bool | dict[str, Any] | list[dict[str, Any]]  # what a Bot API call answers
NEW_MESSAGE = filters.UpdateType.MESSAGE  # edited messages: articles.on_edited_message


@dataclass(frozen=True, slots=True)
class Webhook:
    """Webhook mode: a web server (:mod:`handlers.webhook`) listens on ``listen:port`` at the path of ``url``;
    Telegram sends ``secret_token`` with every update and the server rejects requests without it.

    Behind a load balancer every process gets the same ``secret_token`` (``CLAIMDESK_WEBHOOK_SECRET``; a
    process without one draws its own) and only one has ``register`` (the others run ``--no-set-webhook``).
    """

    url: str
    listen: str = "127.0.0.1"
    port: int = 8443
    secret_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    register: bool = True

    @property
    def path(self) -> str:
        return webhook_path(self.url)


class MessageRateLimiter(AIORateLimiter):
    """Telegram's rate limits are on messages: the "typing" chat action is sent at once, never queued.

    Why: with the plain limiter the bot's 30 requests a second were shared by chat actions and replies,
    so a burst of forwarded articles queued one chat action each ahead of every ``/help`` reply, and the
    analyses waited for their chat action too (the burst benchmark measured ``/help`` p95 at about 1 s and
    the first report after 2 s). A chat action Telegram refuses for flood is dropped, not retried: it is
    only an indicator; any other error still reaches the caller.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, TelegramResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> TelegramResult:
        if endpoint != "sendChatAction":
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            log.info("chat action dropped: %s", exc)
            return True


def handler_list() -> list[BaseHandler[Update, Context, None]]:
    """Every handler, in the order they are tried."""
    return [
        CommandHandler(["start", "help"], commands.on_help, filters=NEW_MESSAGE),
        CommandHandler("check", articles.on_check, filters=NEW_MESSAGE),
        CommandHandler("settings", commands.on_settings, filters=NEW_MESSAGE | filters.UpdateType.CHANNEL_POST),
        CommandHandler("history", commands.on_history, filters=NEW_MESSAGE),
        CommandHandler("search", commands.on_search, filters=NEW_MESSAGE),
        CommandHandler("export", commands.on_export, filters=NEW_MESSAGE),
        CommandHandler("forget", commands.on_forget, filters=NEW_MESSAGE),
        CommandHandler("desk", desk.on_desk, filters=NEW_MESSAGE),
        MessageHandler(NEW_MESSAGE & filters.TEXT & ~filters.COMMAND & desk.NOTE_REPLY, desk.on_note_reply),
        MessageHandler(filters.ChatType.PRIVATE & NEW_MESSAGE & ~filters.COMMAND, articles.on_private_message),
        MessageHandler(
            filters.ChatType.GROUPS & NEW_MESSAGE & ~filters.COMMAND & ARTICLE_CONTENT, articles.on_group_message
        ),
        MessageHandler(filters.UpdateType.CHANNEL_POST & ~filters.COMMAND & ARTICLE_CONTENT, articles.on_channel_post),
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & ~filters.COMMAND & ARTICLE_CONTENT, articles.on_edited_message
        ),
        *(CallbackQueryHandler(answer, pattern=kind.pattern) for kind, answer in (*callbacks.BUTTONS, *desk.BUTTONS)),
        CallbackQueryHandler(callbacks.on_unknown_button),
        ChatMemberHandler(chats.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE & filters.ChatType.GROUP, chats.on_migrate),
    ]


async def on_error(update: object, context: Context) -> None:
    """The one error handler: log with the update id; tell the chat about a storage problem."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s: %s", update_id, context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None and isinstance(context.error, StorageError):
        with contextlib.suppress(Exception):
            await context.bot.send_message(
                update.effective_chat.id, "Storage is not available right now; please try again later."
            )


async def _inbox_loop(app: App) -> None:
    """Recovery at start, then retries and other processes' expired work when they are due (looked for
    every ``retry_seconds``, at least once a lease)."""
    data: BotData = app.bot_data
    bot = app.bot
    try:
        await data.service.tell_given_up(lambda item: TelegramReply(bot, item.chat_id, item.message_id))
    except StorageError as exc:
        log.error("inbox: %s", exc)
    while True:
        try:
            await data.service.recover(lambda job: TelegramReply.to_job(bot, job))
        except StorageError as exc:
            log.error("inbox: %s", exc)
        await asyncio.sleep(min(data.retry_seconds, data.lease_seconds))


async def _lease_loop(data: BotData) -> None:
    """Renew the leases of the inbox items this process works on, three times a lease, so that another
    process sharing the database never takes over work this one is still doing."""
    while True:
        await asyncio.sleep(data.lease_seconds / 3)
        try:
            await data.service.renew()
        except StorageError as exc:
            log.error("inbox: leases not renewed: %s", exc)


async def _retention_loop(store: Storage, days: int) -> None:
    """Delete analyses older than the retention setting, at start and then once a day."""
    while True:
        try:
            deleted = await store.purge_older_than(days)
            log.info("retention: %d rows older than %d days deleted", deleted, days)
        except StorageError as exc:
            log.error("retention: %s", exc)
        await asyncio.sleep(RETENTION_PERIOD_SECONDS)


async def post_init(app: App) -> None:
    """Warm the extraction workers, register the command menu, start the inbox and retention workers."""
    data: BotData = app.bot_data
    if isinstance(app.update_queue, DurableUpdateQueue):
        await app.update_queue.put_left(app.bot)
    await data.service.runner.warm()
    await app.bot.set_my_commands(list(commands.COMMANDS))
    data.background.append(asyncio.create_task(_inbox_loop(app), name="claimdesk-inbox"))
    data.background.append(asyncio.create_task(_lease_loop(data), name="claimdesk-leases"))
    if data.retention_days:
        data.background.append(
            asyncio.create_task(_retention_loop(data.store, data.retention_days), name="claimdesk-retention")
        )


async def post_stop(app: App) -> None:
    """Stop the inbox worker and the articles in work (they stay in the inbox for the next start)."""
    data: BotData = app.bot_data
    await data.service.close()
    for task in data.background:
        task.cancel()
    await asyncio.gather(*data.background, return_exceptions=True)
    data.background.clear()


async def post_shutdown(app: App) -> None:
    """Close the extraction workers and the database."""
    data: BotData = app.bot_data
    await data.service.runner.close()
    await data.store.close()


def build_application(
    settings: Settings,
    *,
    runner: Runner,
    store: Storage,
    fetcher: PageFetcher | None = None,
    retry_seconds: float = RETRY_POLL_SECONDS,
    rate_limiter: AIORateLimiter | None = None,
) -> App:
    """The Telegram application with every handler; ``runner`` and ``store`` are the caller's;
    ``fetcher`` reads linked articles (default: a :class:`Fetcher` with the settings' allow list);
    ``rate_limiter`` paces calls to Telegram (default: Telegram's limits, flood answers retried)."""
    if not settings.telegram_token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set")
    app = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, do_quote=True, allow_sending_without_reply=True))
        .rate_limiter(rate_limiter or MessageRateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .update_queue(DurableUpdateQueue(store))
        .concurrent_updates(DurableUpdateProcessor(store))
        .context_types(CONTEXT_TYPES)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    data: BotData = app.bot_data
    fetcher = fetcher or Fetcher(AllowList.parse(settings.fetch_allow))
    limits = RateLimits(settings.user_rate, settings.chat_rate, window=settings.rate_window_seconds)
    data.service = ArticleService(
        runner,
        store,
        fetcher=fetcher,
        limits=limits,
        extractor_version=report_version(settings.extractor),
        slots=settings.worker_count,
    )
    data.store = store
    data.admins = AdminCache()
    data.exports = RateLimits(0, commands.EXPORTS_PER_WINDOW, window=commands.EXPORT_WINDOW)
    data.retry_seconds = retry_seconds
    data.lease_seconds = settings.inbox_lease_seconds
    data.retention_days = settings.retention_days
    data.background = []
    app.add_handlers(handler_list())
    app.add_error_handler(on_error)
    return app


async def serve(app: App, stop: asyncio.Event, *, webhook: Webhook | None = None) -> None:
    """Run ``app`` (long polling, or ``webhook``) until ``stop`` is set, then stop it cleanly."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        server: WebhookServer | None = None
        if webhook is None:
            await app.updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES)
        else:
            server = WebhookServer(
                app.bot,
                app.update_queue,
                listen=webhook.listen,
                port=webhook.port,
                path=webhook.path,
                secret_token=webhook.secret_token,
            )
            server.start()
            if webhook.register:
                await register(app.bot, webhook.url, webhook.secret_token)
        await app.start()
        log.info("Claimdesk is running as @%s", app.bot.username)
        await stop.wait()
        log.info("stopping")
        if server is None:
            await app.updater.stop()
        else:
            await server.stop()
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces every secret (the bot token) wherever it appears, tracebacks too."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text


def setup_logging(level: str, token: str) -> None:
    """Log to stderr at ``level``; the token never appears; httpx (which logs URLs) only warnings."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", [token]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the ``run`` flags on top."""
    settings = Settings.from_env()
    overrides = {
        "telegram_token": args.token,
        "telegram_base_url": args.base_url,
        "telegram_base_file_url": args.base_file_url,
        "db_path": args.db,
        "workers": args.workers,
        "spacy_model": args.model,
        "log_level": args.log_level.upper() if args.log_level else None,
        "webhook_secret": webhook_secret(args.webhook_secret, "--webhook-secret"),
    }
    return dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})


async def _run(settings: Settings, webhook: Webhook | None) -> int:
    from bot.extraction.runner import AnalysisLimits, ExtractionRunner

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        store = await open_store(settings.db_path, lease_seconds=settings.inbox_lease_seconds)
    except StorageError as exc:
        log.error("cannot open the database: %s", exc)
        return 1
    limits = AnalysisLimits(settings.analysis_seconds, settings.analysis_memory_mb)
    runner = RestartingRunner(
        lambda: ExtractionRunner(
            settings.spacy_model, settings.worker_count, limits=limits, extractor=settings.extractor
        )
    )
    app = build_application(settings, runner=runner, store=store)
    try:
        await serve(app, stop, webhook=webhook)
    except Forbidden as exc:
        log.error("Telegram refused the token: %s", exc.message)
        return 1
    return 0


def run_command(args: argparse.Namespace) -> int:
    """``python -m bot run``: the bot until SIGINT or SIGTERM; 2 when the token is missing."""
    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        print(f"claimdesk: {exc}", file=sys.stderr)
        return 2
    if not settings.telegram_token:
        print(
            "claimdesk: TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and set it in the "
            "environment (or a .env file), or pass --token.",
            file=sys.stderr,
        )
        return 2
    setup_logging(settings.log_level, settings.telegram_token)
    webhook = None
    if args.webhook_url:
        webhook = Webhook(args.webhook_url, args.listen, args.port, register=not args.no_set_webhook)
        if settings.webhook_secret:
            webhook = dataclasses.replace(webhook, secret_token=settings.webhook_secret)
    return asyncio.run(_run(settings, webhook))
