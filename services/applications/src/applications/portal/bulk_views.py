"""Upload a spreadsheet: many draft applications at once, from a CSV or XLSX file.

Two steps, as the API's bulk intake: the upload is a dry run whose report is a page (each
problem by row and column, nothing created); when every row is valid, "Create" makes every
draft, or none. The checked rows go to the page sealed (bulk_checked) and the commit checks
them again.
"""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from werkzeug.exceptions import RequestEntityTooLarge

from applications.portal import bulk_checked
from applications.portal.blueprint import actor, bp, now, organisation_id, platform
from applications.portal.errors import page
from applications.service_layer import bulk, bulk_uploads, spreadsheets
from shared.frontdoor import signed_in

MEGABYTES = bulk.MAX_BYTES // 1024 // 1024
TOO_LARGE = f"The selected file must be smaller than {MEGABYTES} MB."
WRONG_TYPE = "The selected file must be a CSV or XLSX file."
# The form around the file, and a sealed copy of the rows, need room the app's limit lacks.
UPLOAD_LIMIT = bulk.MAX_BYTES + 64 * 1024
COMMIT_LIMIT = 2 * bulk.MAX_BYTES
READERS = {".csv": bulk.read_csv, ".xlsx": spreadsheets.read_xlsx}


class UploadForm(FlaskForm):
    spreadsheet = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description=f"A CSV or XLSX file, smaller than {MEGABYTES} MB, "
        f"at most {bulk.MAX_ROWS} applicants.",
    )


@bp.before_app_request
def room_for_a_file() -> None:
    """Before the door's CSRF check reads the form: the upload and the commit may be larger
    than the app's limit allows any other request."""
    limit = {"portal.bulk_upload": UPLOAD_LIMIT, "portal.bulk_commit": COMMIT_LIMIT}.get(
        request.endpoint or ""
    )
    if limit and request.method == "POST":
        request.max_content_length = limit
        request.max_form_memory_size = limit


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    """A file over the limit is a field error on the upload page (elsewhere, the error page)."""
    if request.endpoint != "portal.bulk_upload":
        return page(413)
    form = UploadForm(formdata=None)
    form.spreadsheet.errors = [TOO_LARGE]
    return _upload_page(form, 413)


@bp.route("/upload", methods=["GET", "POST"])
def bulk_upload():
    form = UploadForm()
    if request.method == "GET":
        return _upload_page(form)
    upload = form.spreadsheet.data
    filename = (getattr(upload, "filename", None) or "").strip()
    if not filename:
        form.spreadsheet.errors = ["Select a CSV or XLSX file."]
        return _upload_page(form, 422)
    extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
    if extension not in READERS:
        form.spreadsheet.errors = [WRONG_TYPE]
        return _upload_page(form, 422)
    content = upload.read(bulk.MAX_BYTES + 1)
    if len(content) > bulk.MAX_BYTES:
        form.spreadsheet.errors = [TOO_LARGE]
        return _upload_page(form, 413)
    if not content:
        form.spreadsheet.errors = ["The selected file is empty."]
        return _upload_page(form, 422)
    try:
        rows = READERS[extension](content)
    except bulk.BadFile as exc:
        form.spreadsheet.errors = [m for messages in exc.errors.values() for m in messages]
        return _upload_page(form, 422)
    with platform().session_factory() as db:
        coordinator_email = bulk.coordinator_email(db, organisation_id())
    result = bulk.check_rows(rows, coordinator_email, commit=False)
    if result.errors:
        return _report(result, rows, filename)
    sealed = bulk_checked.seal(
        _secret(), organisation_id(), signed_in().subject, filename, rows, now()
    )
    return _report(result, rows, filename, sealed)


@bp.post("/upload/commit")
def bulk_commit():
    try:
        checked = bulk_checked.unseal(
            _secret(),
            request.form.get("checked", ""),
            organisation_id(),
            signed_in().subject,
            now(),
        )
    except bulk_checked.Expired:
        upload = UploadForm(formdata=None)
        upload.spreadsheet.errors = [
            "Upload the file again: a checked file is kept for "
            f"{int(bulk_checked.KEPT_FOR.total_seconds() // 60)} minutes."
        ]
        return _upload_page(upload, 422)
    with platform().unit_of_work() as uow:
        result = bulk_uploads.commit(
            uow, organisation_id(), checked.upload_id, checked.rows, actor()
        )
        if not result.errors:
            uow.commit()
    if result.errors:  # something changed since the dry run: nothing was created
        return _report(result, checked.rows, checked.filename)
    count = len(result.created_ids)
    flash(
        f"{count} draft application{'s' if count != 1 else ''} created from {checked.filename}. "
        "Open each one to add what it still needs before you submit it.",
        "success",
    )
    return redirect(url_for("portal.applications"))


@bp.get("/upload/template.csv")
def bulk_template() -> Response:
    return _download(spreadsheets.template_csv(), "text/csv; charset=utf-8", "csv")


@bp.get("/upload/template.xlsx")
def bulk_template_xlsx() -> Response:
    return _download(spreadsheets.template_xlsx(), spreadsheets.XLSX_TYPE, "xlsx")


def _download(content: bytes, mimetype: str, extension: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="applicants-template.{extension}"'},
    )


def _secret() -> str:
    secret: str = current_app.config["SECRET_KEY"]
    return secret


def _upload_page(form: UploadForm, status: int = 200) -> tuple[str, int]:
    with platform().session_factory() as db:
        prisons = bulk_uploads.establishment_names(db)
    html = render_template(
        "portal/bulk_upload.html",
        form=form,
        columns=spreadsheets.GUIDANCE,
        visit_needs=spreadsheets.what_the_visit_needs(),
        prisons=prisons,
        max_rows=bulk.MAX_ROWS,
    )
    return html, status


def _report(
    result: bulk.BulkResult, rows: list[bulk.Row], filename: str, sealed: str | None = None
) -> tuple[str, int]:
    """The dry run's report: the problems (422: nothing can be created) with the upload form
    for the corrected file, or the rows to create (200) with "Create" carrying the seal."""
    with platform().session_factory() as db:
        prisons = bulk_uploads.establishment_names(db)
    html = render_template(
        "portal/bulk_report.html",
        error=bool(result.errors),
        problems=_problems(result),
        problem_rows=len(result.errors),
        rows=rows,
        filename=filename,
        form=UploadForm(formdata=None),
        sealed=sealed,
        prisons=prisons,
        nav_endpoint="portal.bulk_upload",
    )
    return html, 422 if result.errors else 200


def _problems(result: bulk.BulkResult) -> list[tuple[int, str, str]]:
    """(row as the spreadsheet numbers it, column, problem) for every message, in row order:
    the spreadsheet's row 1 is the header, so its row is the bulk row's number plus one."""
    return [
        (entry["row"] + 1, "Whole row" if column == "row" else column, message)
        for entry in sorted(result.errors, key=lambda entry: entry["row"])
        for column, messages in entry["errors"].items()
        for message in messages
    ]
