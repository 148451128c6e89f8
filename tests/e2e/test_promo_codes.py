"""C5 through the bot: a customer types promo codes into the cart and sees, after every press, each line's
discounts, the codes and promotions that apply and why the others do not; codes combine or not as their
organizer said; the total paid is the one on the button, and a code's last use goes to one buyer only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain.money import Money
from domain.pricing import Scope
from domain.promotions import CodeRule, PromotionKind, PromotionRule
from storage.tables import orders, promo_codes
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import balance, credited, open_tariff, pay_for_myself
from tests.e2e.test_stale_buttons import button_data, plain


async def _code(engine, clock, code: str, name: str, event_id: int, **options) -> None:
    options.setdefault("scope", Scope.event(event_id))
    rule = CodeRule(id=0, code=code, name=name, event_id=event_id, **options)
    async with UnitOfWorkFactory(engine)() as uow:
        assert await uow.promotions.add_code(rule, "RUB", None, clock.now())
        await uow.commit()


async def _quantity_promotion(engine, clock, event_id: int, name: str, min_tickets: int, basis_points: int) -> None:
    rule = PromotionRule(
        id=0,
        event_id=event_id,
        kind=PromotionKind.QUANTITY,
        name=name,
        min_tickets=min_tickets,
        basis_points=basis_points,
    )
    async with UnitOfWorkFactory(engine)() as uow:
        await uow.promotions.add_promotion(rule, "RUB", clock.now())
        await uow.commit()


async def _in_cart(sandbox, admin, name: str, lang: str):
    person = await credited(sandbox, admin, name, lang)
    await open_tariff(person)
    await person.press("Add to cart" if lang == "en" else "В корзину")
    await person.send("/cart")
    return person


def _text(person) -> str:
    return plain(person.last_message().text)


async def test_codes_and_a_promotion_apply_cease_and_combine_as_the_cart_changes(
    sandbox, bot_app, demo_event, admin, clock
):
    engine = bot_app.engine
    await _code(engine, clock, "BIGORDER", "Big order", demo_event.id, amount=Money(50_000, "RUB"),
                min_cart=Money(300_000, "RUB"))  # fmt: skip
    await _code(engine, clock, "SOLO", "Solo 25 %", demo_event.id, basis_points=2500, combinable=False)
    await _quantity_promotion(engine, clock, demo_event.id, "3+ tickets", 3, 1000)
    anna = await _in_cart(sandbox, admin, "Anna", "en")
    assert "🏷 Promo code" in anna.last_message().button_labels()

    await anna.press("🏷 Promo code")
    assert "Type your promo code" in _text(anna)
    await anna.send("  big order ")
    text = _text(anna)
    assert "Code BIGORDER is in your cart but does not apply yet: add 1,500 ₽ more of what it applies to." in text
    assert "BIGORDER — not applied: add 1,500 ₽ more of what it applies to" in text
    assert "💡 3+ tickets: add 2 tickets to get it" in text
    assert "Total: 1,500 ₽" in text

    await anna.press("➕ 1")
    text = _text(anna)
    assert "✅ BIGORDER — Big order: −500 ₽" in text
    assert "🏷 −500 ₽ Big order → 2,500 ₽" in text
    assert "💡 3+ tickets: add 1 ticket to get it" in text
    assert "Total: 2,500 ₽" in text and "List price 3,000 ₽, you save 500 ₽" in text

    await anna.press("➕ 1")
    text = _text(anna)
    assert "✅ 3+ tickets: −450 ₽" in text and "✅ BIGORDER — Big order: −500 ₽" in text
    assert "Total: 3,550 ₽" in text

    # A code that does not combine wins when it gives more, and the others say why they stopped.
    await anna.press("🏷 Promo code")
    await anna.send("solo")
    text = _text(anna)
    assert "✅ Code SOLO applied: −1,125 ₽." in text
    assert "BIGORDER — not applied: does not combine with Solo 25 %" in text
    assert "💡 3+ tickets: does not combine with Solo 25 %" in text
    assert "Total: 3,375 ₽" in text
    await anna.press("✖ SOLO")
    assert anna.last_alert() is None or "SOLO" in anna.last_alert()
    assert "Total: 3,550 ₽" in _text(anna) and "SOLO" not in _text(anna).replace("✖ SOLO", "")

    # Back down: the promotion, then the code's minimum, stop applying, each with its reason.
    await anna.press("➖ 1")
    text = _text(anna)
    assert "💡 3+ tickets: add 1 ticket to get it" in text and "✅ BIGORDER — Big order: −500 ₽" in text
    await anna.press("➖ 1")
    assert "BIGORDER — not applied: add 1,500 ₽ more of what it applies to" in _text(anna)
    assert "Total: 1,500 ₽" in _text(anna)

    await anna.press("➕ 1")
    assert "Accept and pay from wallet · 2,500 ₽" in plain(" | ".join(anna.last_message().button_labels()))
    await pay_for_myself(anna, "Accept and pay from wallet")
    assert await balance(engine, anna.id) == 1_000_000 - 250_000
    async with engine.connect() as conn:
        assert [r.total_minor for r in await conn.execute(select(orders))] == [250_000]
        assert (await conn.execute(select(promo_codes.c.uses).where(promo_codes.c.code == "BIGORDER"))).scalar() == 1


async def test_bad_codes_get_their_own_answer_and_change_nothing(sandbox, bot_app, demo_event, admin, clock):
    await _code(bot_app.engine, clock, "GONE", "Gone", demo_event.id, basis_points=1000, active=False)
    anna = await _in_cart(sandbox, admin, "Anna", "en")
    cart_before = _text(anna)
    answers = {
        "nosuch": "There is no promo code NOSUCH. Please check the spelling.",
        "🎟️🎟️": "That is not a promo code",
        "x" * 5000: "That is not a promo code",
        "gone": "The code GONE has been withdrawn by its organizer.",
    }
    for typed, answer in answers.items():
        await anna.press("🏷 Promo code", message=next(m for m in reversed(anna.messages) if "🏷 Promo code" in
                                                           m.button_labels()))  # fmt: skip
        await anna.send(typed)
        assert answer in _text(anna), typed
        assert "🏷 Try another code" in anna.last_message().button_labels()
    await anna.press("🛒 Back to the cart")
    assert _text(anna) == cart_before, "nothing changed"
    await anna.send("/cart")
    assert "Promo codes" not in _text(anna)


async def test_the_last_use_of_a_code_goes_to_one_buyer_and_the_other_pays_nothing_unexpected(
    sandbox, bot_app, demo_event, admin, clock
):
    await _code(bot_app.engine, clock, "LAST", "Last one", demo_event.id, basis_points=5000, max_uses=1)
    anna = await _in_cart(sandbox, admin, "Anna", "en")
    boris = await _in_cart(sandbox, admin, "Boris", "en")
    for person in (anna, boris):
        await person.press("🏷 Promo code")
        await person.send("LAST")
        assert "✅ Code LAST applied: −750 ₽." in _text(person)
    boris_cart = boris.last_message()
    await pay_for_myself(anna, "Accept and pay from wallet")
    assert await balance(bot_app.engine, anna.id) == 1_000_000 - 75_000

    await pay_for_myself(boris, "Accept and pay from wallet", message=boris_cart)
    assert plain(boris.last_alert()).startswith("The price changed since your cart was shown (750 ₽ → 1,500 ₽)")
    assert await balance(bot_app.engine, boris.id) == 1_000_000, "charged nothing"
    assert "LAST — not applied: all its uses are taken" in plain(boris_cart.text)
    assert "Accept and pay from wallet · 1,500 ₽" in plain(" | ".join(boris_cart.button_labels()))


async def test_russian_codes_scoped_to_a_tariff_and_a_promotion_with_plurals(
    sandbox, bot_app, demo_event, admin, clock
):
    engine = bot_app.engine
    await _code(engine, clock, "VIP20", "VIP −20 %", demo_event.id, basis_points=2000,
                scope=Scope.tariff(demo_event.vip_id), max_uses=1)  # fmt: skip
    await _quantity_promotion(engine, clock, demo_event.id, "Компания от 4", 4, 1000)
    anna = await _in_cart(sandbox, admin, "Анна", "ru")
    text = _text(anna)
    assert "💡 Компания от 4: добавьте ещё 3 билета" in text
    await anna.press("🏷 Промокод")
    assert "Введите промокод" in _text(anna)
    await anna.send("vip20")
    assert "Промокод VIP20 добавлен в корзину, но пока не действует: в корзине нет того, на что он действует." in (
        _text(anna)
    )
    await anna.press("➕ 1")
    assert "💡 Компания от 4: добавьте ещё 2 билета" in _text(anna)
    await anna.press("➕ 1")
    assert "💡 Компания от 4: добавьте ещё 1 билет" in _text(anna)

    await open_tariff(anna, tariff="VIP")
    await anna.press("В корзину")
    await anna.send("/cart")
    text = _text(anna)
    assert "✅ VIP20 — VIP −20 %: −900 ₽" in text, text  # 20 % of what is left of 5 000 ₽ after −10 %
    assert "✅ Компания от 4: −950 ₽" in text
    assert "Без скидок 9 500 ₽, вы экономите 1 850 ₽" in text
    await pay_for_myself(anna, "Принимаю условия, оплатить с кошелька")
    assert await balance(engine, anna.id) == 1_000_000 - 765_000

    boris = await _in_cart(sandbox, admin, "Борис", "ru")
    await boris.press("🏷 Промокод")
    await boris.send("VIP 20")
    assert "Промокод VIP20 уже исчерпан." in _text(boris)
    await boris.press("🏷 Ввести другой код")
    await boris.send("ЛЕТО")
    assert "Это не промокод" in _text(boris)


async def test_forged_code_and_pay_buttons_change_nothing(sandbox, bot_app, demo_event, admin, clock):
    await _code(bot_app.engine, clock, "ANNA10", "Anna's", demo_event.id, basis_points=1000)
    anna = await _in_cart(sandbox, admin, "Anna", "en")
    await anna.press("👤 Who are the tickets for?")
    await anna.press("🙋")
    await anna.press("🏷 Promo code")
    await anna.send("anna10")
    anna_cart = _text(anna)
    pay = button_data(anna.last_message(), "✅ Accept and pay from wallet")
    _, version, terms, total = pay.split(":")

    boris = await _in_cart(sandbox, admin, "Boris", "en")
    boris_version = button_data(boris.last_message(), "✅ Accept and pay from wallet").split(":")[1]
    await boris.press_data(f"pcr:ANNA10:{boris_version}")  # a code in someone else's cart
    assert boris.last_alert() == "That code is not in your cart any more."
    await boris.press_data(f"pcr:{'Я' * 3}:{boris_version}")  # not even a code
    assert "out of date" in boris.last_alert()

    # A Pay button forged with a lower total than the cart's: the cart is redrawn, nothing is charged.
    await anna.press_data(f"pay:{version}:{terms}:{int(total) - 10_000}")
    assert plain(anna.last_alert()).startswith("The price changed since your cart was shown (1,250 ₽ → 1,350 ₽)")
    assert await balance(bot_app.engine, anna.id) == 1_000_000
    await anna.send("/cart")
    assert anna_cart.endswith(_text(anna)), "Anna's cart and its code are as they were"


async def _promotion(engine, clock, **fields) -> None:
    async with UnitOfWorkFactory(engine)() as uow:
        await uow.promotions.add_promotion(PromotionRule(id=0, **fields), "RUB", clock.now())
        await uow.commit()


async def test_a_bundle_an_early_weekday_discount_and_two_stacking_codes_apply_then_cease(
    sandbox, bot_app, demo_event, admin, clock
):
    """demo_event: Маузер in 10 days, Standard 1,500 ₽ and VIP 5,000 ₽; the clock starts on a Monday."""
    engine = bot_app.engine
    today = clock.now().astimezone(bot_app.settings.tz).weekday()
    await _promotion(
        engine,
        clock,
        event_id=demo_event.id,
        kind=PromotionKind.BUNDLE,
        name="Pair",
        tariff_a=demo_event.standard_id,
        tariff_b=demo_event.vip_id,
        amount=Money(20_000, "RUB"),
    )
    await _promotion(
        engine,
        clock,
        event_id=demo_event.id,
        kind=PromotionKind.EARLY,
        name="Early bird",
        basis_points=500,
        weekdays=frozenset({today}),
        days_before=7,
    )
    await _code(
        engine,
        clock,
        "TEN",
        "Ten off",
        demo_event.id,
        amount=Money(1_000, "RUB"),
        valid_until=clock.now() + timedelta(hours=1),
    )
    await _code(engine, clock, "FIVE", "Five %", demo_event.id, basis_points=500)  # fmt: skip
    anna = await _in_cart(sandbox, admin, "Anna", "en")  # one Standard ticket
    text = _text(anna)
    assert "💡 Pair: needs a ticket of each of its two tariffs" in text
    assert "✅ Early bird: −75 ₽" in text

    for code in ("ten", "five"):
        await anna.press("🏷 Promo code")
        await anna.send(code)
    text = _text(anna)
    assert "✅ TEN — Ten off: −10 ₽" in text and "✅ FIVE — Five %: −71.25 ₽" in text, "two codes stack"

    await open_tariff(anna, tariff="VIP")
    await anna.press("Add to cart")
    await anna.send("/cart")
    text = _text(anna)
    assert "✅ Pair: −200 ₽" in text and "✅ Early bird" in text and "Total: 5,675.75 ₽" in text, text

    await anna.press("🗑 2")  # the VIP ticket goes: the pair is broken
    assert "💡 Pair: needs a ticket of each of its two tariffs" in _text(anna)

    clock.advance(hours=1, minutes=5)  # TEN's window closes; the holds lapse too: hold again
    await anna.send("/cart")
    await anna.press("Hold again")
    text = _text(anna)
    assert "TEN — not applied: expired" in text and "✅ FIVE" in text

    clock.advance(days=1)  # not the early bird's weekday any more, and the event is 9 days ahead
    await anna.send("/cart")
    await anna.press("Hold again")
    text = _text(anna)
    assert "💡 Early bird: not on this day of the week" in text, text
    clock.advance(days=6)  # the same weekday again, but the event is now 3 days ahead
    await anna.send("/cart")
    await anna.press("Hold again")
    assert "💡 Early bird: the event is too soon for it" in _text(anna)
