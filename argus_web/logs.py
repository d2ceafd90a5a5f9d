"""Log lines for people (plain text, the default) or for machines (one JSON object a
line, ``ARGUS_LOG_FORMAT=json``), carrying the request id and the running job.

The standard library's ``logging`` is enough: the ids live in context variables that a
formatter reads when it writes the line (handlers write in the caller's task), so no
call site changes and uvicorn's, SAQ's and SQLAlchemy's lines get them too.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from argus_adapters.job_runs import CURRENT_JOB

LOG_FORMATS = ("plain", "json")
ACCESS = logging.getLogger("argus_web.access")
"""A line per request (method, path, route, status, duration), at INFO; off unless
``--access-log`` asks for it with JSON logs."""
ACCESS.setLevel(logging.WARNING)
REQUEST_ID: ContextVar[str | None] = ContextVar("argus_request_id", default=None)
"""The id of the HTTP request this task serves, if any."""
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# LogRecord attributes that are not extra fields given by the caller.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def request_id_from(header: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is a plain token of at most 128 characters
    (it ends up in log lines and headers), else a new one."""
    if header and _GOOD_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id or job
    (name, id, attempt) when there is one, extra fields, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            line["request_id"] = request_id
        job = CURRENT_JOB.get()
        if job is not None:
            line["job"] = job.name
            line["job_id"] = job.id
            line["job_attempt"] = job.attempt
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str)


PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def logging_config(
    log_format: str, level: str = "INFO", *, access_log: bool | None = None
) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the whole process, uvicorn's and Litestar's
    loggers included (uvicorn applies it in every process it starts). With
    ``access_log``, a line per request comes from Argus's own middleware
    (:data:`ACCESS`), which knows the request id and the route; uvicorn's access lines
    stay off. ``None`` leaves :data:`ACCESS` as it is."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": PLAIN}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"argus": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "argus",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "litestar": {"handlers": [], "propagate": True},
            "saq": {"level": "WARNING"},  # not a line per job
        }
        | (
            {}
            if access_log is None
            else {ACCESS.name: {"level": "INFO" if access_log else "WARNING"}}
        ),
    }


def configure_logging(
    log_format: str, level: str = "INFO", *, access_log: bool | None = None
) -> None:
    """Send this process's log lines to stderr in ``log_format``."""
    import logging.config

    logging.config.dictConfig(logging_config(log_format, level, access_log=access_log))
