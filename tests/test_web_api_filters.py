"""The ``/ask`` API on a real loopback server: filter mistakes are errors the caller sees."""

from __future__ import annotations

import pytest
from gradio_client import Client

from assistant.core import Assistant
from tests.conftest import HIKVISION_QUESTION
from tests.test_web_server import served  # noqa: F401 - the module's served page

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"publisher": ["Federal Court"]}, "unknown filter key 'publisher'"),
        ({"sources": ["13"], "date": "2025"}, "unknown filter key 'date'"),
        ({"date_from": "2025-13-45"}, "'2025-13-45' is not a date"),
    ],
)
def test_a_filter_mistake_is_an_error_not_an_unfiltered_answer(
    served: tuple[Assistant, str],  # noqa: F811
    filters: dict,
    message: str,
) -> None:
    _, url = served
    client = Client(url, verbose=False)
    with pytest.raises(Exception, match=message):  # noqa: B017 - gradio_client's AppError
        client.predict(HIKVISION_QUESTION, [], filters, api_name="/ask")
    # the right key filters
    result = client.predict(
        HIKVISION_QUESTION, [], {"publishers": ["Federal Court"]}, api_name="/ask"
    )
    assert result["citations"]
    assert {c["publisher"] for c in result["citations"]} == {"Federal Court of Canada"}
