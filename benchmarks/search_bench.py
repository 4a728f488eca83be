"""Run with `.venv/bin/infoline bench` (same code)."""
from knowledge.bench import main

if __name__ == "__main__":
    main()
