"""``python -m devstack.issuer``: run the development issuer until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn

from devstack.issuer.app import create_issuer_app
from devstack.issuer.directory import DEMO_CONFIG, Directory
from devstack.issuer.keys import load_or_create_key
from devstack.issuer.process import ISSUER_PORT
from devstack.issuer.server import Issuer
from devstack.suite import ROOT


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m devstack.issuer")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=ISSUER_PORT)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".rathaus")
    parser.add_argument("--accounts", type=Path, default=DEMO_CONFIG, help="demo accounts")
    parser.add_argument("--url", help="the issuer's URL (default: http://HOST:PORT)")
    args = parser.parse_args(argv)
    url = args.url or f"http://{args.host}:{args.port}"
    # A development issuer only: plain HTTP is allowed beyond loopback too (in a container).
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    key = load_or_create_key(args.data_dir / "issuer")
    issuer = Issuer(url, Directory.load(args.accounts), key)
    print(f"development issuer at {url} (key {issuer.key.kid})", flush=True)
    uvicorn.run(create_issuer_app(issuer), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
