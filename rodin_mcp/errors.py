"""One exception tree for everything rodin-mcp raises on purpose.

Every message (``str(err)``) is written to be shown to a person or a model as it is: it says what
happened and what to do next, and it never holds the API key, an ``Authorization`` header or a
signed URL.

The line that matters most is between a request that *never left* this machine and one whose
*outcome is unknown*: a paid submission of the second kind is never sent again automatically.

::

    RodinError
    ├── ConfigError                    settings missing or invalid (no key and no sandbox, ...)
    ├── InputError                     bad input from a person or a model; nothing was sent
    │   ├── RequestValidationError         a generation option breaks a rule (.field)
    │   └── ImageInputError                an image reference cannot be used (.reference)
    ├── NotSentError                   the request provably never left (connect failure)
    ├── OutcomeUnknownError            a paid submission may have been accepted and billed
    ├── APIError                       Rodin answered and refused (.code, .status_code)
    │   ├── AuthError                      missing, wrong or revoked API key
    │   ├── SubscriptionError              no Business subscription / plan too low / denied
    │   ├── InsufficientFundsError         not enough credits
    │   ├── InvalidRequestError            Rodin rejected a field (.field when known)
    │   ├── ParallelismLimitError          too many tasks in flight on the account
    │   ├── RateLimitError                 HTTP 429 (.retry_after seconds when given)
    │   ├── NoSuchTaskError                unknown task uuid or subscription key
    │   ├── ContentViolationError          image refused by policy, or no object found on it
    │   ├── ServerError                    HTTP 5xx that outlived the retries of a read-only call
    │   └── UnexpectedResponseError        a body we cannot read (not JSON, wrong shape)
    ├── TransportError                 a read-only call failed on the network after its retries
    │   └── DeadlineExceededError          the operation's overall deadline ran out
    ├── TaskFailedError                Rodin reported a job of the task as Failed
    ├── DownloadError                  a result file could not be fetched intact
    │   ├── UnsafeFileNameError            a server-supplied name cannot be made safe
    │   ├── DownloadTooLargeError          a file is larger than the configured cap
    │   ├── IncompleteDownloadError        short body, wrong length, or dropped stream
    │   └── LinkExpiredError               result links kept being refused, even fresh ones
    └── GuardError                     the service refused to spend (see below)
        ├── BudgetExceededError            this process reached RODIN_MAX_CREDITS
        ├── SpendNotConfirmedError         the user declined (or was not asked and must be)
        └── UnresolvedSubmissionError      an identical earlier submission has an unknown outcome
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "AuthError",
    "BudgetExceededError",
    "ConfigError",
    "ContentViolationError",
    "DeadlineExceededError",
    "DownloadError",
    "DownloadTooLargeError",
    "GuardError",
    "ImageInputError",
    "IncompleteDownloadError",
    "InputError",
    "InsufficientFundsError",
    "InvalidRequestError",
    "LinkExpiredError",
    "NoSuchTaskError",
    "NotSentError",
    "OutcomeUnknownError",
    "ParallelismLimitError",
    "RateLimitError",
    "RequestValidationError",
    "RodinError",
    "ServerError",
    "SpendNotConfirmedError",
    "SubscriptionError",
    "TaskFailedError",
    "TransportError",
    "UnexpectedResponseError",
    "UnresolvedSubmissionError",
    "UnsafeFileNameError",
]


class RodinError(Exception):
    """Root of every error rodin-mcp raises on purpose; ``str()`` is safe to show a model."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(RodinError):
    """Settings are missing or invalid (for example no API key and no sandbox)."""


class InputError(RodinError):
    """Input from a person or a model cannot be used; nothing was sent anywhere."""


class RequestValidationError(InputError):
    """A generation option breaks a rule of the Rodin API."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ImageInputError(InputError):
    """An image reference (path, URI or URL) cannot be used as an input image."""

    def __init__(self, message: str, *, reference: str | None = None) -> None:
        super().__init__(message)
        self.reference = reference


class NotSentError(RodinError):
    """The request provably never left this machine (for example the connection was refused)."""


class OutcomeUnknownError(RodinError):
    """A paid submission may have reached Rodin; it is never resent automatically."""


class APIError(RodinError):
    """Rodin answered and refused the request."""

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.code = code
        self.status_code = status_code


class AuthError(APIError):
    """The API key is missing, wrong or revoked."""


class SubscriptionError(APIError):
    """The account has no active Business subscription, or the plan does not allow this."""


class InsufficientFundsError(APIError):
    """The account does not have enough credits for this generation."""


class InvalidRequestError(APIError):
    """Rodin rejected a field of the request."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, status_code=status_code)
        self.field = field


class ParallelismLimitError(APIError):
    """Too many tasks are in flight on the account; retry once one finishes."""


class RateLimitError(APIError):
    """Rodin answered HTTP 429."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, status_code=status_code)
        self.retry_after = retry_after


class NoSuchTaskError(APIError):
    """Rodin does not know this task uuid or subscription key."""


class ContentViolationError(APIError):
    """An input image was refused by the content policy, or no object was found on it."""


class ServerError(APIError):
    """Rodin answered HTTP 5xx, and the retries of a read-only call ran out."""


class UnexpectedResponseError(APIError):
    """Rodin answered with a body that cannot be read (not JSON, or the wrong shape)."""


class TransportError(RodinError):
    """A read-only call failed on the network after its retries ran out."""


class DeadlineExceededError(TransportError):
    """The overall deadline of an operation ran out."""


class TaskFailedError(RodinError):
    """Rodin reported a job of the task as Failed."""


class DownloadError(RodinError):
    """A result file could not be fetched intact."""


class UnsafeFileNameError(DownloadError):
    """A server-supplied file name cannot be turned into a safe local name."""


class DownloadTooLargeError(DownloadError):
    """A result file is larger than the configured size cap."""


class IncompleteDownloadError(DownloadError):
    """A result file arrived short, with the wrong length, or the stream dropped."""


class LinkExpiredError(DownloadError):
    """The host of the result files refused their links, even freshly listed ones."""


class GuardError(RodinError):
    """The service refused to spend credits."""


class BudgetExceededError(GuardError):
    """This process reached its credit budget (RODIN_MAX_CREDITS)."""


class SpendNotConfirmedError(GuardError):
    """The user declined the spend, or must be asked before it."""


class UnresolvedSubmissionError(GuardError):
    """An identical earlier submission has an unknown outcome; resubmitting may bill twice."""
