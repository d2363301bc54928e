"""A real framework serving every config file of a directory at once.

    peer.py django|flask|starlette CONFIG_DIR

Prints `PORT <n>` and `VERSION <framework> <version>` on stdout, then serves
on 127.0.0.1 until killed. A request picks its config file by the header
`X-Peer-Config: <file name>`. Every route answers 200 `ok`, except
`/status/<code>`, which answers that status. The config files are run as
the framework runs them: this is the reference, not crossgate.
"""

import importlib.metadata
import os
import socket
import sys
import types

FRAMEWORK, CONFIG_DIR = sys.argv[1], sys.argv[2]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def configs():
    for name in sorted(os.listdir(CONFIG_DIR)):
        if name.endswith(".py"):
            with open(os.path.join(CONFIG_DIR, name), encoding="utf-8") as f:
                yield name, f.read()


def status_of(path):
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "status" and parts[1].isdigit():
        return int(parts[1])
    return 200


def listen():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listening before the port is announced: connections made while the
    # server starts wait in the backlog instead of being refused.
    sock.listen(2048)
    return sock


def announce(port, package):
    print(f"PORT {port}", flush=True)
    print(f"VERSION {package} {importlib.metadata.version(package)}", flush=True)


def serve_wsgi(app, package):
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, server_class=WSGIServer, handler_class=Quiet)
    announce(server.server_port, package)
    server.serve_forever()


def pick(environ_or_headers, apps):
    name = environ_or_headers
    return apps.get(name)


if FRAMEWORK == "django":
    import django
    from django.conf import settings

    urls = types.ModuleType("peer_urls")
    sys.modules["peer_urls"] = urls
    settings.configure(
        DEBUG=False,
        SECRET_KEY="peer",
        ROOT_URLCONF="peer_urls",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["django.contrib.contenttypes", "corsheaders"],
        MIDDLEWARE=["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
        USE_TZ=True,
    )
    django.setup()
    from django.http import HttpResponse
    from django.test.utils import override_settings
    from django.urls import re_path
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def view(request, path=""):
        return HttpResponse("ok", status=status_of(request.path))

    urls.urlpatterns = [re_path(r"^(?P<path>.*)$", view)]
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    settings_of = {}
    for name, text in configs():
        ns = {}
        exec(compile(text, name, "exec"), ns)
        values = {k: v for k, v in ns.items() if k.isupper()}
        values.setdefault("ALLOWED_HOSTS", ["*"])
        values.pop("INSTALLED_APPS", None)
        settings_of[name] = values

    def app(environ, start_response):
        values = settings_of.get(environ.get("HTTP_X_PEER_CONFIG", ""))
        if values is None:
            start_response("599 No Config", [("Content-Type", "text/plain")])
            return [b"no such config"]
        with override_settings(**values):
            return list(handler(environ, start_response))

    serve_wsgi(app, "django-cors-headers")

elif FRAMEWORK == "flask":
    from flask import request

    apps = {}
    for name, text in configs():
        ns = {"__name__": "peer_" + name[:-3]}
        exec(compile(text, name, "exec"), ns)
        flask_app = ns["app"]

        def view(path=""):
            return "ok", status_of(request.path)

        flask_app.add_url_rule("/", "root", view, methods=METHODS)
        flask_app.add_url_rule("/<path:path>", "any", view, methods=METHODS)
        apps[name] = flask_app

    def app(environ, start_response):
        chosen = apps.get(environ.get("HTTP_X_PEER_CONFIG", ""))
        if chosen is None:
            start_response("599 No Config", [("Content-Type", "text/plain")])
            return [b"no such config"]
        return chosen(environ, start_response)

    serve_wsgi(app, "flask-cors")

elif FRAMEWORK == "starlette":
    import asyncio

    import uvicorn
    from starlette.responses import PlainTextResponse

    async def endpoint(request):
        return PlainTextResponse("ok", status_code=status_of(request.url.path))

    apps = {}
    for name, text in configs():
        ns = {}
        exec(compile(text, name, "exec"), ns)
        star = ns["app"]
        star.add_route("/{path:path}", endpoint, methods=METHODS)
        apps[name.encode()] = star

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        name = dict(scope["headers"]).get(b"x-peer-config", b"")
        chosen = apps.get(name)
        if chosen is None:
            await PlainTextResponse("no such config", status_code=599)(scope, receive, send)
            return
        await chosen(scope, receive, send)

    sock = listen()
    announce(sock.getsockname()[1], "starlette")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))

else:
    sys.exit(f"unknown framework {FRAMEWORK}")
