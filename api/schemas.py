"""The API's shapes: what each endpoint takes and returns (and so its OpenAPI document)."""

import datetime

from ninja import Field, Schema


class Message(Schema):
    detail: str


class RowProblem(Schema):
    line: int | None = Field(None, description="The row's position in the request, from 1.")
    message: str


class Refused(Schema):
    """A write refused whole (nothing kept): why, row by row."""

    detail: str
    errors: list[RowProblem] = []


class Unit(Schema):
    id: int
    name: str


class Owner(Schema):
    id: int
    name: str
    staff_number: str


class Account(Schema):
    id: int
    platform: str
    handle: str
    display_name: str
    kind: str
    status: str
    owner: Owner
    unit: Unit
    activated_on: datetime.date | None
    closed_on: datetime.date | None
    last_post_at: datetime.datetime | None
    followers: int | None
    dormancy: str


class StatusChange(Schema):
    at: datetime.datetime
    action: str
    status_from: str | None
    status_to: str | None
    by: str
    reason: str


class AccountDetail(Account):
    status_history: list[StatusChange]


class Decision(Schema):
    submission: int
    stage: str
    outcome: str
    comment: str
    decided_by: str
    decided_at: datetime.datetime


class Case(Schema):
    id: int
    state: str
    platform: str
    kind: str
    handle: str
    display_name: str
    applicant: Owner
    unit: Unit
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    state_changed_at: datetime.datetime
    account_id: int | None


class CaseDetail(Case):
    policing_purpose: str
    decisions: list[Decision]


class ActivityRow(Schema):
    platform: str = Field(..., max_length=20, description="x, facebook, instagram, …")
    handle: str = Field(..., max_length=60)
    last_post_at: datetime.datetime
    followers: int | None = Field(None, ge=0, le=2_000_000_000)


class ActivityReport(Schema):
    observations: list[ActivityRow] = Field(..., min_length=1, max_length=5000)


class Accepted(Schema):
    written: int
    replayed: bool = Field(False, description="True when this key was applied before.")


class PeopleRow(Schema):
    staff_number: str = Field(..., max_length=30)
    status: str = Field(..., description="moved or left", max_length=10)
    date: datetime.date


class PeopleReport(Schema):
    changes: list[PeopleRow] = Field(..., min_length=1, max_length=5000)


class Marked(Schema):
    staff_number: str
    status: str
    was: str
    on: datetime.date


class PeopleAccepted(Schema):
    marked: list[Marked]
    replayed: bool = False


class Incident(Schema):
    id: int
    state: str
    account_id: int
    platform: str
    handle: str
    reported_at: datetime.datetime
    contained_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    reports: int


class IncidentReport(Schema):
    platform: str = Field(..., max_length=20)
    handle: str = Field(..., max_length=60)
    what_happened: str = Field(..., min_length=1, max_length=5000)
    noticed_at: datetime.datetime
    link_clicked: str = Field(..., description="yes, no or unsure", max_length=10)
    rogue_posts: str = Field("", max_length=5000)


class IncidentReported(Schema):
    incident_id: int
    opened: bool


class DormancyRow(Schema):
    unit_id: int
    unit: str
    total: int
    needs_action: int
    levels: dict[str, int]


class WaitingFor(Schema):
    waiting_for: str
    count: int


class IncidentMonth(Schema):
    month: str
    count: int
    contain_median: float | None
    contain_mean: float | None
    resolve_median: float | None
    resolve_mean: float | None


class Figures(Schema):
    dormancy_by_unit: list[DormancyRow]
    orphaned_accounts: int
    credentials_needed: int
    recertifications_overdue: int
    incidents_open: int
    cases_waiting: list[WaitingFor]
    incident_times: list[IncidentMonth]
