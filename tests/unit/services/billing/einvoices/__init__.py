"""Unit tests of the check of incoming e-invoices: pure, on the official KoSIT test suite."""
