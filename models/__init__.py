"""Tortoise models, one module per aggregate. Imports nothing of ours beyond models/."""

from models.organizations import Organization, OrganizationUser
from models.sessions import AuthSession
from models.users import User

__all__ = ["AuthSession", "Organization", "OrganizationUser", "User"]
MODEL_MODULES = ["models.users", "models.sessions", "models.organizations"]
