"""Supergroups and channels the bot is in, as tests see them: :class:`SandboxGroup`, :class:`SandboxChannel`.

Create them with :meth:`Sandbox.group` and :meth:`Sandbox.channel`.  A member posts in a group with
``await anna.send("/wallet", chat=group)`` and presses buttons of bot messages there with
``await anna.press("Buy", chat=group)``.  What Telegram sends for the senders who are not a user:

* an anonymous group administrator (:meth:`SandboxGroup.send_as_anonymous_admin`): ``from`` is
  GroupAnonymousBot (id 1087968824), ``sender_chat`` is the group itself;
* a post in the group's linked channel (:meth:`SandboxChannel.post`): a ``channel_post`` update (no
  ``from``; ``sender_chat`` is the channel) when the bot is in the channel, and in the discussion group
  an automatic forward with ``from`` = Telegram (id 777000), ``sender_chat`` = the channel,
  ``is_automatic_forward`` = true and ``forward_origin`` of type "channel".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .views import ChatView

if TYPE_CHECKING:
    from .client import ScriptedUser
    from .models import SandboxMessage
    from .server import Sandbox

__all__ = ["SandboxChannel", "SandboxGroup"]


class SandboxGroup(ChatView):
    """A supergroup (``type`` "supergroup", id like -100xxxxxxxxxx) with the bot as a member.

    ``bot_is_admin``: Telegram delivers every group message to a bot that is an administrator.  When
    False and the sandbox runs in privacy mode (``Sandbox(privacy_mode=True)``, the default), only
    commands (``/cmd`` or ``/cmd@<this bot>``) reach the bot; other messages are stored in the chat but
    produce no update, and the ``send`` that posted them returns ``[]`` at once.

    Reading: ``messages``, ``history``, ``last_message()``, ``last_text()``, ``buttons()`` ... show the
    bot's messages in the group, like a :class:`ScriptedUser` shows those of its private chat.
    """

    type = "supergroup"

    def __init__(
        self,
        sandbox: Sandbox,
        chat_id: int,
        title: str,
        *,
        username: str | None,
        bot_is_admin: bool,
        linked_channel: SandboxChannel | None,
    ) -> None:
        self._sandbox = sandbox
        self.id = chat_id
        self.title = title
        self.username = username
        self.bot_is_admin = bot_is_admin
        self.linked_channel = linked_channel
        self.members: list[ScriptedUser] = []

    def __repr__(self) -> str:
        return f"SandboxGroup(id={self.id}, title={self.title!r}, members={[m.name for m in self.members]})"

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def _label(self) -> str:
        return f"group {self.title!r}"

    def add(self, *users: ScriptedUser) -> SandboxGroup:
        """Make ``users`` members (they can then post and press buttons here)."""
        for person in users:
            if person not in self.members:
                self.members.append(person)
        return self

    async def send_as_anonymous_admin(
        self, text: str, *, signature: str | None = None, wait: bool = True
    ) -> list[SandboxMessage]:
        """Post ``text`` as an administrator who remains anonymous: ``from`` is GroupAnonymousBot
        (id 1087968824, is_bot true), ``sender_chat`` is this group; ``signature`` (the admin's custom
        title) becomes ``author_signature``.  Waits like :meth:`ScriptedUser.send`; returns the bot
        messages sent or edited in this group meanwhile."""
        tracker = self._sandbox._post_anonymous_admin(self, text, signature)
        return await self._sandbox._wait(tracker) if wait and tracker else []


class SandboxChannel(ChatView):
    """A channel (``type`` "channel"); ``bot_is_member`` means the bot was added (bots join channels as
    administrators): it then gets ``channel_post`` updates and may post there.  Link it to a group with
    ``sandbox.group(..., linked_channel=channel)`` to make that group its discussion group."""

    type = "channel"

    def __init__(
        self, sandbox: Sandbox, chat_id: int, title: str, *, username: str | None, bot_is_member: bool
    ) -> None:
        self._sandbox = sandbox
        self.id = chat_id
        self.title = title
        self.username = username
        self.bot_is_member = bot_is_member
        self.linked_group: SandboxGroup | None = None

    def __repr__(self) -> str:
        return f"SandboxChannel(id={self.id}, title={self.title!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def _label(self) -> str:
        return f"channel {self.title!r}"

    async def post(self, text: str, *, signature: str | None = None, wait: bool = True) -> list[SandboxMessage]:
        """Publish ``text`` in the channel.  The bot gets a ``channel_post`` update if it is a member, and
        the linked discussion group (if any) gets the automatic forward as a ``message`` update.

        With ``wait`` returns once the bot processed both (a channel_post the bot does not ask for in
        ``allowed_updates`` is not delivered, like on Telegram, and is not an error); returns the bot
        messages sent or edited meanwhile in the channel and in the linked group."""
        trackers = self._sandbox._post_channel_post(self, text, signature)
        if not wait:
            return []
        return await self._sandbox._wait(*trackers, tolerate=("dropped: the bot does not receive 'channel_post'",))
