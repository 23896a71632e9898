"""Integration with the eco-organisms (ecosystem, Ecologic)."""
