import pytest

from .helpers import history_of, other_shop_data


@pytest.fixture
def history(app, shop):
    numbers = history_of(app, shop)
    other_shop_data(app)
    return numbers
