"""The weekly summaries by mail: each supervisor gets their team's dormant accounts, waiting
cases and overdue re-certifications, and the press office the same for the whole force, once
per ISO week per person however often the task runs. Built from the reports' own selectors, so
a summary and its report always agree."""

import dataclasses
import datetime
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import notify
from people.roles import Role
from people.selectors import press_office_recipients
from reports import selectors
from reports.models import WeeklySummary

logger = logging.getLogger(__name__)

# Each section lists this many items; the report behind its link has them all.
LISTED = 10


def iso_week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclasses.dataclass
class Section:
    """One report's part of a summary: how many, the first `LISTED`, and the report's link.
    The template (`notifications/_weekly_sections.txt`) words them."""

    count: int
    items: list
    link: str

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _sections(user, *, now) -> dict[str, Section]:
    dormant = selectors.dormancy_accounts(user, now=now).select_related("owner")
    waiting = selectors.cases_waiting(user, now=now)
    overdue = selectors.recertifications_overdue(user, today=timezone.localdate(now))
    return {
        "dormant": Section(dormant.count(), list(dormant[:LISTED]), reverse("reports:dormancy")),
        "waiting": Section(len(waiting), waiting[:LISTED], reverse("reports:waiting")),
        "overdue": Section(len(overdue), overdue[:LISTED], reverse("reports:recertifications")),
    }


def _send_once(*, key: str, audience: str, week: str, viewer, recipients, now) -> bool:
    """Send one summary unless the row for (`key`, `week`) exists: the row and the notifications
    commit together, and a second run, or one running at the same time (it waits on the row's
    unique index), finds the row and sends nothing."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                summary = WeeklySummary.objects.create(
                    audience=audience, recipient=viewer, key=key, week=week
                )
        except IntegrityError:
            return False
        sections = _sections(viewer, now=now)
        summary.figures = {name: section.count for name, section in sections.items()}
        summary.save(update_fields=["figures"])
        notify(
            recipients=recipients,
            kind=f"weekly_summary.{audience}",
            context={**sections, "week": week},
            link=reverse("reports:index"),
        )
    return True


def weekly_summaries_send(*, now: datetime.datetime | None = None) -> dict:
    """This ISO week's summaries not sent yet: one to each active supervisor, one to the press
    office's shared mailbox. Returns how many were sent to whom."""
    now = now or timezone.now()
    week = iso_week(timezone.localdate(now))
    sent = {WeeklySummary.Audience.SUPERVISOR: 0, WeeklySummary.Audience.PRESS_OFFICE: 0}
    supervisors = (
        get_user_model()
        .objects.filter(groups__name=Role.SUPERVISOR, is_active=True, officer__isnull=False)
        .select_related("officer")
        .order_by("pk")
    )
    for user in supervisors:
        sent[WeeklySummary.Audience.SUPERVISOR] += _send_once(
            key=f"supervisor:{user.pk}",
            audience=WeeklySummary.Audience.SUPERVISOR,
            week=week,
            viewer=user,
            recipients=[user],
            now=now,
        )
    mailbox = press_office_recipients()
    members = sorted(mailbox[0].members, key=lambda u: u.pk)
    if members:
        sent[WeeklySummary.Audience.PRESS_OFFICE] += _send_once(
            key=WeeklySummary.Audience.PRESS_OFFICE,
            audience=WeeklySummary.Audience.PRESS_OFFICE,
            week=week,
            viewer=members[0],  # every press officer sees the whole force
            recipients=mailbox,
            now=now,
        )
    else:
        logger.warning("No active press officer: the press office's weekly summary is not sent.")
    return {str(k): v for k, v in sent.items()}
