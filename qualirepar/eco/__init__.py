"""Integration with the eco-organisms: one client interface (`base.EcoClient`), two providers
(`ecosystem`, `ecologic`), a registry (`registry.client_for`), and `sandbox/`, a local
implementation of both contracts."""
