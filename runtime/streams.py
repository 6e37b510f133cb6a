"""The one place that configures JetStream: event streams, the key bucket, the object store.

An event stream is a log, never a cache: file storage, no age or size limits, ``discard=new``
(were a limit ever hit, refusing a write is loud; dropping history would be silent), and
neither delete nor purge allowed. The duplicate window de-duplicates retried publishes.

The data-key bucket is the opposite: it must be able to forget. It keeps one revision per key,
and allows deleting a message, which the server does by overwriting it on disk.
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError
from nats.js.object_store import ObjectStore

from contracts.naming import Namespace, Service

DUPLICATE_WINDOW_SECONDS = 300.0


def event_stream_config(ns: Namespace, service: Service, replicas: int) -> StreamConfig:
    """The configuration of a service's event log."""
    return StreamConfig(
        name=ns.stream(service),
        description=f"Event log of the {service.value} service",
        subjects=[ns.stream_subjects(service)],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        max_msgs=-1,
        max_bytes=-1,
        max_age=0,
        max_msgs_per_subject=-1,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
    )


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream, or bring an existing one to ``config``."""
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        try:
            await js.add_stream(config)
        except BadRequestError as exc:
            if exc.err_code != 10058:  # created concurrently by another replica
                raise
        return
    await js.update_stream(config)


async def ensure_event_stream(
    js: JetStreamContext, ns: Namespace, service: Service, replicas: int = 1
) -> None:
    """Make sure ``service``'s event log exists as configured."""
    await ensure_stream(js, event_stream_config(ns, service, replicas))


def key_bucket_stream(ns: Namespace) -> str:
    """Name of the stream behind the data-key bucket (JetStream's KV naming)."""
    return f"KV_{ns.key_bucket()}"


async def ensure_key_bucket(js: JetStreamContext, ns: Namespace, replicas: int = 1) -> None:
    """The bucket of wrapped data keys: one message per key, erasable messages."""
    bucket = ns.key_bucket()
    await ensure_stream(
        js,
        StreamConfig(
            name=key_bucket_stream(ns),
            description="Wrapped per-case data keys (crypto-shredding)",
            subjects=[f"$KV.{bucket}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.NEW,
            max_msgs_per_subject=1,
            num_replicas=replicas,
            duplicate_window=120.0,
            allow_direct=True,
            allow_rollup_hdrs=True,
            deny_delete=False,
            deny_purge=False,
        ),
    )


async def ensure_attachment_store(
    js: JetStreamContext, ns: Namespace, replicas: int = 1
) -> ObjectStore:
    """The object store of encrypted attachments."""
    from nats.js.api import ObjectStoreConfig

    bucket = ns.attachment_bucket()
    try:
        return await js.object_store(bucket)
    except NotFoundError:
        return await js.create_object_store(
            bucket,
            config=ObjectStoreConfig(
                description="Encrypted attachments of applications",
                storage=StorageType.FILE,
                replicas=replicas,
            ),
        )
