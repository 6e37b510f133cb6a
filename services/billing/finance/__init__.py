"""The town's accounts: each day's claims raised and payments received, for its finance software."""
