"""AES-256-GCM sealing of personal data, and wrapping of data keys under the KEK."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from runtime.crypto import (
    KEY_BYTES,
    NONCE_BYTES,
    DecryptionFailed,
    UnknownKek,
    kek_id,
    new_data_key,
    open_sealed,
    open_text,
    seal,
    seal_text,
    unwrap_key,
    wrap_key,
    wrapping_kek_id,
)

PLAINTEXT = b'{"name":"Anna Schmidt","email":"anna.schmidt@example.org"}'
ASSOCIATED = b"0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10:contact"


@pytest.fixture
def key() -> AESGCM:
    return AESGCM(new_data_key())


def test_new_data_keys_are_random_256_bit_keys() -> None:
    first, second = new_data_key(), new_data_key()

    assert len(first) == KEY_BYTES == 32
    assert first != second


def test_sealed_data_opens_again(key: AESGCM) -> None:
    sealed = seal(key, PLAINTEXT, ASSOCIATED)

    assert PLAINTEXT not in sealed
    assert len(sealed) == NONCE_BYTES + len(PLAINTEXT) + 16  # nonce + ciphertext + GCM tag
    assert open_sealed(key, sealed, ASSOCIATED) == PLAINTEXT


def test_sealed_text_opens_again(key: AESGCM) -> None:
    sealed = seal_text(key, PLAINTEXT, ASSOCIATED)

    assert sealed.isascii()
    assert open_text(key, sealed, ASSOCIATED) == PLAINTEXT


def test_every_seal_uses_a_fresh_nonce(key: AESGCM) -> None:
    assert seal(key, PLAINTEXT, ASSOCIATED) != seal(key, PLAINTEXT, ASSOCIATED)


@pytest.mark.parametrize("position", [0, NONCE_BYTES, NONCE_BYTES + 5, -1])
def test_a_tampered_byte_does_not_open(key: AESGCM, position: int) -> None:
    sealed = bytearray(seal(key, PLAINTEXT, ASSOCIATED))
    sealed[position] ^= 0x01

    with pytest.raises(DecryptionFailed):
        open_sealed(key, bytes(sealed), ASSOCIATED)


def test_a_truncated_ciphertext_does_not_open(key: AESGCM) -> None:
    sealed = seal(key, PLAINTEXT, ASSOCIATED)

    with pytest.raises(DecryptionFailed):
        open_sealed(key, sealed[: NONCE_BYTES + 4], ASSOCIATED)


def test_other_associated_data_does_not_open(key: AESGCM) -> None:
    sealed = seal(key, PLAINTEXT, ASSOCIATED)

    with pytest.raises(DecryptionFailed):
        open_sealed(key, sealed, b"0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10:form")


def test_another_key_does_not_open(key: AESGCM) -> None:
    sealed = seal(key, PLAINTEXT, ASSOCIATED)

    with pytest.raises(DecryptionFailed):
        open_sealed(AESGCM(new_data_key()), sealed, ASSOCIATED)


def test_a_wrapped_key_unwraps_under_its_own_id() -> None:
    kek, data_key = new_data_key(), new_data_key()

    wrapped = wrap_key(kek, data_key, "case-0190f3c4")

    assert data_key not in wrapped
    assert unwrap_key(kek, wrapped, "case-0190f3c4") == data_key


def test_a_wrapped_key_is_bound_to_its_id() -> None:
    kek = new_data_key()
    wrapped = wrap_key(kek, new_data_key(), "case-0190f3c4")

    with pytest.raises(DecryptionFailed):
        unwrap_key(kek, wrapped, "case-0190f3c5")


def test_a_wrapped_key_needs_the_kek_it_was_wrapped_with() -> None:
    wrapped = wrap_key(new_data_key(), new_data_key(), "case-0190f3c4")

    with pytest.raises(DecryptionFailed):
        unwrap_key(new_data_key(), wrapped, "case-0190f3c4")


def test_a_wrapped_key_names_the_kek_that_wrapped_it() -> None:
    kek = new_data_key()

    wrapped = wrap_key(kek, new_data_key(), "case-0190f3c4")

    assert wrapped.startswith(b"RCK1")
    assert wrapping_kek_id(wrapped) == kek_id(kek) == hashlib.sha256(kek).hexdigest()[:8]


def test_a_key_wrapped_with_a_previous_kek_unwraps_when_that_kek_is_given() -> None:
    old, current, data_key = new_data_key(), new_data_key(), new_data_key()
    wrapped = wrap_key(old, data_key, "case-0190f3c4")

    assert unwrap_key([current, old], wrapped, "case-0190f3c4") == data_key
    with pytest.raises(UnknownKek, match=kek_id(old)):
        unwrap_key([current], wrapped, "case-0190f3c4")


def test_an_unversioned_wrapped_key_stays_readable() -> None:
    """The format before key ids: nonce ‖ ciphertext ‖ tag, bound to the key id alone."""
    kek, data_key = new_data_key(), new_data_key()
    legacy = seal(AESGCM(kek), data_key, b"case-0190f3c4")

    assert wrapping_kek_id(legacy) is None
    assert unwrap_key(kek, legacy, "case-0190f3c4") == data_key
    assert unwrap_key([new_data_key(), kek], legacy, "case-0190f3c4") == data_key
    with pytest.raises(DecryptionFailed):
        unwrap_key([new_data_key()], legacy, "case-0190f3c4")


def test_the_kek_id_cannot_be_swapped_for_another() -> None:
    kek, other = new_data_key(), new_data_key()
    wrapped = wrap_key(kek, new_data_key(), "case-0190f3c4")
    relabelled = wrapped[:4] + kek_id(other).encode() + wrapped[12:]

    with pytest.raises(DecryptionFailed):
        unwrap_key([kek, other], relabelled, "case-0190f3c4")
