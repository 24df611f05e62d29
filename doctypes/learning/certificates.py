"""Certificates: issued for a completed course (an enrolment certified) or content module,
as a record with a verification code and a PDF carrying that code and a QR code that
points at ``/verify/<code>``.

``/verify/<code>`` is public and shows only the officer's name, what was completed, the
date and whether the certificate is valid or revoked: nothing else about the officer.
Revocation (a document action, with a reason) keeps the certificate, makes it verify as
revoked and moves the passbook entries it gave to Revoked, so they stop counting.
"""

from __future__ import annotations

import io
import secrets

from flask import abort, jsonify, render_template_string, request

from app.model import lifecycle, persistence, workflow

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
DEFAULT_ISSUER = "Department of Personnel and Training, Government of India"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def verify_url(site, code: str) -> str:
    return f"{site.config.public_url}/verify/{code}"


def issue(
    ctx,
    *,
    officer: str,
    title: str,
    issued_on,
    issuer: str | None = None,
    course: str | None = None,
    content_module: str | None = None,
    enrolment: str | None = None,
):
    """Issue a certificate (as the platform) and its PDF; returns the Certificate. Issuing
    again for the same enrolment, or the same officer and module, returns the first one,
    also when several requests issue it at once (its ``issue_key`` is unique)."""
    from app.errors import DuplicateEntry, ValidationError

    system = ctx.as_system()
    key = f"enrolment:{enrolment}" if enrolment else f"module:{officer}:{content_module}"
    existing = ctx.site.unguarded("certificate").find_one({"issue_key": key}, {"_id": 1})
    if existing is None:
        try:
            doc = lifecycle.insert(
                system,
                "Certificate",
                {
                    "officer": officer,
                    "title": title,
                    "issued_on": str(issued_on),
                    "issuer": issuer or DEFAULT_ISSUER,
                    "course": course,
                    "content_module": content_module,
                    "enrolment": enrolment,
                    "issue_key": key,
                },
            )
            return lifecycle.get(system, "Certificate", doc.name)
        except (DuplicateEntry, ValidationError) as exc:  # refused by the unique check or the index
            if "issue_key" not in exc.errors:
                raise
            existing = ctx.site.unguarded("certificate").find_one({"issue_key": key}, {"_id": 1})  # another request issued it
    return lifecycle.get(system, "Certificate", existing["_id"])


def queue_pdf(ctx, name: str) -> None:
    """The PDF is drawn by a background job (thousands are issued when a course closes); the
    certificate is valid, and verifies, from its issue."""
    from app import jobs

    jobs.submit(ctx.as_system(), "certificates", {"certificates": [name]}, label=f"Certificate PDF {name}")


def attach_pdf(ctx, name: str):
    """(Re)generate a certificate's PDF and keep it in GridFS."""
    system = ctx.as_system()
    doc = lifecycle.get(system, "Certificate", name)
    data = doc.as_dict()
    from app import files

    file_id = files.put(system, render_pdf(ctx.site, data), f"{data['code']}.pdf", content_type="application/pdf", kind="pdf")
    return lifecycle.move(system, doc.meta, data, {"pdf": file_id})


def render_pdf(site, cert: dict) -> bytes:
    """The certificate as an A4 landscape PDF with its verification code and QR code."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(out, pagesize=(width, height))
    c.setTitle(f"Certificate {cert['code']}")
    c.setAuthor(cert.get("issuer") or DEFAULT_ISSUER)
    navy = HexColor("#1f3a5f")
    c.setStrokeColor(navy)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setFillColor(navy)
    c.setFont("Helvetica-Bold", 30)
    c.drawCentredString(width / 2, height - 45 * mm, "Certificate of Completion")
    c.setFont("Helvetica", 14)
    c.drawCentredString(width / 2, height - 62 * mm, "This is to certify that")
    c.setFont("Helvetica-Bold", 24)
    c.drawCentredString(width / 2, height - 78 * mm, cert.get("officer_name") or "")
    c.setFont("Helvetica", 14)
    c.drawCentredString(width / 2, height - 93 * mm, "has successfully completed")
    c.setFont("Helvetica-Bold", 18)
    c.drawCentredString(width / 2, height - 107 * mm, cert.get("title") or "")
    c.setFont("Helvetica", 13)
    c.drawCentredString(width / 2, height - 121 * mm, f"on {_date_text(cert.get('issued_on'))}")
    c.drawCentredString(width / 2, height - 140 * mm, f"Issued by {cert.get('issuer') or DEFAULT_ISSUER}")
    url = verify_url(site, cert["code"])
    qr = QrCodeWidget(url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 38 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, width - 22 * mm - size, 20 * mm)
    c.setFont("Helvetica", 10)
    c.drawString(24 * mm, 30 * mm, f"Verification code: {cert['code']}")
    c.drawString(24 * mm, 24 * mm, f"Verify at {url}")
    c.showPage()
    c.save()
    return out.getvalue()


def _date_text(value) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d %B %Y")
    except ValueError:
        return str(value or "")


def revoke(ctx, doc, reason: str):
    """Revoke ``doc`` (a Certificate the caller may change) with ``reason``; its passbook
    entries move to Revoked and the officer's levels and gaps are recomputed."""
    from doctypes.frac import frac

    data = doc.as_dict()
    if data.get("status") == "Revoked":
        from app.errors import ValidationError

        raise ValidationError.for_fields(
            "Certificate", doc.name, {"status": [f"was already revoked on {data.get('revoked_on')}."]}
        )
    result = lifecycle.move(
        ctx,
        doc.meta,
        data,
        {
            "status": "Revoked",
            "revoked_on": ctx.now().date().isoformat(),
            "revoked_by": ctx.user,
            "revocation_reason": reason.strip(),
            # the key is freed, so that the officer may earn the certificate again
            "issue_key": f"{data.get('issue_key') or ''}|revoked:{doc.name}",
        },
    )
    system = ctx.as_system()
    meta = system.registry.get("Passbook Entry")
    for entry in ctx.site.unguarded("passbook_entry").find({"certificate": doc.name, "workflow_state": frac.VERIFIED}):
        lifecycle.move(system, meta, persistence.from_db(entry), {"workflow_state": "Revoked"})
        workflow.log(
            system,
            meta,
            entry["_id"],
            "Revoke",
            frac.VERIFIED,
            "Revoked",
            f"certificate {doc.name} revoked: {reason.strip()}",
            mdos=[entry.get("mdo")] if entry.get("mdo") else [],
        )
    frac.refresh_officer_all(system, data["officer"])
    _tell_revoked(ctx, data, reason.strip())
    return result


def _tell_revoked(ctx, data: dict, reason: str) -> None:
    """The officer hears that their certificate was revoked, why, and that a module can be
    taken again (its page opens from the notification), in their language."""
    from app import notifications
    from app.i18n import N_, words

    officer = ctx.site.unguarded("officer").find_one({"_id": data["officer"]}, {"email": 1}) or {}
    if not officer.get("email"):
        return
    module = data.get("content_module")
    public = ctx.site.config.public_url
    notifications.notify(
        ctx.site,
        officer["email"],
        "Certificate",
        words(N_("Your certificate for %(title)s was revoked"), title=data.get("title") or data["name"]),
        message=words(N_("Reason: %(reason)s. You may take the module again to earn a new certificate."), reason=reason)
        if module
        else words(N_("Reason: %(reason)s."), reason=reason),
        doctype="Certificate",
        name=data["name"],
        link=f"{public}/catalogue/{module}" if module else f"{public}/certificates",
        reason=words(N_("You get this mail because a certificate of yours was revoked.")),
        event=f"revoked:{data['name']}",
    )


def complete_module(ctx, officer: str, module_name: str):
    """The officer completed a published module: its competencies enter the passbook and a
    certificate is issued, once per module (a repeat returns the first certificate). Every
    step is keyed (the certificate's ``issue_key``, each entry's), so the completion's
    follow-up calls this again after a crash and only what is missing is made."""
    from app.errors import ValidationError
    from doctypes.frac import frac

    db = ctx.site.unguarded_db
    module = db["content_module"].find_one({"_id": module_name})
    if module is None or module.get("workflow_state") != "Published":
        raise ValidationError.for_fields(
            "Content Module", module_name, {"workflow_state": ["only published modules can be completed."]}
        )
    today = ctx.now().date()
    issuer = module.get("mdo")  # the providing MDO or institute
    cert = issue(
        ctx, officer=officer, title=module["title"], issued_on=today.isoformat(), issuer=issuer, content_module=module_name
    )
    frac.record_course_completion(
        ctx,
        officer,
        module_name,
        cert.name,
        [(c["competency"], c["level"]) for c in module.get("competencies") or []],
        today.isoformat(),
    )
    return cert


# the public verification page --------------------------------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Certificate verification</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#1f3a5f}
.valid{color:#176b2c}.revoked{color:#a61b1b}dt{font-weight:600;margin-top:.8em}dd{margin:0}</style></head><body>
<h1>Certificate verification</h1>
{% if cert %}<p id="status" class="{{ cert.status|lower }}"><strong>{{ 'This certificate is valid.' if cert.status == 'Valid' else 'This certificate has been revoked.' }}</strong></p>
<dl><dt>Name</dt><dd id="name">{{ cert.name }}</dd><dt>Completed</dt><dd id="course">{{ cert.course }}</dd>
<dt>Date</dt><dd id="date">{{ cert.date }}</dd><dt>Code</dt><dd>{{ code }}</dd></dl>
{% else %}<p id="status" class="revoked"><strong>No certificate has the code {{ code }}.</strong> Check the code as printed under the QR code.</p>{% endif %}
</body></html>"""


def public_view(db, code: str) -> dict | None:
    cert = db["certificate"].find_one(
        {"code": code.strip().upper()}, {"officer_name": 1, "title": 1, "issued_on": 1, "status": 1}
    )
    if cert is None:
        return None
    return {
        "name": cert.get("officer_name"),
        "course": cert.get("title"),
        "date": str(cert.get("issued_on"))[:10],
        "status": cert.get("status") or "Valid",
    }


def verify(code):
    """``/verify/<code>`` (public; ``?format=json``): a certificate's name, course, date and
    Valid or Revoked, nothing else."""
    from flask import current_app

    if len(code) > 40:
        abort(404)
    site = current_app.extensions["igot_site"]
    cert = public_view(site.unguarded_db, code)
    wants_json = request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json"
    if wants_json:
        if cert is None:
            return jsonify({"error": "NotFound", "message": f"no certificate has the code {code}"}), 404
        return jsonify({"data": cert})
    return render_template_string(PAGE, cert=cert, code=code), 200 if cert else 404
