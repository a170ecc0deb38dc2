"""Spanish for the messages that JupyterHub and NativeAuthenticator produce in English.

Templates call `es(text)`; an unknown message is shown as is rather than hidden.
"""
from __future__ import annotations

import re

_EXACT = {
    "Your password has been changed successfully!": "Tu contraseña se cambió correctamente.",
    "Your current password was incorrect. Please try again.": "Tu contraseña actual no es correcta. Inténtalo de nuevo.",
    "Not Found": "No encontrado",
    "Forbidden": "Acceso denegado",
    "Unauthorized": "No autorizado",
    "Bad Request": "Solicitud incorrecta",
    "Internal Server Error": "Error interno del servidor",
    "Service Unavailable": "Servicio no disponible",
    "Too Many Requests": "Demasiadas solicitudes",
    "Bad Gateway": "Error de comunicación con el servidor",
}
_PATTERNS = [
    (re.compile(r"^The password for (.+) has been changed successfully"), r"La contraseña de \1 se cambió correctamente."),
    (re.compile(r"^Your new password didn't match the confirmation"), "La confirmación no coincide con la nueva contraseña."),
    (re.compile(r"^The new password didn't match the confirmation"), "La confirmación no coincide con la nueva contraseña."),
    (re.compile(r"^Something went wrong"),
     "No se pudo cambiar la contraseña. Revisa que el usuario exista y que la nueva contraseña tenga al menos "
     "8 caracteres y no sea demasiado común."),
]


def spanish(text: str | None) -> str:
    if not text:
        return ""
    text = str(text)
    if text in _EXACT:
        return _EXACT[text]
    for pattern, replacement in _PATTERNS:
        if pattern.search(text):
            return pattern.sub(replacement, text) if "\\1" in replacement else replacement
    return text


def stop_notice(user) -> str:
    """Why the user's stopped server last stopped, when it was not their doing (e.g. out of memory)."""
    spawner = getattr(user, "spawner", None) if user is not None else None
    if spawner is None or spawner.active:
        return ""
    return getattr(spawner, "exit_message", "")
