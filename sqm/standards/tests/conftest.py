import pytest


@pytest.fixture(autouse=True)
def starter_library(request: pytest.FixtureRequest) -> None:
    """The shipped SLA policies and starter standards, also after a transactional test flushed the
    migrations' rows (both installers skip what exists)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from sqm.standards.defaults import install_standard_defaults
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults()
    install_standard_defaults()
