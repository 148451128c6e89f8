"""Memberships (D6) through the real bot: an admin creates a plan with /plans, a customer buys it from the
wallet with monthly renewal, the scheduler's job renews it a month later (the money taken, a message sent)
and lapses it the month after on an empty wallet; cancelling renewal keeps the paid month and then ends it;
buying without money and forged buttons change nothing. English and Russian."""

from __future__ import annotations

import pytest

from bot.runner import _scheduler
from handlers.callbacks import MembershipBuyCb, MembershipCancelCb, PlanRetireCb, PlanSetCb
from tests.e2e.conftest import ADMIN_ID, balance, credited
from tests.e2e.test_stale_buttons import plain

T = {
    "en": {
        "no_plans": "No plans yet.",
        "new_plan": "New plan",
        "theatre": "⬜️ 🎭 Theatre",
        "done": "Done",
        "yes": "Yes",
        "on_sale": "is on sale",
        "plans_title": "Memberships",
        "no_refund": "the month already paid is not refunded",
        "buy_renew": "Gold: buy with monthly renewal",
        "buy_once": "Gold: buy once",
        "bought": "You have the «Gold» membership until",
        "discount": "10 % off tickets: 🎭 Theatre",
        "left": "(30 days left)",
        "already": "Already bought with this button",
        "renewed": "Your «Gold» membership is renewed: 500 ₽ was taken",
        "renewed_until": "until Sat, 23 January 2027",
        "lapsed": "Your «Gold» membership has ended: renewing it needed 500 ₽",
        "cancel": "Cancel renewal",
        "not_enough": "Not enough money: missing 400 ₽.",
        "active": "You already have the «Gold» membership",
    },
    "ru": {
        "no_plans": "Тарифов пока нет.",
        "new_plan": "Новый тариф",
        "theatre": "⬜️ 🎭 Театр",
        "done": "Готово",
        "yes": "Да",
        "on_sale": "в продаже",
        "plans_title": "Абонементы",
        "no_refund": "уже оплаченный месяц не возвращается",
        "buy_renew": "Gold: купить с ежемесячным продлением",
        "buy_once": "Gold: купить на месяц",
        "bought": "Абонемент «Gold» действует до",
        "discount": "Скидка 10 % на билеты: 🎭 Театр",
        "left": "(осталось 30 дней)",
        "already": "Уже куплено этой кнопкой",
        "renewed": "Абонемент «Gold» продлён: с баланса списано 500 ₽",
        "renewed_until": "до сб, 23 января 2027",
        "lapsed": "Абонемент «Gold» закончился: для продления нужно было 500 ₽",
        "cancel": "Отменить продление",
        "not_enough": "Не хватает денег: 400 ₽.",
        "active": "У вас уже есть абонемент «Gold»",
    },
}


async def tick(app) -> None:
    """The scheduler's own job, as it would run: renew what is due, then send the notices."""
    job = _scheduler(app).get_job("renew_memberships")
    await job.func(*job.args)


async def create_plan(admin, lang: str, name: str = "Gold", price: str = "500", percent: str = "10") -> None:
    t = T[lang]
    await admin.send("/plans")
    await admin.press(t["new_plan"])
    await admin.send(name)
    await admin.send(price)
    await admin.send(percent)
    await admin.press(t["theatre"])
    await admin.press(t["done"])
    await admin.press(t["yes"])
    assert t["on_sale"] in plain(admin.messages[-2].text)


def texts(person) -> str:
    return plain(" ".join(m.content for m in person.messages))


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_a_plan_bought_with_renewal_renews_a_month_later_and_lapses_on_an_empty_wallet(
    sandbox, bot_app, clock, lang
):
    t = T[lang]
    admin = sandbox.user("Admin", lang=lang, user_id=ADMIN_ID)
    await admin.send("/start")
    await admin.send("/plans")
    assert t["no_plans"] in admin.last_text()
    await create_plan(admin, lang)

    anna = await credited(sandbox, admin, "Anna", lang, amount="1000")
    await anna.send("/membership")
    screen = plain(anna.last_text())
    assert t["plans_title"] in screen and t["no_refund"] in screen and t["discount"] in screen
    buy = next(b for row in anna.last_message().buttons for b in row if b.text.startswith(t["buy_renew"]))
    await anna.press(t["buy_renew"])
    screen = plain(anna.last_text())
    assert t["bought"] in screen and t["left"] in screen and t["cancel"] in " ".join(anna.buttons())
    assert await balance(bot_app.engine, anna.id) == 50_000

    await anna.press_data(buy.callback_data)  # the same Buy button again: a double tap
    assert t["already"] in anna.last_alert()
    assert await balance(bot_app.engine, anna.id) == 50_000

    await tick(bot_app)
    assert t["renewed"] not in texts(anna), "nothing is due before the month is over"
    clock.advance(days=30)  # 23 December, 15:00 in Moscow: the paid month is over
    await tick(bot_app)
    assert t["renewed"] in texts(anna) and t["renewed_until"] in texts(anna)
    assert await balance(bot_app.engine, anna.id) == 0
    await tick(bot_app)  # a second tick renews nothing more, and tells nothing twice
    assert texts(anna).count(t["renewed"]) == 1
    assert await balance(bot_app.engine, anna.id) == 0

    clock.advance(days=31)  # 23 January: renewal due, the wallet is empty
    await tick(bot_app)
    assert t["lapsed"] in texts(anna)
    assert await balance(bot_app.engine, anna.id) == 0
    await anna.send("/membership")
    assert t["plans_title"] in plain(anna.last_text()), "lapsed: the plans are offered again"


async def test_cancel_renewal_keeps_the_paid_month_then_ends(sandbox, bot_app, admin, clock):
    await admin.send("/start")
    await create_plan(admin, "en")
    boris = await credited(sandbox, admin, "Boris", "en", amount="2000")
    await boris.send("/membership")
    await boris.press("Gold: buy with monthly renewal")
    await boris.send("/membership")
    assert "Renews monthly: 500 ₽ is taken from your wallet" in plain(boris.last_text())
    await boris.press("Cancel renewal")
    assert "stays active until Wed, 23 December 2026, 15:00" in plain(boris.last_text())
    assert "not refunded" in boris.last_text()
    await boris.press("No, keep renewing")
    assert "Renews monthly" in plain(boris.last_text())
    await boris.press("Cancel renewal")
    await boris.press("Yes, cancel renewal")
    assert boris.last_alert().startswith("Renewal cancelled. «Gold» stays active until")
    assert "Renewal is off" in plain(boris.last_text())
    assert await balance(bot_app.engine, boris.id) == 150_000, "nothing refunded"

    await boris.send("/membership")
    assert "Renewal is off" in plain(boris.last_text()), "still active"
    await boris.send("/membership")
    clock.advance(days=30)
    await tick(bot_app)
    assert "Your «Gold» membership ended on Wed, 23 December 2026" in texts(boris)
    assert await balance(bot_app.engine, boris.id) == 150_000, "nothing charged for a month not renewed"
    await boris.send("/membership")
    await boris.press("Gold: buy once")
    assert "You have the «Gold» membership until Sat, 23 January 2027" in plain(boris.last_text())
    assert await balance(bot_app.engine, boris.id) == 100_000


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_buying_without_money_or_a_second_one_is_refused_and_changes_nothing(sandbox, bot_app, clock, lang):
    t = T[lang]
    admin = sandbox.user("Admin", lang=lang, user_id=ADMIN_ID)
    await admin.send("/start")
    await create_plan(admin, lang)
    vera = await credited(sandbox, admin, "Vera", lang, amount="100")
    await vera.send("/membership")
    await vera.press(t["buy_once"])
    assert plain(vera.last_alert()) == t["not_enough"]
    assert await balance(bot_app.engine, vera.id) == 10_000
    await vera.send("/membership")
    assert t["plans_title"] in plain(vera.last_text()), "no membership was made"
    older = vera.last_message()

    await admin.send(f"/credit {vera.id} 1000")
    await vera.send("/membership")
    await vera.press(t["buy_once"])
    await vera.press(t["buy_renew"], message=older)  # an older screen: a second membership at once
    assert vera.last_alert().startswith(t["active"])
    assert await balance(bot_app.engine, vera.id) == 60_000


async def test_forged_buttons_change_nothing(sandbox, bot_app, admin, clock):
    await admin.send("/start")
    await create_plan(admin, "en")
    await create_plan(admin, "en", name="Old")
    anna = await credited(sandbox, admin, "Anna", "en", amount="1000")
    await anna.send("/membership")
    await anna.press("Gold: buy with monthly renewal")
    cancel = next(b for row in anna.last_message().buttons for b in row if b.text == "Cancel renewal")
    anna_membership = MembershipCancelCb.unpack(cancel.callback_data).membership_id

    eve = await credited(sandbox, admin, "Eve", "en", amount="1000")
    await eve.send("/membership")
    # Eve cancels Anna's renewal: refused, Anna's renewal stays on.
    await eve.press_data(MembershipCancelCb(membership_id=anna_membership, confirm=1).pack())
    assert "not your running membership" in eve.last_alert()
    await anna.send("/membership")
    assert "Renews monthly" in plain(anna.last_text())

    # Admin retires "Old"; a buy button for it (or for a plan that never was) sells nothing.
    await admin.send("/plans")
    await admin.press("✏️ Old")
    await admin.press("⏹ Retire")
    await admin.press("Yes, retire it")
    assert admin.last_alert() == "«Old» is retired."
    await admin.send("/plans")
    assert "2. Old — 500 ₽ a month, 10 %: 🎭 Theatre · retired" in plain(admin.last_text())
    await eve.send("/membership")
    assert "Old" not in eve.last_text()
    for plan_id in (2, 999):
        await eve.press_data(MembershipBuyCb(plan_id=plan_id, renew=1, nonce="x").pack())
        assert "not on sale" in eve.last_alert()
    assert await balance(bot_app.engine, eve.id) == 100_000

    # A customer is no admin: /plans and forged plan buttons are refused.
    await eve.send("/plans")
    assert "administrators only" in eve.last_text()
    await eve.press_data(PlanRetireCb(plan_id=1, confirm=1).pack())
    assert "administrators only" in eve.last_alert()
    await eve.press_data(PlanSetCb(plan_id=1, what="comb", on=0).pack())
    assert "administrators only" in eve.last_alert()
    await eve.press_data("mb:1:1")  # not even a button of ours
    assert "out of date" in eve.last_alert()
    await eve.send("/membership")
    assert "Gold: buy once" in " ".join(eve.buttons()), "Gold is still on sale"


async def test_an_admin_edits_a_plan_and_wrong_values_are_refused(sandbox, bot_app, admin, clock):
    await admin.send("/start")
    await admin.send("/plans")
    await admin.press("New plan")
    await admin.send("x" * 61)
    assert "Too long" in admin.last_text()
    await admin.send("Gold")
    await admin.send("free")
    assert "Write a price above zero" in admin.last_text()
    await admin.send("500")
    await admin.send("150")
    assert "Write the discount in percent" in admin.last_text()
    await admin.send("12,5")
    await admin.press("Done")  # no category ticked: all events
    await admin.press("No")
    assert "12.5 % off tickets: all events" in plain(admin.last_text())
    assert "Does not add up" in admin.last_text()
    await admin.press("Price")
    await admin.send("700")
    assert "Saved" in admin.messages[-2].text and "700 ₽ a month" in plain(admin.last_text())
    await admin.press("Categories")
    await admin.press("⬜️ 🎭 Theatre")
    assert "covers: 🎭 Theatre." in admin.last_text()
    await admin.press("Done")
    assert "12.5 % off tickets: 🎭 Theatre" in plain(admin.last_text())
    await admin.press("Let it add up with other discounts")
    assert "Adds up with other discounts" in admin.last_text()
