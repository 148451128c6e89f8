"""``ScriptedUser``: a person chatting with the bot under test through the sandbox."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .inline import InlineAnswer
from .models import Button, CallbackAnswer, SandboxMessage
from .views import ChatView

if TYPE_CHECKING:
    from .groups import SandboxChannel, SandboxGroup
    from .payments import PaymentResult
    from .server import Sandbox
    from .updates import _Pending

__all__ = ["ScriptedUser"]

_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ScriptedUser(ChatView):
    """A Telegram user in a private chat with the bot (chat id == user id), who may also be a member of
    groups (:meth:`Sandbox.group`).

    ``send``/``press``/``press_data``/``open``/``repeat_last_update`` post an update and, by default,
    wait until the bot has *processed* it: the update was fetched by getUpdates and a later getUpdates
    confirmed it (offset > update_id).  That only means "processed" when the bot polls with
    ``handle_as_tasks=False``.  They return the bot messages sent or edited meanwhile in the chat the
    update came from (the private chat, or the group for ``chat=group``).  Pass ``wait=False`` to just
    post the update (returns ``[]``).

    ``messages``, ``last_text()``, ``buttons()`` ... read the private chat; read a group's through the
    :class:`SandboxGroup`.
    """

    def __init__(self, sandbox: Sandbox, user_id: int, name: str, lang: str, username: str | None) -> None:
        self._sandbox = sandbox
        self.id = user_id
        self.name = name
        self.lang = lang
        self.username = username
        self.alerts: list[CallbackAnswer] = []  # every answerCallbackQuery to this user's queries
        self._query_ids: list[str] = []
        self._last_update: _Pending | None = None

    def __repr__(self) -> str:
        return f"ScriptedUser(id={self.id}, name={self.name!r}, lang={self.lang!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def _label(self) -> str:
        return self.name

    # ------------------------------------------------------------------ actions

    async def send(self, text: str, *, chat: SandboxGroup | None = None, wait: bool = True) -> list[SandboxMessage]:
        """Send a text message (a leading "/" makes it a bot command) to the bot, or to ``chat``, a group
        this user is a member of.  In a group where privacy mode hides the message from the bot
        (see :class:`SandboxGroup`) no update is posted and this returns ``[]`` at once."""
        if chat is None:
            tracker = self._sandbox._post_user_message(self, text)
        else:
            tracker = self._sandbox._post_group_message(self, chat, text)
        return await self._sandbox._wait(tracker) if wait and tracker is not None else []

    async def forward(self, text: str, origin: ScriptedUser | str, *, wait: bool = True) -> list[SandboxMessage]:
        """Forward into the private chat a message `origin` wrote (a ScriptedUser), or one whose author
        hides their account in forwards (pass their display name as a string)."""
        tracker = self._sandbox._post_user_forward(self, text, origin)
        return await self._sandbox._wait(tracker) if wait else []

    async def inline(self, query: str, offset: str = "", chat_type: str = "supergroup") -> InlineAnswer:
        """Type ``@bot query`` in a chat (a group by default) and wait for the bot's answerInlineQuery."""
        tracker, query_id = self._sandbox._post_inline_query(self, query, offset, chat_type)
        await self._sandbox._wait(tracker)
        answer = self._sandbox.inline_answer(query_id)
        if answer is None:
            raise AssertionError(f"{self.name}: the bot did not answer the inline query {query!r}")
        return answer

    async def pay(
        self,
        invoice_message: SandboxMessage,
        *,
        wait: bool = True,
        tip: int = 0,
        order_info: dict[str, Any] | None = None,
    ) -> PaymentResult:
        """Pay the invoice ``invoice_message`` (a message the bot sent with sendInvoice) as Telegram's
        payment form does: post a ``pre_checkout_query`` and wait up to ``Sandbox.pre_checkout_timeout``
        seconds for answerPreCheckoutQuery.  ok=True: post this user's ``successful_payment`` message (in
        their private chat) and, with ``wait``, wait until the bot has processed it.  ok=False or no answer
        in time: nothing more is delivered.  Returns a :class:`PaymentResult` (outcome "paid", "refused" or
        "timeout"); never raises for a refusal or a timeout.

        ``tip``: a tip in the smallest units (at most the invoice's max_tip_amount), added to the total.
        ``order_info``: what the payer fills in; fields the invoice asks for (need_name, need_phone_number,
        need_email) and that are not given get this user's name, a made-up phone number and e-mail.
        An invoice may be paid more than once (each payment gets new charge ids)."""
        return await self._sandbox._pay(self, invoice_message, wait=wait, tip=tip, order_info=order_info)

    async def redeliver_successful_payment(self, result: PaymentResult, *, wait: bool = True) -> list[SandboxMessage]:
        """Deliver the successful_payment of ``result`` (a paid :meth:`pay`) once more, as a new message
        with a new update_id and message_id but the same charge ids, as when Telegram delivers it twice."""
        return await self._sandbox._redeliver_successful_payment(self, result, wait=wait)

    def block_bot(self) -> None:
        """Block the bot, as in Telegram's "Stop and block": its sends to this person answer 403."""
        self._sandbox.blocked_by.add(self.id)

    def unblock_bot(self) -> None:
        self._sandbox.blocked_by.discard(self.id)

    async def send_photo(self, data: bytes, caption: str = "", *, wait: bool = True) -> list[SandboxMessage]:
        """Send a picture (PNG/JPEG bytes) as a photo in the private chat, with an optional caption."""
        tracker = self._sandbox._post_user_media(self, "photo", data, caption, "photo.jpg", "image/jpeg")
        return await self._sandbox._wait(tracker) if wait else []

    async def send_document(
        self, data: bytes, file_name: str, mime_type: str = "", caption: str = "", *, wait: bool = True
    ) -> list[SandboxMessage]:
        """Send a file (as Telegram's "send as file", uncompressed) in the private chat."""
        tracker = self._sandbox._post_user_media(self, "document", data, caption, file_name, mime_type)
        return await self._sandbox._wait(tracker) if wait else []

    async def press(
        self,
        label: str,
        *,
        message: SandboxMessage | None = None,
        chat: SandboxGroup | SandboxChannel | None = None,
        wait: bool = True,
    ) -> list[SandboxMessage]:
        """Press the inline button labelled ``label`` (exact match, else unique case-insensitive substring)
        in the newest bot message that has it, or in ``message``; in the private chat, or in ``chat``
        (a group or channel).  Falls back to the current reply keyboard, whose buttons are pressed by
        sending their text."""
        view = self._view(chat, message)
        found = view._find_inline(label, message, self.name)
        if found is None:
            reply_label = None
            if message is None and view.chat_id in (self.id, *self._sandbox._groups):
                reply_label = view._find_reply_button(label, self.name)
            if reply_label is None:
                where = "" if view is self else f" in {view._label}"
                raise AssertionError(
                    f"{self.name}: no button matching {label!r}{where}; visible buttons: {view._visible_buttons()}"
                )
            return await self.send(reply_label, chat=None if view is self else chat, wait=wait)
        target, button = found
        return await self.press_button(target, button, wait=wait)

    async def press_button(self, message: SandboxMessage, button: Button, *, wait: bool = True) -> list[SandboxMessage]:
        """Press a specific :class:`Button` of ``message`` (in whatever chat it is)."""
        if message.deleted:
            raise AssertionError(f"{self.name}: message {message.message_id} was deleted; can't press its buttons")
        if button.url is not None:
            raise AssertionError(
                f"{self.name}: button {button.text!r} is a link to {button.url}; use `await user.open(url)`"
            )
        if button.raw.get("pay") is True:
            raise AssertionError(f"{self.name}: button {button.text!r} is a Pay button; use `await user.pay(message)`")
        if button.callback_data is None:
            raise AssertionError(f"{self.name}: button {button.text!r} has no callback_data ({button.raw})")
        return await self._press(message, button.callback_data, wait)

    async def press_data(
        self,
        data: str,
        message: SandboxMessage | None = None,
        *,
        chat: SandboxGroup | SandboxChannel | None = None,
        wait: bool = True,
    ) -> list[SandboxMessage]:
        """Send a callback query with arbitrary (possibly forged) ``data`` on ``message`` or the newest
        bot message with an inline keyboard (the newest bot message if none has one) of the private
        chat or of ``chat``."""
        view = self._view(chat, message)
        target = message or view._newest_with_keyboard() or (view.messages[-1] if view.messages else None)
        if target is None:
            raise AssertionError(f"{self.name}: the bot has sent no message to attach a callback query to")
        return await self._press(target, data, wait)

    async def open(self, link: str, *, wait: bool = True) -> list[SandboxMessage]:
        """Follow a deep link to this bot: ``https://t.me/<bot>?start=<payload>`` or
        ``tg://resolve?domain=<bot>&start=<payload>`` sends ``/start <payload>`` (plain ``/start`` without
        a payload)."""
        parts = urlsplit(link.strip())
        query = parse_qs(parts.query)
        if parts.scheme in {"http", "https"} and parts.netloc.lower() in {"t.me", "telegram.me", "www.t.me"}:
            username = parts.path.strip("/").split("/")[0]
        elif parts.scheme == "tg" and parts.netloc == "resolve":
            username = (query.get("domain") or [""])[0]
        else:
            raise AssertionError(f"{self.name}: {link!r} is not a Telegram deep link")
        if username.lower() != self._sandbox.bot_username.lower():
            raise AssertionError(
                f"{self.name}: {link!r} points to @{username}, not to this bot @{self._sandbox.bot_username}"
            )
        payload = (query.get("start") or [None])[0]
        if payload is None:
            return await self.send("/start", wait=wait)
        if not _PAYLOAD_RE.match(payload):
            raise AssertionError(
                f"{self.name}: start parameter {payload!r} is invalid (Telegram allows 1-64 characters of A-Za-z0-9_-)"
            )
        return await self.send(f"/start {payload}", wait=wait)

    async def repeat_last_update(self, *, wait: bool = True) -> list[SandboxMessage]:
        """Deliver this user's last update again (same update_id and content), as Telegram does when the
        bot crashed before confirming it; waits until it is confirmed again."""
        if self._last_update is None:
            raise AssertionError(f"{self.name}: has not sent any update yet")
        tracker = self._sandbox._requeue(self._last_update, f"last update of {self.name}")
        return await self._sandbox._wait(tracker) if wait else []

    # ------------------------------------------------------------------ inspection

    def last_alert(self) -> str | None:
        """Text of the latest answerCallbackQuery to this user's queries (None when none / no text)."""
        return self.alerts[-1].text if self.alerts else None

    def answered(self, query_id: str) -> bool:
        query = self._sandbox._queries.get(query_id)
        return query is not None and query.answer is not None

    def unanswered_queries(self) -> list[str]:
        """Ids of this user's callback queries that the bot never answered."""
        return [q for q in self._query_ids if not self.answered(q)]

    @property
    def query_ids(self) -> list[str]:
        return list(self._query_ids)

    # ------------------------------------------------------------------ internals

    def _view(self, chat: SandboxGroup | SandboxChannel | None, message: SandboxMessage | None) -> ChatView:
        """Where to look for buttons: ``chat``, else the chat of ``message``, else the private chat."""
        if chat is not None:
            return chat
        if message is not None and message.chat_id != self.id:
            view = self._sandbox._chat_view(message.chat_id)
            if view is None:
                raise AssertionError(f"{self.name}: message {message.message_id} is in another user's private chat")
            return view
        return self

    async def _press(self, message: SandboxMessage, data: str, wait: bool) -> list[SandboxMessage]:
        group = self._sandbox._groups.get(message.chat_id)
        if group is not None and self not in group.members:
            raise AssertionError(f"{self.name} is not a member of group {group.title!r}; can't press buttons there")
        tracker, _ = self._sandbox._post_callback(self, message, data)
        return await self._sandbox._wait(tracker) if wait else []
