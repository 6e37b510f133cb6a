"""Benchmark of the embeddable widget: how much a town's page loads, and how soon one can type.

Starts its own embedded NATS and PostgreSQL and intake alone (the widget needs nothing else
to show a form), a static server as the town's website on another origin (registered
through ``INTAKE_CORS_ORIGINS``), and Debian's Chromium. It measures

* the bundle: ``rathaus-antrag.js`` raw and gzip-compressed (as intake sends it);
* time to interactive: from the start of the navigation to the town's page until the form
  is rendered and its first field takes the focus (the widget's ``rathaus-antrag-bereit``
  event, then a ``focus()`` that must land). Cold: a fresh browser context each run, nothing
  cached. Warm: the same page opened again (the script from the browser's cache, the form
  definition asked again). The median of several runs, with the parts: the script's
  download and the form definition's request.

    python -m bench.widget [--runs 9] [--procedures gewerbeanmeldung,verkehrsrechtliche-anordnung]

Prints the figures and writes ``bench/results/widget-latest.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import platform
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from playwright.async_api import Browser, BrowserContext, async_playwright

from devstack.embedded import EmbeddedNats, EmbeddedPostgres
from services.intake.api.widget import SCRIPT, WIDGET
from tests.support.applications import WURZEN
from tests.support.browser import CHROMIUM, StaticSite, town_page
from tests.support.suite import Suite

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

READY = """
document.addEventListener("rathaus-antrag-bereit", event => {
  const field = event.target.shadowRoot.querySelector("input, select, textarea");
  field.focus();
  window.benchReady = {
    at: performance.now(),
    focusable: event.target.shadowRoot.activeElement === field,
  };
});
"""
"""Notes when the form is there and its first field has taken the focus (ms from navigation)."""

PARTS = """
() => {
  const entry = part => performance.getEntriesByType("resource").find(e => e.name.includes(part));
  const script = entry("rathaus-antrag"), form = entry("/form");
  return {
    ready_ms: window.benchReady.at,
    focusable: window.benchReady.focusable,
    script_loaded_ms: script ? script.responseEnd : null,
    script_transfer_bytes: script ? script.transferSize : null,
    form_asked_ms: form ? form.startTime : null,
    form_answered_ms: form ? form.responseEnd : null,
    form_request_ms: form ? form.responseEnd - form.startTime : null,
    render_ms: form ? window.benchReady.at - form.responseEnd : null,
  };
}
"""


def bundle() -> dict[str, int]:
    """The widget's size as stored and as sent compressed."""
    body = (WIDGET / SCRIPT).read_bytes()
    return {"raw_bytes": len(body), "gzip_bytes": len(gzip.compress(body, compresslevel=9))}


async def open_once(context: BrowserContext, url: str) -> dict[str, Any]:
    """Open the town's page; the moments that matter."""
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_function("() => window.benchReady !== undefined", timeout=30_000)
    measured: dict[str, Any] = await page.evaluate(PARTS)
    await page.close()
    if not measured["focusable"]:
        raise RuntimeError("the form's first field did not take the focus")
    return measured


async def runs(browser: Browser, url: str, count: int) -> dict[str, Any]:
    """Cold (fresh context) and warm (same context, cached script) runs of one page."""
    cold, warm = [], []
    for _ in range(count):
        context = await browser.new_context(locale="de-DE")
        await context.add_init_script(READY)
        cold.append(await open_once(context, url))
        warm.append(await open_once(context, url))
        await context.close()
    return {"cold": summary(cold), "warm": summary(warm)}


def summary(measured: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians (and the spread of the headline figure)."""

    def median(key: str) -> float | None:
        values = [m[key] for m in measured if m[key] is not None]
        return round(statistics.median(values), 1) if values else None

    ready = [m["ready_ms"] for m in measured]
    return {
        "runs": len(measured),
        "time_to_interactive_ms": median("ready_ms"),
        "min_ms": round(min(ready), 1),
        "max_ms": round(max(ready), 1),
        "script_loaded_ms": median("script_loaded_ms"),
        "script_transfer_bytes": median("script_transfer_bytes"),
        "form_asked_ms": median("form_asked_ms"),
        "form_request_ms": median("form_request_ms"),
        "render_ms": median("render_ms"),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="rathaus-bench-widget-"))
    print(f"servers in {workdir}", flush=True)
    nats_server = EmbeddedNats(workdir / "nats", port=0).start()
    pg = EmbeddedPostgres(workdir / "pg", port=0).start(fsync=False)
    site = StaticSite().start()
    admin = await asyncpg.connect(pg.url)
    await admin.execute('CREATE DATABASE "rathaus_intake"')
    await admin.close()
    suite = Suite(
        nats_url=nats_server.url,
        database_urls={"intake": pg.url_for("rathaus_intake")},
        smtp_port=1,
        workdir=workdir,
        extra_env={"INTAKE_CORS_ORIGINS": site.origin, "RATHAUS_LOG_LEVEL": "warning"},
    )
    try:
        suite.start(("intake",))
        intake = suite.url("intake")
        async with httpx.AsyncClient(base_url=intake) as client:
            served = await client.get(f"/widget/v1/{SCRIPT}", headers={"Accept-Encoding": "gzip"})
        sent = len(served.content) if served.headers.get("content-encoding") != "gzip" else None
        figures: dict[str, Any] = {
            **bundle(),
            "served_gzip_bytes": int(served.headers.get("content-length", 0)) or sent,
        }
        pages = {}
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
            try:
                for procedure in args.procedures:
                    url = town_page(site, intake, WURZEN, procedure, path=f"/{procedure}")
                    await runs(browser, url, 1)  # warm-up: intake's first answers
                    pages[procedure] = await runs(browser, url, args.runs)
                    print(f"{procedure}: {pages[procedure]}", flush=True)
            finally:
                await browser.close()
    finally:
        suite.stop()
        site.stop()
        pg.stop()
        nats_server.stop()
    return {
        "benchmark": "embeddable widget: bundle size and time to interactive in Chromium",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        },
        "bundle": figures,
        "time_to_interactive": pages,
        "measured_as": "navigation start → form rendered and its first field focused (median)",
    }


def headline(result: dict[str, Any]) -> str:
    """The figures that matter, in a few lines."""
    size = result["bundle"]
    lines = [
        f"bundle: {size['raw_bytes'] / 1024:.1f} KB raw, {size['gzip_bytes'] / 1024:.1f} KB gzip"
    ]
    for procedure, measured in result["time_to_interactive"].items():
        cold, warm = measured["cold"], measured["warm"]
        lines.append(
            f"{procedure}: time to interactive {cold['time_to_interactive_ms']} ms cold"
            f" ({cold['min_ms']}–{cold['max_ms']}), {warm['time_to_interactive_ms']} ms warm"
            f" (median of {cold['runs']}): script loaded at {cold['script_loaded_ms']} ms,"
            f" form asked at {cold['form_asked_ms']} ms and answered in"
            f" {cold['form_request_ms']} ms, rendered in {cold['render_ms']} ms"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.widget")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--procedures",
        type=lambda text: [p for p in text.split(",") if p],
        default=["gewerbeanmeldung", "verkehrsrechtliche-anordnung"],
        help="procedures whose page is opened (comma-separated)",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "widget-latest.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(headline(result))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
