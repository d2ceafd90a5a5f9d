"""The REST API: wire schemas, presenters and route handlers."""
