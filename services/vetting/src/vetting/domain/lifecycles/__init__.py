"""Vetting's lifecycles, one module each (case, check, clearance): a `StrEnum` of the states
and the table as a `shared.lifecycle.Machine`."""
