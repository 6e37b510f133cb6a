"""The check may be called from worker threads (the receiving runs it off its event loop):
the same verdicts as one after the other, the rules compiled once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from services.billing.einvoices.check import check_invoice
from tests.unit.services.billing.einvoices.suite import INVOICES


def test_threads_get_the_verdicts_one_thread_gets() -> None:
    contents = [path.read_bytes() for path in INVOICES[::6]]
    alone = [check_invoice(content) for content in contents]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(check_invoice, contents * 3))
    assert together == alone * 3
