"""A demo catalogue for the sandbox, made the way a real organizer makes one: a demo organizer asks for
the role and the admin approves it, then each event is created, filled in, given its tariffs and
published through the organizer services, and a demo buyer pays for most of the last tickets of one
event (an admin credit, a cart, a wallet payment). No second way into the tables."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.event_fields import EventField
from domain.models import TelegramProfile

if TYPE_CHECKING:
    from bot.app import Services

DEMO_ORGANIZER = TelegramProfile(1002, "Demo Organizer", username="demo_organizer", language_code="ru")
DEMO_BUYER = TelegramProfile(1003, "Demo Buyer", language_code="ru")
DEMO_ATTENDEES = ("Анна Смирнова", "Иван Смирнов")  # the demo buyer's two tickets

DEMO = [
    (
        "Маузер",
        "Константин Райкин, Театр «Сатирикон»",
        "Премьера по пьесе Хайнера Мюллера: революция, долг и цена выбора.",
        "Театр «Сатирикон», Москва",
        "theatre",
        12,
        "16+",
        [("Партер", 3_500, 120), ("Балкон", 1_500, 80), ("VIP", 9_000, 10)],
    ),
    (
        "Mauser: online premiere",
        "Konstantin Raikin",
        "The streamed premiere with English subtitles.",
        "Online",
        "theatre",
        13,
        "16+",
        [("Online", 900, 1000)],
    ),
    (
        "Щелкунчик",
        "Большой театр, балетная труппа",
        "Балет П. И. Чайковского.",
        "Большой театр, Москва",
        "theatre",
        20,
        "0+",
        [("Партер", 8_000, 200), ("Амфитеатр", 4_000, 300)],
    ),
    (
        "Jazz Night: Moscow Trio",
        "Moscow Jazz Trio",
        "An evening of standards and new tunes.",
        "Jazz Club Esse, Moscow",
        "concert",
        5,
        "18+",
        [("Standard", 2_000, 60), ("Table for two", 7_000, 10)],
    ),
    (
        "Лебединое озеро",
        "Театр классического балета",
        "Последние билеты на сезон!",
        "МДМ, Москва",
        "theatre",
        3,
        "0+",
        [("Стандарт", 3_000, 3)],
    ),
]
ALMOST_SOLD_OUT = "Лебединое озеро"


async def seed_demo(services: Services, clock: Clock, admin_telegram_id: int, tz: ZoneInfo) -> int:
    """Create the demo events unless the demo organizer has some already. Returns how many were added."""
    s = services
    admin = await s.users.identify(TelegramProfile(admin_telegram_id, "You"))
    organizer = await s.users.identify(DEMO_ORGANIZER)
    if not await s.organizers.is_organizer(organizer):
        filed = await s.organizers.request(organizer, "Демо-организатор: театр, балет и джаз")
        await s.organizers.decide(admin, filed.request.id, approve=True)
    if (await s.organizers.my_events(organizer)).total:
        return 0
    now = clock.now()
    almost: int | None = None
    for title, performers, description, venue, category, days, age, tariffs in DEMO:
        starts = (now + timedelta(days=days)).astimezone(tz).replace(hour=19, minute=0, second=0, microsecond=0)
        event = await s.editor.create(organizer, title)
        for field, value in (
            (EventField.PERFORMERS, performers),
            (EventField.DESCRIPTION, description),
            (EventField.VENUE, venue),
            (EventField.CATEGORY, category),
            (EventField.STARTS_AT, starts.strftime("%d.%m.%Y %H:%M")),
            (EventField.ENDS_AT, (starts + timedelta(hours=3)).strftime("%d.%m.%Y %H:%M")),
            (EventField.AGE_LIMIT, age),
        ):
            await s.editor.set_text(organizer, event.id, field, value, tz)
        for name, price, quantity in tariffs:
            tt = await s.tariffs.create(organizer, event.id, {"name": name, "price": price * 100, "quantity": quantity})
            if title == ALMOST_SOLD_OUT:
                almost = tt.id
        await s.editor.publish(organizer, event.id)
    if almost is not None:
        buyer = await s.users.identify(DEMO_BUYER)
        await s.wallet.admin_credit(admin, DEMO_BUYER.telegram_id, "6000", key="demo:credit")
        view = await s.cart.add_tickets(buyer.id, almost, 2)
        for seat, name in enumerate(DEMO_ATTENDEES):
            view = await s.attendees.name(buyer.id, view.ready[0].item_id, seat, name)
        await s.checkout.pay_from_wallet(buyer.id, view.version, view.terms)
    return len(DEMO)
