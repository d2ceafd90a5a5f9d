"""The Litestar web app, CLI and worker entry points."""
