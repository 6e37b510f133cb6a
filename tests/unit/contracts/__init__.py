"""Unit tests of the contracts: events, registry, names, forms and the AsyncAPI document."""
