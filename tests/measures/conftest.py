from __future__ import annotations

import json

import pytest


@pytest.fixture
def send(client):
    """POST a beacon report the way static/js/beacon.js does; returns the response."""

    def post(report, **headers):
        body = report if isinstance(report, bytes | str) else json.dumps(report)
        return client.post(
            "/api/beacon", body, content_type="application/json", headers=headers
        )

    return post
