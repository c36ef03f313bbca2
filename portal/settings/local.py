"""The settings `make run` uses on a developer's or newcomer's machine."""

from portal.settings.base import *  # noqa: F403
from portal.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
