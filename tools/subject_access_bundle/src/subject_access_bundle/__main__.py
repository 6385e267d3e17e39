"""`python -m subject_access_bundle --person ID [--out FILE]` (`make sar`)."""

from subject_access_bundle.bundle import main

if __name__ == "__main__":
    main()
