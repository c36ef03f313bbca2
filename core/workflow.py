"""Lock-and-fire: the two moves every workflow service makes before it writes anything.

`lock` takes the row for the rest of the transaction, so two people acting at once are
serialised and the second sees the first one's state. `fire` runs one named django-fsm
transition only when the state allows it and the actor may, and reports (from, to) for the
audit row. `object_perm` is what a transition declares as its permission: a rule asked about
the object itself."""

from collections.abc import Callable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import models
from django_fsm import can_proceed, has_transition_perm

from core.errors import WorkflowError


def object_perm(name: str) -> Callable[[object, object], bool]:
    """A transition's `permission=`: the rule `name` checked against the object itself. (Given a
    bare name, django-fsm falls back to the permission without an object, which would let an
    applicant who is in the press office sign off their own case.)"""

    def check(instance, user) -> bool:
        return user.has_perm(name, instance)

    check.__name__ = name
    return check


def lock[M: models.Model](model: type[M], pk, *related: str) -> M:
    """The row `pk` of `model`, locked until the transaction ends (`related` joined, not locked)."""
    # `of=("self",)`: a nullable joined row sits on the outer side of a join, which PostgreSQL
    # refuses to lock; only the row itself needs the lock.
    if related:
        return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    return model.objects.select_for_update().get(pk=pk)


def _not_open(obj, field: str) -> str:
    label = getattr(obj, f"get_{field}_display")().lower()
    return f"This {obj._meta.verbose_name} is {label}; that step is not open."


def fire(
    obj,
    name: str,
    actor,
    *,
    field: str = "state",
    denied: str = "You cannot do that.",
    not_open: Callable[[object], str] | None = None,
    error: type[WorkflowError] = WorkflowError,
    arguments: Mapping[str, object] | None = None,
) -> tuple[str, str]:
    """Run the transition `name` of `obj` for `actor`, with `arguments` as its keyword
    arguments; returns (from, to).

    A transition not open from the present state raises `error` (with `not_open(obj)`'s words,
    or a sentence naming the state); one whose permission the actor lacks raises
    `PermissionDenied(denied)`."""
    method = getattr(obj, name)
    if not can_proceed(method):
        raise error(not_open(obj) if not_open else _not_open(obj, field))
    if not has_transition_perm(method, actor):
        raise PermissionDenied(denied)
    before = getattr(obj, field)
    method(**(arguments or {}))
    return before, getattr(obj, field)
