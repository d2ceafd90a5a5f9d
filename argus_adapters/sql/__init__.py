"""The SQL adapter: PostgreSQL (asyncpg) in production, SQLite (aiosqlite) embedded.

ORM models live here and never travel above this package; repositories map them to and
from the core's Structs.
"""
