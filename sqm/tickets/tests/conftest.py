import pytest


@pytest.fixture(autouse=True)
def default_processes(request: pytest.FixtureRequest) -> None:
    """The shipped processes, also after a transactional test flushed the migration's rows."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from sqm.tickets.defaults import install_default_processes

    install_default_processes()
