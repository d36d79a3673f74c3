"""Placeholder until the language server lands (issue 3)."""
import sys


def main() -> int:
    print("barrier-lint-server: not built yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
