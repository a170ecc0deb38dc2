"""Composition of the JupyterHub configuration.

`configure(c)` prepares the state directory, loads the catalogue and the roster, and
calls one small `update_<area>(c, ...)` per area. Configuration only sets values; it
never appends to or mutates what another area set. Profiles only change the spawner.
"""
from __future__ import annotations

import json
import logging
import os
import pwd
from pathlib import Path

from ..config import REPO_ROOT, Settings
from ..content import Course, lesson_home_path, load_catalogue
from ..grading.courses import course_dir, grader_account, grader_environment, prepare_course_dirs, protect_sources
from ..roster import Membership, Person, derive_membership, ensure_accounts_file, read_roster
from ..state import prepare_state_dir, secret

log = logging.getLogger("pasaporte")

EXCHANGE = "exchange"  # the hub service that holds releases, submissions and feedback
GRADER = "grader"  # the hub service that runs evaluation notebooks in sandboxes
# Scopes of each portal role (JupyterHub RBAC). Course access comes from group roles below;
# what a person may do in the exchange, the exchange decides from their groups.
ROLE_SCOPES = {
    "estudiante": ["self", f"access:services!service={EXCHANGE}"],
    "docente": ["self", f"access:services!service={EXCHANGE}"],
    "coordinador": ["self", "admin-ui", "list:users", "read:users", "read:groups", "read:servers",
                    f"access:services!service={EXCHANGE}"],
}
# The token of every user server: its own activity, and the exchange (nbgrader's assignment list).
SERVER_SCOPES = ["users:activity!user", "access:servers!server", "read:users:groups!user", "read:users:name!user",
                 f"access:services!service={EXCHANGE}"]


def formgrader_service_name(course_id: str) -> str:
    return f"formgrader-{course_id}"


def configure(c, settings: Settings | None = None) -> Settings:
    settings = settings or Settings.from_env()
    for folder in prepare_state_dir(settings):
        log.warning("Gave o+x (traverse only, no listing) to %s so grader accounts can reach their course folders",
                    folder)
    courses = load_catalogue(settings.content_dir)
    people = read_roster(settings.roster_file)
    membership = derive_membership(people, [course.id for course in courses])
    passwords = ensure_accounts_file(settings.accounts_file, people)
    prepare_course_dirs(settings, courses, people)
    # Local accounts could read the clone; user containers only ever see the lesson folders.
    if settings.profile == "local":
        for path in protect_sources(settings, courses):
            log.info("Closed %s to other accounts (it holds answers or hidden tests)", path)

    update_hub(c, settings)
    update_auth(c, passwords, membership)
    update_roles_and_groups(c, membership, courses, culler=bool(settings.idle_timeout))
    update_spawner(c, settings, courses)
    update_services(c, settings, courses)
    update_templates(c, settings, courses, people)
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


def update_roles_and_groups(c, membership: Membership, courses: list[Course], culler: bool) -> None:
    c.JupyterHub.load_groups = {name: {"users": users} for name, users in membership.groups.items()}
    roles = [
        {"name": name, "description": f"Rol del portal: {name}", "scopes": scopes, "users": membership.roles[name]}
        for name, scopes in ROLE_SCOPES.items()
    ]
    roles.append({"name": "server", "scopes": SERVER_SCOPES})
    # The services learn a caller's groups from the hub with their own tokens.
    roles.append({"name": "course-services", "services": [EXCHANGE, GRADER],
                  "scopes": ["read:users:name", "read:users:groups"]})
    if culler:  # jupyterhub-idle-culler stops servers nobody used for PASAPORTE_IDLE_TIMEOUT seconds
        roles.append({"name": "idle-culler", "services": ["idle-culler"],
                      "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
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
        # The course's formgrader releases, collects and returns feedback through the exchange, and
        # has its autograde run by the grader.
        roles.append({"name": f"{service}-service", "services": [service],
                      "scopes": [f"access:services!service={EXCHANGE}", f"access:services!service={GRADER}"]})
    c.JupyterHub.load_roles = roles


def update_spawner(c, settings: Settings, courses: list[Course]) -> None:
    lesson_files = {
        course.id: {lesson_home_path(course, l): str(course.folder / l.notebook) for l in course.lessons}
        for course in courses
    }
    c.Spawner.default_url = "/lab"
    c.Spawner.http_timeout = 120
    c.Spawner.start_timeout = 180
    if settings.profile == "docker":
        update_docker_spawner(c, settings, lesson_files)
        return
    c.JupyterHub.spawner_class = "pasaporte.hub.spawner.PasaporteLocalSpawner"
    c.PasaporteLocalSpawner.homes_dir = str(settings.homes_dir)
    c.PasaporteLocalSpawner.isolate = settings.run_as_root
    c.PasaporteLocalSpawner.lesson_files = lesson_files
    c.PasaporteLocalSpawner.cmd = [str(settings.venv / "bin" / "jupyterhub-singleuser")]
    c.PasaporteLocalSpawner.environment = {"PASAPORTE_EXCHANGE_URL": exchange_url(settings)}


def exchange_url(settings: Settings) -> str:
    """Where user servers and graders reach the exchange: on loopback (user containers use the host network)."""
    return f"http://127.0.0.1:{settings.exchange_port}/services/{EXCHANGE}/"


def grader_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.grader_port}/services/{GRADER}/"


def update_docker_spawner(c, settings: Settings, lesson_files: dict) -> None:
    """One container per user: limits, a named home volume, host networking on loopback."""
    from ..images import image_tag
    from .docker_spawner import CONTAINER_COURSES, CONTAINER_HOME

    image = settings.singleuser_image or image_tag("singleuser")
    courses_dir = settings.content_dir / "courses"
    c.JupyterHub.spawner_class = "pasaporte.hub.docker_spawner.PasaporteDockerSpawner"
    s = c.PasaporteDockerSpawner
    s.image = image
    # Only our image may run, whatever a user asks for (CVE-2023-48311).
    s.allowed_images = {"pasaporte": image}
    s.pull_policy = "never"  # no registry: images are built here (pasaporte images build)
    s.lesson_files = lesson_files
    s.courses_dir = str(courses_dir)
    s.remove = True
    s.name_template = f"pasaporte-{settings.instance}-{{username}}"
    # Only the folders that hold lessons are mounted (read-only): evaluation sources, with their
    # answers and hidden tests, never appear in a user container, whatever their permissions.
    lesson_folders = sorted({str(Path(src).parent) for files in lesson_files.values() for src in files.values()})
    s.volumes = {
        f"pasaporte-{settings.instance}-home-{{username}}": CONTAINER_HOME,
        **{folder: {"bind": CONTAINER_COURSES + folder[len(str(courses_dir)):], "mode": "ro"}
           for folder in lesson_folders},
    }
    s.network_name = "host"
    s.use_internal_ip = True
    s.ip = "127.0.0.1"
    s.mem_limit = settings.mem_limit
    s.cpu_limit = settings.cpu_limit
    s.extra_host_config = {
        "pids_limit": settings.pids_limit,
        "memswap_limit": settings.mem_limit,  # memory + swap: no swap beyond the memory limit
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "init": True,  # reaps kernels' children
        "read_only": True,
        "tmpfs": {"/tmp": "rw,nosuid,nodev,size=256m"},
        # Kept after exit until the spawner has read why it stopped (out of memory?), then removed.
        "auto_remove": False,
    }
    s.extra_create_kwargs = {"user": "1000:1000", "labels": {"org.pasaporte.instance": settings.instance}}
    s.environment = {"PASAPORTE_EXCHANGE_URL": exchange_url(settings), "PASAPORTE_MEM_LIMIT": settings.mem_limit}
    c.JupyterHub.hub_connect_url = f"http://127.0.0.1:{settings.hub_api_port}"


def update_services(c, settings: Settings, courses: list[Course]) -> None:
    python = str(settings.venv / "bin" / "python")
    course_ids = json.dumps([course.id for course in courses])
    # Grading limits reach the services from the operator's environment (see the README).
    passed = {k: v for k, v in os.environ.items() if k.startswith(("PASAPORTE_GRADING_", "PASAPORTE_SUBMISSION_"))}
    services = [
        {"name": EXCHANGE, "url": f"http://127.0.0.1:{settings.exchange_port}",
         "command": [python, "-m", "pasaporte.grading.exchange_service"],
         "api_token": secret(settings, f"service_{EXCHANGE}"), "display": False,
         "environment": {**passed, "PASAPORTE_EXCHANGE_ROOT": str(settings.exchange_dir), "PASAPORTE_COURSES": course_ids}},
        {"name": GRADER, "url": f"http://127.0.0.1:{settings.grader_port}",
         "command": [python, "-m", "pasaporte.grading.grader_service"],
         "api_token": secret(settings, f"service_{GRADER}"), "display": False,
         "environment": {**passed, "PASAPORTE_COURSES": course_ids, "PASAPORTE_PROFILE": settings.profile,
                         "PASAPORTE_SINGLEUSER_IMAGE": settings.singleuser_image or os.environ.get(
                             "PASAPORTE_SINGLEUSER_IMAGE", ""),
                         "PASAPORTE_SANDBOX_DIR": str(settings.state_dir / "sandbox"),
                         "PATH": os.environ.get("PATH", "/usr/bin:/bin")}},
    ]
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
            "environment": {**grader_environment(settings), **passed, "JUPYTERHUB_DEFAULT_URL": "/formgrader"},
        }
        if settings.run_as_root:
            service["user"] = grader_account(course.id)
        services.append(service)
    if settings.idle_timeout:
        services.append({
            "name": "idle-culler",
            "command": [str(settings.venv / "bin" / "python"), "-m", "jupyterhub_idle_culler",
                        f"--timeout={settings.idle_timeout}", f"--cull-every={max(5, min(300, settings.idle_timeout // 4))}"],
        })
    c.JupyterHub.services = services


def update_templates(c, settings: Settings, courses: list[Course], people: list[Person]) -> None:
    import nativeauthenticator

    from .messages import spanish, stop_notice

    c.JupyterHub.template_paths = [
        str(REPO_ROOT / "hub_config" / "templates"),
        str(Path(nativeauthenticator.__file__).parent / "templates"),
    ]
    from .pages import handlers

    c.JupyterHub.extra_handlers = handlers(settings, people)
    c.JupyterHub.template_vars = {
        "catalogo": [course.public_dict() for course in courses],
        # JupyterHub calls callables with the user; this one hands templates the translator.
        "es": lambda user: spanish,
        "aviso_detenido": stop_notice,
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
