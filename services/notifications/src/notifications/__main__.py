"""`python -m notifications …`: the service's processes and operator commands."""

from notifications.service import definition
from shared.cli import make_cli


def main() -> None:
    make_cli(definition(), "notifications.app:create_app()")()


if __name__ == "__main__":
    main()
