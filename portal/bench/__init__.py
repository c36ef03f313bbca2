"""The page benchmark's additions to the served portal (only under portal.settings.bench)."""
