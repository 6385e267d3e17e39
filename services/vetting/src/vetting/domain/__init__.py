"""Vetting's pure rules: the policy and the levels it requires, the risk summary, service
levels, identity matching, simulation, who acts, and the case, check and clearance lifecycles.
No database, no Flask: the service layer applies them."""
