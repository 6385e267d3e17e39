"""`python -m vetting …`: the service's processes and operator commands."""

from shared.cli import make_cli
from vetting.service import definition


def main() -> None:
    make_cli(definition(), "vetting.app:create_app()")()


if __name__ == "__main__":
    main()
