"""Structured log lines: every record carries the update id, the user id and the action."""

from __future__ import annotations

import logging
from contextvars import ContextVar

update_id_var: ContextVar[int | None] = ContextVar("update_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)
action_var: ContextVar[str] = ContextVar("action", default="-")

FORMAT = "%(asctime)s %(levelname)s %(name)s update=%(update_id)s user=%(user_id)s action=%(action)s %(message)s"


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = update_id_var.get() or "-"
        record.user_id = user_id_var.get() or "-"
        record.action = action_var.get()
        return True


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiogram logs every handled update at INFO; our own line says more and never the message text.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
