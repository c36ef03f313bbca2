import copy

import pytest


@pytest.fixture(autouse=True)
def test_kind_template(settings):
    """A notification kind `test` for these tests only (tests/templates/notifications/test.txt):
    its subject and message come from the context."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], settings.BASE_DIR / "tests" / "templates"]
    settings.TEMPLATES = templates
