"""The Elasticsearch client, built from config, and the errors it raises in the analyst's words.

Read-only by construction: OperatorX itself only ever calls ``search``, ``count``,
``field_caps``, ``cluster.health`` and ``nodes.info`` (a test greps this package for
anything else). The one exception is ``fixtures.py``, which loads demo data into the local
test cluster and is never reached from the runner.

``cluster_info`` does not use ``GET /`` (``client.info()``): the minimal Elasticsearch
distribution used for tests and the demo answers it with 405, and a least-privilege
API key may not be allowed it either. Health and the local node's info say the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    ConnectionTimeout,
    Elasticsearch,
    NotFoundError,
    SSLError,
    TransportError,
    UnsupportedProductError,
)

from operatorx.config import ElasticConfig
from operatorx.errors import ConfigError, ExecutionFailed, ToolUnavailable

SUPPORTED_MAJOR = 8


@dataclass(frozen=True)
class ClusterInfo:
    name: str
    version: str
    health: str  # green / yellow / red / unknown
    url: str


def make_client(config: ElasticConfig, url: str | None = None) -> Elasticsearch:
    """The official 8.x client for ``url`` (or ``config.url``); no request is made here."""
    target = url or config.url
    if not target:
        raise ConfigError(
            "No Elasticsearch URL is configured: set [elasticsearch] url in the config file "
            "or start the local demo cluster."
        )
    kwargs: dict[str, Any] = {
        "request_timeout": config.request_timeout_s,
        # One attempt and one retry on a dead connection, never a retried (slow) search.
        "retry_on_timeout": False,
        "max_retries": 1,
        "verify_certs": config.verify_certs,
    }
    if config.api_key:
        kwargs["api_key"] = config.api_key
    elif config.username:
        kwargs["basic_auth"] = (config.username, config.password)
    if config.ca_certs:
        kwargs["ca_certs"] = config.ca_certs
    try:
        return Elasticsearch(target, **kwargs)
    except ValueError as e:  # malformed URL, unreadable CA file …
        raise ConfigError(f"Cannot use Elasticsearch URL {target!r}: {e}") from e


def client_url(client: Any) -> str:
    """The base URL a client talks to, for messages."""
    try:
        return ", ".join(n.base_url for n in client.transport.node_pool.all())
    except Exception:  # a stand-in client in a unit test, say
        return "the configured cluster"


def _reason(err: ApiError) -> str:
    """The most specific reason Elasticsearch gave, in one line."""
    body = err.body if isinstance(err.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        causes = error.get("root_cause") or []
        cause = causes[0] if causes and isinstance(causes[0], dict) else error
        reason = cause.get("reason") or error.get("reason") or error.get("type")
        if reason:
            return str(reason)
    if isinstance(error, str):
        return error
    return str(err.message or err)


@contextmanager
def translate_errors(client: Any, action: str) -> Iterator[None]:
    """Turn client exceptions raised while doing ``action`` into OperatorX errors.

    ToolUnavailable: the cluster cannot be used at all (down, wrong URL, TLS, credentials).
    ExecutionFailed: the cluster answered but this request failed (missing index, bad query).
    """
    url = client_url(client)
    try:
        yield
    except SSLError as e:
        raise ToolUnavailable(
            f"The TLS handshake with Elasticsearch at {url} failed while trying to {action}: check "
            "[elasticsearch] ca_certs (the cluster's CA certificate) and verify_certs."
        ) from e
    except ConnectionTimeout as e:
        raise ExecutionFailed(
            f"Elasticsearch at {url} did not answer in time while trying to {action}: narrow the "
            "time window or raise [elasticsearch] request_timeout_s."
        ) from e
    except ConnectionError as e:
        raise ToolUnavailable(
            f"Cannot reach Elasticsearch at {url} while trying to {action}: check that the cluster "
            "is running and that [elasticsearch] url is right (scheme, host and port)."
        ) from e
    except UnsupportedProductError as e:
        raise ToolUnavailable(
            f"The server at {url} is not Elasticsearch (it did not identify itself as one): "
            "check [elasticsearch] url."
        ) from e
    except AuthenticationException as e:
        raise ToolUnavailable(
            f"Elasticsearch at {url} refused the credentials (401): check [elasticsearch] api_key, "
            "or username and password."
        ) from e
    except AuthorizationException as e:
        raise ToolUnavailable(
            f"The credentials are not allowed to {action} on {url} (403: {_reason(e)}); the role "
            "needs read and view_index_metadata on the indices searched."
        ) from e
    except NotFoundError as e:
        raise ExecutionFailed(f"Elasticsearch could not {action}: {_reason(e)} (404).") from e
    except ApiError as e:
        status = e.meta.status if e.meta is not None else "?"
        if status == 429:
            raise ExecutionFailed(
                f"Elasticsearch at {url} is overloaded (429) and refused to {action}: try again shortly."
            ) from e
        error = e.body.get("error") if isinstance(e.body, dict) else None
        if isinstance(error, dict) and error.get("type") == "media_type_header_exception":
            # What a 7.x (or 10.x) server says to the 8.x client's compatible-with=8 headers.
            cause = (error.get("caused_by") or {}).get("reason") or _reason(e)
            raise ToolUnavailable(
                f"The server at {url} does not speak the Elasticsearch 8 API ({cause}); OperatorX "
                f"supports Elasticsearch {SUPPORTED_MAJOR}.x only: check the cluster's version."
            ) from e
        who = "rejected the request" if isinstance(status, int) and status < 500 else "failed"
        raise ExecutionFailed(f"Elasticsearch {who} trying to {action} ({status}): {_reason(e)}.") from e
    except TransportError as e:
        raise ToolUnavailable(
            f"Talking to Elasticsearch at {url} failed while trying to {action}: {e}."
        ) from e


def cluster_info(client: Any) -> ClusterInfo:
    """Name, version and health of the cluster; refuses a server that is not Elasticsearch 8."""
    url = client_url(client)
    with translate_errors(client, "read the cluster health"):
        health = client.cluster.health()
    version = "unknown"
    try:
        with translate_errors(client, "read the node version"):
            nodes = client.nodes.info(node_id="_local", metric="_none")
        for node in (nodes.get("nodes") or {}).values():
            version = str(node.get("version") or "unknown")
            break
    except ToolUnavailable as e:
        # A least-privilege key may read health but not node info; searching still works.
        if "403" not in str(e):
            raise
    major = version.split(".", 1)[0]
    if version != "unknown" and major != str(SUPPORTED_MAJOR):
        raise ToolUnavailable(
            f"The cluster at {url} runs Elasticsearch {version}; OperatorX supports Elasticsearch "
            f"{SUPPORTED_MAJOR}.x only (the client would send {SUPPORTED_MAJOR}.x requests)."
        )
    return ClusterInfo(
        name=str(health.get("cluster_name", "?")),
        version=version,
        health=str(health.get("status", "unknown")),
        url=url,
    )
