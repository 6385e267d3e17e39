"""The operator's subject access request: every service's answer about one person gathered into
one bundle (subject_access_bundle.bundle)."""
