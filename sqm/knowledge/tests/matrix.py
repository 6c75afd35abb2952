"""Permission-matrix rows of the knowledge app."""

from sqm.core.roles import Cap
from sqm.core.tests.matrix import Page

PAGES = {"knowledge:article_list": Page(Cap.KB_VIEW)}
API: dict = {}
