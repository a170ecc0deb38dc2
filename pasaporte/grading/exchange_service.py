"""The exchange: a JupyterHub service that holds releases, submissions and feedback.

It replaces nbgrader's shared exchange folder, which trusts each student's own server:
- who acts is the hub token's owner, never a field of the request (no --student, no
  JUPYTERHUB_USER);
- the receipt time is this server's clock; a timestamp.txt inside a submission is dropped;
- each submission is checked against size and file-count limits while it is unpacked;
- a student lists only the released evaluations of her own courses (group nbgrader-<course>)
  and only her own submissions and feedback; members of formgrade-<course> and the course's
  formgrader service release, collect and return feedback.

Files live under <state>/exchange/, described by an SQLite database beside them; every write
lands in a temporary folder first and is renamed into place, then recorded, so a restart
loses nothing that was acknowledged. Run by the hub as `python -m pasaporte.grading.exchange_service`.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import sys
import uuid
from pathlib import Path

from .archive import ArchiveError, Limits, pack, unpack
from .hubservice import AuthenticatedHandler, Refused, serve

log = logging.getLogger("pasaporte.exchange")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
SCHEMA = """
CREATE TABLE IF NOT EXISTS releases (course TEXT, assignment TEXT, released_at TEXT, notebooks TEXT,
                                     PRIMARY KEY (course, assignment));
CREATE TABLE IF NOT EXISTS submissions (id TEXT PRIMARY KEY, course TEXT, assignment TEXT, student TEXT,
                                        timestamp TEXT, files INTEGER, bytes INTEGER, sha256 TEXT, notebooks TEXT);
CREATE INDEX IF NOT EXISTS submissions_by_student ON submissions (course, assignment, student);
CREATE TABLE IF NOT EXISTS feedback (submission TEXT, notebook TEXT, sha256 TEXT, released_at TEXT,
                                     PRIMARY KEY (submission, notebook));
"""


def now_timestamp() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime(TIMESTAMP_FORMAT)


class Store:
    """Files under root and their index in root/exchange.sqlite."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        self.db = sqlite3.connect(root / "exchange.sqlite", isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)
        for sub in ("releases", "submissions", "feedback", "incoming"):
            (root / sub).mkdir(exist_ok=True)
        shutil.rmtree(root / "incoming", ignore_errors=True)  # half-received uploads of a crash
        (root / "incoming").mkdir()

    def incoming(self) -> Path:
        return self.root / "incoming" / uuid.uuid4().hex

    def place(self, tmp: Path, final: Path) -> None:
        """Move a completely written folder into place (replacing an older one)."""
        final.parent.mkdir(parents=True, exist_ok=True)
        old = None
        if final.exists():
            old = self.incoming()
            final.rename(old)
        tmp.rename(final)
        if old:
            shutil.rmtree(old, ignore_errors=True)

    # --- releases ------------------------------------------------------------------
    def release_dir(self, course: str, assignment: str) -> Path:
        return self.root / "releases" / course / assignment

    def released(self, courses: set[str]) -> list[dict]:
        rows = self.db.execute("SELECT * FROM releases ORDER BY course, assignment").fetchall()
        return [{"course_id": r["course"], "assignment_id": r["assignment"], "released_at": r["released_at"],
                 "notebooks": json.loads(r["notebooks"])} for r in rows if r["course"] in courses]

    def is_released(self, course: str, assignment: str) -> bool:
        return self.db.execute("SELECT 1 FROM releases WHERE course = ? AND assignment = ?",
                               (course, assignment)).fetchone() is not None

    def save_release(self, course: str, assignment: str, data: bytes, limits: Limits) -> list[str]:
        tmp = self.incoming()
        names = unpack(data, tmp, limits)
        self.place(tmp, self.release_dir(course, assignment))
        notebooks = sorted(Path(n).stem for n in names if n.endswith(".ipynb") and "/" not in n)
        self.db.execute("INSERT OR REPLACE INTO releases VALUES (?, ?, ?, ?)",
                        (course, assignment, now_timestamp(), json.dumps(notebooks)))
        return names

    def remove_release(self, course: str, assignment: str) -> None:
        self.db.execute("DELETE FROM releases WHERE course = ? AND assignment = ?", (course, assignment))
        shutil.rmtree(self.release_dir(course, assignment), ignore_errors=True)

    # --- submissions -----------------------------------------------------------------
    def save_submission(self, course: str, assignment: str, student: str, data: bytes, limits: Limits) -> dict:
        tmp = self.incoming()
        try:
            names = unpack(data, tmp, limits)
        except ArchiveError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        sub_id = uuid.uuid4().hex
        timestamp = now_timestamp()
        size = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
        notebooks = sorted(Path(n).stem for n in names if n.endswith(".ipynb") and "/" not in n)
        self.place(tmp, self.root / "submissions" / sub_id)
        self.db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (sub_id, course, assignment, student, timestamp, len(names), size,
                         hashlib.sha256(data).hexdigest(), json.dumps(notebooks)))
        return {"id": sub_id, "timestamp": timestamp, "files": len(names), "bytes": size, "notebooks": notebooks}

    def submissions(self, course: str | None, assignment: str | None, student: str | None,
                    courses: set[str]) -> list[dict]:
        query, args = "SELECT * FROM submissions WHERE 1 = 1", []
        for column, value in (("course", course), ("assignment", assignment), ("student", student)):
            if value:
                query += f" AND {column} = ?"
                args.append(value)
        rows = self.db.execute(query + " ORDER BY timestamp", args).fetchall()
        out = []
        for r in rows:
            if r["course"] not in courses:
                continue
            feedback = {f["notebook"]: f["sha256"] for f in
                        self.db.execute("SELECT notebook, sha256 FROM feedback WHERE submission = ?", (r["id"],))}
            out.append({"id": r["id"], "course_id": r["course"], "assignment_id": r["assignment"],
                        "student_id": r["student"], "timestamp": r["timestamp"], "files": r["files"],
                        "bytes": r["bytes"], "notebooks": json.loads(r["notebooks"]), "feedback": feedback})
        return out

    def submission(self, sub_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM submissions WHERE id = ?", (sub_id,)).fetchone()

    # --- feedback --------------------------------------------------------------------
    def save_feedback(self, sub_id: str, data: bytes, limits: Limits) -> list[str]:
        tmp = self.incoming()
        try:
            names = unpack(data, tmp, limits)
            bad = [n for n in names if not n.endswith(".html") or "/" in n]
            if bad:
                raise ArchiveError(f"feedback holds files other than top-level .html: {bad}",
                                   "La retroalimentación solo puede contener páginas .html.")
        except ArchiveError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.place(tmp, self.root / "feedback" / sub_id)
        self.db.execute("DELETE FROM feedback WHERE submission = ?", (sub_id,))
        for name in names:
            digest = hashlib.sha256((tmp.parent.parent / "feedback" / sub_id / name).read_bytes()).hexdigest()
            self.db.execute("INSERT INTO feedback VALUES (?, ?, ?, ?)", (sub_id, Path(name).stem, digest,
                                                                           now_timestamp()))
        return names


class Handler(AuthenticatedHandler):
    @property
    def store(self) -> Store:
        return self.settings["store"]

    @property
    def limits(self) -> Limits:
        return self.settings["limits"]

    def send_archive(self, data: bytes) -> None:
        self.set_header("Content-Type", "application/gzip")
        self.finish(data)

    def must_belong(self, course: str) -> None:
        self.known_course(course)
        if course not in self.identity.courses:
            raise Refused(404, "No encontramos esa evaluación en tus cursos.",
                          f"{self.identity.name} is not in course {course}")

    def unpacking(self, save, *args):
        try:
            return save(*args, self.request.body, self.limits)
        except ArchiveError as exc:
            log.warning("Refused an upload of %s to %s: %s", self.identity.name, self.request.path, exc)
            raise Refused(413 if "limit" in str(exc) else 400, exc.spanish, str(exc)) from None


class AssignmentsHandler(Handler):
    def get(self):
        self.reply({"assignments": self.store.released(self.identity.courses)})


class ReleaseHandler(Handler):
    def get(self, course, assignment):
        self.must_belong(course)
        if not self.store.is_released(course, assignment):
            raise Refused(404, "Esa evaluación todavía no está publicada.", f"{course}/{assignment} not released")
        self.send_archive(pack(self.store.release_dir(course, assignment)))

    def put(self, course, assignment):
        self.must_teach(course)
        names = self.unpacking(self.store.save_release, course, assignment)
        log.info("%s released %s/%s (%d files)", self.identity.name, course, assignment, len(names))
        self.reply({"course_id": course, "assignment_id": assignment, "files": names})

    def delete(self, course, assignment):
        self.must_teach(course)
        self.store.remove_release(course, assignment)
        log.info("%s withdrew %s/%s", self.identity.name, course, assignment)
        self.reply({"removed": True})


class SubmitHandler(Handler):
    def post(self, course, assignment):
        self.must_belong(course)
        if course not in self.identity.student_of or self.identity.kind != "user":
            raise Refused(403, "Solo quienes estudian el curso entregan evaluaciones.",
                          f"{self.identity.name} is not a student of {course}")
        if not self.store.is_released(course, assignment):
            raise Refused(404, "Esa evaluación no está publicada; no se puede entregar.",
                          f"{course}/{assignment} not released")
        saved = self.unpacking(self.store.save_submission, course, assignment, self.identity.name)
        log.info("Submission %s of %s for %s/%s at %s (%d files, %d bytes)", saved["id"], self.identity.name,
                 course, assignment, saved["timestamp"], saved["files"], saved["bytes"])
        self.reply({**saved, "student_id": self.identity.name}, status=201)


class SubmissionsHandler(Handler):
    def get(self):
        course = self.get_argument("course_id", None)
        assignment = self.get_argument("assignment_id", None)
        me = self.identity
        # Instructors see every submission of the courses they teach; anybody else only their own.
        if course and course in me.teacher_of:
            rows = self.store.submissions(course, assignment, None, me.teacher_of)
        else:
            rows = self.store.submissions(course, assignment, me.name, me.student_of)
        self.reply({"submissions": rows})


class SubmissionFilesHandler(Handler):
    def get(self, sub_id):
        row = self.store.submission(sub_id)
        if row is None:
            raise Refused(404, "Esa entrega no existe.", f"no submission {sub_id}")
        self.must_teach(row["course"])
        self.send_archive(pack(self.store.root / "submissions" / sub_id))


class FeedbackHandler(Handler):
    def row(self, sub_id) -> sqlite3.Row:
        row = self.store.submission(sub_id)
        if row is None:
            raise Refused(404, "Esa entrega no existe.", f"no submission {sub_id}")
        return row

    def get(self, sub_id):
        row = self.row(sub_id)
        mine = self.identity.kind == "user" and row["student"] == self.identity.name
        if not mine and row["course"] not in self.identity.teacher_of:
            raise Refused(404, "Esa entrega no existe.", f"{self.identity.name} may not read feedback of {sub_id}")
        folder = self.store.root / "feedback" / sub_id
        if not folder.is_dir():
            raise Refused(404, "Todavía no hay retroalimentación de esa entrega.", f"no feedback for {sub_id}")
        self.send_archive(pack(folder))

    def put(self, sub_id):
        row = self.row(sub_id)
        self.must_teach(row["course"])
        names = self.unpacking(self.store.save_feedback, sub_id)
        log.info("%s returned feedback for %s (%s/%s of %s)", self.identity.name, sub_id, row["course"],
                 row["assignment"], row["student"])
        self.reply({"id": sub_id, "files": names})


ROUTES = [
    (r"/api/assignments", AssignmentsHandler),
    (rf"/api/release/({ID})/({ID})", ReleaseHandler),
    (rf"/api/submit/({ID})/({ID})", SubmitHandler),
    (r"/api/submissions", SubmissionsHandler),
    (r"/api/submission/([0-9a-f]{32})", SubmissionFilesHandler),
    (r"/api/feedback/([0-9a-f]{32})", FeedbackHandler),
]


def main() -> None:
    limits = Limits(max_bytes=int(os.environ.get("PASAPORTE_SUBMISSION_MAX_BYTES", Limits.max_bytes)),
                    max_files=int(os.environ.get("PASAPORTE_SUBMISSION_MAX_FILES", Limits.max_files)))
    store = Store(Path(os.environ["PASAPORTE_EXCHANGE_ROOT"]))
    # The body limit sits a little above the unpacked one: archives are compressed.
    serve("exchange", ROUTES, limits.max_bytes + 1024 * 1024, store=store, limits=limits)


if __name__ == "__main__":
    sys.exit(main())
