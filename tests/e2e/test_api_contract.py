"""Every service answers as its OpenAPI says: schemathesis with all checks, on the running suite.

schemathesis reads each service's ``/openapi.json``, generates requests from it (valid ones,
invalid ones, unknown methods, missing and wrong headers) and checks every answer against
the documented statuses, headers and bodies. It runs as its own process (its command line,
exactly as one would run it by hand), a bounded number of examples per operation and a
fixed seed, so the run is short and the same every time.

It sends an operator's bearer token with every request, so the operator endpoints (``/ops/v1``,
notify's messages, archive's erasures) are exercised too; its ``ignored_auth`` check sends
each of them once more without and with a wrong token, and expects 401 or 403.

Both tests run on one shared suite: the second only reads each service's OpenAPI document.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support.suite import SERVICES, Suite

MAX_EXAMPLES = 25
SEED = 20261130

INTAKE_CONFIG = """\
# The application POST's body schema says only "form: object": the form's fields depend on
# the procedure, and its rules (the applicant's age, a birth date not in the future, the
# declaration ticked) are not expressible in JSON Schema. So schemathesis' valid-looking
# bodies are rightly refused with 422. Only that check, only that operation, and only that
# status: a schema-valid body must still never get a 400, 413 or 415.
[[operations]]
include-name = "POST /api/v1/towns/{ags}/procedures/{procedure}/applications"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "409", "422"]

# The check before a submission answers exactly as the submission does (the same function):
# the same reason applies.
[[operations]]
include-name = "POST /api/v1/towns/{ags}/procedures/{procedure}/form/check"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "422"]

# An upload's schema says "a file": which files are allowed is decided by their content (a
# PDF, JPEG or PNG by its first bytes), which JSON Schema cannot say. Random bytes are rightly
# refused with 415 (and an empty file with 422).
[[operations]]
include-name = "POST /api/v1/towns/{ags}/procedures/{procedure}/attachments"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "415", "422"]

# Onboarding a town: the profile's AGS must be the one in the path (a rule across path and
# body), and offering a procedure: which form versions exist depends on the procedure in the
# path, and the town must be a member. Schema-valid bodies may rightly get 404 or 422.
[[operations]]
include-name = "PUT /ops/v1/catalogue/towns/{ags}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "422"]

[[operations]]
include-name = "PUT /ops/v1/catalogue/towns/{ags}/procedures/{procedure}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "422"]
"""


BILLING_CONFIG = """\
# Paying online: which Kassenzeichen exist and are still open is billing's knowledge, not the
# schema's; a made-up one is rightly refused with 422.
[[operations]]
include-name = "POST /api/v1/payments"
checks.positive_data_acceptance.expected-statuses = ["2xx", "422"]

# A provider's callback must be signed (X-Signature over its body with the town's key), fresh
# and about a payment billing ordered — nothing JSON Schema can say: 400 and 401 are right.
[[operations]]
include-name = "POST /api/v1/payments/callback/{provider}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401"]

# A bank statement is an ISO 20022 file: whether bytes are one (and of a member town's
# account) no schema of the request can say — 415 for what is not XML, 422 for what is not a
# statement are right.
[[operations]]
include-name = "POST /api/v1/statements"
checks.positive_data_acceptance.expected-statuses = ["2xx", "415", "422"]

# An e-invoice is judged by its content, which no schema of the request can say: 400 for a
# DOCTYPE or a broken PDF, 415 for what is no invoice, 422 for one the check or routing rejects
# (any made-up XML), 429 when one client sends too many.
[[operations]]
include-name = "POST /api/v1/einvoices"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "415", "422", "429"]

# Which items await clarification and which Kassenzeichen are a town's claims is billing's
# knowledge; "assigned" needs a Kassenzeichen (a rule across two fields).
[[operations]]
include-name = "POST /api/v1/towns/{town}/clarifications/{item_id}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "409", "422"]
"""


CONFIGS = {"intake": INTAKE_CONFIG, "billing": BILLING_CONFIG}
"""Per service, what its run needs beyond ``--checks all`` (the others need nothing)."""


async def schemathesis(name: str, base_url: str, workdir: Path, token: str) -> tuple[int, str]:
    """Run ``schemathesis run --checks all`` against one service; its exit code and output."""
    config = workdir / f"schemathesis-{name}.toml"
    config.write_text(CONFIGS.get(name, ""))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
        "--header",
        f"Authorization: Bearer {token}",
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


async def test_every_service_answers_as_its_openapi_says(
    shared_suite: Suite, tmp_path: Path, operator_token: str
) -> None:
    failed = {}
    for name in SERVICES:
        code, output = await schemathesis(name, shared_suite.url(name), tmp_path, operator_token)
        if code != 0:
            failed[name] = output[-6000:]
    assert not failed, "\n\n".join(f"=== {name}\n{out}" for name, out in failed.items())


async def openapi(suite: Suite, name: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=suite.url(name)) as client:
        document: dict[str, Any] = (await client.get("/openapi.json")).json()
    return document


async def test_every_error_is_documented_with_the_body_it_really_has(shared_suite: Suite) -> None:
    """What schemathesis cannot see from outside: no FastAPI default bodies, no gaps."""
    for name in SERVICES:
        document = await openapi(shared_suite, name)
        assert "HTTPValidationError" not in document["components"]["schemas"], name
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                where = f"{name}: {method.upper()} {path}"
                responses = operation["responses"]
                for status, response in responses.items():
                    if int(status) >= 400 and path != "/readyz":
                        schema = response["content"]["application/json"]["schema"]
                        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, where
                if path.startswith("/api/"):
                    assert "503" in responses, where
                    assert "Retry-After" in responses["503"]["headers"], where
                if "requestBody" in operation:
                    assert {"413", "415", "422"} <= responses.keys(), where
                if operation.get("security"):
                    assert {"401", "403", "503"} <= responses.keys(), where
                    assert "WWW-Authenticate" in responses["401"]["headers"], where
