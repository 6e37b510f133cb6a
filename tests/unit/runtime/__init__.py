"""Unit tests of the shared runtime: crypto, codec and HTTP conventions, without servers."""
