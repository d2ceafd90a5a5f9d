"""Search words (PostgreSQL): every word issues contain, for expanding search prefixes.

A prefix in a full-text query (``word:*``) makes PostgreSQL collect every issue of every
matching word into a bitmap before it can intersect the terms: about 8 ms of CPU for two
terms over a million issues. The same terms written as the exact words they stand for
are intersected inside the index: about 2 ms. This table lists the words so a search can
expand its prefixes; a trigger keeps it filled (words of deleted issues stay: a word
with no issue left matches nothing).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Sorted, so two transactions adding the same words wait for each other in one order
# (never a deadlock).
WORDS_OF = """
    SELECT DISTINCT word
    FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, {text}))) AS word
    ORDER BY word
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite matches word prefixes with LIKE on search_text
    op.execute('CREATE TABLE search_words (word text COLLATE "C" PRIMARY KEY)')
    op.execute(f"""
        CREATE FUNCTION search_words_track() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO search_words (word) {WORDS_OF.format(text="NEW.search_text")}
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$
    """)
    op.execute(
        "CREATE TRIGGER search_words_insert AFTER INSERT ON issues "
        "FOR EACH ROW EXECUTE FUNCTION search_words_track()"
    )
    op.execute(
        "CREATE TRIGGER search_words_update AFTER UPDATE OF search_text ON issues "
        "FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) "
        "EXECUTE FUNCTION search_words_track()"
    )
    op.execute("""
        INSERT INTO search_words (word)
        SELECT DISTINCT word FROM issues,
            unnest(tsvector_to_array(to_tsvector('simple'::regconfig, search_text))) AS word
        ORDER BY word
        ON CONFLICT DO NOTHING
    """)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION search_words_track() CASCADE")
    op.execute("DROP TABLE search_words")
