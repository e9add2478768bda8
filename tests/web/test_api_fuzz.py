"""The JSON API fuzzed from its own OpenAPI document with schemathesis: whatever a signed-in
client sends, valid or not, the answer is never a server error and always says why it refused.

Bounded: a few derandomised examples per operation and mode (the same ones every run). The
operations are driven in a loop rather than with schemathesis' pytest plugin, whose fixture
loader does not work with pytest 9.
"""

from __future__ import annotations

from collections.abc import Callable

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from web.conftest import DemoEnv

MAX_EXAMPLES = 4


def test_no_server_errors(demo_of: Callable[[str], DemoEnv]) -> None:
    demo = demo_of("sqlite")
    app = demo.app()
    client = demo.client("admin", app=app)  # every operation allowed: the deepest code paths
    cookies = {"ssp_session": client.cookies.get("ssp_session")}
    headers = {"X-CSRF-Token": client.csrf}  # type: ignore[attr-defined]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: schemathesis.Case) -> None:
                response = case.call(headers=headers, cookies=cookies)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")
                elif response.status_code >= 400 and not _says_why(response):
                    failures.append(f"{case.method} {case.formatted_path}: no message")

            try:
                call()
            except Unsatisfiable:  # nothing to make invalid (an operation without inputs)
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert len(labels) >= 15 and "POST /api/v1/imports/inventory" in labels
    assert failures == []


def _says_why(response: object) -> bool:
    try:
        return bool(response.json()["error"]["message"])  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError):
        return False
