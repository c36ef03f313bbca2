"""A list drawn in Python links its rows from one reversed prefix: the prefix must make the
same link `reverse` makes, and a URL of another shape is refused, not linked wrongly."""

import pytest
from django.urls import reverse

from core.links import id_path_prefix


@pytest.mark.parametrize("viewname", ["accounts:detail", "approvals:detail"])
def test_the_prefix_makes_the_link_reverse_makes(viewname):
    assert f"{id_path_prefix(viewname)}1234/" == reverse(viewname, args=[1234])


def test_a_url_not_ending_in_the_id_is_refused():
    with pytest.raises(ValueError, match="does not end in"):
        id_path_prefix("custody:lodge")
