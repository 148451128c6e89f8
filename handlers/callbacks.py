"""Callback data factories. Every field is re-checked by the services: data can be forged."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class SearchPageCb(CallbackData, prefix="sp"):
    search_id: int
    page: int


class EventCb(CallbackData, prefix="ev"):
    event_id: int
    back: int = 0  # 1: redraw in place (coming back from the tariff picker); 0: a new card message


class TariffCb(CallbackData, prefix="tt"):
    ticket_type_id: int
    qty: int


class AddCb(CallbackData, prefix="add"):
    ticket_type_id: int
    qty: int
    nonce: str  # one per drawn keyboard: a double tap adds once


class CartCb(CallbackData, prefix="ct"):
    op: str  # show | inc | dec | rm | renew
    item_id: int = 0
    version: int = 0


class PayCb(CallbackData, prefix="pay"):
    version: int


class TicketQrCb(CallbackData, prefix="qr"):
    ticket_id: int


class TicketsPageCb(CallbackData, prefix="tp"):
    page: int


class CheckinCb(CallbackData, prefix="ci"):
    ticket_id: int


class LanguageCb(CallbackData, prefix="lang"):
    code: str
