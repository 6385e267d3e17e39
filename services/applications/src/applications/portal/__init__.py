"""The coordinators' portal (/portal): people at mutual aid organisations sign in (GOV.UK One
Login in production) and work their organisation's applications in the browser; volunteers
reach their own sensitive sections by a single-use link."""
