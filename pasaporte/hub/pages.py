"""Hub pages of the portal beyond JupyterHub's own (served under /hub/)."""
from jupyterhub.handlers import BaseHandler
from tornado import web


class CatalogueHandler(BaseHandler):
    """/hub/catalogo: every course, grouped by subject and grade, with its description, objectives,
    lessons and evaluations. Teachers plan with it; the same descriptions feed their e-mail."""

    @web.authenticated
    async def get(self):
        self.finish(await self.render_template("catalogo.html"))


class VerifyCertificateHandler(BaseHandler):
    """/hub/verificar?codigo=…: public (no login). Anyone holding a teacher's certificate can check
    that its code was issued by this portal and what it certifies; a code never issued is refused."""

    def initialize(self, register):
        self.register = register

    async def get(self):
        typed = self.get_argument("codigo", "").strip()[:64]
        found = self.register.verify(typed) if typed else None
        if typed and found is None:
            self.set_status(404)
        self.finish(await self.render_template("verificar.html", codigo=typed, constancia=found))


class ManualHandler(BaseHandler):
    """/hub/manual and /hub/manual.pdf: the teachers' implementation manual, public so a school can
    read it before its accounts exist."""

    def initialize(self, content_dir, contacts):
        self.content_dir, self.contacts = content_dir, contacts

    async def get(self, pdf: str):
        from ..training.manual import manual_html, manual_pdf

        if pdf:
            self.set_header("Content-Type", "application/pdf")
            self.set_header("Content-Disposition", 'inline; filename="manual-pasaporte-docentes.pdf"')
            self.finish(manual_pdf(self.content_dir, self.contacts))
        else:
            self.finish(await self.render_template("manual.html", manual=manual_html(self.content_dir, self.contacts)))


def handlers(settings, people) -> list[tuple]:
    from ..training import certificate_register

    contacts = tuple((p.full_name, p.email) for p in people if p.role == "admin")
    return [(r"/catalogo", CatalogueHandler),
            (r"/verificar", VerifyCertificateHandler, {"register": certificate_register(settings)}),
            (r"/manual(\.pdf)?", ManualHandler, {"content_dir": settings.content_dir, "contacts": contacts})]
