"""Staff roles every service recognises (each service adds its own, e.g. `vetting_officer`).

- `auditor` reads a service's audit log (`GET /audit`) and nothing else.
- `data_protection_officer` answers subject access requests and asks for erasure; it sees a
  person's data only through those two doors, each read written to the audit log.
"""

AUDITOR = "auditor"
DATA_PROTECTION_OFFICER = "data_protection_officer"
