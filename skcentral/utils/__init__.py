"""Utilities for users and contributors of skcentral."""

from .discovery import all_estimators

__all__ = ["all_estimators"]
