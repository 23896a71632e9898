"""The plateforme agréée (PA) side of e-invoicing: one provider interface (`base`), its
implementations (`outbox`: files left in a folder per shop; `sandbox`: the local PA sandbox over
HTTP) and the `registry` that picks one by the shop's setting. A real PA's API is one more
implementation registered there; billing never changes."""
