"""Composition of the JupyterHub configuration.

`configure(c)` prepares the state directory, loads the catalogue and the roster, and
calls one small `update_<area>(c, ...)` per area. Configuration only sets values; it
never appends to or mutates what another area set. Profiles only change the spawner.
"""
from __future__ import annotations

import logging
import os
import pwd
from pathlib import Path

from ..config import REPO_ROOT, Settings
from ..content import Course, lesson_home_path, load_catalogue
from ..grading.courses import course_dir, grader_account, grader_environment, prepare_course_dirs, protect_sources
from ..roster import Membership, derive_membership, ensure_accounts_file, read_roster
from ..state import grant_traverse, prepare_state_dir, secret

log = logging.getLogger("pasaporte")

# Scopes of each portal role (JupyterHub RBAC). Course access comes from group roles below.
ROLE_SCOPES = {
    "estudiante": ["self"],
    "docente": ["self"],
    "coordinador": ["self", "admin-ui", "list:users", "read:users", "read:groups", "read:servers"],
}
# The token of every user server: enough for nbgrader to read the user's own course groups.
SERVER_SCOPES = ["users:activity!user", "access:servers!server", "read:users:groups!user", "read:users:name!user"]


def formgrader_service_name(course_id: str) -> str:
    return f"formgrader-{course_id}"


def configure(c, settings: Settings | None = None) -> Settings:
    settings = settings or Settings.from_env()
    for folder in prepare_state_dir(settings):
        log.warning("Gave o+x (traverse only, no listing) to %s so portal accounts can reach the exchange", folder)
    courses = load_catalogue(settings.content_dir)
    people = read_roster(settings.roster_file)
    membership = derive_membership(people, [course.id for course in courses])
    passwords = ensure_accounts_file(settings.accounts_file, people)
    prepare_course_dirs(settings, courses, people)
    for path in protect_sources(settings, courses):
        log.info("Closed %s to other accounts (it holds answers or hidden tests)", path)

    update_hub(c, settings)
    update_auth(c, passwords, membership)
    update_roles_and_groups(c, membership, courses)
    update_spawner(c, settings, courses)
    update_services(c, settings, courses)
    update_templates(c, courses)
    announce_isolation(settings)
    return settings


def update_hub(c, settings: Settings) -> None:
    c.JupyterHub.bind_url = settings.hub_url
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings.hub_api_port}"
    c.JupyterHub.db_url = settings.hub_db_url
    c.JupyterHub.cookie_secret_file = str(settings.secrets_dir / "cookie_secret")
    c.JupyterHub.pid_file = str(settings.state_dir / "jupyterhub.pid")
    c.CryptKeeper.keys = [bytes.fromhex(secret(settings, "crypt_key"))]
    c.ConfigurableHTTPProxy.command = [str(REPO_ROOT / "node_modules" / ".bin" / "configurable-http-proxy")]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.auth_token = secret(settings, "proxy_auth_token")
    c.ConfigurableHTTPProxy.pid_file = str(settings.state_dir / "proxy.pid")
    c.JupyterHub.default_url = "/hub/home"
    # A lesson link to a stopped server starts it instead of asking the student to press a button.
    c.JupyterHub.implicit_spawn_seconds = 0.5
    c.JupyterHub.logo_file = str(settings.hub_config_dir / "static" / "logo.svg")
    c.JupyterHub.shutdown_on_logout = False
    c.JupyterHub.cleanup_servers = True


def update_auth(c, passwords: dict[str, str], membership: Membership) -> None:
    c.JupyterHub.authenticator_class = "pasaporte.hub.auth.PasaporteAuthenticator"
    c.PasaporteAuthenticator.roster_accounts = passwords
    c.NativeAuthenticator.enable_signup = False
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 300
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.check_common_password = True
    # Only roster accounts exist in the authenticator's table, so every authenticated user is allowed.
    c.Authenticator.allow_all = True
    c.Authenticator.admin_users = set(membership.admins)


def update_roles_and_groups(c, membership: Membership, courses: list[Course]) -> None:
    c.JupyterHub.load_groups = {name: {"users": users} for name, users in membership.groups.items()}
    roles = [
        {"name": name, "description": f"Rol del portal: {name}", "scopes": scopes, "users": membership.roles[name]}
        for name, scopes in ROLE_SCOPES.items()
    ]
    roles.append({"name": "server", "scopes": SERVER_SCOPES})
    for course in courses:
        service = formgrader_service_name(course.id)
        roles.append(
            {
                "name": f"formgrade-{course.id}",
                "description": f"Califica {course.title}",
                "groups": [f"formgrade-{course.id}"],
                "scopes": [f"access:services!service={service}", "list:services", f"read:services!service={service}"],
            }
        )
    c.JupyterHub.load_roles = roles


def update_spawner(c, settings: Settings, courses: list[Course]) -> None:
    c.JupyterHub.spawner_class = "pasaporte.hub.spawner.PasaporteLocalSpawner"
    c.PasaporteLocalSpawner.homes_dir = str(settings.homes_dir)
    c.PasaporteLocalSpawner.isolate = settings.run_as_root
    c.PasaporteLocalSpawner.lesson_files = {
        course.id: {lesson_home_path(course, l): str(course.folder / l.notebook) for l in course.lessons}
        for course in courses
    }
    c.Spawner.cmd = [str(settings.venv / "bin" / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.environment = {"PASAPORTE_EXCHANGE": str(settings.exchange_dir)}
    c.Spawner.http_timeout = 120
    c.Spawner.start_timeout = 180


def update_services(c, settings: Settings, courses: list[Course]) -> None:
    services = []
    for index, course in enumerate(courses):
        name = formgrader_service_name(course.id)
        service = {
            "name": name,
            "url": f"http://127.0.0.1:{settings.services_base_port + index}",
            "command": [str(settings.venv / "bin" / "jupyterhub-singleuser"), "--ServerApp.default_url=/formgrader",
                        "--ServerApp.terminals_enabled=False"],
            "cwd": str(course_dir(settings, course.id)),
            "api_token": secret(settings, f"service_{name}"),
            "oauth_no_confirm": True,
            "environment": {**grader_environment(settings), "JUPYTERHUB_DEFAULT_URL": "/formgrader"},
        }
        if settings.run_as_root:
            service["user"] = grader_account(course.id)
        services.append(service)
    c.JupyterHub.services = services


def update_templates(c, courses: list[Course]) -> None:
    import nativeauthenticator

    from .messages import spanish

    c.JupyterHub.template_paths = [
        str(REPO_ROOT / "hub_config" / "templates"),
        str(Path(nativeauthenticator.__file__).parent / "templates"),
    ]
    c.JupyterHub.template_vars = {
        "catalogo": [course.public_dict() for course in courses],
        # JupyterHub calls callables with the user; this one hands templates the translator.
        "es": lambda user: spanish,
    }


def announce_isolation(settings: Settings) -> None:
    if settings.run_as_root:
        log.info("Running as root: each portal user's server runs under its own system account (pp-*), homes in %s (0700)",
                 settings.homes_dir)
    else:
        me = pwd.getpwuid(os.getuid()).pw_name
        log.warning(
            "Running as the unprivileged user %r: every user server runs as %r too, with NO isolation between "
            "portal users. Run as root for per-user system accounts.", me, me)
