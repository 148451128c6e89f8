"""Dialogs: one aiogram Router per dialog. Parse input, call one service, render the reply."""

from __future__ import annotations

from aiogram import Router


def _fresh(template: Router) -> Router:
    """A router may belong to one dispatcher only; each app (and each test) gets its own copy."""
    router = Router(name=template.name)
    for name, observer in template.observers.items():
        router.observers[name].handlers.extend(observer.handlers)
    return router


def routers() -> list[Router]:
    from handlers import (
        admin,
        attendees,
        broadcast,
        cart,
        cart_codes,
        catalog,
        common,
        door_staff,
        event_editor,
        fallback,
        inline,
        legal,
        memberships,
        organizer,
        promos,
        questions,
        reports,
        staff,
        support,
        tariffs,
        tickets,
        topup,
        wallet,
    )

    # Order matters: a dialog's steps first (they only take input in their state), deep links before the
    # plain /start, free-text search and fallbacks last.
    modules = [
        inline,
        event_editor,
        tariffs,
        broadcast,
        attendees,
        cart_codes,
        legal,
        staff,
        door_staff,
        common,
        admin,
        support,
        organizer,
        reports,
        questions,
        memberships,
        promos,
        cart,
        tickets,
        topup,
        wallet,
        catalog,
        fallback,
    ]
    return [_fresh(module.router) for module in modules]
