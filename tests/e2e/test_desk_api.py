"""The clerks' desk API against the running suite: shared queues across towns, claims under
real concurrency, overruled rules, decisions in the competent town's name, hearings answered
by link or run out on the timers' clock, delegations changed on the running suite, time
travel — and every refusal a clear 4xx that changes nothing.

The tests share one running suite, each on a case of its own; the two that move the timers'
clock or change a delegation start a suite of their own."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx

from contracts.calendar import today
from contracts.events.casework import CaseClaimed, CaseDecided, HearingRequested
from tests.support.applications import example, gewerbeanmeldung
from tests.support.desk import (
    AUGUSTUSBURG,
    THALLWITZ,
    WURZEN,
    case_events,
    case_when,
    clerk_token,
    desk_client,
    submitted,
)
from tests.support.issuer import DevIssuer
from tests.support.polling import get_once_there
from tests.support.suite import Suite

PERMIT_NEEDED = {"form__business__regulated_activities": ["34a"]}
"""A Gewerbeanmeldung that one rule refers to a clerk (a security trade needs a permit)."""


async def queue_showing(client: httpx.AsyncClient, case_id: UUID) -> Any:
    """The clerk's queue page once it lists the case (the desk's read model follows the log)."""
    for _ in range(100):
        page = (await client.get("/api/v1/desk/queue")).json()
        if str(case_id) in [row["case_id"] for row in page["rows"]]:
            return page
        await asyncio.sleep(0.1)
    raise AssertionError(f"{case_id} never showed in the queue: {page}")


async def test_a_delegated_case_is_claimed_by_exactly_one_of_two_clerks_at_once(
    shared_suite: Suite, issuer: DevIssuer
) -> None:
    anton = desk_client(shared_suite, clerk_token(issuer, AUGUSTUSBURG, "Anton Augst"))
    wenzel = desk_client(shared_suite, clerk_token(issuer, WURZEN, "Wenzel Wurzner"))
    thea = desk_client(shared_suite, clerk_token(issuer, THALLWITZ, "Thea Thalheim"))
    async with anton, wenzel, thea:
        # The module's other cases are in Augustusburg's counts too: this one adds one.
        queued_before = _queued((await anton.get("/api/v1/desk/counts")).json())
        case_id = await submitted(
            shared_suite,
            WURZEN,
            "gewerbeanmeldung",
            gewerbeanmeldung(**PERMIT_NEEDED),
            "claim-race",
        )
        case = await case_when(anton, case_id, "queued")
        assert case["competent_town"] == WURZEN
        assert case["processing_towns"] == [WURZEN, AUGUSTUSBURG]
        assert [o["rule"] for o in case["rule_outcomes"] if not o["passed"]] == [
            "no_permit_requiring_trade"
        ]
        # Both towns' queues hold it; Thallwitz neither sees it nor counts it.
        for client, town in ((anton, AUGUSTUSBURG), (wenzel, WURZEN)):
            page = await queue_showing(client, case_id)
            assert page["town"] == town
        assert (await thea.get(f"/api/v1/desk/cases/{case_id}")).status_code == 404
        assert str(case_id) not in [
            r["case_id"] for r in (await thea.get("/api/v1/desk/queue")).json()["rows"]
        ]
        # No test on this suite delegates to Thallwitz: its counts stay empty.
        assert (await thea.get("/api/v1/desk/counts")).json() == []
        anton_counts = (await anton.get("/api/v1/desk/counts")).json()
        assert _queued(anton_counts) == queued_before + 1, anton_counts

        first, second = await asyncio.gather(
            anton.post(f"/api/v1/desk/cases/{case_id}/claim"),
            wenzel.post(f"/api/v1/desk/cases/{case_id}/claim"),
        )
        assert sorted([first.status_code, second.status_code]) == [200, 409]
        loser = second if first.status_code == 200 else first
        assert "bereits von" in loser.json()["detail"]
        case = (await anton.get(f"/api/v1/desk/cases/{case_id}")).json()
        assert case["status"] == "in_review"
        claims = [h for h in case["history"] if "übernommen" in h["text"]]
        assert len(claims) == 1, case["history"]


async def test_a_clerk_overrules_a_failed_rule_with_a_reason_and_approves_in_wurzens_name(
    shared_suite: Suite, issuer: DevIssuer
) -> None:
    case_id = await submitted(
        shared_suite, WURZEN, "gewerbeanmeldung", gewerbeanmeldung(**PERMIT_NEEDED), "overrule"
    )
    async with desk_client(shared_suite, clerk_token(issuer, AUGUSTUSBURG, "Anton Augst")) as anton:
        case = await case_when(anton, case_id, "queued")
        url = f"/api/v1/desk/cases/{case_id}"
        refused = await anton.post(f"{url}/decide", json={"outcome": "approved"})
        assert refused.status_code == 409  # not claimed yet
        assert (await anton.post(f"{url}/claim")).status_code == 200
        refused = await anton.post(f"{url}/decide", json={"outcome": "approved"})
        assert refused.status_code == 409
        assert "no_permit_requiring_trade" in refused.json()["detail"]
        no_reason = await anton.post(
            f"{url}/overrule", json={"rule": "no_permit_requiring_trade", "reason": "  "}
        )
        assert no_reason.status_code == 422
        assert no_reason.json()["errors"][0]["field"] == "reason"
        seen = (await anton.get(url)).json()
        overruled = await anton.post(
            f"{url}/overrule",
            json={
                "rule": "no_permit_requiring_trade",
                "reason": "Erlaubnis nach § 34a GewO liegt vor (Landratsamt, 12.11.2026).",
                "expected_version": seen["version"],
            },
        )
        assert overruled.status_code == 200, overruled.text
        stale = await anton.post(
            f"{url}/decide",
            json={"outcome": "approved", "expected_version": seen["version"]},
        )
        assert stale.status_code == 409
        assert "inzwischen geändert" in stale.json()["detail"]
        decided = await anton.post(
            f"{url}/decide",
            json={"outcome": "approved", "conditions": ["Die Erlaubnis ist mitzuführen."]},
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["events"] == ["casework.CaseDecided", "casework.CaseClosed"]
        case = (await anton.get(url)).json()
        assert case["status"] == "closed"
        assert case["outcome"] == "approved"
        assert case["decided_by"] == "Anton Augst"
        assert case["overruled"] == {
            "no_permit_requiring_trade": "Erlaubnis nach § 34a GewO liegt vor (Landratsamt,"
            " 12.11.2026)."
        }
        # Closed: no more commands, and nothing changes (the letter's events may still come).
        again = await anton.post(f"{url}/claim")
        assert again.status_code == 409
        after = (await anton.get(url)).json()
        assert (after["status"], after["outcome"]) == ("closed", "approved")
        # As it was before the decision: in review, the rule overruled, nothing decided.
        past = (await anton.get(url, params={"as_of": _just_before(case, "Entschieden")})).json()
        assert past["as_of"] is not None
        assert past["status"] == "in_review"
        assert past["outcome"] is None
        assert past["overruled"] == case["overruled"]
    # The decision is issued for Wurzen by Augustusburg's clerk: the event says so.
    envelope = next(
        e for e in await case_events(shared_suite, case_id) if isinstance(e.event, CaseDecided)
    )
    decision = envelope.event
    assert isinstance(decision, CaseDecided)
    later = [e.event for e in await case_events(shared_suite, case_id)]
    assert not any(isinstance(e, CaseClaimed) for e in later[later.index(decision) :])
    assert decision.on_behalf_of == WURZEN
    assert decision.clerk is not None
    assert decision.clerk.town == AUGUSTUSBURG
    assert envelope.meta.actor.endswith(f"@{AUGUSTUSBURG}")


async def test_commands_in_the_wrong_state_or_with_unfit_input_change_nothing(
    shared_suite: Suite, issuer: DevIssuer
) -> None:
    case_id = await submitted(
        shared_suite, WURZEN, "gewerbeanmeldung", gewerbeanmeldung(**PERMIT_NEEDED), "refusals"
    )
    async with (
        desk_client(shared_suite, clerk_token(issuer, WURZEN, "Wenzel Wurzner")) as wenzel,
        desk_client(shared_suite, clerk_token(issuer, AUGUSTUSBURG, "Anton Augst")) as anton,
    ):
        case = await case_when(wenzel, case_id, "queued")
        url = f"/api/v1/desk/cases/{case_id}"
        assert (await wenzel.post(f"{url}/claim")).status_code == 200
        # Another clerk's claim: his commands are refused.
        for path, body in (
            ("request-information", {"question": "Bitte Erlaubnis vorlegen.", "due": _in(10)}),
            ("decide", {"outcome": "rejected", "reasons": ["Keine Erlaubnis."]}),
            ("release", {}),
        ):
            answer = await anton.post(f"{url}/{path}", json=body)
            assert answer.status_code == 409, (path, answer.text)
            assert "Wenzel Wurzner" in answer.json()["detail"]
        # A rejection needs reasons; a due date in the past is refused at the field.
        answer = await wenzel.post(f"{url}/decide", json={"outcome": "rejected", "reasons": []})
        assert (answer.status_code, answer.json()["errors"][0]["field"]) == (422, "reasons")
        answer = await wenzel.post(
            f"{url}/request-information",
            json={"question": "Bitte Erlaubnis vorlegen.", "due": _in(-1)},
        )
        assert (answer.status_code, answer.json()["errors"][0]["field"]) == (422, "due")
        answer = await wenzel.post(f"{url}/decide", json={"outcome": "vielleicht"})
        assert answer.status_code == 422
        answer = await wenzel.post(f"{url}/overrule", json={"rule": "erfunden", "reason": "x"})
        assert (answer.status_code, answer.json()["errors"][0]["field"]) == (422, "rule")
        assert (await wenzel.post(f"{url}/hearings", json={"body": "kirche"})).status_code == 422
        # A clerk without the supervisor role reassigns nothing.
        answer = await wenzel.post(
            f"{url}/reassign",
            json={"to": {"id": "a", "name": "Anton Augst", "town": AUGUSTUSBURG}, "reason": "x"},
        )
        assert answer.status_code == 403
        # Nothing of this reached the case.
        after = (await wenzel.get(url)).json()
        assert after["version"] == case["version"] + 1  # the claim only
        # Unknown cases and cursors.
        assert (
            await wenzel.get("/api/v1/desk/cases/0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
        ).status_code == 404
        assert (
            await wenzel.get("/api/v1/desk/queue", params={"after": "kaputt"})
        ).status_code == 422
        assert (
            await wenzel.get("/api/v1/desk/queue", params={"town": THALLWITZ})
        ).status_code == 403


async def test_a_traffic_order_with_a_full_closure_hears_four_bodies(
    suite: Suite, issuer: DevIssuer
) -> None:
    body = example("verkehrsrechtliche-anordnung")
    case_id = await submitted(suite, WURZEN, "verkehrsrechtliche-anordnung", body, "hearings")
    async with desk_client(suite, clerk_token(issuer, WURZEN, "Wenzel Wurzner")) as wenzel:
        queued = await case_when(wenzel, case_id, "queued")
        assert queued["suggested_hearings"] == [
            "polizei",
            "strassenbaulasttraeger",
            "oepnv",
            "feuerwehr",
        ]
        url = f"/api/v1/desk/cases/{case_id}"
        assert (await wenzel.post(f"{url}/claim")).status_code == 200
        for heard in ("polizei", "strassenbaulasttraeger", "oepnv", "feuerwehr"):
            answer = await wenzel.post(
                f"{url}/hearings",
                json={"body": heard, "subject": "Vollsperrung Wenceslaigasse"},
            )
            assert answer.status_code == 200, answer.text
        assert (await wenzel.post(f"{url}/hearings", json={"body": "polizei"})).status_code == 409
        case = (await wenzel.get(url)).json()
        assert case["status"] == "hearing"
        assert case["suggested_hearings"] == []
        due = date.fromisoformat(case["hearings"][0]["due"])
        assert due > today()  # ten working days of the town's configuration
        links = await _answer_links(suite, case_id)
        # The police answer through their link: the page, then the form.
        police = links["polizei"]
        async with httpx.AsyncClient(base_url=suite.url("casework")) as web:
            parts = urlsplit(police)
            page = await web.get(f"{parts.path}?{parts.query}")
            assert page.status_code == 200
            assert "Vollsperrung Wenceslaigasse" in page.text
            assert "default-src 'none'" in page.headers["content-security-policy"]
            token = parts.query.removeprefix("t=")
            wrong = await web.post(
                parts.path, data={"t": token[:-2] + "xx", "verdict": "zustimmung"}
            )
            assert wrong.status_code == 404
            answered = await web.post(
                parts.path,
                data={
                    "t": token,
                    "verdict": "zustimmung_mit_auflagen",
                    "statement": "Keine Bedenken bei Beschilderung nach Regelplan.",
                    "conditions": "Zufahrt für Rettungsdienste freihalten\n"
                    "Baustelle nachts beleuchten",
                },
            )
            assert answered.status_code == 200, answered.text
            twice = await web.get(f"{parts.path}?{parts.query}")
            assert "liegt uns bereits vor" in twice.text
        # Road authority and public transport answer by letter, recorded by the clerk.
        for hearing in case["hearings"]:
            if hearing["body"] in ("strassenbaulasttraeger", "oepnv"):
                answer = await wenzel.post(
                    f"{url}/hearings/{hearing['hearing_id']}/answer",
                    json={"verdict": "zustimmung"},
                )
                assert answer.status_code == 200, answer.text
        # The fire brigade stays silent: the decision waits until its deadline ran out.
        waiting = await wenzel.post(
            f"{url}/decide", json={"outcome": "approved", "fee": {"amount": "120.00"}}
        )
        assert waiting.status_code == 409
        assert "Freiwillige Feuerwehr" in waiting.json()["detail"]
        suite.clock_file.write_text("+20d")
        case = await case_when(wenzel, case_id, "in_review")
        fire = next(h for h in case["hearings"] if h["body"] == "feuerwehr")
        assert fire["deadline_passed"] is True
        police_view = next(h for h in case["hearings"] if h["body"] == "polizei")
        assert police_view["recorded_by"] == "body:polizei"
        assert police_view["conditions"] == [
            "Zufahrt für Rettungsdienste freihalten",
            "Baustelle nachts beleuchten",
        ]
        # A fee outside the GebOSt range is refused at its field; within it, decided.
        out_of_range = await wenzel.post(
            f"{url}/decide", json={"outcome": "approved", "fee": {"amount": "900.00"}}
        )
        assert (out_of_range.status_code, out_of_range.json()["errors"][0]["field"]) == (
            422,
            "fee.amount",
        )
        decided = await wenzel.post(
            f"{url}/decide",
            json={
                "outcome": "approved",
                "conditions": police_view["conditions"],
                "fee": {"amount": "120.00"},
            },
        )
        assert decided.status_code == 200, decided.text
        assert (await wenzel.get(url)).json()["fee"]["amount"] == "120.00"


async def test_a_new_delegation_applies_to_new_cases_and_open_ones_move_on_purpose(
    suite: Suite, issuer: DevIssuer
) -> None:
    before = await submitted(
        suite, WURZEN, "gewerbeanmeldung", gewerbeanmeldung(**PERMIT_NEEDED), "before"
    )
    leonie = desk_client(
        suite, clerk_token(issuer, WURZEN, "Leonie Lindner", roles=("clerk", "supervisor"))
    )
    thea = desk_client(suite, clerk_token(issuer, THALLWITZ, "Thea Thalheim"))
    augustusburg_boss = desk_client(
        suite, clerk_token(issuer, AUGUSTUSBURG, "Anna Chef", roles=("clerk", "supervisor"))
    )
    async with leonie, thea, augustusburg_boss:
        await case_when(leonie, before, "queued")
        # Only Wurzen's supervisor (or an operator) agrees Wurzen's delegations.
        url = f"/api/v1/desk/delegations/{WURZEN}/gewerbeanmeldung"
        agreement = {"processing_towns": [THALLWITZ]}
        assert (await augustusburg_boss.put(url, json=agreement)).status_code == 403
        assert (await thea.put(url, json=agreement)).status_code == 403
        agreed = await leonie.put(url, json=agreement)
        assert agreed.status_code == 200, agreed.text
        assert [a["processing_towns"] for a in agreed.json() if a["in_force"]] == [[THALLWITZ]]
        after = await submitted(
            suite, WURZEN, "gewerbeanmeldung", gewerbeanmeldung(**PERMIT_NEEDED), "after"
        )
        assert (await case_when(thea, after, "queued"))["processing_towns"] == [WURZEN, THALLWITZ]
        assert (await thea.get(f"/api/v1/desk/cases/{before}")).status_code == 404
        # The open case moves only when Wurzen's supervisor says so, with a reason.
        moved = await leonie.post(
            f"/api/v1/desk/cases/{before}/move",
            json={"processing_towns": [THALLWITZ], "reason": "Neue Vereinbarung ab heute"},
        )
        assert moved.status_code == 200, moved.text
        case = await case_when(thea, before, "queued")
        assert case["processing_towns"] == [WURZEN, THALLWITZ]
        assert any("Neue Vereinbarung ab heute" in h["text"] for h in case["history"])


def _queued(counts: list[dict[str, Any]]) -> int:
    """The queued Gewerbeanmeldungen in a desk's counts."""
    return sum(
        row["count"]
        for row in counts
        if (row["procedure"], row["status"]) == ("gewerbeanmeldung", "queued")
    )


def _in(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def _just_before(case: dict[str, Any], text: str) -> str:
    """A moment between the history's step before ``text`` and that step."""
    entries = case["history"]
    index = next(i for i, h in enumerate(entries) if h["text"].startswith(text))
    moment: str = entries[index - 1]["at"]
    return moment


async def _answer_links(suite: Suite, case_id: UUID) -> dict[str, str]:
    """Each heard body's answer link, from the sealed invitations in casework's log."""
    return {
        e.event.body: e.event.answer_url or ""
        for e in await case_events(suite, case_id)
        if isinstance(e.event, HearingRequested)
    }


async def test_the_queue_is_searched_by_case_number_and_name_only_where_the_clerk_may_see(
    shared_suite: Suite, issuer: DevIssuer
) -> None:
    name = {
        "form__applicant__family_name": "Ölschläger-Suchbar",
        "form__applicant__given_names": "Quentin",
    }
    case_id = await submitted(
        shared_suite,
        WURZEN,
        "gewerbeanmeldung",
        gewerbeanmeldung(**PERMIT_NEEDED, **name),
        "search-1",
    )
    wenzel = desk_client(shared_suite, clerk_token(issuer, WURZEN, "Wenzel Wurzner"))
    thea = desk_client(shared_suite, clerk_token(issuer, THALLWITZ, "Thea Thalheim"))
    async with wenzel, thea:
        case = await case_when(wenzel, case_id, "queued")

        async def found(client: httpx.AsyncClient, text: str) -> list[str]:
            answer = await client.get("/api/v1/desk/queue", params={"q": text})
            assert answer.status_code == 200, answer.text
            return [row["case_id"] for row in answer.json()["rows"]]

        # Part of the name, any case, umlauts as typed; the case number, or part of it.
        for text in ("ölschläger", "QUENTIN ÖLSCH", "Suchbar", case["case_number"].lower()):
            assert await found(wenzel, text) == [str(case_id)], text
        assert str(case_id) in await found(wenzel, case["case_number"][-6:])
        # Nothing for a name nobody has, or for % and _ taken as wildcards.
        assert await found(wenzel, "Zwetschgen-Niemand") == []
        assert str(case_id) not in await found(wenzel, "%")
        assert str(case_id) not in await found(wenzel, "Ölschläger_Suchbar")
        # Thallwitz's clerk finds it neither by name nor by number.
        assert await found(thea, "ölschläger") == []
        assert await found(thea, case["case_number"]) == []


async def test_a_special_use_is_billed_at_the_rate_of_the_use_the_application_names(
    shared_suite: Suite, issuer: DevIssuer
) -> None:
    body = example("sondernutzungserlaubnis")  # a scaffold of 18 m² in Wurzen
    case_id = await submitted(shared_suite, WURZEN, "sondernutzungserlaubnis", body, "scaffold-fee")
    async with desk_client(shared_suite, clerk_token(issuer, WURZEN, "Wenzel Wurzner")) as wenzel:
        await case_when(wenzel, case_id, "queued")
        url = f"/api/v1/desk/cases/{case_id}"
        assert (await wenzel.post(f"{url}/claim")).status_code == 200
        decided = await wenzel.post(
            f"{url}/decide",
            json={"outcome": "approved", "fee": {"area_m2": "18.00", "days": 14}},
        )
        assert decided.status_code == 200, decided.text
        assert (await wenzel.get(url)).json()["fee"]["rate_class"] == "geruest"
    async with httpx.AsyncClient(base_url=shared_suite.url("billing")) as billing:
        fee = (await get_once_there(billing, f"/api/v1/fees/{case_id}")).json()
    # Wurzen's schedule: a scaffold 0.70 € per m² and started week — 18 × 2 × 0.70; at the
    # default rate ("sonstiges", 2.90 € per started month) it would be 52.20 €.
    assert fee["amount"] == "25.20", fee
