"""Stored documents: sealed in chunks, readable only whole, in order, with their key and name."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from runtime.documents import DocumentUnreadable, DocumentWriter, decrypt, seal_document

KEY = AESGCM(AESGCM.generate_key(bit_length=256))


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 250, 1000])
def test_what_goes_in_in_pieces_comes_out_whole(size: int) -> None:
    content = os.urandom(size)
    writer = DocumentWriter(KEY, "a/b", chunk=100)
    stored = b"".join(writer.feed(content[i : i + 37]) for i in range(0, size, 37))
    stored += writer.finish()
    assert decrypt(stored, KEY, "a/b") == content
    assert writer.size == size
    assert writer.head == content[:100]
    assert seal_document(content, KEY, "x") != seal_document(content, KEY, "x")  # fresh nonces


def test_a_cut_off_swapped_or_moved_document_does_not_verify() -> None:
    writer = DocumentWriter(KEY, "case/1", chunk=100)
    stored = writer.feed(os.urandom(250)) + writer.finish()
    sealed = 12 + 100 + 16
    header, chunks = stored[:8], stored[8:]
    with pytest.raises(DocumentUnreadable):
        decrypt(header + chunks[:sealed], KEY, "case/1")  # the end cut off
    swapped = header + chunks[sealed : 2 * sealed] + chunks[:sealed] + chunks[2 * sealed :]
    with pytest.raises(DocumentUnreadable):
        decrypt(swapped, KEY, "case/1")
    with pytest.raises(DocumentUnreadable):
        decrypt(stored, KEY, "case/2")  # under another name
    with pytest.raises(DocumentUnreadable):
        decrypt(stored, AESGCM(AESGCM.generate_key(bit_length=256)), "case/1")
