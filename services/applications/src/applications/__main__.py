"""`python -m applications …`: the service's processes and operator commands."""

from applications.service import definition
from shared.cli import make_cli


def main() -> None:
    make_cli(definition(), "applications.app:create_app()")()


if __name__ == "__main__":
    main()
