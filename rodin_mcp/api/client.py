"""The typed async client of the Rodin REST API: the paid submits (generation, texture, part
split), status, download list, balance.

It runs on an injected :class:`httpx2.AsyncClient` (one connection pool for the whole process,
see :func:`create_http_client`) and adds the ``Authorization`` header per request, only to
requests for the API's own origin. Retries follow :mod:`rodin_mcp.api.retry`: the paid
submission is sent again only when it provably never left; read-only calls back off and retry.

Every failure is one of :mod:`rodin_mcp.errors`, with a message safe to show a model: no key, no
subscription key, no signed URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Generator, Sequence
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import httpx2
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from rodin_mcp.api.error_codes import ADVICE, error_for_code
from rodin_mcp.api.form_fields import (
    ImagePart,
    ModelPart,
    form_fields,
    split_form_fields,
    texture_form_fields,
)
from rodin_mcp.api.redact import install_log_redaction
from rodin_mcp.api.request import GenerationRequest, check_images
from rodin_mcp.api.responses import DownloadItem, JobStatus, SubmitResult, TaskStatus
from rodin_mcp.api.retry import (
    RetryPolicy,
    Transient,
    is_retryable_status,
    parse_retry_after,
    run_paid,
    run_read_only,
)
from rodin_mcp.api.split_request import SplitRequest
from rodin_mcp.api.texture_request import TextureRequest, check_model_size
from rodin_mcp.errors import (
    AuthError,
    ConfigError,
    InputError,
    InvalidRequestError,
    OutcomeUnknownError,
    RateLimitError,
    ServerError,
    SubscriptionError,
    UnexpectedResponseError,
)
from rodin_mcp.settings import Settings, normalize_base_url

__all__ = ["RodinClient", "create_http_client"]

logger = logging.getLogger(__name__)

_USER_AGENT = "rodin-mcp"
_MAX_ID_CHARS = 4096
# httpcore2 reads a response 64 KiB per socket read; at that size the Python work per read halves
# the throughput of a large download (bench/bench_download.py). A read returns what the socket
# has, so a larger cap only helps fast transfers and keeps memory flat.
_SOCKET_READ_BYTES = 1024 * 1024


def create_http_client(settings: Settings) -> httpx2.AsyncClient:
    """The process's HTTP client: explicit timeouts and limits, no redirects, no credentials.

    The same client serves the API (the :class:`RodinClient` adds the key per request) and the
    result downloads (which never get the key). Close it with ``await client.aclose()`` or use it
    as an async context manager.
    """
    install_log_redaction()
    import httpcore2  # deferred: it is not needed before the first request

    connection_class: Any = httpcore2.AsyncHTTP11Connection
    connection_class.READ_NUM_BYTES = max(connection_class.READ_NUM_BYTES, _SOCKET_READ_BYTES)
    return httpx2.AsyncClient(
        timeout=httpx2.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.write_timeout,
            pool=settings.pool_timeout,
        ),
        limits=httpx2.Limits(max_connections=16, max_keepalive_connections=8),
        follow_redirects=False,
        headers={"User-Agent": _USER_AGENT},
    )


_Part = tuple[str, tuple[str | None, str | bytes] | tuple[str, bytes, str]]
"""One multipart part: a text field ``(None, value)`` or a file ``(name, bytes, type)``."""


class _BearerAuth(httpx2.Auth):
    """Adds the API key to requests for the API's origin, and to nothing else."""

    def __init__(self, key: SecretStr, origin: tuple[str, str, int | None]) -> None:
        self._key = key
        self._origin = origin

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        url = request.url
        if (url.scheme, url.host, url.port) == self._origin:
            request.headers["Authorization"] = f"Bearer {self._key.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _SubmitJobs(_Wire):
    uuids: list[str] = Field(default_factory=list[str])
    subscription_key: str = Field(min_length=1)


class _SubmitBody(_Wire):
    uuid: str = Field(min_length=1)
    jobs: _SubmitJobs
    prompt: str | None = None
    submit_time: str | int | float | None = None
    consumed: float | None = None


class _StatusBody(_Wire):
    jobs: list[JobStatus]


class _DownloadBody(_Wire):
    items: list[DownloadItem] = Field(alias="list")


class _BalanceBody(_Wire):
    balance: float


class RodinClient:
    """Typed, retrying access to the Rodin REST API.

    Args:
        http: The HTTP client to use (see :func:`create_http_client`); the caller owns and
            closes it.
        settings: Source of the base URL, the key, the timeouts and the retry policy.
        base_url: Overrides ``settings.base_url``.
        api_key: Overrides ``settings.api_key``.
        policy: Overrides the retry policy built from the settings.

    Example:
        >>> async with create_http_client(settings) as http:  # doctest: +SKIP
        ...     rodin = RodinClient(http, settings=settings)
        ...     task = await rodin.submit(GenerationRequest(prompt="a red chair"))
    """

    def __init__(
        self,
        http: httpx2.AsyncClient,
        *,
        settings: Settings | None = None,
        base_url: str | None = None,
        api_key: SecretStr | str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        settings = settings or Settings()
        key = SecretStr(api_key) if isinstance(api_key, str) else api_key or settings.api_key
        self._http = http
        self._base_url = settings.base_url if base_url is None else _checked_base_url(base_url)
        self._key = key if key is not None and key.get_secret_value().strip() else None
        self._policy = policy or RetryPolicy.from_settings(settings)
        parts = httpx2.URL(self._base_url)
        self._auth = (
            _BearerAuth(self._key, (parts.scheme, parts.host, parts.port)) if self._key else None
        )
        install_log_redaction()

    def __repr__(self) -> str:
        host = urlsplit(self._base_url).netloc
        return f"RodinClient(base_url={host!r}, key={'set' if self._key else 'missing'})"

    @property
    def base_url(self) -> str:
        """The API base URL, for example ``https://api.hyper3d.com/api/v2``."""
        return self._base_url

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy in use."""
        return self._policy

    async def submit(
        self, request: GenerationRequest, images: Sequence[ImagePart] = ()
    ) -> SubmitResult:
        """Start a paid generation (``POST /rodin``).

        Never sent twice: retried only when no connection could be made.

        Raises:
            RequestValidationError: the request breaks a rule for this number of images.
            ConfigError: no API key is configured.
            NotSentError: Rodin could not be reached; nothing was sent.
            OutcomeUnknownError: the request may have been accepted and billed.
            APIError: Rodin refused it (a leaf says why; nothing was billed).
        """
        check_images(request, len(images))
        parts: list[_Part] = [(name, (None, value)) for name, value in form_fields(request)]
        parts += [("images", (img.filename, img.data, img.content_type)) for img in images]
        return await self._submit_paid("rodin", parts)

    async def submit_texture(
        self, request: TextureRequest, image: ImagePart, model: ModelPart
    ) -> SubmitResult:
        """Start a paid Generate Texture task (``POST /rodin_texture_only``) for ``model``.

        Never sent twice, like :meth:`submit`.

        Raises:
            RequestValidationError: the model file is larger than Rodin accepts.
            ConfigError, NotSentError, OutcomeUnknownError, APIError: as for :meth:`submit`.
        """
        check_model_size(len(model.data))
        parts: list[_Part] = [(name, (None, value)) for name, value in texture_form_fields(request)]
        parts += [
            ("image", (image.filename, image.data, image.content_type)),
            ("model", (model.filename, model.data, model.content_type)),
        ]
        return await self._submit_paid("rodin_texture_only", parts)

    async def submit_split(self, request: SplitRequest) -> SubmitResult:
        """Start a paid BANG part split (``POST /bang``) of a finished generation.

        Never sent twice, like :meth:`submit`.

        Raises:
            ConfigError, NotSentError, OutcomeUnknownError, APIError: as for :meth:`submit`.
        """
        parts: list[_Part] = [(name, (None, value)) for name, value in split_form_fields(request)]
        return await self._submit_paid("bang", parts)

    async def _submit_paid(self, endpoint: str, parts: list[_Part]) -> SubmitResult:
        """Send one paid multipart submission under the never-twice rule of :func:`run_paid`."""
        auth = self._require_auth()

        async def attempt() -> httpx2.Response:
            return await self._http.post(self._url(endpoint), files=parts, auth=auth)

        response = await run_paid(attempt, self._policy, operation="submit")
        result = self._read_submit(response)
        logger.info(
            "%s: accepted as task %s (%d jobs)", endpoint, result.task_uuid, len(result.job_uuids)
        )
        return result

    async def status(self, subscription_key: str) -> TaskStatus:
        """The jobs of a task and its derived state (``POST /status``); read-only, retried."""
        key = _check_id(subscription_key, "subscription_key")
        body = await self._read_only(
            "status",
            lambda auth: self._http.post(
                self._url("status"), json={"subscription_key": key}, auth=auth
            ),
        )
        return TaskStatus(jobs=_parse(_StatusBody, body, "status").jobs)

    async def download_list(self, task_uuid: str) -> list[DownloadItem]:
        """The result files of a task, with fresh signed URLs (``POST /download``)."""
        task = _check_id(task_uuid, "task_uuid")
        body = await self._read_only(
            "download list",
            lambda auth: self._http.post(
                self._url("download"), json={"task_uuid": task}, auth=auth
            ),
        )
        return _parse(_DownloadBody, body, "download list").items

    async def balance(self) -> float:
        """The account's credit balance (``GET /check_balance``)."""
        body = await self._read_only(
            "balance", lambda auth: self._http.get(self._url("check_balance"), auth=auth)
        )
        return _parse(_BalanceBody, body, "balance").balance

    # Internals.

    def _url(self, endpoint: str) -> str:
        return f"{self._base_url}/{endpoint}"

    def _require_auth(self) -> _BearerAuth:
        if self._auth is None:
            raise ConfigError(
                "No Rodin API key is configured: set RODIN_API_KEY, or use the sandbox."
            )
        return self._auth

    def _secrets(self) -> tuple[str, ...]:
        return (self._key.get_secret_value(),) if self._key else ()

    async def _read_only(
        self,
        operation: str,
        send: Callable[[_BearerAuth], Awaitable[httpx2.Response]],
    ) -> dict[str, Any]:
        auth = self._require_auth()

        async def attempt() -> dict[str, Any]:
            return self._read_answer(await send(auth), operation)

        return await run_read_only(attempt, self._policy, operation=operation)

    def _read_answer(self, response: httpx2.Response, operation: str) -> dict[str, Any]:
        """One read-only answer: its JSON object, or :class:`Transient`, or a final error."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 429:
            raise Transient(
                self._rate_limited(operation, retry_after),
                retry_after=retry_after,
                reason="HTTP 429",
            )
        if is_retryable_status(status):
            error = ServerError(
                f"Rodin failed to answer the {operation} request (HTTP {status}); try again later.",
                status_code=status,
            )
            raise Transient(error, retry_after=retry_after, reason=f"HTTP {status}")
        body = _json_object(response)
        if body is None and 200 <= status < 300:
            error = UnexpectedResponseError(
                f"Rodin's answer to the {operation} request could not be read; try again.",
                status_code=status,
            )
            raise Transient(error, reason="unreadable body")
        self._raise_for_refusal(response, body, operation)
        assert body is not None  # _raise_for_refusal raised for every non-2xx answer.
        return body

    def _read_submit(self, response: httpx2.Response) -> SubmitResult:
        status = response.status_code
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise self._rate_limited("submit", retry_after, not_accepted=True)
        if status >= 500 or status < 200 or 300 <= status < 400:
            raise _submit_unknown(f"HTTP {status}")
        body = _json_object(response)
        if body is None and status < 300:
            raise _submit_unknown("unreadable answer")
        self._raise_for_refusal(response, body, "submit")
        try:
            wire = _SubmitBody.model_validate(body)
        except ValidationError:
            raise _submit_unknown("answer without a task id") from None
        return SubmitResult(
            task_uuid=wire.uuid,
            subscription_key=wire.jobs.subscription_key,
            job_uuids=wire.jobs.uuids,
            prompt=wire.prompt,
            submit_time=None if wire.submit_time is None else str(wire.submit_time),
            consumed=wire.consumed,
        )

    def _raise_for_refusal(
        self, response: httpx2.Response, body: dict[str, Any] | None, operation: str
    ) -> None:
        """Raise the error an answer carries: a business code (any status) or a 4xx/3xx."""
        status = response.status_code
        code = _error_code(body)
        if code is not None:
            message = body.get("message") if body is not None else None
            raise error_for_code(
                code,
                message if isinstance(message, str) else None,
                operation=operation,
                status_code=status,
                secrets=self._secrets(),
            )
        if 200 <= status < 300:
            return
        if status == 401:
            raise AuthError("Rodin refused the API key (HTTP 401).", status_code=status)
        if status == 403:
            raise SubscriptionError(
                f"Rodin denied the {operation} request (HTTP 403). {ADVICE[SubscriptionError]}",
                status_code=status,
            )
        if status == 404:
            raise UnexpectedResponseError(
                f"Rodin has no {operation} endpoint at the configured address (HTTP 404); check "
                "RODIN_BASE_URL.",
                status_code=status,
            )
        if 400 <= status < 500:
            raise InvalidRequestError(
                f"Rodin rejected the {operation} request (HTTP {status}).", status_code=status
            )
        raise UnexpectedResponseError(
            f"Rodin answered the {operation} request with HTTP {status}; check RODIN_BASE_URL.",
            status_code=status,
        )

    def _rate_limited(
        self, operation: str, retry_after: float | None, *, not_accepted: bool = False
    ) -> RateLimitError:
        wait = f" Rodin asks to wait {retry_after:g} s." if retry_after is not None else ""
        outcome = (
            " The submission was not accepted and nothing was charged." if not_accepted else ""
        )
        return RateLimitError(
            f"Rodin is limiting the request rate ({operation}, HTTP 429).{outcome}{wait} Try "
            "again later.",
            retry_after=retry_after,
        )


def _checked_base_url(url: str) -> str:
    try:
        return normalize_base_url(url)
    except ValueError as exc:
        raise ConfigError(f"Invalid Rodin base URL: {exc}.") from None


def _submit_unknown(reason: str) -> OutcomeUnknownError:
    return OutcomeUnknownError(
        f"The submit request may have reached Rodin ({reason}) and may have been charged; it "
        "was not sent again. Check the task list or the Rodin dashboard before submitting again."
    )


def _json_object(response: httpx2.Response) -> dict[str, Any] | None:
    try:
        body: Any = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    return cast(dict[str, Any], body) if isinstance(body, dict) else None


def _error_code(body: dict[str, Any] | None) -> str | None:
    """Rodin's error code, or ``None`` for success (absent, null, empty or ``"OK"``)."""
    if body is None:
        return None
    value = body.get("error")
    if value is None or value is False or value == "":
        return None
    code = value if isinstance(value, str) else json.dumps(value)[:60]
    return None if code.strip().upper() == "OK" else code.strip()


ModelT = TypeVar("ModelT", bound=BaseModel)


def _parse(model: type[ModelT], body: dict[str, Any], operation: str) -> ModelT:
    try:
        return model.model_validate(body)
    except ValidationError:
        raise UnexpectedResponseError(
            f"Rodin's answer to the {operation} request has an unexpected shape."
        ) from None


def _check_id(value: str, name: str) -> str:
    text = value.strip()
    if not text or len(text) > _MAX_ID_CHARS or any(ch.isspace() for ch in text):
        raise InputError(f"{name} must be the non-empty id Rodin returned, without spaces.")
    return text
