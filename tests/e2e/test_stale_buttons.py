"""Buttons drawn for an older cart change nothing: Pay, ➕, ➖, 🗑 and "Hold again" name the cart version
they were drawn for, and once the cart has changed in another message they only say so and show the cart
as it is now. Without that check an old Pay button charges for a cart the customer never saw."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from handlers.callbacks import CartCb
from tests.e2e.conftest import balance, open_tariff, pay_for_myself, quota


@dataclass(frozen=True)
class Labels:
    add: str
    pay: str
    renew: str
    changed: str  # the alert for a stale button
    expired: str  # the reason shown on a lapsed line
    one: str  # one ticket line, "1 × 1,500 ₽ = 1,500 ₽"
    two: str  # "2 × 1,500 ₽ = 3,000 ₽"
    new_total: str  # the Pay button of the cart as it is now


EN = Labels(
    add="Add to cart",
    pay="Pay from wallet",
    renew="Hold again",
    changed="Your cart has changed",
    expired="the hold has expired",
    one="1 × 1,500 ₽ = 1,500 ₽",
    two="2 × 1,500 ₽ = 3,000 ₽",
    new_total="pay from wallet · 3,000 ₽",
)
RU = Labels(
    add="В корзину",
    pay="Оплатить с кошелька",
    renew="Забронировать снова",
    changed="Корзина изменилась",
    expired="бронь истекла",
    one="1 × 1 500 ₽ = 1 500 ₽",
    two="2 × 1 500 ₽ = 3 000 ₽",
    new_total="оплатить с кошелька · 3 000 ₽",
)
LABELS = {"en": EN, "ru": RU}
FUNDS = 1_000_000  # 10,000 ₽ credited by the admin


def plain(text: str | None) -> str:
    return (text or "").replace("\xa0", " ").replace("\u202f", " ")


def button_data(message, prefix: str) -> str:
    """The callback data of the button of `message` whose label starts with `prefix`, as drawn now."""
    for row in message.buttons:
        for button in row:
            if button.text.startswith(prefix) and button.callback_data:
                return button.callback_data
    raise AssertionError(f"no button starting with {prefix!r}: {message.button_labels()}")


async def _cart_drawn_then_changed(sandbox, admin, name: str, lang: str):
    """A customer with money adds one Standard ticket and opens /cart (the OLD message, buttons drawn
    for that version); then, in a second /cart message, presses ➕: the cart now holds two tickets and the
    old message's buttons are stale. Returns the person and the old message, untouched so far."""
    person = sandbox.user(name, lang=lang)
    await person.send("/start")
    await admin.send(f"/credit {person.id} 10000")
    await open_tariff(person, "Standard")
    await person.press(LABELS[lang].add)
    await person.send("/cart")
    old = person.last_message()
    await person.send("/cart")
    fresh = person.last_message()
    assert fresh is not old
    await person.press("➕ 1", message=fresh)
    assert LABELS[lang].two in plain(fresh.text), fresh.text
    return person, old


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_old_pay_button_after_the_cart_changed_charges_nothing(sandbox, bot_app, demo_event, admin, lang):
    labels = LABELS[lang]
    bob, old = await _cart_drawn_then_changed(sandbox, admin, "Bob", lang)
    assert labels.one in plain(old.text), "the old message shows the one-ticket cart it was drawn for"
    assert await balance(bot_app.engine, bob.id) == FUNDS
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 2)

    await pay_for_myself(bob, labels.pay, message=old)  # the Pay button drawn for the one-ticket cart

    assert await balance(bot_app.engine, bob.id) == FUNDS, (
        "rule 1 broken: a Pay button drawn for an older cart version charged the wallet (CheckoutService._pay "
        "must raise CartChanged when cart.version != the button's version)"
    )
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 2), (
        "rule 1 broken: a stale Pay button sold tickets"
    )
    assert not [m for m in bob.messages if m.photo], "rule 1 broken: tickets were issued by a stale Pay button"
    assert labels.changed in (bob.last_alert() or ""), f"rule 1: the customer must hear the cart changed: {bob.alerts}"
    # The old message now shows the cart as it is, with the new total on its Pay button.
    assert labels.two in plain(old.text), f"rule 1: the new cart is shown in place of the old one: {old.text}"
    assert any(labels.new_total in plain(label) for label in old.button_labels()), old.button_labels()

    # The button redrawn for the current version pays the total the customer now sees.
    await pay_for_myself(bob, labels.pay, message=old)
    assert await balance(bot_app.engine, bob.id) == FUNDS - 300_000
    assert await quota(bot_app.engine, demo_event.standard_id) == (2, 0)
    assert bob.unanswered_queries() == []


@pytest.mark.parametrize("op", ["inc", "dec", "rm"])
async def test_old_cart_buttons_after_the_cart_changed_change_nothing(sandbox, bot_app, demo_event, admin, op):
    anna, old = await _cart_drawn_then_changed(sandbox, admin, "Anna", "en")
    label = {"inc": "➕ 1", "dec": "➖ 1", "rm": "🗑 1"}[op]
    stale = button_data(old, label)
    assert CartCb.unpack(stale).op == op

    await anna.press_data(stale, message=old)

    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 2), (
        f"rule 2 broken: a stale {label} button (drawn for an older cart version) changed the held quota "
        "(CartService._own_item must raise CartChanged when seen_version != cart.version)"
    )
    assert EN.changed in (anna.last_alert() or ""), f"rule 2: a stale {label} must say the cart changed: {anna.alerts}"
    assert EN.two in plain(old.text), f"rule 2 broken: a stale {label} changed the cart: {old.text}"
    await anna.send("/cart")
    assert EN.two in plain(anna.last_text()), f"rule 2 broken: a stale {label} changed the cart: {anna.last_text()}"

    # The same button redrawn for the current version works.
    await anna.press(label, message=old)
    expected = {"inc": (0, 3), "dec": (0, 1), "rm": (0, 0)}[op]
    assert await quota(bot_app.engine, demo_event.standard_id) == expected
    assert anna.unanswered_queries() == []


async def test_old_hold_again_button_after_the_cart_changed_holds_nothing(sandbox, bot_app, demo_event, clock):
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await open_tariff(anna, "Standard")
    await anna.press("Add to cart")
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 1)

    clock.advance(minutes=16)  # the hold lapses
    await anna.send("/cart")
    old = anna.last_message()
    assert EN.expired in old.text and any(EN.renew in b for b in old.button_labels()), old.button_labels()
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 0)
    stale = button_data(old, "🔄")
    assert CartCb.unpack(stale).op == "renew"

    # The cart changes in another message: a VIP ticket is added from the event card.
    await open_tariff(anna, "VIP")
    await anna.press("Add to cart")
    assert await quota(bot_app.engine, demo_event.vip_id) == (0, 1)

    await anna.press_data(stale, message=old)

    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 0), (
        "rule 2 broken: a stale 'Hold again' button (drawn for an older cart version) held the quota again "
        "(CartService._own_item must raise CartChanged when seen_version != cart.version)"
    )
    assert EN.changed in (anna.last_alert() or ""), f"rule 2: a stale 'Hold again' must say so: {anna.alerts}"
    assert EN.expired in old.text, f"rule 2 broken: the lapsed line was held again by a stale button: {old.text}"
    assert await quota(bot_app.engine, demo_event.vip_id) == (0, 1)

    # The redrawn "Hold again" works.
    await anna.press(EN.renew, message=old)
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 1)
    assert anna.unanswered_queries() == []
