"""Bad input gets a clear, translated answer and changes nothing."""

from __future__ import annotations

from handlers.callbacks import CartCb, CheckinCb, EventCb, TicketQrCb
from tests.e2e.conftest import balance, open_tariff, pay_for_myself, quota


async def _buy(sandbox, admin, person, label="Standard"):
    """Credit, find, add one ticket and pay: returns the person's ticket photo message."""
    await person.send("/start")
    await admin.send(f"/credit {person.id} 10000")
    await open_tariff(person, label)
    await person.press("Add to cart")
    await person.send("/cart")
    await pay_for_myself(person)
    return [m for m in person.messages if m.photo][-1]


async def test_forged_buttons_naming_others_things_change_nothing(sandbox, bot_app, demo_event, admin, clock):
    bob = sandbox.user("Bob")
    await bob.send("/start")
    await open_tariff(bob, "Standard")
    await bob.press("Add to cart")
    async with bot_app.services.cart._uow(write=False) as u:
        bob_user = await u.users.by_telegram_id(bob.id)
        bob_cart = await u.carts.for_user(bob_user.id, clock.now())
    bob_item = bob_cart.items[0].id

    eve = sandbox.user("Eve")
    await eve.send("/start")
    await open_tariff(eve, "Standard")
    await eve.press("Add to cart")
    await eve.send("/cart")
    eve_version = int(
        CartCb.unpack(
            next(b.callback_data for r in eve.last_message().buttons for b in r if b.callback_data.startswith("ct:"))
        ).version
    )

    # Eve forges "remove" and "+" on Bob's item, with her own cart version.
    await eve.press_data(CartCb(op="rm", item_id=bob_item, version=eve_version).pack())
    assert "no longer in your cart" in eve.last_alert()
    await eve.press_data(CartCb(op="inc", item_id=bob_item, version=eve_version).pack())
    assert "no longer in your cart" in eve.last_alert()
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 2)
    await bob.send("/cart")
    assert "1 × 1,500" in bob.last_text().replace("\xa0", " ")

    # An event that does not exist, a ticket that is not hers, a check-in she may not do.
    await eve.press_data(EventCb(event_id=987654).pack())
    assert "not on sale" in eve.last_alert()
    await eve.press_data(TicketQrCb(ticket_id=1).pack())
    assert "no such ticket" in eve.last_alert()
    await eve.press_data(CheckinCb(ticket_id=1).pack())
    assert eve.last_alert()
    # Garbage that is no button of ours at all.
    await eve.press_data("zzz:1:2")
    assert "out of date" in eve.last_alert()
    await eve.press_data("ct:explode:1:0")
    assert "out of date" in eve.last_alert()
    await eve.press_data("qr:99999999999999999999")
    assert "out of date" in eve.last_alert()
    await eve.press_data("sp:1:99999999999")
    assert "out of date" in eve.last_alert()
    assert eve.unanswered_queries() == [] and bob.unanswered_queries() == []


async def test_pay_pressed_twice_charges_once(sandbox, bot_app, demo_event, admin):
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await admin.send(f"/credit {anna.id} 10000")
    await open_tariff(anna, "Standard")
    await anna.press("Add to cart")
    await anna.send("/cart")
    cart_message = anna.last_message()
    pay_data = next(b.callback_data for row in cart_message.buttons for b in row if "pay from wallet" in b.text)
    await pay_for_myself(anna)
    assert await balance(bot_app.engine, anna.id) == 850_000
    photos = len([m for m in anna.messages if m.photo])
    # The same Pay button again (a double tap): no second charge, no new tickets, a clear answer.
    await anna.press_data(pay_data, message=cart_message)
    assert "already paid" in anna.last_alert()
    assert await balance(bot_app.engine, anna.id) == 850_000
    assert len([m for m in anna.messages if m.photo]) == photos
    assert await quota(bot_app.engine, demo_event.standard_id) == (1, 0)


async def test_add_to_cart_double_tap_adds_once(sandbox, bot_app, demo_event):
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await open_tariff(anna, "Standard")
    picker = anna.last_message()
    add_data = next(b.callback_data for row in picker.buttons for b in row if "Add to cart" in b.text)
    await anna.press("Add to cart", message=picker)
    # A double tap: the very same button data arrives again after the first one was handled.
    await anna.press_data(add_data, message=picker)
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 1)


async def test_repeated_update_is_not_processed_twice(sandbox, bot_app, demo_event, admin):
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await admin.send(f"/credit {anna.id} 700")
    assert await balance(bot_app.engine, anna.id) == 70_000
    await admin.repeat_last_update()
    assert await balance(bot_app.engine, anna.id) == 70_000
    credited = [m for m in anna.messages if "topped up" in (m.text or "")]
    assert len(credited) == 1
    assert len([m for m in admin.messages if "Credited" in (m.text or "")]) == 1
    # A plain search has no idempotency key of its own: the update log alone keeps it from running twice.
    await anna.send("Маузер")
    replies = len(anna.messages)
    await anna.repeat_last_update()
    assert len(anna.messages) == replies


async def test_non_staff_cannot_check_in_and_customer_sees_only_existence(sandbox, bot_app, demo_event, admin):
    from tests.e2e.conftest import decode_qr

    anna = sandbox.user("Anna")
    photo = await _buy(sandbox, admin, anna)
    link = decode_qr(photo.photo)
    stranger = sandbox.user("Stranger", lang="ru")
    await stranger.send("/start")
    await stranger.open(link)
    assert "существует" in stranger.last_text()
    assert "Anna" not in stranger.last_text()
    assert stranger.buttons() == []
    # Anna opening her own link is told it is hers, and cannot check herself in.
    await anna.open(link)
    assert "your ticket" in anna.last_text()
    # A forged check-in button from a non-staff user is refused.
    async with bot_app.services.tickets._uow(write=False) as u:
        owner = await u.users.by_telegram_id(anna.id)
        tickets, _ = await u.tickets.of_owner(owner.id, 0, 10)
    await stranger.press_data(CheckinCb(ticket_id=tickets[0].id).pack(), message=stranger.messages[0])
    assert "контролёры" in stranger.last_alert()
    async with bot_app.services.tickets._uow(write=False) as u:
        assert (await u.tickets.get(tickets[0].id)).status.value == "valid"
    # Unknown code for a steward reads plainly.
    steward = sandbox.user("Pavel", lang="ru")
    await steward.send("/start")
    await admin.send(f"/staff {steward.id} {demo_event.id}")
    await steward.open(f"https://t.me/{sandbox.bot_username}?start=t_" + "a" * 32)
    assert "НЕИЗВЕСТНЫЙ КОД" in steward.last_text()


async def test_wrong_event_is_flagged_for_staff_of_another_event(sandbox, bot_app, demo_event, admin, clock):
    from tests.e2e.conftest import decode_qr, make_event

    other = await make_event(bot_app.engine, clock, title="Jazz Night", performers="Trio", venue="Club")
    anna = sandbox.user("Anna")
    link = decode_qr((await _buy(sandbox, admin, anna)).photo)
    steward = sandbox.user("Olga")
    await steward.send("/start")
    await admin.send(f"/staff {steward.id} {other.id}")
    await steward.open(link)
    assert "ANOTHER EVENT" in steward.last_text() and "Маузер" in steward.last_text()
    assert steward.buttons() == []


async def test_admin_commands_refuse_non_admins_and_garbage(sandbox, bot_app, demo_event, admin):
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send(f"/credit {anna.id} 100000")
    assert "administrators only" in anna.last_text()
    assert await balance(bot_app.engine, anna.id) == 0
    await anna.send(f"/staff {anna.id} {demo_event.id}")
    assert "administrators only" in anna.last_text()

    await admin.send("/start")
    await admin.send("/credit")
    assert "Usage" in admin.last_text()
    await admin.send(f"/credit {anna.id} lots")
    assert "not an amount" in admin.last_text()
    await admin.send(f"/credit {anna.id} -5")
    assert "not an amount" in admin.last_text()
    await admin.send("/credit 424242 100")
    assert "has not started the bot" in admin.last_text()
    await admin.send(f"/staff {anna.id} 999999")
    assert "not on sale" in admin.last_text() or "does not exist" in admin.last_text()
    assert await balance(bot_app.engine, anna.id) == 0


async def test_oversized_text_unknown_command_and_stickers(sandbox, bot_app, demo_event):
    anna = sandbox.user("Anna", lang="ru")
    await anna.send("/start")
    await anna.send("я" * 5000)
    assert "Слишком длинное сообщение (5000 символов)" in anna.last_text()
    await anna.send("я" * 101)
    assert "(101 символ)" in anna.last_text()
    await anna.send("/explode now")
    assert "не знаю команду /explode" in anna.last_text()
    assert "/tickets" in anna.last_text()
    await anna.send("/search")
    assert "Напишите, что ищете" in anna.last_text()
    await anna.send("<b>&amp;")
    assert "ничего не нашлось" in anna.last_text()
