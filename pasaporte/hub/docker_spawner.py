"""The `docker` profile's spawner: one container per user from the single-user image.

DockerSpawner does the work. What this adds:
- host networking: the server listens on 127.0.0.1 at a port chosen here, so no container
  needs a bridge network (and none sends traffic to any other address);
- the user's lessons are named to the container, which copies them into its home volume;
- the reason a container died (above all, out of memory) is kept and told in Spanish;
- start failures reach the student as a Spanish message, the cause goes to the log.
"""
from __future__ import annotations

import json

from dockerspawner import DockerSpawner
from jupyterhub.utils import random_port
from traitlets import Dict, Unicode

from ..homes import LESSONS_ENV, lessons_for

CONTAINER_COURSES = "/srv/pasaporte/courses"
CONTAINER_HOME = "/home/pasaporte"

MESSAGES = {
    "oom": "Tu espacio de trabajo se detuvo porque usó más memoria de la permitida. "
           "Vuelve a iniciarlo; si pasa de nuevo, reinicia el kernel o usa datos más pequeños.",
    "exited": "Tu espacio de trabajo se detuvo inesperadamente. Vuelve a iniciarlo; tus archivos están a salvo.",
    "start": "No pudimos iniciar tu espacio de trabajo. Intenta de nuevo en un momento; "
             "si el problema sigue, avisa a tu docente.",
}


class SpawnFailed(RuntimeError):
    """A start failure with a Spanish message for the person (JupyterHub shows `jupyterhub_message`)."""

    def __init__(self, cause: str):
        super().__init__(cause)
        self.jupyterhub_message = MESSAGES["start"]


class PasaporteDockerSpawner(DockerSpawner):
    lesson_files = Dict(
        help="course id -> {relative path in home: source file on the host}; the container copies "
             "the lessons of the user's courses into its home"
    ).tag(config=True)
    courses_dir = Unicode(help="The host folder with every course, mounted read-only").tag(config=True)
    # Why the last container of this user stopped ("oom", "exited"), kept in the hub's database.
    last_exit = Unicode("")

    def load_state(self, state):
        super().load_state(state)
        self.last_exit = state.get("last_exit", "")

    def get_state(self):
        state = super().get_state()
        if self.last_exit:
            state["last_exit"] = self.last_exit
        return state

    def clear_state(self):
        last_exit = self.last_exit
        super().clear_state()
        self.last_exit = last_exit  # survives the stop, so the next page can say why

    @property
    def exit_message(self) -> str:
        return MESSAGES.get(self.last_exit, "")

    def get_env(self):
        env = super().get_env()
        files = lessons_for([g.name for g in self.user.groups], self.lesson_files)
        env[LESSONS_ENV] = json.dumps({rel: self.container_path(src) for rel, src in files.items()},
                                      ensure_ascii=False)
        return env

    def container_path(self, host_path: str) -> str:
        prefix = self.courses_dir.rstrip("/") + "/"
        if not host_path.startswith(prefix):
            raise ValueError(f"{host_path} is not under {self.courses_dir}")
        return CONTAINER_COURSES + "/" + host_path[len(prefix):]

    async def start(self):
        # Host networking: the server binds loopback on a port of ours (no port bindings exist).
        self.port = random_port()
        self.last_exit = ""
        try:
            return await super().start()
        except Exception as exc:
            if getattr(exc, "status_code", None) == 400:  # a refused image: DockerSpawner's own message
                raise
            self.log.error("Container for %s did not start: %s", self.user.name, exc)
            raise SpawnFailed(str(exc)) from exc

    async def get_ip_and_port(self):
        return "127.0.0.1", self.port

    async def poll(self):
        container = await self.get_object()
        if not container:
            return 0
        state = container["State"]
        if state["Running"]:
            return None
        self.last_exit = "oom" if state.get("OOMKilled") else "exited"
        self.log.warning("Container %s of %s stopped: exit %s, OOMKilled=%s", self.object_name, self.user.name,
                         state.get("ExitCode"), state.get("OOMKilled"))
        # Containers are kept after exit only so that we can read why; remove it now.
        await self.remove_object()
        self.object_id = ""
        return state.get("ExitCode") or 1
