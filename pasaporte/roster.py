"""The roster: who exists, their role, school section and courses.

Accounts come only from here (no self sign-up). Groups and nbgrader memberships are
derived from the roster and the course catalogue, never edited by hand.
"""
from __future__ import annotations

import csv
import io
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROLES = ("estudiante", "docente", "coordinador", "admin")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
FIELDS = ("cct", "subsistema", "estado", "grupo", "rol", "nombre", "apellidos", "usuario", "correo", "cursos")


class RosterError(ValueError):
    """The roster cannot be used. `problems` are (line number, English message) pairs."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__("; ".join(f"line {n}: {msg}" for n, msg in problems))


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    given_name: str
    family_name: str
    email: str
    cct: str
    subsystem: str
    state: str
    group: str
    courses: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def section(self) -> str | None:
        """Hub group of the person's school section (students and teachers)."""
        if not self.group:
            return None
        return section_group(self.cct, self.group)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def section_group(cct: str, group: str) -> str:
    return f"seccion-{slug(cct)}-{slug(group)}"


def decode_spreadsheet_bytes(raw: bytes) -> str:
    """Spreadsheets save UTF-8 (with or without BOM) or Latin-1; accept all three."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_roster(path: Path) -> list[Person]:
    text = decode_spreadsheet_bytes(Path(path).read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    except (csv.Error, IndexError):
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = [slug(h or "") for h in (reader.fieldnames or [])]
    missing = [f for f in ("rol", "usuario") if f not in header]
    if missing:
        raise RosterError([(1, f"missing column(s): {', '.join(missing)}")])
    people, problems, seen = [], [], {}
    for line_no, row in enumerate(reader, start=2):
        row = {slug(k or ""): (v or "").strip() for k, v in row.items()}
        username = row.get("usuario", "").lower()
        role = slug(row.get("rol", ""))
        if not USERNAME_RE.match(username):
            problems.append((line_no, f"invalid username {username!r}"))
            continue
        if role not in ROLES:
            problems.append((line_no, f"unknown role {row.get('rol')!r} (use one of {', '.join(ROLES)})"))
            continue
        if username in seen:
            problems.append((line_no, f"duplicate username {username!r} (first on line {seen[username]})"))
            continue
        seen[username] = line_no
        people.append(
            Person(
                username=username,
                role=role,
                given_name=row.get("nombre", ""),
                family_name=row.get("apellidos", ""),
                email=row.get("correo", ""),
                cct=row.get("cct", "").upper(),
                subsystem=row.get("subsistema", ""),
                state=row.get("estado", ""),
                group=row.get("grupo", ""),
                courses=tuple(c.strip() for c in re.split(r"[ ;|]+", row.get("cursos", "")) if c.strip()),
            )
        )
    if problems:
        raise RosterError(problems)
    return people


@dataclass(frozen=True)
class Membership:
    """Everything the hub needs to know about groups and roles, derived from roster + courses."""

    groups: dict[str, list[str]]  # group name -> usernames
    roles: dict[str, list[str]]  # portal role -> usernames
    admins: list[str]


def derive_membership(people: list[Person], course_ids: list[str]) -> Membership:
    unknown = sorted({c for p in people for c in p.courses if c not in course_ids})
    if unknown:
        raise RosterError([(0, f"roster names unknown course(s): {', '.join(unknown)}")])
    groups: dict[str, list[str]] = {}

    def add(group: str, user: str) -> None:
        members = groups.setdefault(group, [])
        if user not in members:
            members.append(user)

    for course in course_ids:
        groups.setdefault(f"nbgrader-{course}", [])
        groups.setdefault(f"formgrade-{course}", [])
    schools_of_course: dict[str, set[str]] = {c: set() for c in course_ids}
    for p in people:
        if p.section and p.role in ("estudiante", "docente"):
            add(p.section, p.username)
        for course in p.courses:
            if p.role == "estudiante":
                add(f"nbgrader-{course}", p.username)
                schools_of_course[course].add(p.cct)
            elif p.role == "docente":
                add(f"formgrade-{course}", p.username)
    # A coordinator grades and follows every course taught at their school.
    for p in people:
        if p.role == "coordinador":
            for course in course_ids:
                if p.cct in schools_of_course[course] or course in p.courses:
                    add(f"formgrade-{course}", p.username)
    roles = {r: [p.username for p in people if p.role == r] for r in ROLES}
    return Membership(groups=groups, roles=roles, admins=roles["admin"])


# --- passwords of roster accounts --------------------------------------------------------

def new_password() -> str:
    """A password a student can type: 12 characters, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def ensure_accounts_file(path: Path, people: list[Person]) -> dict[str, str]:
    """Give every roster person a generated password, kept in `path` (0600, CSV
    username,password,role). Existing passwords are never changed. Returns username -> password."""
    path = Path(path)
    existing: dict[str, str] = {}
    if path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                existing[row["username"]] = row["password"]
    rows, changed = [], not path.exists()
    for p in people:
        if p.username not in existing:
            existing[p.username] = new_password()
            changed = True
        rows.append((p.username, existing[p.username], p.role))
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(("username", "password", "role"))
            writer.writerows(rows)
        os.replace(tmp, path)
    os.chmod(path, 0o600)
    return {username: pw for username, pw, _ in rows}
