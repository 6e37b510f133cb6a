"""Incoming e-invoices (XRechnung, ZUGFeRD/Factur-X): checking, routing and approving them."""
