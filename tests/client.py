"""The test client as gunicorn serves the site: through the page cache's WSGI layer first."""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import Client, TestCase
from django.test.client import ClientHandler

from tractatus_site.pagecache import PageCache


class PageCacheHandler(ClientHandler):
    """Django's test handler behind the page cache: a hit never reaches Django, as in production.

    A response the layer passed on is Django's own (with its context and templates); one the
    layer answered is built from exactly the status, headers and body it sent.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layer = PageCache(self.django)
        self.rendered: list = []

    def django(self, environ, start_response):
        response = super().__call__(environ)
        cookies = [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}",
                       [*response.items(), *cookies])
        body = response if response.streaming else [response.content]
        self.rendered.append((response, body))
        return body

    def __call__(self, environ):
        self.rendered = []
        started = []
        body = self.layer(environ, lambda status, headers, exc_info=None: started.append(
            (status, headers)))
        if self.rendered and body is self.rendered[-1][1]:
            return self.rendered[-1][0]
        status, headers = started[-1]
        response = HttpResponse(b"".join(body), status=int(status.split()[0]))
        del response["Content-Type"]
        for name, value in headers:
            response.headers[name] = value
        response.wsgi_request = WSGIRequest(environ)
        return response


class PageCacheClient(Client):
    """A browser whose each request commits, as each request does in production.

    A test's transaction never commits, so what waits for a commit (`transaction.on_commit`,
    the page cache's invalidation among them) runs when the request that scheduled it ends.
    """

    def __init__(self, *args, enforce_csrf_checks: bool = False, **kwargs):
        super().__init__(*args, enforce_csrf_checks=enforce_csrf_checks, **kwargs)
        self.handler = PageCacheHandler(enforce_csrf_checks)

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)
