"""The ``igot`` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from app.config import Config
from app.errors import IgotError


def _site():
    from app.site import Site

    return Site(Config.from_env())


def _fail(exc: IgotError):
    raise click.ClickException(exc.message)


@click.group()
def main():
    """iGOT capacity-building platform. Data: $MONGODB_URI if set, else the embedded
    store in $IGOT_DATA_DIR (default ./var)."""


@main.command()
@click.option("--no-fixtures", is_flag=True, help="Create indexes only; do not load fixtures/.")
def init(no_fixtures):
    """Create indexes, record doctypes, load fixtures (safe to run again)."""
    from app import install

    site = _site()
    try:
        report = install.init(site, with_fixtures=not no_fixtures)
    except IgotError as exc:
        _fail(exc)
    click.echo(f"store: {site.store.kind} ({site.store.location})")
    click.echo(f"indexes: {report['indexes']} ensured")
    for doctype, counts in report.get("fixtures", {}).items():
        click.echo(f"fixtures {doctype}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per process.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes serving requests from one socket (about one per core); see the README's 'Several processes'.",
)
def serve(host, port, threads, workers):
    """Serve the portal, the back office and the API with waitress; initialises an empty
    database first."""
    import waitress

    from app import install
    from app.site import Site
    from app.web import create_app

    config = Config.from_env()
    site = Site(config if os.environ.get("IGOT_PUBLIC_URL") else config.serving_on(host, port))
    if not install.is_initialised(site):
        click.echo("empty database: running init")
        install.init(site)
    click.echo(f"store: {site.store.kind} ({site.store.location})")
    _warn_public_url(site.config, host, port)
    _warn_content_url(site.config)
    _recover(site)
    from app import accounts
    from app.access import roles_with

    link = accounts.setup_link(site)
    if link:
        manager = roles_with(site, "grant_any_role")[0]
        click.echo(f"nobody runs this installation yet. Open this one-time link to create its first {manager}")
        click.echo(f"(valid 24 hours; a restart makes a new one):  {link}")
        click.echo(f'or, on this server:  igot user add you@example.gov.in --role "{manager}" --password ...')
    if not (site.config.queue_url or "").startswith(("redis://", "rediss://")):
        _start_worker(site)
    click.echo(f"serving on http://{host}:{port}: the learner portal /, the back office /admin, the API /api (docs /api/docs)")
    if workers > 1:
        from app import serving

        click.echo(f"{workers} worker processes, {threads} threads each")
        serving.serve_workers(site.config, host, port, workers, threads)
        return
    from app.serving import read_ahead

    read_ahead(site)
    waitress.serve(create_app(site=site), host=host, port=port, threads=threads)


def _warn_public_url(config, host: str, port: int) -> None:
    """IGOT_PUBLIC_URL set to another address than the one served: right behind a reverse
    proxy, a mistake otherwise (every mailed link and QR code would lead elsewhere)."""
    from app.config import served_url

    served = served_url(host, port)
    if os.environ.get("IGOT_PUBLIC_URL") and config.public_url.rstrip("/") != served:
        click.echo(
            f"note: IGOT_PUBLIC_URL is {config.public_url}, but this server listens on {served}: links in mails "
            f"and QR codes lead to {config.public_url}. That is right behind a proxy that forwards there; "
            f"otherwise set IGOT_PUBLIC_URL to the address people use, or unset it.",
            err=True,
        )


def _warn_content_url(config) -> None:
    """SCORM packages play only at an origin of their own (IGOT_CONTENT_URL; on a loopback
    name, the other loopback name): say so at start when learners would be refused them."""
    from urllib.parse import urlsplit

    public = urlsplit(config.public_url)
    if config.content_url:
        content = urlsplit(config.content_url)
        if content.netloc.lower() == public.netloc.lower():
            click.echo(
                f"warning: IGOT_CONTENT_URL ({config.content_url}) is the portal's own address: SCORM packages are "
                "not played. Give it a host name of its own that reaches this server (content.<your domain>).",
                err=True,
            )
        elif public.scheme != "https" and _share_a_domain(content.hostname or "", public.hostname or ""):
            click.echo(
                f"warning: without https, a SCORM package at {config.content_url} can set cookies that "
                f"{config.public_url} receives (they share a domain): serve both over https (the session cookie is "
                "then the portal host's alone), or put packages under another domain.",
                err=True,
            )
        return
    if (public.hostname or "") not in ("localhost", "127.0.0.1"):
        click.echo(
            f"warning: IGOT_CONTENT_URL is not set, so SCORM packages are not played at {config.public_url}: they "
            "need a host name of their own that reaches this server (content.<your domain>). See the README.",
            err=True,
        )


def _share_a_domain(a: str, b: str) -> bool:
    """Whether two host names have a parent domain of two labels or more in common (a cookie set
    by one for that domain is sent to the other); addresses share none."""
    import ipaddress

    try:
        ipaddress.ip_address(a or "x")
        return False
    except ValueError:
        pass
    left, right = a.lower().split(".")[::-1], b.lower().split(".")[::-1]
    common = 0
    for x, y in zip(left, right):
        if x != y:
            break
        common += 1
    return common >= 2


def _recover(site) -> None:
    """After a crash: jobs whose worker died become Failed (retry resumes them), and records
    whose follow-up work was cut off get it done (``app.recovery``); then every minute."""
    import threading

    from app import recovery, schedule

    report = recovery.run(site)
    for line in recovery.describe(report):
        click.echo(line, err=True)

    def every_minute():
        import time

        while True:
            time.sleep(60)
            try:
                recovery.run(site)
                schedule.run_due(site)  # mail retries, digests, reminders
            except Exception:  # noqa: BLE001 - the store hiccuped: the next minute tries again
                pass

    threading.Thread(target=every_minute, name="igot-recovery", daemon=True).start()


def _start_worker(site) -> None:
    """On one host with the embedded queue, `igot serve` runs the background jobs itself, in
    a daemon thread (the server's signals stay the server's)."""
    import threading

    from app import jobs

    jobs.register_site(site)
    huey, _ = jobs.queue_for(site.config)
    if getattr(huey, "immediate", False):
        return
    threading.Thread(target=jobs.work, args=(huey,), name="igot-jobs", daemon=True).start()
    click.echo(f"background jobs: {type(huey).__name__} queue, run by this process (or by `igot worker`)")


@main.command()
@click.option(
    "--read-only",
    "read_only",
    is_flag=True,
    help="Only reads: `db` refuses every write and writing aggregation stage (for analysts).",
)
def shell(read_only):
    """A Python REPL with `db` (the database), `site` and `ctx` bound."""
    import code

    from app import query
    from app.model import lifecycle

    site = _site()
    if read_only:
        from app.analysts import AnalystDatabase

        db = AnalystDatabase(site.db, site.registry)
        banner = (
            f"iGOT analysts' shell on {site.store.kind} ({site.store.location}), reads only\n"
            f"db: what analysts read ({len(db.list_collection_names())} collections and views: "
            f"db.list_collection_names()); db.analyst_officer.find_one(), db.enrolment.aggregate([...]); "
            f"registry: the doctypes"
        )
        from app.analysts import AnalystConsole

        AnalystConsole(db, {"db": db, "registry": site.registry}).interact(banner)
        return
    ctx = site.context("Administrator")
    banner = (
        f"iGOT shell on {site.store.kind} ({site.store.location})\n"
        f"db: the database (db.officer.find_one()), site, ctx, lifecycle, query"
    )
    code.interact(banner=banner, local={"db": site.db, "site": site, "ctx": ctx, "lifecycle": lifecycle, "query": query})


@main.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/data-dictionary.md"), show_default=True
)
@click.option("--check", is_flag=True, help="Exit 1 if the file differs from what would be written.")
def docs(output, check):
    """Write the data dictionary: every collection, field, relation, index and custom field."""
    from app import docs as dictionary

    text = dictionary.generate(_site())
    if check:
        current = output.read_text() if output.exists() else ""
        if current != text:
            click.echo(f"{output} is stale: run `igot docs`", err=True)
            raise SystemExit(1)
        click.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("name", required=False)
@click.option("--mdo", default=None, help="only this MDO's records")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def aggregate(name, mdo, fmt):
    """Run a saved analysis (scripts/analytics/<name>.js); without a name, list them."""
    from app import analytics

    if not name:
        for n in analytics.names():
            click.echo(f"{n}: {analytics.load(n)['about']}")
        return
    from app.analysts import AnalystDatabase

    site = _site()
    try:
        rows = analytics.run(AnalystDatabase(site.db, site.registry), name, mdo)
    except analytics.AnalysisError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(analytics.render(rows, fmt))


@main.command()
def repair():
    """After a crash: mark Failed the jobs whose worker died (retry resumes them) and finish
    the follow-up work of records that was cut off. `igot serve` and `igot worker` do it as
    they start."""
    from app import recovery

    lines = recovery.describe(recovery.run(_site()))
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("nothing to repair")


@main.command("analyst-role")
@click.option("--print", "print_only", is_flag=True, help="Print the mongosh commands instead of running them.")
@click.option("--role", default="igot_analyst", show_default=True)
def analyst_role(print_only, role):
    """Create (or bring up to date) the analysts' views and a MongoDB role that reads only
    them and the documented collections: no credentials, sessions, settings or hidden fields."""
    from app import analysts

    site = _site()
    if print_only or site.store.kind != "mongodb":
        if site.store.kind != "mongodb" and not print_only:
            click.echo(
                f"# the {site.store.kind} store has no database users: analysts use `igot shell --read-only`,"
                f" which reads exactly these names. The commands for a MongoDB:",
                err=True,
            )
        click.echo(analysts.mongosh_script(site.db.name, site.registry, role), nl=False)
        return
    for line in analysts.apply_role(site.db, site.registry, role):
        click.echo(line)
    click.echo(
        f'give analysts a user with only this role: db.createUser({{user: "analyst", pwd: passwordPrompt(), roles: ["{role}"]}})'
    )


@main.command("import")
@click.argument("doctype")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mdo", default=None, help="the MDO of rows that name none (a ministry's staff list)")
@click.option("--update", is_flag=True, help="A row for a record that exists (an officer's e-mail or employee id) updates it.")
@click.option(
    "--rejected",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the rejected rows with their errors (default: FILE's name with -rejected.csv, beside it).",
)
@click.option("--background", is_flag=True, help="Queue it as a background job (see `igot worker`).")
def import_(doctype, file, mdo, update, rejected, background):
    """Import DOCTYPE records from a CSV or XLSX FILE; bad rows are reported, not stored, and
    written with their errors to a file to correct and import again. Officers get their
    learner accounts."""
    from app import importer

    site = _site()
    ctx = site.context("Administrator")
    try:
        rows = importer.check_file(ctx, doctype, file)  # unknown columns: refused before anything is stored
    except IgotError as exc:
        _fail(exc)
    if background:
        from app import files, jobs

        try:
            with open(file, "rb") as stream:
                file_id = files.store(ctx, stream, file.name, accept=["text", "spreadsheet"])
            job = jobs.submit(
                ctx,
                "import",
                {"doctype": doctype, "file": file_id, "mdo": mdo, "filename": file.name, "update": update},
                label=f"Import {doctype} from {file.name}",
            )
        except IgotError as exc:
            _fail(exc)
        click.echo(f"queued {job.name}")
        return
    try:
        with click.progressbar(length=len(rows), label=f"importing {doctype}", file=sys.stderr, show_pos=True) as bar:
            result = importer.import_file(
                ctx, doctype, file, progress=bar.update, defaults={"mdo": mdo} if mdo else None, update=update
            )
    except IgotError as exc:
        _fail(exc)
    for error in result.errors:
        click.echo(str(error), err=True)
    again = f", {len(result.resumed)} already imported by an earlier run" if result.resumed else ""
    updated = f", {len(result.updated)} updated" if result.updated else ""
    click.echo(f"{len(result.inserted)} imported{updated}{again}, {len(result.failed_lines)} rejected of {result.rows} rows")
    if result.errors:
        target = rejected or file.with_name(f"{file.stem}-rejected.csv")
        labels = {f.fieldname: f.label for f in site.registry.get(doctype).all_fields}
        target.write_text(importer.rejected_csv(dict(rows), result.errors, labels), encoding="utf-8")
        click.echo(f"the rejected rows, with why, are in {target}: correct them there and import that file again", err=True)
        sys.exit(1)


@main.command()
@click.argument("doctype")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--filters", default=None, help='JSON, e.g. \'{"service": "IAS"}\'')
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(doctype, fmt, filters, output):
    """Export DOCTYPE records as CSV or JSON (to stdout, or --output)."""
    from app import importer

    try:
        text = importer.export_rows(_site().context("Administrator"), doctype, fmt, filters)
    except IgotError as exc:
        _fail(exc)
    if output:
        output.write_text(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.group()
def user():
    """Accounts: add, disable, unlock, and list login locks."""


@user.command("add")
@click.argument("email")
@click.option("--role", "roles", multiple=True, help="a role to grant (repeat for several)")
@click.option("--mdo", "mdos", multiple=True, help="an MDO whose records the user works on (repeat)")
@click.option("--name", "full_name", default=None, help="full name (default: from the e-mail)")
@click.option("--password", default=None, help="set this password (default: mail an invitation to set one)")
def user_add(email, roles, mdos, full_name, password):
    """Create a user (or add roles and MDOs to an existing one). A new user is mailed an
    invitation to set their password, unless --password sets it here."""
    from app import accounts, auth, mail
    from app.errors import NotFound
    from app.model import lifecycle

    site = _site()
    ctx = site.context("Administrator")
    email = email.strip().lower()
    try:
        try:
            current = lifecycle.get(ctx, "User", email).as_dict()
            have_roles = [r["role"] for r in current.get("roles", [])]
            have_mdos = [m["mdo"] for m in current.get("mdos", [])]
            lifecycle.save(
                ctx,
                "User",
                email,
                {
                    "roles": current.get("roles", []) + [{"role": r} for r in roles if r not in have_roles],
                    "mdos": current.get("mdos", []) + [{"mdo": m} for m in mdos if m not in have_mdos],
                },
            )
            click.echo(f"updated {email}")
            added = False
        except NotFound:
            if password:  # set first: no invitation goes to an account that has its password
                accounts.check_policy(email, password)
                auth.set_password(site, email, password)
            try:
                lifecycle.insert(
                    ctx,
                    "User",
                    {
                        "email": email,
                        "full_name": full_name or email.split("@")[0].replace(".", " ").title(),
                        "roles": [{"role": r} for r in roles],
                        "mdos": [{"mdo": m} for m in mdos],
                    },
                )
            except BaseException:
                site.unguarded(auth.CREDENTIALS).delete_one({"_id": email})  # no password without its account
                raise
            click.echo(f"added {email}")
            added = True
        if password:
            accounts.set_password(site, email, password)
            click.echo("password set")
        elif added and not site.db[auth.CREDENTIALS].find_one({"_id": email}):
            sent = site.db["mail"].find_one({"recipient": email, "kind": "invitation"}, sort=[("creation", -1)])
            if sent:
                how = "mailed" if mail.smtp_settings(site.config) else "kept in the outbox (igot mail show " + sent["_id"] + ")"
                click.echo(f"invitation to set a password {how}")
    except IgotError as exc:
        _fail(exc)


@user.command("invite")
@click.argument("emails", nargs=-1, required=True)
def user_invite(emails):
    """Send invitations again (a new link each; earlier links stop working)."""
    from app import accounts

    site = _site()
    for email in emails:
        try:
            link = accounts.invite(site, email.strip().lower())
        except IgotError as exc:
            _fail(exc)
        click.echo(f"{email}: invitation sent ({link})")


@user.command("disable")
@click.argument("email")
def user_disable(email):
    """Disable a user: no login, no API token works."""
    from app.model import lifecycle

    try:
        lifecycle.save(_site().context("Administrator"), "User", email.strip().lower(), {"enabled": False})
    except IgotError as exc:
        _fail(exc)
    click.echo(f"disabled {email}")


@user.command("unlock")
@click.argument("email", required=False)
@click.option("--address", default=None, help="stop slowing failed logins from this address instead")
def user_unlock(email, address):
    """Lift a login lock on an account (or stop slowing an address)."""
    from app import auth

    if bool(email) == bool(address):
        raise click.UsageError("give an EMAIL or --address")
    what = address or email.strip().lower()
    lifted = auth.unlock(_site(), email, address=address)
    click.echo(f"unlocked {what}" if lifted else f"{what} was not locked")


@user.command("signout")
@click.argument("email")
def user_signout(email):
    """End every browser session of a user (sign out everywhere)."""
    from app import auth

    click.echo(f"ended {auth.end_sessions(_site(), email.strip().lower())} sessions of {email}")


@user.command("locks")
def user_locks():
    """Accounts locked after failed logins, and addresses being slowed."""
    from app import auth

    locks = auth.login_locks(_site())
    for lock in locks:
        if lock.get("locked_until"):
            click.echo(f"{lock['key']}: {lock['failures']} failures, locked until {lock['locked_until']:%Y-%m-%d %H:%M} UTC")
        else:
            click.echo(f"{lock['key']}: {lock['failures']} failures, failed logins from it are slowed")
    if not locks:
        click.echo("no locks")


@main.command()
@click.argument("email")
@click.option("--revoke", default=None, help="revoke the token with this key instead")
@click.option("--list", "list_", is_flag=True, help="list the user's tokens")
def token(email, revoke, list_):
    """Print a new API token key:secret for EMAIL (shown once)."""
    from app import auth

    site = _site()
    email = email.strip().lower()
    if revoke:
        click.echo(f"revoked {revoke}" if auth.revoke_token(site, revoke) else f"no active token {revoke}")
    elif list_:
        for t in auth.tokens_of(site, email):
            state = f"revoked {t['revoked_at']:%Y-%m-%d}" if t.get("revoked_at") else "active"
            used = f"{t['last_used']:%Y-%m-%d %H:%M}" if t.get("last_used") else "never"
            click.echo(f"{t['_id']}  created {t['created']:%Y-%m-%d}  last used {used}  {state}")
    else:
        try:
            click.echo(auth.create_token(site, email))
        except IgotError as exc:
            _fail(exc)


@main.command("export-fixtures")
@click.argument("doctype")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_fixtures(doctype, output):
    """Write DOCTYPE's records to fixtures/<collection>.json."""
    from app import fixtures

    site = _site()
    path = fixtures.export(
        site.context("Administrator"),
        doctype,
        output or Path(site.config.fixture_paths[0]) / f"{site.meta(doctype).collection}.json",
    )
    click.echo(f"wrote {path}")


@main.command()
@click.option("--workers", default=2, show_default=True, type=int)
def worker(workers):
    """Run background jobs from the queue (embedded SQLite queue, or Redis with IGOT_QUEUE)."""
    from huey.consumer import Consumer

    from app import jobs

    site = _site()
    jobs.register_site(site)
    huey, _ = jobs.queue_for(site.config)
    _recover(site)
    click.echo(f"iGOT worker: {type(huey).__name__}, {workers} workers", err=True)
    Consumer(huey, workers=workers, worker_type="thread").run()


@main.group("mail")
def mail_group():
    """The outbox: every mail sent, or kept when no mail server is set (IGOT_SMTP_URL)."""


@mail_group.command("list")
@click.option("--status", default=None, type=click.Choice(["Queued", "Sending", "Sent", "Failed", "Kept in outbox"]))
@click.option("--limit", default=50, show_default=True, type=int)
def mail_list(status, limit):
    """The newest mails: id, status, tries, recipient, subject, error."""
    from app import mail

    for m in mail.outbox(_site(), status, limit):
        error = f"  [{m['error']}]" if m.get("error") else ""
        click.echo(
            f"{m['_id']}  {m['creation']:%Y-%m-%d %H:%M}  {m.get('status'):<14} {m.get('attempts') or 0}  "
            f"{m['recipient']}  {m['subject']}{error}"
        )


@mail_group.command("show")
@click.argument("mail_id")
def mail_show(mail_id):
    """One mail as sent: headers and text."""
    record = _site().db["mail"].find_one({"_id": mail_id})
    if record is None:
        raise click.ClickException(f"no mail {mail_id!r} (igot mail list shows them)")
    for label, key in (("To", "recipient"), ("Subject", "subject"), ("Why", "reason"), ("Status", "status"), ("Error", "error")):
        if record.get(key):
            click.echo(f"{label}: {record[key]}")
    click.echo(
        f"Made: {record['creation']:%Y-%m-%d %H:%M:%S} UTC"
        + (f", sent {record['sent_at']:%Y-%m-%d %H:%M:%S}" if record.get("sent_at") else "")
    )
    click.echo("")
    click.echo(record.get("body_text") or "")


@main.group("schedule")
def schedule_group():
    """What runs by the clock (mail retries, digests, reminders)."""


@schedule_group.command("run")
def schedule_run():
    """Run what is due now (igot serve and igot worker do it every minute)."""
    from app import schedule

    report = schedule.run_due(_site())
    click.echo(
        f"mails queued again: {len(report['mails'])}; digests sent: {len(report['digests'])}; schedules run: {', '.join(report['schedules']) or 'none'}"
    )


@main.group("jobs")
def jobs_group():
    """Background jobs."""


@jobs_group.command("list")
@click.option("--status", default=None, type=click.Choice(["Queued", "Running", "Succeeded", "Failed"]))
def jobs_list(status):
    site = _site()
    for j in site.db["background_job"].find({"status": status} if status else {}).sort("modified", -1).limit(50):
        click.echo(
            f"{j['_id']}  {j.get('status'):<9} {j.get('progress') or 0:>5.1f}%  {j.get('title')}  "
            f"{j.get('started_by')}  {j.get('error') or ''}"
        )


@jobs_group.command("retry")
@click.argument("job")
def jobs_retry(job):
    from app import jobs

    site = _site()
    try:
        doc = jobs.retry(site.context("Administrator"), job)
    except IgotError as exc:
        _fail(exc)
    click.echo(f"{doc.name} queued again")


def run():
    """The ``igot`` command: the engine's subcommands and those the modules declare."""
    from app import registry

    for module in registry.load(Config.from_env().doctype_paths).modules:
        for command in module.commands:
            main.add_command(command.build(_site))
    main()


if __name__ == "__main__":
    run()
