import pytest
from django.core.exceptions import ValidationError

from accounts.handles import conventional_handle, suggest_handles, validate_handle


def test_convention_is_firstname_surname_suffix():
    assert conventional_handle("Priya", "Sharma") == "PriyaSharmaWMP"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("Siân", "O'Brien", "SianOBrienWMP"),
        ("José", "Lewis-Grant", "JoseLewisGrantWMP"),
        ("Mary Ann", "de la Cruz", "MaryAnnDeLaCruzWMP"),
    ],
)
def test_accents_apostrophes_hyphens_and_spaces(first, last, expected):
    assert conventional_handle(first, last) == expected


def test_suggestions_are_all_valid_and_shortened_when_too_long():
    suggestions = suggest_handles("Christopher", "Featherstonehaugh")
    assert suggestions, "a long name still gets suggestions"
    for handle in suggestions:
        validate_handle(handle, "x")
        assert handle.endswith("WMP")


def test_suggestions_prefer_the_convention_then_the_initial():
    assert suggest_handles("Tom", "Hall")[:2] == ["TomHallWMP", "THallWMP"]


def test_taken_handles_are_skipped_without_regard_to_case():
    assert "TomHallWMP" not in suggest_handles("Tom", "Hall", taken={"tomhallwmp"})


@pytest.mark.parametrize(
    ("handle", "code"),
    [
        ("", "required"),
        ("@TomHallWMP", "at_sign"),
        ("Tom.Hall", "characters"),
        ("ChristopherFeatherWMP", "too_long"),
    ],
)
def test_invalid_handles_say_why(handle, code):
    with pytest.raises(ValidationError) as exc:
        validate_handle(handle, "x")
    assert exc.value.code == code
