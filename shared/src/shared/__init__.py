"""The platform library the four services share: config, database, events, outbox, consumer,
web basics, auth and the operator CLI."""
