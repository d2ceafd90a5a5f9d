"""The composition root: one dishka container for the web app, the CLI, the worker and tests.

APP scope: settings, engine, HTTP client, sign-in, clock. REQUEST scope: the
unit of work, the use cases and the signed-in actor. Tests add override providers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pluggy
from dishka import AnyOf, AsyncContainer, Provider, Scope, make_async_container, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Request
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.google import GoogleIdentityProvider
from argus_adapters.saq_jobs import SaqJobQueue, make_queue
from argus_adapters.slack.directory import SlackDirectory
from argus_adapters.slack.events import SlackMentionReader
from argus_adapters.slack.notifier import SlackChatNotifier
from argus_adapters.slack.reports import SlackReportReader
from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.jobs import SqlDeadLetters, SqlJobQueue
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.chain import ProviderChain
from argus_core.clock import SystemClock
from argus_core.domain.people import Actor
from argus_core.domain.values import CategorySet
from argus_core.jobs import POLICIES, JobPolicy, tuned
from argus_core.ports import (
    Categorizer,
    ChatNotifier,
    Clock,
    DashboardQueries,
    DeadLetters,
    IdentityProvider,
    JobQueue,
    RcaProvider,
    UnitOfWork,
)
from argus_core.usecases.background import FailedJobService, NotificationService, OutboxRelay
from argus_core.usecases.dashboard import DashboardService
from argus_core.usecases.identity import IdentityService
from argus_core.usecases.intake import IntakeService
from argus_core.usecases.issues import IssueService
from argus_core.usecases.rca import RcaService
from argus_core.usecases.reminders import ReminderService
from argus_core.usecases.teams import TeamService
from argus_core.usecases.tokens import TokenService
from argus_core.usecases.triage import TriageService
from argus_plugins.hookspecs import PluginContext
from argus_plugins.manager import Providers, chain_of, plugin_manager, providers
from argus_web.auth.current import authenticate
from argus_web.auth.tokens import SessionTokens
from argus_web.metrics import measured_rca_chain, slack_trace_config
from argus_web.settings import Settings
from argus_web.slack.handlers import ROUTES
from argus_web.slack.inbox import SlackInbox


class GoogleSignIn:
    """Google sign-in when configured; ``provider`` is None otherwise (routes answer 503)."""

    def __init__(self, provider: IdentityProvider | None) -> None:
        self.provider = provider


class Chat:
    """Slack when configured; ``notifier`` is None otherwise (nothing is sent)."""

    def __init__(self, notifier: ChatNotifier | None) -> None:
        self.notifier = notifier


class SlackApi:
    """Slack's Web API client when a bot token is configured, else None."""

    def __init__(self, client: AsyncWebClient | None) -> None:
        self.client = client


class SlackReader:
    """Reads Slack deliveries into what the core takes in; None without Slack."""

    def __init__(
        self, reader: SlackMentionReader | None, reports: SlackReportReader | None = None
    ) -> None:
        self.reader = reader
        self.reports = reports
        """``/argus report`` modals and messages tracked with the shortcut."""


class JobWake:
    """Wakes this process's job runner when a job is queued, and its outbox relay when
    events are committed, so neither waits for its next poll."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.outbox = asyncio.Event()


def job_policies(settings: Settings) -> dict[str, JobPolicy]:
    """Each kind of job's time limit and retries, with the settings' overrides."""
    return tuned(
        POLICIES, retries=settings.job_retries, retry_delay_seconds=settings.job_retry_delay_seconds
    )


class AppProvider(Provider):
    """Things that live as long as the process."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings.database)
        yield engine
        await engine.dispose()

    @provide
    def clock(self) -> Clock:
        return SystemClock()

    @provide
    def categories(self) -> CategorySet:
        return CategorySet()

    @provide
    async def http(self) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
            yield client

    @provide
    def google(self, settings: Settings, http: httpx.AsyncClient) -> GoogleSignIn:
        g = settings.google
        if g is None:
            return GoogleSignIn(None)
        return GoogleSignIn(
            GoogleIdentityProvider(
                http,
                client_id=g.client_id,
                client_secret=g.client_secret,
                redirect_uri=g.redirect_uri,
                auth_url=g.auth_url,
                token_url=g.token_url,
                userinfo_url=g.userinfo_url,
            )
        )

    @provide
    async def slack_api(self, settings: Settings) -> AsyncIterator[SlackApi]:
        if settings.slack is None:
            yield SlackApi(None)
            return
        async with aiohttp.ClientSession(trace_configs=[slack_trace_config()]) as session:
            client = AsyncWebClient(
                token=settings.slack.bot_token,
                base_url=settings.slack.api_url,
                session=session,
                timeout=15,
            )
            yield SlackApi(client)

    @provide
    def chat(self, settings: Settings, slack: SlackApi) -> Chat:
        if slack.client is None or settings.slack is None:
            return Chat(None)
        return Chat(
            SlackChatNotifier(slack.client, posts_per_second=settings.slack.posts_per_second)
        )

    @provide
    def slack_reader(self, slack: SlackApi) -> SlackReader:
        """Slack's people and channels behind one bounded cache for the process."""
        if slack.client is None:
            return SlackReader(None)
        mentions = SlackMentionReader(SlackDirectory(slack.client))
        return SlackReader(mentions, SlackReportReader(slack.client, mentions))

    @provide
    def job_wake(self) -> JobWake:
        return JobWake()

    @provide
    async def job_queue(
        self, settings: Settings, engine: AsyncEngine, wake: JobWake
    ) -> AsyncIterator[JobQueue]:
        """SAQ when ``ARGUS_QUEUE_URL`` is set, else the database's own jobs table."""
        policies = job_policies(settings)
        if settings.queue_url is None:
            yield SqlJobQueue(engine, wake.event, policies)
            return
        queue = make_queue(settings.queue_url, settings.database.schema)
        yield SaqJobQueue(queue, policies)
        await queue.disconnect()

    @provide
    def dead_letters(self, engine: AsyncEngine) -> DeadLetters:
        return SqlDeadLetters(engine)

    @provide
    def plugin_manager(self, settings: Settings) -> pluggy.PluginManager:
        chosen = settings.plugins
        return plugin_manager(chosen.allowed, chosen.disabled)

    @provide
    def providers(
        self, manager: pluggy.PluginManager, settings: Settings, http: httpx.AsyncClient
    ) -> Providers:
        chosen = settings.plugins
        return providers(
            manager,
            PluginContext(config=chosen.config, http=http),
            rca_chain=chosen.rca_chain,
            categorizers=chosen.categorizers,
        )

    @provide
    def categorizers(self, found: Providers) -> ProviderChain[Categorizer]:
        return chain_of(found.categorizers, "categorizer")

    @provide
    def rca_providers(self, found: Providers) -> ProviderChain[RcaProvider]:
        return measured_rca_chain(chain_of(found.rca, "RCA provider"))

    @provide
    def session_tokens(self, settings: Settings) -> SessionTokens:
        return SessionTokens(settings.jwt_secret, settings.token_ttl_minutes)


class RequestProvider(Provider):
    """One unit of work and the use cases on it, per request."""

    scope = Scope.REQUEST

    @provide(provides=AnyOf[SqlUnitOfWork, UnitOfWork])
    async def uow(self, engine: AsyncEngine, wake: JobWake) -> AsyncIterator[SqlUnitOfWork]:
        """One connection per request, given back when the request ends; a commit that
        stored events wakes this process's outbox relay."""
        uow = SqlUnitOfWork(engine, keep_connection=True, on_events=wake.outbox.set)
        try:
            yield uow
        finally:
            await uow.close()

    @provide
    def dashboard_queries(self, uow: SqlUnitOfWork) -> DashboardQueries:
        return SqlDashboardQueries(uow)

    @provide
    def issues(self, uow: UnitOfWork, clock: Clock, categories: CategorySet) -> IssueService:
        return IssueService(uow, clock, categories)

    @provide
    def teams(self, uow: UnitOfWork, clock: Clock) -> TeamService:
        return TeamService(uow, clock)

    @provide
    def tokens(self, uow: UnitOfWork, clock: Clock) -> TokenService:
        return TokenService(uow, clock)

    @provide
    def identity(self, uow: UnitOfWork, settings: Settings) -> IdentityService:
        return IdentityService(uow, settings.admin_emails, settings.allowed_email_domain)

    @provide
    def dashboard(self, uow: UnitOfWork, queries: DashboardQueries) -> DashboardService:
        return DashboardService(uow, queries)

    @provide
    def triage(
        self,
        uow: UnitOfWork,
        issues: IssueService,
        chain: ProviderChain[Categorizer],
        categories: CategorySet,
    ) -> TriageService:
        return TriageService(uow, issues, chain, categories)

    @provide
    def notifications(
        self,
        uow: UnitOfWork,
        chat: Chat,
        settings: Settings,
        found: Providers,
        manager: pluggy.PluginManager,
    ) -> NotificationService:
        return NotificationService(
            uow,
            chat.notifier,
            settings.public_url,
            notifiers=found.notifiers,
            rewriter=found.rewriter,
            observe=lambda event: manager.hook.argus_issue_event(event=event),
        )

    @provide
    def rca(
        self,
        uow: UnitOfWork,
        issues: IssueService,
        chain: ProviderChain[RcaProvider],
        clock: Clock,
        found: Providers,
        settings: Settings,
    ) -> RcaService:
        return RcaService(
            uow,
            issues,
            chain,
            clock,
            judge=found.judge,
            threshold=settings.plugins.auto_resolve_threshold,
        )

    @provide
    def intake(
        self,
        uow: UnitOfWork,
        issues: IssueService,
        queue: JobQueue,
        clock: Clock,
        chat: Chat,
        settings: Settings,
    ) -> IntakeService:
        return IntakeService(uow, issues, queue, clock, chat.notifier, settings.public_url)

    @provide
    async def slack_inbox(
        self,
        uow: SqlUnitOfWork,
        intake: IntakeService,
        issues: IssueService,
        identity: IdentityService,
        teams: TeamService,
        slack: SlackApi,
        reader: SlackReader,
    ) -> SlackInbox:
        # Taking a delivery in also queues a job, on another connection: this scope's
        # must not sit idle meanwhile (under load that deadlocked the pool).
        await uow.short_units()
        return SlackInbox(
            intake,
            ROUTES,
            issues=issues,
            identity=identity,
            teams=teams,
            client=slack.client,
            directory=reader.reader.directory if reader.reader else None,
        )

    @provide
    def relay(self, uow: UnitOfWork, queue: JobQueue) -> OutboxRelay:
        return OutboxRelay(uow, queue)

    @provide
    def reminders(self, uow: UnitOfWork, clock: Clock) -> ReminderService:
        return ReminderService(uow, clock)

    @provide
    def failed_jobs(self, dead: DeadLetters, queue: JobQueue, clock: Clock) -> FailedJobService:
        return FailedJobService(dead, queue, clock)

    @provide
    async def actor(
        self,
        request: Request,  # type: ignore[type-arg]
        sessions: SessionTokens,
        identity: IdentityService,
        tokens: TokenService,
    ) -> Actor:
        return await authenticate(request, sessions, identity, tokens)


def make_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """The container for ``settings``; later providers override earlier ones."""
    return make_async_container(
        AppProvider(settings), RequestProvider(), LitestarProvider(), *overrides
    )


async def load_plugins(container: AsyncContainer) -> None:
    """Load the plugins and build their chains now, so a misspelled hook, an unknown name
    in ``ARGUS_RCA_CHAIN``, a bad setting or an empty chain stops the start instead of
    failing jobs."""
    await container.get(ProviderChain[Categorizer])
    await container.get(ProviderChain[RcaProvider])
