"""The one family of domain errors. A service raises a `DomainError` (or a subclass) when an
action cannot happen now; its message says why in words the person can act on, and
`core.views.run_service` turns it into a message on the page. Input errors belong to forms;
permission failures are Django's `PermissionDenied`."""


class DomainError(Exception):
    """The action cannot happen in the present state of things; the message says why."""


class WorkflowError(DomainError):
    """A workflow step is not open from the object's present state."""
