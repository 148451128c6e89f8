"""Becoming an organizer, end to end through the sandbox: the request, the admins' card and decision,
the answer, each person's own command menu, the role taken back, and the own-events list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import set_commands
from domain.models import Event, EventStatus
from storage.tables import organizer_requests, users
from storage.uow import UnitOfWorkFactory

CUSTOMER_MENU = [
    "search",
    "cart",
    "tickets",
    "orders",
    "wallet",
    "membership",
    "language",
    "terms",
    "paysupport",
    "organizer",
    "help",
]
ORGANIZER_MENU = [
    *("search", "cart", "tickets", "orders", "wallet", "membership", "language", "terms", "paysupport"),
    *("events", "new_event", "report", "order", "help"),
]

T = {
    "en": {
        "usage": "send /organizer and one line",
        "sent": "Your request has gone to the administrators",
        "pending": "already with the administrators",
        "approved": "You are an organizer now",
        "declined": "was declined",
        "already": "You are an organizer already",
        "not_organizer": "This is for organizers",
        "no_events": "You have no events yet",
        "too_short": "between 3 and 500 characters",
        "revoked": "withdrawn by the administrators",
    },
    "ru": {
        "usage": "отправьте /organizer и одну строку",
        "sent": "Заявка отправлена администраторам",
        "pending": "уже у администраторов",
        "approved": "Теперь вы организатор",
        "declined": "отклонена",
        "already": "Вы уже организатор",
        "not_organizer": "Это для организаторов",
        "no_events": "У вас пока нет мероприятий",
        "too_short": "от 3 до 500 символов",
        "revoked": "сняли с вас роль организатора",
    },
}


def menu(sandbox, person) -> list[str]:
    return [command for command, _ in sandbox.menu_of(person.id, person.lang)]


async def _role(engine, telegram_id: int) -> bool:
    async with engine.connect() as conn:
        return bool(
            (await conn.execute(select(users.c.is_organizer).where(users.c.telegram_id == telegram_id))).scalar()
        )


async def _requests(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(organizer_requests))).scalar_one()


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_a_person_asks_an_admin_approves_and_the_menu_grows(sandbox, bot_app, admin, lang):
    t = T[lang]
    await admin.send("/start")
    anna = sandbox.user("Anna", lang=lang, username="satirikon")
    await anna.send("/start")
    assert "/organizer" in anna.last_text()
    assert menu(sandbox, anna) == CUSTOMER_MENU

    await anna.send("/organizer")
    assert t["usage"] in anna.last_text()
    await anna.send("/organizer Hi")
    assert t["too_short"] in anna.last_text()
    assert await _requests(bot_app.engine) == 0

    await anna.send("/organizer Театр «Сатирикон» <b>драма</b>")
    assert t["sent"] in anna.last_text()
    card = admin.last_message()
    assert "Organizer request" in card.text and "Anna @satirikon" in card.text
    assert "<b>драма</b>" in card.text  # the applicant's markup is shown as typed, never applied
    assert admin.buttons() == ["✅ Approve", "❌ Decline"]
    decline = card.buttons[0][1].callback_data
    await anna.send("/organizer Once more")
    assert t["pending"] in anna.last_text()
    assert await _requests(bot_app.engine) == 1

    await anna.send("/events")
    assert t["not_organizer"] in anna.last_text()

    await admin.press("✅ Approve")
    assert "Approved by Admin" in admin.last_text() and admin.buttons() == []
    assert t["approved"] in anna.last_text()
    assert await _role(bot_app.engine, anna.id)
    assert menu(sandbox, anna) == ORGANIZER_MENU
    assert menu(sandbox, sandbox.user("Passer-by", lang=lang)) == CUSTOMER_MENU  # only hers changed

    await admin.press_data(decline, message=card)  # Decline, pressed after the approval
    assert "was approved already" in admin.last_alert()
    assert await _role(bot_app.engine, anna.id)

    await anna.send("/events")
    assert t["no_events"] in anna.last_text()
    await anna.send("/organizer Again")
    assert t["already"] in anna.last_text()
    assert admin.unanswered_queries() == []


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_a_declined_person_is_told_and_a_forged_approval_changes_nothing(sandbox, bot_app, admin, lang):
    t = T[lang]
    await admin.send("/start")
    boris = sandbox.user("Boris", lang=lang)
    await boris.send("/organizer Concert agency")
    card = admin.last_message()
    approve = card.buttons[0][0].callback_data

    await boris.press_data(approve)  # the applicant forges the admin's button
    assert "administrators only" in boris.last_alert() or "администраторов" in boris.last_alert()
    assert not await _role(bot_app.engine, boris.id)

    await admin.press("❌ Decline")
    assert "Declined by Admin" in admin.last_text()
    assert t["declined"] in boris.last_text()
    assert not await _role(bot_app.engine, boris.id)
    assert menu(sandbox, boris) == CUSTOMER_MENU

    await admin.press_data(approve, message=card)  # a stale Approve on the decided card
    assert "was declined already" in admin.last_alert()
    assert not await _role(bot_app.engine, boris.id)
    await admin.press_data("od:999999:1", message=card)
    assert "no longer exists" in admin.last_alert()

    await boris.send("/organizer Concert agency, with references")  # a new request is allowed
    assert t["sent"] in boris.last_text()
    assert "Organizer request" in admin.last_text()
    assert boris.unanswered_queries() == [] and admin.unanswered_queries() == []


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_an_admin_takes_the_role_back_and_the_menu_follows(sandbox, bot_app, admin, lang):
    t = T[lang]
    await admin.send("/start")
    vera = sandbox.user("Vera", lang=lang, username="Vera_Events")
    await vera.send("/organizer Festival team")
    await admin.press("✅ Approve")
    assert menu(sandbox, vera) == ORGANIZER_MENU

    await vera.send("/revoke_organizer @Vera_Events")
    assert "administrators only" in vera.last_text() or "администраторов" in vera.last_text()
    assert await _role(bot_app.engine, vera.id)

    await admin.send("/revoke_organizer")
    assert "Usage: /revoke_organizer <telegram_id or @username>" in admin.last_text()
    await admin.send("/revoke_organizer @@x!")
    assert "neither a Telegram id nor an @username" in admin.last_text()
    await admin.send("/revoke_organizer @nobody_knows")
    assert "@nobody_knows has not started the bot" in admin.last_text()

    await admin.send("/revoke_organizer @vera_events")
    assert "is no longer an organizer" in admin.last_text()
    assert t["revoked"] in vera.last_text()
    assert not await _role(bot_app.engine, vera.id)
    assert menu(sandbox, vera) == CUSTOMER_MENU
    await vera.send("/events")
    assert t["not_organizer"] in vera.last_text()

    await admin.send(f"/revoke_organizer {vera.id}")
    assert "is not an organizer" in admin.last_text()


async def test_admins_get_their_own_menu_and_an_organizer_sees_their_events_in_pages(sandbox, bot_app, admin, clock):
    await admin.send("/start")
    await set_commands(bot_app)  # as at start-up: the admins who have a chat with the bot get their menu
    assert menu(sandbox, admin)[-5:] == ["credit", "staff", "plans", "revoke_organizer", "help"]
    assert "events" not in menu(sandbox, admin)

    gala = sandbox.user("Gala", lang="ru")
    await gala.send("/organizer Филармония")
    await admin.press("✅ Approve")
    async with UnitOfWorkFactory(bot_app.engine)() as u:
        owner = await u.users.by_telegram_id(gala.id)
        other = await u.users.by_telegram_id(admin.id)
        for n in range(12):
            status = EventStatus.DRAFT if n == 11 else EventStatus.PUBLISHED
            await u.events.add(
                Event(0, f"Концерт {n}", clock.now() + timedelta(days=n + 1), "Зал", status, organizer_id=owner.id)
            )
        await u.events.add(Event(0, "Чужое", clock.now() + timedelta(days=2), "Зал", organizer_id=other.id))
        await u.commit()

    await gala.send("/events")
    first = gala.last_text()
    assert "12 мероприятий" in first and "страница 1 из 2" in first
    assert "1. 📝 Концерт 11" in first and "черновик" in first and "Чужое" not in first
    await gala.press("Дальше ▶️")
    second = gala.last_text()
    assert "страница 2 из 2" in second and "Концерт 0" in second and "Концерт 11" not in second
    await gala.press_data("oe:9999")  # a forged page past the end shows the last page
    assert "страница 2 из 2" in gala.last_text()
    stranger = sandbox.user("Stranger")
    await stranger.send("/start")
    await stranger.press_data("oe:0")
    assert "This is for organizers" in stranger.last_alert()
    assert gala.unanswered_queries() == [] and stranger.unanswered_queries() == []
