"""Advertise the portal on the LAN with mDNS (zeroconf), so ``name.local`` works."""

from __future__ import annotations

import logging
import re
import socket
import unicodedata

from zeroconf import IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

log = logging.getLogger("popup.mdns")


def host_name(slug: str) -> str:
    """The portal's own mDNS host name, from the event's slug: unique on the venue's
    network (it is not the laptop's name, which avahi already announces, so the two
    never collide) and readable on the poster (``atelier-vert.local``)."""
    ascii_slug = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode()
    label = re.sub(r"[^a-z0-9-]+", "-", ascii_slug.lower()).strip("-")[:63].strip("-")
    return label or "popup"


class Advertiser:
    """Registers ``_http._tcp`` for the portal on one interface address; never raises:
    where multicast is unavailable it logs a warning and the portal works by IP."""

    def __init__(self, name: str, address: str, port: int, host: str) -> None:
        self.name = name[:60] or "popup"
        self.address = address
        self.port = port
        self.host = host
        self._zc: AsyncZeroconf | None = None
        self.info: ServiceInfo | None = None

    async def start(self) -> bool:
        try:
            self._zc = AsyncZeroconf(interfaces=[self.address], ip_version=IPVersion.V4Only)
            self.info = ServiceInfo(
                "_http._tcp.local.", f"{self.name}._http._tcp.local.",
                addresses=[socket.inet_aton(self.address)], port=self.port,
                properties={"path": "/"}, server=f"{self.host}.local.")
            await self._zc.async_register_service(self.info, allow_name_change=True)
            return True
        except Exception as exc:  # OSError, or zeroconf's own errors on odd networks
            log.warning("mDNS unavailable (%s): phones must use the IP address", exc)
            await self.stop()
            return False

    async def stop(self) -> None:
        if self._zc is None:
            return
        try:
            await self._zc.async_unregister_all_services()
            await self._zc.async_close()
        except Exception as exc:  # shutting down: report, never crash the exit
            log.warning("mDNS stop: %s", exc)
        self._zc = None
