"""The ticket picture: a QR code of the check-in deep link, with the short code under it."""

from __future__ import annotations

import io

import qrcode
from aiogram.types import BufferedInputFile
from PIL import ImageDraw
from qrcode.constants import ERROR_CORRECT_M


def qr_png(link: str, label: str) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(link)
    qr.make(fit=True)
    image = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    draw = ImageDraw.Draw(image)
    width, height = image.size
    text_width = draw.textlength(label)
    draw.text(((width - text_width) / 2, height - 30), label, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_file(link: str, label: str) -> BufferedInputFile:
    return BufferedInputFile(qr_png(link, label), filename=f"ticket-{label}.png")
