"""Paying as a customer does after the attendee step: every ticket still without a name gets the buyer's
own ("Same as me"), then the Pay press. For tests whose subject is not the attendee dialog."""

from __future__ import annotations

from domain.services.attendees import AttendeeService
from domain.services.checkout import CheckoutService
from domain.views import PurchaseResult


async def pay(
    checkout: CheckoutService, user_id: int, version: int, terms: str, total: int | None = None
) -> PurchaseResult:
    """`total`: the total on the button (minor units), as the Pay button carries it."""
    await same_as_me(checkout, user_id)
    return await checkout.pay_from_wallet(user_id, version, terms, total)


async def same_as_me(checkout: CheckoutService, user_id: int) -> None:
    attendees = AttendeeService(checkout._uow, checkout._clock, checkout._policy, checkout._currency)
    for _, line, seat in (await attendees.cart(user_id)).seats():
        if not line.attendees[seat].name:
            await attendees.same_as_me(user_id, line.item_id, seat)
