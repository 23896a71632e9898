import pytest

from qualirepar.tenancy import as_shop


@pytest.fixture
def ctx(app, shop):
    """A request in the shop's scope, for tests that call the services directly."""
    with app.test_request_context(), as_shop(shop.id):
        yield
