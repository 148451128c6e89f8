"""Plain data objects shared by the sandbox server, the scripted users and the terminal chat."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Button", "CallbackAnswer", "InvoiceInfo", "SandboxMessage", "StoredFile", "Upload"]


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class InvoiceInfo:
    """What an invoice message shows (the Bot API's ``Invoice``); the payload and the provider token are
    not part of it: the sandbox keeps them in :attr:`Sandbox.invoices`."""

    title: str
    description: str
    currency: str
    total_amount: int  # in the smallest units of the currency
    start_parameter: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "start_parameter": self.start_parameter,
            "currency": self.currency,
            "total_amount": self.total_amount,
        }


@dataclass
class SandboxMessage:
    """A message in a private chat, as it currently is (edits and deletions update it in place).

    ``text`` is the plain text (HTML tags stripped, references decoded); media messages have
    ``caption`` instead.  ``photo``/``document`` hold the file bytes.  An invoice (sendInvoice) has
    ``invoice`` and neither text nor caption.  ``raw`` is the JSON the Bot API would return for it now.
    """

    message_id: int
    chat_id: int
    date: int
    from_bot: bool = True
    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    photo: bytes | None = None
    document: bytes | None = None
    document_name: str | None = None
    file_id: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    invoice: InvoiceInfo | None = None
    deleted: bool = False
    edited: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def content(self) -> str:
        """``text`` or ``caption`` (empty string when neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def file_name(self) -> str | None:
        """File name of a document message (alias of ``document_name``)."""
        return self.document_name

    def button_labels(self) -> list[str]:
        """Labels of the inline buttons, row-major."""
        return [button.text for row in self.buttons for button in row]

    def reply_keyboard_labels(self) -> list[str]:
        return [label for row in self.reply_keyboard or [] for label in row]

    def find_button(self, label: str) -> Button | None:
        for row in self.buttons:
            for button in row:
                if button.text == label:
                    return button
        return None


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a callback query (``answerCallbackQuery``)."""

    query_id: str
    user_id: int
    chat_id: int | None
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request (what ``calls`` shows for uploaded files)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {len(self.data)} bytes)"


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
