"""The `pasaporte` command line. The Makefile's targets call it."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import REPO_ROOT, Settings, SettingsError


def checked_catalogue(settings: Settings):
    """The course catalogue, or None after printing every problem for the operator."""
    from .content import ContentError, load_catalogue

    try:
        return load_catalogue(settings.content_dir)
    except ContentError as exc:
        print(f"pasaporte: content problems in {exc.where}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None


def preflight(settings: Settings) -> bool:
    """Check the catalogue and the roster before the hub starts; print every problem for the operator."""
    from .roster import RosterError, derive_membership, read_roster

    courses = checked_catalogue(settings)
    if courses is None:
        return False
    try:
        derive_membership(read_roster(settings.roster_file), [c.id for c in courses])
    except FileNotFoundError:
        print(f"pasaporte: roster file {settings.roster_file} does not exist (PASAPORTE_ROSTER)", file=sys.stderr)
        return False
    except RosterError as exc:
        print(f"pasaporte: roster {settings.roster_file} cannot be used; nothing was changed:", file=sys.stderr)
        for line, problem in exc.problems:
            print(f"  - line {line}: {problem}" if line else f"  - {problem}", file=sys.stderr)
        return False
    return already_running(settings) is None and ports_free(settings, services=len(courses))


def already_running(settings: Settings) -> int | None:
    pid_file = settings.state_dir / "jupyterhub.pid"
    try:
        pid = int(pid_file.read_text().strip())
        if b"jupyterhub" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return None  # a stale pid file, the number now belongs to something else
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    print(f"pasaporte: a portal is already running on {settings.state_dir} (pid {pid}); stop it first",
          file=sys.stderr)
    return pid


def ports_free(settings: Settings, services: int = 1) -> bool:
    """The proxy, hub API, proxy API and one port per grader service must be free."""
    import socket

    wanted = [(settings.ip, settings.port), ("127.0.0.1", settings.hub_api_port), ("127.0.0.1", settings.proxy_api_port),
              ("127.0.0.1", settings.exchange_port), ("127.0.0.1", settings.grader_port)]
    wanted += [("127.0.0.1", settings.services_base_port + i) for i in range(services)]
    busy = []
    for host, port in wanted:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers themselves will
            try:
                s.bind((host, port))
            except OSError:
                busy.append(port)
    if busy:
        print(f"pasaporte: port(s) {', '.join(map(str, busy))} are in use; choose another PASAPORTE_PORT "
              f"(the portal uses PORT to PORT+4 and PORT+10 upwards)", file=sys.stderr)
    return not busy


def cmd_run(args, settings: Settings) -> int:
    if not preflight(settings):
        return 1
    # Given an image (as the hub container is, which cannot build any), the hub spawns that one.
    if settings.profile == "docker" and not settings.singleuser_image:
        tags = ensure_images(["singleuser"])
        if not tags:
            return 1
        os.environ["PASAPORTE_SINGLEUSER_IMAGE"] = tags["singleuser"]  # the hub spawns exactly what was built
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    print(f"Pasaporte ({settings.profile} profile) starting at {settings.hub_url}/", flush=True)
    print(f"State directory: {settings.state_dir}", flush=True)
    print(f"Demo accounts (username,password,role): {settings.accounts_file} (mode 0600)", flush=True)
    config = REPO_ROOT / "hub_config" / "jupyterhub_config.py"
    jupyterhub = settings.venv / "bin" / "jupyterhub"
    os.chdir(settings.state_dir)
    # Whatever the hub writes (its database above all) is private unless a step opens it on purpose.
    os.umask(0o077)
    # nbgrader and JupyterHub call some tools (alembic, jupyter) by name.
    os.environ["PATH"] = f"{settings.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    os.execv(str(jupyterhub), [str(jupyterhub), "-f", str(config), *args.hub_args])


def ensure_images(names: list[str] | None) -> dict[str, str]:
    """Build the images that are missing (each tag names its inputs); {name: tag}, or {} after
    printing why they cannot be built."""
    from .images import ImageError, build_all

    try:
        return build_all(names)
    except ImageError as exc:
        print(f"pasaporte: {exc}", file=sys.stderr)
        return {}


def cmd_images(args, settings: Settings) -> int:
    if args.action == "tags":  # for docker-compose: PASAPORTE_<NAME>_IMAGE=<tag of these sources>
        from .images import IMAGES, image_tag

        for name in args.names or IMAGES:
            print(f"PASAPORTE_{name.upper()}_IMAGE={image_tag(name)}")
        return 0
    return 0 if ensure_images(args.names or None) else 1


def cmd_singleuser(args, settings: Settings) -> int:
    """Inside a user container: put the lessons in the home, then become the Jupyter server."""
    from .homes import sync_from_env

    home = Path(os.environ.get("HOME") or Path.home())
    try:
        sync_from_env(home)
    except (OSError, ValueError) as exc:  # the server still starts; the lessons are copied next time
        print(f"pasaporte: could not copy the lessons into {home}: {exc}", file=sys.stderr)
    os.chdir(home)
    os.execvp("jupyterhub-singleuser", ["jupyterhub-singleuser", *args.server_args])


def cmd_install_assets(args, settings: Settings) -> int:
    from .views import install_assets

    written = install_assets()
    print(f"Installed {len(written)} Pasaporte assets into {sys.prefix}")
    return 0


def cmd_check(args, settings: Settings) -> int:
    """The content quality gate (pasaporte.quality) over the catalogue, or over the courses named."""
    from . import quality

    courses = checked_catalogue(settings)
    if courses is None:
        return 1
    if args.courses:
        unknown = sorted(set(args.courses) - {c.id for c in courses})
        if unknown:
            print(f"pasaporte: no such course: {', '.join(unknown)}", file=sys.stderr)
            return 2
        courses = [c for c in courses if c.id in args.courses]
    for course in courses:
        items = sum(len(e.items) for e in course.evaluations)
        print(f"{course.id}: {len(course.lessons)} lessons, {len(course.evaluations)} evaluations, "
              f"{items} items, {len(course.objectives)} objectives")
    parts = args.parts.split(",") if args.parts else quality.PARTS
    problems = quality.run_gate(courses, settings.content_dir, parts)
    print(f"content gate: {problems} problems" if problems else "content gate: every check passed")
    return 1 if problems else 0


def cmd_grade(args, settings: Settings) -> int:
    from .grading import pipeline

    return pipeline.run_step(settings, args.step, args.course, args.evaluation, out=sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pasaporte", description="Operate the Pasaporte portal.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the portal (JupyterHub + proxy) on the chosen profile")
    run.add_argument("hub_args", nargs=argparse.REMAINDER, help="extra JupyterHub arguments")
    run.set_defaults(func=cmd_run)
    sub.add_parser("install-assets", help="install the Voila template and Jupyter defaults into the environment"
                   ).set_defaults(func=cmd_install_assets)
    check = sub.add_parser("check", help="the content quality gate: course.toml, lessons, evaluations, spelling, views")
    check.add_argument("courses", nargs="*", help="course ids (default: every course)")
    check.add_argument("--parts", help="comma-separated subset of: structure,spelling,lessons,evaluations,views")
    check.set_defaults(func=cmd_check)
    images = sub.add_parser("images", help="container images for the docker profile")
    images.add_argument("action", choices=["build", "tags"], help="build them, or print the tags these sources build")
    images.add_argument("names", nargs="*", choices=[[], "singleuser", "hub", "postgres"],
                        help="images (default: all)")
    images.set_defaults(func=cmd_images)
    singleuser = sub.add_parser("singleuser", help="(inside a user container) copy lessons, start the server")
    singleuser.add_argument("server_args", nargs=argparse.REMAINDER)
    singleuser.set_defaults(func=cmd_singleuser)
    grade = sub.add_parser("grade", help="instructor steps for an evaluation, run as the grader account")
    grade.add_argument("step", choices=["release", "collect", "autograde", "feedback", "scores"])
    grade.add_argument("course")
    grade.add_argument("evaluation")
    grade.set_defaults(func=cmd_grade)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("install-assets", "images", "singleuser"):  # these need no portal settings
        return args.func(args, None) or 0
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"pasaporte: {exc}", file=sys.stderr)
        return 2
    return args.func(args, settings) or 0


if __name__ == "__main__":
    sys.exit(main())
