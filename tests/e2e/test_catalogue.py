"""The catalogue on a running suite: operators change it, it takes effect within a second, a
restart keeps it, and only an explicit command re-applies the member files."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.conftest import DatabaseFactory
from tests.e2e.conftest import StartAlone
from tests.support.applications import WURZEN, bewohnerparkausweis, example

THALLWITZ = "14729380"  # a Gemeinde: no resident parking in its member file


def apply_url(ags: str, procedure: str) -> str:
    return f"/api/v1/towns/{ags}/procedures/{procedure}/applications"


async def within_a_second(client: httpx.AsyncClient, url: str, body: object, status: int) -> float:
    """Seconds until a submission is answered with ``status`` (fails after a second)."""
    started = time.monotonic()
    while True:
        answer = await client.post(url, json=body)
        if answer.status_code == status:
            return time.monotonic() - started
        assert time.monotonic() - started < 1.0, (answer.status_code, answer.text)
        await asyncio.sleep(0.05)


async def test_offer_withdraw_and_onboard_take_effect_at_once_and_survive_a_restart(
    start_alone: StartAlone, operator_token: str, new_database: DatabaseFactory, tmp_path: Path
) -> None:
    intake = await start_alone("intake")
    auth = {"Authorization": f"Bearer {operator_token}"}
    ops = "/ops/v1/catalogue"
    async with httpx.AsyncClient(base_url=intake.url("intake"), timeout=10) as client:
        for _ in range(100):
            if len((await client.get("/api/v1/towns")).json()) == 18:
                break
            await asyncio.sleep(0.1)
        parking = bewohnerparkausweis()
        refused = await client.post(apply_url(THALLWITZ, "bewohnerparkausweis"), json=parking)
        assert refused.status_code == 404
        assert "nicht online an" in refused.json()["detail"]

        # Offering it: accepted within a second, no restart. (The parking example is set in
        # Wurzen; Thallwitz checks a place only for procedures that have one.)
        offered = await client.put(
            f"{ops}/towns/{THALLWITZ}/procedures/bewohnerparkausweis",
            json={"competent_office": "Ordnungsamt", "opening_hours": "Di 9–18 Uhr"},
            headers=auth,
        )
        assert offered.status_code == 200, offered.text
        assert offered.json()["events"] == ["intake.ProcedureOffered"]
        assert offered.json()["by"].startswith("operator:")
        await within_a_second(client, apply_url(THALLWITZ, "bewohnerparkausweis"), parking, 201)

        # Withdrawing one: refused with the German 404 within a second.
        withdrawn = await client.delete(
            f"{ops}/towns/{WURZEN}/procedures/gewerbeabmeldung", headers=auth
        )
        assert withdrawn.status_code == 200, withdrawn.text
        await within_a_second(
            client, apply_url(WURZEN, "gewerbeabmeldung"), example("gewerbeabmeldung"), 404
        )
        again = await client.delete(
            f"{ops}/towns/{WURZEN}/procedures/gewerbeabmeldung", headers=auth
        )
        assert again.status_code == 404

        # A 19th town, onboarded by command.
        profile = (await client.get("/api/v1/towns")).json()[0]
        newcomer = {
            key: profile[key]
            for key in (
                "kind",
                "district",
                "postcodes",
                "website",
                "email",
                "phone",
                "leitweg_id",
                "address",
            )
        }
        newcomer |= {"ags": "14729999", "name": "Neustadt", "official_name": "Stadt Neustadt"}
        onboarded = await client.put(f"{ops}/towns/14729999", json=newcomer, headers=auth)
        assert onboarded.status_code == 200, onboarded.text
        # The list is a read model: it follows the event, a moment later.
        for _ in range(100):
            if len(towns := (await client.get("/api/v1/towns")).json()) == 19:
                break
            await asyncio.sleep(0.05)
        assert "14729999" in [town["ags"] for town in towns]

        # Without a token: nothing changes.
        assert (
            await client.delete(f"{ops}/towns/{WURZEN}/procedures/maengelmelder")
        ).status_code == 401

    # A restart seeds only unknown towns: the operators' changes stand.
    intake.stop()
    intake.start(("intake",))
    async with httpx.AsyncClient(base_url=intake.url("intake"), timeout=10) as client:
        assert (
            await client.post(
                apply_url(WURZEN, "gewerbeabmeldung"), json=example("gewerbeabmeldung")
            )
        ).status_code == 404
        assert (
            await client.post(apply_url(THALLWITZ, "bewohnerparkausweis"), json=parking)
        ).status_code == 201
        # Re-applying the member files is an explicit, recorded command.
        applied = await client.post(f"{ops}/apply-members", headers=auth)
        assert applied.status_code == 200
        assert set(applied.json()["changed"]) == {WURZEN, THALLWITZ}
        await within_a_second(
            client, apply_url(WURZEN, "gewerbeabmeldung"), example("gewerbeabmeldung"), 201
        )
