"""The state archive, as archive reaches it: offer, appraisal, handover (xdomea over HTTP).

An adapter, so a real archive's transport (XTA/OSCI, a file drop) can take its place: the
messages stay the same xdomea messages. ``HttpStateArchive`` speaks to an archive (in the
embedded default and the tests: ``devstack.state_archive``, the local simulator) under
``ARCHIVE_STATE_ARCHIVE_URL``:

* ``POST {url}/aussonderungen/{process}/0501`` — the offer; answered with the receipt (0504);
* ``GET  {url}/aussonderungen/{process}/0502`` — the appraisal, 404 while the archive still
  appraises (days, with a real one);
* ``POST {url}/aussonderungen/{process}/0503`` — the handover package (ZIP); answered with the
  import confirmation (0506).
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

import httpx


class StateArchiveUnavailable(Exception):
    """The state archive could not be asked (down, or it refused the message)."""


class StateArchive(Protocol):
    """What disposal needs from a state archive."""

    async def offer(self, process_id: UUID, message: bytes) -> bytes:
        """Send the 0501; returns the archive's receipt (0504)."""
        ...

    async def appraisal(self, process_id: UUID) -> bytes | None:
        """The archive's 0502, or ``None`` while it has not appraised the offer yet."""
        ...

    async def hand_over(self, process_id: UUID, package: bytes) -> bytes:
        """Send the 0503 package; returns the archive's import confirmation (0506)."""
        ...


class HttpStateArchive:
    """A state archive behind an HTTP endpoint."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout

    async def offer(self, process_id: UUID, message: bytes) -> bytes:
        return await self._send("POST", process_id, "0501", message, "application/xml")

    async def appraisal(self, process_id: UUID) -> bytes | None:
        try:
            return await self._send("GET", process_id, "0502")
        except _NotYet:
            return None

    async def hand_over(self, process_id: UUID, package: bytes) -> bytes:
        return await self._send("POST", process_id, "0503", package, "application/zip")

    async def _send(
        self,
        method: str,
        process_id: UUID,
        message_type: str,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> bytes:
        url = f"{self._base}/aussonderungen/{process_id}/{message_type}"
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                answer = await client.request(method, url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise StateArchiveUnavailable(f"{method} {url}: {exc!r}") from exc
        if answer.status_code == 404 and method == "GET":
            raise _NotYet
        if answer.status_code != 200:
            raise StateArchiveUnavailable(
                f"{method} {url}: {answer.status_code} {answer.text[:300]}"
            )
        return answer.content


class _NotYet(Exception):
    pass
