"""Port choice: the usual port, a stable alternate, then any free one — never one twice."""

from devstack.ports import ALTERNATE_OFFSET, candidates, choose_port


def busy(*ports: int):  # type: ignore[no-untyped-def]
    return lambda port: port not in ports


def test_the_usual_port_when_it_is_free() -> None:
    assert choose_port(8001, is_free=busy(), any_free=lambda: 40000) == 8001


def test_a_taken_port_falls_back_to_the_same_alternate_every_time() -> None:
    assert choose_port(4222, is_free=busy(4222), any_free=lambda: 40000) == 14222
    assert ALTERNATE_OFFSET == 10000


def test_any_free_port_when_usual_and_alternate_are_taken() -> None:
    assert choose_port(5432, is_free=busy(5432, 15432), any_free=lambda: 40000) == 40000


def test_a_port_already_handed_out_this_run_is_not_handed_out_again() -> None:
    offered = iter([41000, 41001])
    chosen = choose_port(
        8001, taken={8001, 18001, 41000}, is_free=busy(), any_free=lambda: next(offered)
    )
    assert chosen == 41001


def test_no_alternate_beyond_the_highest_port() -> None:
    assert candidates(60000) == [60000]
    assert candidates(1025) == [1025, 11025]
