"""The one place that configures JetStream: event streams, the key bucket, the object store.

An event stream is a log, never a cache: file storage, no age or size limits, ``discard=new``
(were a limit ever hit, refusing a write is loud; dropping history would be silent), and
neither delete nor purge allowed. The duplicate window de-duplicates retried publishes.

The data-key bucket is the opposite: it must be able to forget. It keeps one revision per key,
and allows deleting a message, which the server does by overwriting it on disk.

Each stream is configured by exactly one service: its event stream by its owner, the key
bucket and the attachment store by intake (``runtime.natsauth``: the first to write to either,
so no service ever waits for another before its first write). The others only use them and,
where they find them missing, wait (a key read fails until the bucket is there; archive's
erasure finds no attachments in a store that does not exist).
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
from runtime.natsauth import ATTACHMENT_OWNER, KEY_CREATOR, attachment_stream
from runtime.natsauth import key_bucket_stream as key_bucket_stream  # named here since ever

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


async def ensure_shared_buckets(
    js: JetStreamContext, ns: Namespace, service: Service, replicas: int = 1
) -> None:
    """Create or update the key bucket and the attachment store, if ``service`` owns them."""
    if service == KEY_CREATOR:
        await ensure_key_bucket(js, ns, replicas)
    if service == ATTACHMENT_OWNER:
        await ensure_attachment_store(js, ns, replicas)


def attachment_store(js: JetStreamContext, ns: Namespace) -> ObjectStore:
    """A handle on the attachment store, without asking the server (it may not exist yet)."""
    bucket = ns.attachment_bucket()
    return ObjectStore(name=bucket, stream=attachment_stream(ns), js=js)


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
