"""An event with a poster: its card is the photo with the card as caption (within Telegram's 1,024),
sent once; the tariff picker and Back edit that caption instead of sending another photo."""

from __future__ import annotations

from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer, poster_png


async def test_the_poster_card_is_sent_once_and_edited_in_place(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await olga.press("✏️ Poster")
    await olga.send_photo(poster_png())
    await olga.press("✏️ Description")
    await olga.send("Очень длинное описание. " * 80)  # about 1,900 characters: too long for a caption
    await olga.press("✏️ Conditions")
    await olga.send("Паспорт обязателен.")

    anna = sandbox.user("Anna")
    await anna.send("Маузер")
    await anna.press("Маузер")
    card = anna.last_message()
    assert card.photo == poster_png()
    assert "Маузер" in card.caption and "Сатирикон" in card.caption and "Паспорт обязателен" in card.caption
    assert len(card.caption) <= 1024 and "Очень длинное" not in card.caption
    photos = sum(1 for m in anna.messages if m.photo)
    await anna.press("Standard")
    assert anna.last_message() is card and "Add to cart" in " ".join(anna.buttons())
    await anna.press("➕")
    await anna.press("Back")
    assert anna.last_message() is card and "Сатирикон" in card.caption
    assert sum(1 for m in anna.messages if m.photo) == photos  # edited, never sent again
    await anna.press("Standard")
    await anna.press("Add to cart")
    assert "cart" in anna.last_text().lower()
    assert anna.unanswered_queries() == []
