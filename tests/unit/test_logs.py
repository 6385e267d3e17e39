import json
import logging

from shared.context import set_correlation_id
from shared.logs import configure_logging


def test_log_lines_are_json_with_service_and_correlation_id(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("vetting", "INFO")
    try:
        set_correlation_id("corr-42")
        logging.getLogger("test").info("case opened", extra={"case_id": "c1"})
    finally:
        set_correlation_id(None)
        root.handlers[:], level = saved
        root.setLevel(level)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "case opened" and line["level"] == "INFO"
    assert line["service"] == "vetting" and line["correlation_id"] == "corr-42"
    assert line["case_id"] == "c1"
