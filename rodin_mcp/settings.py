"""Every setting, default and limit of rodin-mcp, in one place.

Values come from, in order of precedence: explicit keyword arguments, ``RODIN_*`` environment
variables, then the defaults below. Nothing else in the package reads ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "DEFAULT_BASE_URL",
    "Settings",
    "default_data_dir",
    "default_output_dir",
    "is_loopback_host",
    "normalize_base_url",
    "normalize_public_url",
]

DEFAULT_BASE_URL = "https://api.hyper3d.com/api/v2"
MIB = 1024 * 1024


def default_output_dir() -> Path:
    """Where generated assets land unless RODIN_OUTPUT_DIR says otherwise: ``~/Rodin`` on macOS
    and Windows, ``Rodin`` in the Documents folder (XDG's, through platformdirs) elsewhere.

    The Documents folder does not suit a server that a host app starts on macOS or Windows:

    - macOS asks the user's consent before an app reads Documents, Desktop or Downloads (Apple
      Platform Security, "Controlling app access to files in macOS",
      https://support.apple.com/guide/security/secddd1d86a6/web); a server started by a host
      meets a prompt it cannot explain, or "Operation not permitted", when it lists or reads its
      own results there. With iCloud's "Desktop & Documents Folders" on, Documents also lives in
      iCloud Drive, and its files may be synced away or evicted
      (https://eclecticlight.co/2024/03/13/desktop-documents-folders-in-icloud-drive/).
    - On Windows, OneDrive's folder backup (Known Folder Move) moves Documents, Desktop and
      Pictures into OneDrive (https://learn.microsoft.com/en-us/sharepoint/redirect-known-folders):
      every result would be uploaded to the user's cloud storage, and the sync client opens files
      to upload them, which on Windows can make the rename of a finished download fail.

    The home folder itself is neither protected nor synced by either system. Linux has neither
    mechanism, and the Documents folder is where people look for what they made.
    """
    if sys.platform in ("darwin", "win32"):
        return (Path.home() / "Rodin").absolute()
    return (platformdirs.user_documents_path() / "Rodin").absolute()


def default_data_dir() -> Path:
    """Where the server keeps its state (the task ledger) unless RODIN_DATA_DIR says otherwise."""
    return platformdirs.user_data_path("rodin-mcp", appauthor=False).absolute()


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (a name or an IP literal) names this machine's loopback interface."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str) -> str:
    """Check an API base URL and drop its trailing slash.

    Raises:
        ValueError: not http(s), carries a query/fragment/credentials, or is plain http to a host
            other than this machine (the API key travels in a header).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("base_url must be an http(s) URL such as " + DEFAULT_BASE_URL)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("base_url must not carry a query, a fragment or credentials")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError("base_url must use https unless it points at this machine (loopback)")
    return url.strip().rstrip("/")


def normalize_public_url(url: str) -> str:
    """Check the public URL of the HTTP server and drop its trailing slash.

    Raises:
        ValueError: not http(s), no host, or carries a query, a fragment or credentials.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("public_url must be an http(s) URL such as https://rodin.example.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("public_url must not carry a query, a fragment or credentials")
    return url.strip().rstrip("/")


class Settings(BaseSettings):
    """Configuration of the client, the downloader, the service and the MCP server."""

    model_config = SettingsConfigDict(
        env_prefix="RODIN_",
        extra="ignore",
        validate_default=True,
        hide_input_in_errors=True,
    )

    # Where to talk to, and as whom.
    api_key: SecretStr | None = Field(default=None, description="Hyper3D Rodin API key.")
    base_url: str = Field(default=DEFAULT_BASE_URL, description="Rodin API base URL.")
    sandbox: bool = Field(
        default=False, description="Use the embedded emulator instead of the real API."
    )
    sandbox_speed: float = Field(
        default=8.0, gt=0, description="How much faster than real time sandbox jobs finish."
    )

    # Where things live.
    output_dir: Path = Field(
        default_factory=default_output_dir,
        description="Folder receiving one sub-folder per downloaded task; created on demand.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir, description="Folder holding the server's own state."
    )
    request_state_keys: SecretStr | None = Field(
        default=None,
        description="Keys (comma-separated, each at least 32 characters) that seal the state of "
        "multi-round requests (the spend question) so that any replica can read it; the first "
        "seals, all open (rotation: list the new key first, drop the old one a TTL later).",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql://... puts the task ledger on PostgreSQL, shared by replicas on "
        "several machines; unset, it is a SQLite file in the data folder.",
    )

    # Timeouts (seconds). Read and write timeouts are per chunk, not per request.
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0)
    write_timeout: float = Field(default=60.0, gt=0)
    pool_timeout: float = Field(default=10.0, gt=0)
    operation_deadline: float = Field(
        default=120.0, gt=0, description="Overall deadline of one API operation, retries included."
    )

    # Retries of read-only calls.
    retry_attempts: int = Field(default=5, ge=1, le=20)
    retry_initial_wait: float = Field(default=0.5, ge=0)
    retry_max_wait: float = Field(default=10.0, ge=0)
    retry_after_cap: float = Field(
        default=60.0, ge=0, description="Longest Retry-After we honour before giving up."
    )
    submit_connect_attempts: int = Field(
        default=3, ge=1, le=10, description="Tries of a submit whose connection never opened."
    )

    # Polling while waiting for a task.
    poll_initial: float = Field(default=5.0, gt=0)
    poll_factor: float = Field(default=1.5, ge=1)
    poll_max: float = Field(default=30.0, gt=0)

    # Inputs.
    max_image_bytes: int = Field(default=20 * MIB, gt=0)
    image_fetch_timeout: float = Field(default=20.0, gt=0)
    allow_private_image_urls: bool = Field(
        default=False, description="Allow fetching input images from private/loopback addresses."
    )
    allowed_input_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=list[Path],
        description="If set, local input images and model files must lie inside one of these "
        "folders.",
    )

    # Downloads.
    max_download_bytes: int = Field(default=4 * 1024 * MIB, gt=0)
    download_refresh_attempts: int = Field(
        default=3, ge=0, le=10, description="Fresh download lists fetched when a link was refused."
    )
    download_attempts: int = Field(
        default=3, ge=1, le=10, description="Tries of one file whose stream dropped or came short."
    )
    download_parallel_files: int = Field(
        default=4, ge=1, le=16, description="Result files of one task streamed at once."
    )
    download_read_timeout: float = Field(
        default=60.0, gt=0, description="Longest silence (seconds) tolerated inside a file stream."
    )
    download_deadline: float = Field(
        default=1800.0, gt=0, description="Overall deadline (seconds) of fetching one task's files."
    )

    max_resource_bytes: int = Field(
        default=64 * MIB,
        gt=0,
        description="Largest downloaded file read whole into one MCP resource message; larger "
        "ones are fetched by their path or their download link.",
    )

    # Previews rendered here.
    preview_seconds: float = Field(
        default=6.0,
        ge=0,
        description="Time budget (seconds) of one local preview render; 0 turns them off.",
    )

    # Conversions made here (free, local): what a source model may be at most.
    convert_max_bytes: int = Field(
        default=256 * MIB, gt=0, description="Largest model file a conversion reads."
    )
    convert_max_triangles: int = Field(
        default=3_000_000,
        gt=0,
        description="Most triangles a model to convert may have (bounds its time and memory).",
    )

    # Background runs (the MCP face's tasks): a submitted task followed to its saved files.
    task_runners: int = Field(
        default=4, ge=1, le=64, description="Background runs that follow tasks at once."
    )
    task_max_working: int = Field(
        default=64,
        ge=1,
        description="Working background runs (all processes) beyond which a call is not made a "
        "task but answered at once.",
    )
    task_ttl_seconds: float = Field(
        default=86_400.0, ge=60, description="How long a finished run is kept, from its start."
    )
    task_max_ttl_seconds: float = Field(
        default=7 * 86_400.0, ge=60, description="The longest time to live a client may ask for."
    )
    task_follow_seconds: float = Field(
        default=6 * 3600.0, gt=0, description="How long a run waits for its task to finish."
    )
    task_poll_ms: int = Field(
        default=2000, ge=100, description="How often clients are told to poll a run (ms)."
    )

    task_max_working_per_person: int = Field(
        default=16,
        ge=1,
        description="Working background runs of one person beyond which their call is not made "
        "a task but answered at once.",
    )

    # Spending guard (used by the service).
    max_credits: float = Field(
        default=20.0,
        ge=0,
        description="Credits each person may spend over the budget period (all processes on "
        "the data folder together) before their submissions are refused.",
    )
    budget_period_seconds: float = Field(
        default=86_400.0, gt=0, description="The rolling period a person's budget covers."
    )
    allow_foreign_tasks: bool | None = Field(
        default=None,
        description="Let people follow, fetch and split tasks this server did not submit (with "
        "their subscription keys from elsewhere). Unset: allowed where the server acts for its "
        "local owner only, refused where it serves several people (the shared Rodin key reaches "
        "every job of the account).",
    )
    dedupe_window_seconds: float = Field(default=600.0, ge=0)
    in_flight_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long a request waits for an identical one another process is sending.",
    )
    confirm_spend: Literal["ask", "never"] = Field(
        default="ask",
        description="ask: confirm spends with the user where the client supports it; never: don't.",
    )

    # HTTP transport of the MCP server.
    http_token: SecretStr | None = Field(default=None)
    tls_cert: Path | None = Field(
        default=None,
        description="PEM certificate (with its chain) the HTTP server serves HTTPS with; "
        "needs tls_key.",
    )
    tls_key: Path | None = Field(
        default=None, description="The unencrypted PEM private key of tls_cert."
    )
    behind_tls_proxy: bool = Field(
        default=False,
        description="A reverse proxy in front of the HTTP server terminates TLS: plain HTTP is "
        "allowed off loopback, bearer tokens are required, and nothing the proxy adds to a "
        "request (X-Forwarded-*) is trusted.",
    )
    public_url: str | None = Field(
        default=None,
        description="The URL clients reach this HTTP server at (behind a proxy, say), for the "
        "upload and download links it hands out; unset: http(s)://<bind host>:<port>.",
    )
    upload_seconds: int = Field(
        default=600,
        ge=1,
        description="How long an upload link, and the upload it receives, lasts from its making.",
    )
    download_link_seconds: int = Field(
        default=900, ge=1, description="How long a download link this server hands out lasts."
    )

    @field_validator("allowed_input_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
        return value

    @field_validator("public_url", mode="after")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else normalize_public_url(value)

    @field_validator("api_key", "http_token", "database_url", "request_state_keys", mode="after")
    @classmethod
    def _strip_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # A key pasted with a trailing newline would make an invalid header; blank means unset.
        if value is None:
            return None
        stripped = value.get_secret_value().strip()
        return SecretStr(stripped) if stripped else None

    @field_validator("output_dir", "data_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @field_validator("tls_cert", "tls_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("tls_cert", "tls_key", mode="after")
    @classmethod
    def _absolute_if_set(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().absolute()

    @field_validator("base_url", mode="after")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        return normalize_base_url(value)

    def has_key(self) -> bool:
        """Whether an API key is configured."""
        return self.api_key is not None and bool(self.api_key.get_secret_value())

    def ensure_output_dir(self) -> Path:
        """Create the output folder if needed (with its parents) and return it."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        return self.output_dir
