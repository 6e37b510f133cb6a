"""Reading a stream never ends short: a fetch that times out while messages are pending is
tried again, and a server that never delivers them is an error, not the end of the stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import nats.errors
import pytest

from runtime import reader
from runtime.reader import StreamReadStalled, read_stream


def message(seq: int, last: int) -> Any:
    metadata = SimpleNamespace(sequence=SimpleNamespace(stream=seq), num_pending=last - seq)
    return SimpleNamespace(metadata=metadata, data=str(seq).encode())


@dataclass
class SlowSubscription:
    """Answers the fetches it is told to: a list of messages or a timeout (``None``)."""

    answers: list[list[Any] | None]
    pending: int
    fetches: int = 0
    unsubscribed: bool = False

    async def consumer_info(self) -> Any:
        return SimpleNamespace(num_pending=self.pending)

    async def fetch(self, batch: int, timeout: float) -> list[Any]:
        self.fetches += 1
        answer = self.answers.pop(0) if self.answers else None
        if answer is None:
            raise nats.errors.TimeoutError
        self.pending -= len(answer)
        return answer

    async def unsubscribe(self) -> None:
        self.unsubscribed = True


@dataclass
class Stream:
    subscription: SlowSubscription
    last_seq: int
    subscribed: list[str] = field(default_factory=list)

    async def stream_info(self, name: str) -> Any:
        return SimpleNamespace(
            state=SimpleNamespace(last_seq=self.last_seq),
            config=SimpleNamespace(subjects=["x.>"]),
        )

    async def pull_subscribe(self, subject: str, **_: Any) -> SlowSubscription:
        self.subscribed.append(subject)
        return self.subscription


async def read_all(stream: Stream) -> list[int]:
    return [msg.metadata.sequence.stream async for msg in read_stream(stream, "X")]  # type: ignore[arg-type]


async def test_a_fetch_timing_out_with_messages_pending_is_tried_again() -> None:
    first, rest = [message(1, 4), message(2, 4)], [message(3, 4), message(4, 4)]
    subscription = SlowSubscription([first, None, None, rest], pending=4)
    assert await read_all(Stream(subscription, last_seq=4)) == [1, 2, 3, 4]
    assert subscription.fetches == 4
    assert subscription.unsubscribed


async def test_a_timeout_with_nothing_pending_ends_the_read() -> None:
    only = message(1, 1)
    only.metadata.num_pending = 1  # it says more follow (a filtered subject); none do
    subscription = SlowSubscription([[only], None], pending=1)
    assert await read_all(Stream(subscription, last_seq=9)) == [1]


async def test_a_server_that_never_delivers_what_it_holds_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader, "STALLED_FETCHES", 3)
    subscription = SlowSubscription([[message(1, 3)]], pending=3)
    with pytest.raises(StreamReadStalled, match="2 messages pending"):
        await read_all(Stream(subscription, last_seq=3))
    assert subscription.fetches == 4
    assert subscription.unsubscribed
