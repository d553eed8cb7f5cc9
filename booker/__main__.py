"""``python -m booker`` works like ``booker``."""

from booker.cli import main

if __name__ == "__main__":
    main()
