"""``python -m bot``: the command line (``analyze`` an article, ``run`` the Telegram bot)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimdesk", description="Claimdesk: who claims what in a news article.")
    commands = parser.add_subparsers(dest="command", required=True)

    from bot.cli import add_analyze_arguments

    add_analyze_arguments(commands.add_parser("analyze", help="analyse an article file, stdin or a JSON-lines batch"))

    run = commands.add_parser("run", help="run the Telegram bot (long polling, or a webhook)")
    run.add_argument("--token", help="Bot API token (default: TELEGRAM_BOT_TOKEN)")
    run.add_argument("--base-url", help="Bot API base URL (default: CLAIMDESK_TELEGRAM_BASE_URL)")
    run.add_argument("--base-file-url", help="Bot API file URL (default: CLAIMDESK_TELEGRAM_BASE_FILE_URL)")
    run.add_argument("--db", help="SQLite file or postgresql:// URL (default: CLAIMDESK_DB or claimdesk.sqlite3)")
    run.add_argument("--workers", type=int, help="extraction worker processes (default: CLAIMDESK_WORKERS or cores)")
    run.add_argument("--model", help="installed spaCy pipeline (default: CLAIMDESK_SPACY_MODEL)")
    run.add_argument("--log-level", help="DEBUG, INFO, WARNING ... (default: CLAIMDESK_LOG_LEVEL or INFO)")
    run.add_argument("--webhook-url", help="public HTTPS URL: use a webhook instead of long polling")
    run.add_argument("--listen", default="127.0.0.1", help="webhook server address")
    run.add_argument("--port", type=int, default=8443, help="webhook server port")
    run.add_argument(
        "--webhook-secret",
        help="secret token Telegram sends with every update; the same for every process behind a load balancer "
        "(default: CLAIMDESK_WEBHOOK_SECRET, else one drawn at start)",
    )
    run.add_argument(
        "--no-set-webhook",
        action="store_true",
        help="serve the webhook without registering it with Telegram (every process but one behind a load balancer)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "analyze":
        from bot.cli import analyze_command

        return analyze_command(args)
    from handlers.app import run_command

    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
