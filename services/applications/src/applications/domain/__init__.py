"""The applications service's pure rules: readiness, lifecycles, what an organisation may know
of a clearance's conditions. No framework, no database."""
