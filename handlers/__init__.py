"""Dialogs: one aiogram Router per dialog. Parse input, call one service, render the reply."""

from __future__ import annotations

from aiogram import Router


def routers() -> list[Router]:
    from handlers import admin, cart, catalog, common, fallback, staff, tickets, wallet

    # Order matters: deep links before the plain /start, free-text search and fallbacks last.
    return [
        staff.router,
        common.router,
        admin.router,
        cart.router,
        tickets.router,
        wallet.router,
        catalog.router,
        fallback.router,
    ]
