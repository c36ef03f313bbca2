"""Links for long lists drawn in Python (format_html_join): the URL reversed once a list, not
once a row."""

from django.urls import reverse


def id_path_prefix(viewname: str) -> str:
    """The path of `viewname` for an object less its id and closing slash ("/register/"), for
    rows linked as f"{prefix}{pk}/". Refuses a URL not of that shape rather than make wrong
    links (tests/core/test_links.py)."""
    path = reverse(viewname, args=[0])
    if not path.endswith("/0/"):
        raise ValueError(f"{viewname} does not end in <int:pk>/: {path}")
    return path.removesuffix("0/")
