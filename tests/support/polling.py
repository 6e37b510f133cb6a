"""Waiting for read models: they catch up with the log a moment after it changes."""

from __future__ import annotations

import asyncio

import httpx


async def get_once_there(
    client: httpx.AsyncClient, url: str, timeout: float = 30.0
) -> httpx.Response:
    """GET ``url`` until it answers 200 (a 404 means: not projected yet)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get(url)
        if response.status_code == 200:
            return response
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{url}: still {response.status_code} after {timeout} s")
        await asyncio.sleep(0.1)
