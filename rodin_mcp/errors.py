"""One exception tree for everything rodin-mcp raises on purpose.

Every message (``str(err)``) can be shown to a person or a model as it is: it says what happened,
in the product's words, and never holds the API key, an ``Authorization`` header or a signed URL.
Leaves carry the facts as attributes (which task, which field, which mode). No message names a
tool, a tool argument or a command-line flag: each face adds its own advice from the error's type
and facts (``server/words.py``, ``cli/words.py``).

The line that matters most is between a request that *never left* this machine and one whose
*outcome is unknown*: a paid submission of the second kind is never sent again automatically.

::

    RodinError
    ├── ConfigError                    settings missing or invalid
    │   ├── NotConfiguredError             no API key and no sandbox mode
    │   └── UnsafeServingError             HTTP serving as configured is refused (.host, .problem)
    ├── InputError                     bad input from a person or a model; nothing was sent
    │   ├── RequestValidationError         a generation option breaks a rule (.field)
    │   ├── ImageInputError                an image reference cannot be used (.reference)
    │   ├── ModelInputError                a model file reference cannot be used (.reference)
    │   ├── FileNotDownloadedError         a task file is not downloaded here (.task_uuid, .name)
    │   ├── FileTooLargeError              a file is larger than what is read whole (.name, .size)
    │   ├── UploadRefusedError             an upload cannot be used or received (.reason)
    │   ├── DownloadLinkError              a download link is not valid, or expired (.expired)
    │   ├── MalformedIdError               not an id or key Rodin could have issued (.what)
    │   ├── UnknownTaskError               no record of the task here (.task_uuid)
    │   ├── ForeignTaskRefusedError        tasks from elsewhere are not this person's to follow
    │   ├── WrongModeError                 the task belongs to the other mode (.task_in_sandbox)
    │   ├── MissingSubscriptionKeyError    the task's status handle is not known (.task_uuid)
    │   ├── SandboxTaskLostError           the sandbox forgot the task (.task_uuid, .journal)
    │   ├── UnsplittableTaskError          a task that cannot be split (.task_uuid, .finished)
    │   ├── UnknownRunError                no background run by that id for this caller (.run_id)
    │   └── ConversionError                a model cannot be converted as asked (.field)
    ├── ConverterMissingError          a library a conversion needs is not installed (.package)
    ├── LedgerUnavailableError         the ledger's database cannot be reached; nothing was sent
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
    │   ├── OutputFolderError              the folder for the files cannot be made (.folder)
    │   ├── UnsafeFileNameError            a server-supplied name cannot be made safe
    │   ├── DownloadTooLargeError          a file is larger than the configured cap
    │   ├── IncompleteDownloadError        short body, wrong length, or dropped stream
    │   ├── LinkExpiredError               result links kept being refused, even fresh ones
    │   └── ChangedFileError               a downloaded file is no longer the one recorded (.name)
    └── GuardError                     the service refused to spend (see below)
        ├── BudgetExceededError            this process reached RODIN_MAX_CREDITS
        ├── UnresolvedSubmissionError      an identical earlier submission has an unknown outcome
        └── SubmissionInFlightError        another process is sending the identical submission
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

__all__ = [
    "APIError",
    "AuthError",
    "BudgetExceededError",
    "ChangedFileError",
    "ConfigError",
    "ContentViolationError",
    "ConversionError",
    "ConverterMissingError",
    "DeadlineExceededError",
    "DownloadError",
    "DownloadLinkError",
    "DownloadTooLargeError",
    "FileNotDownloadedError",
    "FileTooLargeError",
    "ForeignTaskRefusedError",
    "GuardError",
    "ImageInputError",
    "IncompleteDownloadError",
    "InputError",
    "InsufficientFundsError",
    "InvalidRequestError",
    "LedgerUnavailableError",
    "LinkExpiredError",
    "MalformedIdError",
    "MissingSubscriptionKeyError",
    "ModelInputError",
    "NoSuchTaskError",
    "NotConfiguredError",
    "NotSentError",
    "OutcomeUnknownError",
    "OutputFolderError",
    "ParallelismLimitError",
    "RateLimitError",
    "RequestValidationError",
    "RodinError",
    "SandboxTaskLostError",
    "ServerError",
    "SubmissionInFlightError",
    "SubscriptionError",
    "TaskFailedError",
    "TransportError",
    "UnexpectedResponseError",
    "UnknownRunError",
    "UnknownTaskError",
    "UnresolvedSubmissionError",
    "UnsafeFileNameError",
    "UnsafeServingError",
    "UnsplittableTaskError",
    "UploadRefusedError",
    "WrongModeError",
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


class NotConfiguredError(ConfigError):
    """Neither an API key nor sandbox mode is configured, so Rodin cannot be reached."""

    def __init__(self) -> None:
        super().__init__("No Rodin API key is configured, and sandbox mode is off.")


ServingProblem = Literal["no_token", "clear_text", "proxy_without_token", "tls_files"]


class UnsafeServingError(ConfigError):
    """Serving HTTP as configured is refused before anything listens (a start-up error: only the
    command line that starts the server ever shows it).

    ``problem``: ``no_token``, another machine could reach a server that asks for no token;
    ``clear_text``, tokens would cross the network unencrypted; ``proxy_without_token``, a proxy
    in front lets others in while every request would act for this machine's owner;
    ``tls_files``, the TLS certificate and key cannot be used (``detail`` says why).
    """

    def __init__(self, host: str, problem: ServingProblem, detail: str = "") -> None:
        self.host = host
        self.problem: ServingProblem = problem
        texts: dict[ServingProblem, str] = {
            "no_token": f"Refusing to serve on {host}, which other machines can reach, without a "
            "bearer token: anyone reaching it would act as this machine's owner.",
            "clear_text": f"Refusing to serve bearer tokens in clear text on {host}, which other "
            "machines can reach: anyone on the network path could read and reuse them.",
            "proxy_without_token": "Refusing to serve behind a proxy without a bearer token: "
            "everyone the proxy lets in would act as this machine's owner.",
            "tls_files": f"The TLS certificate and key cannot be used: {detail}",
        }
        super().__init__(texts[problem])


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


class ModelInputError(InputError):
    """A model file reference (path, URI or resource URI) cannot be used as a 3D model."""

    def __init__(self, message: str, *, reference: str | None = None) -> None:
        super().__init__(message)
        self.reference = reference


class FileNotDownloadedError(InputError):
    """A resource URI names a task file that has not been downloaded here (or is gone)."""

    def __init__(self, task_uuid: str, name: str) -> None:
        super().__init__(f"There is no downloaded file {name!r} of task {task_uuid} here.")
        self.task_uuid = task_uuid
        self.name = name


class FileTooLargeError(InputError):
    """A file is larger than this server reads whole into one message."""

    def __init__(self, name: str, *, size: int, limit: int) -> None:
        super().__init__(
            f"{name} is {size:,} bytes, more than the {limit:,} bytes this server sends in one "
            "message (RODIN_MAX_RESOURCE_BYTES)."
        )
        self.name = name
        self.size = size
        self.limit = limit


UploadReason = Literal[
    "unknown",  # no such upload of this person's (another person's answers the same)
    "invalid_link",  # the link's signature does not match (altered, or not from this server)
    "expired",
    "waiting",  # no file was sent to its link yet
    "received",  # its link already received a file
    "used",
    "wrong_kind",  # an image's upload given as a model, or the other way round
    "too_large",
    "changed",  # its stored file is no longer what was received
]
"""Why an upload (``upload://...``) or its link was refused."""


class UploadRefusedError(InputError):
    """An upload cannot be used, or its link cannot receive a file (``.reason`` says why)."""

    def __init__(self, upload_id: str, reason: UploadReason, message: str) -> None:
        super().__init__(message)
        self.upload_id = upload_id
        self.reason = reason


class DownloadLinkError(InputError):
    """A download link of this server is not valid (altered, not from here, or its file is no
    longer here), or it expired."""

    def __init__(self, *, expired_at: float | None = None) -> None:
        if expired_at is None:
            text = (
                "This download link is not valid: it was altered, it is not from this server, "
                "or its file is no longer here."
            )
        else:
            moment = datetime.fromtimestamp(expired_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            text = f"This download link expired at {moment}."
        super().__init__(text)
        self.expired = expired_at is not None


class MalformedIdError(InputError):
    """A task id or subscription key that Rodin could never have issued."""

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.what = what


class UnknownTaskError(InputError):
    """There is no record of this task here, and no way to look it up was given."""

    def __init__(self, task_uuid: str) -> None:
        super().__init__(f"There is no record of task {task_uuid} here.")
        self.task_uuid = task_uuid


class UnknownRunError(InputError):
    """No background run by that id is visible to the caller (none, expired, or another's)."""

    def __init__(self, run_id: str) -> None:
        shown = run_id if len(run_id) <= 64 else run_id[:64] + "..."
        super().__init__(
            f"No background run {shown!r} is known here: it may have expired, or it was started "
            "by another client."
        )
        self.run_id = run_id


class ForeignTaskRefusedError(InputError):
    """The task was not submitted here for this person, and acting on tasks submitted elsewhere
    is not allowed to them (the shared Rodin key reaches every job of the account)."""

    def __init__(self, task_uuid: str) -> None:
        super().__init__(
            f"No task {task_uuid} was submitted here for you, and this server does not follow, "
            "fetch or split tasks submitted elsewhere for the people it serves "
            "(RODIN_ALLOW_FOREIGN_TASKS)."
        )
        self.task_uuid = task_uuid


class WrongModeError(InputError):
    """The task was submitted in the other mode (sandbox or the real API) than this one."""

    def __init__(self, task_uuid: str, *, task_in_sandbox: bool, scope: str) -> None:
        where = (
            "the sandbox (the embedded emulator)"
            if task_in_sandbox
            else f"the Rodin API at {scope}"
        )
        here = "the real Rodin API" if task_in_sandbox else "the sandbox"
        super().__init__(
            f"Task {task_uuid} was submitted to {where}, but this process uses {here}."
        )
        self.task_uuid = task_uuid
        self.task_in_sandbox = task_in_sandbox
        self.scope = scope


class MissingSubscriptionKeyError(InputError):
    """The task's subscription key (its status handle) is not known yet."""

    def __init__(self, task_uuid: str, state: str) -> None:
        super().__init__(
            f"Task {task_uuid} has no known subscription key yet (its submission state is "
            f"'{state}')."
        )
        self.task_uuid = task_uuid
        self.state = state


class SandboxTaskLostError(InputError):
    """The sandbox emulator no longer knows a task the ledger holds (its journal is gone)."""

    def __init__(self, task_uuid: str, journal: str) -> None:
        super().__init__(
            f"The sandbox no longer knows task {task_uuid}: its record in the sandbox journal "
            f"({journal}) is gone, so it cannot be followed."
        )
        self.task_uuid = task_uuid
        self.journal = journal


class UnsplittableTaskError(InputError):
    """The ledger knows the task, and it cannot be split into parts (nothing was sent).

    ``finished`` is False while the task is still running (it may become splittable), True when
    it finished but is not a splittable model (failed, another tier, a texture or split task).
    """

    def __init__(self, task_uuid: str, reason: str, *, finished: bool) -> None:
        super().__init__(f"Task {task_uuid} cannot be split into parts: {reason}.")
        self.task_uuid = task_uuid
        self.finished = finished


class ConversionError(InputError):
    """A model cannot be converted as asked (a conflicting option, an unreadable input, a
    limit); nothing was written. ``field`` names the option at fault, when one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConverterMissingError(RodinError):
    """A library a conversion needs is not installed here (it is an optional extra).

    ``package`` is the missing distribution; ``extra`` the optional extra that brings it.
    """

    def __init__(self, what: str, package: str, *, extra: str = "convert") -> None:
        super().__init__(f"{what} needs the {package} library, which is not installed here.")
        self.package = package
        self.extra = extra


class LedgerUnavailableError(RodinError):
    """The ledger's database cannot be reached (or this process lost its session with it).

    Nothing paid is sent without the ledger, so nothing was spent; reads cannot answer either.
    Service resumes by itself once the database answers again.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The task ledger cannot be used right now: {reason}. Nothing was sent to Rodin and "
            "nothing was spent."
        )
        self.reason = reason


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

    def __init__(self, task_uuid: str) -> None:
        super().__init__(
            f"Rodin reported task {task_uuid} as failed, so it has no files; Rodin gives no "
            "reason for failures."
        )
        self.task_uuid = task_uuid


class DownloadError(RodinError):
    """A result file could not be fetched intact."""


class OutputFolderError(DownloadError):
    """The output folder, or a task's folder in it, cannot be created or used (``.folder``)."""

    def __init__(self, folder: str, reason: str) -> None:
        super().__init__(f"Could not create or use the folder for the results, {folder}: {reason}.")
        self.folder = folder


class UnsafeFileNameError(DownloadError):
    """A server-supplied file name cannot be turned into a safe local name."""


class DownloadTooLargeError(DownloadError):
    """A result file is larger than the configured size cap."""


class IncompleteDownloadError(DownloadError):
    """A result file arrived short, with the wrong length, or the stream dropped."""


class LinkExpiredError(DownloadError):
    """The host of the result files refused their links, even freshly listed ones."""


class ChangedFileError(DownloadError):
    """A downloaded file on disk is no longer the one recorded (a symbolic link or another file
    in its place, another size, other bytes), so it is not served."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            f"The downloaded file {name} is no longer the one recorded here ({reason}), so it is "
            "not served."
        )
        self.name = name
        self.reason = reason


class GuardError(RodinError):
    """The service refused to spend credits."""


class BudgetExceededError(GuardError):
    """The person reached their credit budget for the rolling period (RODIN_MAX_CREDITS over
    RODIN_BUDGET_PERIOD_SECONDS); nothing was sent."""

    def __init__(
        self, *, cost: float, spent: float, budget: float, frees_at: float | None = None
    ) -> None:
        when = ""
        if frees_at is not None:
            moment = datetime.fromtimestamp(frees_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
            when = f" Credits of the budget free up from {moment}."
        super().__init__(
            f"This costs {cost:g} credits, but {spent:g} of this person's {budget:g}-credit "
            "budget (RODIN_MAX_CREDITS per RODIN_BUDGET_PERIOD_SECONDS) are already spent or "
            f"reserved; nothing was sent.{when}"
        )
        self.cost = cost
        self.spent = spent
        self.budget = budget
        self.frees_at = frees_at


class UnresolvedSubmissionError(GuardError):
    """An identical earlier submission has an unknown outcome; resubmitting may bill twice."""

    def __init__(self, reason: str | None = None, *, sent_at: str | None = None) -> None:
        self.reason = reason
        self.sent_at = sent_at
        when = f" (sent {sent_at})" if sent_at else ""
        text = (
            f"An identical earlier submission{when} may have been accepted and billed, but "
            "Rodin's answer was never recorded"
        )
        super().__init__(f"{text}: {reason}." if reason else f"{text}.")


class SubmissionInFlightError(GuardError):
    """An identical submission is being sent by another process and had no answer in time."""

    def __init__(self, *, waited_seconds: float) -> None:
        self.waited_seconds = waited_seconds
        super().__init__(
            "An identical submission is being sent by another process on this data folder; "
            f"nothing was sent again. It had no answer after {waited_seconds:.0f} s of waiting."
        )
