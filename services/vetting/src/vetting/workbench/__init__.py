"""The workbench: vetting officers' and managers' front door in the browser (/workbench), over the
same use cases as the JSON API. configure.py adds it to the app."""
