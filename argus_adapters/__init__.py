"""Implementations of the core's ports: SQL, Slack, sign-in, job queues, in-memory."""
