"""Before serving: keep the event loop from stalling on work Python would otherwise redo under load.

aiogram parses every Bot API answer as `Response[T]`. pydantic finds the parametrised class in a weak
cache, through a slow path while nothing else holds the class (about 0.03 ms a call, 0.003 ms once it is
held; three calls per update in a rush add up to several percent of the loop). Pinning every method's
`Response[T]` costs ~60 ms once.

A full collection walks every object alive, and aiogram's types make that about 150-180 ms with
everything stopped. Objects created at start-up live for the whole process: `gc.freeze()` moves them out of the
collector's way, so a collection in a rush only walks what the rush created.
"""

from __future__ import annotations

import gc

import aiogram.methods
from aiogram.methods.base import Response, TelegramMethod

_pinned: list[type] = []


def pin_response_models() -> int:
    if not _pinned:
        for name in aiogram.methods.__all__:
            method = getattr(aiogram.methods, name)
            if isinstance(method, type) and issubclass(method, TelegramMethod) and method is not TelegramMethod:
                _pinned.append(Response[method.__returning__])
    return len(_pinned)


def freeze_startup_objects() -> None:
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    pin_response_models()
    freeze_startup_objects()
