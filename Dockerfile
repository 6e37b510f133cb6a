# One image recipe for every service:
#   docker build --build-arg SERVICE=intake \
#     --build-context xrechnung-rules=../shared/data/xrechnung .
# (compose.yaml names that context itself: `docker compose build`).
# The base image is pinned to an exact release; deploy/README.md ("Supply chain") says how to
# pin its digest as well.
FROM python:3.12.12-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --create-home --home-dir /home/rathaus --shell /usr/sbin/nologin rathaus

WORKDIR /app
# The dependencies exactly as locked, every file checked against its hash, in a layer of their
# own (rebuilt only when the lock changes). The lock has the build backend too, so the project
# below builds without fetching anything and installs nothing more.
COPY requirements/runtime.lock requirements/
RUN pip install --require-hashes -r requirements/runtime.lock
COPY pyproject.toml README.md ./
COPY contracts/ contracts/
COPY runtime/ runtime/
COPY services/ services/
RUN pip install --no-deps --no-build-isolation . && rm -rf build *.egg-info

# The official XRechnung validation artefacts billing checks incoming e-invoices against — the
# UBL 2.1 and CII D16B schemas, the EN 16931 and XRechnung rules, SchXslt — from the named build
# context "xrechnung-rules"; the test invoices stay outside the image.
COPY --from=xrechnung-rules en16931/ rules/xrechnung/en16931/
COPY --from=xrechnung-rules schematron/ rules/xrechnung/schematron/
COPY --from=xrechnung-rules schxslt/ rules/xrechnung/schxslt/
COPY --from=xrechnung-rules ubl-2.1-xsd/ rules/xrechnung/ubl-2.1-xsd/
ENV BILLING_INVOICE_RULES_DIR=/app/rules/xrechnung

# The member towns' configuration; in a cluster, mount the cooperative's own folder here.
COPY deploy/members/ deploy/members/
ENV RATHAUS_MEMBERS_DIR=/app/deploy/members

ARG SERVICE=intake
ENV SERVICE=${SERVICE}

USER rathaus
# exec: the service becomes PID 1's direct replacement and gets SIGTERM for a clean stop.
CMD exec python -m services.${SERVICE}
