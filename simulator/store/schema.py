"""The database schema, as numbered migrations.

PRAGMA user_version holds the number of migrations applied. A database
made by any earlier version is brought up to date when it is opened; a
database from a newer version of the product is refused rather than
damaged.
"""

from __future__ import annotations

import sqlite3

from ..errors import SimulatorError

MIGRATIONS: list[str] = [
    # 1: sessions as they are played
    """
    CREATE TABLE trainees (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        trainee_id INTEGER NOT NULL REFERENCES trainees(id),
        scenario_id TEXT NOT NULL,
        scenario_title TEXT NOT NULL,
        scenario_sha256 TEXT NOT NULL,
        scenario_file TEXT,
        intensity TEXT,
        seed INTEGER,
        started_at REAL NOT NULL,
        ended_at REAL,
        status TEXT NOT NULL,
        ending_node TEXT,
        ending_outcome TEXT,
        path TEXT NOT NULL DEFAULT '[]',
        overall REAL,
        result TEXT,
        keep_audio INTEGER NOT NULL DEFAULT 0,
        owner_pid INTEGER
    );
    CREATE TABLE turns (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        speaker TEXT NOT NULL,
        kind TEXT NOT NULL,
        node TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        line_id TEXT,
        source TEXT,
        action TEXT,
        confidence REAL,
        word_confidences TEXT,
        matches TEXT NOT NULL DEFAULT '[]',
        started_at REAL NOT NULL,
        ended_at REAL NOT NULL,
        audio TEXT,
        PRIMARY KEY (session_id, idx)
    );
    CREATE TABLE verdicts (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        dimension TEXT NOT NULL,
        item TEXT NOT NULL,
        status TEXT NOT NULL,
        uncertain INTEGER NOT NULL DEFAULT 0,
        evidence TEXT NOT NULL DEFAULT '[]',
        feedback TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (session_id, dimension, item)
    );
    CREATE TABLE scores (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        dimension TEXT NOT NULL,
        score REAL NOT NULL,
        weight REAL NOT NULL,
        PRIMARY KEY (session_id, dimension)
    );
    CREATE INDEX sessions_by_start ON sessions (started_at DESC);
    CREATE INDEX sessions_by_trainee ON sessions (trainee_id, started_at DESC);
    """,
    # 2: managers' overrides and comments; the automatic verdict is never changed
    """
    CREATE TABLE overrides (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        dimension TEXT NOT NULL,
        item TEXT NOT NULL,
        status TEXT NOT NULL,
        comment TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX overrides_by_session ON overrides (session_id, created_at);
    """,
    # 3: statements waiting for the Learning Record Store; where sessions came from
    """
    CREATE TABLE outbox (
        statement_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        body TEXT NOT NULL,
        queued_at REAL NOT NULL,
        sent_at REAL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE INDEX outbox_unsent ON outbox (sent_at, queued_at);
    ALTER TABLE sessions ADD COLUMN origin TEXT NOT NULL DEFAULT 'played';
    CREATE INDEX sessions_by_scenario ON sessions (scenario_id, started_at DESC);
    CREATE INDEX sessions_by_status ON sessions (status, started_at DESC);
    """,
    # 4: review: word search over transcripts, scores after overrides, who reviewed which session
    """
    CREATE VIRTUAL TABLE turns_fts USING fts5(text, content='turns', content_rowid='rowid',
                                              tokenize='unicode61 remove_diacritics 2');
    -- The index follows turns by rowid: never VACUUM this database without "rebuild" afterwards.
    CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
        INSERT INTO turns_fts (rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
        INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END;
    CREATE TRIGGER turns_fts_update AFTER UPDATE OF text ON turns BEGIN
        INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO turns_fts (rowid, text) VALUES (new.rowid, new.text);
    END;
    INSERT INTO turns_fts (turns_fts) VALUES ('rebuild');
    ALTER TABLE scores ADD COLUMN reviewed REAL;
    ALTER TABLE sessions ADD COLUMN reviewed_overall REAL;
    CREATE TABLE reviews (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        reviewer TEXT NOT NULL,
        reviewed_at REAL NOT NULL,
        PRIMARY KEY (session_id, reviewer)
    );
    CREATE INDEX sessions_by_overall ON sessions (overall);
    CREATE INDEX overrides_by_item ON overrides (item);
    """,
    # 5: trainees' disputes of a verdict and the manager's answer. The id is the same in every store a dispute
    # travels to (bundles go both ways), so a resolution coming back finds the dispute it answers. An overturned
    # dispute points at the override it made: the override path is the one way a reviewed verdict changes.
    """
    CREATE TABLE disputes (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        dimension TEXT NOT NULL,
        item TEXT NOT NULL,
        disputed_status TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at REAL NOT NULL,
        outcome TEXT NOT NULL DEFAULT 'open',
        resolved_status TEXT,
        response TEXT,
        resolver TEXT,
        resolved_at REAL,
        override_id INTEGER REFERENCES overrides(id) ON DELETE SET NULL
    );
    CREATE INDEX disputes_by_outcome ON disputes (outcome, created_at);
    CREATE INDEX disputes_by_session ON disputes (session_id, created_at);
    """,
    # 6: assignments a manager made, or a trainee imported from a manager's assignment bundle. The id is the
    # same in both stores; `trainees` empty means everyone who imports it.
    """
    CREATE TABLE assignments (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        trainees TEXT NOT NULL DEFAULT '[]',
        items TEXT NOT NULL,
        due_at REAL NOT NULL,
        created_at REAL NOT NULL,
        created_by TEXT NOT NULL,
        origin TEXT NOT NULL,
        imported_at REAL
    );
    CREATE INDEX assignments_by_due ON assignments (due_at);
    """,
]

LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, upto: int = LATEST) -> int:
    """Apply the migrations a database lacks; returns the version it is at now."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise SimulatorError(f"this database was written by a newer version of the simulator (schema {version})",
                             "update the simulator before opening it")
    for number in range(version + 1, upto + 1):
        with conn:  # one transaction per step: a failed step leaves the previous version intact
            conn.executescript("BEGIN;" + MIGRATIONS[number - 1] + f"PRAGMA user_version = {number};COMMIT;")
    return max(version, upto)
