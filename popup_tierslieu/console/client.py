"""The console's only way to the data: the server's HTTP API and its event stream,
with the concierge token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson

from .. import i18n
from ..errors import N_

# The server sends a keep-alive comment every 15 s: a longer silence means it is gone.
STREAM_READ_TIMEOUT = 40.0


class ApiError(Exception):
    """An answer the concierge should read: the server's own message, or why it is
    unreachable."""

    def __init__(self, message: str, status: int | None = None, code: str = "",
                 fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.fields = fields or {}


class Unreachable(ApiError):
    @classmethod
    def because(cls, base_url: str, exc: httpx.HTTPError) -> Unreachable:
        """The address and a reason the concierge can act on, not httpx's class name."""
        why = next((why for kind, why in REASONS if isinstance(exc, kind)), N_("network error"))
        return cls(f"{base_url}: {i18n.gettext(why)}")


# The most specific first: a ConnectTimeout is also a TimeoutException.
REASONS: tuple[tuple[type[httpx.HTTPError], str], ...] = (
    (httpx.ConnectTimeout, N_("no answer to the connection (wrong address or network?)")),
    (httpx.ConnectError, N_("connection refused (is the server running?)")),
    (httpx.TimeoutException, N_("the server takes too long to answer")),
    (httpx.RemoteProtocolError, N_("the connection was cut")),
)


class ApiClient:
    def __init__(self, base_url: str, token: str, lang: str = "fr",
                 timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.lang = lang
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/api/v1", timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Unreachable.because(self.base_url, exc) from exc
        if response.status_code >= 400:
            raise self._error(response.status_code, response.content)
        try:
            return response.json()
        except ValueError:
            raise ApiError(f"HTTP {response.status_code}", response.status_code) from None

    @staticmethod
    def _error(status: int, content: bytes) -> ApiError:
        """The server's own message (in the desk's language) for a 4xx or 5xx answer."""
        try:
            error = orjson.loads(content)["error"]
            return ApiError(error["message"], status, error.get("code", ""),
                            error.get("fields") or {})
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return ApiError(f"HTTP {status}", status)

    async def stream(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Server-sent events as (kind, data) until the server closes the stream;
        Unreachable when it cannot be reached or goes silent."""
        timeout = httpx.Timeout(self._http.timeout.connect, read=STREAM_READ_TIMEOUT)
        kind, data = "message", b""
        try:
            async with self._http.stream("GET", "/stream", timeout=timeout) as response:
                if response.status_code != 200:
                    raise self._error(response.status_code, await response.aread())
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip().encode()
                    elif not line:
                        if data:
                            try:
                                yield kind, orjson.loads(data)
                            except orjson.JSONDecodeError:
                                pass  # a damaged event is skipped; the next refresh catches up
                        kind, data = "message", b""
        except httpx.HTTPError as exc:
            raise Unreachable.because(self.base_url, exc) from exc

    async def event(self) -> dict[str, Any]:
        return await self.request("GET", "/event")

    async def stats(self) -> dict[str, Any]:
        return await self.request("GET", "/stats")

    async def programme(self) -> dict[str, Any]:
        """Workshops running now and starting next."""
        return await self.request("GET", "/desk/programme")

    async def check_in(self, token_or_url: str, desk: str = "desk",
                       scanned_at: str | None = None) -> dict[str, Any]:
        body = {"token": token_or_url, "desk": desk}
        if scanned_at:
            body["scanned_at"] = scanned_at
        return await self.request("POST", "/checkins", json=body)

    async def undo_check_in(self, participant_id: int) -> dict[str, Any]:
        return await self.request("DELETE", f"/checkins/{participant_id}")

    async def search(self, query: str) -> list[dict[str, Any]]:
        return (await self.request("GET", "/participants", params={"q": query}))["participants"]

    async def register(self, form: dict[str, Any]) -> dict[str, Any]:
        return await self.request("POST", "/participants", json=form)

    async def participant(self, participant_id: int) -> dict[str, Any]:
        return await self.request("GET", f"/participants/{participant_id}")

    async def pass_link(self, participant_id: int) -> dict[str, Any]:
        """"Renvoyer mon pass": the pass link (bookings, data) of someone who lost it."""
        return await self.request("GET", f"/participants/{participant_id}/pass")

    async def roster(self, workshop_id: str) -> dict[str, Any]:
        return await self.request("GET", f"/desk/workshops/{workshop_id}")

    async def add_to_workshop(self, workshop_id: str, participant_id: int) -> dict[str, Any]:
        return await self.request("POST", f"/desk/workshops/{workshop_id}/registrations",
                                  json={"participant_id": participant_id})

    async def remove_from_workshop(self, workshop_id: str,
                                   participant_id: int) -> dict[str, Any]:
        return await self.request(
            "DELETE", f"/desk/workshops/{workshop_id}/registrations/{participant_id}")

    async def mark_attended(self, workshop_id: str, participant_id: int,
                            attended: bool) -> dict[str, Any]:
        return await self.request(
            "PUT", f"/desk/workshops/{workshop_id}/attendance/{participant_id}",
            json={"attended": attended})

    async def set_cancelled(self, workshop_id: str, cancelled: bool) -> dict[str, Any]:
        return await self.request("PUT", f"/desk/workshops/{workshop_id}/cancelled",
                                  json={"cancelled": cancelled})

    async def seats(self) -> list[dict[str, Any]]:
        return (await self.request("GET", "/seats"))["seats"]

    async def book_seat(self, participant_id: int, slot_id: str, space_id: str,
                        seat: int | None = None) -> dict[str, Any]:
        return await self.request("POST", "/seats/bookings", json={
            "participant_id": participant_id, "slot_id": slot_id, "space_id": space_id,
            "seat": seat})

    async def free_seat(self, booking_id: int) -> dict[str, Any]:
        return await self.request("DELETE", f"/seats/bookings/{booking_id}")

    async def checklist(self) -> dict[str, Any]:
        return await self.request("GET", "/desk/checklist")

    async def tick(self, index: int, ticked: bool) -> dict[str, Any]:
        return await self.request("PUT", f"/desk/checklist/{index}", json={"ticked": ticked})

    async def desk_requests(self) -> list[dict[str, Any]]:
        return (await self.request("GET", "/desk/requests"))["requests"]

    async def move_request(self, request_id: int, action: str) -> dict[str, Any]:
        return await self.request("POST", f"/desk/requests/{request_id}/{action}")

    async def announcements(self) -> list[dict[str, Any]]:
        return (await self.request("GET", "/announcements"))["announcements"]

    async def announce(self, text: str) -> dict[str, Any]:
        return await self.request("POST", "/announcements", json={"text": text})

    async def hide_announcement(self, announcement_id: int) -> dict[str, Any]:
        return await self.request("POST", f"/announcements/{announcement_id}/hide")

    async def swap_posts(self) -> list[dict[str, Any]]:
        return (await self.request("GET", "/swap"))["posts"]

    async def hide_post(self, post_id: int) -> dict[str, Any]:
        return await self.request("POST", f"/swap/{post_id}/hide")

    async def popular_offers(self) -> list[dict[str, Any]]:
        return (await self.request("GET", "/swap/popular"))["offers"]

    async def make_workshop(self, offer_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return await self.request("POST", f"/swap/{offer_id}/workshop", json=fields)

    async def journal(self) -> list[dict[str, Any]]:
        return (await self.request("GET", "/journal"))["entries"]

    async def add_log_entry(self, text: str) -> dict[str, Any]:
        return await self.request("POST", "/journal", json={"text": text})

    async def add_note(self, form: dict[str, Any]) -> dict[str, Any]:
        return await self.request("POST", "/notes", json=form)

    async def notes(self, all_notes: bool = False) -> list[dict[str, Any]]:
        params = {"limit": 50, **({"all": 1} if all_notes else {})}
        return (await self.request("GET", "/notes", params=params))["notes"]

    async def hide_note(self, note_id: int, hidden: bool = True) -> dict[str, Any]:
        return await self.request("POST", f"/notes/{note_id}/hide", json={"hidden": hidden})

    async def aclose(self) -> None:
        await self._http.aclose()
