"""Warm-up pins aiogram's Response[T] classes (the fast path for every Bot API answer) and freezes the
start-up objects out of the garbage collector's way."""

from __future__ import annotations

import gc

from aiogram.methods import AnswerCallbackQuery, GetUpdates, SendMessage, SendPhoto
from aiogram.methods.base import Response

from bot import warmup


def test_every_methods_response_model_is_held():
    assert warmup.pin_response_models() > 100
    for method in (GetUpdates, SendMessage, SendPhoto, AnswerCallbackQuery):
        assert any(pinned is Response[method.__returning__] for pinned in warmup._pinned)


def test_start_up_objects_are_frozen():
    gc.unfreeze()
    warmup.freeze_startup_objects()
    try:
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
