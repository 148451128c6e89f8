"""Files the bot uploaded or re-sent by file_id: storage, getFile, the file download endpoint, and the
PhotoSize/Document JSON of media messages."""

from __future__ import annotations

import hashlib
import io
import itertools
import mimetypes
from typing import Any, ClassVar

from aiohttp import web

from .markup import ApiError, bad_request
from .models import StoredFile, Upload

__all__ = ["FilesMixin"]

MAX_PHOTO_BYTES = 10 * 1024 * 1024


class FilesMixin:
    API_METHODS: ClassVar[dict[str, str]] = {"getFile": "_get_file"}

    token: str

    def _setup_files(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes of a file the bot sent (by its file_id)."""
        return self._files[file_id].data

    # ------------------------------------------------------------------ storing and resolving

    def _store_file(self, upload: Upload, kind: str) -> StoredFile:
        number = next(self._file_counter)
        digest = hashlib.sha1(upload.data).hexdigest()
        width = height = 0
        mime = upload.content_type
        if kind == "photo":
            width, height, fmt = self._image_info(upload.data)
            ext = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}.get(fmt, "jpg")
            file_path = f"photos/file_{number}.{ext}"
            mime = mimetypes.types_map.get(f".{ext}", "image/jpeg")
        else:
            name = upload.filename or f"file_{number}"
            file_path = f"documents/file_{number}_{name}"
            guessed = mimetypes.guess_type(name)[0]
            if not mime or mime == "application/octet-stream":
                mime = guessed or "application/octet-stream"
        prefix = "AgACAgIAAxkDAA" if kind == "photo" else "BQACAgIAAxkDAA"
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}{digest[:20]}",
            file_unique_id=f"AQAD{digest[:12]}",
            kind=kind,
            data=upload.data,
            file_path=file_path,
            file_name=upload.filename if kind == "document" else None,
            mime_type=mime,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[file_path] = stored
        return stored

    @staticmethod
    def _image_info(data: bytes) -> tuple[int, int, str]:
        try:
            from PIL import Image
        except ImportError:  # pragma: no cover - Pillow is a project dependency
            return 0, 0, ""
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                fmt = image.format or ""
        except Exception:
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return width, height, fmt

    def _resolve_file(self, value: Any, kind: str) -> StoredFile:
        """The file of a ``photo``/``document`` parameter: a new upload or the file_id of a stored file."""
        if isinstance(value, Upload):
            if kind == "photo" and len(value.data) > MAX_PHOTO_BYTES:
                raise bad_request("PHOTO_SAVE_FILE_INVALID")
            return self._store_file(value, kind)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        stored = self._files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return stored

    # ------------------------------------------------------------------ JSON

    @staticmethod
    def _photo_size(stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width,
            "height": stored.height,
            "file_size": len(stored.data),
        }

    @staticmethod
    def _document_json(stored: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            data["file_name"] = stored.file_name
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    # ------------------------------------------------------------------ Bot API

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """``GET /file/bot<token>/<file_path>``: the download URL of getFile."""
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
