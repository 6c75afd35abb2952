"""Permission-matrix rows of the customer portal."""

from sqm.core.tests.matrix import ANY_SIGNED_IN, Page

PAGES = {"portal:my_tickets": Page(ANY_SIGNED_IN)}
