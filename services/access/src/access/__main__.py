"""`python -m access …`: the service's processes and operator commands."""

from access.service import definition
from shared.cli import make_cli


def main() -> None:
    make_cli(definition(), "access.app:create_app()")()


if __name__ == "__main__":
    main()
