"""An organizer sets the promo codes and automatic promotions of an event from the event's own menu: a
percent code for one tariff with a minimum sum and a use limit, its validity changed, withdrawn and
restored, every refusal of a typed value changing nothing; the three kinds of promotion. Another
organizer's forged buttons and a customer change nothing; an admin makes a shop-wide code with
/promocodes, which only admins may use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import set_commands
from storage.tables import events, promo_codes, promotions, ticket_types
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer, poster_png
from tests.e2e.test_organizer_role import menu
from tests.e2e.test_questions_editor import _vip

T = {
    "en": {
        "language": "English",
        "codes": "🏷 Promo codes",
        "promotions": "🎁 Promotions",
        "no_codes": "No codes yet",
        "new_code": "➕ New code",
        "step1": "step 1 of 3",
        "not_a_code": "That cannot be a code",
        "discount_prompt": "Type the discount",
        "discount_refused": "Write the discount as a percent from 1 to 100",
        "only_vip": "Only «VIP»",
        "only_standard": "Only «Standard»",
        "whole_event": "🎟 Whole event",
        "added": "✅ Code SUMMER26 added",
        "scope_vip": "Applies to: only «VIP»",
        "minimum": "💰 Minimum sum",
        "min_line": "Minimum cart sum (tickets it applies to): 2,000 ₽",
        "amount_refused": "Write an amount above zero",
        "total": "🔢 Total uses",
        "number_refused": "Write a whole number from 1 to 1000000",
        "uses": "0 of 50 used",
        "saved": "✅ Saved.",
        "until": "📅 Valid until",
        "from": "📅 Valid from",
        "valid_until": "Valid: until Thu, 24 December 2026, 23:00",
        "window_refused": "The end of the validity must come after its start",
        "date_refused": "I could not read that date",
        "cancel": "✖️ Cancel",
        "remove": "🗑 Remove",
        "any_time": "Valid: any time",
        "withdraw": "⛔ Withdraw",
        "restore": "♻️ Restore",
        "withdrawn": "Withdrawn: no longer offered",
        "status_withdrawn": "Status: ⛔ withdrawn",
        "already": "Nothing changed",
        "list_line": "1. SUMMER26 · 10 % · only «VIP» · 0 of 50 used · ⛔ withdrawn",
        "codes_back": "◀️ Codes",
        "event": "◀️ Event",
        "taken": "is taken already",
        "name_refused": "A name is 1 to 60 characters",
        "text_expected": "This step needs text",
        "new_promotion": "➕ New promotion",
        "quantity": "🎟 N or more tickets: % off",
        "bundle": "👫 Two tariffs together: amount off",
        "early": "🗓 Early, on chosen weekdays: % off",
        "use_buttons": "Choose with the buttons",
        "tickets_refused": "Write a whole number from 2 to 100",
        "percent_refused": "Write a percent from 1 to 100",
        "rule_quantity": "3 tickets or more: 10 % off each",
        "rule_bundle": "«Standard» + «VIP»: 500 ₽ off each pair",
        "mon": "Mon",
        "wed": "Wed",
        "done": "✅ Done",
        "weekdays_empty": "Choose at least one weekday",
        "rule_early": "bought on Mon, Wed, at least 14 days before the start: 12.5 % off (whole event)",
        "promotion_added": "✅ Promotion «{}» added.",
        "stale": "earlier step",
        "promotions_back": "◀️ Promotions",
    },
    "ru": {
        "language": "Русский",
        "codes": "🏷 Промокоды",
        "promotions": "🎁 Акции",
        "no_codes": "Кодов пока нет",
        "new_code": "➕ Новый код",
        "step1": "шаг 1 из 3",
        "not_a_code": "Это не может быть кодом",
        "discount_prompt": "Напишите скидку",
        "discount_refused": "Напишите скидку процентом от 1 до 100",
        "only_vip": "Только «VIP»",
        "only_standard": "Только «Standard»",
        "whole_event": "🎟 Всё мероприятие",
        "added": "✅ Код SUMMER26 добавлен",
        "scope_vip": "Действует на: только «VIP»",
        "minimum": "💰 Минимальная сумма",
        "min_line": "Минимальная сумма (билетов, на которые он действует): 2 000 ₽",
        "amount_refused": "Напишите сумму больше нуля",
        "total": "🔢 Всего использований",
        "number_refused": "Напишите целое число от 1 до 1000000",
        "uses": "использовано 0 из 50",
        "saved": "✅ Сохранено.",
        "until": "📅 Действует до",
        "from": "📅 Действует с",
        "valid_until": "Срок действия: до чт, 24 декабря 2026, 23:00",
        "window_refused": "Конец срока действия должен быть позже начала",
        "date_refused": "Не получилось прочитать дату",
        "cancel": "✖️ Отмена",
        "remove": "🗑 Убрать",
        "any_time": "Срок действия: всегда",
        "withdraw": "⛔ Отозвать",
        "restore": "♻️ Вернуть",
        "withdrawn": "Отозвано: больше не действует",
        "status_withdrawn": "Статус: ⛔ отозван",
        "already": "Ничего не изменилось",
        "list_line": "1. SUMMER26 · 10 % · только «VIP» · использовано 0 из 50 · ⛔ отозван",
        "codes_back": "◀️ К кодам",
        "event": "◀️ К мероприятию",
        "taken": "уже занят",
        "name_refused": "Название — от 1 до 60 символов",
        "text_expected": "На этом шаге нужен текст",
        "new_promotion": "➕ Новая акция",
        "quantity": "🎟 От N билетов: скидка %",
        "bundle": "👫 Два тарифа вместе: скидка суммой",
        "early": "🗓 Заранее, в выбранные дни: скидка %",
        "use_buttons": "Выберите кнопкой",
        "tickets_refused": "Напишите целое число от 2 до 100",
        "percent_refused": "Напишите процент от 1 до 100",
        "rule_quantity": "3 билета и больше: скидка 10 % на каждый",
        "rule_bundle": "«Standard» + «VIP»: скидка 500 ₽ за пару",
        "mon": "пн",
        "wed": "ср",
        "done": "✅ Готово",
        "weekdays_empty": "Выберите хотя бы один день недели",
        "rule_early": "покупка в пн, ср, не позже чем за 14 дней до начала: скидка 12,5 % (всё мероприятие)",
        "promotion_added": "✅ Акция «{}» добавлена.",
        "stale": "от предыдущего шага",
        "promotions_back": "◀️ К акциям",
    },
}


def _flat(text: str) -> str:
    """Money is formatted with no-break spaces; the expectations are written with plain ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def _rows(engine, table):
    async with engine.connect() as conn:
        return (await conn.execute(select(table).order_by(table.c.id))).all()


async def _tariff_ids(engine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {r.name: r.id for r in await conn.execute(select(ticket_types.c.name, ticket_types.c.id))}


async def _organizer_with_event(sandbox, admin, clock, lang: str, name: str = "Olga"):
    """An organizer whose event (Standard and VIP tariffs) is on sale, speaking `lang`, its menu open."""
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    olga = await make_organizer(sandbox, admin, name, "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await _vip(olga)
    olga.lang = lang
    await olga.send("/language")
    await olga.press(T[lang]["language"])
    await olga.send("/events")
    await olga.press("1")
    return olga


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_an_organizer_makes_a_code_for_a_tariff_and_changes_it(sandbox, bot_app, admin, clock, lang):
    t = T[lang]
    olga = await _organizer_with_event(sandbox, admin, clock, lang)
    await olga.press(t["codes"])
    assert t["no_codes"] in olga.last_text()
    assert olga.buttons() == [t["new_code"], t["event"]]

    await olga.press(t["new_code"])
    assert t["step1"] in olga.last_text()
    for refused in ("😀", "\x00😀", "Ж" * 5000, "летний", "x" * 33):  # NUL is cleaned where text enters
        await olga.send(refused)
        assert t["not_a_code"] in olga.last_text(), refused
    await olga.send_photo(poster_png())
    assert t["text_expected"] in olga.last_text()
    await olga.send("summer 26")
    assert t["discount_prompt"] in olga.last_text() and "SUMMER26" in olga.last_text()
    for refused in ("0 %", "150 %", "abc", "😀", "Ж" * 5000, "-5", "1\x00😀"):
        await olga.send(refused)
        assert t["discount_refused"] in olga.last_text(), refused
    await olga.send("10 %")
    await olga.send("hello")  # the scope is chosen by button
    assert t["use_buttons"] in olga.last_text()
    assert await _rows(bot_app.engine, promo_codes) == []
    await olga.press(t["only_vip"])
    assert t["added"] in olga.messages[-2].text
    assert t["scope_vip"] in olga.last_text()

    await olga.press(t["minimum"])
    for refused in ("0", "abc", "😀", "Ж" * 5000):
        await olga.send(refused)
        assert t["amount_refused"] in olga.last_text(), refused
    await olga.send("2000")
    assert t["saved"] in olga.messages[-2].text and t["min_line"] in _flat(olga.last_text())
    await olga.press(t["total"])
    for refused in ("0", "-1", "many", "5" * 5000, "🎉"):
        await olga.send(refused)
        assert t["number_refused"] in olga.last_text(), refused
    await olga.send("50")
    assert t["uses"] in olga.last_text()

    # The validity: an end, then a start after it refused, then a typo, then Cancel
    await olga.press(t["until"])
    await olga.send("24.12.2026 23:00")
    assert t["valid_until"] in _flat(olga.last_text())
    await olga.press(t["from"])
    stale_cancel = olga.last_message().buttons[-1][-1].callback_data
    await olga.send("25.12.2026 10:00")
    assert t["window_refused"] in olga.last_text()
    await olga.send("31.02.2026 10:00")
    assert t["date_refused"] in olga.last_text()
    await olga.press(t["cancel"])
    assert t["valid_until"] in _flat(olga.last_text())
    await olga.press_data(stale_cancel)  # the prompt's Cancel again, the prompt gone
    assert t["stale"] in olga.last_alert()

    (code,) = await _rows(bot_app.engine, promo_codes)
    tariffs = await _tariff_ids(bot_app.engine)
    assert (code.code, code.name, code.basis_points, code.amount_minor) == ("SUMMER26", "SUMMER26", 1000, None)
    assert (code.scope_kind, code.scope_target, code.min_cart_minor, code.max_uses) == (
        "tariff",
        tariffs["VIP"],
        200_000,
        50,
    )
    assert (code.valid_from, code.valid_until.replace(tzinfo=UTC)) == (None, datetime(2026, 12, 24, 20, 0, tzinfo=UTC))

    # Withdraw: asked nothing, said what it means; a second press of the same button changes nothing
    withdraw = next(b.callback_data for row in olga.last_message().buttons for b in row if b.text == t["withdraw"])
    await olga.press(t["withdraw"])
    assert t["withdrawn"] in olga.last_alert() and t["status_withdrawn"] in olga.last_text()
    assert t["restore"] in olga.buttons()
    await olga.press_data(withdraw)  # the same button again, from a card shown before
    assert t["already"] in olga.last_alert()
    await olga.press(t["codes_back"])
    assert t["list_line"] in _flat(olga.last_text())
    (code,) = await _rows(bot_app.engine, promo_codes)
    assert code.active is False

    # The same code text again is refused, whatever its case and spaces
    await olga.press(t["new_code"])
    await olga.send("Summer 26")
    assert t["taken"] in olga.last_text()
    await olga.press(t["cancel"])
    assert len(await _rows(bot_app.engine, promo_codes)) == 1
    assert olga.unanswered_queries() == []


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_an_organizer_makes_each_kind_of_promotion(sandbox, bot_app, admin, clock, lang):
    t = T[lang]
    olga = await _organizer_with_event(sandbox, admin, clock, lang)
    await olga.press(t["promotions"])
    await olga.press(t["new_promotion"])
    await olga.send("10")
    assert t["use_buttons"] in olga.last_text()

    # N or more tickets
    await olga.press(t["quantity"])
    for refused in ("😀🎉", "Ж" * 5000, "x" * 61):
        await olga.send(refused)
        assert t["name_refused"] in olga.last_text(), refused
    await olga.send("Group")
    for refused in ("1", "101", "three", "Ж" * 5000):
        await olga.send(refused)
        assert t["tickets_refused"] in olga.last_text(), refused
    await olga.send("3")
    for refused in ("0", "101 %", "ten", "😀"):
        await olga.send(refused)
        assert t["percent_refused"] in olga.last_text(), refused
    await olga.send("10")
    assert t["promotion_added"].format("Group") in olga.messages[-2].text
    assert t["rule_quantity"] in _flat(olga.last_text())

    # A ticket of one tariff with one of another
    await olga.press(t["promotions_back"])
    await olga.press(t["new_promotion"])
    await olga.press(t["bundle"])
    await olga.send("Couple")
    await olga.press(t["only_standard"])
    assert t["only_standard"] not in olga.buttons()  # the second tariff is another one
    await olga.press(t["only_vip"])
    await olga.send("500")
    assert t["rule_bundle"] in _flat(olga.last_text())

    # Early, on chosen weekdays
    await olga.press(t["promotions_back"])
    await olga.press(t["new_promotion"])
    await olga.press(t["early"])
    await olga.send("Early bird")
    await olga.send("12,5")
    await olga.press(t["done"])
    assert t["weekdays_empty"] in olga.last_alert()
    await olga.press(t["mon"])
    await olga.press(t["wed"])
    await olga.press(t["mon"])
    await olga.press("✓ " + t["wed"])  # off again
    await olga.press(t["mon"])
    await olga.press(t["wed"])
    await olga.press(t["done"])
    await olga.send("14")
    await olga.press(t["whole_event"])
    assert t["promotion_added"].format("Early bird") in olga.messages[-2].text
    assert t["rule_early"] in _flat(olga.last_text())

    rows = await _rows(bot_app.engine, promotions)
    tariffs = await _tariff_ids(bot_app.engine)
    assert [(r.kind, r.name, r.basis_points, r.min_tickets) for r in rows] == [
        ("quantity", "Group", 1000, 3),
        ("bundle", "Couple", None, None),
        ("early", "Early bird", 1250, None),
    ]
    assert (rows[1].tariff_a, rows[1].tariff_b, rows[1].amount_minor) == (tariffs["Standard"], tariffs["VIP"], 50_000)
    assert (rows[2].weekdays, rows[2].days_before, rows[2].tariff_id) == (0b101, 14, None)

    # A promotion withdrawn from its card
    await olga.press(t["promotions_back"])
    await olga.press("1. Group")
    await olga.press(T[lang]["withdraw"])
    assert t["withdrawn"] in olga.last_alert()
    assert [r.active for r in await _rows(bot_app.engine, promotions)] == [False, True, True]
    assert olga.unanswered_queries() == []


async def test_forged_and_foreign_buttons_change_nothing(sandbox, bot_app, admin, clock):
    olga = await _organizer_with_event(sandbox, admin, clock, "en")
    await olga.press("🏷 Promo codes")
    await olga.press("➕ New code")
    await olga.send("OLGA10")
    await olga.send("10 %")
    await olga.press("🎟 Whole event")
    await olga.press("◀️ Codes")
    await olga.press("◀️ Event")
    await olga.press("🎁 Promotions")
    await olga.press("➕ New promotion")
    await olga.press("🎟 N or more tickets")
    await olga.send("Group")
    await olga.send("3")
    await olga.send("10")
    (event,) = await _rows(bot_app.engine, events)
    (code,) = await _rows(bot_app.engine, promo_codes)
    (promotion,) = await _rows(bot_app.engine, promotions)
    before = (await _rows(bot_app.engine, promo_codes), await _rows(bot_app.engine, promotions))

    ivan = await make_organizer(sandbox, admin, "Ivan", "en")
    for data in (f"opc:{event.id}", f"opn:{event.id}", f"opl:{event.id}", f"opp:{event.id}", f"opc:{event.id + 99}"):
        await ivan.press_data(data)
        assert "No such event among yours" in ivan.last_alert(), data
    for data in (
        f"opd:{code.id}",
        f"ops:{code.id}:active:0",
        f"ops:{code.id}:comb:0",
        f"ops:{code.id}:max:0",
        f"opv:{promotion.id}",
        f"opt:{promotion.id}:active:0",
        f"opt:{promotion.id}:name:0",
        f"opd:{code.id + 99}",
    ):
        await ivan.press_data(data)
        assert "No such promo code or promotion among yours" in ivan.last_alert(), data
    await ivan.press_data(f"opf:clear:{event.id}:{code.id}:max:0")  # a dialog step he is not in
    assert "earlier step" in ivan.last_alert()
    await ivan.press_data("opc:0")  # the shop's codes
    assert "administrators only" in ivan.last_alert()
    await ivan.send("/promocodes")
    assert "administrators only" in ivan.last_text()

    customer = sandbox.user("Customer", lang="ru")
    await customer.send("/start")
    for data in (f"opc:{event.id}", f"opd:{code.id}", f"ops:{code.id}:active:0", f"opt:{promotion.id}:active:0"):
        await customer.press_data(data)
        assert "Это для организаторов" in customer.last_alert(), data
    assert (await _rows(bot_app.engine, promo_codes), await _rows(bot_app.engine, promotions)) == before
    assert ivan.unanswered_queries() == [] and customer.unanswered_queries() == []


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_an_admin_makes_a_shop_wide_code(sandbox, bot_app, admin, clock, lang):
    await admin.send("/start")
    if lang == "ru":
        admin.lang = "ru"
        await admin.send("/language")
        await admin.press("Русский")
    await set_commands(bot_app)
    assert "promocodes" in menu(sandbox, admin)
    await admin.send("/promocodes")
    assert ("Shop-wide promo codes" if lang == "en" else "Промокоды всего магазина") in admin.last_text()
    await admin.press("➕")
    assert ("step 1 of 2" if lang == "en" else "шаг 1 из 2") in admin.last_text()
    await admin.send("shop 10")
    await admin.send("5 %")
    assert ("Applies to: whole cart" if lang == "en" else "Действует на: вся корзина") in admin.last_text()
    await admin.press("👤")
    await admin.send("1")
    (code,) = await _rows(bot_app.engine, promo_codes)
    assert (code.code, code.event_id, code.scope_kind, code.basis_points, code.max_uses_per_person) == (
        "SHOP10",
        None,
        "cart",
        500,
        1,
    )
    assert "SHOP10" in admin.last_text()
