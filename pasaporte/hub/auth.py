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
from jupyterhub import orm
from jupyterhub.handlers.login import LogoutHandler
from jupyterhub.utils import new_token
from nativeauthenticator.orm import UserInfo
from traitlets import Dict

MSG_BAD_LOGIN = "Usuario o contraseña incorrectos. Revisa tus datos e inténtalo de nuevo."
MSG_LOCKED = (
    "Demasiados intentos fallidos con esta cuenta. Por seguridad se bloqueó durante {minutes} minutos. "
    "Si olvidaste tu contraseña, pide a la administración del portal de tu plantel que la restablezca."
)
MSG_INACTIVE = "Esta cuenta está desactivada. Consulta a la coordinación de tu plantel."


def _hash(password: str) -> bytes:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt())


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
        if info is None:
            # Count failures for unknown names too, so lock-out does not reveal which accounts exist.
            self.authenticator.add_login_attempt(username)
        if info is not None and not info.is_authorized and info.is_valid_password(data.get("password", "")):
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
                self.db.add(UserInfo(username=username, password=_hash(password), is_authorized=True))
                created += 1
            elif not info.is_authorized:
                # Back on the roster: active again, with the password the accounts file now gives.
                info.is_authorized = True
                info.password = _hash(password)
        for info in UserInfo.all_users(self.db):
            if info.username not in self.roster_accounts and info.is_authorized:
                info.is_authorized = False
                deactivated += 1
        # Anyone off the roster loses open sessions, tokens and groups at once; their files stay.
        for user in self.db.query(orm.User).filter(orm.User.name.not_in(list(self.roster_accounts))):
            user.cookie_id = new_token()
            for token in list(user.api_tokens):
                self.db.delete(token)
            user.groups = []
        self.db.commit()
        self.log.info(
            "Roster accounts: %d in roster, %d created, %d deactivated", len(self.roster_accounts), created, deactivated
        )

    def change_password(self, username, new_password):
        changed = super().change_password(username, new_password)
        if changed:
            self.successful_login(username)  # a reset also lifts a lock-out
        return changed

    def get_handlers(self, app):
        # Only what a roster-based portal needs: no sign-up, no self-approval.
        return [
            (r"/login", SpanishLoginHandler),
            (r"/logout", SpanishLogoutHandler),
            (r"/change-password", ChangePasswordHandler),
            (r"/change-password/([^/]+)", ChangePasswordAdminHandler),
        ]
