"""The words of every notification live in a template per kind: its first line the subject, a
blank line, then the body. Services pass facts; `notify` renders the template."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import get_template, render_to_string

from notifications.services import notify, template_for

TEMPLATES = sorted(
    p
    for p in (Path(settings.BASE_DIR) / "templates" / "notifications").glob("*.txt")
    if not p.name.startswith("_")
)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_each_template_has_a_subject_line_then_a_body(path):
    text = render_to_string(f"notifications/{path.name}", {"base_url": "https://portal"})
    subject, blank, *body = text.strip().split("\n")
    assert subject.strip(), "the first line is the subject"
    assert len(subject) <= 150
    assert blank == "", "a blank line separates the subject from the body"
    assert "".join(body).strip(), "the body says something"


def test_notify_takes_subject_and_body_from_the_kinds_template(
    officer, django_capture_on_commit_callbacks
):
    from tests.factories import SocialAccountFactory

    account = SocialAccountFactory(owner=officer, handle="TemplatedWMP")
    assert template_for("account_registered") == "notifications/account_registered.txt"
    with django_capture_on_commit_callbacks(execute=True):
        [sent] = notify(
            recipients=[officer.user],
            kind="account_registered",
            context={"account": account},
            link="/accounts/1/",
        )
    assert sent.subject == "@TemplatedWMP is now in the register"
    assert sent.body.startswith(f"Dear {officer.user.first_name or officer.user.username},")
    assert "added @TemplatedWMP" in sent.body
    assert sent.body.endswith("Open it in the portal: " + settings.PORTAL_BASE_URL + "/accounts/1/")
    [message] = mail.outbox
    assert message.subject.endswith(sent.subject)
    assert message.body == sent.body


# The apps whose services have moved every word of their mail into templates.
WORDED_BY_TEMPLATES = ["approvals/services.py", "people/services.py", "reminders/services.py"]


@pytest.mark.parametrize("module", WORDED_BY_TEMPLATES)
def test_services_pass_facts_and_leave_the_words_to_the_kinds_template(module):
    tree = ast.parse((Path(settings.BASE_DIR) / module).read_text())
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "notify"
    ]
    assert calls, f"{module} sends no notification"
    for call in calls:
        given = {keyword.arg: keyword.value for keyword in call.keywords}
        assert not {"subject", "template"} & set(given), (
            f"{module}, line {call.lineno}: the subject and the body belong in the template"
        )
        kind = given["kind"]
        if isinstance(kind, ast.Constant):  # a kind computed at run time is checked elsewhere
            get_template(template_for(kind.value))
