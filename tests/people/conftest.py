"""The people tests start flows that reach the apps above (an acting supervisor decides a
business case; a leaver's accounts become orphans), so they borrow those apps' fixtures."""

from tests.approvals.conftest import draft, policy, submitted, supervisor_approved  # noqa: F401
from tests.handovers.conftest import account, administrator, post  # noqa: F401
