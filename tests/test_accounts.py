"""Accounts come only from the roster; passwords are hashed; failures lock out; an admin
resets passwords from the portal; secrets are private; people get Spanish messages."""
import sqlite3
import stat

import pytest

from portal import Client


def login_page_error(response) -> str:
    html = response.content.decode("utf-8")
    assert 'id="login-error"' in html, html[:500]
    return html.split('id="login-error"', 1)[1].split("</div>", 1)[0]


def test_wrong_password_shows_spanish_error(portal):
    c = Client(portal)
    r = c.login("ana.garcia", "no-es-mi-contraseña", expect_ok=False)
    assert r.status_code == 403
    assert "Usuario o contraseña incorrectos" in login_page_error(r)


def test_unknown_user_gets_the_same_message(portal):
    r = Client(portal).login("nadie.aqui", "lo-que-sea-123", expect_ok=False)
    assert r.status_code == 403
    assert "Usuario o contraseña incorrectos" in login_page_error(r)


def test_no_sign_up_page(portal):
    c = Client(portal)
    r = c.s.get(c.url("/hub/signup"))
    assert r.status_code == 404
    assert "No encontramos esta página" in r.content.decode("utf-8")
    login_html = c.s.get(c.url("/hub/login")).content.decode("utf-8")
    assert "signup" not in login_html


@pytest.mark.parametrize("path", ["/hub/no-existe", "/no-existe/tampoco"])
def test_unknown_url_shows_spanish_404(portal, path):
    c = portal.client("diego.lopez")
    r = c.s.get(c.url(path))
    assert r.status_code == 404
    html = r.content.decode("utf-8")
    assert "No encontramos esta página" in html and '<html lang="es-MX">' in html


def test_repeated_failures_lock_the_account(portal):
    right = portal.accounts()["valeria.ramirez"]["password"]
    c = Client(portal)
    for _ in range(5):
        assert c.login("valeria.ramirez", "equivocada-1234", expect_ok=False).status_code == 403
    r = c.login("valeria.ramirez", right, expect_ok=False)
    assert r.status_code == 429
    assert "Demasiados intentos fallidos" in login_page_error(r)
    # other accounts are not affected
    portal.client("jose.pena")
    # an admin's reset lifts the lock
    assert portal.client("admin").reset_password("valeria.ramirez", "Desbloqueada-2026").status_code == 200
    Client(portal).login("valeria.ramirez", "Desbloqueada-2026")


def test_lock_out_does_not_reveal_which_accounts_exist(portal):
    c = Client(portal)
    for _ in range(5):
        assert c.login("nadie.existe", "lo-que-sea-123", expect_ok=False).status_code == 403
    r = c.login("nadie.existe", "lo-que-sea-123", expect_ok=False)
    assert r.status_code == 429 and "Demasiados intentos fallidos" in login_page_error(r)


def test_passwords_are_stored_hashed(portal):
    accounts = portal.accounts()
    db = sqlite3.connect(portal.state_dir / "jupyterhub.sqlite")
    rows = dict(db.execute("select username, password from users_info").fetchall())
    assert set(rows) == set(accounts)
    for username, row in accounts.items():
        stored = bytes(rows[username])
        assert stored.startswith(b"$2b$") and row["password"].encode() not in stored


def test_admin_resets_a_password_and_others_cannot(portal):
    teacher = portal.client("docente2")
    assert teacher.reset_password("luis.martinez", "Nueva-Clave-2026").status_code == 403
    admin = portal.client("admin")
    r = admin.s.get(admin.url("/hub/change-password/diego.lopez"))
    assert r.status_code == 200 and "Restablecer la contraseña de diego.lopez" in r.content.decode("utf-8")
    r = admin.reset_password("diego.lopez", "Nueva-Clave-2026")
    assert r.status_code == 200
    assert "La contraseña de diego.lopez se cambió correctamente" in r.content.decode("utf-8")
    old = portal.accounts()["diego.lopez"]["password"]
    assert Client(portal).login("diego.lopez", old, expect_ok=False).status_code == 403
    Client(portal).login("diego.lopez", "Nueva-Clave-2026")
    # a mismatched confirmation is refused in Spanish and changes nothing
    r = admin.reset_password("diego.lopez", "Otra-Clave-2026", confirmation="otra")
    assert "La confirmación no coincide" in r.content.decode("utf-8")
    Client(portal).login("diego.lopez", "Nueva-Clave-2026")


def test_demo_accounts_file(portal):
    path = portal.state_dir / "demo-accounts.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    accounts = portal.accounts()
    roles = [a["role"] for a in accounts.values()]
    assert roles.count("admin") == 1 and roles.count("coordinador") == 1 and roles.count("docente") == 2
    assert roles.count("estudiante") >= 6
    assert path.read_text(encoding="utf-8").splitlines()[0] == "username,password,role"
    assert len({a["password"] for a in accounts.values()}) == len(accounts)


def test_secrets_are_private_and_never_logged(portal):
    secrets_dir = portal.state_dir / "secrets"
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    files = list(secrets_dir.iterdir())
    assert {"cookie_secret", "crypt_key", "proxy_auth_token"} <= {f.name for f in files}
    log = portal.log_path.read_text(errors="replace")
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
        assert f.read_text().strip() not in log
    for account in portal.accounts().values():
        assert account["password"] not in log


def test_roles_and_groups_come_from_the_roster(portal):
    admin = portal.client("admin")
    users = {u["name"]: u for u in admin.hub_api("GET", "/users").json()}
    assert "estudiante" in users["ana.garcia"]["roles"] and not users["ana.garcia"]["admin"]
    assert "docente" in users["docente1"]["roles"]
    assert "coordinador" in users["coordinadora"]["roles"]
    assert users["admin"]["admin"]
    groups = {g["name"]: set(g["users"]) for g in admin.hub_api("GET", "/groups").json()}
    assert groups["nbgrader-mate1-funciones"] == {"ana.garcia", "luis.martinez", "sofia.nunez", "diego.lopez",
                                                  "valeria.ramirez", "jose.pena"}
    assert groups["formgrade-mate1-funciones"] == {"docente1", "coordinadora"}  # docente2 teaches the sciences
    assert groups["formgrade-quimica1-materia-estequiometria"] == {"docente2", "coordinadora"}
    assert groups["seccion-21ebh0001z-1a"] == {"docente1", "ana.garcia", "luis.martinez", "sofia.nunez"}


def test_logout_says_goodbye_in_spanish_and_ends_the_session(portal):
    c = portal.client("sofia.nunez")
    r = c.s.get(c.url("/hub/logout"))
    assert r.status_code == 200 and "Cerraste tu sesión" in r.content.decode("utf-8")
    r = c.s.get(c.url("/hub/home"))
    assert "/hub/login" in r.url  # back to the login form
