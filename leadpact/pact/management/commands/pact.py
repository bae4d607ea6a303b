"""`leadpact pact check|diff|propose|sign|list|show`: write, compare, version and sign the agreement."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact import clock
from leadpact.accounts.models import User
from leadpact.core.errors import LeadpactError, PactInvalid
from leadpact.core.pact_diff import describe_changes, render_changes
from leadpact.core.pact_loader import check_pact, parse_pact
from leadpact.pact import selectors
from leadpact.pact.services import pact_propose, pact_sign


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise CommandError(f"cannot read {path}: {err.strerror}") from None


class Command(BaseCommand):
    help = "Check, compare, propose, sign and list versions of the pact (the lead agreement)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = sub.add_parser("check", help="validate a pact file; every problem with its line, key and fix")
        check.add_argument("file")
        diff = sub.add_parser("diff", help="what changed between two pact files or stored versions, in words")
        diff.add_argument("old", help="a file, or a stored version number")
        diff.add_argument("new", help="a file, or a stored version number")
        propose = sub.add_parser("propose", help="store a pact file as a new version, to be signed by both sides")
        propose.add_argument("file")
        propose.add_argument("--by", metavar="EMAIL", help="who proposes it (recorded)")
        sign = sub.add_parser("sign", help="sign a stored version for marketing (role marketing) or sales (role manager)")
        sign.add_argument("version", type=int)
        sign.add_argument("--as", dest="signer", required=True, metavar="EMAIL", help="the person who signs")
        sub.add_parser("list", help="all versions, their signatures and which is in force")
        show = sub.add_parser("show", help="print a stored version's text")
        show.add_argument("version", type=int, nargs="?", help="default: the version in force")

    def handle(self, *args: object, **options: object) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except PactInvalid as err:
            raise CommandError(f"the pact is not valid:\n{err}") from None
        except LeadpactError as err:
            raise CommandError(str(err)) from None

    def _check(self, options: dict) -> None:
        problems = check_pact(_read(options["file"]))
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {options['file']}")
        pact = parse_pact(_read(options["file"]))
        self.stdout.write(self.style.SUCCESS(f"{options['file']}: pact {pact.name} v{pact.version} is valid"))

    def _diff(self, options: dict) -> None:
        old, new = self._load(options["old"]), self._load(options["new"])
        self.stdout.write(render_changes(describe_changes(old, new)))

    def _load(self, ref: str):
        if ref.isdigit() and not Path(ref).exists():
            return selectors.pact_of(selectors.version_get(int(ref)))
        return parse_pact(_read(ref))

    def _propose(self, options: dict) -> None:
        by = _user(options["by"]) if options.get("by") else None
        version, created = pact_propose(_read(options["file"]), proposed_by=by)
        verb = "stored as" if created else "is already"
        self.stdout.write(self.style.SUCCESS(f"{options['file']} {verb} version {version.version}; "
                                             f"sign it with: leadpact pact sign {version.version} --as EMAIL"))

    def _sign(self, options: dict) -> None:
        version = selectors.version_get(options["version"])
        signature = pact_sign(version, _user(options["signer"]), clock.now())
        version.refresh_from_db()
        state = (f"in force from {version.in_force_from:%Y-%m-%d %H:%M} UTC" if version.in_force_from
                 else "waiting for the other side's signature")
        self.stdout.write(self.style.SUCCESS(f"signed version {version.version} for {signature.side}; {state}"))

    def _list(self, options: dict) -> None:
        versions = selectors.version_list()
        if not versions:
            self.stdout.write("no versions yet: leadpact pact propose FILE")
            return
        try:
            current = selectors.version_in_force(clock.now()).pk
        except LeadpactError:
            current = None
        for v in versions:
            signed = ", ".join(f"{s.side} by {s.signed_by.email}" for s in v.signatures.all()) or "not signed"
            mark = "* in force" if v.pk == current else (f"from {v.in_force_from:%Y-%m-%d}" if v.in_force_from else "")
            self.stdout.write(f"v{v.version:<4} effective {v.effective}  {signed}  {mark}".rstrip())

    def _show(self, options: dict) -> None:
        number = options.get("version")
        version = selectors.version_get(number) if number else selectors.version_in_force(clock.now())
        self.stdout.write(version.text)


def _user(email: str) -> User:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise CommandError(f"no person with the email {email}; add one with: leadpact user add {email} --role ROLE")
    return user
