"""`python -m devstack` (`make run`): the whole platform on this machine until Ctrl-C."""

from devstack.stack import main

if __name__ == "__main__":
    main()
