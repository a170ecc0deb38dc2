"""What the portal's own hub services share (the exchange and the grader): a caller is known
only by the hub token it sends, its courses come from the hub with the service's own token,
and every refusal carries a Spanish message for the person and an English reason for the log."""
from __future__ import annotations

import json
import logging
import os
import re
import time

from tornado import httpserver, ioloop, web
from tornado.escape import url_escape
from tornado.httpclient import AsyncHTTPClient

log = logging.getLogger("pasaporte.service")


class Refused(web.HTTPError):
    """An HTTP error with a Spanish message for the person and an English reason for the log."""

    def __init__(self, status: int, spanish: str, reason: str):
        super().__init__(status, reason)
        self.spanish = spanish
        self.reason_text = reason


class Identity:
    """Who calls, and in which courses they study or teach. A course's formgrader service
    teaches that course; people teach the courses of their formgrade-<course> groups."""

    def __init__(self, kind: str, name: str, groups: list[str]):
        self.kind, self.name = kind, name
        self.student_of = {g[len("nbgrader-"):] for g in groups if g.startswith("nbgrader-")}
        self.teacher_of = {g[len("formgrade-"):] for g in groups if g.startswith("formgrade-")}
        if kind == "service" and name.startswith("formgrader-"):
            self.teacher_of = {name[len("formgrader-"):]}

    @property
    def courses(self) -> set[str]:
        return self.student_of | self.teacher_of


class AuthenticatedHandler(web.RequestHandler):
    """Token-authenticated JSON API (no cookies, hence no XSRF) of a hub service."""

    def check_xsrf_cookie(self):
        pass

    async def prepare(self):
        auth = self.settings["hub_auth"]
        if not auth.get_token(self, in_cookie=False):
            raise Refused(403, "Inicia sesión en el portal para usar las evaluaciones.", "no token")
        model = await auth.get_user(self, sync=False)
        if not model or not auth.check_scopes(auth.access_scopes, model):
            raise Refused(403, "Tu sesión no permite usar las evaluaciones; vuelve a iniciar sesión.",
                          "token refused or without access to this service")
        kind = model.get("kind", "user")
        groups = await self.groups_of(model["name"]) if kind == "user" else []
        self.identity = Identity(kind, model["name"], groups)

    async def groups_of(self, name: str) -> list[str]:
        cache = self.settings.setdefault("group_cache", {})
        hit = cache.get(name)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        auth = self.settings["hub_auth"]
        response = await AsyncHTTPClient().fetch(f"{auth.api_url}/users/{url_escape(name, plus=False)}",
                                                 raise_error=False,
                                                 headers={"Authorization": f"token {auth.api_token}"})
        if response.code != 200:
            log.error("The hub did not give the groups of %s: HTTP %s", name, response.code)
            raise Refused(503, "El portal no pudo confirmar tus cursos; intenta de nuevo en un momento.",
                          f"groups of {name}: HTTP {response.code}")
        groups = list(json.loads(response.body).get("groups", []))
        cache[name] = (time.monotonic() + 15, groups)
        return groups

    def write_error(self, status_code, **kwargs):
        exc = kwargs.get("exc_info", (None, None))[1]
        spanish = getattr(exc, "spanish", "Ocurrió un problema en el portal; intenta de nuevo.")
        reason = getattr(exc, "reason_text", None) or getattr(exc, "log_message", None) or self._reason
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"message": spanish, "reason": reason}, ensure_ascii=False))

    def reply(self, body, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    def known_course(self, course: str) -> None:
        if course not in self.settings["courses"]:
            raise Refused(404, f"El curso «{course}» no existe.", f"unknown course {course}")

    def must_teach(self, course: str) -> None:
        self.known_course(course)
        if course not in self.identity.teacher_of:
            log.warning("%s %s tried an instructor action on %s", self.identity.kind, self.identity.name, course)
            raise Refused(403, "Solo el equipo docente del curso puede hacer esto.",
                          f"{self.identity.name} does not teach {course}")


def serve(name: str, routes: list, max_body_size: int, **settings) -> None:
    """Run a tornado app as the hub service `name`, where the hub says (JUPYTERHUB_SERVICE_URL)."""
    from jupyterhub.services.auth import HubAuth

    logging.basicConfig(level=logging.INFO, format=f"[%(levelname)1.1s %(asctime)s {name}] %(message)s")
    os.umask(0o077)
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"].rstrip("/")
    app = web.Application([(prefix + path, handler) for path, handler in routes], hub_auth=HubAuth(cache_max_age=30),
                          courses=set(json.loads(os.environ["PASAPORTE_COURSES"])), **settings)
    host, port = re.match(r"https?://([^:/]+):(\d+)", os.environ["JUPYTERHUB_SERVICE_URL"]).groups()
    httpserver.HTTPServer(app, max_body_size=max_body_size).listen(int(port), host)
    log.info("%s listening at %s%s/", name, os.environ["JUPYTERHUB_SERVICE_URL"], prefix)
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:  # the hub stops its services with SIGINT
        log.info("%s stopped", name)
