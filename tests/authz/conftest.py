import copy
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.authz.world import build_world
from tests.mfa import sign_in_with_second_factor


@contextmanager
def rolled_back():
    """Run a block in a savepoint that is always rolled back: each cell of the matrix sees the
    world exactly as built, whatever the previous cell did."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class Principals:
    """One signed-in test client per principal, its cookies restored before every request (a
    cell that signs out, or cycles the session key, must not change the next cell)."""

    def __init__(self, users):
        self.clients, self.cookies = {}, {}
        for name, user in users.items():
            client = Client()
            if user is not None:
                client.force_login(user)
                sign_in_with_second_factor(client, user)  # press office and administrators
            self.clients[name] = client
            self.cookies[name] = copy.deepcopy(client.cookies)

    def client(self, name) -> Client:
        client = self.clients[name]
        client.cookies = copy.deepcopy(self.cookies[name])
        return client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once per module inside a transaction rolled back at the end; the health
    page's worker ping is cut short (no worker runs here; tests/portal covers health itself)."""
    with (
        django_db_blocker.unblock(),
        override_settings(HEALTH_WORKER_PING_SECONDS=0.01),
        transaction.atomic(),
    ):
        w = build_world()
        w.principals = Principals(w.users)
        yield w
        transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter):
    """The figures: how many cells of the matrix and of the IDOR sweep ran in this session."""
    from tests.authz import matrix

    if matrix.CHECKED["cells"] or matrix.CHECKED["idor"]:
        terminalreporter.write_line(
            f"authorization matrix: {matrix.CHECKED['routes']} URL patterns ×"
            f" {len(matrix.PRINCIPALS)} principals × 2 methods: {matrix.CHECKED['cells']} cells"
            f" checked; IDOR sweep: {matrix.CHECKED['idor']} cells checked"
        )
