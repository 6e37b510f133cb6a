"""The shared runtime: what every service needs and nothing more.

Event store on JetStream, projection runner, data keys for personal data, database access,
settings, logging and telemetry. Domain logic never lives here.
"""
