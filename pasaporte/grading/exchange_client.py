"""nbgrader's exchange, spoken to the exchange service (pasaporte.grading.exchange_service).

nbgrader's exchange is pluggable (`ExchangeFactory`): these classes take the place of the
shared-folder ones in every user server and grader process. They authenticate with the
process's hub token (JUPYTERHUB_API_TOKEN), so no option, student id or environment variable
changes who submits: the service decides that from the token. Messages are Spanish, because
the person who sees them (in the assignment list) is a student or a teacher.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import requests
from nbgrader.exchange import abc
from traitlets import Unicode, default

from .archive import ArchiveError, Limits, pack, unpack

# What a download may unpack to (releases and feedback are the course's own, but still bounded).
DOWNLOAD_LIMITS = Limits(max_bytes=200 * 1024 * 1024, max_files=2000)


class ServiceExchange(abc.Exchange):
    url = Unicode(help="Base URL of the exchange service (…/services/exchange/)").tag(config=True)
    token = Unicode(help="Hub token of this process").tag(config=True)

    @default("url")
    def _url_default(self):
        return os.environ.get("PASAPORTE_EXCHANGE_URL", "")

    @default("token")
    def _token_default(self):
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        if not self.url or not self.token:
            self.fail("El servicio de evaluaciones no está configurado en este espacio "
                      "(faltan PASAPORTE_EXCHANGE_URL o JUPYTERHUB_API_TOKEN).")
        headers = {**kwargs.pop("headers", {}), "Authorization": f"token {self.token}"}
        try:
            r = requests.request(method, self.url.rstrip("/") + "/api/" + path, timeout=120, headers=headers, **kwargs)
        except requests.RequestException as exc:
            self.log.error("exchange unreachable: %s", exc)
            self.fail("No pudimos comunicarnos con el servicio de evaluaciones; intenta de nuevo en un momento.")
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = {}
            self.log.error("exchange %s %s: HTTP %s %s", method, path, r.status_code, body.get("reason", r.text[:200]))
            self.fail(body.get("message") or f"El servicio de evaluaciones respondió con un error ({r.status_code}).")
        return r

    def course_and_assignment(self) -> tuple[str, str]:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        if not course:
            self.fail("Falta el curso (--course).")
        if not assignment or "*" in assignment:
            self.fail("Falta la evaluación.")
        return course, assignment

    def local_dir(self, course: str, assignment: str) -> Path:
        return Path(self.assignment_dir) / course / assignment

    def download_into(self, path: str, dest: Path, only_missing: bool = False) -> list[str]:
        data = self.api("GET", path).content
        with tempfile.TemporaryDirectory(dir=dest.parent if dest.parent.exists() else None) as tmp:
            unpacked = Path(tmp) / "x"
            try:
                names = unpack(data, unpacked, DOWNLOAD_LIMITS)
            except ArchiveError as exc:
                self.fail(exc.spanish)
            for name in names:
                target = dest / name
                if only_missing and target.exists():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(unpacked / name), target)
        return names

    # nbgrader's Exchange.start() calls these three; each class does its work in copy_files.
    def init_src(self):
        pass

    def init_dest(self):
        pass


class ExchangeFetchAssignment(ServiceExchange, abc.ExchangeFetchAssignment):
    def copy_files(self):
        course, assignment = self.course_and_assignment()
        dest = self.local_dir(course, assignment)
        fetched = dest.is_dir() and any(dest.iterdir())  # an empty folder is a fetch that failed
        if fetched and not self.replace_missing_files:
            self.fail(f"Ya descargaste «{assignment}»: está en la carpeta {course}/{assignment}.")
        created = not dest.exists()
        dest.mkdir(parents=True, exist_ok=True)
        try:
            self.download_into(f"release/{course}/{assignment}", dest, only_missing=True)
        except BaseException:
            if created:  # leave nothing behind that would look like a fetched evaluation
                shutil.rmtree(dest, ignore_errors=True)
            raise
        self.log.info("Fetched as: %s %s", course, assignment)


class ExchangeSubmit(ServiceExchange, abc.ExchangeSubmit):
    def copy_files(self):
        course, assignment = self.course_and_assignment()
        src = self.local_dir(course, assignment)
        if not src.is_dir():
            self.fail(f"No encontramos la carpeta {course}/{assignment}: descarga la evaluación antes de entregarla.")
        released = {a["assignment_id"]: a for a in self.api("GET", "assignments").json()["assignments"]
                    if a["course_id"] == course}
        if assignment not in released:
            self.fail("Esa evaluación no está publicada; no se puede entregar.")
        missing = [nb for nb in released[assignment]["notebooks"] if not (src / f"{nb}.ipynb").exists()]
        if missing:
            names = ", ".join(f"{nb}.ipynb" for nb in missing)
            if self.strict:
                self.fail(f"Faltan cuadernos de la evaluación: {names}. No se entregó nada.")
            self.log.warning("Faltan cuadernos de la evaluación: %s", names)
        try:
            data = pack(src)
        except OSError as exc:
            self.fail(f"No pudimos leer tu carpeta de la evaluación: {exc.strerror}")
        receipt = self.api("POST", f"submit/{course}/{assignment}", data=data,
                           headers={"Content-Type": "application/gzip"}).json()
        self.timestamp = receipt["timestamp"]
        self.log.info("Submitted as: %s %s %s", course, assignment, receipt["timestamp"])


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


class ExchangeList(ServiceExchange, abc.ExchangeList):
    """The shapes nbgrader's own list returns (the assignment list panel reads them)."""

    def copy_files(self):
        pass

    def start(self):
        if self.inbound and self.cached:
            self.fail("Options --inbound and --cached are incompatible.")
        if self.remove:
            return self.remove_files()
        return self.list_files()

    def wanted(self, item: dict) -> bool:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        return (not course or item["course_id"] == course) and \
            (not assignment or assignment == "*" or item["assignment_id"] == assignment)

    def list_files(self):
        if self.inbound or self.cached:
            return self.list_submissions()
        out = []
        for item in self.api("GET", "assignments").json()["assignments"]:
            if not self.wanted(item):
                continue
            local = self.local_dir(item["course_id"], item["assignment_id"])
            fetched = local.is_dir()
            path = str(local.resolve()) if fetched else str(local)
            out.append({"course_id": item["course_id"], "assignment_id": item["assignment_id"],
                        "status": "fetched" if fetched else "released", "path": path,
                        "notebooks": [{"notebook_id": nb, "path": os.path.join(path, f"{nb}.ipynb")}
                                      for nb in item["notebooks"]]})
            self.log.info("%s %s%s", item["course_id"], item["assignment_id"], " (already downloaded)" if fetched else "")
        return out

    def list_submissions(self):
        params = {k: v for k, v in (("course_id", self.coursedir.course_id),
                                    ("assignment_id", self.coursedir.assignment_id)) if v and v != "*"}
        groups: dict[tuple, list] = {}
        for sub in self.api("GET", "submissions", params=params).json()["submissions"]:
            local = self.local_dir(sub["course_id"], sub["assignment_id"])
            feedback_dir = local / "feedback" / sub["timestamp"]
            info = {**{k: sub[k] for k in ("course_id", "student_id", "assignment_id", "timestamp")},
                    "status": "submitted", "path": str(local), "notebooks": []}
            for nb in sub["notebooks"]:
                local_html = feedback_dir / f"{nb}.html"
                local_sum, remote_sum = _sha256(local_html), sub["feedback"].get(nb)
                info["notebooks"].append({
                    "notebook_id": nb, "path": str(local / f"{nb}.ipynb"),
                    "has_local_feedback": local_sum is not None, "has_exchange_feedback": remote_sum is not None,
                    "local_feedback_path": str(local_html) if local_sum else None,
                    "feedback_updated": bool(local_sum and remote_sum and local_sum != remote_sum)})
            nbs = info["notebooks"]
            info["has_local_feedback"] = bool(nbs) and all(n["has_local_feedback"] for n in nbs)
            info["has_exchange_feedback"] = bool(nbs) and all(n["has_exchange_feedback"] for n in nbs)
            info["feedback_updated"] = any(n["feedback_updated"] for n in nbs)
            info["local_feedback_path"] = str(feedback_dir.resolve()) if info["has_local_feedback"] else None
            groups.setdefault((sub["course_id"], sub["student_id"], sub["assignment_id"]), []).append(info)
        return [{"course_id": c, "student_id": s, "assignment_id": a, "status": "submitted",
                 "submissions": sorted(subs, key=lambda x: x["timestamp"])}
                for (c, s, a), subs in sorted(groups.items())]

    def remove_files(self):
        course, assignment = self.course_and_assignment()
        self.api("DELETE", f"release/{course}/{assignment}")
        return [{"course_id": course, "assignment_id": assignment, "status": "removed"}]


class ExchangeFetchFeedback(ServiceExchange, abc.ExchangeFetchFeedback):
    def copy_files(self):
        course, assignment = self.course_and_assignment()
        subs = self.api("GET", "submissions", params={"course_id": course, "assignment_id": assignment}).json()
        found = 0
        for sub in subs["submissions"]:
            if not sub["feedback"]:
                continue
            dest = self.local_dir(course, assignment) / "feedback" / sub["timestamp"]
            dest.mkdir(parents=True, exist_ok=True)
            self.download_into(f"feedback/{sub['id']}", dest)
            found += 1
        self.log.info("Fetched feedback of %d submission(s) of %s %s", found, course, assignment)


class ExchangeReleaseAssignment(ServiceExchange, abc.ExchangeReleaseAssignment):
    def copy_files(self):
        course, assignment = self.course_and_assignment()
        src = Path(self.coursedir.format_path(self.coursedir.release_directory, ".", assignment))
        if not src.is_dir():
            self.fail(f"Release folder {src} does not exist; run generate_assignment first.")
        self.api("PUT", f"release/{course}/{assignment}", data=pack(src), headers={"Content-Type": "application/gzip"})
        self.log.info("Released as: %s %s", course, assignment)


class ExchangeCollect(ServiceExchange, abc.ExchangeCollect):
    """The latest submission of every student; with `update`, newer ones replace older copies."""

    def copy_files(self):
        course, assignment = self.course_and_assignment()
        subs = self.api("GET", "submissions", params={"course_id": course, "assignment_id": assignment}).json()
        latest: dict[str, dict] = {}
        for sub in subs["submissions"]:  # sorted by timestamp: the last one wins
            if self.coursedir.student_id in ("*", "", sub["student_id"]):
                latest[sub["student_id"]] = sub
        for student, sub in sorted(latest.items()):
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment))
            stamp = dest / "timestamp.txt"
            if dest.exists():
                old = stamp.read_text().strip() if stamp.exists() else ""
                if not self.update or old >= sub["timestamp"]:
                    self.log.info("Skipping %s %s: already collected", student, assignment)
                    continue
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            self.download_into(f"submission/{sub['id']}", dest)
            (dest / "timestamp.txt").write_text(sub["timestamp"])  # the service's clock, not the student's
            (dest / "submission_id.txt").write_text(sub["id"])
            self.log.info("Collected submission from %s: %s", student, sub["timestamp"])


class ExchangeReleaseFeedback(ServiceExchange, abc.ExchangeReleaseFeedback):
    def copy_files(self):
        course, assignment = self.course_and_assignment()
        student = self.coursedir.student_id if self.coursedir.student_id not in ("", "*") else "*"
        released = 0
        for html_dir in sorted(Path(self.coursedir.root).glob(f"{self.coursedir.feedback_directory}/{student}/{assignment}")):
            student_id = html_dir.parent.name
            sub_id_file = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student_id,
                                                          assignment)) / "submission_id.txt"
            if not sub_id_file.exists():
                self.log.warning("No collected submission of %s for %s: its feedback stays here", student_id, assignment)
                continue
            self.api("PUT", f"feedback/{sub_id_file.read_text().strip()}", data=pack(html_dir, suffix=".html"),
                     headers={"Content-Type": "application/gzip"})
            released += 1
            self.log.info("Feedback released for %s %s", student_id, assignment)
        self.log.info("Released feedback of %d student(s)", released)


def use_service_exchange(c) -> None:
    """Point nbgrader's ExchangeFactory at these classes (in a Jupyter/nbgrader config)."""
    for step, cls in (("exchange", ServiceExchange), ("fetch_assignment", ExchangeFetchAssignment),
                      ("fetch_feedback", ExchangeFetchFeedback), ("release_assignment", ExchangeReleaseAssignment),
                      ("release_feedback", ExchangeReleaseFeedback), ("list", ExchangeList),
                      ("submit", ExchangeSubmit), ("collect", ExchangeCollect)):
        setattr(c.ExchangeFactory, step, f"{__name__}.{cls.__name__}")
