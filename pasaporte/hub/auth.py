"""Local accounts for a school server: NativeAuthenticator with the roster as the only
source of accounts (no sign-up), bcrypt-hashed passwords, lock-out after repeated
failures, admin password reset, and Spanish messages."""
from __future__ import annotations

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import (
    ChangePasswordAdminHandler,
    ChangePasswordHandler,
    LoginHandler as NativeLoginHandler,
)
from jupyterhub.handlers.login import LogoutHandler
from nativeauthenticator.orm import UserInfo
from traitlets import Dict

MSG_BAD_LOGIN = "Usuario o contraseña incorrectos. Revisa tus datos e inténtalo de nuevo."
MSG_LOCKED = (
    "Demasiados intentos fallidos con esta cuenta. Por seguridad se bloqueó durante {minutes} minutos. "
    "Si olvidaste tu contraseña, pide a tu docente o a la coordinación que la restablezca."
)
MSG_INACTIVE = "Esta cuenta está desactivada. Consulta a la coordinación de tu plantel."


class SpanishLoginHandler(NativeLoginHandler):
    async def post(self):
        username = self.authenticator.normalize_username(self.get_body_argument("username", ""))
        info = self.authenticator.get_user(username)
        if self.authenticator.is_blocked(username):
            minutes = max(1, self.authenticator.seconds_before_next_try // 60)
            self.log.warning("Login refused for %s: locked after repeated failures", username)
            self.set_status(429)
            return self.finish(await self._render(login_error=MSG_LOCKED.format(minutes=minutes), username=username))
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            return self.redirect(self.get_next_url(user))
        if info is not None and not info.is_authorized:
            error = MSG_INACTIVE
        elif self.authenticator.is_blocked(username):
            minutes = max(1, self.authenticator.seconds_before_next_try // 60)
            error = MSG_LOCKED.format(minutes=minutes)
        else:
            error = MSG_BAD_LOGIN
        self.set_status(403)
        self.finish(await self._render(login_error=error, username=username))


class SpanishLogoutHandler(LogoutHandler):
    """Say goodbye in Spanish (classrooms share PCs: remind to close the browser)."""

    async def render_logout_page(self):
        self.finish(await self.render_template("logout.html"))


class PasaporteAuthenticator(NativeAuthenticator):
    """Accounts come only from the roster (`roster_accounts`); nobody can sign up."""

    roster_accounts = Dict(
        help="username -> initial password for every roster account. Accounts missing from the "
        "authenticator's table are created with a bcrypt hash of it; existing passwords are kept. "
        "Accounts no longer in the roster are deactivated, never deleted.",
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sync_roster_accounts()

    def sync_roster_accounts(self) -> None:
        created = deactivated = 0
        for username, password in self.roster_accounts.items():
            info = UserInfo.find(self.db, username)
            if info is None:
                hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
                self.db.add(UserInfo(username=username, password=hashed, is_authorized=True))
                created += 1
            elif not info.is_authorized:
                info.is_authorized = True
        for info in UserInfo.all_users(self.db):
            if info.username not in self.roster_accounts and info.is_authorized:
                info.is_authorized = False
                deactivated += 1
        self.db.commit()
        self.log.info(
            "Roster accounts: %d in roster, %d created, %d deactivated", len(self.roster_accounts), created, deactivated
        )

    def get_handlers(self, app):
        # Only what a roster-based portal needs: no sign-up, no self-approval.
        return [
            (r"/login", SpanishLoginHandler),
            (r"/logout", SpanishLogoutHandler),
            (r"/change-password", ChangePasswordHandler),
            (r"/change-password/([^/]+)", ChangePasswordAdminHandler),
        ]
