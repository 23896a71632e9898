"""The house's constraints (issue 15), measured by tools/house.py: no module over 400 lines in
qualirepar/, no import cycle but a blueprint's __init__ <-> routes, none hidden behind an import
written inside a function, at most 30 such imports outside the factory, no server date."""
import importlib.util
import pathlib

spec = importlib.util.spec_from_file_location("house", pathlib.Path(__file__).resolve().parents[1] / "tools" / "house.py")
house = importlib.util.module_from_spec(spec)
spec.loader.exec_module(house)


def test_no_module_over_400_lines():
    assert house.long_modules() == {}


def test_no_import_cycle():
    assert house.cycles() == []


def test_no_cycle_hidden_behind_an_import_inside_a_function():
    assert house.cycles(with_late=True) == []


def test_at_most_30_imports_inside_functions_outside_the_factory():
    late = house.late_imports()
    assert sum(late.values()) <= house.MAX_LATE_IMPORTS, late


def test_no_date_from_the_server_clock():
    assert house.today_calls() == []
