"""The fault plan: which requests the emulator answers wrongly, and how.

A plan is a list of rules. Each incoming request takes the first rule that matches its endpoint
(and is due); the rule's action replaces or spoils the normal answer. Rules are consumed: by
default a rule fires once; ``times=N`` fires on N requests, ``times=*`` on every request.

Spec grammar (CLI ``--faults``, env ``RODIN_EMULATOR_FAULTS``, ``EmulatorConfig(faults=...)``,
``running.faults.add(...)`` and ``POST /_emulator/faults`` all take the same text)::

    plan    = rule *( ";" rule )            newlines also separate rules; blanks are ignored
    rule    = target "=" action *( ":" option )
    target  = rodin | rodin_texture_only | bang | status | download | check_balance | asset
            | api                                    (api = every endpoint but asset)
    action  = <HTTP status 400..599> | error | bad_json | stall | drop | truncate | expired | fail
    option  = times=<N or *> | after=<N> | p=<0..1> | retry_after=<seconds> | code=<CODE>
            | message=<text without : or ;> | status=<HTTP status> | seconds=<seconds>
            | bytes=<N> | accept | reject

Example: ``status=429:times=2:retry_after=1;rodin=drop:accept;asset=truncate:p=0.5``.

Actions:

* ``<status>`` (e.g. ``429``, ``500``, ``503``): answer that HTTP status. ``429`` carries
  ``Retry-After`` (``retry_after``, default 1 s); any status may set ``retry_after``. JSON body on
  API endpoints (a gateway-style HTML page for 502/503/504), storage-style XML on ``asset``.
* ``error``: HTTP 201 (or ``status=``) with ``{"error": code, "message": ...}``; ``code`` is
  required. API endpoints only.
* ``bad_json``: a 2xx answer whose JSON body is cut short (unparseable). API endpoints only.
* ``stall``: hold the answer for ``seconds`` (default 3600), or until the client goes away, then
  answer normally if the client is still there. On ``asset`` with ``bytes=N``, the status,
  headers and the first ``N`` bytes go out first, then the body is held (a stalled download).
* ``drop`` / ``truncate``: send the status and headers with the full ``Content-Length``, then
  ``bytes`` bytes of the body (default: half of it), then close the connection.
* ``expired``: ``asset`` only; answer the storage 403 "Request has expired" even for a fresh URL.
* ``fail``: submits only (``rodin``, ``rodin_texture_only``, ``bang``); the submit succeeds, but
  the task's texture job ends ``Failed``.

Submit outcome (the three submit endpoints only): ``accept`` means the task is created and billed
before the fault spoils the answer (the realistic outcome-unknown case); ``reject`` means nothing
is created.
``drop``, ``stall`` and ``bad_json`` default to ``accept``; status codes and ``error`` default to
``reject``. With ``stall:reject`` the submit is processed after the stall, if the client stayed.

Selection: ``after=N`` lets the first N matching requests through untouched before the rule
starts firing. ``p=P`` fires with probability P on each matching request (from a seeded RNG, so a
run is reproducible); with ``p`` and no ``times`` the rule stays armed for every request.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "API_ENDPOINTS",
    "ENDPOINTS",
    "STALL_DEFAULT_SECONDS",
    "SUBMIT_ENDPOINTS",
    "Fault",
    "FaultAction",
    "FaultPlan",
]

SUBMIT_ENDPOINTS: tuple[str, ...] = ("rodin", "rodin_texture_only", "bang")
API_ENDPOINTS: tuple[str, ...] = (*SUBMIT_ENDPOINTS, "status", "download", "check_balance")
ENDPOINTS: tuple[str, ...] = (*API_ENDPOINTS, "asset")
_TARGETS: tuple[str, ...] = (*ENDPOINTS, "api")
STALL_DEFAULT_SECONDS = 3600.0
_DEFAULT_RETRY_AFTER_429 = 1.0


class FaultAction(StrEnum):
    """What a fault does to the answer."""

    HTTP_STATUS = "http_status"
    ERROR = "error"
    BAD_JSON = "bad_json"
    STALL = "stall"
    DROP = "drop"
    TRUNCATE = "truncate"
    EXPIRED = "expired"
    FAIL = "fail"


_ALLOWED_TARGETS: dict[FaultAction, tuple[str, ...]] = {
    FaultAction.HTTP_STATUS: _TARGETS,
    FaultAction.ERROR: (*API_ENDPOINTS, "api"),
    FaultAction.BAD_JSON: (*API_ENDPOINTS, "api"),
    FaultAction.STALL: _TARGETS,
    FaultAction.DROP: _TARGETS,
    FaultAction.TRUNCATE: _TARGETS,
    FaultAction.EXPIRED: ("asset",),
    FaultAction.FAIL: SUBMIT_ENDPOINTS,
}
_ACCEPTED_BY_DEFAULT = frozenset({FaultAction.DROP, FaultAction.STALL, FaultAction.BAD_JSON})


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One rule of a fault plan (see the module docstring for the meaning of each field)."""

    target: str
    action: FaultAction
    http_status: int | None = None
    times: int | None = 1
    after: int = 0
    probability: float | None = None
    retry_after: float | None = None
    code: str | None = None
    message: str | None = None
    seconds: float | None = None
    cut_at: int | None = None
    accept: bool | None = None

    def __post_init__(self) -> None:
        if self.target not in _TARGETS:
            raise ValueError(f"unknown fault target {self.target!r}; use one of {_TARGETS}")
        if self.target not in _ALLOWED_TARGETS[self.action]:
            raise ValueError(f"fault action {self.action.value!r} cannot apply to {self.target!r}")
        if self.action is FaultAction.HTTP_STATUS and not _is_error_status(self.http_status):
            raise ValueError("an HTTP status fault needs a status from 400 to 599")
        if self.action is FaultAction.ERROR and not self.code:
            raise ValueError("an error fault needs code=<ERROR_CODE>")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 (or * for every request)")
        if self.after < 0:
            raise ValueError("after must be >= 0")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("p must be between 0 and 1")
        for name in ("retry_after", "seconds"):
            value: float | None = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number >= 0")
        if self.cut_at is not None and self.cut_at < 0:
            raise ValueError("bytes must be >= 0")

    def applies_to(self, endpoint: str) -> bool:
        """Whether this rule targets ``endpoint``."""
        return self.target == endpoint or (self.target == "api" and endpoint in API_ENDPOINTS)

    @property
    def accepts_submission(self) -> bool:
        """Whether a spoiled submit still creates (and bills) its task."""
        if self.accept is not None:
            return self.accept
        return self.action in _ACCEPTED_BY_DEFAULT

    @property
    def effective_retry_after(self) -> float | None:
        """The ``Retry-After`` to send, if any."""
        if self.retry_after is None and self.http_status == 429:
            return _DEFAULT_RETRY_AFTER_429
        return self.retry_after

    @property
    def stall_seconds(self) -> float:
        """How long a stall holds the answer."""
        return STALL_DEFAULT_SECONDS if self.seconds is None else self.seconds

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Parse one rule, e.g. ``status=429:times=2:retry_after=1``.

        Raises:
            ValueError: The rule does not follow the grammar.
        """
        rule = text.strip()
        target, sep, rest = rule.partition("=")
        if not sep or not rest:
            raise ValueError(f"fault rule {rule!r} must look like target=action[:option...]")
        action_text, *option_texts = rest.split(":")
        try:
            action, action_status = _parse_action(action_text.strip())
            options = _Options.parse(option_texts)
            if action_status is not None and options.status is not None:
                raise ValueError("status= only goes with the error action")
            return cls(
                target=target.strip(),
                action=action,
                http_status=action_status if action_status is not None else options.status,
                times=options.times,
                after=options.after,
                probability=options.probability,
                retry_after=options.retry_after,
                code=options.code,
                message=options.message,
                seconds=options.seconds,
                cut_at=options.cut_at,
                accept=options.accept,
            )
        except ValueError as exc:
            raise ValueError(f"fault rule {rule!r}: {exc}") from None

    def spec(self) -> str:
        """This rule in spec syntax (parses back to an equal rule)."""
        action = str(self.http_status) if self.action is FaultAction.HTTP_STATUS else self.action
        parts = [f"{self.target}={action}"]
        parts.append("times=*" if self.times is None else f"times={self.times}")
        optional: list[tuple[str, object]] = [
            ("after", self.after or None),
            ("p", self.probability),
            ("retry_after", self.retry_after),
            ("code", self.code),
            ("message", self.message),
            ("status", self.http_status if self.action is FaultAction.ERROR else None),
            ("seconds", self.seconds),
            ("bytes", self.cut_at),
        ]
        parts.extend(f"{name}={value}" for name, value in optional if value is not None)
        if self.accept is not None:
            parts.append("accept" if self.accept else "reject")
        return ":".join(parts)


def _is_error_status(status: int | None) -> bool:
    return status is not None and 400 <= status <= 599


def _parse_action(action: str) -> tuple[FaultAction, int | None]:
    if action.isdigit():
        return FaultAction.HTTP_STATUS, int(action)
    names = {a.value for a in FaultAction} - {FaultAction.HTTP_STATUS.value}
    if action not in names:
        raise ValueError(f"unknown action {action!r}; use an HTTP status or one of {sorted(names)}")
    return FaultAction(action), None


@dataclass
class _Options:
    times: int | None = 1
    after: int = 0
    probability: float | None = None
    retry_after: float | None = None
    code: str | None = None
    message: str | None = None
    status: int | None = None
    seconds: float | None = None
    cut_at: int | None = None
    accept: bool | None = None

    @classmethod
    def parse(cls, texts: list[str]) -> _Options:
        options = cls()
        saw_times = False
        for text in texts:
            name, sep, value = (part.strip() for part in text.partition("="))
            if not sep:
                if name not in ("accept", "reject"):
                    raise ValueError(f"unknown flag {name!r}; flags are accept and reject")
                options.accept = name == "accept"
            elif name == "times":
                saw_times = True
                options.times = None if value == "*" else _int(name, value)
            elif name in ("code", "message"):
                if not value:
                    raise ValueError(f"{name} must not be empty")
                setattr(options, name, value)
            else:
                options.set_number(name, value)
        if options.probability is not None and not saw_times:
            options.times = None
        return options

    def set_number(self, name: str, value: str) -> None:
        match name:
            case "after":
                self.after = _int(name, value)
            case "bytes":
                self.cut_at = _int(name, value)
            case "status":
                self.status = _int(name, value)
            case "p":
                self.probability = _float(name, value)
            case "retry_after":
                self.retry_after = _float(name, value)
            case "seconds":
                self.seconds = _float(name, value)
            case _:
                raise ValueError(f"unknown option {name!r}")


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {value!r}") from None


def _float(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None


@dataclass
class _ArmedFault:
    fault: Fault
    remaining: int | None
    to_skip: int


class FaultPlan:
    """An ordered, consumable list of :class:`Fault` rules; safe to use from any thread.

    Example::

        plan = FaultPlan.parse("status=500:times=2")
        plan.add("asset=truncate:bytes=100")
        plan.clear()
    """

    def __init__(self, faults: Iterable[Fault] = (), *, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._armed: list[_ArmedFault] = []
        for fault in faults:
            self.add(fault)

    @classmethod
    def parse(cls, spec: str, *, seed: int = 0) -> FaultPlan:
        """Build a plan from spec text (empty text gives an empty plan).

        Raises:
            ValueError: A rule does not follow the grammar.
        """
        return cls(_parse_rules(spec), seed=seed)

    def add(self, fault: str | Fault) -> None:
        """Append one rule, or every rule of a spec text, after the existing ones.

        Raises:
            ValueError: The spec text does not follow the grammar.
        """
        new = [fault] if isinstance(fault, Fault) else _parse_rules(fault)
        with self._lock:
            self._armed.extend(_ArmedFault(f, f.times, f.after) for f in new)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._armed.clear()

    @property
    def faults(self) -> list[Fault]:
        """The rules still armed, with ``times`` and ``after`` showing what is left of them."""
        with self._lock:
            return [replace(a.fault, times=a.remaining, after=a.to_skip) for a in self._armed]

    def take(self, endpoint: str) -> Fault | None:
        """Consume and return the rule that fires on this request to ``endpoint``, if any."""
        with self._lock:
            for armed in self._armed:
                if not armed.fault.applies_to(endpoint):
                    continue
                if armed.to_skip > 0:
                    armed.to_skip -= 1
                    continue
                chance = armed.fault.probability
                if chance is not None and self._rng.random() >= chance:
                    continue
                if armed.remaining is not None:
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._armed.remove(armed)
                return armed.fault
        return None

    def copy(self, *, seed: int = 0) -> FaultPlan:
        """A new plan holding the rules still armed here, with its own RNG."""
        return FaultPlan(self.faults, seed=seed)

    def __len__(self) -> int:
        with self._lock:
            return len(self._armed)

    def __str__(self) -> str:
        return ";".join(f.spec() for f in self.faults)

    def __repr__(self) -> str:
        return f"FaultPlan({str(self)!r})"


def _parse_rules(spec: str) -> list[Fault]:
    rules = (r for line in spec.splitlines() for r in line.split(";"))
    return [Fault.parse(r) for r in rules if r.strip()]
