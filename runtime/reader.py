"""Reading a stream from a given sequence to its current end, outside any projection.

Used to rebuild read models, to catch a rebuilt one up, and by operators and tests to look
at what a stream holds. It reads through an ephemeral consumer that acknowledges nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

FETCH_SECONDS = 5.0
STALLED_FETCHES = 6
"""A read gives up (with an error) only after this many empty fetches in a row while the
server still counts messages pending: never silently short."""


class StreamReadStalled(RuntimeError):
    """The server kept messages pending but delivered none: the read could not finish."""


async def read_stream(
    js: JetStreamContext,
    stream: str,
    *,
    start_seq: int = 1,
    stop_seq: int | None = None,
    batch: int = 500,
    subject: str | None = None,
) -> AsyncIterator[Msg]:
    """Yield the messages of ``stream`` with ``start_seq <= seq <= stop_seq`` in order.

    ``stop_seq`` defaults to the stream's last sequence when reading starts; ``subject``
    narrows the reading to one subject (one aggregate).
    """
    info = await js.stream_info(stream)
    last = info.state.last_seq if stop_seq is None else min(stop_seq, info.state.last_seq)
    if start_seq > last:
        return
    subjects = info.config.subjects or [">"]
    sub = await js.pull_subscribe(
        subject or subjects[0],
        stream=stream,
        config=ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=start_seq,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=30.0,
            mem_storage=True,
        ),
    )
    try:
        if (await sub.consumer_info()).num_pending == 0:
            return  # nothing matches (a subject with no later message): no need to wait
        empty = 0
        while True:
            try:
                msgs = await sub.fetch(batch, timeout=FETCH_SECONDS)
            except nats.errors.TimeoutError:
                # A busy or just restarted server may take longer than one fetch to load
                # the stream's blocks: end only where the consumer really has nothing left.
                pending = (await sub.consumer_info()).num_pending
                if pending == 0:
                    return
                empty += 1
                if empty >= STALLED_FETCHES:
                    raise StreamReadStalled(
                        f"{stream}: {pending} messages pending, none delivered"
                        f" in {empty * FETCH_SECONDS:.0f} s"
                    ) from None
                continue
            empty = 0
            for msg in msgs:
                seq = msg.metadata.sequence.stream
                if seq > last:
                    return
                yield msg
                if seq == last or msg.metadata.num_pending == 0:
                    return
    finally:
        await sub.unsubscribe()
