"""Online payment: the town's payment provider behind one provider-neutral adapter.

The citizen starts a payment for a Kassenzeichen's open amount (``payment_api``); billing
orders it at the town's provider (``[billing.payment]`` of the member file,
``configuration``) and sends the citizen to the provider's page. The provider confirms with a
signed callback — or answers a status query — and billing books the money once
(``ledger``: the booking id is the provider's payment id; a seen nonce, a stale timestamp, a
bad signature or a confirmation that does not match the order is refused).

``provider``  the adapter's protocol and what it reports (pure types)
``signing``   HMAC-SHA256 signatures with timestamp and nonce (pure)
``matching``  the rules a confirmation must pass to book money (pure)
``hmac_redirect``  the adapter for providers that redirect and sign their callbacks
``configuration``  the town's provider from its member file, its key from the environment
``ledger``    the payments' records in billing's database, and the bookings
"""
