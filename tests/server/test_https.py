"""`rodin-mcp serve --http --tls-cert FILE --tls-key FILE`: uvicorn serves HTTPS.

The test makes its own certificate authority and a certificate for 127.0.0.1 (with the
`cryptography` package), serves on 0.0.0.0 with a token, and drives the MCP `Client` over HTTPS
with an HTTP client that trusts that authority only.
"""

from __future__ import annotations

import datetime
import ssl
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.server.conftest import structured
from tests.server.http_server import INITIALIZE, MCP_HEADERS, refused_start, running_server

TOKEN = "https-token-0123456789abcdef"


@dataclass(frozen=True)
class Certificates:
    authority: Path
    cert: Path
    key: Path
    other_key: Path
    encrypted_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> None:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.UTC)
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority = (
        x509.CertificateBuilder()
        .subject_name(_name("rodin-mcp test authority"))
        .issuer_name(_name("rodin-mcp test authority"))
        .public_key(authority_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(authority_key.public_key()), critical=False
        )
        .sign(authority_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(authority.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()),
            critical=False,
        )
        .sign(authority_key, hashes.SHA256())
    )
    made = Certificates(
        authority=folder / "authority.pem",
        cert=folder / "cert.pem",
        key=folder / "key.pem",
        other_key=folder / "other-key.pem",
        encrypted_key=folder / "encrypted-key.pem",
    )
    made.authority.write_bytes(authority.public_bytes(serialization.Encoding.PEM))
    made.cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    _write_key(made.key, server_key)
    _write_key(made.other_key, ec.generate_private_key(ec.SECP256R1()))
    _write_key(made.encrypted_key, server_key, password=b"a passphrase")
    return made


@pytest.mark.anyio
@pytest.mark.parametrize("given_as", ["flags", "environment"])
async def test_tls_files_make_the_server_serve_mcp_over_https_beyond_loopback(
    tmp_path: Path, certificates: Certificates, given_as: str
) -> None:
    files = {"RODIN_TLS_CERT": str(certificates.cert), "RODIN_TLS_KEY": str(certificates.key)}
    args = ["--tls-cert", str(certificates.cert), "--tls-key", str(certificates.key)]
    env = {"RODIN_HTTP_TOKEN": TOKEN, **(files if given_as == "environment" else {})}
    if given_as == "environment":
        args = []
    with running_server(tmp_path, "--sandbox", *args, host="0.0.0.0", env=env) as port:
        url = f"https://127.0.0.1:{port}/mcp"
        trusting = ssl.create_default_context(cafile=str(certificates.authority))
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            httpx2.AsyncClient(verify=trusting, headers=headers, timeout=60) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            made = structured(await client.call_tool("generate_3d", {"prompt": "a vase"}))
            status = structured(
                await client.call_tool(
                    "check_status", {"task_uuid": made["task_uuid"], "wait_seconds": 45}
                )
            )
        with pytest.raises(httpx2.ConnectError):  # a client that does not trust the authority
            httpx2.post(url, json=INITIALIZE, headers=MCP_HEADERS)
        with pytest.raises(httpx2.TransportError):  # nothing is served in clear text
            httpx2.post(url.replace("https:", "http:"), json=INITIALIZE, headers=MCP_HEADERS)
    assert made["sandbox"] is True
    assert status["state"] == "done"


@pytest.mark.parametrize(
    ("problem", "cert", "key"),
    [
        ("a certificate without its key", "cert", None),
        ("a key without its certificate", None, "key"),
        ("a missing certificate", "missing", "key"),
        ("another certificate's key", "cert", "other_key"),
        ("an encrypted key", "cert", "encrypted_key"),
        ("a key as the certificate", "key", "key"),
    ],
)
def test_unusable_tls_files_are_refused_at_start_with_what_to_give(
    tmp_path: Path, certificates: Certificates, problem: str, cert: str | None, key: str | None
) -> None:
    def path(name: str) -> str:
        return (
            str(tmp_path / "missing.pem") if name == "missing" else str(getattr(certificates, name))
        )

    args = [
        *(["--tls-cert", path(cert)] if cert else []),
        *(["--tls-key", path(key)] if key else []),
    ]
    code, stderr = refused_start(tmp_path, *args)
    assert code == 1, problem
    assert "TLS certificate and key cannot be used" in stderr, problem
    assert "--tls-cert" in stderr, problem
    assert "Traceback" not in stderr, problem
    assert "PRIVATE KEY" not in stderr, problem
