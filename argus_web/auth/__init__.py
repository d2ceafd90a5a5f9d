"""Sign-in and authentication: Argus's own session tokens, Google, personal tokens."""
