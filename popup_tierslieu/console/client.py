"""The console's only way to the data: the server's HTTP API, with the concierge token."""

from __future__ import annotations

from typing import Any

import httpx


class ApiError(Exception):
    """An answer the concierge should read: the server's own message, or why it is
    unreachable."""

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class Unreachable(ApiError):
    pass


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
            raise Unreachable(f"{self.base_url}: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                raise ApiError(error["message"], response.status_code, error.get("code", ""))
            except (ValueError, KeyError, TypeError):
                raise ApiError(f"HTTP {response.status_code}", response.status_code) from None
        return response.json()

    async def health(self) -> dict[str, Any]:
        return await self.request("GET", "/health")

    async def event(self) -> dict[str, Any]:
        return await self.request("GET", "/event")

    async def stats(self) -> dict[str, Any]:
        return await self.request("GET", "/stats")

    async def check_in(self, token_or_url: str, desk: str = "desk") -> dict[str, Any]:
        return await self.request("POST", "/checkins", json={"token": token_or_url, "desk": desk})

    async def search(self, query: str) -> list[dict[str, Any]]:
        return (await self.request("GET", "/participants", params={"q": query}))["participants"]

    async def register(self, form: dict[str, Any]) -> dict[str, Any]:
        return await self.request("POST", "/participants", json=form)

    async def participant(self, participant_id: int) -> dict[str, Any]:
        return await self.request("GET", f"/participants/{participant_id}")

    async def aclose(self) -> None:
        await self._http.aclose()
