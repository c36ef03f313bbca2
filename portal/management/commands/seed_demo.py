"""Builds a demo force: three local policing units with teams, about 200 officers with their
supervisors, a press office, an auditor, an administrator and a few official accounts, with one
documented login per role. Deterministic: running it again changes nothing."""

import hashlib
import os
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.handles import suggest_handles
from accounts.models import SocialAccount
from approvals.demo import seed_demo_cases
from custody.models import Credential
from custody.services import credential_lodge
from handovers.editors import editor_accept_policy, editor_decide, editor_request
from handovers.models import Checklist, Kind
from handovers.services import (
    consolidation_complete,
    consolidation_respond,
    transition_decide,
    transition_start,
)
from pauses.models import Pause
from pauses.services import account_suspend
from people.mfa import requires_second_factor, totp_enrol
from people.models import Officer, Unit
from people.roles import Role, ensure_role_groups
from people.services import training_record

DEMO_PASSWORD_DEFAULT = "demo-portal-2026"  # noqa: S105  (documented demo login)
# The authenticator-app key of the demo logins whose role needs a second factor (press office,
# administrator): published in the README so that anyone can add it to an app or run
# `oathtool --totp -b KEY`. Base32; DEMO_TOTP_SECRET changes it.
DEMO_TOTP_SECRET_DEFAULT = "DEMOPORTALWMPSECONDFACTORKEYABCD"  # noqa: S105
EMAIL_DOMAIN = "demo.wmp.example"

STRUCTURE = {
    "birmingham-east": ("Birmingham East LPU", ["Stechford", "Hodge Hill", "Yardley", "Erdington"]),
    "wolverhampton": ("Wolverhampton LPU", ["City Centre", "Bilston", "Tettenhall"]),
    "coventry": ("Coventry LPU", ["Foleshill", "Earlsdon", "Tile Hill", "Willenhall"]),
}
FIRST = [
    "James",
    "Priya",
    "Mohammed",
    "Sarah",
    "Tom",
    "Aisha",
    "Gareth",
    "Niamh",
    "Daniel",
    "Chloe",
    "Imran",
    "Hannah",
    "Luke",
    "Zara",
    "Oliver",
    "Siân",
    "Kwame",
    "Emma",
    "Ravi",
    "Grace",
    "Connor",
    "Fatima",
    "Jack",
    "Amelia",
    "Ryan",
    "Leah",
    "Adam",
    "Sophie",
    "Bilal",
    "Megan",
]
LAST = [
    "Smith",
    "Patel",
    "Khan",
    "Jones",
    "O'Brien",
    "Williams",
    "Begum",
    "Taylor",
    "Hughes",
    "Evans",
    "Ahmed",
    "Walker",
    "Clarke",
    "Hussain",
    "Wright",
    "Thompson",
    "Kaur",
    "Roberts",
    "Lewis-Grant",
    "Edwards",
    "Singh",
    "Green",
    "Mahmood",
    "Hall",
    "Wood",
    "Ali",
    "Turner",
    "Cooper",
    "Murphy",
    "Jackson",
]

# username: (first, surname, rank, roles, unit code, staff number, is_staff)
DEMO_LOGINS = {
    "officer": (
        "Priya",
        "Sharma",
        Officer.Rank.PC,
        [Role.OFFICER],
        "birmingham-east-stechford",
        "4471",
    ),
    "supervisor": (
        "Dan",
        "Hughes",
        Officer.Rank.SERGEANT,
        [Role.OFFICER, Role.SUPERVISOR],
        "birmingham-east-stechford",
        "PS2231",
    ),
    "press": (
        "Kate",
        "Morgan",
        Officer.Rank.STAFF,
        [Role.OFFICER, Role.PRESS_OFFICE],
        "corporate-communications",
        "S90012",
    ),
    "auditor": (
        "Alan",
        "Reid",
        Officer.Rank.STAFF,
        [Role.AUDITOR],
        "professional-standards",
        "S90345",
    ),
    "admin": ("Ruth", "Ellis", Officer.Rank.STAFF, [Role.ADMINISTRATOR], "force-it", "S90001"),
    # A second administrator, to approve (or refuse) Ruth's requests for Press office or
    # Administrator on the Roles page: nobody approves their own.
    "admin2": ("Tom", "Price", Officer.Rank.STAFF, [Role.ADMINISTRATOR], "force-it", "S90002"),
}


def demo_credential_password(handle: str) -> str:
    """The fake password the demo lodges for an account (documented, not a secret). Not made
    from the handle itself: custody refuses a password containing the account's own words."""
    digest = hashlib.sha256(handle.encode()).hexdigest()[:8]
    return f"Demo-{digest}-Kettle-Pw!2026"


class Command(BaseCommand):
    help = "Create (or complete) the demo force. Safe to run again: it changes nothing then."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
        totp_secret = os.environ.get("DEMO_TOTP_SECRET", DEMO_TOTP_SECRET_DEFAULT)
        with transaction.atomic():
            created = self.build(password)
            second_factor = self.enrol_second_factors(totp_secret)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo force ready ({created} new records). Logins (password: {password}):"
            )
        )
        for username, (first, last, _rank, roles, *_rest) in DEMO_LOGINS.items():
            names = ", ".join(r.label for r in roles)
            code = " (+ authenticator code)" if username in second_factor else ""
            self.stdout.write(f"  {username:<11} {first} {last}: {names}{code}")
        if second_factor:
            self.stdout.write(
                f"Authenticator-app key for {' and '.join(second_factor)}: {totp_secret}\n"
                "  Add it to an authenticator app, or get the current code with\n"
                f"  oathtool --totp -b {totp_secret}"
            )

    def enrol_second_factors(self, secret) -> list[str]:
        """The demo logins whose role needs a second factor get an authenticator app with a
        known key, so that a newcomer can sign in as them."""
        enrolled = []
        for username in DEMO_LOGINS:
            user = get_user_model().objects.get(username=username)
            if requires_second_factor(user):
                totp_enrol(user=user, secret=secret)
                enrolled.append(username)
        return enrolled

    def build(self, password) -> int:
        self.created = 0
        ensure_role_groups()
        rng = random.Random(20261124)  # noqa: S311  (repeatable demo names, not security)
        force = self.unit("force", "West Midlands Police", Unit.Kind.FORCE, None)
        dept = {
            code: self.unit(code, name, Unit.Kind.DEPARTMENT, force)
            for code, name in [
                ("corporate-communications", "Corporate Communications (press office)"),
                ("professional-standards", "Professional Standards"),
                ("force-it", "IT and Digital"),
            ]
        }
        teams = []
        for code, (lpu_name, team_names) in STRUCTURE.items():
            lpu = self.unit(code, lpu_name, Unit.Kind.LPU, force)
            for team_name in team_names:
                slug = f"{code}-{team_name.lower().replace(' ', '-')}"
                teams.append(
                    self.unit(slug, f"{team_name} Neighbourhood Team", Unit.Kind.TEAM, lpu)
                )

        demo = {
            username: self.officer(
                username, first, last, rank, roles, Unit.objects.get(code=unit), staff, password
            )
            for username, (first, last, rank, roles, unit, staff) in DEMO_LOGINS.items()
        }
        demo["officer"].supervisor = demo["supervisor"]
        demo["officer"].save(update_fields=["supervisor"])
        admin_user = demo["admin"].user
        if not (admin_user.is_staff and admin_user.is_superuser):
            admin_user.is_staff = admin_user.is_superuser = True
            admin_user.save(update_fields=["is_staff", "is_superuser"])

        # An inspector per LPU, a sergeant per team, constables and PCSOs under each sergeant.
        number = 5000
        officers = []
        for lpu in Unit.objects.filter(kind=Unit.Kind.LPU).order_by("code"):
            number += 1
            inspector = self.officer(
                f"insp{number}",
                rng.choice(FIRST),
                rng.choice(LAST),
                Officer.Rank.INSPECTOR,
                [Role.OFFICER, Role.SUPERVISOR],
                lpu,
                f"I{number}",
                None,
            )
            for team in lpu.children.order_by("code"):
                if team.code == "birmingham-east-stechford":
                    sergeant = demo["supervisor"]
                else:
                    number += 1
                    sergeant = self.officer(
                        f"ps{number}",
                        rng.choice(FIRST),
                        rng.choice(LAST),
                        Officer.Rank.SERGEANT,
                        [Role.OFFICER, Role.SUPERVISOR],
                        team,
                        f"PS{number}",
                        None,
                    )
                self.set_supervisor(sergeant, inspector)
                for _ in range(17):
                    number += 1
                    rank = Officer.Rank.PCSO if rng.random() < 0.3 else Officer.Rank.PC
                    pc = self.officer(
                        f"pc{number}",
                        rng.choice(FIRST),
                        rng.choice(LAST),
                        rank,
                        [Role.OFFICER],
                        team,
                        str(number),
                        None,
                    )
                    self.set_supervisor(pc, sergeant)
                    officers.append(pc)
        press_team = [demo["press"]]
        for _ in range(3):
            number += 1
            press_team.append(
                self.officer(
                    f"staff{number}",
                    rng.choice(FIRST),
                    rng.choice(LAST),
                    Officer.Rank.STAFF,
                    [Role.OFFICER, Role.PRESS_OFFICE],
                    dept["corporate-communications"],
                    f"S{number}",
                    None,
                )
            )

        # A few accounts the force already runs, so the register is not empty on day one.
        now = timezone.now()
        central = press_team[0]
        self.account(
            "WMPolice",
            "West Midlands Police",
            SocialAccount.Kind.CENTRAL,
            central,
            force,
            now - timedelta(hours=3),
        )
        taken = set(SocialAccount.objects.values_list("handle", flat=True))
        for owner in officers[::9][:12]:
            if owner.social_accounts.exists():
                continue
            handle = suggest_handles(owner.first_name, owner.surname, taken=taken)[0]
            taken.add(handle)
            last_post = now - timedelta(days=rng.choice([1, 3, 9, 16, 20, 31, 45, 60, 75]))
            self.account(
                handle,
                f"{owner.first_name} {owner.surname}",
                SocialAccount.Kind.INDIVIDUAL,
                owner,
                owner.unit,
                last_post,
            )
        self.record_demo_training(demo, rng)
        # Business cases in different states (approvals app); once only.
        colleague = (
            Officer.objects.filter(supervisor=demo["supervisor"], user__username__startswith="pc")
            .exclude(social_accounts__isnull=False)
            .order_by("staff_number")
            .first()
        )
        self.created += seed_demo_cases(
            officer=demo["officer"],
            supervisor=demo["supervisor"],
            admin=demo["admin"],
            colleague=colleague,
        )
        self.seed_demo_consolidation(demo, press_team)
        self.seed_shared_account(demo, now)
        self.lodge_demo_credentials(demo["press"].user)
        self.suspend_demo_account(demo["press"].user)
        return self.created

    def record_demo_training(self, demo, rng):
        """The social media training, recorded by the administrator: in date for nearly everyone
        (the demo officer's runs out within the month, so the reminder shows) and missing for
        constables outside the demo team whose staff number ends in 9, so that a supervisor
        sees why a case cannot be approved. Run again, it records nothing."""
        today = timezone.localdate()
        untrained = Officer.objects.filter(training__isnull=True).order_by("staff_number")
        for officer in untrained:
            in_demo_team = officer.supervisor_id == demo["supervisor"].pk
            constable = officer.rank == Officer.Rank.PC
            if constable and officer.staff_number.endswith("9") and not in_demo_team:
                continue
            completed = today - timedelta(days=rng.randint(30, 600))
            expires = None
            if officer == demo["officer"]:
                completed, expires = today - timedelta(days=700), today + timedelta(days=20)
            training_record(
                actor=demo["admin"].user,
                officer_id=officer.pk,
                completed_on=completed,
                expires_on=expires,
                reason="Demo force",
            )
            self.created += 1

    def seed_shared_account(self, demo, now):
        """Issue 16, part 1: the demo team's shared account, owned by the demo officer, with two
        editors from the team, asked for, approved by the demo supervisor and the policy accepted
        (all through the services). Run again, it adds nothing."""
        owner, supervisor = demo["officer"], demo["supervisor"]
        self.account(
            "StechfordNPT",
            "Stechford Neighbourhood Police",
            SocialAccount.Kind.TEAM,
            owner,
            owner.unit,
            now - timedelta(days=2),
        )
        account = SocialAccount.objects.get(handle="StechfordNPT")
        if account.editors.exists():
            return
        colleagues = (
            Officer.objects.filter(
                supervisor=supervisor, user__username__startswith="pc", training__isnull=False
            )
            .exclude(pk=owner.pk)
            .exclude(social_accounts__isnull=False)
            .distinct()
            .order_by("-staff_number")[:2]
        )
        for colleague in colleagues:
            editorship = editor_request(
                actor=owner.user,
                account_id=account.pk,
                officer_id=colleague.pk,
                reason="Covers the team's weekend and evening shifts",
            )
            editor_decide(actor=supervisor.user, editorship_id=editorship.pk, approve=True)
            editor_accept_policy(
                actor=colleague.user, editorship_id=editorship.pk, personal_use_read=True
            )
            self.created += 1

    def lodge_demo_credentials(self, press_user):
        """Demo login details for two accounts in three, so the press office can try a reveal
        and the "login details needed" list is not empty. Fake values, sealed like real ones."""

        accounts = (
            SocialAccount.objects.filter(platform=SocialAccount.Platform.X)
            .exclude(status=SocialAccount.Status.CLOSED)
            .order_by("pk")
        )
        for index, account in enumerate(accounts):
            if index % 3 == 2 or Credential.objects.filter(account=account).exists():
                continue
            credential_lodge(
                actor=press_user,
                account=account,
                login=f"{account.handle.lower()}@{EMAIL_DOMAIN}",
                password=demo_credential_password(account.handle),
            )
            self.created += 1

    def seed_demo_consolidation(self, demo, press_team):
        """Consolidation (issue 16 part 3): a quiet account with few followers in the demo
        sergeant's team, proposed for folding into @WMPolice (the force's central account, a
        unit above the team); and Coventry's unit account with an officer's account already
        folded into it through the whole workflow (the press office started it, the owner
        agreed, their sergeant approved, the press office completed the checklist), so the
        "Accounts over time" report and the verification page show one. Once only."""
        now = timezone.now()
        taken = set(SocialAccount.objects.values_list("handle", flat=True))

        def quiet_account(owner, *, followers, days_quiet, activated_days_ago):
            handle = suggest_handles(owner.first_name, owner.surname, taken=taken)[0]
            taken.add(handle)
            account = SocialAccount.objects.create(
                platform=SocialAccount.Platform.X,
                handle=handle,
                display_name=f"{owner.first_name} {owner.surname}",
                kind=SocialAccount.Kind.INDIVIDUAL,
                owner=owner,
                unit=owner.unit,
                status=SocialAccount.Status.ACTIVE,
                activated_on=(now - timedelta(days=activated_days_ago)).date(),
                last_post_at=now - timedelta(days=days_quiet),
                followers=followers,
            )
            self.created += 1
            return account

        team = (
            Officer.objects.filter(supervisor=demo["supervisor"], user__username__startswith="pc")
            .order_by("-staff_number")
            .first()
        )
        if team is not None and not team.social_accounts.exists():
            quiet_account(team, followers=140, days_quiet=130, activated_days_ago=900)

        coventry = Unit.objects.filter(code="coventry").first()
        inspector = Officer.objects.filter(unit=coventry, rank=Officer.Rank.INSPECTOR).first()
        if coventry is None or inspector is None:
            return
        unit_account, created = SocialAccount.objects.get_or_create(
            platform=SocialAccount.Platform.X,
            handle="WMPCoventry",
            defaults={
                "display_name": "WMP Coventry",
                "kind": SocialAccount.Kind.UNIT,
                "owner": inspector,
                "unit": coventry,
                "status": SocialAccount.Status.ACTIVE,
                "activated_on": (now - timedelta(days=1000)).date(),
                "last_post_at": now - timedelta(hours=5),
                "followers": 5400,
            },
        )
        self.created += created
        if unit_account.consolidated_from.exists():
            return
        owner = (
            Officer.objects.filter(
                unit__code="coventry-earlsdon",
                rank=Officer.Rank.PC,
                supervisor__isnull=False,
                social_accounts__isnull=True,
            )
            .order_by("staff_number")
            .first()
        )
        if owner is None:
            return
        account = quiet_account(owner, followers=85, days_quiet=160, activated_days_ago=700)
        press, completer = press_team[0].user, press_team[-1].user
        transition = transition_start(
            actor=press,
            account_id=account.pk,
            kind=Kind.CONSOLIDATION,
            reason="Quiet since the summer with 85 followers; WMP Coventry reaches them better.",
            target=unit_account,
        )
        consolidation_respond(actor=owner.user, transition_id=transition.pk, agree=True)
        transition_decide(actor=owner.supervisor.user, transition_id=transition.pk, approve=True)
        consolidation_complete(
            actor=completer,
            transition_id=transition.pk,
            ticked={name for name, _label in Checklist.items_for(Kind.CONSOLIDATION)},
            deactivated_on=timezone.localdate() - timedelta(days=35),
        )
        self.created += 1

    def suspend_demo_account(self, press_user):
        """One suspended account (issue 16): the first officer's account in the register,
        suspended by the press office with a review date a fortnight ahead, so the register,
        the account page, the public check and its owner's "please acknowledge" page show it.
        Once only: once the force has had any suspension, nothing more is done."""
        account = (
            SocialAccount.objects.filter(
                kind=SocialAccount.Kind.INDIVIDUAL, status=SocialAccount.Status.ACTIVE
            )
            .order_by("pk")
            .first()
        )
        if account is None or Pause.objects.filter(kind=Pause.Kind.SUSPENSION).exists():
            return
        account_suspend(
            actor=press_user,
            account_id=account.pk,
            reason="Demo: a post named a suspect before charge. Suspended while Professional "
            "Standards review it.",
            review_on=timezone.localdate() + timedelta(days=14),
        )
        self.created += 1

    def unit(self, code, name, kind, parent):
        unit, created = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": parent}
        )
        self.created += created
        return unit

    def officer(self, username, first, last, rank, roles, unit, staff_number, password):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{EMAIL_DOMAIN}",
            )
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
            self.created += 1
        officer, created = Officer.objects.get_or_create(
            user=user,
            defaults={
                "staff_number": staff_number,
                "first_name": first,
                "surname": last,
                "rank": rank,
                "unit": unit,
            },
        )
        self.created += created
        return officer

    def set_supervisor(self, officer, supervisor):
        if officer.supervisor_id != supervisor.pk:
            officer.supervisor = supervisor
            officer.save(update_fields=["supervisor"])
            self.created += 1

    def account(self, handle, display_name, kind, owner, unit, last_post_at):
        _, created = SocialAccount.objects.get_or_create(
            platform=SocialAccount.Platform.X,
            handle=handle,
            defaults={
                "display_name": display_name,
                "kind": kind,
                "owner": owner,
                "unit": unit,
                "status": SocialAccount.Status.ACTIVE,
                "activated_on": (last_post_at - timedelta(days=400)).date(),
                "last_post_at": last_post_at,
            },
        )
        self.created += created
