"""Use cases of the vetting service: intake (events from applications), checks, decisions by
people, clearances, and the reads behind the API."""
