"""Advertise the portal on the LAN with mDNS (zeroconf), so ``name.local`` works."""

from __future__ import annotations

import logging
import socket

from zeroconf import IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

log = logging.getLogger("popup.mdns")


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
