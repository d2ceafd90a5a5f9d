"""Settings for Slack, the job queue and the workers, read from the environment."""

from __future__ import annotations

import pytest

from argus_web.settings import Settings, SlackSettings


def test_defaults_run_in_process_without_slack() -> None:
    settings = Settings.from_env({})
    assert settings.slack is None
    assert settings.queue_url is None
    assert settings.job_concurrency == 4
    assert settings.job_retries is None
    assert settings.job_retry_delay_seconds is None
    assert settings.reminder_interval_seconds == 60


def test_empty_variables_mean_the_defaults() -> None:
    blank = dict.fromkeys(
        (
            "SLACK_BOT_TOKEN",
            "SLACK_API_URL",
            "ARGUS_QUEUE_URL",
            "ARGUS_JOB_CONCURRENCY",
            "ARGUS_JOB_RETRIES",
            "ARGUS_JOB_RETRY_DELAY_SECONDS",
            "ARGUS_REMINDER_INTERVAL_SECONDS",
        ),
        "",
    )
    assert Settings.from_env(blank) == Settings.from_env({})
    assert Settings.from_env({k: "  " for k in blank if k.startswith("ARGUS_JOB")}) == (
        Settings.from_env({})
    )


def test_a_bot_token_turns_slack_on() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert settings.slack == SlackSettings(bot_token="xoxb-1")
    assert settings.slack is not None
    assert settings.slack.api_url == "https://slack.com/api/"
    custom = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:9000/api/"}
    )
    assert custom.slack == SlackSettings(bot_token="xoxb-1", api_url="http://127.0.0.1:9000/api/")


def test_an_api_url_without_a_token_leaves_slack_off() -> None:
    assert Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:9000/api/"}).slack is None


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("redis://localhost:6379/0", "redis://localhost:6379/0"),
        ("rediss://cache.example.com:6380", "rediss://cache.example.com:6380"),
        ("postgresql://argus:pw@db/argus", "postgresql://argus:pw@db/argus"),
        ("postgres://argus:pw@db/argus", "postgres://argus:pw@db/argus"),
        ("postgresql+asyncpg://argus:pw@db/argus", "postgresql://argus:pw@db/argus"),
        ("postgresql+psycopg://argus:p+asyncpg@db/a", "postgresql://argus:p+asyncpg@db/a"),
        ("  REDIS://cache:6379 ", "REDIS://cache:6379"),
    ],
)
def test_redis_and_postgresql_queues_are_accepted(url: str, kept: str) -> None:
    assert Settings.from_env({"ARGUS_QUEUE_URL": url}).queue_url == kept


@pytest.mark.parametrize(
    "url",
    [
        "amqp://guest@rabbit//",
        "mysql://argus@db/argus",
        "sqlite+aiosqlite:///argus.db",
        "http://localhost:6379",
        "localhost:6379",
    ],
)
def test_other_queues_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="ARGUS_QUEUE_URL"):
        Settings.from_env({"ARGUS_QUEUE_URL": url})


def test_job_numbers_are_read() -> None:
    settings = Settings.from_env(
        {
            "ARGUS_JOB_CONCURRENCY": " 8 ",
            "ARGUS_JOB_RETRIES": "3",
            "ARGUS_JOB_RETRY_DELAY_SECONDS": "0.5",
            "ARGUS_REMINDER_INTERVAL_SECONDS": "300",
        }
    )
    assert settings.job_concurrency == 8
    assert settings.job_retries == 3
    assert settings.job_retry_delay_seconds == 0.5
    assert settings.reminder_interval_seconds == 300


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ARGUS_JOB_CONCURRENCY", "1"),
        ("ARGUS_JOB_CONCURRENCY", "100"),
        ("ARGUS_JOB_RETRIES", "1"),
        ("ARGUS_JOB_RETRIES", "50"),
        ("ARGUS_JOB_RETRY_DELAY_SECONDS", "0"),
        ("ARGUS_JOB_RETRY_DELAY_SECONDS", "3600"),
        ("ARGUS_REMINDER_INTERVAL_SECONDS", "1"),
        ("ARGUS_REMINDER_INTERVAL_SECONDS", "3600"),
    ],
)
def test_the_limits_themselves_are_accepted(name: str, value: str) -> None:
    Settings.from_env({name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ARGUS_JOB_CONCURRENCY", "four"),
        ("ARGUS_JOB_CONCURRENCY", "2.5"),
        ("ARGUS_JOB_CONCURRENCY", "0"),
        ("ARGUS_JOB_CONCURRENCY", "101"),
        ("ARGUS_JOB_CONCURRENCY", "-1"),
        ("ARGUS_JOB_RETRIES", "many"),
        ("ARGUS_JOB_RETRIES", "1.5"),
        ("ARGUS_JOB_RETRIES", "0"),
        ("ARGUS_JOB_RETRIES", "51"),
        ("ARGUS_JOB_RETRY_DELAY_SECONDS", "soon"),
        ("ARGUS_JOB_RETRY_DELAY_SECONDS", "-0.1"),
        ("ARGUS_JOB_RETRY_DELAY_SECONDS", "3600.5"),
        ("ARGUS_JOB_RETRY_DELAY_SECONDS", "nan"),
        ("ARGUS_JOB_RETRY_DELAY_SECONDS", "inf"),
        ("ARGUS_REMINDER_INTERVAL_SECONDS", "1m"),
        ("ARGUS_REMINDER_INTERVAL_SECONDS", "0"),
        ("ARGUS_REMINDER_INTERVAL_SECONDS", "3601"),
        ("ARGUS_TOKEN_TTL_MINUTES", "an hour"),
    ],
)
def test_bad_numbers_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})
