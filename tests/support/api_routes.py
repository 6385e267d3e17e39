"""Which routes the API authorisation matrices leave to others: the open operational and
documentation routes, GOV.UK Frontend's assets (public by design), and the front doors, whose
pages have matrices of their own (tests/integration/access/test_access_console.py,
tests/integration/vetting/test_workbench_matrix.py, tests/integration/applications/
test_portal_matrix.py)."""

NOT_API = (
    "/health",
    "/metrics",
    "/info",
    "/openapi.json",
    "/docs",
    "/static",
    "/assets",
    "/console",
    "/workbench",
    "/portal",
)
